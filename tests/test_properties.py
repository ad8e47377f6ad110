"""Property tests over random shapes (hypothesis): broadcasting and its gradients, reductions over random
axes, reshape/transpose round trips, softmax, unbroadcast, indexing, concatenation."""
import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lucidnet
from lucidnet.autograd import unbroadcast

floats = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


def arrays(shape):
    return hnp.arrays(np.float64, shape, elements=floats)


@st.composite
def array_and_axes(draw, min_dims=1):
    """An array and a non-empty set of its axes, each written positive or negative at random."""
    a = draw(arrays(draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=1, max_side=4))))
    axes = draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
    axes = tuple(ax - a.ndim if draw(st.booleans()) else ax for ax in axes)
    return a, axes


def leaf(a):
    return lucidnet.tensor(a, requires_grad=True)


# ------------------------------------------------------------------------------------------- broadcasting

@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4), st.data(),
       st.sampled_from(["add", "sub", "mul", "div", "maximum", "where"]))
def test_broadcast_binary_ops_match_numpy_and_sum_gradients_back(shapes, data, op):
    sa, sb = shapes.input_shapes
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    if op == "div":
        b = np.where(np.abs(b) < 0.5, 1.0, b)
    fns = {"add": (np.add, lambda x, y: x + y), "sub": (np.subtract, lambda x, y: x - y),
           "mul": (np.multiply, lambda x, y: x * y), "div": (np.divide, lambda x, y: x / y),
           "maximum": (np.maximum, lucidnet.maximum),
           "where": (lambda x, y: np.where(x > 0, x, y), lambda x, y: lucidnet.where(x > 0, x, y))}
    ref, fn = fns[op]
    ta, tb = leaf(a), leaf(b)
    out = fn(ta, tb)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.array, ref(a, b), rtol=1e-12)
    out.backward(lucidnet.ones(out.shape, dtype=lucidnet.float64))
    assert ta.grad.shape == sa and tb.grad.shape == sb
    if op in ("add", "sub"):                                    # each element of a is used prod(out)/prod(a) times
        np.testing.assert_allclose(ta.grad.array, np.full(sa, np.prod(shapes.result_shape) / max(np.prod(sa), 1)))
        np.testing.assert_allclose(tb.grad.array, np.full(sb, (1 if op == "add" else -1) *
                                                          np.prod(shapes.result_shape) / max(np.prod(sb), 1)))
    if op == "mul":                                             # d/da sum(a*b) = b summed over a's broadcast axes
        np.testing.assert_allclose(ta.grad.array, unbroadcast(np.broadcast_to(b, shapes.result_shape), sa),
                                   rtol=1e-12)


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4), st.data())
def test_unbroadcast_is_the_adjoint_of_broadcasting(shapes, data):
    """<unbroadcast(g, s), v> == <g, broadcast_to(v, g.shape)> for every g and v: the definition of the sum."""
    s = shapes.input_shapes[0]
    g, v = data.draw(arrays(shapes.result_shape)), data.draw(arrays(s))
    u = unbroadcast(g, s)
    assert u.shape == s
    np.testing.assert_allclose(np.sum(u * v), np.sum(g * np.broadcast_to(v, g.shape)), rtol=1e-9, atol=1e-9)


@given(shapes.flatmap(arrays))
def test_gradient_of_a_sum_is_ones(a):
    x = leaf(a)
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.ones_like(a))
    y = leaf(a)
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(y.grad.array, np.full_like(a, 3.0))


# ------------------------------------------------------------------------------------------- reductions

@given(array_and_axes(), st.booleans(), st.sampled_from(["sum", "mean", "amax", "amin", "var", "std", "logsumexp"]))
def test_reductions_over_random_axes_match_numpy(case, keepdim, name):
    a, axes = case
    x = lucidnet.tensor(a)
    ref = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min,
           "var": lambda v, axis, keepdims: np.var(v, axis=axis, keepdims=keepdims),
           "std": lambda v, axis, keepdims: np.std(v, axis=axis, keepdims=keepdims),
           "logsumexp": lambda v, axis, keepdims: np.log(np.sum(np.exp(v), axis=axis, keepdims=keepdims))}[name]
    ours = getattr(x, name)(axis=axes, keepdims=keepdim)                 # NumPy spelling: var/std with ddof=0
    np.testing.assert_allclose(ours.array, ref(a, axis=axes, keepdims=keepdim), rtol=1e-9, atol=1e-12)
    torch_style = getattr(x, name)(dim=axes, keepdim=keepdim)
    assert torch_style.shape == ours.shape


