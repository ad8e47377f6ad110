"""The recorded graph: Node (a tensor's ``grad_fn``), AccumulateGrad (a leaf, as ``next_functions`` shows it),
the nodes of ops with several outputs, and tensor hooks.

Nothing here runs per op but the Node subclasses ``@primitive`` makes; the rest is looked at when a user
walks the graph (``grad_fn.next_functions``), registers a hook, or an op returns several tensors.
"""
import itertools
import weakref

import numpy as np


class Node:
    """One recorded operation: the ``grad_fn`` of the tensor it produced.

    Each primitive has its own subclass, named as PyTorch names it (``MulBackward0``), so that recording
    an op costs one small object. ``backward`` is the primitive's closure, ``inputs`` the op's positional
    arguments (Tensors, or constants such as arrays and numbers), ``needs`` which of them want a gradient,
    ``out_counter`` and ``out_data`` the result's version counter and array, ``clock`` the in-place edit
    clock when the op ran (see ``autograd.bump``). ``seq`` numbers nodes in creation order: a node is always
    created after the nodes of its inputs, which is all backward needs to order them. ``hooks`` holds the
    functions to call on the gradient of the result (``register_hook``, ``retain_grad``), or None.
    """
    __slots__ = ("backward", "inputs", "needs", "out_counter", "out_data", "clock", "seq", "takes_needs", "hooks",
                 "__weakref__")

    def name(self):
        """The node's name, as PyTorch prints it (``MulBackward0``)."""
        return type(self).__name__

    @property
    def next_functions(self):
        """``((node, input_nr), ...)``: for each input, the node its gradient goes to: the input's grad_fn, an
        AccumulateGrad for a leaf that requires grad, or None for a constant; as in PyTorch."""
        return tuple(_next(t, need, self.seq) for t, need in zip(self.inputs, self.needs))

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def check_saved(self):
        """Raise if a tensor that this node's backward saved was modified in place after it was saved.

        Recording an op stores only the edit clock, which is cheap; what was saved is looked up when an
        input or the result was edited after that: the arrays the backward closure captured (its saved
        tensors, as PyTorch calls them), compared with the edited tensor's memory. An edited tensor the
        closure did not keep (add keeps neither operand) is fine, exactly as in PyTorch.
        """
        edited = [(t._version, t.array) for t in self.inputs if hasattr(t, "_version") and t._version[1] > self.clock]
        if self.out_counter[1] > self.clock:
            edited.append((self.out_counter, self.out_data))
        kept = [c.cell_contents for c in self.backward.__closure__ or () if _holds_array(c)]
        for counter, data in edited:
            owner = data if data.base is None else data.base
            if any(v is data or v is owner or v.base is owner for v in kept):
                raise RuntimeError(f"{self.name()}: one of the tensors it saved for backward was modified in place "
                                   f"after it was saved (its version is now {counter[0]}), so the gradient would be "
                                   f"wrong. Modify a copy instead (x = x.clone()), or do the in-place update after "
                                   f"backward().")


def _holds_array(cell):
    try:
        return type(cell.cell_contents) is np.ndarray
    except ValueError:                         # an empty cell
        return False


class AccumulateGrad:
    """The node a leaf's gradient goes to (``variable`` is the leaf), as ``next_functions`` shows it.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.ones(2, requires_grad=True)
        >>> (w * 2).grad_fn.next_functions[0][0].variable is w
        True
    """
    __slots__ = ("variable", "__weakref__")
    _cache = weakref.WeakValueDictionary()     # id(leaf) -> its AccumulateGrad, so walking the graph twice agrees

    def __new__(cls, variable):
        node = cls._cache.get(id(variable))
        if node is None or node.variable is not variable:
            node = super().__new__(cls)
            node.variable = variable
            cls._cache[id(variable)] = node
        return node

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


previous = weakref.WeakKeyDictionary()          # node of an in-place op -> the tensor as it was before the op
last_rebase = [-1]                              # seq of the newest such node: older nodes may have a stale input


