"""Autograd semantics: accumulation, leaves, grad_fn, retain_grad/retain_graph, grad modes, detach,
vector-Jacobian products, graph shapes (unused branches, reuse, deep chains) and gradient memory."""
import sys

import numpy as np
import pytest

import lucidnet
from lucidnet import autograd


def leaf(*values, dtype=None):
    return lucidnet.tensor(list(values), dtype=dtype, requires_grad=True)


# ------------------------------------------------------------------------------------------- accumulation

def test_gradients_accumulate_across_backward_calls():
    a = leaf(1.0, 2.0)
    (a * 3).sum().backward()
    (a * a).sum().backward()
    np.testing.assert_allclose(a.grad.array, [3 + 2, 3 + 4])
    grad = a.grad
    (a * 1).sum().backward()
    assert a.grad is grad                                         # accumulated in place, as PyTorch


def test_zeroing_grad_restarts_accumulation():
    a = leaf(1.0, 2.0)
    (a * 3).sum().backward()
    a.grad.zero_()
    (a * 2).sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]
    a.grad = None
    (a * 5).sum().backward()
    assert a.grad.tolist() == [5.0, 5.0]


def test_a_tensor_used_many_times_sums_its_gradients():
    a = leaf(2.0)
    y = a * a * a + a + a * 4 - a / a                            # 3a^2 + 1 + 4 = 17 at a = 2
    y.backward()
    assert a.grad.item() == pytest.approx(17.0)
    b = leaf(1.0, 2.0)
    terms = [b * i for i in range(100)]
    sum(terms, lucidnet.zeros(2)).sum().backward()
    assert b.grad.tolist() == [4950.0, 4950.0]


def test_an_unused_branch_gets_no_gradient():
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    unused = b * 3                                                # recorded, never reaches the loss
    (a * 2).sum().backward()
    assert a.grad.tolist() == [2.0, 2.0] and b.grad is None and unused.grad_fn is not None


def test_an_input_that_does_not_require_grad_gets_none():
    a, c = leaf(1.0, 2.0), lucidnet.tensor([3.0, 4.0])
    (a * c).sum().backward()
    assert c.grad is None and a.grad.tolist() == [3.0, 4.0]


def test_gradient_through_broadcasting_sums_back_to_each_shape():
    a = lucidnet.tensor([[1.0, 2.0, 3.0]], requires_grad=True)       # (1, 3)
    b = lucidnet.tensor([[1.0], [2.0]], requires_grad=True)          # (2, 1)
    (a * b).sum().backward()
    assert a.grad.tolist() == [[3.0, 3.0, 3.0]] and b.grad.tolist() == [[6.0], [6.0]]


def test_leaf_grads_never_alias_each_other():
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    (a + b).sum().backward()                                      # add hands the same array to both
    a.grad += 1
    assert b.grad.tolist() == [1.0, 1.0] and a.grad.tolist() == [2.0, 2.0]
    assert not np.shares_memory(a.grad.array, b.grad.array)


@pytest.mark.parametrize("build", [
    lambda a, b: (a.reshape(2, 1) + b.reshape(2, 1)).sum(),
    lambda a, b: (a + b).sum() + (a - b).sum(),
    lambda a, b: lucidnet.stack([a, b]).sum(),
    lambda a, b: (a.expand(3, 2) + b).sum(),
    lambda a, b: a.sum() + b.sum(),
    lambda a, b: (a + b)[0] + (a + b)[1],
], ids=["reshaped", "twice", "stack", "expand", "separate-sums", "indexed"])
def test_leaf_grads_are_separate_writable_arrays(build):
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    build(a, b).backward()
    before = b.grad.array.copy()
    a.grad.array += 100                                            # must not reach b.grad (or a broadcast view)
    np.testing.assert_array_equal(b.grad.array, before)
    assert a.grad.array.flags.writeable and b.grad.array.flags.writeable


