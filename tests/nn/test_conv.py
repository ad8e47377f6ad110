"""conv2d, conv1d and conv_transpose2d (lucidnet.ops.conv through lucidnet.nn.functional): values and gradients
against a slow loop implementation that follows the definition, and against PyTorch 2.13.0 (float64 to 1e-10),
over strides, paddings, dilations, groups, 1x1 kernels, kernels as large as the padded input, odd sizes, batch 1.
The layers (Conv1d, Conv2d, ConvTranspose2d, Conv2D) are in test_conv_layers.py."""
import numpy as np
import pytest
import torch

import lucidnet
import lucidnet.nn.functional as F

from helpers import raises

TF = torch.nn.functional
TOL = dict(rtol=1e-10, atol=1e-10)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")   # torch's, not ours


# ------------------------------------------------------------------------------------------------ the definition

def conv2d_loop(x, w, b, stride, pads, dilation, groups):
    """out[n, o, i, j] = b[o] + sum over the window of the padded input times w[o], one output at a time; and
    the backward of that sum, one output at a time (the gradient goes back to where each product came from)."""
    (sh, sw), (dh, dw) = stride, dilation
    (t, bt), (l, r) = pads
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + t + bt, wd + l + r))
    xp[:, :, t:t + h, l:l + wd] = x
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    og = o // groups
    out = np.zeros((n, o, oh, ow))

    def window(i, j):
        return slice(i * sh, i * sh + dh * (kh - 1) + 1, dh), slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)

    for b_ in range(n):
        for oc in range(o):
            chans = slice(oc // og * cg, (oc // og + 1) * cg)
            for i in range(oh):
                for j in range(ow):
                    out[b_, oc, i, j] = np.sum(xp[(b_, chans) + window(i, j)] * w[oc]) + (0 if b is None else b[oc])

    def backward(g):
        gxp, gw = np.zeros_like(xp), np.zeros_like(w)
        for b_ in range(n):
            for oc in range(o):
                chans = slice(oc // og * cg, (oc // og + 1) * cg)
                for i in range(oh):
                    for j in range(ow):
                        gxp[(b_, chans) + window(i, j)] += g[b_, oc, i, j] * w[oc]
                        gw[oc] += g[b_, oc, i, j] * xp[(b_, chans) + window(i, j)]
        return gxp[:, :, t:t + h, l:l + wd], gw, g.sum(axis=(0, 2, 3))
    return out, backward


def run(fn, arrays, g=None, **kw):
    """fn on lucidnet tensors of ``arrays`` (None stays None): output array and gradients for upstream g."""
    ts = [None if a is None else lucidnet.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*ts, **kw)
    g = np.random.default_rng(1).standard_normal(y.shape) if g is None else g
    y.backward(lucidnet.tensor(g))
    return y.array, [None if t is None else t.grad.array for t in ts], g


def run_torch(fn, arrays, g, **kw):
    ts = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*ts, **kw)
    y.backward(torch.tensor(g))
    return y.detach().numpy(), [None if t is None else t.grad.numpy() for t in ts]


@pytest.fixture(params=["either", "batch-first", "batch-last"])
def columns(request, monkeypatch):
    """Each test once with conv2d's own choice of the column order, and once forced to each order (a small test
    layer would otherwise see one of them only)."""
    import lucidnet.ops.conv as ops_conv
    if request.param != "either":
        monkeypatch.setattr(ops_conv, "batch_last", lambda *_: request.param == "batch-last")
    return request.param


def close(a, b):
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, **TOL)


# ------------------------------------------------------------------------------------------------ conv2d

CASES = [  # x shape, w shape, bias, keyword arguments
    ((2, 3, 7, 7), (4, 3, 3, 3), True, {}),
    ((1, 2, 5, 6), (3, 2, 3, 3), True, dict(stride=2)),
    ((2, 2, 6, 5), (3, 2, 2, 3), False, dict(stride=(2, 1), padding=(1, 2))),
    ((1, 3, 7, 8), (2, 3, 3, 2), True, dict(dilation=2, padding=1)),
    ((2, 4, 5, 5), (6, 2, 3, 3), True, dict(groups=2, padding="same")),
    ((1, 4, 6, 5), (4, 1, 3, 3), False, dict(groups=4, stride=2, padding=1)),          # depthwise
    ((2, 3, 4, 5), (5, 3, 1, 1), True, {}),                                             # 1x1
    ((1, 2, 3, 3), (2, 2, 5, 5), True, dict(padding=1)),                                # kernel = padded input
    ((2, 1, 5, 5), (3, 1, 5, 5), True, {}),                                             # kernel = input
    ((1, 2, 5, 7), (2, 2, 2, 4), True, dict(padding="same", dilation=(1, 2))),          # even kernel, 'same'
    ((1, 3, 9, 7), (2, 3, 3, 3), True, dict(stride=3, dilation=(2, 1), padding=(0, 1))),
    ((3, 2, 4, 4), (4, 2, 2, 2), True, dict(padding="valid", stride=2)),
]


