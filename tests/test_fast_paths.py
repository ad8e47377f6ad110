"""The fast paths of the tutorial-style training step (issue 9 item 7) give the same results as the general ones.

The step ``relu(x @ W + b)``, ``-log_softmax(z, dim=1)[range(n), y].mean()``, ``backward()``, and under no_grad
``W -= lr * W.grad; W.grad.zero_()`` takes shortcuts: 2-D matmul, ranges as index arrays, an index that picks
no element twice scatters its gradient by assignment, the gradient of a full mean is a zero-stride view, and
in-place arithmetic on one dtype skips promotion, a zeroed .grad takes over the new gradient's memory and the
next zero_() takes back the zeros it held. Timings live in bench/autograd_overhead.py.
"""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.nn import functional as F
from lucidnet.ops.shape import _picks_once


@pytest.mark.parametrize("items,shape,once", [
    ((range(4), np.array([1, 2, 0, 1])), (4, 3), True),                 # one element per row
    ((range(3, -1, -1), np.array([1, 2, 0, 1])), (4, 3), True),         # reversed
    ((range(-4, 0), np.array([1, 1, 0, 1])), (4, 3), True),             # counted from the end
    ((slice(None), range(3), np.array([0, 1, 0])), (2, 3, 2), True),    # after a slice
    ((range(3), 1), (4, 3), True),                                      # with one position
    ((np.array([0, 0, 1]), range(3)), (4, 3), True),                    # the range on the second axis
    ((range(0),), (4, 3), True),                                        # picks nothing
    ((range(-1, 1), np.array([1, 1])), (1, 3), False),                  # -1 and 0 are the same row
    ((range(4), np.array([1, 2])), (4, 3), False),                      # lengths differ (NumPy raises)
    ((range(2), np.array([[0, 1], [1, 0]])), (4, 3), False),            # a 2-D array repeats the range
    ((np.array([0, 0, 1]),), (4, 3), False),                            # an array alone may repeat
    ((None, range(3)), (4, 3), False),                                  # axes shifted: not followed
    ((range(3), np.array([True, False, True])), (4, 3), False),         # a mask
])
def test_picks_once_only_when_no_element_can_repeat(items, shape, once):
    assert _picks_once(items, shape) is once


@pytest.mark.parametrize("index", [
    lambda y: (range(5), y), lambda y: (range(4, -1, -1), y), lambda y: (range(-5, 0), y),
    lambda y: (range(0, 5, 2), y[:3]), lambda y: (range(5),), lambda y: (y, range(5)),
])
def test_range_indexing_matches_pytorch(index):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 5)), rng.integers(0, 5, 5)
    a = lucidnet.tensor(x, requires_grad=True)
    out = a[index(lucidnet.tensor(y))]
    g = rng.standard_normal(tuple(out.shape))
    out.backward(lucidnet.tensor(g))
    ta = torch.tensor(x, requires_grad=True)
    tout = ta[index(torch.tensor(y))]
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())


def test_tutorial_step_matches_pytorch():
    rng = np.random.default_rng(1)
    n, lr = 8, 0.1
    x, y = rng.standard_normal((n, 6)).astype(np.float32), rng.integers(0, 4, n)
    weights = [(rng.standard_normal((6, 5)).astype(np.float32), rng.standard_normal(5).astype(np.float32)),
               (rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32))]

    def step(lib, f, params, x, y):
        (w1, b1), (w2, b2) = params
        loss = -f.log_softmax(f.relu(x @ w1 + b1) @ w2 + b2, dim=1)[range(n), y].mean()
        loss.backward()
        with lib.no_grad():
            for p in (w1, b1, w2, b2):
                p -= lr * p.grad
                p.grad.zero_()
        return loss.item()

    ours = [(lucidnet.tensor(w, requires_grad=True), lucidnet.tensor(b, requires_grad=True)) for w, b in weights]
    theirs = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)) for w, b in weights]
    for _ in range(3):
        a = step(lucidnet, F, ours, lucidnet.tensor(x), lucidnet.tensor(y))
        b = step(torch, torch.nn.functional, theirs, torch.tensor(x), torch.tensor(y))
        assert a == pytest.approx(b, rel=1e-5)
    for p, q in zip([p for wb in ours for p in wb], [q for wb in theirs for q in wb]):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert p.grad.numpy().tolist() == np.zeros_like(p.grad.numpy()).tolist()


