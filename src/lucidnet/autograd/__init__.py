"""Reverse-mode automatic differentiation: the @primitive decorator, the PRIMITIVES registry,
grad mode (no_grad), unbroadcast, and the backward pass (``backward``, ``grad``); PyTorch's
``torch.autograd`` (``Function``, ``Variable``, ``gradcheck``, ``functional``) from the modules beside it.

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
import math
import numpy as np

from . import graph
from .._sums import sum_rows
from .graph import AccumulateGrad, MultiGrad, Node, RemovableHandle  # noqa: F401

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


# ----------------------------------------------------------------------------------------------- recording

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
    if lead > 0 and g.shape[lead:] == shape:   # only new leading axes (a bias added to a batch): sum them away
        if lead == 1 and g.ndim == 2:
            return sum_rows(g)
        if g.flags.c_contiguous and g.size:    # (batch, time, features): one product with ones all the same
            return sum_rows(g.reshape(-1, math.prod(shape))).reshape(shape)
        return g.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = g.sum(axis=axes) if axes else g
    return out if out.shape == shape else out.reshape(shape)



def _grad_name(name):
    """PyTorch's name for the backward node of op ``name``: ``log_softmax`` -> ``LogSoftmaxBackward0``."""
    return "".join(part.capitalize() for part in name.split("_")) + "Backward0"


def primitive(f=None, *, name=None):
    """Register a NumPy function as a differentiable primitive.

    ``f(*arrays, **static)`` returns ``(out, backward)``; ``backward(g)`` returns one gradient per
    positional input, each of that input's shape. A backward that takes a second argument,
    ``backward(g, needs)``, is told which inputs need a gradient, so it can skip expensive ones
    (a matmul need not compute the gradient of its input data). Keyword arguments are static
    (axes, shapes) and never differentiated. A primitive with several results returns them as a tuple;
    its backward then gets a tuple of their gradients (None for a result that got none).

    The node's name is PyTorch's for the op (``square`` -> ``SquareBackward0``); ``@primitive(name=...)``
    gives another (``linear`` is ``AddmmBackward0``, as PyTorch prints it).

    Example:
        >>> @primitive
        ... def square(x):
        ...     return x * x, lambda g: (2 * x * g,)
        >>> import lucidnet
        >>> x = lucidnet.tensor(3.0, requires_grad=True)
        >>> y = square(x); y.backward(); x.grad, y.grad_fn.name()
        (tensor(6.), 'SquareBackward0')
        >>> del PRIMITIVES["square"]
    """
    if f is None:
        return functools.partial(primitive, name=name)
    op_name = f.__name__
    grad_name = name or _grad_name(op_name)
    node_type = type(grad_name, (Node,), {"__slots__": (), "__module__": __name__})

    @functools.wraps(f)
    def op(*args, **static):
        # One pass over the inputs (this runs for every op); one and two inputs, most ops, unrolled.
        if len(args) == 2:
            a, b = args
            need_a = need_b = False
            if isinstance(a, Tensor):
                a, need_a = a.array, a._requires_grad
            if isinstance(b, Tensor):
                b, need_b = b.array, b._requires_grad
            arrays, needs = (a, b), (need_a, need_b)
        elif len(args) == 1:
            a, = args
            if isinstance(a, Tensor):
                arrays, needs = (a.array,), (a._requires_grad,)
            else:
                arrays, needs = args, (False,)
        else:
            arrays = tuple([a.array if isinstance(a, Tensor) else a for a in args])
            needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        try:
            out, backward = f(*arrays, **static)
        except ValueError as e:
            if "be broadcast" not in str(e):      # only NumPy's own text; a primitive's message stays as it is
                raise
            shapes = " and ".join(str(tuple(np.shape(a))) for a in arrays)
            raise ValueError(f"{op_name}: cannot broadcast shapes {shapes} together.") from None
        if type(out) is not np.ndarray:
            if type(out) is tuple:
                return _record_outputs(node_type, out, backward, args, needs)
            out = np.asarray(out)
        result = _new(Tensor)                  # Tensor._wrap(out), written out (one store at a time: faster
        result.array = out                     # than unpacking a tuple)
        result.grad = result.grad_fn = None
        result._requires_grad = False
        result._version = [0, 0]
        if out.base is not None:               # with or without grad: x[0:2] += 1 must be seen by x's savers
            _share_version_if_view(result, out, args)
        if _grad_enabled and True in needs:
            node = result.grad_fn = node_type()
            node.backward = backward
            node.inputs = args
            node.needs = needs
            node.out_counter = result._version
            node.out_data = out
            node.clock = _clock[0]
            node.seq = next(_sequence)
            node.takes_needs = backward.__code__.co_argcount == 2
            node.hooks = None
            result._requires_grad = True
        return result

    op.raw = f
    f.grad_name = grad_name                    # the node's name (tests look a primitive's nodes up by it)
    PRIMITIVES[op_name] = f
    return op


