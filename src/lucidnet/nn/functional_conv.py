"""Convolution and pooling functions in PyTorch's names and signatures (re-exported by lucidnet.nn.functional):
conv1d, conv2d, conv_transpose2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, dropout2d.

They check their arguments and the input's shape here, at the boundary, so errors name the function and the
shapes; the primitives in lucidnet.ops.conv and lucidnet.ops.pool do the math. The ``check_*`` helpers are
shared with the layers (lucidnet.nn.conv, lucidnet.nn.pooling), which pass their own name as ``where``.
Unbatched input, (C, H, W) or (C, L), is accepted as PyTorch does: a batch of one, squeezed again.
"""
import numbers

import numpy as np

from .. import ops
from ..functional import _float, reshape
from ..random import numpy_generator
from ..tensor import Tensor

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "conv1d", "conv2d", "conv_transpose2d", "dropout2d", "max_pool2d"]


# ------------------------------------------------------------------------------------------------ argument checks

def check_pair(where, name, value, minimum=1):
    """``value`` (an int or a pair of ints) as a pair of ints >= ``minimum``, else a ValueError.

    Example:
        >>> check_pair("conv2d", "stride", 2), check_pair("conv2d", "padding", (0, 1), 0)
        ((2, 2), (0, 1))
    """
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value) if isinstance(value, (tuple, list)) \
        else None
    if pair is None or len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                                             or v < minimum for v in pair):
        what = "positive integers" if minimum == 1 else f"integers >= {minimum}"
        raise ValueError(f"{where}: expected {name} to be an int or a pair of {what}, got {value!r}.")
    return int(pair[0]), int(pair[1])


def conv_pads(where, padding, kernel, stride, dilation):
    """PyTorch's ``padding`` (an int, a pair, 'valid' or 'same') as ((top, bottom), (left, right)). 'same' pads
    d*(k-1) in all, the extra one at the bottom/right, as PyTorch; it needs stride 1 (PyTorch refuses too)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{where}: expected padding to be an int, a pair, 'valid' or 'same', got {padding!r}.")
        if stride != (1, 1):
            raise ValueError(f"{where}: padding='same' needs stride 1, got stride={stride} (PyTorch refuses it "
                             f"too). Pad explicitly, e.g. padding={tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))}.")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    ph, pw = check_pair(where, "padding", padding, 0)
    return (ph, ph), (pw, pw)


def check_image(where, x, channels, what="input", rank=2):
    """Require x of shape (N, channels, *spatial) or unbatched (channels, *spatial), ``rank`` spatial axes;
    hints at channels-last images. Returns True when x is batched."""
    shape = tuple(getattr(getattr(x, "array", x), "shape", ()))
    spatial = ("H", "W") if rank == 2 else ("L",)
    expected = f"(N, {channels}, {', '.join(spatial)}) or ({channels}, {', '.join(spatial)})"
    if len(shape) not in (rank + 1, rank + 2) or shape[-rank - 1] != channels:
        hint = ""
        if len(shape) in (rank + 1, rank + 2) and shape[-1] == channels and rank == 2:
            perm = "x.permute(0, 3, 1, 2)" if len(shape) == 4 else "x.permute(2, 0, 1)"
            hint = (f" Inputs are channels-first: the input looks channels-last; permute it with {perm}, or use "
                    f"Conv2D/MaxPooling2D (Keras's layers, channels-last).")
        elif len(shape) in (rank + 1, rank + 2) and rank == 1 and shape[-1] == channels:
            hint = " Inputs are channels-first: for (N, L, C) inputs use x.transpose(1, 2)."
        raise ValueError(f"{where}: expected {what} of shape {expected}, got {shape}.{hint}")
    return len(shape) == rank + 2


def check_window(where, x, kernel, pads, dilation, what="kernel"):
    """Require the (dilated) window to fit in the padded input."""
    h, w = x.shape[-2:]
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = (h + sum(pads[0]), w + sum(pads[1]))
    if span[0] > padded[0] or span[1] > padded[1]:
        size = f"{span} (dilated)" if dilation != (1, 1) else f"{span}"
        raise ValueError(f"{where}: {what} size {size} is larger than the padded input {padded} (input "
                         f"{tuple(x.shape)}, padding {pads[0][0]}, {pads[1][0]}). Use a smaller {what} or more "
                         f"padding.")


def _as_tensor(x, where):
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: expected a lucidnet Tensor as input, got {type(x).__name__}.")
    return _float(x)


def _batched(x, batched):
    return x if batched else reshape(x, (1,) + tuple(x.shape))


def _unbatched(y, batched):
    return y if batched else reshape(y, tuple(y.shape[1:]))


# ------------------------------------------------------------------------------------------------ convolution

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation of input (N, C, H, W) with weight (O, C/groups, KH, KW), plus bias (O,):
    PyTorch's ``torch.nn.functional.conv2d``, as im2col plus one matrix product.

    Args:
        stride, dilation: an int or a pair. padding: an int, a pair, 'valid' (none) or 'same' (stride 1 only).
        groups: split the channels into this many independent convolutions.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.ones(1, 1, 4, 4)
        >>> conv2d(x, lucidnet.ones(1, 1, 3, 3), padding=1)[0, 0]
        tensor([[4., 6., 6., 4.],
                [6., 9., 9., 6.],
                [6., 9., 9., 6.],
                [4., 6., 6., 4.]])
    """
    where = "conv2d"
    x = _as_tensor(input, where)
    if weight.ndim != 4:
        raise ValueError(f"{where}: expected weight of shape (out_channels, in_channels/groups, KH, KW), got "
                         f"{tuple(weight.shape)}.")
    o, cg, kh, kw = weight.shape
    stride, dilation = check_pair(where, "stride", stride), check_pair(where, "dilation", dilation)
    groups = _check_groups(where, groups, cg * groups if isinstance(groups, int) else 0, o)
    batched = check_image(where, x, cg * groups)
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"{where}: expected bias of shape ({o},), got {tuple(bias.shape)}.")
    pads = conv_pads(where, padding, (kh, kw), stride, dilation)
    check_window(where, x, (kh, kw), pads, dilation)
    out = ops.conv2d(_batched(x, batched), weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)
    return _unbatched(out, batched)