@given(array_and_axes(), st.booleans())
def test_gradient_of_mean_is_one_over_n(case, keepdim):
    a, axes = case
    x = leaf(a)
    x.mean(dim=axes, keepdim=keepdim).sum().backward()
    n = np.prod([a.shape[ax] for ax in axes])
    np.testing.assert_allclose(x.grad.array, np.full_like(a, 1.0 / n))


@given(array_and_axes())
def test_var_with_dim_uses_bessels_correction(case):
    a, axes = case
    n = np.prod([a.shape[ax] for ax in axes])
    assume(n > 1)
    np.testing.assert_allclose(lucidnet.tensor(a).var(dim=axes).array, np.var(a, axis=axes, ddof=1),
                               rtol=1e-9, atol=1e-12)


@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=floats, unique=True)), st.data())
def test_max_with_dim_values_and_indices_agree(a, data):
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    values, indices = lucidnet.tensor(a).max(dim=dim)
    np.testing.assert_array_equal(values.array, a.max(axis=dim))
    np.testing.assert_array_equal(indices.array, a.argmax(axis=dim))
    x = leaf(a)
    x.max(dim=dim).values.sum().backward()                      # one 1 per slice, at the arg max
    assert x.grad.array.sum() == a.size // a.shape[dim]
    np.testing.assert_array_equal(np.argmax(x.grad.array, axis=dim), indices.array)


# ------------------------------------------------------------------------------------------- shapes

@given(shapes.flatmap(arrays), st.data())
def test_reshape_round_trip(a, data):
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    d = data.draw(st.sampled_from(divisors))
    x = leaf(a)
    y = x.reshape(d, -1).reshape(a.shape)
    np.testing.assert_array_equal(y.array, a)
    y.backward(lucidnet.tensor(a))
    np.testing.assert_array_equal(x.grad.array, a)


@given(shapes.flatmap(arrays), st.data())
def test_permute_and_its_inverse_round_trip(a, data):
    order = data.draw(st.permutations(range(a.ndim)))
    x = leaf(a)
    y = x.permute(*order)
    np.testing.assert_array_equal(y.array, np.transpose(a, order))
    z = y.permute(*np.argsort(order).tolist())
    np.testing.assert_array_equal(z.array, a)
    g = np.arange(a.size, dtype=np.float64).reshape(y.shape)
    y.backward(lucidnet.tensor(g))
    np.testing.assert_array_equal(x.grad.array, np.transpose(g, np.argsort(order)))