def _pads(kw, w_shape):
    padding, dilation = kw.get("padding", 0), kw.get("dilation", 1)
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        tot = [dd * (k - 1) for dd, k in zip(d, w_shape[2:])]
        return tuple((t // 2, t - t // 2) for t in tot)
    p = (padding, padding) if isinstance(padding, int) else padding
    return (p[0], p[0]), (p[1], p[1])


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("x_shape, w_shape, bias, kw", CASES, ids=[str(i) for i in range(len(CASES))])
@pytest.mark.usefixtures("columns")
def test_conv2d_against_loop_and_torch(x_shape, w_shape, bias, kw):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if bias else None
    out, grads, g = run(F.conv2d, [x, w, b], **kw)
    ref, ref_backward = conv2d_loop(x, w, b, _pair(kw.get("stride", 1)), _pads(kw, w_shape),
                                    _pair(kw.get("dilation", 1)), kw.get("groups", 1))
    close(out, ref)
    for ours, theirs in zip(grads, ref_backward(g)):
        if ours is not None:
            close(ours, theirs)
    t_out, t_grads = run_torch(TF.conv2d, [x, w, b], g, **kw)
    close(out, t_out)
    for ours, theirs in zip(grads, t_grads):
        if ours is not None:
            close(ours, theirs)


@pytest.mark.usefixtures("columns")
def test_conv2d_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(2)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((4, 3, 9, 9), (8, 3, 3, 3), (8,)))
    out, grads, g = run(F.conv2d, [x, w, b], padding=1, stride=2)
    t_out, t_grads = run_torch(TF.conv2d, [x, w, b], g.astype(np.float32), padding=1, stride=2)
    assert out.dtype == np.float32 and all(gr.dtype == np.float32 for gr in grads)
    np.testing.assert_allclose(out, t_out, rtol=1e-4, atol=1e-5)
    for ours, theirs in zip(grads, t_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.usefixtures("columns")
@pytest.mark.parametrize("threads", [1, 2])
def test_conv2d_split_over_threads_matches_torch(threads):
    # Large enough that the gather, the col2im's adds and the transpositions are split over the threads (by batch,
    # kernel offset or channel), with padding, stride 2 and groups, so every piece lands in its own place.
    rng = np.random.default_rng(7)
    x, b = rng.standard_normal((12, 16, 40, 39)), rng.standard_normal(16)
    before = lucidnet.get_num_threads()
    lucidnet.set_num_threads(threads)
    try:
        for kw in (dict(padding=1), dict(padding=(2, 1), stride=2, groups=2)):
            w = rng.standard_normal((16, 16 // kw.get("groups", 1), 3, 3))
            out, grads, g = run(F.conv2d, [x, w, b], **kw)
            t_out, t_grads = run_torch(TF.conv2d, [x, w, b], g, **kw)
            close(out, t_out)
            for ours, theirs in zip(grads, t_grads):
                close(ours, theirs)
    finally:
        lucidnet.set_num_threads(before)


@pytest.mark.usefixtures("columns")
def test_conv2d_unbatched_and_channels_last_view():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 2, 2, 2))
    close(F.conv2d(lucidnet.tensor(x), lucidnet.tensor(w)).array,
          TF.conv2d(torch.tensor(x), torch.tensor(w)).numpy())
    nhwc = rng.standard_normal((2, 5, 4, 2))                 # a permuted (non-contiguous) view works as input
    out, _, _ = run(lambda t, ww: F.conv2d(t.permute(0, 3, 1, 2), ww, padding=1), [nhwc, w])
    close(out, TF.conv2d(torch.tensor(nhwc).permute(0, 3, 1, 2), torch.tensor(w), padding=1).numpy())


# ------------------------------------------------------------------------------------------------ conv1d

@pytest.mark.parametrize("kw", [{}, dict(stride=2, padding=1), dict(dilation=2, padding="same"), dict(groups=2)])
@pytest.mark.usefixtures("columns")
def test_conv1d_against_torch(kw):
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 4 // kw.get("groups", 1), 3)), \
        rng.standard_normal(6)
    out, grads, g = run(F.conv1d, [x, w, b], **kw)
    t_out, t_grads = run_torch(TF.conv1d, [x, w, b], g, **kw)
    close(out, t_out)
    for ours, theirs in zip(grads, t_grads):
        close(ours, theirs)
    close(F.conv1d(lucidnet.tensor(x[0]), lucidnet.tensor(w), **kw).array,
          TF.conv1d(torch.tensor(x[0]), torch.tensor(w), **kw).numpy())


# ------------------------------------------------------------------------------------------------ conv_transpose2d

def conv_transpose2d_loop(x, w, b, stride, padding, output_padding, dilation, groups):
    """Each input pixel scatters weight * value into the output (the definition), then the padding is cut."""
    n, c_in, h, wd = x.shape
    _, og, kh, kw = w.shape
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0],
                     (wd - 1) * sw + dw * (kw - 1) + 1 + output_padding[1]))
    cg = c_in // groups
    for b_ in range(n):
        for ci in range(c_in):
            outs = slice(ci // cg * og, (ci // cg + 1) * og)
            for i in range(h):
                for j in range(wd):
                    full[b_, outs, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw] \
                        += x[b_, ci, i, j] * w[ci]
    out = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    return out + (0 if b is None else b.reshape(-1, 1, 1))


TRANSPOSED = [
    ((2, 3, 3, 4), (3, 2, 3, 3), True, {}),
    ((1, 2, 4, 3), (2, 3, 3, 2), True, dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 3, 3), (4, 1, 2, 2), False, dict(groups=2, dilation=2, stride=(1, 2))),
    ((1, 2, 3, 3), (2, 2, 1, 1), True, dict(stride=3)),
    ((1, 3, 2, 2), (3, 2, 4, 4), True, dict(stride=2, padding=(1, 2), output_padding=(0, 1))),
]


