"""PyTorch 2.13.0 as the oracle: values and gradients of every op-table row and of composed expressions,
in float64 (tight) and float32; and the places where NumPy and PyTorch differ (dim= vs axis=, max(dim),
var/std correction, transpose(0, 1), split/chunk), dtype inference and type promotion."""
import numpy as np
import pytest
import torch

import lucidnet

from optable import COMPOSITES, ROWS, lucidnet_namespace, torch_namespace

L, T = lucidnet_namespace(), torch_namespace()
ORACLE_ROWS = [r for r in ROWS + COMPOSITES if r.torch]


def same_dtype(ours, theirs):
    return str(ours.dtype).removeprefix("lucidnet.") == str(theirs.dtype).removeprefix("torch.")


def assert_close(ours, theirs, rtol, atol, what):
    assert isinstance(ours, lucidnet.Tensor), f"{what}: expected a lucidnet Tensor, got {type(ours).__name__}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {ours.shape} != torch's {tuple(theirs.shape)}"
    assert same_dtype(ours, theirs), f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=what)


def run_both(row, dtype):
    """Run a row through lucidnet and torch on the same inputs; backward both with the same vector."""
    diff = row.diff_args()
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in row.args]
    ours = [lucidnet.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]
    out_l, out_t = row.fn(L, *ours), row.fn(T, *theirs)
    if diff:
        v = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
        out_l.backward(lucidnet.tensor(v))
        out_t.backward(torch.tensor(v))
    return out_l, out_t, ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("row", ORACLE_ROWS, ids=lambda r: r.id)
def test_values_and_gradients_match_torch(row, dtype):
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (row.rtol32, row.atol32)
    out_l, out_t, ours, theirs = run_both(row, dtype)
    assert_close(out_l, out_t, rtol, atol, f"{row.id}: value")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None, f"{row.id}: input {i} got a gradient, torch gives none"
        else:
            assert a.grad is not None, f"{row.id}: input {i} got no gradient"
            assert_close(a.grad, b.grad, rtol, atol, f"{row.id}: gradient of input {i}")


# ------------------------------------------------------------------------------------------- composed expressions

