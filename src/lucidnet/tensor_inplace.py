"""Tensor's in-place operations: ``x += y``, ``x.add_(y)``, ``x.zero_()``, ``x[i] = v``, the random fills, and an
in-place variant of every elementwise method (``x.sin_()``, ``x.clamp_(0, 1)``, ``x.unsqueeze_(0)``).

As in PyTorch: under ``no_grad`` (or when nothing needs a gradient) the result is written into the tensor's
memory; while recording, an in-place op on a tensor in the graph is recorded too (the tensor's ``grad_fn``
becomes the op's node, and ops that used the tensor before keep their edge to its old node, see
``autograd.graph.edge``), while a leaf that requires grad refuses, as PyTorch's does. A result PyTorch cannot
store in place (a float result in an integer tensor, a larger shape) is an error.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([0.5, 1.0], requires_grad=True)
    >>> y = x * 2; y.sin_(); y.sum().backward()
    tensor([0.8415, 0.9093], grad_fn=<SinBackward0>)
    >>> x.grad
    tensor([ 1.0806, -0.8323])
"""
import operator

import numpy as np

from . import autograd, dtypes, ops
from .autograd import graph
from .autograd.engine import take_kept_zeros

F = P = PR = None   # lucidnet.functional, pointwise and promotion; bound by tensor_methods.wire() once they can
                    # import Tensor

_OUT_OF_PLACE = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


def _requires(v):
    return getattr(v, "_requires_grad", False)


