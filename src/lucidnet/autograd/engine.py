"""The backward pass: ``backward`` (into ``.grad``) and ``grad`` (returned), running the recorded nodes from the
outputs back to the leaves.

Nodes run from the newest to the oldest: every consumer of a tensor was recorded after it, so when a node runs
all of its gradient has arrived (``_run``). ``grad`` and ``backward(inputs=...)`` first find the nodes that lead
to the inputs (``_needed``) and run only those.
"""
import functools
import sys
from heapq import heappop, heappush, heapreplace

import numpy as np

from . import _clock, _new, graph
from .graph import Node, _hooked, leaf_hooks, retains_grad, run_post_accumulate_hooks


def _seed(tensor, gradient, where):
    """The gradient that starts backward at ``tensor``: ones for a one-element tensor, else ``gradient``."""
    if gradient is None:
        if tensor.array.size != 1:
            raise RuntimeError(f"{where}: needs a scalar output or an explicit gradient; "
                               f"this tensor has shape {tuple(tensor.array.shape)}.")
        seed = np.array(1, dtype=tensor.array.dtype)            # d out / d out = 1
        return seed.reshape(tensor.array.shape) if tensor.array.ndim else seed
    seed = np.array(gradient.array if isinstance(gradient, Tensor) else gradient, dtype=tensor.array.dtype)
    if seed.shape != tensor.array.shape:
        raise ValueError(f"{where}: expected a gradient of shape {tuple(tensor.array.shape)}, got {tuple(seed.shape)}.")
    return seed


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Run the chain rule from ``tensors`` back to the leaves, adding into their ``.grad`` (PyTorch's
    ``torch.autograd.backward``; ``tensor.backward(...)`` calls it).

    Args:
        tensors: a tensor or a sequence of tensors to differentiate.
        grad_tensors: the gradient of each (the vector of the vector-Jacobian product); may be omitted for
            one-element tensors.
        retain_graph: keep the graph for another backward through it.
        create_graph: not supported (lucidnet's backward closures compute with NumPy).
        inputs: only these tensors (leaves or not) get their ``.grad`` filled; default: every leaf.

    Example:
        >>> import lucidnet
        >>> a, b = lucidnet.tensor(2.0, requires_grad=True), lucidnet.tensor(3.0, requires_grad=True)
        >>> backward([a * b, a], inputs=[a]); a.grad, b.grad
        (tensor(4.), None)
    """
    if create_graph:
        raise NotImplementedError("backward(): create_graph=True (gradients of gradients) is not supported: "
                                  "lucidnet's backward closures compute with NumPy arrays, not recorded ops.")
    if isinstance(tensors, Tensor) and inputs is None:        # tensor.backward(): the training step's path
        tensor = tensors
        if not tensor._requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn; "
                               "create its inputs with requires_grad=True.")
        if grad_tensors is None and tensor.array.size == 1:     # d out / d out = 1
            seed = np.array(1, dtype=tensor.array.dtype)
            if tensor.array.ndim:
                seed = seed.reshape(tensor.array.shape)
        else:
            seed = _seed(tensor, grad_tensors, "backward()")
        leaves = {tensor: seed} if tensor.grad_fn is None else _run({tensor.grad_fn: seed}, bool(retain_graph))
        _store_leaf_grads(leaves)              # (backward on a leaf: its gradient is the seed itself)
        if _hooked[0]:
            run_post_accumulate_hooks(leaves)
        return
    tensors, seeds = _roots(tensors, grad_tensors, "backward()")
    if inputs is None:
        leaf_seeds = {}
        node_seeds = {}
        for t, s in zip(tensors, seeds):
            table = node_seeds if t.grad_fn is not None else leaf_seeds
            key = t.grad_fn or t
            table[key] = table[key] + s if key in table else s
        grads = _run(node_seeds, bool(retain_graph)) if node_seeds else {}
        for t, s in leaf_seeds.items():
            grads[t] = grads[t] + s if t in grads else s
        _store_leaf_grads(grads)
        if _hooked[0]:
            run_post_accumulate_hooks(grads)
        return
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not inputs:
        raise RuntimeError("backward(): expected a non-empty sequence of tensors as inputs, got an empty one.")
    grads = _differentiate(tensors, seeds, _check_inputs(inputs, "backward()"), bool(retain_graph))
    for t, g in zip(inputs, grads):
        if g is not None and not retains_grad(t):           # retain_grad() stored it already
            _store_grad(t, g)
    if _hooked[0]:
        run_post_accumulate_hooks([t for t, g in zip(inputs, grads) if g is not None and t.grad_fn is None])


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of added into ``.grad``
    (PyTorch's ``torch.autograd.grad``). Only the part of the graph that leads to ``inputs`` runs.

    Args:
        outputs: a tensor or a sequence of tensors.
        inputs: a tensor or a sequence of tensors (leaves or not) to differentiate with respect to.
        grad_outputs: the gradient of each output; may be omitted (None) for one-element outputs.
        retain_graph: keep the graph for another backward through it.
        create_graph: not supported (lucidnet's backward closures compute with NumPy).
        allow_unused: return None for an input the outputs do not depend on, instead of raising.
        materialize_grads: return zeros instead of None for such inputs.

    Returns:
        a tuple with one gradient (or None) per input.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([1.0, 2.0], requires_grad=True)
        >>> grad((x ** 3).sum(), x)
        (tensor([ 3., 12.]),)
        >>> x.grad is None
        True
    """
    if create_graph:
        raise NotImplementedError("grad(): create_graph=True (gradients of gradients) is not supported: "
                                  "lucidnet's backward closures compute with NumPy arrays, not recorded ops.")
    if is_grads_batched:
        raise NotImplementedError("grad(): is_grads_batched=True is not supported; call grad() once per vector.")
    outputs, seeds = _roots(outputs, grad_outputs, "grad()")
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    grads = _differentiate(outputs, seeds, _check_inputs(inputs, "grad()"), bool(retain_graph))
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t.array)
            elif not allow_unused:
                raise RuntimeError(f"grad(): input {i} (shape {tuple(t.array.shape)}) was not used to compute the "
                                   f"outputs, so it has no gradient. Pass allow_unused=True to get None for it.")
            else:
                result.append(None)
                continue
        result.append(Tensor._wrap(_own_array(g, t.array.dtype)))
    return tuple(result)