def _check_groups(where, groups, in_channels, out_channels):
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{where}: expected groups to be a positive integer, got {groups!r}.")
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{where}: expected groups to divide the channels, got groups={groups} for "
                         f"in_channels={in_channels} and out_channels={out_channels}.")
    return int(groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation of input (N, C, L) with weight (O, C/groups, K): conv2d on images of height 1.

    Example:
        >>> import lucidnet
        >>> conv1d(lucidnet.tensor([[[1.0, 2.0, 3.0, 4.0]]]), lucidnet.tensor([[[1.0, -1.0]]]))
        tensor([[[-1., -1., -1.]]])
    """
    where = "conv1d"
    x = _as_tensor(input, where)
    if weight.ndim != 3:
        raise ValueError(f"{where}: expected weight of shape (out_channels, in_channels/groups, K), got "
                         f"{tuple(weight.shape)}.")
    batched = check_image(where, x, weight.shape[1] * (groups if isinstance(groups, int) else 1), rank=1)
    x = _batched(x, batched)

    def single(name, v):                           # conv1d's int (or 1-tuple) argument, for the width axis
        if isinstance(v, (tuple, list)) and len(v) == 1:
            v = v[0]
        if isinstance(v, str) or isinstance(v, numbers.Integral) and not isinstance(v, bool):
            return v
        raise ValueError(f"{where}: expected {name} to be an int, got {v!r}.")
    s, d, p = single("stride", stride), single("dilation", dilation), single("padding", padding)
    n, c, length = x.shape
    if isinstance(d, int) and d > 0 and isinstance(p, int) and p >= 0 and d * (weight.shape[2] - 1) + 1 > length + 2 * p:
        raise ValueError(f"{where}: kernel size {d * (weight.shape[2] - 1) + 1}{' (dilated)' if d > 1 else ''} is "
                         f"larger than the padded input {length + 2 * p} (input {tuple(input.shape)}, padding {p}). "
                         f"Use a smaller kernel or more padding.")
    try:
        out = conv2d(reshape(x, (n, c, 1, length)), reshape(weight, (*weight.shape[:2], 1, weight.shape[2])), bias,
                     stride=(1, s), padding=p if isinstance(p, str) else (0, p), dilation=(1, d), groups=groups)
    except ValueError as e:                        # conv2d's message, for the 1-d call the user made
        raise ValueError(str(e).replace("conv2d:", "conv1d:", 1)) from None
    return _unbatched(reshape(out, (n, out.shape[1], out.shape[3])), batched)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transposed convolution (the adjoint of conv2d, sometimes called deconvolution): input
    (N, C_in, H, W), weight (C_in, C_out/groups, KH, KW), output (N, C_out, H', W') with
    H' = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1. PyTorch's signature.

    Example:
        >>> import lucidnet
        >>> conv_transpose2d(lucidnet.ones(1, 1, 2, 2), lucidnet.ones(1, 1, 2, 2), stride=2).shape
        lucidnet.Size([1, 1, 4, 4])
    """
    where = "conv_transpose2d"
    x = _as_tensor(input, where)
    if weight.ndim != 4:
        raise ValueError(f"{where}: expected weight of shape (in_channels, out_channels/groups, KH, KW), got "
                         f"{tuple(weight.shape)}.")
    c_in, og, kh, kw = weight.shape
    stride, dilation = check_pair(where, "stride", stride), check_pair(where, "dilation", dilation)
    groups = _check_groups(where, groups, c_in, og * groups if isinstance(groups, int) else 0)
    batched = check_image(where, x, c_in)
    if bias is not None and tuple(bias.shape) != (og * groups,):
        raise ValueError(f"{where}: expected bias of shape ({og * groups},), got {tuple(bias.shape)}.")
    ph, pw = check_pair(where, "padding", padding, 0)
    oph, opw = check_pair(where, "output_padding", output_padding, 0)
    if oph >= max(stride[0], dilation[0]) or opw >= max(stride[1], dilation[1]):
        raise ValueError(f"{where}: expected output_padding smaller than stride or dilation, got "
                         f"output_padding={(oph, opw)}, stride={stride}, dilation={dilation}.")
    h, w = x.shape[-2:]
    out_hw = ((h - 1) * stride[0] - 2 * ph + dilation[0] * (kh - 1) + oph + 1,
              (w - 1) * stride[1] - 2 * pw + dilation[1] * (kw - 1) + opw + 1)
    if min(out_hw) < 1:
        raise ValueError(f"{where}: the output would be empty: size {out_hw} from input {tuple(x.shape)}, "
                         f"padding {(ph, pw)}, kernel {(kh, kw)}.")
    out = ops.conv_transpose2d(_batched(x, batched), weight, bias, stride=stride, pads=((ph, ph), (pw, pw)),
                               dilation=dilation, groups=groups, out_hw=out_hw)
    return _unbatched(out, batched)


# ------------------------------------------------------------------------------------------------ pooling

def pool_pads(where, x, kernel, stride, padding, dilation, ceil_mode):
    """Pooling's padding ((top, bottom), (left, right)) and output size: PyTorch's rules, with ceil_mode's extra
    bottom/right rows as more padding (a last window must start inside the input or the left padding)."""
    ph, pw = check_pair(where, "padding", padding, 0)
    if ph > kernel[0] // 2 or pw > kernel[1] // 2:
        raise ValueError(f"{where}: expected padding at most half the kernel size, got padding={(ph, pw)} for "
                         f"kernel_size={kernel}.")
    pads, out_hw = [], []
    for size, k, s, p, d in zip(x.shape[-2:], kernel, stride, (ph, pw), dilation):
        span = d * (k - 1) + 1
        if size + 2 * p < span:
            raise ValueError(f"{where}: kernel size {tuple(d * (kk - 1) + 1 for kk, d in zip(kernel, dilation))} "
                             f"is larger than the padded input {tuple(n + 2 * q for n, q in zip(x.shape[-2:], (ph, pw)))}"
                             f" (input {tuple(x.shape)}).")
        n = (size + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1
        pads.append((p, max(p, (n - 1) * s + span - size - p)))
        out_hw.append(n)
    return tuple(pads), tuple(out_hw)


def _pool_args(where, input, kernel_size, stride, dilation=1, rank=2):
    x = _as_tensor(input, where)
    shape = tuple(x.shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"{where}: expected input of shape (N, C, H, W) or (C, H, W), got {shape}.")
    kernel = check_pair(where, "kernel_size", kernel_size)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else check_pair(where, "stride", stride)
    return x, kernel, stride, check_pair(where, "dilation", dilation), len(shape) == 4


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum over each kernel_size window of input (N, C, H, W), PyTorch's ``F.max_pool2d``. With
    ``return_indices``, also each maximum's position (row * W + column in its input plane), as PyTorch.

    Example:
        >>> import lucidnet
        >>> max_pool2d(lucidnet.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    where = "max_pool2d"
    x, kernel, stride, dilation, batched = _pool_args(where, input, kernel_size, stride, dilation)
    pads, _ = pool_pads(where, x, kernel, stride, padding, dilation, ceil_mode)
    out = ops.max_pool2d(_batched(x, batched), kernel=kernel, stride=stride, pads=pads, dilation=dilation,
                         return_indices=bool(return_indices))
    if return_indices:
        return _unbatched(out[0], batched), _unbatched(out[1], batched)
    return _unbatched(out, batched)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each kernel_size window of input (N, C, H, W), PyTorch's ``F.avg_pool2d``: zero padding
    counts in the mean when ``count_include_pad`` (not the extra rows of ``ceil_mode``).

    Example:
        >>> import lucidnet
        >>> avg_pool2d(lucidnet.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    where = "avg_pool2d"
    x, kernel, stride, _, batched = _pool_args(where, input, kernel_size, stride)
    pads, out_hw = pool_pads(where, x, kernel, stride, padding, (1, 1), ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, numbers.Integral) \
                or divisor_override < 1:
            raise ValueError(f"{where}: expected divisor_override to be a positive integer, got {divisor_override!r}.")
        divisor = float(divisor_override)
    else:
        counts = []                                   # how many numbers each window averages, per axis
        for size, k, s, (p, _), n in zip(x.shape[-2:], kernel, stride, pads, out_hw):
            start = np.arange(n) * s - p
            stop = np.minimum(start + k, size + p)
            if not count_include_pad:
                start, stop = np.maximum(start, 0), np.minimum(stop, size)
            counts.append(stop - start)
        divisor = counts[0][:, None] * counts[1][None, :]
        if (divisor == kernel[0] * kernel[1]).all():
            divisor = None
    out = ops.avg_pool2d(_batched(x, batched), kernel=kernel, stride=stride, pads=pads, divisor=divisor)
    return _unbatched(out, batched)


def adaptive_avg_pool2d(input, output_size):
    """The mean over an output_size grid of windows covering input (N, C, H, W) (window i spans rows
    floor(i*H/OH) to ceil((i+1)*H/OH)), PyTorch's ``F.adaptive_avg_pool2d``; None keeps that axis's size.

    Example:
        >>> import lucidnet
        >>> adaptive_avg_pool2d(lucidnet.arange(16.0).reshape(1, 1, 4, 4), 1)
        tensor([[[[7.5000]]]])
    """
    where = "adaptive_avg_pool2d"
    x = _as_tensor(input, where)
    if x.ndim not in (3, 4):
        raise ValueError(f"{where}: expected input of shape (N, C, H, W) or (C, H, W), got {tuple(x.shape)}.")
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    size = tuple(x.shape[-2 + i] if v is None else v for i, v in enumerate(size))
    out_hw = check_pair(where, "output_size", size)
    batched = x.ndim == 4
    return _unbatched(ops.adaptive_avg_pool2d(_batched(x, batched), out_hw=out_hw), batched)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero whole channels of input (N, C, H, W) or (C, H, W) with probability ``p`` and scale the rest by
    1 / (1 - p) (spatial dropout: neighbouring pixels are correlated, so dropping single ones does little).

    Example:
        >>> import lucidnet
        >>> y = dropout2d(lucidnet.ones(1, 8, 2, 2), 0.5, generator=0)
        >>> sorted(set(y.flatten().tolist()))
        [0.0, 2.0]
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: expected p in [0, 1], got {p}.")
    x = _as_tensor(input, "dropout2d")
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected input of shape (N, C, H, W) or (C, H, W), got {tuple(x.shape)}.")
    if not training or p == 0:
        return input
    keep = numpy_generator(generator).random(tuple(x.shape[:-2]) + (1, 1), dtype=np.float32) >= p
    return x * (keep * np.asarray(1.0 / (1.0 - p) if p < 1 else 0.0, dtype=x.dtype))
