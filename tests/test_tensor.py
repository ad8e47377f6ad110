"""The Tensor surface that issue 2 lists (items 2 and 3), checked item by item: attributes, conversion,
printing, every listed op (as a method and as a function, against PyTorch), in-place operators, creation."""
import numpy as np
import pytest
import torch

import lucidnet

A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])
B = np.array([[2.0, 0.5, -1.0], [1.0, 4.0, 0.75]])


# ------------------------------------------------------------------------------------------- attributes

def test_attributes():
    x = lucidnet.tensor(A)
    assert x.shape == (2, 3) and isinstance(x.shape, tuple)
    assert x.ndim == 2 and x.dim() == 2
    assert x.dtype == lucidnet.float64 and x.dtype == np.float64
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == A.T.tolist()
    assert lucidnet.zeros(2, 3, 4).T.shape == (4, 3, 2) and lucidnet.zeros(2, 3, 4).mT.shape == (2, 4, 3)
    assert x.device == lucidnet.device("cpu") and str(x.device) == "cpu"
    assert x.is_floating_point() and not lucidnet.tensor([1]).is_floating_point()
    assert x.requires_grad is False and x.grad is None and x.grad_fn is None and x.is_leaf


def test_default_dtypes_follow_pytorch():
    assert lucidnet.tensor([1.0]).dtype == lucidnet.float32
    assert lucidnet.tensor([1]).dtype == lucidnet.int64
    assert lucidnet.tensor([True]).dtype == lucidnet.bool
    assert lucidnet.zeros(2).dtype == lucidnet.float32
    assert lucidnet.tensor([1.0], dtype=lucidnet.float64).dtype == lucidnet.float64
    assert lucidnet.tensor([1.0], dtype="float64").dtype == lucidnet.float64
    assert lucidnet.tensor([1.0], dtype=float).dtype == lucidnet.float64          # PyTorch: float means float64
    assert lucidnet.tensor([1.0], dtype=np.float16).dtype == lucidnet.float16
    assert lucidnet.Tensor([1, 2]).dtype == lucidnet.float32                      # like torch.Tensor
    assert lucidnet.Tensor(2, 3).shape == (2, 3)


def test_set_default_dtype():
    lucidnet.set_default_dtype(lucidnet.float64)
    try:
        assert lucidnet.tensor([1.0]).dtype == lucidnet.float64 and lucidnet.randn(2).dtype == lucidnet.float64
        assert repr(lucidnet.tensor([1.0])) == "tensor([1.])"
        assert repr(lucidnet.tensor([1.0], dtype=lucidnet.float32)) == "tensor([1.], dtype=lucidnet.float32)"
    finally:
        lucidnet.set_default_dtype(lucidnet.float32)


def test_conversion():
    x = lucidnet.tensor(A)
    assert x.tolist() == A.tolist()
    assert x.numpy() is x.array and np.shares_memory(x.numpy(), x.array)
    assert np.asarray(x) is x.array
    assert lucidnet.tensor([2.5]).item() == 2.5 and isinstance(lucidnet.tensor(3).item(), int)
    assert float(lucidnet.tensor(2.5)) == 2.5 and int(lucidnet.tensor(7)) == 7
    assert bool(lucidnet.tensor([1.0])) and not bool(lucidnet.tensor(0))
    assert [1, 2, 3][lucidnet.tensor(1)] == 2
    assert x.to(lucidnet.float32).dtype == lucidnet.float32 and x.float().dtype == lucidnet.float32
    assert x.long().dtype == lucidnet.int64 and x.int().dtype == lucidnet.int32 and x.bool().dtype == lucidnet.bool
    assert x.double() is x and x.to("cpu") is x and x.cpu() is x
    assert [row.tolist() for row in x] == A.tolist()


def test_format_of_a_0d_tensor():
    loss = lucidnet.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{loss:.2e}" == "1.23e-01"
    assert f"{loss}" == f"{torch.tensor(0.123456)}" == "0.12345600128173828"        # the float32 value itself
    assert f"{lucidnet.tensor(3)}" == "3" and f"{lucidnet.tensor(3):d}" == "3"
    assert f"{lucidnet.tensor([2.5]):.1f}" == "2.5"               # one element too (PyTorch accepts only 0-d)
    assert f"{lucidnet.tensor([1.0, 2.0])}" == "tensor([1., 2.])"


