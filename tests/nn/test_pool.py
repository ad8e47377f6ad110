"""max_pool2d, avg_pool2d, adaptive_avg_pool2d (lucidnet.ops.pool through lucidnet.nn.functional): values, indices
and gradients against loops over the windows (the definition) and against PyTorch 2.13.0 (float64 to 1e-10)."""
import math

import numpy as np
import pytest
import torch

import lucidnet
import lucidnet.nn.functional as F

from helpers import raises
from test_conv import close, run, run_torch

TF = torch.nn.functional


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _out(size, k, s, p, d, ceil):
    """PyTorch's pooling output size along one axis."""
    span = d * (k - 1) + 1
    n = (size + 2 * p - span + (s - 1 if ceil else 0)) // s + 1
    return n - 1 if ceil and (n - 1) * s >= size + p else n


def pool_loop(x, kernel, stride, padding, dilation, ceil, kind, count_include_pad=True):
    """Each output as max or mean over the window's positions inside the input; the gradient of that
    window's output goes to its (first) maximum, or evenly to its positions. Also max's flat indices."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    oh, ow = _out(h, kh, sh, ph, dh, ceil), _out(w, kw, sw, pw, dw, ceil)
    out, idx = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), dtype=np.int64)
    routes = {}                                   # (n, c, i, j) -> [(row, col, weight)]
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    rows = [i * sh - ph + a * dh for a in range(kh)]
                    cols = [j * sw - pw + e * dw for e in range(kw)]
                    inside = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
                    if kind == "max":
                        best = max(inside, key=lambda rq: (x[b, ch, rq[0], rq[1]], -inside.index(rq)))
                        out[b, ch, i, j] = x[b, ch, best[0], best[1]]
                        idx[b, ch, i, j] = best[0] * w + best[1]
                        routes[b, ch, i, j] = [(best[0], best[1], 1.0)]
                    else:
                        if count_include_pad:     # positions inside the padded input (not ceil_mode's extra)
                            div = (min(rows[-1], h + ph - 1) - rows[0] + 1) * (min(cols[-1], w + pw - 1) - cols[0] + 1)
                        else:
                            div = len(inside)
                        out[b, ch, i, j] = sum(x[b, ch, r, q] for r, q in inside) / div
                        routes[b, ch, i, j] = [(r, q, 1 / div) for r, q in inside]

    def backward(g):
        gx = np.zeros_like(x)
        for (b, ch, i, j), targets in routes.items():
            for r, q, wt in targets:
                gx[b, ch, r, q] += g[b, ch, i, j] * wt
        return gx
    return out, idx, backward


MAX_CASES = [
    ((2, 3, 4, 6), dict(kernel_size=2)),
    ((1, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 1, 8, 7), dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 0))),
    ((1, 2, 5, 5), dict(kernel_size=5)),                                       # kernel = input
    ((1, 1, 5, 5), dict(kernel_size=1, stride=2)),                             # 1x1
    ((1, 2, 6, 6), dict(kernel_size=2, stride=3, ceil_mode=True)),
    ((2, 2, 5, 5), dict(kernel_size=(2, 2), stride=2, ceil_mode=True)),
]


@pytest.mark.parametrize("shape, kw", MAX_CASES, ids=[str(i) for i in range(len(MAX_CASES))])
def test_max_pool2d_against_loop_and_torch(shape, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    out, (gx,), g = run(F.max_pool2d, [x], **kw)
    ref, ref_idx, ref_back = pool_loop(x, _pair(kw["kernel_size"]), _pair(kw.get("stride", kw["kernel_size"])),
                                       _pair(kw.get("padding", 0)), _pair(kw.get("dilation", 1)),
                                       kw.get("ceil_mode", False), "max")
    close(out, ref)
    close(gx, ref_back(g))
    t_out, (t_gx,) = run_torch(TF.max_pool2d, [x], g, **kw)
    close(out, t_out)
    close(gx, t_gx)
    _, idx = F.max_pool2d(lucidnet.tensor(x), return_indices=True, **kw)
    _, t_idx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    assert idx.dtype == lucidnet.int64
    np.testing.assert_array_equal(idx.array, ref_idx)
    np.testing.assert_array_equal(idx.array, t_idx.numpy())


def test_max_pool2d_ties_go_to_the_first_maximum_as_in_torch():
    x = np.zeros((1, 2, 4, 4))                     # all ties (as after a ReLU): the gradient goes to one place
    x[0, 1, 1, 1] = x[0, 1, 0, 1] = 1.0
    out, (gx,), g = run(F.max_pool2d, [x], g=np.ones((1, 2, 2, 2)), kernel_size=2)
    _, (t_gx,) = run_torch(TF.max_pool2d, [x], g, kernel_size=2)
    close(gx, t_gx)
    assert gx.sum() == 8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, kw", [((3, 4, 8, 10), {}), ((2, 3, 7, 9), {}), ((2, 3, 6, 7), dict(padding=1)),
                                       ((2, 2, 5, 5), dict(ceil_mode=True))])
def test_max_pool2d_2x2_ties_everywhere_match_torch(shape, kw, dtype):
    # The 2x2 stride-2 fast path decides each window by a tournament; with values in {0, 1, 2} most windows
    # tie, in every arrangement (odd sizes crop, padding and ceil_mode pad with -inf).
    x = np.random.default_rng(1).integers(0, 3, shape).astype(dtype)
    g = np.random.default_rng(2).standard_normal(F.max_pool2d(lucidnet.tensor(x), 2, **kw).shape)
    out, (gx,), _ = run(F.max_pool2d, [x], g=g, kernel_size=2, **kw)
    t_out, (t_gx,) = run_torch(TF.max_pool2d, [x], g, kernel_size=2, **kw)
    np.testing.assert_array_equal(out, t_out)
    np.testing.assert_array_equal(gx, t_gx)


@pytest.mark.parametrize("threads", [1, 2])
def test_max_pool2d_2x2_split_over_threads_matches_torch(threads):
    # Large enough (32,768 windows) that the tiled tournament splits the batch over the threads; ties everywhere.
    x = np.random.default_rng(3).integers(0, 3, (64, 8, 16, 16)).astype(np.float32)
    g = np.random.default_rng(4).standard_normal((64, 8, 8, 8)).astype(np.float32)
    before = lucidnet.get_num_threads()
    lucidnet.set_num_threads(threads)
    try:
        out, (gx,), _ = run(F.max_pool2d, [x], g=g, kernel_size=2)
    finally:
        lucidnet.set_num_threads(before)
    t_out, (t_gx,) = run_torch(TF.max_pool2d, [x], g, kernel_size=2)
    np.testing.assert_array_equal(out, t_out)
    np.testing.assert_array_equal(gx, t_gx)


def test_max_pool2d_indices_survive_backward_and_unbatched():
    x = lucidnet.randn(3, 5, 5, dtype=lucidnet.float64, requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert out.shape == (3, 2, 2) and idx.shape == (3, 2, 2)
    out.sum().backward()
    t_out, t_idx = TF.max_pool2d(torch.tensor(x.array), 2, return_indices=True)
    close(out.array, t_out.numpy())
    np.testing.assert_array_equal(idx.array, t_idx.numpy())
    assert x.grad.array.sum() == 12


AVG_CASES = [
    ((2, 3, 4, 6), dict(kernel_size=2)),
    ((1, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 2, 6, 6), dict(kernel_size=(2, 3), stride=(3, 2), padding=(1, 1), ceil_mode=True, count_include_pad=False)),
    ((1, 1, 5, 5), dict(kernel_size=5)),
    ((2, 1, 3, 3), dict(kernel_size=1)),
]


@pytest.mark.parametrize("shape, kw", AVG_CASES, ids=[str(i) for i in range(len(AVG_CASES))])
def test_avg_pool2d_against_loop_and_torch(shape, kw):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    out, (gx,), g = run(F.avg_pool2d, [x], **kw)
    ref, _, ref_back = pool_loop(x, _pair(kw["kernel_size"]), _pair(kw.get("stride", kw["kernel_size"])),
                                 _pair(kw.get("padding", 0)), (1, 1), kw.get("ceil_mode", False), "avg",
                                 kw.get("count_include_pad", True))
    close(out, ref)
    close(gx, ref_back(g))
    t_out, (t_gx,) = run_torch(TF.avg_pool2d, [x], g, **kw)
    close(out, t_out)
    close(gx, t_gx)


def test_avg_pool2d_divisor_override():
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 5))
    out, (gx,), g = run(F.avg_pool2d, [x], kernel_size=3, padding=1, divisor_override=2)
    t_out, (t_gx,) = run_torch(TF.avg_pool2d, [x], g, kernel_size=3, padding=1, divisor_override=2)
    close(out, t_out)
    close(gx, t_gx)


@pytest.mark.parametrize("shape, size", [((2, 3, 6, 4), 1), ((1, 2, 7, 5), (3, 2)), ((1, 1, 5, 9), (None, 4)),
                                         ((2, 2, 4, 4), (4, 4)), ((1, 1, 3, 3), (5, 4)), ((3, 5, 5), 2)])
def test_adaptive_avg_pool2d_against_loop_and_torch(shape, size):
    x = np.random.default_rng(3).standard_normal(shape)
    out, (gx,), g = run(F.adaptive_avg_pool2d, [x], output_size=size)
    t_out, (t_gx,) = run_torch(TF.adaptive_avg_pool2d, [x], g, output_size=size)
    close(out, t_out)
    close(gx, t_gx)
    h, w = shape[-2:]
    oh, ow = out.shape[-2:]
    ref = np.zeros(out.shape)                      # the definition: window i spans floor(i*H/OH) .. ceil((i+1)*H/OH)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, math.ceil((i + 1) * h / oh))
            cols = slice(j * w // ow, math.ceil((j + 1) * w / ow))
            ref[..., i, j] = x[..., rows, cols].mean(axis=(-2, -1))
    close(out, ref)


def test_float32_stays_float32():
    x = lucidnet.randn(2, 3, 6, 6, requires_grad=True)
    for y in (F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1), F.adaptive_avg_pool2d(x, 4)):
        assert y.dtype == lucidnet.float32
        y.sum().backward()
        assert x.grad.dtype == lucidnet.float32


@pytest.mark.parametrize("call, message", [
    (lambda: F.max_pool2d(lucidnet.zeros(1, 1, 4, 4), 2, padding=2),
     "max_pool2d: expected padding at most half the kernel size, got padding=(2, 2) for kernel_size=(2, 2)."),
    (lambda: F.max_pool2d(lucidnet.zeros(1, 1, 2, 2), 3),
     "max_pool2d: kernel size (3, 3) is larger than the padded input (2, 2) (input (1, 1, 2, 2))."),
    (lambda: F.max_pool2d(lucidnet.zeros(1, 1, 4, 4), 2, stride=0),
     "max_pool2d: expected stride to be an int or a pair of positive integers, got 0."),
    (lambda: F.max_pool2d(lucidnet.zeros(1, 4, 4), 2, dilation=0),
     "max_pool2d: expected dilation to be an int or a pair of positive integers, got 0."),
    (lambda: F.max_pool2d(lucidnet.zeros(4, 4), 2),
     "max_pool2d: expected input of shape (N, C, H, W) or (C, H, W), got (4, 4)."),
    (lambda: F.avg_pool2d(lucidnet.zeros(1, 1, 4, 4), 2, divisor_override=0),
     "avg_pool2d: expected divisor_override to be a positive integer, got 0."),
    (lambda: F.adaptive_avg_pool2d(lucidnet.zeros(1, 1, 4, 4), 0),
     "adaptive_avg_pool2d: expected output_size to be an int or a pair of positive integers, got (0, 0)."),
])
def test_bad_input(call, message):
    with raises(ValueError, message):
        call()