class TensorInPlace:
    """The in-place methods of :class:`lucidnet.Tensor`."""
    __slots__ = ()

    def _check_inplace(self, what, other=None):
        """Refuse an in-place edit of a leaf that requires grad while recording (PyTorch refuses it too)."""
        if autograd._grad_enabled and self._requires_grad and self.grad_fn is None:
            op = _OUT_OF_PLACE.get(what)
            instead = f"write x = x {op} y" if op else "build a new tensor"
            raise RuntimeError(f"{what}: cannot modify a leaf tensor that requires grad in place while recording; "
                               f"wrap the update in `with lucidnet.no_grad():` or {instead}.")

    def _inplace(self, where, compute, *operands):
        """self = compute(self), in self's memory, recorded when the graph needs it. ``operands``: the other
        inputs of compute, to know whether one needs a gradient."""
        self._check_inplace(where)
        if autograd._grad_enabled and (self._requires_grad or any(_requires(v) for v in operands)):
            node = self.grad_fn
            if node is not None and node.inputs and getattr(node.inputs[0], "_version", None) is self._version:
                raise RuntimeError(f"{where}: cannot modify in place a view of a tensor that requires grad (lucidnet "
                                   f"does not rewrite the history of the tensor it views); use the out-of-place op, "
                                   f"or clone() the view first.")
            before = type(self)._wrap(self.array.copy())         # the values the op's backward may need
            before.grad_fn, before._requires_grad = self.grad_fn, self._requires_grad
            result = compute(before)
        else:
            before = None
            with autograd.no_grad():
                result = compute(self)
        self._store(where, result)
        if before is not None and result.grad_fn is not None:
            graph.rebase(result.grad_fn, before)                # for ops recorded before this edit
            self.grad_fn, self._requires_grad = result.grad_fn, True
        return self

    def _store(self, where, result):
        arr = result.array if hasattr(result, "array") else np.asarray(result)
        if arr.shape != self.array.shape:
            raise ValueError(f"{where}: the result has shape {tuple(arr.shape)}, which does not fit in place into a tensor "
                             f"of shape {tuple(self.array.shape)}.")
        if dtypes._category(arr.dtype) > dtypes._category(self.array.dtype):
            raise dtypes.DTypeError(f"{where}: expected a result that fits the tensor's dtype {self.dtype}, got "
                                    f"dtype {dtypes.wrap(arr.dtype)} (PyTorch: result type can't be cast to the "
                                    f"desired output type). Convert the tensor first, e.g. x = x.float().")
        if arr is not self.array:
            self.array[...] = arr
        self._bump()

    def _arith_(self, where, ufunc, other, method):
        """x += y and friends: straight into the memory (the optimizer step's path), unless the graph needs it."""
        if autograd._grad_enabled and (self._requires_grad or _requires(other)):
            return self._inplace(where, lambda t: method(t, other), other)
        arr = self.array
        if isinstance(other, TensorInPlace) and other.array.dtype is arr.dtype:
            other = other.array                 # W -= lr * W.grad: one dtype, nothing to promote
        elif not (type(other) is float and arr.dtype.kind == "f"):     # (a float keeps a float tensor's dtype)
            if PR.as_operand(other) is None:
                return NotImplemented
            other = PR.inplace_operand(self, other, where)
        ufunc(arr, other, out=arr, casting="unsafe")
        autograd.bump(self._version)
        return self

    def __iadd__(self, other):
        return self._arith_("+=", np.add, other, operator.add)

    def __isub__(self, other):
        return self._arith_("-=", np.subtract, other, operator.sub)

    def __imul__(self, other):
        return self._arith_("*=", np.multiply, other, operator.mul)

    def __itruediv__(self, other):
        if self.array.dtype.kind != "f":
            return self._inplace("/=", lambda t: t / other, other)         # raises: a float result
        return self._arith_("/=", np.divide, other, operator.truediv)

    def add_(self, other, alpha=1):
        """In place: self += alpha * other."""
        return self._arith_("add_", np.add, other if alpha == 1 else other * alpha, operator.add)

    def sub_(self, other, alpha=1):
        """In place: self -= alpha * other."""
        return self._arith_("sub_", np.subtract, other if alpha == 1 else other * alpha, operator.sub)

    def mul_(self, other):
        """In place: self *= other."""
        return self._arith_("mul_", np.multiply, other, operator.mul)

    def div_(self, other, *, rounding_mode=None):
        """In place: self /= other."""
        if rounding_mode is not None or self.array.dtype.kind != "f":
            return self._inplace("div_", lambda t: P.div(t, other, rounding_mode=rounding_mode), other)
        return self._arith_("div_", np.divide, other, operator.truediv)

    def zero_(self):
        """Fill with zeros in place.

        Example:
            >>> import lucidnet
            >>> lucidnet.ones(2).zero_()
            tensor([0., 0.])
        """
        if not (autograd._grad_enabled and self._requires_grad):
            if not take_kept_zeros(self):       # a .grad: the zeros backward left beside it (engine)
                self.array.fill(0)              # (a memset: twice as fast as self.array[...] = 0)
            autograd.bump(self._version)
            self._zeroed_at = self._version[1]  # all zeros as of this edit: backward may take over a .grad (engine)
            return self
        return self._inplace("zero_", lambda t: t * 0)

    def fill_(self, value):
        """Fill with ``value`` (a number or a one-element tensor) in place."""
        if not (autograd._grad_enabled and (self._requires_grad or _requires(value))):
            self._check_inplace("fill_")
            self.array[...] = value.array if hasattr(value, "array") else value
            return self._bump()
        return self._inplace("fill_", lambda t: t * 0 + (value.to(t.dtype).reshape(()) if hasattr(value, "array")
                                                          else value), value)

    def copy_(self, src, non_blocking=False):
        """Copy ``src``'s values into this tensor in place (broadcasting, converting dtype); recorded as PyTorch
        records it when the graph needs it (the gradient flows to src)."""
        if not (autograd._grad_enabled and (self._requires_grad or _requires(src))):
            self._check_inplace("copy_")
            self.array[...] = src.array if hasattr(src, "array") else src
            return self._bump()
        return self._inplace("copy_", lambda t: t * 0 + F.expand(src.to(t.dtype), t.shape), src)   # t: gradient 0

    def _setitem(self, index, value):
        """x[index] = value, recorded (index_put) when x or value is in the graph."""
        from .tensor import _as_array
        if not (autograd._grad_enabled and (self._requires_grad or _requires(value))):
            self._check_inplace("x[...] =")
            self.array[_as_array(index)] = _as_array(value)
            self._bump()
            return
        v = value.to(self.array.dtype) if hasattr(value, "array") else np.asarray(value, dtype=self.array.dtype)
        self._inplace("x[...] =", lambda t: ops.index_put(t, v, index=_as_array(index)), value)

    def clamp_(self, min=None, max=None):
        """Limit to [min, max] in place."""
        return self._inplace("clamp_", lambda t: F.clamp(t, min, max))

    clip_ = clamp_

    def uniform_(self, a=0.0, b=1.0, generator=None):
        """Fill with samples from U(a, b) in place."""
        from .random import numpy_generator
        return self._fill("uniform_", numpy_generator(generator).uniform(a, b, self.array.shape))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        """Fill with samples from N(mean, std^2) in place."""
        from .random import numpy_generator
        return self._fill("normal_", numpy_generator(generator).normal(mean, std, self.array.shape))

    def bernoulli_(self, p=0.5, generator=None):
        """Fill with 0/1 samples, 1 with probability p, in place."""
        from .random import numpy_generator
        return self._fill("bernoulli_", numpy_generator(generator).random(self.array.shape) < (p.array if hasattr(p, "array")
                                                                                   else p))

    def exponential_(self, lambd=1.0, generator=None):
        """Fill with samples from the exponential distribution of rate lambd, in place."""
        from .random import numpy_generator
        return self._fill("exponential_", numpy_generator(generator).exponential(1.0 / lambd, self.array.shape))

    def random_(self, from_=0, to=None, generator=None):
        """Fill with random integers in [from_, to) in place; ``random_(to)`` starts at 0, and ``random_()`` uses
        the integers the dtype holds exactly (up to 2**24 for float32, as PyTorch)."""
        from .random import numpy_generator
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            kind = self.array.dtype
            to = 2 ** (np.finfo(kind).nmant + 1) if kind.kind == "f" else 2 if kind.kind == "b" else \
                int(np.iinfo(kind).max) + 1
        return self._fill("random_", numpy_generator(generator).integers(from_, to, self.array.shape))

    def _fill(self, where, values):
        self._check_inplace(where)
        self.array[...] = values
        return self._bump()