@pytest.mark.parametrize("x_shape, w_shape, bias, kw", TRANSPOSED, ids=[str(i) for i in range(len(TRANSPOSED))])
@pytest.mark.usefixtures("columns")
def test_conv_transpose2d_against_loop_and_torch(x_shape, w_shape, bias, kw):
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1] * kw.get("groups", 1)) if bias else None
    out, grads, g = run(F.conv_transpose2d, [x, w, b], **kw)
    close(out, conv_transpose2d_loop(x, w, b, _pair(kw.get("stride", 1)), _pair(kw.get("padding", 0)),
                                      _pair(kw.get("output_padding", 0)), _pair(kw.get("dilation", 1)),
                                      kw.get("groups", 1)))
    t_out, t_grads = run_torch(TF.conv_transpose2d, [x, w, b], g, **kw)
    close(out, t_out)
    for ours, theirs in zip(grads, t_grads):
        if ours is not None:
            close(ours, theirs)


@pytest.mark.usefixtures("columns")
def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)>: the transpose in the linear-algebra sense."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    y = F.conv2d(lucidnet.tensor(x), lucidnet.tensor(w), stride=2, padding=1).array
    v = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(lucidnet.tensor(v), lucidnet.tensor(w), stride=2, padding=1)
    np.testing.assert_allclose(np.sum(y * v), np.sum(x * back.array), rtol=1e-12)


# ------------------------------------------------------------------------------------------------ bad input