def test_a_training_step_of_a_small_mlp_matches_torch():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    params = [rng.standard_normal(s) * 0.5 for s in [(6, 5), (6,), (3, 6), (3,)]]
    results = []
    for lib in (lucidnet, torch):
        ps = [lib.tensor(p, requires_grad=True) for p in params]
        t = L if lib is lucidnet else T
        for _ in range(3):
            h = t.relu(t.linear(lib.tensor(x), ps[0], ps[1]))
            loss = t.cross_entropy(t.linear(h, ps[2], ps[3]), lib.tensor(y))
            loss.backward()
            with lib.no_grad():
                for p in ps:
                    p -= 0.1 * p.grad
                    p.grad.zero_()
        results.append((loss.item(), [p.detach().numpy().copy() for p in ps]))
    (loss_l, ps_l), (loss_t, ps_t) = results
    assert loss_l == pytest.approx(loss_t, rel=1e-12)
    for a, b in zip(ps_l, ps_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_gradient_accumulation_and_retained_grads_match_torch():
    a0 = np.array([[0.5, -1.0], [2.0, 0.25]])
    out = []
    for lib in (lucidnet, torch):
        a = lib.tensor(a0, requires_grad=True)
        h = (a * a).sum(1)
        h.retain_grad()
        (h.exp().sum()).backward(retain_graph=True)
        (h * 2).sum().backward()
        out.append((a.grad.numpy().copy(), h.grad.numpy().copy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


# ------------------------------------------------------------------------------------------- dim= vs axis=

X = np.array([[3.0, 1.0, 4.0], [1.0, 5.0, 9.0]])


def both(fn):
    """fn applied to X as a lucidnet and as a torch tensor."""
    return fn(lucidnet.tensor(X)), fn(torch.tensor(X))


@pytest.mark.parametrize("call", [lambda x: x.max(dim=1), lambda x: x.max(1), lambda x: x.min(0),
                                  lambda x: x.max(dim=-1, keepdim=True), lambda x: x.min(dim=1)],
                         ids=["max-dim", "max-positional", "min-0", "max-keepdim", "min-dim"])
def test_max_min_with_dim_return_values_and_indices(call):
    ours, theirs = both(call)
    values, indices = ours                                  # unpacks as torch's return type
    np.testing.assert_array_equal(values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    np.testing.assert_array_equal(ours[1].array, theirs[1].numpy())
    assert indices.dtype == lucidnet.int64 and values.dtype == lucidnet.float64


def test_max_without_dim_is_a_value_and_with_axis_a_numpy_reduction():
    ours, theirs = both(lambda x: x.max())
    assert ours.item() == theirs.item()
    assert isinstance(lucidnet.tensor(X).max(axis=1), lucidnet.Tensor)          # NumPy style: values only
    np.testing.assert_array_equal(lucidnet.tensor(X).max(axis=1).array, X.max(axis=1))


@pytest.mark.parametrize("expr", [lambda t: t.zeros(0).mean(), lambda t: t.zeros(0).var(),
                                  lambda t: t.zeros(2, 0).mean(1),
                                  lambda t: t.tensor([1.0]).var(), lambda t: t.tensor([[1.0, 2.0]]).std(0),
                                  lambda t: t.zeros(0).sum(), lambda t: t.zeros(0, 3).sum(0)],
                         ids=["empty-mean", "empty-var", "empty-rows-mean", "one-var", "one-row-std", "empty-sum",
                              "empty-sum-dim"])
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")      # torch's own warning, expected here
def test_degenerate_reductions_give_torchs_nan(expr):
    ours, theirs = expr(lucidnet), expr(torch)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.array, theirs.numpy())


@pytest.mark.parametrize("call", [lambda x: x.var(), lambda x: x.std(), lambda x: x.var(dim=1),
                                  lambda x: x.std(0), lambda x: x.var(1, unbiased=False),
                                  lambda x: x.std(dim=1, correction=0), lambda x: x.var(dim=0, correction=2),
                                  lambda x: x.var(dim=1, keepdim=True), lambda x: x.std(dim=(0, 1))],
                         ids=["var", "std", "var-dim", "std-positional", "unbiased-false", "correction-0",
                              "correction-2", "keepdim", "tuple"])
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
def test_var_std_use_torch_correction_with_dim(call):
    ours, theirs = both(call)
    assert_close(ours, theirs, 1e-12, 1e-12, "var/std")


def test_var_std_with_axis_follow_numpy():
    x = lucidnet.tensor(X)
    np.testing.assert_allclose(x.var(axis=1).array, X.var(axis=1))
    np.testing.assert_allclose(x.std(axis=0).array, X.std(axis=0))
    np.testing.assert_allclose(x.std(axis=0, ddof=1).array, X.std(axis=0, ddof=1))
    np.testing.assert_allclose(x.var(ddof=1).array, X.var(ddof=1))


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "argmax", "argmin"])
@pytest.mark.parametrize("dim", [0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_dim_keepdim_match_torch(name, dim, keepdim):
    if name in ("argmax", "argmin") and isinstance(dim, tuple):
        return                                               # torch's argmax takes one dim
    ours, theirs = both(lambda x: getattr(x, name)(dim=dim, keepdim=keepdim))
    assert_close(ours, theirs, 1e-12, 1e-12, name)
    ours_axis = getattr(lucidnet.tensor(X), name)(axis=dim, keepdims=keepdim)       # NumPy spelling, same result
    np.testing.assert_allclose(ours_axis.array, theirs.numpy(), rtol=1e-12)


def test_argmax_without_dim_is_flat_like_torch():
    ours, theirs = both(lambda x: x.argmax())
    assert ours.item() == theirs.item() and ours.shape == ()


def test_transpose_swaps_two_axes_like_torch():
    a = np.arange(24.0).reshape(2, 3, 4)
    for args in [(0, 1), (1, 0), (0, 2), (-1, -2), (2, 2)]:
        ours, theirs = lucidnet.tensor(a).transpose(*args), torch.tensor(a).transpose(*args)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    np.testing.assert_array_equal(lucidnet.tensor(a).transpose().array, a.transpose())           # NumPy: reverse
    np.testing.assert_array_equal(lucidnet.tensor(a).transpose((1, 2, 0)).array, a.transpose(1, 2, 0))
    np.testing.assert_array_equal(lucidnet.tensor(a).permute(1, 2, 0).array,
                                  torch.tensor(a).permute(1, 2, 0).numpy())
    np.testing.assert_array_equal(lucidnet.tensor(a).permute((2, 0, 1)).array,
                                  torch.tensor(a).permute((2, 0, 1)).numpy())


@pytest.mark.parametrize("n,dim,arg", [(5, 0, 2), (6, 0, 3), (7, 1, 3), (4, 1, 4), (4, 0, 10), (7, 1, [2, 5])])
@pytest.mark.parametrize("how", ["split", "chunk"])
def test_split_and_chunk_make_torchs_pieces(n, dim, arg, how):
    if how == "chunk" and isinstance(arg, list):
        return
    shape = (n, 3) if dim == 0 else (2, n)
    a = np.arange(float(np.prod(shape))).reshape(shape)
    ours = getattr(lucidnet.tensor(a), how)(arg, dim=dim)
    theirs = getattr(torch.tensor(a), how)(arg, dim=dim)
    assert len(ours) == len(theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.array, q.numpy())
    fn = getattr(lucidnet, how)
    assert [p.shape for p in fn(lucidnet.tensor(a), arg, dim)] == [tuple(q.shape) for q in theirs]


@pytest.mark.parametrize("shape,dim", [((2, 1, 3), None), ((2, 1, 3), 1), ((2, 1, 3), 0), ((1, 1), -1)])
def test_squeeze_like_torch(shape, dim):
    a = np.zeros(shape)
    ours = lucidnet.tensor(a).squeeze() if dim is None else lucidnet.tensor(a).squeeze(dim)
    theirs = torch.tensor(a).squeeze() if dim is None else torch.tensor(a).squeeze(dim)
    assert ours.shape == tuple(theirs.shape)


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (-2, -1), (1, 1)])
def test_flatten_like_torch(start, end):
    a = np.zeros((2, 3, 4, 5))
    assert lucidnet.tensor(a).flatten(start, end).shape == tuple(torch.tensor(a).flatten(start, end).shape)


# ------------------------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], 3, [1, 2], True, [True, False], [[1, 2.5]], np.float64(2.0),
                                  np.arange(3), np.arange(3.0), np.arange(3, dtype=np.float32)],
                         ids=repr)