def _roots(tensors, gradients, where):
    """The tensors to start from and their seed gradients, checked."""
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if gradients is None or isinstance(gradients, (Tensor, np.ndarray)):
        gradients = (gradients,) * len(tensors) if gradients is None else (gradients,)
    gradients = tuple(gradients)
    if len(gradients) != len(tensors):
        raise ValueError(f"{where}: expected one gradient per tensor ({len(tensors)}), got {len(gradients)}.")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected tensors to differentiate, got {type(t).__name__} at position {i}.")
        if not t._requires_grad:
            raise RuntimeError(f"{where}: element {i} of the tensors does not require grad and has no grad_fn; "
                               f"create its inputs with requires_grad=True.")
    return tensors, [_seed(t, g, where) for t, g in zip(tensors, gradients)]


def _check_inputs(inputs, where):
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected tensors as inputs, got {type(t).__name__} at position {i}.")
        if not t._requires_grad:
            raise RuntimeError(f"{where}: input {i} does not require grad, so it has no gradient; create it with "
                               f"requires_grad=True.")
    return inputs


def _differentiate(outputs, seeds, inputs, retain_graph):
    """The gradient arrays (None where unused) of ``outputs`` (seeded with ``seeds``) for ``inputs``, running
    only the nodes that lead to an input, and storing nothing into ``.grad``."""
    targets = {t.grad_fn or t for t in inputs}
    node_seeds, leaf_grads = {}, {}
    for t, s in zip(outputs, seeds):
        key = t.grad_fn or t
        table = node_seeds if t.grad_fn is not None else leaf_grads
        table[key] = table[key] + s if key in table else s
    captured, handles = {}, []
    for key in targets:
        if isinstance(key, Node):              # a non-leaf input: catch its gradient as its node runs
            handles.append(graph.add_hook(key, functools.partial(captured.__setitem__, key), kind=2))
    try:
        needed = _needed(node_seeds, targets)
        roots = {n: s for n, s in node_seeds.items() if n in needed}
        grads = _run(roots, retain_graph, needed) if roots else {}
    finally:
        for h in handles:
            h.remove()
    for t, s in leaf_grads.items():
        grads[t] = grads[t] + s if t in grads else s
    out = []
    for t in inputs:
        key = t.grad_fn or t
        if isinstance(key, Node):
            out.append(captured.get(key))
        else:
            g = grads.get(key)
            if g is not None and leaf_hooks:
                g = graph.leaf_hook(t, g)
            out.append(g)
    return out


def _needed(roots, targets):
    """The nodes from which a target (a node, or a leaf tensor) can be reached: the only ones worth running."""
    order, stack = [], list(roots)
    seen = set(roots)
    while stack:
        node = stack.pop()
        order.append(node)
        for key in _edges(node):
            if isinstance(key, Node) and key not in seen:
                seen.add(key)
                stack.append(key)
    needed = {t for t in targets if not isinstance(t, Node)}     # leaves: gradients flow into them
    for node in sorted(order, key=lambda n: n.seq):        # inputs' nodes are older: they are decided first
        if node in targets or any(key in needed or key in targets for key in _edges(node)):
            needed.add(node)
    return needed


