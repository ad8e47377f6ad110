"""The rest of PyTorch's tensor surface (issue 12, item 5), against torch: integer behaviour of the new math
functions, sorting and selection results, out= and keyword names, new_*, legacy tensor types, in-place
variants, nn.init with generators. Values and gradients of the math itself are in tests/optable.py."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn

A = np.array([[3.0, -1.5, 2.0, 0.5], [1.0, 4.0, -2.0, 2.5], [0.0, 1.0, 1.0, -3.0]])


def same(ours, theirs):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
        return
    assert str(ours.dtype).removeprefix("lucidnet.") == str(theirs.dtype).removeprefix("torch.")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("expr", [
    lambda t, x: x.sort(), lambda t, x: x.sort(dim=0, descending=True), lambda t, x: t.sort(x, stable=True),
    lambda t, x: x.argsort(dim=1), lambda t, x: x.topk(2), lambda t, x: t.topk(x, 1, dim=0, largest=False),
    lambda t, x: x.kthvalue(2), lambda t, x: x.kthvalue(1, dim=0, keepdim=True), lambda t, x: t.msort(x),
    lambda t, x: x.median(), lambda t, x: x.median(dim=1), lambda t, x: t.unique(x),
    lambda t, x: t.unique(x.long(), return_inverse=True, return_counts=True), lambda t, x: x.unique(dim=0),
    lambda t, x: t.unique_consecutive(t.tensor([1, 1, 2, 2, 1]), return_counts=True, return_inverse=True),
    lambda t, x: x.prod(1), lambda t, x: x.long().prod(), lambda t, x: x.cumsum(0), lambda t, x: x.int().cumprod(1),
    lambda t, x: x.all(), lambda t, x: x.any(dim=1), lambda t, x: t.count_nonzero(x, dim=0),
    lambda t, x: x.norm(), lambda t, x: x.norm(p=1, dim=1, keepdim=True), lambda t, x: t.dist(x, x * 2, p=3),
    lambda t, x: x.ceil(), lambda t, x: x.floor(), lambda t, x: x.round(), lambda t, x: x.trunc(),
    lambda t, x: x.sign(), lambda t, x: x.long().ceil(), lambda t, x: x.round(decimals=1),
    lambda t, x: t.floor_divide(x, 2), lambda t, x: x.remainder(-2), lambda t, x: t.fmod(x, -2),
    lambda t, x: x.long().remainder(3), lambda t, x: x.long() // -3, lambda t, x: t.div(x.long(), 2),
    lambda t, x: x.long().bitwise_and(6),
    lambda t, x: t.bitwise_xor(x.long(), x.long() * 2), lambda t, x: ~x.long(), lambda t, x: x.long() << 2,
    lambda t, x: x.long() >> 1, lambda t, x: t.logical_and(x, x > 1), lambda t, x: t.logical_not(x),
    lambda t, x: t.logical_xor(x, t.ones(4, dtype=t.float64)), lambda t, x: t.isclose(x, x + 1e-9),
    lambda t, x: t.isnan(x / 0),
    lambda t, x: x.clamp_min(0.5), lambda t, x: t.clamp_max(x, 1), lambda t, x: t.outer(x[0], x[1]),
    lambda t, x: t.einsum("ij,kj->ik", x, x), lambda t, x: t.cross(x[:, :3], x[:, 1:], dim=1),
    lambda t, x: t.tensordot(x, x, dims=([1], [1])), lambda t, x: x.diagonal(), lambda t, x: t.diag(x[0]),
    lambda t, x: t.trace(x[:, :3]), lambda t, x: t.linalg.matrix_norm(x, ord=-1),
    lambda t, x: t.linalg.norm(x, ord=float("inf")), lambda t, x: t.linalg.svdvals(x),
    lambda t, x: t.linalg.slogdet(x[:, :3]), lambda t, x: t.logspace(0, 2, 3), lambda t, x: t.exp2(x.long()),
    lambda t, x: t.float_power(x.long(), 2), lambda t, x: t.lerp(x, x * 2, 0.5), lambda t, x: t.square(x.long()),
    lambda t, x: x.frac(), lambda t, x: t.log1p(x.abs()), lambda t, x: t.scalar_tensor(3),
    lambda t, x: t.atan2(x, x[[2, 1, 0]]),
], ids=lambda f: "")
def test_function_matches_torch(expr):
    with np.errstate(all="ignore"):
        same(expr(lucidnet, lucidnet.tensor(A)), expr(torch, torch.tensor(A)))


def test_new_tensors_take_the_dtype_of_the_tensor():
    for lib in (lucidnet, torch):
        x = lib.tensor([1, 2], dtype=lib.int32)
        assert x.new_zeros(2, 3).dtype == x.new_ones((2,)).dtype == x.new_full((2,), 7).dtype == lib.int32
        assert x.new_tensor([1.5]).dtype == lib.int32 and x.new_empty(2).shape == (2,)
        assert x.new_zeros(2, dtype=lib.float64).dtype == lib.float64
    same(lucidnet.ones(1).new_full((2, 2), 3), torch.ones(1).new_full((2, 2), 3))


def test_legacy_tensor_types():
    for lib in (lucidnet, torch):
        assert lib.FloatTensor([1, 2]).dtype == lib.float32 and lib.LongTensor([1.7]).dtype == lib.int64
        assert tuple(lib.DoubleTensor(2, 3).shape) == (2, 3) and lib.BoolTensor([1, 0]).dtype == lib.bool
        assert isinstance(lib.ones(2), lib.FloatTensor) and not isinstance(lib.ones(2), lib.LongTensor)
        assert lib.ones(2).type() == "torch.FloatTensor" and lib.ones(2).long().type() == "torch.LongTensor"
        assert lib.ones(2).type(lib.LongTensor).dtype == lib.int64
        assert lib.ones(2).type("torch.DoubleTensor").dtype == lib.float64
        assert lib.ones(2).type(lib.int8).type() == "torch.CharTensor"


def test_out_writes_into_the_given_tensor():
    for lib in (lucidnet, torch):
        x, y = lib.tensor([[1.0, 2.0], [3.0, 4.0]]), lib.tensor([[10.0, 20.0], [30.0, 40.0]])
        out = lib.empty(2, 2)
        assert lib.add(x, y, out=out) is out and out.tolist() == [[11.0, 22.0], [33.0, 44.0]]
        lib.mul(x, y, out=out)
        lib.matmul(x, y, out=out)
        assert out.tolist() == (x @ y).tolist()
        small = lib.empty(0)
        lib.sum(x, dim=0, out=small)                     # out takes the result's shape
        assert small.tolist() == [4.0, 6.0]
        ints = lib.zeros(2, dtype=lib.int64)
        lib.argmax(x, dim=1, out=ints)
        assert ints.tolist() == [1, 1]
        values, indices = lib.empty(2), lib.zeros(2, dtype=lib.int64)
        result = lib.max(x, dim=1, out=(values, indices))
        assert result.values is values and values.tolist() == [2.0, 4.0] and indices.tolist() == [1, 1]
        lib.zeros(2, out=values)
        assert values.tolist() == [0.0, 0.0]
        with pytest.raises(RuntimeError):
            lib.add(x.requires_grad_(), y, out=out)         # out= does not take part in autograd
        with pytest.raises(RuntimeError):
            lib.add(x.detach() * 1.5, y, out=ints)          # a float result into an int64 out


def test_pytorchs_keyword_names():
    x, y = lucidnet.tensor([1.0, -2.0]), lucidnet.tensor([3.0, 4.0])
    for lib, a, b in ((lucidnet, x, y), (torch, torch.tensor([1.0, -2.0]), torch.tensor([3.0, 4.0]))):
        assert lib.add(input=a, other=b).tolist() == [4.0, 2.0]
        assert lib.add(a, other=b, alpha=2).tolist() == [7.0, 6.0]
        assert lib.sum(input=a, dim=0).item() == -1.0
        assert lib.mean(input=a).item() == -0.5
        assert lib.clamp(input=a, min=0).tolist() == [1.0, 0.0]
        assert lib.where(condition=a > 0, input=a, other=b).tolist() == [1.0, 4.0]
        assert lib.cat(tensors=[a, b]).tolist() == [1.0, -2.0, 3.0, 4.0]
        assert lib.pow(a, exponent=2).tolist() == [1.0, 4.0]
        assert lib.maximum(a, other=b).tolist() == [3.0, 4.0]


def test_in_place_variants_match_torch():
    for name, args in [("sin_", ()), ("exp_", ()), ("abs_", ()), ("clamp_", (-1, 1)), ("clamp_min_", (0,)),
                       ("pow_", (2,)), ("mul_", (3,)), ("add_", (2,)), ("sub_", (1,)), ("div_", (4,)),
                       ("floor_", ()), ("round_", ()), ("neg_", ()), ("reciprocal_", ()), ("sigmoid_", ()),
                       ("tanh_", ()), ("relu_", ()), ("sqrt_", ()), ("atan_", ()), ("lerp_", "end"),
                       ("unsqueeze_", (0,)), ("t_", ()), ("transpose_", (0, 1)), ("squeeze_", ()),
                       ("fill_", (2.5,)), ("zero_", ()), ("remainder_", (2,)), ("masked_fill_", "mask")]:
        results = []
        for lib in (lucidnet, torch):
            x = lib.tensor(np.abs(A) + 0.5)
            a = (x > 2, 0.0) if args == "mask" else (lib.ones(3, 4, dtype=lib.float64), 0.5) if args == "end" else args
            y = getattr(x, name)(*a)
            assert y is x, name
            results.append(x)
        same(*results)


def test_int_tensors_refuse_float_in_place_results_and_keep_their_memory():
    x = lucidnet.tensor([1, 2])
    before = x.array
    with pytest.raises(TypeError, match=r"expected a result that fits the tensor's dtype lucidnet.int64, got dtype "
                                        r"lucidnet.float32 \(PyTorch: result type can't be cast"):
        x.sin_()
    assert x.array is before and x.tolist() == [1, 2]


@pytest.mark.parametrize("generator", [lambda: 0, lambda: np.random.default_rng(0),
                                       lambda: lucidnet.Generator().manual_seed(0), lambda: np.random.RandomState(0)],
                         ids=["seed", "numpy-generator", "lucidnet-generator", "numpy-randomstate"])
def test_init_and_random_functions_take_a_generator(generator):
    def draw():
        w = lucidnet.empty(3, 4)
        nn.init.kaiming_uniform_(w, generator=generator())
        nn.init.normal_(w[0], generator=generator())
        return w.array.copy(), lucidnet.randn(3, generator=generator()).array, \
            lucidnet.empty(3).uniform_(generator=generator()).array
    for a, b in zip(draw(), draw()):
        np.testing.assert_array_equal(a, b)


def test_generator_state_and_the_random_module():
    g = lucidnet.Generator()
    assert g.device == lucidnet.device("cpu") and g.manual_seed(5) is g and g.initial_seed() == 5
    lucidnet.random.manual_seed(3)
    state = lucidnet.get_rng_state()
    a = lucidnet.rand(3)
    lucidnet.set_rng_state(state)
    assert lucidnet.rand(3).tolist() == a.tolist() and lucidnet.random.initial_seed() == 3


def test_sampling():
    lucidnet.manual_seed(0)
    probs = lucidnet.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    draws = lucidnet.multinomial(probs, 2)                  # zero weights come last, in order, as in PyTorch
    assert draws.shape == (2, 2) and draws.dtype == lucidnet.int64 and draws[0].tolist() == [1, 0]
    assert lucidnet.multinomial(lucidnet.tensor([0.0, 1.0, 0.0]), 3).tolist() == [1, 0, 2]
    assert sorted(lucidnet.multinomial(lucidnet.tensor([1.0, 1.0, 1.0]), 3).tolist()) == [0, 1, 2]
    assert set(lucidnet.multinomial(probs[1], 50, replacement=True).tolist()) <= {0, 2}
    with pytest.raises(ValueError, match="cannot draw 4 samples without replacement from 3 categories"):
        lucidnet.multinomial(lucidnet.ones(3), 4)
    with pytest.raises(ValueError, match="non-negative weights"):
        lucidnet.multinomial(lucidnet.tensor([-1.0, 1.0]), 1)
    assert lucidnet.bernoulli(lucidnet.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    assert lucidnet.normal(lucidnet.zeros(2, 3), 1.0).shape == (2, 3)
    assert lucidnet.normal(0.0, 1.0, size=(4,)).dtype == lucidnet.float32
    x = lucidnet.zeros(1000).random_(0, 3)
    assert set(x.tolist()) == {0.0, 1.0, 2.0}
    assert lucidnet.ones(3).bernoulli_(1.0).tolist() == [1.0, 1.0, 1.0]


def test_linear_algebra_errors_are_clear():
    with pytest.raises(ValueError, match=r"inv: expected square matrices \(\*, n, n\), got shape \(2, 3\)\."):
        lucidnet.linalg.inv(lucidnet.ones(2, 3))
    with pytest.raises(ValueError, match="inv: expected invertible matrices, got a singular one."):
        lucidnet.linalg.inv(lucidnet.ones(2, 2))
    with pytest.raises(ValueError, match=r"solve: expected B with 2 rows for A of shape \(2, 2\), got shape \(3,\)"):
        lucidnet.linalg.solve(lucidnet.eye(2), lucidnet.ones(3))
    with pytest.raises(ValueError, match="einsum: the equation 'ij,jk' has 2 operands, got 1 tensors."):
        lucidnet.einsum("ij,jk", lucidnet.ones(2, 2))
    with pytest.raises(ValueError, match=r"cross\(\): expected size 3 along dim 0"):
        lucidnet.cross(lucidnet.ones(2), lucidnet.ones(2), dim=0)
    with pytest.raises(RuntimeError, match="not differentiable with mode='complete' when there are more rows"):
        lucidnet.linalg.qr(lucidnet.randn(4, 2, requires_grad=True), mode="complete").Q.sum().backward()


@pytest.mark.parametrize("expr", [
    lambda t, x: x.gather(1, t.tensor([[0, 3], [1, 1], [2, 0]])), lambda t, x: t.gather(x, 0, t.tensor([[2, 0, 1, 1]])),
    lambda t, x: x.index_select(1, t.tensor([3, 0, 3])), lambda t, x: t.masked_select(x, x > 0.5),
    lambda t, x: x.nonzero(), lambda t, x: t.nonzero(x, as_tuple=True), lambda t, x: t.where(x > 1),
    lambda t, x: x.flip(0), lambda t, x: x.flip(0, 1), lambda t, x: t.flip(x, [1]), lambda t, x: x.roll(1),
    lambda t, x: t.roll(x, (1, -1), (0, 1)), lambda t, x: x.repeat(2, 1), lambda t, x: x[0].repeat(2, 3),
    lambda t, x: x.tile((2,)), lambda t, x: x.narrow(1, 1, 2), lambda t, x: x.unbind(1),
    lambda t, x: t.meshgrid(x[0], x[1, :2], indexing="ij"), lambda t, x: t.meshgrid(x[0], x[1, :2], indexing="xy"),
], ids=lambda f: "")
def test_picking_and_rearranging_match_torch(expr):
    same(expr(lucidnet, lucidnet.tensor(A)), expr(torch, torch.tensor(A)))


@pytest.mark.parametrize("expr", [
    lambda t, x: x.gather(1, t.tensor([[0, 3], [1, 1], [2, 0]])) * 2,
    lambda t, x: x.index_select(0, t.tensor([2, 2, 0])).sin(), lambda t, x: t.masked_select(x, x > 0.5) ** 2,
    lambda t, x: x.flip(1) * t.arange(4.0, dtype=t.float64), lambda t, x: x.roll(1, 0) * x,
    lambda t, x: x.repeat(2, 1).exp(), lambda t, x: x.narrow(0, 1, 2) * 3, lambda t, x: t.stack(x.unbind(1)) ** 2,
], ids=lambda f: "")
def test_picking_and_rearranging_pass_gradients_as_torch(expr):
    grads = []
    for lib in (lucidnet, torch):
        x = lib.tensor(A, requires_grad=True)
        expr(lib, x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-10)