def rebase(node, before):
    """Record that an in-place op (``node``) replaced a tensor's history; ``before`` is the tensor as it was."""
    previous[node] = before
    last_rebase[0] = node.seq


def edge(t, seq):
    """Where input ``t`` of the node numbered ``seq`` sends its gradient: t's grad_fn when that node was recorded.
    Called when t's grad_fn is newer than the node: t was modified in place since, by the ops in ``previous``."""
    node = t.grad_fn
    while node is not None and node.seq > seq:
        before = previous.get(node)
        if before is None:
            break
        t, node = before, before.grad_fn
    return node or t


def _next(t, need, seq):
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None and grad_fn.seq > seq:
        grad_fn = edge(t, seq)
        grad_fn = grad_fn if isinstance(grad_fn, Node) else None
    if grad_fn is not None:
        return grad_fn, getattr(grad_fn, "output_nr", 0)
    if need:
        return AccumulateGrad(t), 0
    return None, 0


# ------------------------------------------------------------------------------------------------ several outputs

class MultiGrad(tuple):
    """The gradients of the outputs of an op with several outputs (None for those without one yet), as they
    arrive one output at a time; the op's backward gets it as its tuple of gradients.

    Backward sums the gradients arriving for a node with ``+``; this tuple's ``+`` fills in (or adds to) the
    slots, so the engine needs no special case.
    """
    __slots__ = ()

    def __add__(self, other):
        return MultiGrad(b if a is None else a if b is None else a + b for a, b in zip(self, other))


class OutputNode(Node):
    """The grad_fn of output ``output_nr`` of an op with several outputs: it hands its gradient to the op's node
    (through a hidden tensor) in a MultiGrad. It prints and walks as the op's node, as in PyTorch."""
    __slots__ = ("output_nr", "op_node")

    @property
    def next_functions(self):
        return self.op_node.next_functions


def output_node_type(op_type):
    """The OutputNode subclass for the outputs of ``op_type``'s ops, named as ``op_type``."""
    kind = _output_types.get(op_type)
    if kind is None:
        kind = _output_types[op_type] = type(op_type.__name__, (OutputNode,), {"__slots__": (),
                                                                               "__module__": op_type.__module__})
    return kind


_output_types = weakref.WeakKeyDictionary()


def select_backward(i, n):
    """The backward of output i of n: its gradient as a MultiGrad with only slot i filled."""
    def backward(g):
        grads = [None] * n
        grads[i] = g
        return (MultiGrad(grads),)
    return backward


# ------------------------------------------------------------------------------------------------ hooks

_hook_ids = itertools.count()


class RemovableHandle:
    """What registering a hook returns: ``remove()`` unregisters it (PyTorch's ``RemovableHandle``).

    Example:
        >>> hooks = {}
        >>> handle = RemovableHandle(hooks, 0); hooks[0] = print
        >>> handle.remove(); hooks
        {}
    """

    def __init__(self, hooks, key):
        self.hooks, self.id = hooks, key

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(node_or_key, fn, kind=0, table=None):
    """Register ``fn`` on a node (its ``hooks``) or, for a leaf, in ``table`` under ``node_or_key``; a handle.
    Kind 0 (user hooks, in order) runs first, then 1 (retain_grad), then 2 (grad() catching its result)."""
    if table is None:
        if node_or_key.hooks is None:
            node_or_key.hooks = {}
        hooks = node_or_key.hooks
    else:
        hooks = table.setdefault(node_or_key, {})
    key = next(_hook_ids)
    hooks[key] = (kind, fn)
    return RemovableHandle(hooks, key)


def run_hooks(hooks, g, wrap):
    """Apply hooks to the gradient array g: a user hook may return a replacement tensor; retain/capture hooks
    only look. ``wrap`` turns an array into a Tensor (without copying)."""
    for kind, fn in sorted(hooks.values(), key=lambda h: h[0]):    # stable: each kind in registration order
        if kind == 0:
            out = fn(wrap(g))
            if out is not None:
                g = out.array if hasattr(out, "array") else np.asarray(out)
        else:
            fn(g)
    return g