def _edges(node):
    """The keys (nodes, or leaf tensors) that node's inputs which need a gradient send it to."""
    for t, need in zip(node.inputs, node.needs):
        if need:
            key = t.grad_fn or t
            yield graph.edge(t, node.seq) if key is not t and key.seq > node.seq else key


def _run(seeds, retain_graph, needed=None):
    """:func:`_run_nodes` with NumPy's floating-point warnings off: as in PyTorch, an inf or nan in a gradient
    passes without a word (a diverging loss is reported once, where it is computed: fit, the CLI)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run_nodes(seeds, retain_graph, needed)


def _run_nodes(seeds, retain_graph, needed=None):
    """Run the nodes from ``seeds`` ({node: gradient}) back to the leaves; return {leaf tensor: gradient}.

    Nodes run from the newest to the oldest. Every consumer of a node's output was created after it, so
    when a node runs, all its gradient has arrived. The nodes waiting their turn are a max-heap on
    creation order; the newest one a node hands a gradient to skips the heap when it is also the newest
    of all waiting (along a chain of ops, every one: the heap stays empty). With ``needed``, gradients only
    flow into those nodes and leaves (grad() with respect to some inputs).
    """
    grads = dict(seeds)                        # node or leaf tensor -> its gradient, summed so far
    heap = []                                  # (-seq, node) of the waiting nodes but `node`
    rebased = graph.last_rebase[0]             # nodes older than the last in-place op on a graph tensor may need
    checks = needed is not None or rebased >= 0    # graph.edge for their inputs; without either, no edge checks
    for n in seeds:
        heappush(heap, (-n.seq, n))
    node = heappop(heap)[1] if heap else None
    while node is not None:
        g = grads.pop(node)
        node_backward = node.backward
        if node_backward is None:
            raise RuntimeError(f"{node.name()}: trying to backward through the graph a second time; its saved "
                               f"arrays were freed after the first backward. Call backward(retain_graph=True) "
                               f"the first time if you need to backward twice.")
        if node.hooks is not None:             # register_hook, retain_grad
            g = graph.run_hooks(node.hooks, g, Tensor._wrap)
        if node.clock != _clock[0]:
            node.check_saved()                 # something was edited in place since the op ran: was it saved?
        needs = node.needs
        in_grads = node_backward(g, needs) if node.takes_needs else node_backward(g)
        nxt = None
        rare = checks and (needed is not None or node.seq < rebased)
        for t, need, ig in zip(node.inputs, needs, in_grads):
            if not need or ig is None:
                continue
            # Sums are out of place: an array may be the gradient of several inputs (add passes g to both).
            key = t.grad_fn or t               # a leaf collects its gradient under its own name
            if rare:
                if key is not t and key.seq > node.seq:
                    key = graph.edge(t, node.seq)  # t was modified in place after this node used it
                if needed is not None and key not in needed:
                    continue
            if key in grads:
                grads[key] = grads[key] + ig
            else:
                grads[key] = ig
                if key is not t:               # a node to run: keep the newest aside, queue the others
                    if nxt is None:
                        nxt = key
                    elif key.seq > nxt.seq:
                        heappush(heap, (-nxt.seq, nxt))
                        nxt = key
                    else:
                        heappush(heap, (-key.seq, key))
        if not retain_graph:
            node.backward = None               # free what the closure saved
        if heap and (nxt is None or -heap[0][0] > nxt.seq):
            node = heappop(heap)[1] if nxt is None else heapreplace(heap, (-nxt.seq, nxt))[1]
        else:
            node = nxt
    return grads                               # every node was popped: what is left are the leaves


# ----------------------------------------------------------------------------------------------- leaves

def _own_array(g, dtype):
    """g as a writable array of ``dtype`` that nothing else holds (a new .grad or a result of grad())."""
    if type(g) is not np.ndarray:              # a NumPy scalar, from a reduction's backward
        g = np.asarray(g)
    if g.dtype != dtype:
        return g.astype(dtype)
    return g if g.flags.writeable and g.base is None else g.copy()


_references = getattr(sys, "getrefcount", None)    # how many references an object has (None: not CPython)


def _one_name():
    x = np.empty(0)                            # an array that only this name holds
    return _references(x)


# What _references says of such an array (2 on CPython 3.11: the name and the call's argument), measured so;
# None where Python counts no references (PyPy): then a zeroed gradient is added into, as everywhere else.
_ONE_NAME = _one_name() if _references else None


def _store_grad(t, g):
    """Add g into t.grad (a leaf or, with backward(inputs=...), any tensor)."""
    if t.grad is not None:
        t.grad.array += g
        t.grad._zeroed_at = None
    else:
        t.grad = Tensor._wrap(_own_array(g, t.array.dtype))


def _accumulate(grad, g, taken, held):
    """``grad.array += g``, the accumulation of gradients across backward calls, as PyTorch's (the tensor ``grad``
    keeps its identity). ``held``: the references to ``g`` that the caller holds (a dict entry, a local name).

    The training loop of the tutorials zeroes every gradient (``w.grad.zero_()``) before each backward, so this
    usually adds a whole new gradient to zeros: a pass over three arrays for nothing. When ``zero_()`` was the
    last edit of ``grad`` (its mark, ``_zeroed_at``, is the clock of its version counter's last edit) and no one
    else can see either array (no views, no handles: CPython's reference counts, as NumPy's own elision of
    temporaries checks them), ``grad`` takes over ``g``'s memory instead: 0 + g is g. The zeros it held are
    kept beside it (``_kept_zeros``), still zeros and seen by no one, for the next ``zero_()`` to take back
    instead of writing zeros over the gradient again (:func:`take_kept_zeros`).

    Example:
        >>> import lucidnet
        >>> w = lucidnet.ones(3, requires_grad=True)
        >>> (2 * w).sum().backward()
        >>> grad = w.grad.zero_()
        >>> (3 * w).sum().backward(); w.grad is grad, w.grad
        (True, tensor([3., 3., 3.]))
    """
    arr = grad.array
    if (getattr(grad, "_zeroed_at", None) == grad._version[1] and type(g) is np.ndarray and g.base is None
            and arr.base is None and g.dtype is arr.dtype and g.shape == arr.shape and g.strides == arr.strides
            and _ONE_NAME and _references(arr) == _ONE_NAME + 1 and _references(g) == _ONE_NAME + held
            and id(g) not in taken and g.flags.writeable):         # (+1: grad.array)
        grad.array = g
        grad._kept_zeros = arr
        taken.add(id(g))
    else:
        arr += g
    grad._zeroed_at = None


def take_kept_zeros(t):
    """``t.zero_()`` without writing a zero: t takes back the zeros that backward took its gradient's memory from
    (:func:`_accumulate`), when nothing else can see t's array (else its holders must see the zeros) and they
    still fit it. True if it did; else the caller fills t's array with zeros.

    Each step of a loop that zeroes its gradients then swaps two buffers, one of them always zeros, instead of
    writing every weight's gradient twice (zeros, then the gradient).

    Example:
        >>> import lucidnet
        >>> w = lucidnet.ones(3, requires_grad=True)
        >>> (2 * w).sum().backward(); w.grad.zero_()
        tensor([0., 0., 0.])
        >>> (3 * w).sum().backward(); w.grad.zero_()         # takes back the zeros backward left beside it
        tensor([0., 0., 0.])
    """
    zeros = getattr(t, "_kept_zeros", None)
    if zeros is None:
        return False
    arr = t.array
    if (zeros.shape == arr.shape and zeros.dtype is arr.dtype and zeros.strides == arr.strides
            and _ONE_NAME and _references(arr) == _ONE_NAME + 1):     # (+1: t.array)
        t.array, t._kept_zeros = zeros, None
        return True
    return False


def _store_leaf_grads(leaf_grads):
    """Add each leaf's gradient into its ``.grad``. A new .grad takes the array without copying when
    nothing else can see it (the pass is over, so only another leaf's .grad could share its memory)."""
    taken = set()
    for t in leaf_grads:                       # (not .items(): its cached pair would hold g once more)
        g = leaf_grads[t]
        if leaf_hooks:
            g = graph.leaf_hook(t, g)
        data = t.array
        if type(g) is not np.ndarray:          # a NumPy scalar, from a reduction's backward
            g = np.asarray(g)
        if g.dtype is not data.dtype and g.dtype != data.dtype:
            g = g.astype(data.dtype)
        if t.grad is not None:                 # accumulate across backward calls, in place like PyTorch
            _accumulate(t.grad, g, taken, 2 if leaf_grads[t] is g else 1)
            continue
        owner = g.base
        if owner is None:
            owner = g
        elif not g.flags.writeable:            # a broadcast view
            owner = g = g.copy()
        if id(owner) in taken:                 # memory another leaf already holds
            owner = g = g.copy()
        taken.add(id(owner))
        grad = t.grad = _new(Tensor)           # Tensor._wrap(g), written out
        grad.array, grad.grad, grad.grad_fn, grad._requires_grad, grad._version = g, None, None, False, [0, 0]


from ..tensor import Tensor  # noqa: E402  (bottom import: tensor.py imports the autograd package first)