@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4).flatmap(arrays), st.data())
def test_transpose_swaps_two_axes_twice_to_identity(a, data):
    d0, d1 = data.draw(st.integers(-a.ndim, a.ndim - 1)), data.draw(st.integers(-a.ndim, a.ndim - 1))
    x = lucidnet.tensor(a)
    np.testing.assert_array_equal(x.transpose(d0, d1).array, np.swapaxes(a, d0, d1))
    np.testing.assert_array_equal(x.transpose(d0, d1).transpose(d0, d1).array, a)


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=6).flatmap(arrays), st.data())
def test_split_then_cat_is_identity(a, data):
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    size = data.draw(st.integers(1, a.shape[dim] + 1))
    x = leaf(a)
    pieces = x.split(size, dim=dim)
    assert all(p.shape[dim] <= size for p in pieces) and sum(p.shape[dim] for p in pieces) == a.shape[dim]
    y = lucidnet.cat(pieces, dim=dim)
    np.testing.assert_array_equal(y.array, a)
    chunks = data.draw(st.integers(1, a.shape[dim] + 2))
    np.testing.assert_array_equal(lucidnet.cat(x.chunk(chunks, dim=dim), dim=dim).array, a)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full_like(a, 2.0))


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(1, 4), st.data())
def test_stack_inserts_an_axis_and_unstacks(shape, n, data):
    arrs = [data.draw(arrays(shape)) for _ in range(n)]
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    out = lucidnet.stack([lucidnet.tensor(a) for a in arrs], dim=dim)
    np.testing.assert_array_equal(out.array, np.stack(arrs, axis=dim))


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5).flatmap(arrays), st.data())
def test_integer_indexing_gradient_counts_repeats(a, data):
    idx = np.array(data.draw(st.lists(st.integers(-a.shape[0], a.shape[0] - 1), min_size=1, max_size=8)))
    x = leaf(a)
    x[lucidnet.tensor(idx)].sum().backward()
    counts = np.bincount(idx % a.shape[0], minlength=a.shape[0]).astype(np.float64)
    np.testing.assert_array_equal(x.grad.array, np.broadcast_to(counts.reshape((-1,) + (1,) * (a.ndim - 1)), a.shape))


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5).flatmap(arrays), st.data())
def test_boolean_mask_gradient_is_the_mask(a, data):
    mask = data.draw(hnp.arrays(np.bool_, a.shape))
    x = leaf(a)
    x[lucidnet.tensor(mask)].sum().backward()
    np.testing.assert_array_equal(x.grad.array, mask.astype(np.float64))


# ------------------------------------------------------------------------------------------- softmax, matmul

@given(array_and_axes(), st.floats(-100, 100))
def test_softmax_sums_to_one_and_ignores_shifts(case, shift):
    a, axes = case
    dim = axes[0]
    x = lucidnet.tensor(a * 5)
    p = lucidnet.softmax(x, dim=dim)
    assert (p.array >= 0).all() and (p.array <= 1).all()
    np.testing.assert_allclose(p.array.sum(axis=dim), 1.0, rtol=1e-12)
    np.testing.assert_allclose(lucidnet.softmax(x + shift, dim=dim).array, p.array, rtol=1e-9, atol=1e-15)
    logp = lucidnet.log_softmax(x, dim=dim)
    np.testing.assert_allclose(np.exp(logp.array), p.array, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.exp(logp.array).sum(axis=dim), 1.0, rtol=1e-12)


@given(array_and_axes())
def test_softmax_gradient_of_a_sum_is_zero(case):
    a, axes = case
    x = leaf(a)
    lucidnet.softmax(x, dim=axes[0]).sum().backward()            # rows always sum to 1: no direction changes that
    np.testing.assert_allclose(x.grad.array, 0.0, atol=1e-12)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4),
       st.sampled_from([(), (2,), (3, 1), (1, 2)]), st.sampled_from([(), (2,), (1,), (3, 2)]), st.data())
def test_batched_matmul_matches_numpy(n, k, m, batch_a, batch_b, data):
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        assume(False)
    a, b = data.draw(arrays(batch_a + (n, k))), data.draw(arrays(batch_b + (k, m)))
    ta, tb = leaf(a), leaf(b)
    out = ta @ tb
    np.testing.assert_allclose(out.array, a @ b, rtol=1e-12, atol=1e-12)
    g = np.ones(out.shape)
    out.backward(lucidnet.tensor(g))
    np.testing.assert_allclose(ta.grad.array, unbroadcast(g @ np.swapaxes(b, -1, -2), a.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad.array, unbroadcast(np.swapaxes(a, -1, -2) @ g, b.shape), rtol=1e-12, atol=1e-12)


@given(st.sampled_from(["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "neg"]),
       shapes.flatmap(arrays))
def test_elementwise_ops_match_numpy(name, a):
    if name in ("log", "sqrt"):
        a = np.abs(a) + 0.1
    ref = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "sin": np.sin, "cos": np.cos,
           "tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0),
           "neg": np.negative}[name]
    out = getattr(lucidnet.tensor(a), name)()
    assert out.shape == a.shape and out.dtype == lucidnet.float64
    np.testing.assert_allclose(out.array, ref(a), rtol=1e-12, atol=1e-300)
