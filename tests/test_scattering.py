"""Writing at indices (lucidnet.scattering): scatter, scatter_add, index_add, index_copy, index_fill,
masked_scatter and their in-place variants against PyTorch: values for every dtype path, the in-place
forms, errors. Gradients are in the op table (tests/optable.py)."""
import numpy as np
import pytest
import torch

import lucidnet

pytestmark = pytest.mark.filterwarnings("ignore:The reduce argument:UserWarning")     # PyTorch deprecates reduce=

A = np.arange(12.0).reshape(3, 4) / 7


def same(ours, theirs):
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)      # alpha: PyTorch fuses the multiply-add
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


@pytest.mark.parametrize("expr", [
    lambda t, x: x.scatter(0, t.tensor([[2, 0, 1, 1]]), t.ones(1, 4, dtype=t.float64) * 5),
    lambda t, x: t.scatter(x, 1, t.tensor([[3], [0], [2]]), value=-1.0),
    lambda t, x: x.scatter(1, t.tensor([[3, 1], [0, 2], [2, 3]]), 9),
    lambda t, x: x.scatter(0, t.tensor([[1, 1, 0, 2]]), 2.0, reduce="add"),
    lambda t, x: x.scatter(0, t.tensor([[1, 1, 0, 2]]), x[:1] + 1, reduce="multiply"),
    lambda t, x: x.long().scatter(0, t.tensor([[0, 1]]), 7),
    lambda t, x: x.scatter_add(0, t.tensor([[2, 2, 2, 0], [2, 0, 0, 0]]), x[:2]),
    lambda t, x: t.scatter_add(x.int(), 1, t.tensor([[0, 0, 0]]), t.ones(1, 3, dtype=t.int32)),
    lambda t, x: x.index_add(0, t.tensor([2, 2]), x[:2], alpha=3),
    lambda t, x: t.index_add(x, 1, t.tensor([0, 3, 0]), x[:, :3]),
    lambda t, x: x.long().index_add(1, t.tensor([1]), t.ones(3, 1, dtype=t.long)),
    lambda t, x: x.index_copy(1, t.tensor([2, 0]), x[:, 2:]),
    lambda t, x: t.index_copy(x, 0, t.tensor([1]), x[2:]),
    lambda t, x: x.index_fill(1, t.tensor([0, -1]), 2.5), lambda t, x: x.index_fill(0, t.tensor(1), t.tensor(-3.0)),
    lambda t, x: x.long().index_fill(0, t.tensor([0]), 1.5), lambda t, x: t.index_fill(x, 1, t.tensor([], dtype=t.long), 1),
    lambda t, x: x.masked_scatter(x > 0.8, t.arange(100.0, 112.0, dtype=t.float64)),
    lambda t, x: t.masked_scatter(x, t.tensor([True, False, False, True]), -x),
    lambda t, x: x.masked_scatter(x > 99, t.zeros(0, dtype=t.float64)),
], ids=lambda f: "")
def test_writing_at_indices_matches_torch(expr):
    same(expr(lucidnet, lucidnet.tensor(A)), expr(torch, torch.tensor(A)))


@pytest.mark.parametrize("expr", [
    lambda t, x: x.scatter_(0, t.tensor([[2, 0, 1, 1]]), -x[:1]), lambda t, x: x.scatter_(1, t.tensor([[0], [1], [2]]), 4.0),
    lambda t, x: x.scatter_(0, t.tensor([[1, 1, 0, 2]]), 2.0, reduce="multiply"),
    lambda t, x: x.scatter_add_(1, t.tensor([[1, 1], [0, 0], [3, 3]]), x[:, :2]),
    lambda t, x: x.index_add_(0, t.tensor([0, 0, 1]), x * 1, alpha=-1), lambda t, x: x.index_copy_(0, t.tensor([2]), x[:1] * 1),
    lambda t, x: x.index_fill_(1, t.tensor([1, 2]), 0), lambda t, x: x.masked_scatter_(x < 0.5, t.ones(12, dtype=t.float64)),
], ids=lambda f: "")
def test_in_place_variants_write_into_the_tensor_as_torch(expr):
    ours, theirs = lucidnet.tensor(A), torch.tensor(A)
    before = ours.array
    assert expr(lucidnet, ours) is ours and expr(torch, theirs) is theirs
    same(ours, theirs)
    assert ours.array is before


def test_in_place_on_a_graph_tensor_is_recorded():
    for lib in (lucidnet, torch):
        x = lib.tensor(A, requires_grad=True)
        s = lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.index_add_(0, lib.tensor([2, 2]), s * 3)
        (y * y).sum().backward()
        if lib is lucidnet:
            ours = x.grad.numpy(), s.grad.numpy()
    np.testing.assert_allclose(ours[0], x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[1], s.grad.numpy(), rtol=1e-12)