def test_mean_gradient_is_a_read_only_view_of_one_number():
    x = lucidnet.ones(3, 4, requires_grad=True)
    g = x.mean().grad_fn.backward(np.array(2.0, dtype=np.float32))[0]
    assert g.shape == (3, 4) and g.dtype == np.float32 and g.strides == (0, 0)
    assert not g.flags.writeable and (g == 2.0 / 12).all()
    x.mean().backward()
    assert x.grad.numpy().flags.writeable and (x.grad.numpy() == np.float32(1 / 12)).all()


def test_mean_of_nothing_is_nan_without_warnings():
    with np.errstate(all="raise"):
        assert np.isnan(lucidnet.zeros(0).mean().item())
        assert np.isnan(lucidnet.zeros(0, 3).mean(0).numpy()).all()


def test_inplace_fast_path_keeps_promotion_rules():
    w = lucidnet.ones(3)
    w -= lucidnet.tensor([1.0, 2.0, 3.0], dtype=lucidnet.float64)      # another float dtype: cast into w's
    assert w.dtype == lucidnet.float32 and w.tolist() == [0.0, -1.0, -2.0]
    w -= 0.5                                                             # a Python float keeps float32
    assert w.dtype == lucidnet.float32 and w.tolist() == [-0.5, -1.5, -2.5]
    i = lucidnet.tensor([1, 2])
    with pytest.raises(TypeError, match="fits the tensor's dtype"):
        i -= lucidnet.tensor([0.5, 0.5])
    with pytest.raises(TypeError):
        i -= "a"
    v = w._version_now
    w -= w                                                               # one dtype: straight into memory
    assert w.tolist() == [0.0, 0.0, 0.0] and w._version_now == v + 1


def test_zero_on_a_read_only_array_raises_as_before():
    t = lucidnet.Tensor._wrap(np.broadcast_to(np.ones(3, np.float32), (2, 3)))
    with pytest.raises(ValueError, match="read-only"):
        t.zero_()


# A zeroed .grad takes over the new gradient's memory (engine._accumulate) -----------------------------------

def _zeroed_linear():
    w = lucidnet.tensor(np.arange(12, dtype=np.float32).reshape(4, 3), requires_grad=True)
    x = lucidnet.tensor(np.ones((2, 4), np.float32))
    (x @ w).sum().backward()
    w.grad.zero_()
    return w, x


def test_zeroed_grad_takes_the_new_gradient_instead_of_adding_it():
    w, x = _zeroed_linear()
    grad, before = w.grad, id(w.grad.array)                          # (an id: a reference would be seen)
    (x @ w).sum().backward()
    assert w.grad is grad and id(w.grad.array) != before             # the same tensor, no pass over zeros
    assert w.grad.tolist() == [[2.0] * 3] * 4
    (x @ w).sum().backward()                                         # not zeroed since: accumulated as always
    assert w.grad.tolist() == [[4.0] * 3] * 4


@pytest.mark.parametrize("hold", ["view", "numpy", "detach"])
def test_zeroed_grad_seen_from_elsewhere_is_added_into(hold):
    w, x = _zeroed_linear()
    handle = {"view": lambda: w.grad[0], "numpy": lambda: w.grad.numpy(), "detach": lambda: w.grad.detach()}[hold]()
    (x @ w).sum().backward()
    assert np.asarray(handle).tolist() == ([2.0] * 3 if hold == "view" else [[2.0] * 3] * 4)


@pytest.mark.parametrize("edit", [
    lambda g: g.add_(1.0),                                           # versioned: the mark no longer holds
    lambda g: g[0].fill_(1.0),                                       # through a view sharing the version
    lambda g: g.numpy().__setitem__((slice(None),), 1.0),            # unversioned, through NumPy
    lambda g: g.data.add_(1.0),
])
def test_an_edit_after_zero_is_kept(edit):
    w, x = _zeroed_linear()
    edit(w.grad)
    expected = w.grad.numpy() + 2.0
    (x @ w).sum().backward()
    assert w.grad.tolist() == expected.tolist()


def test_zero_takes_back_the_zeros_backward_left_instead_of_writing_zeros():
    w, x = _zeroed_linear()
    (x @ w).sum().backward()                                         # takes the gradient, keeps the zeros aside
    kept = id(w.grad._kept_zeros)
    grad = w.grad
    assert w.grad.zero_() is grad and id(w.grad.array) == kept       # the kept zeros, not a pass over the array
    assert w.grad.tolist() == [[0.0] * 3] * 4 and w.grad._kept_zeros is None
    (x @ w).sum().backward()
    assert w.grad.tolist() == [[2.0] * 3] * 4


