"""``lucidnet.autograd.Function``: a differentiable op written by the user, forward and backward as static methods,
exactly as PyTorch's ``torch.autograd.Function``; and ``Variable``, PyTorch's legacy name for a tensor.

Both styles of PyTorch work: ``forward(ctx, *args)`` that fills ``ctx`` itself, and ``forward(*args)`` with a
separate ``setup_context(ctx, inputs, output)``. ``ctx`` is the recorded node (``y.grad_fn``), so what is
saved on it travels with the graph.

Example:
    >>> import lucidnet
    >>> class Exp(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         result = x.exp()
    ...         ctx.save_for_backward(result)
    ...         return result
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         result, = ctx.saved_tensors
    ...         return grad_output * result
    >>> x = lucidnet.tensor([0.0, 1.0], requires_grad=True)
    >>> y = Exp.apply(x); y.sum().backward()
    >>> y.grad_fn.name(), x.grad
    ('ExpBackward', tensor([1.0000, 2.7183]))
"""
import numpy as np

from . import Node, _clock, _sequence, attach_outputs, no_grad, unbroadcast
from .. import autograd


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) and ``backward`` of a :class:`Function` share: saved tensors, flags
    and any attribute you set (``ctx.k = 2``)."""

    def save_for_backward(self, *tensors):
        """Keep tensors (inputs, outputs or None) for backward; modifying one in place before backward is an error."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward(): expected tensors or None, got {type(t).__name__}.")
        self._saved = tuple(tensors)
        self._saved_versions = tuple(None if t is None else t._version[0] for t in tensors)

    @property
    def saved_tensors(self):
        """The tensors given to :meth:`save_for_backward`, checked not to have been modified in place since."""
        saved = getattr(self, "_saved", ())
        for i, (t, version) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and t._version[0] != version:
                raise RuntimeError(f"{type(self).__name__}: saved tensor {i} was modified in place after it was "
                                   f"saved (its version is now {t._version[0]}, it was {version}), so the gradient "
                                   f"would be wrong. Modify a copy instead (x = x.clone()).")
        return saved

    def mark_non_differentiable(self, *outputs):
        """Outputs that get no gradient (indices, masks): they do not require grad, and backward gets zeros for them."""
        self._non_differentiable = set(map(id, outputs))

    def mark_dirty(self, *tensors):
        """Inputs that forward modified in place (and returns): they become outputs of this op."""
        self._dirty = set(map(id, tensors))

    def set_materialize_grads(self, value):
        """Whether backward gets zeros (True, the default) or None for outputs that got no gradient."""
        self._materialize = bool(value)


class FunctionNode(Node, FunctionCtx):
    """The node of a :class:`Function` call, and its ``ctx``; each Function gets a subclass named ``<Name>Backward``."""
    _function = None


class Function:
    """Base class of differentiable ops defined by their forward and backward (PyTorch's ``torch.autograd.Function``).

    Subclass it with static methods ``forward(ctx, *args)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)`` returning one gradient (or None)
    per forward argument, then call ``MyFunction.apply(*args)``. Inside both, operations are not recorded.
    ``ctx.needs_input_grad`` tells backward which gradients are wanted. See the module docstring.
    """

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}(): legacy autograd functions with a non-static forward are not "
                           f"supported (nor in PyTorch); define forward and backward as @staticmethod and call "
                           f"{type(self).__name__}.apply(...).")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("Function: subclasses must define a static forward().")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("Function: setup_context() is only used when forward() does not take ctx.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function: subclasses must define a static backward() to be differentiated.")

    vjp = backward

    @classmethod
    def _node_type(cls):
        node_type = cls.__dict__.get("_lucidnet_node")
        if node_type is None:
            node_type = type(cls.__name__ + "Backward", (FunctionNode,), {"_function": cls, "__module__": __name__})
            cls._lucidnet_node = node_type
        return node_type

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on ``args`` and record the call, so that backward runs this Function's backward."""
        ctx = cls._node_type()()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        ctx._non_differentiable, ctx._dirty, ctx._materialize = set(), set(), True
        new_style = cls.setup_context.__func__ is not Function.setup_context.__func__ \
            if hasattr(cls.setup_context, "__func__") else cls.setup_context is not Function.setup_context
        with no_grad():
            if new_style:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(output, tuple)
        outputs = [_as_output(o, args, ctx) for o in ((output,) if single else output)]
        if autograd.is_grad_enabled() and any(needs):
            _record(cls, ctx, args, needs, outputs)
        return outputs[0] if single else tuple(outputs)