def test_str_is_repr():
    x = lucidnet.tensor([1.0, 2.0])
    assert str(x) == repr(x) == "tensor([1., 2.])"


def test_hash_is_identity_and_eq_is_elementwise():
    a, b = lucidnet.tensor([1.0]), lucidnet.tensor([1.0])
    assert len({a, b}) == 2 and (a == b).tolist() == [True]


# ------------------------------------------------------------------------------------------- ops, vs torch

def _both(fn, *arrays):
    """fn on lucidnet tensors and on torch tensors made from the same arrays."""
    ours = fn(lucidnet, *[lucidnet.tensor(a) for a in arrays])
    theirs = fn(torch, *[torch.tensor(a) for a in arrays])
    return ours, theirs


# The ops of issue 2, item 3, each spelled as PyTorch code spells it (method and function forms).
OPS = {
    "+": lambda t, a, b: a + b, "-": lambda t, a, b: a - b, "*": lambda t, a, b: a * b, "/": lambda t, a, b: a / b,
    "**": lambda t, a, b: a.abs() ** b, "neg": lambda t, a, b: -a + a.neg() + t.neg(a), "@": lambda t, a, b: a @ b.T,
    "matmul": lambda t, a, b: t.matmul(a, b.T) + a.matmul(b.T),
    "exp": lambda t, a, b: t.exp(a) + a.exp(), "log": lambda t, a, b: t.log(a.abs()) + a.abs().log(),
    "sqrt": lambda t, a, b: t.sqrt(a.abs()) + a.abs().sqrt(), "abs": lambda t, a, b: t.abs(a) + a.abs() + abs(a),
    "sin": lambda t, a, b: t.sin(a) + a.sin(), "cos": lambda t, a, b: t.cos(a) + a.cos(),
    "tanh": lambda t, a, b: t.tanh(a) + a.tanh(), "sigmoid": lambda t, a, b: t.sigmoid(a) + a.sigmoid(),
    "relu": lambda t, a, b: t.relu(a) + a.relu(), "clip": lambda t, a, b: t.clip(a, -1, 1) + a.clip(-0.5, 0.5),
    "clamp": lambda t, a, b: t.clamp(a, min=0) + a.clamp(max=0.3) + a.clamp(-1, 1),
    "maximum": lambda t, a, b: t.maximum(a, b) + a.maximum(b),
    "minimum": lambda t, a, b: t.minimum(a, b) + a.minimum(b),
    "where": lambda t, a, b: t.where(a > b, a, b) + a.where(a > 0, b),
    "sum": lambda t, a, b: t.sum(a) + a.sum() + a.sum(0).sum() + a.sum(dim=1, keepdim=True).sum(),
    "mean": lambda t, a, b: t.mean(a) + a.mean(1).sum() + a.mean(dim=0, keepdim=True).sum(),
    "max": lambda t, a, b: t.max(a) + a.max(dim=1).values.sum() + t.max(a, b).sum(),
    "min": lambda t, a, b: t.min(a) + a.min(0)[0].sum() + t.min(a, b).sum(),
    "var": lambda t, a, b: t.var(a) + a.var(1).sum() + a.var(dim=0, unbiased=False).sum(),
    "std": lambda t, a, b: t.std(a) + a.std(1).sum() + a.std(dim=0, correction=0).sum(),
    "logsumexp": lambda t, a, b: t.logsumexp(a, dim=1) + a.logsumexp(1),
    "argmax": lambda t, a, b: t.argmax(a) + a.argmax(dim=1).sum() + a.argmax(0, keepdim=True).sum(),
    "argmin": lambda t, a, b: t.argmin(a) + a.argmin(dim=1).sum(),
    "reshape": lambda t, a, b: t.reshape(a, (3, 2)) + a.reshape(3, 2) + a.reshape(-1, 2),
    "view": lambda t, a, b: a.view(3, 2) + a.view(-1).view(3, 2) + a.view_as(b).T.reshape(3, 2),
    "flatten": lambda t, a, b: t.flatten(a) + a.flatten() + a.flatten(0),
    "transpose": lambda t, a, b: t.transpose(a, 0, 1) + a.transpose(1, 0) + a.T,
    "permute": lambda t, a, b: t.permute(a, (1, 0)) + a.permute(1, 0),
    "squeeze": lambda t, a, b: t.squeeze(a.unsqueeze(0)) + a.reshape(1, 2, 1, 3).squeeze(2).squeeze(),
    "unsqueeze": lambda t, a, b: t.unsqueeze(a, 1) + a.unsqueeze(-2),
    "expand": lambda t, a, b: a[:1].expand(2, 3) + a[:, :1].expand(-1, 3) + a.sum(0).expand_as(b),
    "indexing": lambda t, a, b: a[0] + a[-1, 1] + a[:, 1].sum() + a[[1, 0, 1]].sum(0)
    + a[a > 0].sum() + a[t.tensor([1, 1])].sum(0) + a[..., 2].sum() + a[None, 1, :].squeeze(0),
    "cat": lambda t, a, b: t.cat([a, b]) + t.cat((b, a), dim=0) + t.cat([a, b], 1).reshape(4, 3),
    "concatenate": lambda t, a, b: t.concatenate([a, b], dim=1),
    "stack": lambda t, a, b: t.stack([a, b]) + t.stack((b, a), dim=0) + t.stack([a, b], -1).permute(2, 0, 1),
    "split": lambda t, a, b: t.cat([*a.split(1), *t.split(b, [1, 1])]).sum(0)
    + t.cat([p * (i + 1) for i, p in enumerate(t.split(a, [1, 2], dim=1))], dim=1).sum(0),
    "chunk": lambda t, a, b: t.cat([*a.chunk(2, dim=1), *t.chunk(b, 3, 1)], dim=1),
    "pad": lambda t, a, b: (t.nn.functional if t is torch else t).pad(a, (1, 2)) + (t.nn.functional if t is torch
                                                                                    else t).pad(b, (0, 3), value=2),
    "comparisons": lambda t, a, b: t.stack([a < b, a <= b, a > b, a >= b, a == b, a != b, a.eq(b), a.ne(b), a.lt(b),
                                            a.le(b), a.gt(b), a.ge(b), t.eq(a, b), t.gt(a, 0)]),
    "softmax": lambda t, a, b: t.softmax(a, dim=1) + a.softmax(0) + a.softmax(dim=-1),
    "log_softmax": lambda t, a, b: t.log_softmax(a, dim=1) + a.log_softmax(0) + a.log_softmax(dim=-1),
}