@pytest.mark.parametrize("hold", ["view", "numpy", "array"])
def test_zero_of_an_array_seen_elsewhere_writes_zeros_into_it(hold):
    w, x = _zeroed_linear()
    (x @ w).sum().backward()
    handle = {"view": lambda: w.grad.array[0], "numpy": lambda: w.grad.numpy(), "array": lambda: w.grad.array}[hold]()
    w.grad.zero_()
    assert not np.asarray(handle).any() and np.shares_memory(handle, w.grad.array)


def test_kept_zeros_that_no_longer_fit_are_not_taken():
    w, x = _zeroed_linear()
    (x @ w).sum().backward()
    w.grad.data = np.ones((4, 3), np.float64)                        # another dtype since
    assert w.grad.zero_().array.dtype == np.float64 and not w.grad.array.any()


def test_tutorial_steps_that_zero_their_gradients_match_pytorch():
    rng = np.random.default_rng(1)
    x0, y0 = rng.standard_normal((8, 5)).astype(np.float32), rng.integers(0, 3, 8)
    inits = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((5, 4), (4,), (4, 3), (3,))]
    results = []
    for lib, fn in ((lucidnet, F), (torch, torch.nn.functional)):
        W1, b1, W2, b2 = (lib.tensor(a, requires_grad=True) for a in inits)
        x, y = lib.tensor(x0), lib.tensor(y0)
        for _ in range(5):
            loss = -fn.log_softmax(fn.relu(x @ W1 + b1) @ W2 + b2, dim=1)[range(8), y].mean()
            loss.backward()
            with lib.no_grad():
                for p in (W1, b1, W2, b2):
                    p -= 0.5 * p.grad
                    p.grad.zero_()
        results.append([p.detach().numpy().copy() for p in (W1, b1, W2, b2)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_leaves_given_the_same_gradient_do_not_share_memory():
    a = lucidnet.ones(3, requires_grad=True)
    b = lucidnet.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_(), b.grad.zero_()
    ((a + b) * lucidnet.tensor([1.0, 2.0, 3.0])).sum().backward()    # add's backward hands both the same array
    a.grad.add_(1.0)
    assert a.grad.tolist() == [2.0, 3.0, 4.0] and b.grad.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("owner", ["optimizer", "module"])
def test_zero_grad_without_none_lets_backward_take_the_gradient(owner):
    layer = lucidnet.nn.Linear(4, 3)
    x = lucidnet.ones(2, 4)
    layer(x).sum().backward()
    zero = layer.zero_grad if owner == "module" else lucidnet.optim.SGD(layer.parameters(), lr=0.1).zero_grad
    zero(set_to_none=False)
    before = id(layer.weight.grad.array)
    layer(x).sum().backward()
    assert id(layer.weight.grad.array) != before and layer.weight.grad.tolist() == [[2.0] * 4] * 3


def test_zero_grad_with_set_to_none_false_then_backward_matches_pytorch():
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    ours, theirs = lucidnet.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    opt_a, opt_b = lucidnet.optim.SGD([ours], lr=0.1), torch.optim.SGD([theirs], lr=0.1)
    for _ in range(3):
        for w, opt, lib in ((ours, opt_a, lucidnet), (theirs, opt_b, torch)):
            opt.zero_grad(set_to_none=False)
            (lib.tensor(x0) @ w).tanh().sum().backward()
            opt.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


# Sums as products with ones (lucidnet._sums), max of short rows (ops.nn.max_last) -----------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64])
@pytest.mark.parametrize("shape", [(128, 256), (5, 3), (0, 4), (4, 0), (3, 1)])
def test_sum_rows_and_sum_last_equal_numpy(dtype, shape):
    from lucidnet._sums import sum_last, sum_rows
    g = (np.random.default_rng(0).standard_normal(shape) * 10).astype(dtype)
    rows, last = sum_rows(g), sum_last(g)
    assert rows.dtype == g.dtype and last.dtype == g.dtype
    assert rows.shape == (shape[1],) and last.shape == (shape[0], 1)
    tol = dict(rtol=1e-2) if dtype == np.float16 else dict(rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(rows, g.sum(0), **tol)
    np.testing.assert_allclose(last, g.sum(-1, keepdims=True), **tol)


def test_sums_of_strided_3d_and_long_rows_equal_numpy():
    from lucidnet._sums import sum_last, sum_rows
    rng = np.random.default_rng(1)
    g = rng.standard_normal((6, 8)).astype(np.float32)
    np.testing.assert_allclose(sum_rows(g[:, ::2]), g[:, ::2].sum(0), rtol=1e-6)     # not contiguous
    np.testing.assert_allclose(sum_last(g.T), g.T.sum(-1, keepdims=True), rtol=1e-6)
    x = rng.standard_normal((2, 3, 5)).astype(np.float32)
    np.testing.assert_allclose(sum_last(x), x.sum(-1, keepdims=True), rtol=1e-6)
    wide = rng.standard_normal((2, 1000)).astype(np.float32)                          # NumPy's pairwise sum
    np.testing.assert_array_equal(sum_last(wide), wide.sum(-1, keepdims=True))


def test_the_ones_the_sums_share_are_read_only():
    from lucidnet import _sums
    ones = _sums._ones_of(3, "f", False)
    assert _sums._ones_of(3, "f", False) is ones
    with pytest.raises(ValueError, match="read-only"):
        ones[0] = 2


@pytest.mark.parametrize("shape", [(128, 10), (64, 32), (63, 10), (128, 33), (2, 3, 4), (5,)])
def test_max_last_equals_numpy(shape):
    from lucidnet.ops.nn import max_last
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    x.flat[3] = np.nan                                                # NumPy's max: nan wins its row
    np.testing.assert_array_equal(max_last(x), x.max(axis=-1, keepdims=True))


def test_bias_gradient_over_batch_and_time_matches_pytorch():
    rng = np.random.default_rng(3)
    x0, b0 = rng.standard_normal((4, 5, 6)).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    grads = []
    for lib in (lucidnet, torch):
        x, b = lib.tensor(x0, requires_grad=True), lib.tensor(b0, requires_grad=True)
        ((x + b) ** 2).sum().backward()
        grads.append(b.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-5)


def test_bias_gradients_of_empty_batches_and_features_have_their_shapes():
    from lucidnet.autograd import unbroadcast
    for g_shape, shape in [((2, 3, 0), (0,)), ((0, 3, 4), (4,)), ((0, 3, 4), (3, 4)), ((4, 0), (0,))]:
        g = np.ones(g_shape, np.float32)
        assert unbroadcast(g, shape).shape == shape and not unbroadcast(g, shape).any()


def test_row_ranges_are_kept_small_and_read_only():
    from lucidnet.ops.shape import _RANGES, _range_array
    rows = _range_array(range(5))
    assert _range_array(range(0, 5)) is rows and rows.tolist() == [0, 1, 2, 3, 4] and not rows.flags.writeable
    assert range(1 << 17) not in _RANGES and len(_range_array(range(1 << 17))) == 1 << 17 and range(1 << 17) not in _RANGES


@pytest.mark.parametrize("copy_of", ["deepcopy", "pickle"])
def test_copies_of_a_gradient_leave_its_kept_zeros_behind(copy_of):
    import copy
    import pickle
    w, x = _zeroed_linear()
    (x @ w).sum().backward()
    assert w.grad._kept_zeros is not None
    c = copy.deepcopy(w.grad) if copy_of == "deepcopy" else pickle.loads(pickle.dumps(w.grad))
    assert getattr(c, "_kept_zeros", None) is None and c.tolist() == w.grad.tolist()
    assert c.zero_().tolist() == [[0.0] * 3] * 4


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmaxes_of_many_short_rows_match_pytorch(name):
    z0 = np.random.default_rng(4).standard_normal((128, 10)).astype(np.float32) * 5     # max_last's and sum_last's
    z0[7, 3] = 80.0                                                                       # a peaked row
    grads = []
    for lib in (lucidnet, torch):
        z = lib.tensor(z0, requires_grad=True)
        out = getattr(z, name)(dim=1)
        (out * lib.tensor(np.arange(10, dtype=np.float32))).sum().backward()
        grads.append((out.detach().numpy(), z.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [lucidnet.float16, lucidnet.float32, lucidnet.float64])
def test_a_float_times_a_tensor_nothing_records_keeps_its_dtype(dtype):
    w = lucidnet.tensor([1.0, -2.0], dtype=dtype, requires_grad=True)
    with lucidnet.no_grad():
        for product in (0.5 * w, w * 0.5):
            assert product.dtype == dtype and not product.requires_grad and product.tolist() == [0.5, -1.0]
    assert (w * 0.5).grad_fn.name() == "MulBackward0"                  # recorded when it must be
    assert (lucidnet.tensor([1, 2]) * 0.5).dtype == lucidnet.float32    # integers: promoted, as in PyTorch
