"""Convolution primitives: conv2d and conv_transpose2d, NCHW as PyTorch, built the fast way.

im2col: every receptive field of the (padded) input becomes one column of a matrix, gathered in one copy from a
strided *view* of the input (``as_strided``: no Python loop), so the convolution is a single matrix product

    cols (C*KH*KW, N*OH*OW) = the windows of x,     out (O, N*OH*OW) = weight (O, C*KH*KW) @ cols.

The backward is two more products and a col2im:

    grad weight = g (O, N*OH*OW) @ cols.T           (the cols saved by the forward)
    grad cols   = weight.T @ g,  and grad x = the sum of each window's gradient back at its place: one strided
                  add per kernel offset (KH*KW slices, each hitting distinct pixels, so no np.add.at).

The columns are laid out (C*KH*KW, N*OH*OW) rather than (N*OH*OW, C*KH*KW) because then every reshuffle is a
copy of whole image rows: the gather reads rows of the input, and the product's (O, N, OH*OW) turns into NCHW by
moving blocks of OH*OW numbers. Groups split the channels: one product per group on the same layout.

Short image rows make those copies slow: NumPy's loops run along a row of OW numbers, one call per row (14
numbers for the CNN's second layer). So a layer whose columns outnumber its outputs by far (C*KH*KW >= 4*O, as
conv5x5 32->64: 800 rows against 64) orders its columns batch-last, (C*KH*KW, OH*OW*N), from a (C, H, W, N) copy of
the input: a window's row and the batch next to it are one run of OW*N numbers (measured on one thread for that
layer at batch 128: col2im 20 ms instead of 46, the gather 26 instead of 35, each with its transposition). The
price is the product's (O, OH, OW, N) turning into NCHW, a transposition of the output (and of its gradient)
that costs more than the columns save when there are few of them (conv5x5 1->32: 25 rows against 32).

conv_transpose2d is conv2d's gradient with respect to its input, so it reuses the pieces above with the roles of
forward and backward swapped.
"""
import math

import numpy as np

from .._threads import parallel, split
from ..autograd import is_grad_enabled, primitive
from ..dtypes import DTypeError