@pytest.mark.parametrize("name", list(OPS))
def test_listed_op_matches_torch(name):
    ours, theirs = _both(OPS[name], A, B)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype).removeprefix("lucidnet.") == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["__iadd__", "__isub__", "__imul__", "__itruediv__"])
def test_in_place_operators_match_torch(op):
    results = []
    for lib in (lucidnet, torch):
        x = lib.tensor(A)
        y = x
        y = getattr(y, op)(lib.tensor(B))
        y = getattr(y, op)(2.0)
        assert y is x
        results.append(x.numpy())
    np.testing.assert_allclose(*results, rtol=1e-12)


def test_comparisons_give_bool_tensors_without_grad():
    a = lucidnet.tensor(A, requires_grad=True)
    for c in (a > 0, a < 0, a >= 0, a <= 0, a == 0, a != 0):
        assert c.dtype == lucidnet.bool and not c.requires_grad


def test_indexing_with_tensors_lists_and_masks():
    x = lucidnet.tensor(A)
    assert x[lucidnet.tensor([1, 0])].tolist() == A[[1, 0]].tolist()
    assert x[x > 0].tolist() == A[A > 0].tolist()
    assert x[lucidnet.tensor(1)].tolist() == A[1].tolist()
    assert x[:, [2, 2]].tolist() == A[:, [2, 2]].tolist()


def test_setitem_without_grad():
    x = lucidnet.zeros(2, 3)
    x[0] = 1.0
    x[1, lucidnet.tensor([0, 2])] = lucidnet.tensor([5.0, 6.0])
    x[x > 5.5] = -1.0
    assert x.tolist() == [[1.0, 1.0, 1.0], [5.0, 0.0, -1.0]]


