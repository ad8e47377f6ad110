"""Reverse-mode automatic differentiation: the @primitive decorator, the PRIMITIVES registry,
grad mode (no_grad), unbroadcast, and the backward pass.

How it works, in four sentences. A primitive is a NumPy function that returns its result together
with a ``backward`` closure mapping the gradient of the result to the gradients of its inputs.
``@primitive`` wraps it to take and return Tensors and, when an input requires grad, records a
``Node`` (the result's ``grad_fn``) that remembers the closure and the input tensors. ``backward()``
runs the closures from the output back to the leaves, newest node first, summing gradients where a
tensor was used twice (the multivariate chain rule). Arrays that a closure captured are its *saved
tensors*: modifying one in place before backward is detected by a version counter and raises, instead
of giving silently wrong gradients.

Recording runs for every op of every training step, so it is kept to a few stores: a node notes the
clock of in-place edits, and only when that clock has moved by backward time does it look at what its
closure saved (``Node.check_saved``).
"""
import contextlib
import functools
import itertools
import weakref
from heapq import heappop, heappush, heapreplace

import numpy as np

PRIMITIVES = {}          # name -> the raw NumPy function (arrays in, (out, backward) out); tests enumerate it
_grad_enabled = True


# ----------------------------------------------------------------------------------------------- grad mode

def is_grad_enabled():
    """True when operations are being recorded for backward.

    Example:
        >>> with no_grad():
        ...     is_grad_enabled()
        False
    """
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn recording on or off: as a function call, a context manager or a decorator.

    Example:
        >>> with set_grad_enabled(False):
        ...     is_grad_enabled()
        False
    """

    def __init__(self, mode=True):
        global _grad_enabled
        self.prev, self.mode = _grad_enabled, bool(mode)
        _grad_enabled = self.mode              # PyTorch's set_grad_enabled acts at once, too

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.prev
        return False

    def _recreate_cm(self):                    # a fresh state per decorated call (recursion-safe)
        return type(self)(self.mode)


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator that stops recording operations for backward.

    Used for inference and for updating weights by hand. Works as ``with no_grad():``,
    ``@no_grad()`` and ``@no_grad``.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.ones(2, requires_grad=True)
        >>> with lucidnet.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """
    _mode = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):                     # bare @no_grad on a function
            return self(func)
        return self

    def __init__(self, func=None):
        pass

    def __enter__(self):
        global _grad_enabled
        self.prev, _grad_enabled = _grad_enabled, self._mode
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.prev
        return False

    def _recreate_cm(self):
        return type(self)()


class enable_grad(no_grad):
    """Turn recording back on inside a ``no_grad`` block; also a decorator.

    Example:
        >>> with no_grad():
        ...     with enable_grad():
        ...         is_grad_enabled()
        True
    """
    _mode = True


inference_mode = no_grad


# ----------------------------------------------------------------------------------------------- the graph

class Node:
    """One recorded operation: the ``grad_fn`` of the tensor it produced.

    Each primitive has its own subclass, named as PyTorch names it (``MulBackward``), so that recording
    an op costs one small object. ``backward`` is the primitive's closure, ``inputs`` the op's positional
    arguments (Tensors, or constants such as arrays and numbers), ``needs`` which of them want a gradient,
    ``out_counter`` and ``out_data`` the result's version counter and array, ``clock`` the in-place edit
    clock when the op ran (see :func:`bump`). ``seq`` numbers nodes in creation order: a node is always
    created after the nodes of its inputs, which is all backward needs to order them.
    """
    __slots__ = ("backward", "inputs", "needs", "out_counter", "out_data", "clock", "seq", "takes_needs", "retained",
                 "__weakref__")
    name = "Backward"

    @property
    def next_functions(self):
        """The grad_fn of each input (``None`` for leaves and constants), as in PyTorch."""
        return tuple((t.grad_fn if isinstance(t, Tensor) else None) for t in self.inputs)

    def __repr__(self):
        return f"<{self.name}>"

    def check_saved(self):
        """Raise if a tensor that this node's backward saved was modified in place after the op ran.

        Recording an op stores only the edit clock, which is cheap; what was saved is looked up when an
        input or the result was edited after that: the arrays the backward closure captured (its saved
        tensors, as PyTorch calls them), compared with the edited tensor's memory. An edited tensor the
        closure did not keep (add keeps neither operand) is fine, exactly as in PyTorch.
        """
        edited = [(t._version, t.array) for t in self.inputs if isinstance(t, Tensor) and t._version[1] > self.clock]
        if self.out_counter[1] > self.clock:
            edited.append((self.out_counter, self.out_data))
        kept = [c.cell_contents for c in self.backward.__closure__ or () if _holds_array(c)]
        for counter, data in edited:
            owner = data if data.base is None else data.base
            if any(v is data or v is owner or v.base is owner for v in kept):
                raise RuntimeError(f"{self.name}: one of the tensors it saved for backward was modified in place "
                                   f"after it was saved (its version is now {counter[0]}), so the gradient would be "
                                   f"wrong. Modify a copy instead (x = x.clone()), or do the in-place update after "
                                   f"backward().")