def test_tensor_infers_dtype_like_torch(data):
    ours, theirs = lucidnet.tensor(data), torch.tensor(data)
    assert same_dtype(ours, theirs), f"{data!r}: {ours.dtype} vs {theirs.dtype}"
    np.testing.assert_array_equal(ours.array, theirs.numpy())


@pytest.mark.parametrize("expr", [
    lambda t: t.tensor([1, 2]) * 1.5, lambda t: t.tensor([1, 2]) / 2, lambda t: t.tensor([1, 2]) / t.tensor([2, 4]),
    lambda t: 1.5 + t.tensor([1, 2]), lambda t: t.tensor([1, 2]) + 1, lambda t: t.tensor([1., 2.]) * 2,
    lambda t: t.tensor([1., 2.], dtype=t.float64) * t.tensor([1., 2.]),
    lambda t: t.tensor([1., 2.]) * t.tensor([1, 2]), lambda t: t.tensor([True, False]) + 1.5,
    lambda t: t.tensor([1, 2]) ** 2, lambda t: 2 ** t.tensor([1., 2.]), lambda t: t.tensor([1, 2]) - 0.5,
    lambda t: t.tensor([3, 4]) // 2, lambda t: t.tensor([3., 4.]) % 2.5, lambda t: t.tensor([1, 2]) > 1,
    lambda t: t.arange(4).float().mean(), lambda t: t.tensor([1., 2.]).sum(dtype=t.float64),
    lambda t: t.tensor([1, 2]) == t.tensor([1, 3]), lambda t: ~(t.tensor([1, 2]) > 1),
    lambda t: (t.tensor([1, 2]) > 1) & (t.tensor([1, 2]) < 3), lambda t: t.tensor([1., 2.]).to(t.float16),
    lambda t: t.tensor([1.6, -1.6]).long(), lambda t: t.tensor([1, 0]).bool(), lambda t: t.tensor([1, 2]).double(),
    lambda t: t.tensor([1., 2.]) * np.float64(2.0), lambda t: np.float64(2.0) * t.tensor([1., 2.]),
    lambda t: t.tensor([1, 2]) * np.float64(0.5), lambda t: t.tensor([1., 2.]) + np.float32(1),
    lambda t: t.tensor([1, 2]) + np.int64(1), lambda t: t.tensor([1, 2], dtype=t.int32) / t.tensor([2, 4]),
    lambda t: t.tensor([True]) * t.tensor([1.5], dtype=t.float64), lambda t: t.tensor([2, 4]) - t.tensor([0.5]),
    lambda t: 3 / t.tensor([2, 4]), lambda t: t.tensor([1., 2.], dtype=t.float64) + t.tensor([1., 2.]),
    lambda t: t.tensor([1, 2]).exp(), lambda t: t.log(t.tensor([1, 2])), lambda t: t.tensor([1, 4]).sqrt(),
    lambda t: t.tensor([1, 2]).sin(), lambda t: t.cos(t.tensor([1, 2])), lambda t: t.tensor([1, 2]).tanh(),
    lambda t: t.tensor([1, 2]).sigmoid(), lambda t: t.tensor([1, 2]).rsqrt(), lambda t: t.tensor([1, 2]).logsumexp(0),
    lambda t: t.tensor([True, False]).exp(), lambda t: t.tensor([1, 2, 3]).clamp(0.5, 2.5),
    lambda t: t.tensor([1, 2, 3]).clamp(0, 2), lambda t: t.maximum(t.tensor([1, 2]), t.tensor([1.5, 1.5])),
    lambda t: t.tensor([1., 2.]).minimum(t.tensor([2, 1])), lambda t: t.max(t.tensor([1, 2]), t.tensor([1.5, 0.5])),
    lambda t: t.where(t.tensor([True, False]), t.tensor([1, 2]), 0.5),
    lambda t: t.where(t.tensor([True, False]), t.ones(2), t.tensor([3, 4])),
    lambda t: t.tensor([2.0, 3.0]).where(t.tensor([True, False]), t.tensor([7, 8])),
    lambda t: t.where(t.tensor([True, False]), 1.0, 0.0), lambda t: t.where(t.tensor([True, False]), 2, 0.5),
    lambda t: t.where(t.tensor([True, False]), 2, 3), lambda t: t.where(t.tensor([[True], [False]]), 1.5, t.ones(2)),
], ids=lambda f: "")
def test_type_promotion_matches_torch(expr):
    ours, theirs = expr(lucidnet), expr(torch)
    assert same_dtype(ours, theirs), f"{ours.dtype} vs {theirs.dtype}"
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------------------- creation

