"""lucidnet.nn.functional: the math of every layer and loss as plain functions, PyTorch's ``torch.nn.functional``.

Layers in lucidnet.nn hold parameters and state and call these. Functions that lucidnet.functional already
has (linear, softmax, log_softmax, pad, sigmoid, tanh) are the same objects here; the losses
(cross_entropy among them) live here only. Inputs are
checked at this boundary, so errors name the function you called and the shapes you passed.

Example:
    >>> import lucidnet
    >>> import lucidnet.nn.functional as F
    >>> x = lucidnet.tensor([[-1.0, 2.0]])
    >>> F.relu(x), F.mse_loss(x, lucidnet.tensor([[0.0, 2.0]]))
    (tensor([[0., 2.]]), tensor(0.5000))
"""
import numpy as np

from .. import ops
from ..random import numpy_generator
from ..functional import (_float, _ids_in_range, linear, log_softmax, mean, pad, permute, reshape, sigmoid, softmax,
                          tanh, unsqueeze)
from ..tensor import Tensor, _as_array
from ..validation import check_reduction
from .functional_attention import packed_self_attention, scaled_dot_product_attention
from .functional_conv import (adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_transpose2d, dropout2d,
                              max_pool2d)

# The activations, and the rest of PyTorch's distances and losses, one module each (this one is full).
from .functional_activations import *  # noqa: F401,F403,E402
from .functional_activations import __all__ as _activations, erf
from .functional_losses import *  # noqa: F401,F403,E402
from .functional_losses import __all__ as _losses

__all__ = _activations + _losses + [
    "adaptive_avg_pool2d", "avg_pool2d", "conv1d", "conv2d", "conv_transpose2d", "dropout2d", "max_pool2d",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "batch_norm", "cross_entropy", "dropout",
    "embedding", "erf", "huber_loss", "l1_loss", "layer_norm", "linear", "log_softmax",
    "mse_loss", "nll_loss", "one_hot", "packed_self_attention", "pad", "scaled_dot_product_attention",
    "sigmoid", "softmax", "tanh",
]

# ------------------------------------------------------------------------------------------------ layers

