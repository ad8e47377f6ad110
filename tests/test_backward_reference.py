"""The optimised backward pass (autograd.backward: newest node first, a heap only where graphs branch, leaf
gradients stored without copies) against the plain textbook one kept here: micrograd's topological sort, then
every node's closure once in reverse order, gradients summed in a dict. Checked on random graphs with fan-out,
broadcasting, views, unused branches and nodes reached along paths of different lengths."""
import numpy as np
import pytest

import lucidnet
from lucidnet.tensor import Tensor


def reference_backward(out):
    """micrograd's backward for a scalar ``out``: {id(leaf): (leaf, gradient)}. Leaves' ``.grad`` are not touched,
    and every closure is kept (so the engine can run afterwards on the same graph)."""
    order, seen = [], set()

    def visit(node):                           # depth-first: a node after every node it depends on
        if id(node) in seen:
            return
        seen.add(id(node))
        for t in node.inputs:
            if isinstance(t, Tensor) and t.grad_fn is not None:
                visit(t.grad_fn)
        order.append(node)
    visit(out.grad_fn)
    grads = {id(out.grad_fn): np.ones_like(out.array)}
    leaves = {}
    for node in reversed(order):               # consumers before producers: each gradient is complete
        g = grads.pop(id(node))
        in_grads = node.backward(g, node.needs) if node.takes_needs else node.backward(g)
        for t, need, ig in zip(node.inputs, node.needs, in_grads):
            if not need or ig is None:
                continue
            if t.grad_fn is not None:
                grads[id(t.grad_fn)] = grads.get(id(t.grad_fn), 0) + ig
            else:
                leaves[id(t)] = (t, leaves[id(t)][1] + ig if id(t) in leaves else ig)
    return leaves


UNARY = [lambda a: a.tanh(), lambda a: a.sin(), lambda a: (a * 0.5).exp(), lambda a: a.relu(), lambda a: a * a,
         lambda a: -a, lambda a: a.sigmoid(), lambda a: a.sum(dim=0, keepdim=True),
         lambda a: a.mean(dim=-1, keepdim=True),
         lambda a: a[..., ::-1], lambda a: a.reshape(-1).reshape(a.shape),
         lambda a: lucidnet.cat([a, a], dim=-1)[..., 1:a.shape[-1] + 1]]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1.0),
          lambda a, b: lucidnet.maximum(a, b), lambda a, b: lucidnet.where(a > b, a, b * 2.0)]
SHAPES = [(3, 4), (4,), (1, 4), (3, 1)]


def random_graph(seed):
    """Leaves of broadcastable shapes and 12-30 random ops over everything made so far (so values are used many
    times, along paths of different lengths); the output sums a random subset of them (some stay unused)."""
    rng = np.random.default_rng(seed)
    leaves = [lucidnet.tensor(rng.normal(size=SHAPES[int(rng.integers(len(SHAPES)))]), dtype=lucidnet.float64,
                              requires_grad=True) for _ in range(int(rng.integers(2, 6)))]
    pool = list(leaves)
    for _ in range(int(rng.integers(12, 31))):
        if rng.random() < 0.4:
            pool.append(UNARY[int(rng.integers(len(UNARY)))](pool[int(rng.integers(len(pool)))]))
        else:
            a, b = (pool[int(i)] for i in rng.integers(len(pool), size=2))
            pool.append(BINARY[int(rng.integers(len(BINARY)))](a, b))
    used = [t for t in pool[len(leaves):] if rng.random() < 0.5] or pool[-1:]
    out = used[0].sum()
    for t in used[1:]:
        out = out + t.sum() * float(rng.uniform(0.5, 2.0))
    return leaves, out


@pytest.mark.parametrize("seed", range(40))
def test_the_engine_equals_the_textbook_backward_on_random_graphs(seed):
    leaves, out = random_graph(seed)
    expected = reference_backward(out)
    out.backward()
    for leaf in leaves:
        if id(leaf) in expected:
            np.testing.assert_allclose(leaf.grad.array, expected[id(leaf)][1], rtol=1e-12, atol=1e-12)
        else:
            assert leaf.grad is None                       # a leaf the output does not depend on: no gradient


def test_the_reference_is_right_on_a_graph_with_a_known_gradient():
    x = lucidnet.tensor([1.0, 2.0], dtype=lucidnet.float64, requires_grad=True)
    y = x * x
    out = (y + y * x + x).sum()                            # d/dx (x^2 + x^3 + x) = 2x + 3x^2 + 1
    ((_, g),) = reference_backward(out).values()
    np.testing.assert_allclose(g, [6.0, 17.0])