@pytest.mark.parametrize("expr", [
    lambda t: t.zeros(2, 3), lambda t: t.zeros((2, 3)), lambda t: t.ones(3, dtype=t.float64),
    lambda t: t.full((2, 2), 7), lambda t: t.full((2,), 1.5), lambda t: t.full((2,), True),
    lambda t: t.eye(3), lambda t: t.eye(2, 3), lambda t: t.arange(5), lambda t: t.arange(1, 4),
    lambda t: t.arange(0, 1, 0.25), lambda t: t.arange(5.0), lambda t: t.arange(0, 10, 3),
    lambda t: t.linspace(0, 1, 5), lambda t: t.linspace(-1, 1, 4), lambda t: t.empty(2, 3).zero_(),
    lambda t: t.zeros_like(t.tensor([1, 2])), lambda t: t.ones_like(t.tensor([1., 2.])),
    lambda t: t.full_like(t.tensor([1., 2.]), 3), lambda t: t.empty_like(t.tensor([[1.]])).fill_(2),
    lambda t: t.zeros(2, dtype=t.int64), lambda t: t.ones(2, dtype=t.bool),
    lambda t: t.from_numpy(np.arange(3.0)), lambda t: t.tensor(np.float32(2.5)),
], ids=lambda f: "")
def test_creation_matches_torch(expr):
    ours, theirs = expr(lucidnet), expr(torch)
    assert same_dtype(ours, theirs), f"{ours.dtype} vs {theirs.dtype}"
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-7)


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_creation_has_torchs_shape_and_dtype(name):
    ours, theirs = getattr(lucidnet, name)(3, 4), getattr(torch, name)(3, 4)
    assert ours.shape == tuple(theirs.shape) and same_dtype(ours, theirs)
    assert same_dtype(lucidnet.randint(0, 5, (3,)), torch.randint(0, 5, (3,)))
    assert same_dtype(lucidnet.rand_like(lucidnet.zeros(2, dtype=lucidnet.float64)),
                      torch.rand_like(torch.zeros(2, dtype=torch.float64)))