def out_size(size, kernel, stride, pad, dilation):
    """Output length of a convolution or pooling along one axis: floor((size + pads - span) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def pad_input(x, pads, value=0.0):
    """x (N, C, H, W) with pads ((top, bottom), (left, right)) of ``value`` (x itself without padding)."""
    (t, b), (l, r) = pads
    if not (t or b or l or r):
        return x
    n, c, h, w = x.shape
    xp = np.empty((n, c, h + t + b, w + l + r), dtype=x.dtype)
    if value == 0.0:                          # fill only the border: the interior is copied over next
        xp[:, :, :t], xp[:, :, h + t:], xp[:, :, :, :l], xp[:, :, :, w + l:] = 0, 0, 0, 0
    else:
        xp.fill(value)
    xp[:, :, t:t + h, l:l + w] = x
    return xp


def windows(xp, kernel, stride, dilation, out_hw):
    """The view (N, C, OH, OW, KH, KW) of every receptive field of xp: no copy."""
    sn, sc, sh, sw = xp.strides
    n, c = xp.shape[:2]
    return np.lib.stride_tricks.as_strided(
        xp, (n, c, *out_hw, *kernel),
        (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1]), writeable=False)


# Training allocates the same column matrices every step, and arrays over 32 MB come fresh from the kernel each
# time (glibc maps them), so their first touch costs page faults: about 10 ms per 80 MB here. So conv2d's
# backward hands its column matrix, once used up, to the next im2col of that shape.
_spare = {}                                    # (size, dtype) -> a free contiguous array


def _empty(shape, dtype):
    spare = _spare.pop((math.prod(shape), np.dtype(dtype)), None)
    return spare.reshape(shape) if spare is not None else np.empty(shape, dtype=dtype)


def _give_back(a):
    if 1 << 25 <= a.nbytes <= 1 << 28 and a.flags.c_contiguous:      # 32 MB to 256 MB: kept for the next step
        while len(_spare) >= 4:                # a few sizes at most (train and eval batches of some layers)
            _spare.pop(next(iter(_spare)))
        _spare[(a.size, a.dtype)] = a


def batch_last(channels, kernel, out_channels):
    """Whether conv2d orders its columns batch-last (see the module's docstring): C*KH*KW >= 4*O."""
    return channels * kernel[0] * kernel[1] >= 4 * out_channels


def _pieces(n, size):
    """The slices of range(n) that the threads take (one slice when the work is small)."""
    return split(n, 1) if size >= 1 << 18 else [slice(None)]


def pad_batch_last(x, pads):
    """x (N, C, H, W) as a zero-padded (C, H + t + b, W + l + r, N) array: one transposing copy."""
    (t, b), (l, r) = pads
    n, c, h, w = x.shape
    xp = np.empty((c, h + t + b, w + l + r, n), dtype=x.dtype)
    xp[:, :t], xp[:, h + t:], xp[:, :, :l], xp[:, :, w + l:] = 0, 0, 0, 0

    def piece(cs):
        xp[cs, t:t + h, l:l + w] = x[:, cs].transpose(1, 2, 3, 0)
    parallel(piece, _pieces(c, xp.size))
    return xp


def _offsets(kernel, stride, dilation, out_hw):
    """For each kernel offset (i, j): the rows and columns of the padded input its column entries come from."""
    return [(i, j, slice(i * dilation[0], i * dilation[0] + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
             slice(j * dilation[1], j * dilation[1] + stride[1] * (out_hw[1] - 1) + 1, stride[1]))
            for i in range(kernel[0]) for j in range(kernel[1])]


def im2col(xp, kernel, stride, dilation, out_hw, last=False):
    """The column matrix (C*KH*KW, N*OH*OW) of padded xp (N, C, H, W), gathered in one copy (split over the
    threads by batch rows); with ``last``, the matrix (C*KH*KW, OH*OW*N) of padded xp (C, H, W, N), one copy per
    kernel offset (the offsets split over the threads)."""
    kh, kw = kernel
    if last:
        c, n = xp.shape[0], xp.shape[3]
        cols = _empty((c, kh, kw, *out_hw, n), xp.dtype)
        offsets = _offsets(kernel, stride, dilation, out_hw)

        def gather_offsets(part):
            for i, j, rows, columns in offsets[part]:
                cols[:, i, j] = xp[:, rows, columns]
        parallel(gather_offsets, _pieces(len(offsets), cols.size))
        return cols.reshape(c * kh * kw, -1)
    n, c = xp.shape[:2]
    view = windows(xp, kernel, stride, dilation, out_hw).transpose(1, 4, 5, 0, 2, 3)     # (C, KH, KW, N, OH, OW)
    cols = _empty(view.shape, xp.dtype)

    def gather(rows):                          # a slice of the batch
        cols[:, :, :, rows] = view[:, :, :, rows]
    parallel(gather, _pieces(n, cols.size))
    return cols.reshape(c * kh * kw, n * out_hw[0] * out_hw[1])


def col2im(gcols, shape, kernel, stride, dilation, pads, out_hw, last=False):
    """The adjoint of im2col: gradient (N, C, H, W) of the input from the gradient of its columns, one strided
    add per kernel offset into the padded gradient, then the padding cropped. The sum is built channel-major,
    (C, N, H, W) like the columns (or (C, H, W, N) with ``last``), so each add reads its slice of the columns in
    order (twice as fast as adding into NCHW through a transposed view, measured); one copy turns it to NCHW at
    the end."""
    n, c, h, w = shape
    (t, b), (l, r) = pads
    offsets = _offsets(kernel, stride, dilation, out_hw)
    if last:
        g6 = gcols.reshape(c, *kernel, *out_hw, n)
        gxp = np.zeros((c, h + t + b, w + l + r, n), dtype=gcols.dtype)

        def add_channels(cs):                  # a slice of the channels
            for i, j, rows, columns in offsets:
                gxp[cs, rows, columns] += g6[cs, i, j]
        parallel(add_channels, _pieces(c, gxp.size))
        return _copy_transposed(gxp[:, t:t + h, l:l + w], (3, 0, 1, 2))
    g6 = gcols.reshape(c, *kernel, n, *out_hw)
    gxp = np.zeros((c, n, h + t + b, w + l + r), dtype=gcols.dtype)

    def add(part):                             # a slice of the batch
        for i, j, rows, columns in offsets:
            gxp[:, part, rows, columns] += g6[:, i, j, part]
    parallel(add, _pieces(n, gxp.size))
    return _copy_transposed(gxp[:, :, t:t + h, l:l + w], (1, 0, 2, 3))


def _copy_transposed(a, axes, add=None):
    """a.transpose(axes) as a new contiguous array (plus ``add``, broadcast against it), split over the threads
    along its first two axes (the larger)."""
    view = a.transpose(axes)
    out = np.empty(view.shape, dtype=a.dtype)
    axis = 0 if view.shape[0] >= view.shape[1] else 1
    if add is not None:
        add = np.reshape(add, (1,) * (view.ndim - np.ndim(add)) + np.shape(add))

    def piece(part):
        at = (slice(None),) * axis + (part,)
        if add is None:
            out[at] = view[at]
        else:
            np.add(view[at], add if add.shape[axis] == 1 else add[at], out=out[at])
    parallel(piece, _pieces(view.shape[axis], out.size))
    return out


def _forward(x, weight, stride, pads, dilation, groups, bias=None, last=None):
    """conv2d: (out (N, O, OH, OW), cols, (OH, OW), last); ``last``: the columns' order (default:
    :func:`batch_last`)."""
    o, cg, kh, kw = weight.shape
    n = x.shape[0]
    out_hw = (out_size(x.shape[2], kh, stride[0], pads[0], dilation[0]),
              out_size(x.shape[3], kw, stride[1], pads[1], dilation[1]))
    if last is None:
        last = batch_last(x.shape[1], (kh, kw), o)
    cols = _columns(x, (kh, kw), stride, pads, dilation, out_hw, last)
    # One product for the whole batch, then one pass to NCHW with the bias. (One product per image, written
    # straight into NCHW, measured 2x faster on a quiet machine for 28x28 images, but 128 small multithreaded
    # OpenBLAS calls stall badly when other processes share the cores: 100x slower, seen here.)
    if groups == 1:
        out2 = weight.reshape(o, -1) @ cols                                         # the one GEMM
    else:
        out2 = np.matmul(weight.reshape(groups, o // groups, -1), cols.reshape(groups, cg * kh * kw, -1))
    return _to_nchw(out2.reshape(o, -1), n, out_hw, bias, last), cols, out_hw, last


def _columns(x, kernel, stride, pads, dilation, out_hw, last):
    """im2col of x (N, C, H, W) padded by ``pads``, in the order ``last`` says."""
    xp = pad_batch_last(x, pads) if last else pad_input(x, pads)
    return im2col(xp, kernel, stride, dilation, out_hw, last)


def _to_nchw(out2, n, out_hw, bias=None, last=False):
    """(O, N*OH*OW), or (O, OH*OW*N) with ``last``, -> contiguous (N, O, OH, OW), adding the bias on the way (one
    pass, split over the threads)."""
    o = out2.shape[0]
    if last:
        src, axes = out2.reshape(o, *out_hw, n), (3, 0, 1, 2)
    else:
        src, axes = out2.reshape(o, n, *out_hw), (1, 0, 2, 3)
    return _copy_transposed(src, axes, None if bias is None else bias.reshape(o, 1, 1))


def _to_matrix(g, last=False):
    """(N, O, OH, OW) -> contiguous (O, N*OH*OW), or (O, OH*OW*N) with ``last``: the layout of the product."""
    return _copy_transposed(g, (1, 2, 3, 0) if last else (1, 0, 2, 3)).reshape(g.shape[1], -1)


def _input_grad(g2, weight, shape, stride, pads, dilation, groups, out_hw, last, into=None):
    """Gradient (N, C, H, W) of conv2d's input from g2 (O, N*OH*OW), or (O, OH*OW*N) if ``last``: weight.T @ g2
    (written ``into`` a free array of its shape, if given), then col2im."""
    o, cg, kh, kw = weight.shape
    if groups == 1:
        gcols = np.matmul(weight.reshape(o, -1).T, g2, out=into)
    else:
        gcols = np.matmul(weight.reshape(groups, o // groups, -1).transpose(0, 2, 1),
                          g2.reshape(groups, o // groups, -1))
    return col2im(gcols, shape, (kh, kw), stride, dilation, pads, out_hw, last)


def _weight_grad(g2, cols, weight_shape, groups):
    """Gradient of conv2d's weight: g2 (O, N*OH*OW) @ cols.T, per group."""
    o = weight_shape[0]
    if groups == 1:
        # A product summing over the long axis N*OH*OW into a small result: put the larger factor first.
        # Multithreaded OpenBLAS took 10-100x longer the other way round here (e.g. 5 s for a 6 x 25 result).
        if cols.shape[0] > o:
            return np.ascontiguousarray((cols @ g2.T).T).reshape(weight_shape)
        return (g2 @ cols.T).reshape(weight_shape)
    gw = np.matmul(g2.reshape(groups, o // groups, -1), cols.reshape(groups, -1, cols.shape[1]).transpose(0, 2, 1))
    return gw.reshape(weight_shape)


def _check_dtypes(name, x, weight, bias):
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise DTypeError(f"{name}: expected input, weight and bias of one dtype, got {x.dtype}, {weight.dtype}"
                         f"{'' if bias is None else ' and ' + str(bias.dtype)}. Convert the input with "
                         f"x.to(weight.dtype).")


@primitive(name="ConvolutionBackward0")
def conv2d(x, weight, bias=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """Cross-correlation of x (N, C, H, W) with weight (O, C/groups, KH, KW), plus bias (O,): im2col + one GEMM.
    ``pads`` is ((top, bottom), (left, right)); the checks of the arguments live in nn.functional.conv2d."""
    _check_dtypes("conv2d", x, weight, bias)
    out, cols, out_hw, last = _forward(x, weight, stride, pads, dilation, groups, bias)
    if not is_grad_enabled():                  # evaluating: no backward will want the columns
        _give_back(cols)
        cols = None
    saved = [cols]

    def backward(g, needs):
        cols = saved[0]
        if cols is None:                       # a second backward (retain_graph): the columns were reused
            cols = _columns(x, weight.shape[2:], stride, pads, dilation, out_hw, last)
        g2 = _to_matrix(g, last)
        gw = _weight_grad(g2, cols, weight.shape, groups) if needs[1] else None
        gb = g2.sum(axis=1) if bias is not None and needs[2] else None
        gx = None
        if needs[0]:                           # the columns are used up: their gradient overwrites them
            saved[0] = None
            gx = _input_grad(g2, weight, x.shape, stride, pads, dilation, groups, out_hw, last,
                             into=cols if groups == 1 else None)
            _give_back(cols)
        return gx, gw, gb
    return out, backward


@primitive(name="ConvolutionBackward0")
def conv_transpose2d(x, weight, bias=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1,
                     out_hw=None):
    """The transpose (adjoint) of conv2d: x (N, C_in, H, W), weight (C_in, C_out/groups, KH, KW), output
    (N, C_out, *out_hw). Its forward is conv2d's input gradient; its input gradient is conv2d's forward."""
    _check_dtypes("conv_transpose2d", x, weight, bias)
    n, c_in, h, w = x.shape
    c_out = weight.shape[1] * groups
    last = batch_last(c_out, weight.shape[2:], c_in)
    x2 = _to_matrix(x, last)                                       # x plays conv2d's output gradient
    out = _input_grad(x2, weight, (n, c_out, *out_hw), stride, pads, dilation, groups, (h, w), last)
    if bias is not None:
        out += bias.reshape(-1, 1, 1)

    def backward(g, needs):
        gx = gw = gb = None
        if needs[0] or needs[1]:
            gx, g_cols, _, _ = _forward(g, weight, stride, pads, dilation, groups, last=last)
            gx = gx if needs[0] else None
            if needs[1]:
                gw = _weight_grad(x2, g_cols, weight.shape, groups)
        if bias is not None and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb
    return out, backward