def _as_output(o, args, ctx):
    """A forward result as the tensor to return: an input returned as it is becomes a new tensor sharing its
    memory (an input marked dirty stays itself: it was modified in place)."""
    if isinstance(o, Tensor) and any(o is a for a in args) and id(o) not in ctx._dirty:
        t = Tensor._wrap(o.array)
        t._version = o._version
        return t
    return o


def _record(cls, ctx, args, needs, outputs):
    inputs = list(args)
    for i, a in enumerate(args):               # an input modified in place: the node takes its history so far
        if isinstance(a, Tensor) and id(a) in ctx._dirty:
            before = Tensor._wrap(a.array)
            before.grad_fn, before._requires_grad, before._version = a.grad_fn, a._requires_grad, [0, 0]
            inputs[i] = before
            a.grad_fn = None
            autograd.bump(a._version)
    differentiable = {id(o) for o in outputs if isinstance(o, Tensor) and id(o) not in ctx._non_differentiable
                      and o.array.dtype.kind == "f"}
    if not differentiable:
        return
    ctx.backward = _backward(cls, ctx, args, outputs, single=len(outputs) == 1)
    ctx.inputs, ctx.needs, ctx.takes_needs, ctx.hooks = tuple(inputs), needs, False, None
    ctx.clock, ctx.seq = _clock[0], next(_sequence)
    if len(outputs) == 1:
        out = outputs[0]
        ctx.out_counter, ctx.out_data = out._version, out.array
        out.grad_fn, out._requires_grad = ctx, True
        return
    carrier = Tensor._wrap(np.empty(0))
    ctx.out_counter, ctx.out_data = carrier._version, carrier.array
    carrier.grad_fn, carrier._requires_grad = ctx, True
    placeholder = Tensor._wrap(np.empty(0, dtype=np.int64))                 # an output that gets no gradient
    attach_outputs(ctx, carrier, [o if id(o) in differentiable else placeholder for o in outputs])


def _backward(cls, ctx, args, outputs, single):
    """The node's backward: the user's backward on Tensors, its results checked and turned into arrays."""
    name = cls.__name__ + "Backward"

    def backward(g):
        grads = (g,) if single else tuple(g)
        grad_tensors = []
        for out, gi in zip(outputs, grads):
            if gi is None and ctx._materialize and isinstance(out, Tensor):
                gi = np.zeros_like(out.array)
            grad_tensors.append(None if gi is None else Tensor._wrap(gi))
        with no_grad():
            result = cls.backward(ctx, *grad_tensors)
        result = result if isinstance(result, tuple) else (result,)
        if len(result) < len(args) or any(r is not None for r in result[len(args):]):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {len(args)}, "
                               f"got {len(result)}).")
        in_grads = []
        for i, (a, r) in enumerate(zip(args, result)):
            if r is None:
                in_grads.append(None)
                continue
            if not isinstance(a, Tensor):
                raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, "
                                   f"but the corresponding forward input was not a Tensor.")
            arr = r.array if isinstance(r, Tensor) else np.asarray(r)
            if arr.shape != a.array.shape:        # PyTorch sums a gradient the input broadcasts to
                if not _expands_to(a.array.shape, arr.shape):
                    raise RuntimeError(f"function {name} returned an invalid gradient at index {i}: expected shape "
                                       f"compatible with {list(a.array.shape)}, got {list(arr.shape)}.")
                arr = unbroadcast(arr, a.array.shape)
            in_grads.append(arr.astype(a.array.dtype, copy=False))
        return tuple(in_grads)
    return backward


def _expands_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def once_differentiable(fn):
    """Mark a Function's backward as not differentiable twice; lucidnet never differentiates backward, so it
    returns ``fn`` as it is."""
    return fn


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """PyTorch's legacy ``Variable``: ``Variable(t, requires_grad=True)`` is a tensor sharing t's memory, and every
    tensor is a Variable.

    Example:
        >>> import lucidnet
        >>> v = Variable(lucidnet.ones(2), requires_grad=True)
        >>> v, isinstance(lucidnet.ones(1), Variable)
        (tensor([1., 1.], requires_grad=True), True)
    """

    def __new__(cls, data, requires_grad=False, volatile=False):
        t = data.detach() if isinstance(data, Tensor) else Tensor(data)
        if requires_grad:
            t.requires_grad_(True)
        return t


from ..tensor import Tensor  # noqa: E402
