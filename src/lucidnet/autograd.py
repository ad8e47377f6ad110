"""Reverse-mode automatic differentiation: the @primitive decorator, the PRIMITIVES registry,
grad mode (no_grad), unbroadcast, and the backward pass.

How it works, in four sentences. A primitive is a NumPy function that returns its result together
with a ``backward`` closure mapping the gradient of the result to the gradients of its inputs.
``@primitive`` wraps it to take and return Tensors and, when an input requires grad, records a
``Node`` (the result's ``grad_fn``) that remembers the closure and the input tensors. ``backward()``
sorts the recorded nodes topologically and runs the closures from the output back to the leaves,
summing gradients where a tensor was used twice (the multivariate chain rule). Arrays that a closure
captured are its *saved tensors*: modifying one in place before backward is detected by a version
counter and raises, instead of giving silently wrong gradients.
"""
import contextlib
import functools
import heapq
import itertools

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

    ``inputs`` are the input Tensors (``None`` for constants), ``needs`` which of them want a
    gradient, ``saved`` the (version counter, version) pairs of the tensors the backward closure
    captured, checked when backward runs. ``seq`` numbers nodes in creation order: a node is always
    created after the nodes of its inputs, which is all backward needs to order them.
    """
    __slots__ = ("name", "backward", "inputs", "needs", "saved", "seq", "takes_needs", "retained", "__weakref__")

    def __init__(self, name, backward, inputs, needs, saved):
        self.name, self.backward, self.inputs, self.needs, self.saved = name, backward, inputs, needs, saved
        self.seq = next(_sequence)
        self.takes_needs = backward.__code__.co_argcount == 2
        self.retained = None                   # the output tensor, when retain_grad() asked to keep its grad

    @property
    def next_functions(self):
        """The grad_fn of each input (``None`` for leaves and constants), as in PyTorch."""
        return tuple((t.grad_fn if t is not None else None) for t in self.inputs)

    def __repr__(self):
        return f"<{self.name}>"


_sequence = itertools.count()


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


def _saved_versions(backward, inputs, out_arr, out_version):
    """The (version counter, version) of each tensor whose array the backward closure captured: its saved
    tensors. Only these are checked for in-place modification, exactly as PyTorch checks saved tensors."""
    saved = []
    for cell in backward.__closure__ or ():
        try:
            v = cell.cell_contents
        except ValueError:                     # an empty cell
            continue
        if type(v) is not np.ndarray:
            continue
        if v is out_arr:
            saved.append((out_version, out_version[0]))
            continue
        for t in inputs:
            if t is not None and (v is t.data or (v.base is not None and v.base is t.data)):
                saved.append((t._version, t._version[0]))
                break
    return saved


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

    @functools.wraps(f)
    def op(*args, **static):
        try:
            out, backward = f(*[a.data if isinstance(a, Tensor) else a for a in args], **static)
        except ValueError as e:
            if "be broadcast" not in str(e):      # only NumPy's own text; a primitive's message stays as it is
                raise
            shapes = " and ".join(str(a.shape if isinstance(a, Tensor) else np.shape(a)) for a in args)
            raise ValueError(f"{name}: cannot broadcast shapes {shapes} together.") from None
        result = Tensor._wrap(out)
        out = result.data
        if out.base is not None:               # with or without grad: x[0:2] += 1 must be seen by x's savers
            _share_version_if_view(result, out, args)
        if not _grad_enabled:
            return result
        needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        if True not in needs:
            return result
        inputs = tuple([a if isinstance(a, Tensor) else None for a in args])
        result.grad_fn = Node(grad_name, backward, inputs, needs, _saved_versions(backward, inputs, out,
                                                                                   result._version))
        result._requires_grad = True
        return result

    op.raw = f
    PRIMITIVES[name] = f
    return op


def _share_version_if_view(result, out, args):
    """A result that is a NumPy view of an input shares its version counter, as PyTorch views do."""
    base = out.base
    for t in args:
        if isinstance(t, Tensor) and (t.data is base or (t.data.base is not None and t.data.base is base)):
            result._version = t._version
            return


# ----------------------------------------------------------------------------------------------- backward

def backward(tensor, gradient=None, retain_graph=False):
    """Run the chain rule from ``tensor`` back to the leaves, accumulating into their ``.grad``."""
    if not tensor.requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn; "
                           "create its inputs with requires_grad=True.")
    if gradient is None:
        if tensor.data.size != 1:
            raise RuntimeError(f"backward(): needs a scalar output or an explicit gradient; "
                               f"this tensor has shape {tensor.shape}.")
        seed = np.ones_like(tensor.data)
    else:
        seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=tensor.dtype)
        if seed.shape != tensor.shape:
            raise ValueError(f"backward(): expected a gradient of shape {tensor.shape}, got {seed.shape}.")

    if tensor.grad_fn is None:                 # backward on a leaf: its gradient is the seed itself
        _store_leaf_grads({id(tensor): (tensor, seed)})
        return

    # Run nodes from the newest to the oldest (a max-heap on creation order). Every consumer of a node's
    # output was created after it, so when a node is popped, all its gradient has arrived.
    root = tensor.grad_fn
    grads = {root: seed}                       # node -> gradient of the node's output, summed so far
    leaf_grads = {}                            # id(leaf) -> (leaf, gradient summed so far)
    heap = [(-root.seq, root)]
    while heap:
        node = heapq.heappop(heap)[1]
        g = grads.pop(node)
        if node.retained is not None:
            out = node.retained()
            if out is not None:
                out.grad = Tensor._wrap(g.copy()) if out.grad is None else out.grad + Tensor._wrap(g)
        if node.backward is None:
            raise RuntimeError(f"{node.name}: trying to backward through the graph a second time; its saved "
                               f"arrays were freed after the first backward. Call backward(retain_graph=True) "
                               f"the first time if you need to backward twice.")
        for counter, version in node.saved:
            if counter[0] != version:
                raise RuntimeError(f"{node.name}: one of the tensors it saved for backward was modified in place "
                                   f"(its version went from {version} to {counter[0]}), so the gradient would be "
                                   f"wrong. Modify a copy instead (x = x.clone()), or do the in-place update after "
                                   f"backward().")
        in_grads = node.backward(g, node.needs) if node.takes_needs else node.backward(g)
        if not retain_graph:
            node.backward = node.saved = None
        for t, need, ig in zip(node.inputs, node.needs, in_grads):
            if not need or ig is None:
                continue
            # Sums are out of place: an array may be the gradient of several inputs (add passes g to both).
            fn = t.grad_fn
            if fn is None:
                prev = leaf_grads.get(id(t))
                leaf_grads[id(t)] = (t, ig if prev is None else prev[1] + ig)
            elif fn in grads:
                grads[fn] = grads[fn] + ig
            else:
                grads[fn] = ig
                heapq.heappush(heap, (-fn.seq, fn))
    _store_leaf_grads(leaf_grads)


def _store_leaf_grads(leaf_grads):
    """Add each leaf's gradient into its ``.grad``. A new .grad takes the array without copying when
    nothing else can see it (the pass is over, so only another leaf's .grad could share its memory)."""
    taken = set()
    for t, g in leaf_grads.values():
        if g.dtype != t.data.dtype:
            g = g.astype(t.data.dtype)
        if t.grad is not None:
            t.grad.data += g                   # accumulate across backward calls, in place like PyTorch
            continue
        owner = id(g if g.base is None else g.base)
        if not g.flags.writeable or owner in taken:
            g = g.copy()                       # a broadcast view, or memory another leaf already holds
            owner = id(g)
        taken.add(owner)
        t.grad = Tensor._wrap(g)


from .tensor import Tensor  # noqa: E402  (bottom import: tensor.py imports this module first)
