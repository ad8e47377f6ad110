"""Pooling primitives over NCHW images: max, average, adaptive average.

A pooling window of KH x KW is KH*KW strided slices of the padded input, one per kernel offset: the slice at
offset (i, j) holds that element of every window at once. So max pooling is a running maximum over KH*KW whole-
array operations, average pooling a running sum, and each backward sends the gradient back through the same
slices: one strided write or add per offset, whose targets within the slice are distinct pixels (no np.add.at,
no loop over pixels). Max pooling's backward finds each window's winner again (the first offset equal to the
maximum), which costs less than tracking it in the forward (measured: 2x2 pooling of (128, 32, 28, 28) float32,
forward 4 ms instead of 30, backward 12 ms instead of 16) and nothing in evaluation.

``pads`` is ((top, bottom), (left, right)): asymmetric, so ceil_mode's extra row and column are just more
padding on the bottom and right (computed by nn.functional, which also checks the arguments).
"""
import numpy as np

from ..autograd import primitive
from .._threads import parallel, split
from .conv import out_size, pad_input


def _slices(kernel, stride, dilation, out_hw):
    """The (rows, cols) slice of the padded input for each kernel offset, in PyTorch's scan order (row-major)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    return [(slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))
            for i in range(kh) for j in range(kw)]


def _crop(gxp, shape, pads):
    (t, _), (l, _) = pads
    return gxp[:, :, t:t + shape[2], l:l + shape[3]]


@primitive(name="MaxPool2DWithIndicesBackward0")
def max_pool2d(x, kernel=(2, 2), stride=(2, 2), pads=((0, 0), (0, 0)), dilation=(1, 1), return_indices=False):
    """The maximum of each window of x (N, C, H, W), padding with -inf. With ``return_indices`` also the
    position of each maximum as PyTorch gives it: row * W + column in the unpadded input plane (the first
    maximum in scan order on ties)."""
    out_hw = tuple(out_size(x.shape[2 + a], kernel[a], stride[a], pads[a], dilation[a]) for a in (0, 1))
    if kernel == stride == (2, 2) and dilation == (1, 1) and not return_indices and x.dtype.kind == "f":
        return _max_pool_2x2(pad_input(x, pads, -np.inf), x.shape, pads, out_hw)
    xp = pad_input(x, pads, -np.inf)
    views = [xp[:, :, rows, cols] for rows, cols in _slices(kernel, stride, dilation, out_hw)]
    out = views[0].copy()
    for v in views[1:]:
        np.maximum(out, v, out=out)
    # Windows that do not overlap send each gradient to its own pixels: written, not added.
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))

    def winners():
        """For each kernel offset in scan order, where it holds its window's maximum first (ties: the first)."""
        taken = None
        for v in views:
            won = v == out
            if taken is None:
                taken = won.copy()
            else:
                won &= ~taken
                taken |= won
            yield won

    def backward(g):
        if isinstance(g, tuple):                       # (gradient of out, None for the indices)
            g = g[0]
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        for (rows, cols), won in zip(_slices(kernel, stride, dilation, out_hw), winners()):
            if disjoint:
                np.multiply(g, won, out=gxp[:, :, rows, cols])
            else:
                gxp[:, :, rows, cols] += g * won
        return (_crop(gxp, x.shape, pads),)
    if not return_indices:
        return out, backward
    arg = np.zeros(out.shape, dtype=np.int64)          # which kernel offset won
    for k, won in enumerate(winners()):
        arg[won] = k
    kw = kernel[1]
    rows = (np.arange(out_hw[0]) * stride[0] - pads[0][0])[:, None] + (arg // kw) * dilation[0]
    cols = (np.arange(out_hw[1]) * stride[1] - pads[1][0]) + (arg % kw) * dilation[1]
    return (out, rows * x.shape[3] + cols), backward


def _max_pool_2x2(xp, shape, pads, out_hw):
    """The common case, 2x2 windows with stride 2, as a tournament: each window's top pair, bottom pair, and the
    two winners. The three comparisons (left >= right in each row, top >= bottom) say which pixel won, ties to
    the first in scan order as PyTorch; the backward writes g through them to the four offsets, every pixel once.
    When the windows tile the input, see :func:`_max_pool_2x2_tiled`."""
    (oh, ow) = out_hw
    if xp.shape[2:] == (2 * oh, 2 * ow) and xp.flags.c_contiguous:
        out, backward_tiled = _max_pool_2x2_tiled(xp, out_hw)
        return out, lambda g: (_crop(backward_tiled(g), shape, pads),)
    a, b, c, d = (xp[:, :, i:i + 2 * oh:2, j:j + 2 * ow:2] for i in (0, 1) for j in (0, 1))
    top, bottom = np.maximum(a, b), np.maximum(c, d)
    out = np.maximum(top, bottom)

    def backward(g):
        first_row, left_top, left_bottom = top >= bottom, a >= b, c >= d
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        down = ~first_row
        for (i, j), won in zip(((0, 0), (0, 1), (1, 0), (1, 1)),
                               (first_row & left_top, first_row > left_top, down & left_bottom, down > left_bottom)):
            np.multiply(g, won, out=gxp[:, :, i:i + 2 * oh:2, j:j + 2 * ow:2])
        return (_crop(gxp, shape, pads),)
    return out, backward


def _max_pool_2x2_tiled(xp, out_hw):
    """The tournament when the windows tile xp (N, C, 2*OH, 2*OW), in two passes over flat arrays. Flattened, xp's
    even and odd elements are the left and right pixels of every pair in every row (rows have even length), so
    one comparison of two long stride-2 views decides all the row pairs at once, into ``pairs`` (N, C, OH, 2, OW):
    the top and bottom pair of every window, one after the other; a second, contiguous one decides top against
    bottom. The backward goes the same way back. NumPy's loops over stride-2 views are scalar and short rows
    cost a call each, so fewer and longer passes help (measured on (128, 32, 28, 28), forward and backward 17 ms
    instead of 20 on one thread); most of the gain is the batch split over the threads."""
    n, c = xp.shape[:2]
    oh, ow = out_hw
    pairs = np.empty((n, c, oh, 2, ow), dtype=xp.dtype)
    out = np.empty((n, c, oh, ow), dtype=xp.dtype)
    pieces = split(n, 1) if out.size >= 1 << 15 else [slice(None)]

    def forward(rows):
        flat = xp[rows].reshape(-1)
        np.maximum(flat[0::2], flat[1::2], out=pairs[rows].reshape(-1))
        np.maximum(pairs[rows, :, :, 0], pairs[rows, :, :, 1], out=out[rows])
    parallel(forward, pieces)

    def backward(g):
        gx = np.empty(xp.shape, dtype=g.dtype)          # every pixel is written below

        def piece(rows):
            p, flat = pairs[rows], xp[rows].reshape(-1)
            top = p[:, :, :, 0] >= p[:, :, :, 1]        # the window's top pair won (ties: the top)
            half = np.empty(p.shape, dtype=g.dtype)     # g at the winning pair of each window, 0 at the other
            np.multiply(g[rows], top, out=half[:, :, :, 0])
            np.multiply(g[rows], np.logical_not(top, out=top), out=half[:, :, :, 1])
            left = flat[0::2] >= flat[1::2]             # the pair's left pixel won (ties: the left)
            half, gflat = half.reshape(-1), gx[rows].reshape(-1)
            np.multiply(half, left, out=gflat[0::2])
            np.multiply(half, np.logical_not(left, out=left), out=gflat[1::2])
        parallel(piece, pieces)
        return gx
    return out, backward


@primitive(name="AvgPool2DBackward0")
def avg_pool2d(x, kernel=(2, 2), stride=(2, 2), pads=((0, 0), (0, 0)), divisor=None):
    """The sum of each window of x (N, C, H, W), zero-padded, divided by ``divisor`` (a number, or an
    (OH, OW) array of per-window counts); default: the window's size."""
    out_hw = tuple(out_size(x.shape[2 + a], kernel[a], stride[a], pads[a], 1) for a in (0, 1))
    xp = pad_input(x, pads)
    slices = _slices(kernel, stride, (1, 1), out_hw)
    div = np.asarray(kernel[0] * kernel[1] if divisor is None else divisor, dtype=x.dtype)
    out = xp[(Ellipsis, *slices[0])].copy()
    for rows, cols in slices[1:]:
        out += xp[:, :, rows, cols]
    out /= div

    def backward(g):
        gs = g / div
        gxp = np.zeros(xp.shape, dtype=g.dtype)
        for rows, cols in slices:
            gxp[:, :, rows, cols] += gs
        return (_crop(gxp, x.shape, pads),)
    return out, backward


def adaptive_weights(size, out, dtype):
    """(out, size) matrix averaging window i = [floor(i*size/out), ceil((i+1)*size/out)) (PyTorch's windows)."""
    i = np.arange(out)
    start, stop = (i * size) // out, -(-((i + 1) * size) // out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < stop[:, None])
    return (inside / (stop - start)[:, None]).astype(dtype)


@primitive(name="AdaptiveAvgPool2DBackward0")
def adaptive_avg_pool2d(x, out_hw=(1, 1)):
    """The average of x (N, C, H, W) over an (OH, OW) grid of windows covering it: rows @ x @ cols.T, with the
    averaging matrices of :func:`adaptive_weights` (windows may overlap when the sizes do not divide)."""
    a_rows = adaptive_weights(x.shape[2], out_hw[0], x.dtype)
    a_cols = adaptive_weights(x.shape[3], out_hw[1], x.dtype)
    out = np.matmul(a_rows, x @ a_cols.T)

    def backward(g):
        return (np.matmul(a_rows.T, g) @ a_cols,)
    return out, backward