def _record_outputs(node_type, outs, backward, args, needs):
    """The tensors of a primitive with several results. When recording, the op's node gets the gradients of all
    of them at once: each result's own node hands its gradient on, through a hidden tensor, in a MultiGrad."""
    results = tuple(Tensor._wrap(np.asarray(o)) for o in outs)
    if not (_grad_enabled and True in needs):
        return results
    node = node_type()
    carrier = Tensor._wrap(np.empty(0))
    node.backward, node.inputs, node.needs, node.out_counter, node.out_data = (
        backward, args, tuple(needs), carrier._version, carrier.array)
    node.clock, node.seq, node.takes_needs, node.hooks = (
        _clock[0], next(_sequence), backward.__code__.co_argcount == 2, None)
    carrier.grad_fn, carrier._requires_grad = node, True
    attach_outputs(node, carrier, results)
    return results


def attach_outputs(node, carrier, results):
    """Give each floating result of a node with several outputs its own grad_fn, feeding ``node`` through
    ``carrier`` (a hidden tensor whose grad_fn is ``node``)."""
    out_type = graph.output_node_type(type(node))
    n = len(results)
    for i, r in enumerate(results):
        if r.array.dtype.kind != "f":
            continue                           # indices (sort, topk): no gradient, as in PyTorch
        out = out_type()
        out.backward, out.inputs, out.needs, out.out_counter, out.out_data = (
            graph.select_backward(i, n), (carrier,), (True,), r._version, r.array)
        out.clock, out.seq, out.takes_needs, out.hooks = _clock[0], next(_sequence), False, None
        out.output_nr, out.op_node = i, node
        r.grad_fn, r._requires_grad = out, True


def _share_version_if_view(result, out, args):
    """A result that is a NumPy view of an input shares its version counter, as PyTorch views do."""
    base = out.base
    for t in args:
        if isinstance(t, Tensor) and (t.array is base or (t.array.base is not None and t.array.base is base)):
            result._version = t._version
            return


# ----------------------------------------------------------------------------------------------- backward

from .engine import backward, grad  # noqa: E402,F401  (the engine reads the recording state above)
from .graph import (_hooked, register_hook, register_post_accumulate_grad_hook, retain_grad,  # noqa: E402,F401
                    retains_grad)


# ----------------------------------------------------------------------------------------------- PyTorch's extras

@contextlib.contextmanager
def detect_anomaly(check_nan=True):
    """Accepted for PyTorch code; lucidnet's errors already name the op whose saved tensor was modified."""
    yield


def set_detect_anomaly(mode, check_nan=True):
    """Accepted for PyTorch code (see :func:`detect_anomaly`)."""


from ..tensor import Tensor  # noqa: E402  (bottom import: tensor.py imports this module first)
from .function import Function, FunctionCtx, Variable, once_differentiable  # noqa: E402,F401
# Learner tools, in their own modules (imported last: they use Tensor and backward).
from ..gradcheck import GradcheckError, gradcheck, numerical_derivative  # noqa: E402,F401
from .. import autograd_functional as functional  # noqa: E402,F401  (also importable as lucidnet.autograd.functional)