# ------------------------------------------------------------------------------------------- creation

def test_creation_functions():
    assert lucidnet.zeros(2, 3).tolist() == [[0.0] * 3] * 2 and lucidnet.zeros((2, 3)).shape == (2, 3)
    assert lucidnet.ones(2).tolist() == [1.0, 1.0]
    assert lucidnet.full((2,), 7.5).tolist() == [7.5, 7.5] and lucidnet.full(3, 1).dtype == lucidnet.int64
    assert lucidnet.empty(2, 3).shape == (2, 3)
    assert lucidnet.arange(4).tolist() == [0, 1, 2, 3] and lucidnet.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert lucidnet.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert lucidnet.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    x = lucidnet.tensor(A)
    for like, value in ((lucidnet.zeros_like, 0.0), (lucidnet.ones_like, 1.0), (lucidnet.empty_like, 0.0)):
        y = like(x)
        assert y.shape == x.shape and y.dtype == x.dtype and (y.array == value).all()
    assert lucidnet.full_like(x, 2.0).tolist() == [[2.0] * 3] * 2
    assert lucidnet.zeros(2, requires_grad=True).requires_grad
    assert lucidnet.ones_like(x, dtype=lucidnet.float32).dtype == lucidnet.float32


def test_random_creation():
    lucidnet.manual_seed(0)
    u, n, i = lucidnet.rand(1000), lucidnet.randn(1000), lucidnet.randint(3, 7, (1000,))
    assert 0 <= u.array.min() and u.array.max() < 1 and u.dtype == lucidnet.float32
    assert abs(n.array.mean()) < 0.2 and 0.8 < n.array.std() < 1.2 and n.dtype == lucidnet.float32
    assert set(i.tolist()) == {3, 4, 5, 6} and i.dtype == lucidnet.int64
    assert lucidnet.randint(5, (2, 2)).shape == (2, 2)
    assert lucidnet.rand_like(u).shape == u.shape and lucidnet.randn_like(n).dtype == n.dtype
    assert lucidnet.rand(2, 3, requires_grad=True).requires_grad


def test_manual_seed_makes_random_calls_reproducible():
    lucidnet.manual_seed(42)
    first = [lucidnet.rand(3).tolist(), lucidnet.randn(2, 2).tolist(), lucidnet.randint(0, 100, (4,)).tolist()]
    lucidnet.manual_seed(42)
    second = [lucidnet.rand(3).tolist(), lucidnet.randn(2, 2).tolist(), lucidnet.randint(0, 100, (4,)).tolist()]
    assert first == second
    lucidnet.manual_seed(43)
    assert lucidnet.rand(3).tolist() != first[0]


def test_from_numpy_shares_memory():
    a = np.arange(3.0)
    t = lucidnet.from_numpy(a)
    a[0] = 10.0
    assert t.tolist() == [10.0, 1.0, 2.0] and t.dtype == lucidnet.float64
    t += 1
    assert a.tolist() == [11.0, 2.0, 3.0]


def test_tensor_copies_its_data():
    a = np.arange(3.0)
    t = lucidnet.tensor(a)
    a[0] = 10.0
    assert t.tolist() == [0.0, 1.0, 2.0]
    s = lucidnet.tensor(t)
    t += 1
    assert s.tolist() == [0.0, 1.0, 2.0]


def test_tensor_from_a_list_of_tensors():
    assert lucidnet.tensor([lucidnet.tensor(1.0), lucidnet.tensor(2.0)]).tolist() == [1.0, 2.0]


def test_data_is_a_detached_tensor_sharing_memory_as_in_pytorch():
    w = lucidnet.ones(3, requires_grad=True)
    d = w.data
    assert isinstance(d, lucidnet.Tensor) and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.array, w.array)
    w.data -= 0.5 * lucidnet.ones(3)                 # the tutorials' manual update, outside no_grad
    np.testing.assert_array_equal(w.array, [0.5, 0.5, 0.5])
    assert w.requires_grad and w.is_leaf
    w.data = lucidnet.zeros(2)                       # assigning swaps the values in
    assert w.shape == (2,) and w.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        w.data = lucidnet.tensor([1, 2])