# ------------------------------------------------------------------------------------------- printing

@pytest.mark.parametrize("expr", [
    lambda t: t.tensor([1., 2., 3.]), lambda t: t.tensor([1.5, 2.25]), lambda t: t.tensor(3.0),
    lambda t: t.tensor(2.5), lambda t: t.tensor([1e-5, 1.0]), lambda t: t.tensor([[1, 2], [3, 4]]),
    lambda t: t.tensor([True, False]), lambda t: t.tensor([1e10, 1.0]), lambda t: t.tensor([-1.5, 2.0]),
    lambda t: t.tensor([float("nan"), 1.0, float("inf")]), lambda t: t.tensor([float("nan"), 100.0]),
    lambda t: t.tensor([1e-5, float("-inf")]), lambda t: t.arange(12.0).reshape(3, 4) / 7,
    lambda t: t.tensor(1e-5), lambda t: t.tensor([0.1, 123456.0]), lambda t: t.tensor([100000.0, 1.5]),
    lambda t: t.tensor(5), lambda t: t.tensor([-0.0, 0.0]), lambda t: t.tensor([0.0, 0.0]),
    lambda t: t.tensor([-0.0, 5.0]), lambda t: t.zeros(0), lambda t: t.zeros(2, 0),
    lambda t: t.tensor([1.0, 2.0], requires_grad=True), lambda t: t.zeros(2, 3, 2),
    lambda t: t.arange(2000.0), lambda t: t.arange(20000).reshape(200, 100),
    lambda t: t.tensor([[1.5, -2.0], [0.0, 3.25]]), lambda t: t.linspace(0, 1, 7),
], ids=lambda f: "")
def test_repr_matches_torch(expr):
    assert repr(expr(lucidnet)) == repr(expr(torch))


def test_repr_names_dtype_and_grad_fn():
    x = lucidnet.tensor([1.0, 2.0], dtype=lucidnet.float64, requires_grad=True)
    assert repr(x) == "tensor([1., 2.], dtype=lucidnet.float64, requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], dtype=lucidnet.float64, grad_fn=<MulBackward0>)"
    assert repr(lucidnet.tensor([1, 2], dtype=lucidnet.int32)) == "tensor([1, 2], dtype=lucidnet.int32)"


@pytest.mark.parametrize("spec", [".4f", ".2e", "", ".3g", "8.3f"])
def test_format_of_a_0d_tensor_matches_torch(spec):
    for v in [0.123456, 2.0, -3.5]:
        assert format(lucidnet.tensor(v), spec) == format(torch.tensor(v), spec)


@pytest.mark.parametrize("seed", range(20))
def test_random_graphs_backpropagate_as_torch(seed):
    """Random DAGs whose nodes reuse random earlier nodes: branches of different lengths meet, a tensor feeds
    several consumers, some created long after it. Backward must run each node once, after all of its
    consumers, whatever order the engine keeps them in (its heap and the node it keeps aside)."""
    rng = np.random.default_rng(seed)
    leaves = rng.standard_normal((3, 4))
    ops = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b * 0.5, lambda a, b: (a * 0.3).tanh() + b,
           lambda a, b: a.sigmoid() * b, lambda a, b: a.exp() * 0.1 - b]
    plan = [(int(rng.integers(len(ops))), int(rng.integers(k)), int(rng.integers(k))) for k in range(3, 30)]

    def run(lib):
        xs = [lib.tensor(v, requires_grad=True) for v in leaves]
        nodes = list(xs)
        for op, i, j in plan:
            nodes.append(ops[op](nodes[i], nodes[j]))
        (nodes[-1].sum() + nodes[len(nodes) // 2].sum()).backward()
        return [x.grad.numpy() for x in xs]

    for ours, theirs in zip(run(lucidnet), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