# In-place variants, made from the methods above: x.sin_() is x = x.sin(), in x's memory (see _inplace).
def _inplace_variant(name):
    def method(self, *args, **kwargs):
        return self._inplace(f"{name}_", lambda t: getattr(t, name)(*args, **kwargs), *args, *kwargs.values())
    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In place: x.{name}_(...) makes x equal to x.{name}(...), recorded for backward when needed."
    return method


for _name in ("exp", "log", "sqrt", "rsqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "neg", "square", "pow",
              "clamp_min", "clamp_max", "masked_fill", "tril", "triu", "floor_divide", "remainder", "fmod", "atan2", "lerp",
              "addcmul", "addcdiv", "ceil", "floor", "round", "trunc", "frac", "sign", "tan", "asin", "acos", "atan",
              "sinh", "cosh", "asinh", "acosh", "atanh", "log1p", "expm1", "log2", "log10", "reciprocal", "erf",
              "logical_not", "bitwise_not", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
              "bitwise_xor", "cumsum", "cumprod", "negative", "absolute", "fix", "sgn", "arcsin", "arccos", "arctan",
              "subtract", "multiply", "true_divide", "eq", "ne", "lt", "le", "gt", "ge", "scatter", "scatter_add",
              "index_add", "index_copy", "index_fill", "masked_scatter"):
    setattr(TensorInPlace, f"{_name}_", _inplace_variant(_name))


def _view_inplace(name):
    """Shape changes in place (unsqueeze_, squeeze_, t_, transpose_): the tensor takes the new shape."""
    def method(self, *args, **kwargs):
        self._check_inplace(f"{name}_")
        before = type(self)._wrap(self.array)
        before._version, before.grad_fn, before._requires_grad = self._version, self.grad_fn, self._requires_grad
        result = getattr(before, name)(*args, **kwargs)
        self.array = result.array
        if result.grad_fn is not None:
            graph.rebase(result.grad_fn, before)
            self.grad_fn = result.grad_fn
        return self
    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In place: this tensor takes the shape of x.{name}(...)."
    return method


for _name in ("unsqueeze", "squeeze", "t", "transpose", "swapaxes", "swapdims"):
    setattr(TensorInPlace, f"{_name}_", _view_inplace(_name))