def test_leaf_grad_does_not_alias_the_gradient_passed_in():
    a = leaf(1.0, 2.0)
    v = lucidnet.tensor([1.0, 1.0])
    (a * 1).backward(v)
    a.grad += 5
    assert v.tolist() == [1.0, 1.0]
    b = leaf(1.0, 2.0)
    b.backward(v)                                                 # backward on a leaf itself
    b.grad += 5
    assert v.tolist() == [1.0, 1.0] and b.grad.tolist() == [6.0, 6.0]


def test_grad_has_the_leafs_dtype():
    a = leaf(1.0, 2.0, dtype=lucidnet.float64)
    (a * 2).sum().backward()
    assert a.grad.dtype == lucidnet.float64
    b = leaf(1.0, 2.0)
    (b * lucidnet.tensor([1.0, 2.0], dtype=lucidnet.float64)).sum().backward()
    assert b.grad.dtype == lucidnet.float32


# ------------------------------------------------------------------------------------------- leaves and grad_fn

def test_leaf_and_non_leaf():
    a = leaf(1.0, 2.0)
    c = lucidnet.tensor([1.0, 2.0])
    h = a * 2
    assert a.is_leaf and c.is_leaf and not h.is_leaf
    assert a.grad_fn is None and h.grad_fn is not None
    assert h.requires_grad and not (c * 2).requires_grad and (c * 2).is_leaf
    with lucidnet.no_grad():
        z = a * 2
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None


def test_non_leaf_grad_is_none_unless_retained():
    a = leaf(1.0, 2.0)
    h = a * 2
    g = h * 3
    g.retain_grad()
    (g * g).sum().backward()
    assert h.grad is None
    np.testing.assert_allclose(g.grad.array, 2 * g.array)
    a.retain_grad()                                               # a no-op on leaves, as in PyTorch
    assert a.grad is not None


def test_retained_grads_accumulate():
    a = leaf(1.0, 2.0)
    h = a * 2
    h.retain_grad()
    (h * 3).sum().backward(retain_graph=True)
    (h * 3).sum().backward()
    assert h.grad.tolist() == [6.0, 6.0]


# Node names are PyTorch's (one per primitive: where PyTorch names an op's node after the form of its call, such as
# SelectBackward0 for a[0] and SliceBackward0 for a[1:], lucidnet's getitem is always IndexBackward0).
@pytest.mark.parametrize("expr,name", [
    (lambda t, a, b: a * b, "MulBackward0"), (lambda t, a, b: a + b, "AddBackward0"),
    (lambda t, a, b: a - b, "SubBackward0"), (lambda t, a, b: a / b, "DivBackward0"),
    (lambda t, a, b: -a, "NegBackward0"), (lambda t, a, b: a ** 2, "PowBackward0"),
    (lambda t, a, b: a ** b, "PowBackward1"), (lambda t, a, b: a.exp(), "ExpBackward0"),
    (lambda t, a, b: a.reshape(2, 2) @ b.reshape(2, 2), "MmBackward0"), (lambda t, a, b: a.sum(), "SumBackward0"),
    (lambda t, a, b: a.mean(), "MeanBackward0"), (lambda t, a, b: a[[0, 1]], "IndexBackward0"),
    (lambda t, a, b: a.reshape(2, 2), "ViewBackward0"), (lambda t, a, b: a.relu(), "ReluBackward0"),
    (lambda t, a, b: t.log_softmax(a, 0), "LogSoftmaxBackward0"), (lambda t, a, b: a.amax(), "AmaxBackward0"),
    (lambda t, a, b: t.cat([a, b]), "CatBackward0"), (lambda t, a, b: a.reshape(2, 2).transpose(0, 1),
                                                      "TransposeBackward0"),
    (lambda t, a, b: a[:1].expand(3), "ExpandBackward0"), (lambda t, a, b: a.double(), "ToCopyBackward0"),
    (lambda t, a, b: a.clamp(0, 1), "ClampBackward1"), (lambda t, a, b: a.sigmoid(), "SigmoidBackward0"),
    (lambda t, a, b: t.where(a > 2, a, b), "WhereBackward0"), (lambda t, a, b: a.prod(), "ProdBackward0"),
    (lambda t, a, b: a.cumsum(0), "CumsumBackward0"), (lambda t, a, b: a.norm(), "LinalgVectorNormBackward0"),
    (lambda t, a, b: a.floor(), "FloorBackward0"), (lambda t, a, b: t.atan2(a, b), "Atan2Backward0"),
    (lambda t, a, b: a.log1p(), "Log1PBackward0"),
    (lambda t, a, b: t.nn.functional.linear(a.reshape(2, 2), b.reshape(2, 2), a[:2]), "AddmmBackward0"),
    (lambda t, a, b: t.nn.functional.cross_entropy(a.reshape(2, 2), t.tensor([0, 1])), "NllLossBackward0"),
    (lambda t, a, b: t.linalg.det(a.reshape(2, 2)), "LinalgDetBackward0"),
    (lambda t, a, b: t.linalg.svd(a.reshape(2, 2))[1], "LinalgSvdBackward0"),
])
def test_grad_fn_is_named_as_in_pytorch(expr, name):
    import torch
    ours = expr(lucidnet, lucidnet.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True),
                lucidnet.tensor([3.0, 4.0, 5.0, 6.0], requires_grad=True))
    theirs = expr(torch, torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True),
                  torch.tensor([3.0, 4.0, 5.0, 6.0], requires_grad=True))
    assert type(theirs.grad_fn).__name__ == name
    assert type(ours.grad_fn).__name__ == name and ours.grad_fn.name() == name
    assert repr(ours.grad_fn).startswith(f"<{name} object at 0x")
    assert f"grad_fn=<{name}>)" in repr(ours)