def _t(*shape):
    return lucidnet.zeros(*shape)


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(_t(2, 8, 8, 3), _t(4, 3, 3, 3)),
     "conv2d: expected input of shape (N, 3, H, W) or (3, H, W), got (2, 8, 8, 3). Inputs are channels-first: the "
     "input looks channels-last; permute it with x.permute(0, 3, 1, 2), or use Conv2D/MaxPooling2D (Keras's "
     "layers, channels-last)."),
    (lambda: F.conv2d(_t(2, 2, 8, 8), _t(4, 3, 3, 3)),
     "conv2d: expected input of shape (N, 3, H, W) or (3, H, W), got (2, 2, 8, 8)."),
    (lambda: F.conv2d(_t(1, 3, 4, 4), _t(4, 3, 5, 5), padding=0),
     "conv2d: kernel size (5, 5) is larger than the padded input (4, 4) (input (1, 3, 4, 4), padding 0, 0). Use a "
     "smaller kernel or more padding."),
    (lambda: F.conv2d(_t(1, 3, 4, 4), _t(4, 3, 3, 3), dilation=2),
     "conv2d: kernel size (5, 5) (dilated) is larger than the padded input (4, 4) (input (1, 3, 4, 4), padding 0, "
     "0). Use a smaller kernel or more padding."),
    (lambda: F.conv2d(_t(1, 3, 4, 4), _t(4, 3, 3, 3), stride=0),
     "conv2d: expected stride to be an int or a pair of positive integers, got 0."),
    (lambda: F.conv2d(_t(1, 3, 4, 4), _t(4, 3, 3, 3), dilation=(1, -1)),
     "conv2d: expected dilation to be an int or a pair of positive integers, got (1, -1)."),
    (lambda: F.conv2d(_t(1, 4, 4, 4), _t(3, 2, 3, 3), groups=2),
     "conv2d: expected groups to divide the channels, got groups=2 for in_channels=4 and out_channels=3."),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), stride=2, padding="same"),
     "conv2d: padding='same' needs stride 1, got stride=(2, 2) (PyTorch refuses it too). Pad explicitly, e.g. "
     "padding=(1, 1)."),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), padding="full"),
     "conv2d: expected padding to be an int, a pair, 'valid' or 'same', got 'full'."),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), _t(3)), "conv2d: expected bias of shape (4,), got (3,)."),
    (lambda: F.conv1d(_t(2, 9, 3), _t(4, 3, 3)),
     "conv1d: expected input of shape (N, 3, L) or (3, L), got (2, 9, 3). Inputs are channels-first: for (N, L, C) "
     "inputs use x.transpose(1, 2)."),
    (lambda: F.conv1d(_t(2, 3, 2), _t(4, 3, 3)),
     "conv1d: kernel size 3 is larger than the padded input 2 (input (2, 3, 2), padding 0). Use a smaller kernel "
     "or more padding."),
    (lambda: F.conv_transpose2d(_t(1, 2, 3, 3), _t(2, 2, 3, 3), stride=2, output_padding=2),
     "conv_transpose2d: expected output_padding smaller than stride or dilation, got output_padding=(2, 2), "
     "stride=(2, 2), dilation=(1, 1)."),
])
def test_bad_input(call, message):
    with raises(ValueError, message):
        call()


def test_dtype_mismatch_is_refused():
    with pytest.raises(lucidnet.dtypes.DTypeError, match="^conv2d: expected input, weight and bias of one dtype"):
        F.conv2d(lucidnet.zeros(1, 1, 3, 3, dtype=lucidnet.float64), lucidnet.zeros(1, 1, 2, 2))


@pytest.mark.usefixtures("columns")
def test_conv2d_backward_twice_with_retain_graph():
    """The backward reuses its column matrix for the input gradient; a second backward must still be right."""
    rng = np.random.default_rng(7)
    x = lucidnet.tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = lucidnet.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    y.sum().backward(retain_graph=True)
    first = x.grad.array.copy(), w.grad.array.copy()
    y.sum().backward()
    close(x.grad.array, 2 * first[0])
    close(w.grad.array, 2 * first[1])


def test_evaluation_hands_its_column_buffer_to_the_next_call():
    # Under no_grad no backward wants the im2col columns (40 MB here): conv2d keeps them for the next call
    # instead of mapping fresh pages every batch. The reuse must not change any result.
    from lucidnet.ops import conv as ops_conv
    x = lucidnet.randn(64, 32, 14, 14)
    w = lucidnet.randn(64, 32, 5, 5, requires_grad=True)
    ops_conv._spare.clear()
    with lucidnet.no_grad():
        first = F.conv2d(x, w, padding=2).numpy().copy()
    assert [size * dtype.itemsize for size, dtype in ops_conv._spare] == [800 * 64 * 196 * 4]
    with lucidnet.no_grad():
        np.testing.assert_array_equal(F.conv2d(x, w, padding=2).numpy(), first)
    y = F.conv2d(x, w, padding=2)                      # training takes the spare and gives it back after backward
    np.testing.assert_array_equal(y.detach().numpy(), first)
    y.backward(lucidnet.ones_like(y))
    tw = torch.tensor(w.detach().numpy(), requires_grad=True)
    torch.nn.functional.conv2d(torch.tensor(x.numpy()), tw, padding=2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-2)