def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (inverted dropout), so the
    expected value is unchanged and evaluation needs no rescaling. Identity when not ``training``.

    Args:
        input: any shape.
        p: probability of zeroing an element, in [0, 1].
        training: apply dropout; False returns ``input`` itself.
        generator: a :class:`lucidnet.Generator` (or seed); default: lucidnet's, seeded by ``manual_seed``.

    Example:
        >>> import lucidnet
        >>> y = dropout(lucidnet.ones(1000), p=0.25, generator=0)
        >>> sorted(set(y.tolist())), abs(y.mean().item() - 1) < 0.1
        ([0.0, 1.3333333730697632], True)
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: expected p in [0, 1], got {p}.")
    if not training or p == 0:
        return input
    x = _float(input)
    if p == 1:
        return x * np.zeros((), dtype=x.dtype)
    keep = numpy_generator(generator).random(x.shape, dtype=np.float32) >= p
    return x * (keep * np.asarray(1.0 / (1.0 - p), dtype=x.dtype))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (axis 1) of x (N, C), (N, C, L) or (N, C, H, W) to zero mean and unit variance, then scale by
    ``weight`` and shift by ``bias`` (Ioffe & Szegedy 2015).

    Training uses the batch's statistics (biased variance) and updates ``running_mean``/``running_var`` in
    place, ``running = (1 - momentum) * running + momentum * batch`` with the unbiased batch variance, as
    PyTorch; otherwise the running statistics normalize.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([[1.0, 10.0], [3.0, 30.0]])
        >>> rm, rv = lucidnet.zeros(2), lucidnet.ones(2)
        >>> batch_norm(x, rm, rv, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> rm
        tensor([0.2000, 2.0000])
    """
    if input.ndim not in (2, 3, 4, 5):
        raise ValueError(f"batch_norm: expected input of shape (N, C), (N, C, L) or (N, C, H, W), got "
                         f"{tuple(input.shape)}.")
    x = _float(input)
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: expected {name} of shape ({c},) for input of shape {tuple(x.shape)}, "
                             f"got {tuple(t.shape)}.")
    shape = (-1,) + (1,) * (x.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: expected running_mean and running_var when training=False, got None.")
        inv_std = (1 / np.sqrt(_as_array(running_var) + eps)).astype(x.dtype)
        scale = reshape(weight * inv_std, shape) if weight is not None else inv_std.reshape(shape)
        out = (x - _as_array(running_mean).astype(x.dtype).reshape(shape)) * scale
        return out if bias is None else out + reshape(bias, shape)
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.array.size // c
    if n <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of shape "
                         f"{tuple(x.shape)}. Use a batch of at least 2 samples, or call model.eval().")
    batch_mean = x.array.mean(axis=axes)
    batch_var = x.array.var(axis=axes)
    if running_mean is not None:
        running_mean.array *= 1 - momentum
        running_mean.array += momentum * batch_mean
        running_mean._bump()
    if running_var is not None:
        running_var.array *= 1 - momentum
        running_var.array += (momentum * n / (n - 1)) * batch_var
        running_var._bump()
    return ops.batch_norm(x, weight, bias, mean=batch_mean, var=batch_var, eps=eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last axes (``normalized_shape``) of each sample to zero mean and unit variance,
    then scale by ``weight`` and shift by ``bias`` (Ba et al. 2016). One fused op.

    Example:
        >>> import lucidnet
        >>> layer_norm(lucidnet.tensor([[1.0, 3.0], [0.0, 10.0]]), (2,))
        tensor([[-1.0000,  1.0000],
                [-1.0000,  1.0000]])
    """
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else \
        tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise ValueError(f"layer_norm: expected input of shape (*, {', '.join(map(str, shape))}), "
                         f"got {tuple(input.shape)}.")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: expected {name} of shape {shape}, got {tuple(t.shape)}.")
    return ops.layer_norm(_float(input), weight, bias, normalized_ndim=k, eps=eps)


def _check_ids(where, ids, n, what="indices"):
    """Integer ids in [0, n), or a TypeError/ValueError saying what arrived."""
    if ids.dtype.kind not in "iu":
        hint = " Convert them with .long()." if ids.dtype.kind in "fb" else ""
        raise TypeError(f"{where}: expected integer {what}, got dtype {ids.dtype}.{hint}")
    if ids.size and not _ids_in_range(ids, n):
        lo, hi = ids.min(), ids.max()
        raise ValueError(f"{where}: expected {what} in [0, {n}), got a value of {hi if hi >= n else lo}.")


def _embedding(where, input, weight, padding_idx):
    ids = np.asarray(_as_array(input))
    _check_ids(where, ids, weight.shape[0])
    return ops.embedding(ids, weight, padding_idx=padding_idx)


def embedding(input, weight, padding_idx=None):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) by integer ids of any shape; the output has
    shape ids.shape + (embedding_dim,). The row ``padding_idx`` receives no gradient.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([[0.0, 0.0], [1.0, 2.0]])
        >>> embedding(lucidnet.tensor([[1, 0, 1]]), w).shape
        lucidnet.Size([1, 3, 2])
    """
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return _embedding("embedding", input, weight, padding_idx)


def one_hot(tensor, num_classes=-1):
    """Class ids (any shape) as one-hot int64 vectors along a new last axis; ``num_classes=-1`` takes
    max(ids) + 1.

    Example:
        >>> import lucidnet
        >>> one_hot(lucidnet.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    ids = np.asarray(_as_array(tensor))
    if num_classes < 0:                              # infer it (after the dtype check inside _check_ids)
        _check_ids("one_hot", ids, np.iinfo(np.int64).max, "class ids")
        if not ids.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes.")
        num_classes = int(ids.max()) + 1
    _check_ids("one_hot", ids, num_classes, "class ids")
    return Tensor._wrap((ids[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------------------------------------ losses

def _reduce(loss, reduction):
    if reduction == "mean":
        return mean(loss)
    return loss.sum() if reduction == "sum" else loss


def _pair(where, input, target):
    """input and target as float tensors of one shape: targets of another dtype are converted (integer 0/1
    labels are common), a shape mismatch is an error instead of PyTorch's warning and broadcast."""
    x = _float(input) if isinstance(input, Tensor) else Tensor(np.asarray(input, dtype=np.float32))
    t = target if isinstance(target, Tensor) else Tensor._wrap(np.asarray(target))
    if t.dtype != x.dtype:
        t = t.to(x.dtype)
    if x.shape != t.shape:
        hint = ""
        if tuple(s for s in x.shape if s != 1) == tuple(s for s in t.shape if s != 1):
            hint = (" Broadcasting them would compare every prediction with every target; make the shapes equal, "
                    "e.g. with .view(-1) or .squeeze().")
        raise ValueError(f"{where}: expected target of the input's shape {tuple(x.shape)}, got {tuple(t.shape)}.{hint}")
    return x, t


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: the average of (input - target)^2.

    Example:
        >>> import lucidnet
        >>> mse_loss(lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([1.0, 4.0]))
        tensor(2.)
    """
    check_reduction("mse_loss", reduction)
    x, t = _pair("mse_loss", input, target)
    d = x - t
    return _reduce(d * d, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: the average of |input - target|.

    Example:
        >>> import lucidnet
        >>> l1_loss(lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([0.0, 4.0]))
        tensor(1.5000)
    """
    check_reduction("l1_loss", reduction)
    x, t = _pair("l1_loss", input, target)
    return _reduce((x - t).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss: 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2), with d = input - target.
    Quadratic near zero, linear (robust to outliers) beyond ``delta``.

    Example:
        >>> import lucidnet
        >>> huber_loss(lucidnet.tensor([0.5, 3.0]), lucidnet.tensor([0.0, 0.0]), reduction="none")
        tensor([0.1250, 2.5000])
    """
    check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: expected delta > 0, got {delta}.")
    x, t = _pair("huber_loss", input, target)
    d = x - t
    ad = d.abs()
    return _reduce(ops.where(ad.array < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)), reduction)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy between logits and targets, as PyTorch's ``F.cross_entropy``.

    Args:
        input: logits of shape (N, C), or (N, C, d1, ...) for per-position classes.
        target: class ids (N,) / (N, d1, ...) as integers, or class probabilities shaped like ``input``.
        weight: optional per-class weights, shape (C,).
        ignore_index: class id whose rows are left out (ids only).
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: in [0, 1]; mixes the target with the uniform distribution.

    Example:
        >>> import lucidnet
        >>> logits = lucidnet.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> cross_entropy(logits, lucidnet.tensor([0, 1]))
        tensor(0.1269)
    """
    z = _float(input)
    t = target.array if isinstance(target, Tensor) else np.asarray(_as_array(target))
    w = None if weight is None else np.asarray(_as_array(weight))
    check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: expected label_smoothing in [0, 1], got {label_smoothing}.")
    shape = z.array.shape
    if len(shape) < 1:
        raise ValueError(f"cross_entropy: expected logits of shape (N, C), got {shape}.")
    if len(shape) == 1:                                  # one sample: (C,) logits, a 0-d class id
        out = cross_entropy(unsqueeze(z, 0), t[None], weight, ignore_index, reduction, label_smoothing)
        return reshape(out, ()) if reduction == "none" else out
    c = shape[1]
    if w is not None and w.shape != (c,):
        raise ValueError(f"cross_entropy: expected weight of shape ({c},), got {tuple(w.shape)}.")
    if t.dtype.kind in "iu":
        expect = shape[:1] + shape[2:]
        if t.shape != expect:
            raise ValueError(f"cross_entropy: expected target of shape {expect} for logits of shape {shape}, "
                             f"got {tuple(t.shape)}.")
        if t.size and not _ids_in_range(t, c):          # ids outside [0, C) must all be ignore_index
            valid = t[t != ignore_index]
            if valid.size and (valid.min() < 0 or valid.max() >= c):
                bad = valid.max() if valid.max() >= c else valid.min()
                raise ValueError(f"cross_entropy: expected target of shape {expect} with class ids in [0, {c}), "
                                 f"got a value of {bad}.")
        elif not 0 <= ignore_index < c:
            ignore_index = None                          # nothing to ignore: the primitive's one-hot fast path
    elif t.dtype.kind == "f":
        if t.shape != shape:
            hint = " Class ids must be integers: use target.long()." if t.shape == shape[:1] + shape[2:] else ""
            raise ValueError(f"cross_entropy: expected probability targets of shape {shape}, got {tuple(t.shape)}.{hint}")
    else:
        raise TypeError(f"cross_entropy: expected integer class ids or float probabilities as target, "
                        f"got dtype {t.dtype}.")
    if len(shape) > 2:                                   # (N, C, d1, ...) -> (N * d1 * ..., C)
        order = (0,) + tuple(range(2, len(shape))) + (1,)
        z2 = reshape(permute(z, order), -1, c)
        t2 = t.reshape(-1) if t.dtype.kind in "iu" else t.transpose(order).reshape(-1, c)
        out = ops.cross_entropy(z2, t2, weight=w, ignore_index=ignore_index, label_smoothing=label_smoothing,
                                reduction=reduction)
        return reshape(out, shape[:1] + shape[2:]) if reduction == "none" else out
    return ops.cross_entropy(z, t, weight=w, ignore_index=ignore_index, label_smoothing=label_smoothing,
                             reduction=reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class ids given log-probabilities (N, C) (e.g. log_softmax output), or
    (N, C, d1, ...) per position. Same ``weight``/``ignore_index``/'mean' conventions as cross_entropy: a
    weighted mean divides by the sum of the targets' weights.

    Example:
        >>> import lucidnet
        >>> logp = lucidnet.tensor([[-0.1, -2.0], [-3.0, -0.5]])
        >>> nll_loss(logp, lucidnet.tensor([0, 1]))
        tensor(0.3000)
    """
    check_reduction("nll_loss", reduction)
    x = _float(input)
    t = np.asarray(_as_array(target))
    if t.dtype.kind not in "iu":
        hint = " Convert them with .long()." if t.dtype.kind in "fb" else ""
        raise TypeError(f"nll_loss: expected integer class ids as target, got dtype {t.dtype}.{hint}")
    if x.ndim == 1:                                  # one sample: (C,) log-probabilities, a 0-d class id
        out = nll_loss(reshape(x, (1, -1)), t.reshape(1), weight, ignore_index, reduction)
        return reshape(out, ()) if reduction == "none" else out
    if x.ndim == 0:
        raise ValueError(f"nll_loss: expected log-probabilities of shape (N, C), got {tuple(x.shape)}.")
    c = x.shape[1]
    expect = x.array.shape[:1] + x.array.shape[2:]
    if t.shape != expect:
        raise ValueError(f"nll_loss: expected target of shape {expect} for input of shape {tuple(x.shape)}, "
                         f"got {tuple(t.shape)}.")
    w = None if weight is None else np.asarray(_as_array(weight))
    if w is not None and w.shape != (c,):
        raise ValueError(f"nll_loss: expected weight of shape ({c},), got {tuple(w.shape)}.")
    keep = t != ignore_index
    _check_ids("nll_loss", t[keep], c, "class ids")
    if x.ndim > 2:                                   # (N, C, d1, ...) -> (N * d1 * ..., C)
        x = reshape(x.permute((0,) + tuple(range(2, x.ndim)) + (1,)), (-1, c))
        t, keep = t.reshape(-1), keep.reshape(-1)
    ids = np.where(keep, t, 0)
    w_row = (keep if w is None else w[ids] * keep).astype(x.dtype)
    picked = ops.take_along_axis(x, ids[:, None], axis=1)
    loss = -(reshape(picked, (-1,)) * w_row)
    if reduction == "none":
        return reshape(loss, expect)
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / np.asarray(w_row.sum(), dtype=x.dtype)   # all ignored: 0 / 0 = nan, as PyTorch


def _bce_weight(where, name, w, x):
    if w is None:
        return None
    w = np.asarray(_as_array(w), dtype=x.dtype)
    try:
        if np.broadcast_shapes(w.shape, x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{where}: expected {name} broadcastable to the input's shape {tuple(x.shape)}, "
                         f"got {tuple(w.shape)}.") from None
    return w


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy between probabilities in [0, 1] (e.g. sigmoid outputs) and targets in [0, 1]:
    -(y log(x) + (1 - y) log(1 - x)), each log clamped to >= -100 as PyTorch, so x = 0 or 1 gives a large
    but finite loss. Prefer :func:`binary_cross_entropy_with_logits` on raw scores: it is stable.

    Example:
        >>> import lucidnet
        >>> binary_cross_entropy(lucidnet.tensor([0.8, 0.1]), lucidnet.tensor([1.0, 0.0]))
        tensor(0.1643)
    """
    check_reduction("binary_cross_entropy", reduction)
    x, t = _pair("binary_cross_entropy", input, target)
    if x.array.size:
        lo, hi = x.array.min(), x.array.max()
        if not (lo >= 0 and hi <= 1):                # also catches nan
            raise ValueError(f"binary_cross_entropy: expected input probabilities in [0, 1], got values from "
                             f"{lo:.4g} to {hi:.4g}. Apply sigmoid first, or use binary_cross_entropy_with_logits "
                             f"(BCEWithLogitsLoss) on the raw scores.")
        lo, hi = t.array.min(), t.array.max()
        if not (lo >= 0 and hi <= 1):
            raise ValueError(f"binary_cross_entropy: expected targets in [0, 1], got values from {lo:.4g} to "
                             f"{hi:.4g}.")
    w = _bce_weight("binary_cross_entropy", "weight", weight, x)
    return ops.binary_cross_entropy(x, t, weight=w, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy on logits: sigmoid and log fused into one numerically stable op
    (log-sigmoid via softplus), so large scores never overflow. ``pos_weight`` (broadcast along the last
    axis, one per class) weighs the positive term to trade recall for precision.

    Example:
        >>> import lucidnet
        >>> binary_cross_entropy_with_logits(lucidnet.tensor([2.0, -1.0]), lucidnet.tensor([1.0, 0.0]))
        tensor(0.2201)
    """
    check_reduction("binary_cross_entropy_with_logits", reduction)
    x, t = _pair("binary_cross_entropy_with_logits", input, target)
    w = _bce_weight("binary_cross_entropy_with_logits", "weight", weight, x)
    pw = _bce_weight("binary_cross_entropy_with_logits", "pos_weight", pos_weight, x)
    return ops.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=reduction)