def test_next_functions_walk_the_graph_as_pytorchs():
    import torch
    names = []
    for lib in (lucidnet, torch):
        a, b = lib.tensor([1.0], requires_grad=True), lib.tensor([2.0], requires_grad=True)
        y = (a * b).exp() + a * 2 + lib.tensor([1.0])
        walk = []
        for node, nr in y.grad_fn.next_functions:
            walk.append((None if node is None else type(node).__name__, nr))
        mul = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
        leaf_nodes = [n for n, _ in mul.next_functions]
        assert leaf_nodes[0].variable is a and leaf_nodes[1].variable is b
        names.append((walk, [type(n).__name__ for n in leaf_nodes]))
    assert names[0] == names[1]


def test_requires_grad_flag_and_method():
    x = lucidnet.zeros(2)
    assert x.requires_grad is False
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = lucidnet.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_(True) is y                            # already requires grad: allowed


def test_requires_grad_false_on_a_computed_tensor_raises():
    y = leaf(1.0) * 2
    with pytest.raises(RuntimeError, match=r"requires_grad: can only be changed on leaf tensors; use detach\(\)"):
        y.requires_grad_(False)


@pytest.mark.parametrize("make", [
    lambda: lucidnet.tensor([1, 2]).requires_grad_(),
    lambda: lucidnet.tensor([1, 2], requires_grad=True),
    lambda: lucidnet.zeros(2, dtype=lucidnet.int64, requires_grad=True),
    lambda: lucidnet.arange(3, requires_grad=True),
    lambda: lucidnet.tensor([True]).requires_grad_(),
])
def test_requires_grad_on_integer_or_bool_tensors_raises(make):
    with pytest.raises(RuntimeError, match=r"requires_grad: only floating point tensors can require gradients, "
                                           r"got dtype (int64|bool)\."):
        make()


# ------------------------------------------------------------------------------------------- backward

