"""Every row of the op table (tests/optable.py) against float64 central differences, and the rule that
every registered primitive has a row."""
import importlib
import pkgutil

import numpy as np
import pytest

import lucidnet
from lucidnet import autograd

from optable import COMPOSITES, ROWS, lucidnet_namespace

L = lucidnet_namespace()


def _registered_primitives():
    """Every primitive lucidnet itself defines (importing all of ops/ first), not ones a test registered."""
    import lucidnet.ops
    for info in pkgutil.walk_packages(lucidnet.ops.__path__, "lucidnet.ops."):
        importlib.import_module(info.name)
    return sorted(name for name, f in autograd.PRIMITIVES.items() if f.__module__.startswith("lucidnet."))


def _tensors(row, arrays):
    diff = row.diff_args()
    return [lucidnet.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]


def _node_names(t):
    """The grad_fn names of the graph behind t."""
    names, stack, seen = set(), [t.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return names


def numerical_gradients(row, arrays, v, eps):
    """Central differences of sum(fn(arrays) * v) with respect to each differentiated array
    (lucidnet.autograd.numerical_derivative, in the arrays' own float64)."""
    diff = row.diff_args()

    def objective(*moved):
        tensors = [lucidnet.tensor(a) for a in arrays]
        for i, t in zip(diff, moved):
            tensors[i] = t
        return float(np.sum(row.fn(L, *tensors).array.astype(np.float64) * v))

    grads = autograd.numerical_derivative(objective, tuple(arrays[i] for i in diff), eps=eps, dtype=None)
    return {i: g.array for i, g in zip(diff, grads)}


def check_row(row):
    arrays = [np.asarray(a, dtype=np.float64) if a.dtype.kind == "f" else a for a in row.args]
    tensors = _tensors(row, arrays)
    before = [a.copy() for a in arrays]
    out = row.fn(L, *tensors)
    assert isinstance(out, lucidnet.Tensor), f"{row.id}: fn must return one tensor, got {type(out).__name__}"
    v = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(lucidnet.tensor(v, dtype=out.dtype))
    expected = numerical_gradients(row, arrays, v, row.eps)
    for i in row.diff_args():
        g = tensors[i].grad
        assert g is not None, f"{row.id}: input {i} got no gradient"
        assert g.shape == tensors[i].shape, f"{row.id}: input {i} gradient shape {g.shape} != {tensors[i].shape}"
        assert g.dtype == tensors[i].dtype, f"{row.id}: input {i} gradient dtype {g.dtype} != {tensors[i].dtype}"
        np.testing.assert_allclose(g.array, expected[i], rtol=row.rtol, atol=row.atol,
                                   err_msg=f"{row.id}: gradient of input {i}")
        assert not np.shares_memory(g.array, tensors[i].array), f"{row.id}: input {i}'s grad aliases its data"
    for i, (t, a) in enumerate(zip(tensors, before)):
        np.testing.assert_array_equal(t.array, a, err_msg=f"{row.id}: forward or backward modified input {i}")
    for i, t in enumerate(tensors):
        if i not in row.diff_args():
            assert t.grad is None, f"{row.id}: input {i} does not require grad but got one"
    return out


def test_every_primitive_has_a_row():
    covered = {r.name for r in ROWS}
    missing = [name for name in _registered_primitives() if name not in covered]
    assert not missing, (f"primitives without a row in tests/optable.py: {missing}. Add sample inputs for each "
                         f"(see the module docstring of tests/optable.py).")


def test_rows_name_registered_primitives():
    unknown = sorted({r.name for r in ROWS} - set(autograd.PRIMITIVES))
    assert not unknown, f"ROWS name primitives that are not registered: {unknown}; composites go in COMPOSITES."


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_primitive_row_runs_its_primitive(row):
    """Each row records a node of the primitive it names, so a row cannot silently test something else."""
    arrays = [np.asarray(a, dtype=np.float64) if a.dtype.kind == "f" else a for a in row.args]
    tensors = [lucidnet.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = row.fn(L, *tensors)
    assert autograd.PRIMITIVES[row.name].grad_name in _node_names(out)


@pytest.mark.parametrize("row", [r for r in ROWS + COMPOSITES if r.fd], ids=lambda r: r.id)
def test_gradient_matches_finite_differences(row):
    check_row(row)


def test_gradcheck_catches_a_wrong_backward():
    """The checker itself: a primitive with a deliberately wrong derivative must fail it."""
    @autograd.primitive
    def wrong_cube(x):
        return x ** 3, lambda g: (g * 2 * x ** 2,)          # should be 3 x^2
    try:
        from optable import randn, row
        with pytest.raises(AssertionError, match="gradient of input 0"):
            check_row(row("wrong_cube", lambda t, a: wrong_cube(a), randn(3)))
    finally:
        del autograd.PRIMITIVES["wrong_cube"]
