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


def im2col(xp, kernel, stride, dilation, out_hw):
    """The column matrix (C*KH*KW, N*OH*OW) of padded xp, gathered in one copy (split over the threads by
    batch rows)."""
    n, c = xp.shape[:2]
    kh, kw = kernel
    view = windows(xp, kernel, stride, dilation, out_hw).transpose(1, 4, 5, 0, 2, 3)     # (C, KH, KW, N, OH, OW)
    cols = _empty(view.shape, xp.dtype)

    def gather(rows):                          # a slice of the batch
        cols[:, :, :, rows] = view[:, :, :, rows]
    parallel(gather, split(n, 1) if cols.size >= 1 << 18 else [slice(None)])
    return cols.reshape(c * kh * kw, n * out_hw[0] * out_hw[1])


def col2im(gcols, shape, kernel, stride, dilation, pads, out_hw):
    """The adjoint of im2col: gradient (N, C, H, W) of the input from the gradient of its columns, one strided
    add per kernel offset into the padded gradient, then the padding cropped. The sum is built channel-major,
    (C, N, H, W) like the columns, so each add reads its slice of the columns in order (twice as fast as adding
    into NCHW through a transposed view, measured); one copy turns it to NCHW at the end."""
    n, c, h, w = shape
    (t, b), (l, r) = pads
    oh, ow = out_hw
    g6 = gcols.reshape(c, kernel[0], kernel[1], n, oh, ow)
    gxp = np.zeros((c, n, h + t + b, w + l + r), dtype=gcols.dtype)

    def add(rows):                             # a slice of the batch
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                y, x = i * dilation[0], j * dilation[1]
                gxp[:, rows, y:y + stride[0] * (oh - 1) + 1:stride[0], x:x + stride[1] * (ow - 1) + 1:stride[1]] \
                    += g6[:, i, j, rows]
    parallel(add, split(n, 1) if gxp.size >= 1 << 18 else [slice(None)])
    return np.ascontiguousarray(gxp[:, :, t:t + h, l:l + w].transpose(1, 0, 2, 3))


def _forward(x, weight, stride, pads, dilation, groups, bias=None):
    """conv2d: (out (N, O, OH, OW), cols, (OH, OW))."""
    o, cg, kh, kw = weight.shape
    n = x.shape[0]
    out_hw = (out_size(x.shape[2], kh, stride[0], pads[0], dilation[0]),
              out_size(x.shape[3], kw, stride[1], pads[1], dilation[1]))
    cols = im2col(pad_input(x, pads), (kh, kw), stride, dilation, out_hw)
    # One product for the whole batch, then one pass to NCHW with the bias. (One product per image, written
    # straight into NCHW, measured 2x faster on a quiet machine for 28x28 images, but 128 small multithreaded
    # OpenBLAS calls stall badly when other processes share the cores: 100x slower, seen here.)
    if groups == 1:
        out2 = weight.reshape(o, -1) @ cols                                         # the one GEMM
    else:
        out2 = np.matmul(weight.reshape(groups, o // groups, -1), cols.reshape(groups, cg * kh * kw, -1))
    return _to_nchw(out2.reshape(o, -1), n, out_hw, bias), cols, out_hw


def _to_nchw(out2, n, out_hw, bias=None):
    """(O, N*OH*OW) -> contiguous (N, O, OH, OW), adding the bias on the way (one pass, split over the threads)."""
    o = out2.shape[0]
    src = out2.reshape(o, n, *out_hw).transpose(1, 0, 2, 3)
    out = np.empty((n, o, *out_hw), dtype=out2.dtype)

    def piece(rows):
        if bias is None:
            out[rows] = src[rows]
        else:
            np.add(src[rows], bias.reshape(o, 1, 1), out=out[rows])
    parallel(piece, split(n, 1) if out.size >= 1 << 18 else [slice(None)])
    return out


def _to_matrix(g):
    """(N, O, OH, OW) -> contiguous (O, N*OH*OW): the layout of the product (split over the threads)."""
    n, o = g.shape[:2]
    out = np.empty((o, n, *g.shape[2:]), dtype=g.dtype)

    def piece(rows):
        out[:, rows] = g[rows].transpose(1, 0, 2, 3)
    parallel(piece, split(n, 1) if out.size >= 1 << 18 else [slice(None)])
    return out.reshape(o, -1)


def _input_grad(g2, weight, shape, stride, pads, dilation, groups, out_hw, into=None):
    """Gradient (N, C, H, W) of conv2d's input from g2 (O, N*OH*OW): weight.T @ g2 (written ``into`` a free
    array of its shape, if given), then col2im."""
    o, cg, kh, kw = weight.shape
    if groups == 1:
        gcols = np.matmul(weight.reshape(o, -1).T, g2, out=into)
    else:
        gcols = np.matmul(weight.reshape(groups, o // groups, -1).transpose(0, 2, 1),
                          g2.reshape(groups, o // groups, -1))
    return col2im(gcols, shape, (kh, kw), stride, dilation, pads, out_hw)


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
    out, cols, out_hw = _forward(x, weight, stride, pads, dilation, groups, bias)
    if not is_grad_enabled():                  # evaluating: no backward will want the columns
        _give_back(cols)
        cols = None
    saved = [cols]

    def backward(g, needs):
        cols = saved[0]
        if cols is None:                       # a second backward (retain_graph): the columns were reused
            cols = im2col(pad_input(x, pads), weight.shape[2:], stride, dilation, out_hw)
        g2 = _to_matrix(g)
        gw = _weight_grad(g2, cols, weight.shape, groups) if needs[1] else None
        gb = g2.sum(axis=1) if bias is not None and needs[2] else None
        gx = None
        if needs[0]:                           # the columns are used up: their gradient overwrites them
            saved[0] = None
            gx = _input_grad(g2, weight, x.shape, stride, pads, dilation, groups, out_hw,
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
    x2 = _to_matrix(x)                                             # x plays conv2d's output gradient
    out = _input_grad(x2, weight, (n, c_out, *out_hw), stride, pads, dilation, groups, (h, w))
    if bias is not None:
        out += bias.reshape(-1, 1, 1)

    def backward(g, needs):
        gx = gw = gb = None
        if needs[0] or needs[1]:
            gx, g_cols, _ = _forward(g, weight, stride, pads, dilation, groups)
            gx = gx if needs[0] else None
            if needs[1]:
                gw = _weight_grad(x2, g_cols, weight.shape, groups)
        if bias is not None and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb
    return out, backward