def test_backward_with_a_gradient_is_a_vector_jacobian_product():
    a = leaf(1.0, 2.0, 3.0)
    y = a * a                                                     # Jacobian diag(2a)
    y.backward(lucidnet.tensor([1.0, 0.1, 0.01]))
    np.testing.assert_allclose(a.grad.array, [2.0, 0.4, 0.06], rtol=1e-6)
    b = lucidnet.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = lucidnet.tensor([[1.0, -1.0], [0.5, 2.0]])
    (b @ w).backward(lucidnet.tensor([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(b.grad.array, [[1.0, 0.5], [-1.0, 2.0]])


def test_backward_accepts_lists_and_arrays_as_gradient():
    a = leaf(1.0, 2.0)
    (a * 2).backward([1.0, 1.0])
    (a * 2).backward(np.array([1.0, 1.0]))
    assert a.grad.tolist() == [4.0, 4.0]


def test_backward_of_a_one_element_tensor_needs_no_gradient():
    a = leaf(1.0, 2.0)
    a.sum().reshape(1, 1).backward()
    assert a.grad.tolist() == [1.0, 1.0]


def test_backward_on_a_leaf():
    a = lucidnet.tensor(2.0, requires_grad=True)
    a.backward()
    a.backward()
    assert a.grad.item() == 2.0


def test_second_backward_needs_retain_graph():
    a = leaf(1.0, 2.0)
    y = (a * a).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"trying to backward through the graph a second time; its saved arrays "
                                           r"were freed after the first backward\. Call "
                                           r"backward\(retain_graph=True\) the first time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    a = leaf(1.0, 2.0)
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad.tolist() == [6.0, 12.0]


def test_two_losses_sharing_a_subgraph():
    a = leaf(1.0, 2.0)
    h = a.exp()
    l1, l2 = h.sum(), (h * 2).sum()
    l1.backward(retain_graph=True)
    l2.backward()
    np.testing.assert_allclose(a.grad.array, 3 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_a_deep_chain_has_no_recursion_limit():
    a = lucidnet.tensor(1.0, dtype=lucidnet.float64, requires_grad=True)
    y = a
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    assert sys.getrecursionlimit() < 20_000
    y.backward()
    assert a.grad.item() == pytest.approx(1.0001 ** 10_000, rel=1e-9)
    del y                                                          # freeing a long chain must not recurse either


def test_a_wide_graph():
    xs = [lucidnet.tensor(float(i), requires_grad=True) for i in range(2000)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    total.backward()
    assert xs[0].grad.item() == 1.0 and xs[1999].grad.item() == 2 * 1999


def test_a_diamond_graph_runs_each_node_once():
    calls = []

    @autograd.primitive
    def counted(x):
        def backward(g):
            calls.append(1)
            return (g,)
        return x.copy(), backward
    try:
        a = leaf(1.0, 2.0)
        h = counted(a)
        (h * 2 + h.exp() + h).sum().backward()
        assert len(calls) == 1
        np.testing.assert_allclose(a.grad.array, 3 + np.exp([1.0, 2.0]), rtol=1e-6)
    finally:
        del autograd.PRIMITIVES["counted"]


def test_backward_is_told_which_inputs_need_grad():
    seen = []

    @autograd.primitive
    def probe(a, b):
        def backward(g, needs):
            seen.append(needs)
            return (g if needs[0] else None), (g if needs[1] else None)
        return a + b, backward
    try:
        a, c = leaf(1.0), lucidnet.tensor([2.0])
        probe(a, c).sum().backward()
        probe(c, a).sum().backward()
        assert seen == [(True, False), (False, True)]
        assert a.grad.tolist() == [2.0]
    finally:
        del autograd.PRIMITIVES["probe"]


def test_a_primitive_takes_static_keyword_arguments():
    a = lucidnet.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    lucidnet.ops.sum(a, axis=0, keepdims=True).backward(lucidnet.tensor([[1.0, 2.0]]))
    assert a.grad.tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert lucidnet.ops.sum.raw is autograd.PRIMITIVES["sum"]


# ------------------------------------------------------------------------------------------- grad modes

def test_no_grad_as_a_context_manager():
    a = leaf(1.0)
    with lucidnet.no_grad():
        y = a * 2
        assert not lucidnet.is_grad_enabled()
    assert lucidnet.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_as_a_decorator_with_and_without_parentheses():
    a = leaf(1.0)

    @lucidnet.no_grad()
    def with_parens(x):
        return x * 2

    @lucidnet.no_grad
    def bare(x):
        """Doubles x."""
        return x * 2

    assert not with_parens(a).requires_grad and not bare(a).requires_grad
    assert lucidnet.is_grad_enabled()
    assert bare.__name__ == "bare" and bare.__doc__ == "Doubles x."


def test_no_grad_decorated_function_can_recurse_and_raise():
    @lucidnet.no_grad()
    def f(n):
        if n == 0:
            raise ValueError("bottom")
        return f(n - 1)
    with pytest.raises(ValueError, match="bottom"):
        f(3)
    assert lucidnet.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError):
        with lucidnet.no_grad():
            raise KeyError
    assert lucidnet.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    a = leaf(1.0)
    with lucidnet.no_grad():
        with lucidnet.enable_grad():
            assert (a * 2).requires_grad
            with lucidnet.no_grad():
                assert not (a * 2).requires_grad
            assert lucidnet.is_grad_enabled()
        assert not (a * 2).requires_grad
    assert lucidnet.is_grad_enabled()


def test_enable_grad_as_a_decorator():
    a = leaf(1.0)

    @lucidnet.enable_grad()
    def f(x):
        return x * 2

    @lucidnet.enable_grad
    def g(x):
        return x * 2

    with lucidnet.no_grad():
        assert f(a).requires_grad and g(a).requires_grad
        assert not lucidnet.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context():
    a = leaf(1.0)
    lucidnet.set_grad_enabled(False)
    try:
        assert not (a * 2).requires_grad
    finally:
        lucidnet.set_grad_enabled(True)
    with lucidnet.set_grad_enabled(False):
        assert not lucidnet.is_grad_enabled()
    assert lucidnet.is_grad_enabled()
    with lucidnet.no_grad():
        with lucidnet.set_grad_enabled(True):
            assert (a * 2).requires_grad
        assert not lucidnet.is_grad_enabled()


def test_inference_mode_is_no_grad():
    with lucidnet.inference_mode():
        assert not (leaf(1.0) * 2).requires_grad


# ------------------------------------------------------------------------------------------- detach

def test_detach_shares_memory_and_leaves_the_graph():
    a = leaf(1.0, 2.0)
    h = a * 2
    d = h.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.array, h.array)
    d2 = a.detach()
    d2[0] = 10.0                                                   # visible through a, as in PyTorch
    assert a.tolist() == [10.0, 2.0]


def test_detached_values_stop_gradients():
    a = leaf(3.0)
    y = a * a.detach()
    y.backward()
    assert a.grad.item() == 3.0


def test_detach_in_place():
    a = leaf(1.0)
    h = a * 2
    assert h.detach_() is h and h.grad_fn is None and not h.requires_grad


def test_numpy_of_a_tensor_that_requires_grad_asks_for_detach():
    a = leaf(1.0)
    with pytest.raises(RuntimeError, match=r"numpy\(\): this tensor requires grad; call tensor.detach\(\).numpy\(\)"):
        a.numpy()
    assert a.detach().numpy().tolist() == [1.0]


def test_create_graph_is_refused_clearly():
    a = leaf(1.0)
    with pytest.raises(NotImplementedError, match=r"create_graph=True \(gradients of gradients\) is not supported"):
        (a * a).sum().backward(create_graph=True)


def test_a_zero_dim_leaf_gets_an_array_grad_it_can_zero():
    """A reduction's backward may hand a 0-d leaf a NumPy scalar; its .grad must still be a writable array
    (the tutorial's w.grad.zero_() after a scalar fit)."""
    w = lucidnet.tensor(3.0, requires_grad=True)
    (w * lucidnet.tensor([1.0, 2.0])).sum().backward()
    assert type(w.grad.array) is np.ndarray and w.grad.item() == 3.0
    w.grad.zero_()
    assert w.grad.item() == 0.0