def test_index_put_node_names_as_pytorch():
    x = lucidnet.ones(3, requires_grad=True)
    assert type(x.scatter_add(0, lucidnet.tensor([0]), lucidnet.ones(1)).grad_fn).__name__ == "ScatterAddBackward0"


X = lucidnet.zeros(3, 4)


@pytest.mark.parametrize("call,error,message", [
    (lambda: X.scatter(0, lucidnet.tensor([[3]]), 1.0), IndexError,
     r"^scatter\(\): expected indices in \[0, 3\) along dim 0, got 3\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([[-1]]), 1.0), IndexError, r"along dim 0, got -1\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([1]), 1.0), ValueError,
     r"^scatter\(\): expected an index with 2 dimensions like the input, got shape \(1,\)\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([[0, 1, 2, 0, 1]]), lucidnet.ones(1, 5)), ValueError,
     r"^scatter\(\): expected an index no larger than the input \(3, 4\) outside dim 0 and src \(1, 5\), got shape "
     r"\(1, 5\)\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([[0.0]]), 1.0), TypeError,
     r"^scatter\(\): expected an integer index tensor, got dtype float32\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([[0]]), lucidnet.ones(1, 1, dtype=lucidnet.float64)), TypeError,
     r"^scatter\(\): expected src of the input's dtype lucidnet.float32, got lucidnet.float64\. Convert it"),
    (lambda: X.scatter(0, lucidnet.tensor([[0]]), 1.0, reduce="max"), ValueError,
     r"^scatter\(\): expected reduce None, 'add' or 'multiply', got 'max'\.$"),
    (lambda: X.scatter(0, lucidnet.tensor([[0]])), ValueError, r"^scatter\(\): expected src"),
    (lambda: X.requires_grad_(False).clone().requires_grad_().scatter(0, lucidnet.tensor([[0]]), 2.0,
                                                                      reduce="multiply"),
     RuntimeError, r"^scatter\(\): reduce='multiply' has no backward"),
    (lambda: X.scatter_add(0, lucidnet.tensor([[0]]), 1.0), TypeError,
     r"^scatter_add\(\): expected src to be a Tensor, got float\.$"),
    (lambda: X.index_add(0, lucidnet.tensor([[0]]), lucidnet.ones(1, 4)), ValueError,
     r"^index_add\(\): expected a 1-D index, got shape \(1, 1\)\.$"),
    (lambda: X.index_add(0, lucidnet.tensor([0, 1]), lucidnet.ones(1, 4)), ValueError,
     r"^index_add\(\): expected source of shape \(2, 4\) \(the input's, with len\(index\) = 2 along dim 0\), got "
     r"\(1, 4\)\.$"),
    (lambda: X.index_add(1, lucidnet.tensor([4]), lucidnet.ones(3, 1)), IndexError,
     r"^index_add\(\): expected indices in \[0, 4\) along dim 1, got 4\.$"),
    (lambda: X.index_copy(0, lucidnet.tensor([-1]), lucidnet.ones(1, 4)), IndexError,
     r"^index_copy\(\): expected indices in \[0, 3\) along dim 0, got -1\.$"),
    (lambda: X.index_fill(0, lucidnet.tensor([-4]), 1.0), IndexError,
     r"^index_fill\(\): expected indices in \[-3, 3\) along dim 0, got -4\.$"),
    (lambda: X.index_fill(0, lucidnet.tensor([0]), lucidnet.ones(1)), ValueError,
     r"^index_fill\(\): expected a number or a 0-d tensor as value, got shape \(1,\)\.$"),
    (lambda: X.masked_scatter(lucidnet.ones(3, 4) > 0, lucidnet.ones(11)), ValueError,
     r"^masked_scatter\(\): expected source with at least 12 elements \(the mask's True count\), got 11\.$"),
    (lambda: X.masked_scatter(lucidnet.ones(4, dtype=lucidnet.int64), lucidnet.ones(12)), TypeError,
     r"^masked_scatter\(\): expected a bool mask, got dtype int64\."),
    (lambda: X.masked_scatter(lucidnet.ones(3, dtype=lucidnet.bool), lucidnet.ones(12)), ValueError,
     r"^masked_scatter\(\): expected a mask broadcastable to \(3, 4\), got shape \(3,\)\.$"),
], ids=lambda v: "" if callable(v) or isinstance(v, type) else None)
def test_bad_arguments_are_one_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
