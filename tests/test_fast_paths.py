"""The fast paths of the tutorial-style training step (issue 9 item 7) give the same results as the general ones.

The step ``relu(x @ W + b)``, ``-log_softmax(z, dim=1)[range(n), y].mean()``, ``backward()``, and under no_grad
``W -= lr * W.grad; W.grad.zero_()`` takes shortcuts: 2-D matmul, ranges as index arrays, an index that picks
no element twice scatters its gradient by assignment, the gradient of a full mean is a zero-stride view, and
in-place arithmetic on one dtype skips promotion. Timings live in bench/autograd_overhead.py.
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