leaf_hooks = {}                                # id(leaf) -> its hooks (register_hook on a leaf)


def leaf_hook(t, g):
    """The gradient g of leaf t after t's hooks."""
    hooks = leaf_hooks.get(id(t))
    return g if hooks is None else run_hooks(hooks, g, type(t)._wrap)


def register_hook(tensor, hook):
    """Call ``hook(grad)`` with the gradient of ``tensor`` each time backward computes it; the hook may return a
    replacement gradient. For a leaf it runs before the gradient is added into ``.grad``. ``tensor.register_hook``
    calls this. Returns a handle whose ``remove()`` unregisters the hook.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward(); x.grad
        tensor([20., 40.])
        >>> h.remove()
    """
    if not tensor._requires_grad:
        raise RuntimeError("register_hook(): cannot register a hook on a tensor that does not require grad.")
    if tensor.grad_fn is not None:
        return add_hook(tensor.grad_fn, hook)
    key = id(tensor)
    if key not in leaf_hooks:
        weakref.finalize(tensor, leaf_hooks.pop, key, None)
    return add_hook(key, hook, table=leaf_hooks)


def retain_grad(tensor):
    """Keep the gradient of non-leaf ``tensor`` in its ``.grad`` after backward (after its other hooks ran)."""
    node = tensor.grad_fn
    if node is None or retains_grad(tensor):        # a leaf keeps its .grad anyway
        return
    ref = weakref.ref(tensor)

    def retain(g):
        out = ref()
        if out is not None:
            out.grad = type(out)._wrap(g.copy()) if out.grad is None else out.grad + type(out)._wrap(g)
    add_hook(node, retain, kind=1)


def retains_grad(tensor):
    """True if retain_grad() was called on this non-leaf tensor."""
    node = tensor.grad_fn
    return node is not None and node.hooks is not None and any(kind == 1 for kind, _ in node.hooks.values())


_hooked = [0]                    # leaves holding post-accumulate hooks; while 0, backward skips looking for them


def register_post_accumulate_grad_hook(tensor, hook):
    """Call ``hook(tensor)`` after every backward that accumulated a gradient into leaf ``tensor``'s ``.grad``.

    Hooks run once backward has stored every leaf's gradient, leaf by leaf in the order the gradients were
    reached (the last layer's parameters first). Data-parallel training uses them to average gradients
    across processes before the optimizer step (see ``nn.parallel.DistributedDataParallel``). The hooks live
    on the tensor, so they go when it goes.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.ones(2, requires_grad=True)
        >>> handle = w.register_post_accumulate_grad_hook(lambda t: print("grad:", t.grad))
        >>> (w * 3).sum().backward()
        grad: tensor([3., 3.])
        >>> handle.remove()
    """
    if not tensor._requires_grad or tensor.grad_fn is not None:
        raise RuntimeError("register_post_accumulate_grad_hook(): expected a leaf tensor that requires grad, got "
                           + ("a computed tensor (it has a grad_fn)." if tensor.grad_fn is not None
                              else "one that does not require grad."))
    if not callable(hook):
        raise TypeError(f"register_post_accumulate_grad_hook(): expected a callable hook, got {type(hook).__name__}.")
    hooks = getattr(tensor, "_post_accumulate_hooks", None)
    if hooks is None:
        hooks = tensor._post_accumulate_hooks = {}
        weakref.finalize(tensor, _forget_hooked)
        _hooked[0] += 1
    handle = RemovableHandle(hooks, next(_hook_ids))
    hooks[handle.id] = hook
    return handle


def _forget_hooked():
    _hooked[0] -= 1


def run_post_accumulate_hooks(leaves):
    """Call the post-accumulate hooks of each leaf (after backward stored every leaf's gradient)."""
    for t in leaves:
        hooks = getattr(t, "_post_accumulate_hooks", None)
        if hooks:
            for hook in list(hooks.values()):
                hook(t)