def _holds_array(cell):
    try:
        return type(cell.cell_contents) is np.ndarray
    except ValueError:                         # an empty cell
        return False


_new = object.__new__
_sequence = itertools.count()
_clock = [0]                                   # in-place edits so far, all tensors together


def bump(counter):
    """Record an in-place edit of the tensors that share the version ``counter`` ([version, clock]).

    Their version goes up by one, and the counter is stamped with the edit clock, so a node whose op
    ran before the edit sees it at backward time. Backward compares one number per node with the clock
    and looks closer only when something was edited since that node was recorded.

    Example:
        >>> counter = [0, 0]
        >>> bump(counter); counter[0]
        1
    """
    _clock[0] += 1
    counter[0] += 1
    counter[1] = _clock[0]


def unbroadcast(g, shape):
    """Sum a gradient over the axes that broadcasting added or stretched, giving it ``shape``.

    Example:
        >>> unbroadcast(np.ones((4, 3)), (3,))
        array([4., 4., 4.])
        >>> unbroadcast(np.ones((4, 3)), (4, 1)).shape
        (4, 1)
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = g.sum(axis=axes) if axes else g
    return out if out.shape == shape else out.reshape(shape)


def _grad_name(name):
    return "".join(part.capitalize() for part in name.split("_")) + "Backward"


def primitive(f):
    """Register a NumPy function as a differentiable primitive.

    ``f(*arrays, **static)`` returns ``(out, backward)``; ``backward(g)`` returns one gradient per
    positional input, each of that input's shape. A backward that takes a second argument,
    ``backward(g, needs)``, is told which inputs need a gradient, so it can skip expensive ones
    (a matmul need not compute the gradient of its input data). Keyword arguments are static
    (axes, shapes) and never differentiated.

    Example:
        >>> @primitive
        ... def square(x):
        ...     return x * x, lambda g: (2 * x * g,)
        >>> import lucidnet
        >>> x = lucidnet.tensor(3.0, requires_grad=True)
        >>> y = square(x); y.backward(); x.grad
        tensor(6.)
        >>> del PRIMITIVES["square"]
    """
    name = f.__name__
    grad_name = _grad_name(name)
    node_type = type(grad_name, (Node,), {"__slots__": (), "name": grad_name, "__module__": __name__})

    @functools.wraps(f)
    def op(*args, **static):
        arrays, needs = [], []                 # one pass over the inputs (this runs for every op)
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.array)
                needs.append(a._requires_grad)
            else:
                arrays.append(a)
                needs.append(False)
        try:
            out, backward = f(*arrays, **static)
        except ValueError as e:
            if "be broadcast" not in str(e):      # only NumPy's own text; a primitive's message stays as it is
                raise
            shapes = " and ".join(str(a.shape if isinstance(a, Tensor) else np.shape(a)) for a in args)
            raise ValueError(f"{name}: cannot broadcast shapes {shapes} together.") from None
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        result = _new(Tensor)                  # Tensor._wrap(out), written out
        result.array, result.grad, result.grad_fn, result._requires_grad, result._version = (
            out, None, None, False, [0, 0])
        if out.base is not None:               # with or without grad: x[0:2] += 1 must be seen by x's savers
            _share_version_if_view(result, out, args)
        if _grad_enabled and True in needs:
            node = result.grad_fn = node_type()
            node.backward, node.inputs, node.needs, node.out_counter, node.out_data = (
                backward, args, tuple(needs), result._version, out)
            node.clock, node.seq, node.takes_needs, node.retained = (
                _clock[0], next(_sequence), backward.__code__.co_argcount == 2, None)
            result._requires_grad = True
        return result

    op.raw = f
    PRIMITIVES[name] = f
    return op


def _share_version_if_view(result, out, args):
    """A result that is a NumPy view of an input shares its version counter, as PyTorch views do."""
    base = out.base
    for t in args:
        if isinstance(t, Tensor) and (t.array is base or (t.array.base is not None and t.array.base is base)):
            result._version = t._version
            return


# ----------------------------------------------------------------------------------------------- backward

def backward(tensor, gradient=None, retain_graph=False):
    """Run the chain rule from ``tensor`` back to the leaves, accumulating into their ``.grad``."""
    if not tensor._requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn; "
                           "create its inputs with requires_grad=True.")
    if gradient is None:
        if tensor.array.size != 1:
            raise RuntimeError(f"backward(): needs a scalar output or an explicit gradient; "
                               f"this tensor has shape {tensor.shape}.")
        seed = np.array(1, dtype=tensor.array.dtype)            # d out / d out = 1
        if tensor.array.ndim:
            seed = seed.reshape(tensor.array.shape)
    else:
        seed = np.array(gradient.array if isinstance(gradient, Tensor) else gradient, dtype=tensor.dtype)
        if seed.shape != tensor.shape:
            raise ValueError(f"backward(): expected a gradient of shape {tensor.shape}, got {seed.shape}.")

    root = tensor.grad_fn
    if root is None:                           # backward on a leaf: its gradient is the seed itself
        _store_leaf_grads({tensor: seed})
        if _hooked[0]:
            _run_post_accumulate_hooks((tensor,))
        return

    # Run nodes from the newest to the oldest. Every consumer of a node's output was created after it, so
    # when a node runs, all its gradient has arrived. The nodes waiting their turn are a max-heap on
    # creation order; the newest one a node hands a gradient to skips the heap when it is also the newest
    # of all waiting (along a chain of ops, every one: the heap stays empty).
    grads = {root: seed}                       # node or leaf tensor -> its gradient, summed so far
    heap = []                                  # (-seq, node) of the waiting nodes but `nxt`
    node = root
    while node is not None:
        g = grads.pop(node)
        node_backward = node.backward
        if node_backward is None:
            raise RuntimeError(f"{node.name}: trying to backward through the graph a second time; its saved "
                               f"arrays were freed after the first backward. Call backward(retain_graph=True) "
                               f"the first time if you need to backward twice.")
        if node.retained is not None:
            _retain(node, g)
        if node.clock != _clock[0]:
            node.check_saved()                 # something was edited in place since the op ran: was it saved?
        needs = node.needs
        in_grads = node_backward(g, needs) if node.takes_needs else node_backward(g)
        nxt = None
        for t, need, ig in zip(node.inputs, needs, in_grads):
            if not need or ig is None:
                continue
            # Sums are out of place: an array may be the gradient of several inputs (add passes g to both).
            key = t.grad_fn or t               # a leaf collects its gradient under its own name
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
    _store_leaf_grads(grads)                   # every node was popped: what is left are the leaves
    if _hooked[0]:
        _run_post_accumulate_hooks(grads)


def _retain(node, g):
    """Keep the gradient of a non-leaf tensor that asked for it (retain_grad())."""
    out = node.retained()
    if out is not None:
        out.grad = Tensor._wrap(g.copy()) if out.grad is None else out.grad + Tensor._wrap(g)


def _store_leaf_grads(leaf_grads):
    """Add each leaf's gradient into its ``.grad``. A new .grad takes the array without copying when
    nothing else can see it (the pass is over, so only another leaf's .grad could share its memory)."""
    taken = set()
    for t, g in leaf_grads.items():
        data = t.array
        if type(g) is not np.ndarray:          # a NumPy scalar, from a reduction's backward
            g = np.asarray(g)
        if g.dtype is not data.dtype and g.dtype != data.dtype:
            g = g.astype(data.dtype)
        if t.grad is not None:
            t.grad.array += g                   # accumulate across backward calls, in place like PyTorch
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



# ----------------------------------------------------------------------------------------------- leaf hooks

_hook_ids = itertools.count()
_hooked = [0]                    # leaves holding post-accumulate hooks; while 0, backward skips looking for them


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


def _run_post_accumulate_hooks(leaves):
    for t in leaves:
        hooks = getattr(t, "_post_accumulate_hooks", None)
        if hooks:
            for hook in list(hooks.values()):
                hook(t)


from .tensor import Tensor  # noqa: E402  (bottom import: tensor.py imports this module first)


# Learner tools, in their own modules (imported last: they use Tensor and backward).
from .gradcheck import GradcheckError, gradcheck, numerical_derivative  # noqa: E402,F401
from . import autograd_functional as functional  # noqa: E402,F401  (also importable as lucidnet.autograd.functional)
