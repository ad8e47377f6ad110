"""Composite tensor functions: built from primitives, so they have no backward code at all.

Also where NumPy's and PyTorch's conventions meet. The rules, applied everywhere:

* ``axis=``/``keepdims=`` (NumPy) and ``dim=``/``keepdim=`` (PyTorch) are both accepted.
* ``max``/``min`` with a ``dim`` (keyword or positional, ``x.max(1)``) return ``(values, indices)`` as
  in PyTorch; with ``axis=`` they return the values only, as in NumPy.
* ``var``/``std`` use PyTorch's Bessel correction (divide by n - 1) unless called NumPy-style with
  ``axis=`` or ``ddof=``, which divide by n - ddof (ddof defaults to 0, as in NumPy).
* ``transpose(x, d0, d1)`` swaps two axes (PyTorch); ``transpose(x)`` reverses them and
  ``transpose(x, axes_tuple)`` permutes them (NumPy). ``permute`` always takes a full order.
* ``split(x, n)`` cuts pieces of size n (PyTorch); ``chunk(x, n)`` cuts n pieces.
* dtypes follow PyTorch, not NumPy: a float tensor combined with an integer tensor or a Python/NumPy scalar
  keeps its dtype (float32 stays float32), and integer inputs to float-valued functions (exp, mean,
  softmax, ...) compute in float32. Reductions of nothing give nan (mean) as in PyTorch.
"""
import builtins
import collections
import math

import numpy as np

from . import dtypes, ops
from .tensor import Tensor, _as_array, _promote

__all__ = [
    "abs", "add", "allclose", "amax", "amin", "argmax", "argmin", "cat", "chunk", "clamp", "clip", "clone",
    "concatenate", "cos", "div", "eq", "equal", "exp", "expand", "flatten", "ge", "gt", "le", "log",
    "log_softmax", "logsumexp", "lt", "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum",
    "mul", "ne", "neg", "pad", "permute", "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "split",
    "sqrt", "squeeze", "stack", "std", "sub", "sum", "tanh", "transpose", "tril", "triu", "unsqueeze", "var", "where",
]

ReturnMax = collections.namedtuple("max", ["values", "indices"])
ReturnMin = collections.namedtuple("min", ["values", "indices"])

# Primitives re-exported as functions: lucidnet.exp(x) is ops.exp(x).
add, sub, mul, div, neg = ops.add, ops.sub, ops.mul, ops.div, ops.neg
exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu = (ops.exp, ops.log, ops.sqrt, ops.abs, ops.sin, ops.cos,
                                                      ops.tanh, ops.sigmoid, ops.relu)
matmul, clone = ops.matmul, ops.clone


def _count(x, axis):
    """How many elements a reduction over ``axis`` combines."""
    if axis is None:
        return x.array.size
    axes = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(x.shape[a] for a in axes)


def _float(x):
    """x itself if floating, else converted to the default float dtype (PyTorch refuses; we convert)."""
    return x if x.array.dtype.kind == "f" else ops.astype(x, dtype=dtypes.get_default_dtype())


# ------------------------------------------------------------------------------------------------ reductions

def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=False, dtype=None):
    """Sum over ``dim``/``axis`` (all elements when None).

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([[1., 2.], [3., 4.]]).sum(dim=0)
        tensor([4., 6.])
    """
    if dtype is not None:
        x = x.to(dtypes.to_dtype(dtype))
    elif x.array.dtype.kind in "biu" and x.array.dtype != np.int64:
        x = x.to(dtypes.int64)                  # integers and bools sum as int64, as in PyTorch
    return ops.sum(x, axis=_pick(axis, dim, x, "sum"), keepdims=keepdim or keepdims)


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=False, dtype=None):
    """Arithmetic mean over ``dim``/``axis``.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([1., 2., 6.]).mean()
        tensor(3.)
    """
    x = _float(x if dtype is None else x.to(dtypes.to_dtype(dtype)))
    return ops.mean(x, axis=_pick(axis, dim, x, "mean"), keepdims=keepdim or keepdims)       # empty: nan


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, ddof=None, keepdims=False):
    """Variance over ``dim``/``axis``.

    PyTorch-style calls divide by n - 1 (``correction=1``, or ``unbiased=False`` for n); NumPy-style
    calls (``axis=`` or ``ddof=``) divide by n - ddof with ddof=0 by default.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([1., 2., 3., 4.])
        >>> x.var(), x.var(axis=0)
        (tensor(1.6667), tensor(1.2500))
    """
    if ddof is not None or axis is not None:
        c = 0 if ddof is None else ddof
    elif unbiased is not None:
        c = 1 if unbiased else 0
    else:
        c = 1 if correction is None else correction
    x = _float(x)
    axis = _pick(axis, dim, x, "var")
    d = x - mean(x, axis=axis, keepdims=True)
    dof = builtins.max(_count(x, axis) - c, 0)
    scale = 1.0 / dof if dof else math.inf              # as PyTorch: inf, or nan for a sum of 0 (one element)
    with np.errstate(invalid="ignore"):
        return ops.sum(d * d, axis=axis, keepdims=keepdim or keepdims) * scale


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, ddof=None, keepdims=False):
    """Standard deviation: the square root of :func:`var`, with the same conventions.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([1., 3.]).std()
        tensor(1.4142)
    """
    v = var(x, dim, unbiased, keepdim, correction=correction, axis=axis, ddof=ddof, keepdims=keepdims)
    nonzero = v.array != 0                       # as PyTorch: gradient 0 where std is 0 (sqrt's would be infinite)
    if nonzero.all():
        return ops.sqrt(v)
    return ops.where(nonzero, ops.sqrt(ops.where(nonzero, v, 1.0)), 0.0)


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``dim``/``axis``, without overflow: shift by the max first.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([1000., 1000.]).logsumexp(0)
        tensor(1000.6932)
    """
    x = _float(x)
    axis, keep = _pick(axis, dim, x, "logsumexp"), keepdim or keepdims
    m = np.max(x.array, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)          # an all -inf slice stays -inf instead of becoming nan
    out = ops.log(ops.sum(ops.exp(x - m), axis=axis, keepdims=True)) + m
    if not keep:
        out = squeeze(out, axis) if axis is not None else ops.reshape(out, shape=())
    return out


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Largest value over ``dim``/``axis``; ties share the gradient.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([[1., 5.], [7., 2.]]).amax(1)
        tensor([5., 7.])
    """
    return ops.amax(x, axis=_pick(axis, dim, x, "amax"), keepdims=keepdim or keepdims)


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Smallest value over ``dim``/``axis``; ties share the gradient.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([[1., 5.], [7., 2.]]).amin(1)
        tensor([1., 2.])
    """
    return ops.amin(x, axis=_pick(axis, dim, x, "amin"), keepdims=keepdim or keepdims)


def _max_or_min(x, dim, keepdim, axis, keepdims, reduce, arg, result):
    if isinstance(dim, Tensor):                 # torch.max(a, b): elementwise
        return (maximum if result is ReturnMax else minimum)(x, dim)
    if axis is not None or dim is None:         # NumPy style, or a full reduction: values only
        return reduce(x, axis=_pick(axis, None, x, result.__name__), keepdims=keepdims or keepdim)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{result.__name__}(): expected dim to be an int, got {dim!r}.")
    _norm_axis(dim, x.ndim, result.__name__)
    if x.ndim == 0:                             # a 0-d tensor is its own largest and smallest element
        return result(reduce(x, axis=None), Tensor._wrap(np.zeros((), np.int64)))
    idx = arg(x.array, axis=dim, keepdims=True)
    values = ops.take_along_axis(x, idx, axis=dim)
    if not keepdim:
        values, idx = squeeze(values, dim), np.squeeze(idx, axis=dim)
    return result(values, Tensor._wrap(idx.astype(np.int64)))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Largest value: ``max(x)`` over all; ``max(x, dim)`` -> (values, indices); ``max(x, axis=a)`` -> values;
    ``max(a, b)`` elementwise (a tensor as second argument).

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([[1., 5.], [7., 2.]])
        >>> x.max(dim=1).indices
        tensor([1, 0])
        >>> x.max(axis=1)
        tensor([5., 7.])
    """
    return _max_or_min(x, dim, keepdim, axis, keepdims, ops.amax, np.argmax, ReturnMax)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Smallest value, with the same call forms as :func:`max`.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([[1., 5.], [7., 2.]]).min(1).values
        tensor([1., 2.])
    """
    return _max_or_min(x, dim, keepdim, axis, keepdims, ops.amin, np.argmin, ReturnMin)


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Index of the largest value (flattened when no axis is given); an int64 tensor, no gradient.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([[1., 5.], [7., 2.]]).argmax(dim=1)
        tensor([1, 0])
    """
    axis = _pick(axis, dim, x, "argmax")
    return Tensor._wrap(np.argmax(x.array, axis=axis, keepdims=keepdim or keepdims).astype(np.int64))


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """Index of the smallest value; an int64 tensor, no gradient.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([3., 1., 2.]).argmin()
        tensor(1)
    """
    axis = _pick(axis, dim, x, "argmin")
    return Tensor._wrap(np.argmin(x.array, axis=axis, keepdims=keepdim or keepdims).astype(np.int64))


# ------------------------------------------------------------------------------------------------ elementwise

def pow(x, exponent):
    """x ** exponent; either may be a tensor or a number. Types promote as in PyTorch (float32 ** int64 stays
    float32); integers to negative integer powers are an error, as in PyTorch.

    Example:
        >>> import lucidnet
        >>> lucidnet.pow(lucidnet.tensor([2., 3.]), 2)
        tensor([4., 9.])
    """
    a, b = _promote(x, exponent)
    kinds = [(v.array if isinstance(v, Tensor) else np.asarray(v)).dtype.kind for v in (a, b)]
    if kinds == ["b", "b"]:
        if isinstance(b, bool):                 # PyTorch: x ** True is x, x ** False is all True
            return a.clone() if b else Tensor._wrap(np.ones(a.array.shape, dtype=bool))
        raise dtypes.DTypeError("pow(): expected numbers, got bool tensors (as PyTorch, which does not raise bools "
                                "to bool powers).")
    if not isinstance(b, (Tensor, np.ndarray)) and isinstance(a, Tensor):     # a constant exponent
        if a.array.dtype.kind in "iu" and b < 0:
            raise ValueError("pow(): integers to negative integer powers are not allowed (as in PyTorch); "
                             "use a float tensor.")
        return ops.pow(a, exponent=b)
    base, e = (np.asarray(_as_array(v)) for v in (a, b))
    if base.dtype.kind in "iu" and np.any(e < 0):          # as PyTorch: 1 and -1 keep their power, the rest is 0
        sign = np.where(e % 2 == 0, 1, base)
        out = np.where(e < 0, np.where(np.abs(base) == 1, sign, 0), np.power(base, np.maximum(e, 0)))
        return Tensor._wrap(out.astype(base.dtype))
    return ops.power(a, b)


def clamp(x, min=None, max=None):
    """x limited to [min, max]; either bound may be None.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([-2., 0.5, 3.]).clamp(0, 1)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise ValueError("clamp(): expected at least one of min and max, got neither.")
    if x.array.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        x = _float(x)                           # an int tensor clamped to float bounds is float32, as PyTorch
    return ops.clip(x, min=_as_array(min), max=_as_array(max))


clip = clamp


def maximum(a, b):
    """Elementwise maximum, broadcasting.

    Example:
        >>> import lucidnet
        >>> lucidnet.maximum(lucidnet.tensor([1., 4.]), lucidnet.tensor([3., 2.]))
        tensor([3., 4.])
    """
    return ops.maximum(*_promote(a, b))


def minimum(a, b):
    """Elementwise minimum, broadcasting.

    Example:
        >>> import lucidnet
        >>> lucidnet.minimum(lucidnet.tensor([1., 4.]), lucidnet.tensor([3., 2.]))
        tensor([1., 2.])
    """
    return ops.minimum(*_promote(a, b))


def where(condition, a=None, b=None):
    """a where condition holds, else b (broadcasting); gradients flow to a and b. With the condition alone, the
    indices where it holds, one tensor per dim (PyTorch's ``where(condition)``, ``nonzero(as_tuple=True)``).

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([-1., 2.])
        >>> lucidnet.where(x > 0, x, 0.)
        tensor([0., 2.])
    """
    if a is None and b is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(_as_array(condition)))
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):     # where(c, 1.0, 0.0): float32, as PyTorch
        a = Tensor._wrap(np.asarray(a, dtype=dtypes.default_dtype_for(a)))
    return ops.where(_as_array(condition), *_promote(a, b))


def masked_fill(x, mask, value):
    """x with ``value`` wherever ``mask`` is True (broadcasting), as used for attention masks.

    Example:
        >>> import lucidnet
        >>> lucidnet.tensor([1., 2.]).masked_fill(lucidnet.tensor([True, False]), 0.)
        tensor([0., 2.])
    """
    m = _as_array(mask)
    if np.asarray(m).dtype != bool:
        raise TypeError(f"masked_fill: expected a bool mask, got dtype {np.asarray(m).dtype}. Compare first "
                        f"(mask == 0) or convert it with .bool().")
    try:
        np.broadcast_shapes(np.shape(m), x.shape)
    except ValueError:
        raise ValueError(f"masked_fill: expected a mask broadcastable to {tuple(x.shape)}, got shape "
                         f"{tuple(np.shape(m))}.") from None
    if isinstance(value, Tensor):
        if value.ndim:
            raise ValueError(f"masked_fill: expected a number or a 0-d tensor as value, got shape {tuple(value.shape)}.")
        if value.requires_grad:                          # the gradient of the value is the sum over the mask
            return ops.where(m, value.to(x.dtype), x)
        value = value.array
    return ops.where(m, np.asarray(value, dtype=x.dtype), x)


def _triangle(where, x, diagonal, lower):
    if x.ndim < 2:
        raise ValueError(f"{where}: expected a tensor of at least 2 dimensions, got shape {tuple(x.shape)}.")
    keep = np.tri(x.shape[-2], x.shape[-1], int(diagonal), dtype=bool)     # on and below the diagonal
    if not lower:
        keep = ~np.tri(x.shape[-2], x.shape[-1], int(diagonal) - 1, dtype=bool)
    return ops.where(keep, x, np.zeros((), dtype=x.dtype))


def tril(x, diagonal=0):
    """The lower triangle of the last two axes (elements with column - row <= ``diagonal``); zeros above.

    Example:
        >>> import lucidnet
        >>> lucidnet.ones(2, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
    """
    return _triangle("tril", x, diagonal, lower=True)


def triu(x, diagonal=0):
    """The upper triangle of the last two axes (elements with column - row >= ``diagonal``); zeros below.

    Example:
        >>> import lucidnet
        >>> lucidnet.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    return _triangle("triu", x, diagonal, lower=False)


def softmax(x, dim=-1, *, axis=None):
    """exp(x) / sum(exp(x)) along ``dim`` (the last axis by default), numerically stable.

    Example:
        >>> import lucidnet
        >>> lucidnet.softmax(lucidnet.tensor([0., 0.]), dim=0)
        tensor([0.5000, 0.5000])
    """
    return ops.softmax(_float(x), axis=_pick(axis, dim, x, "softmax"))


def log_softmax(x, dim=-1, *, axis=None):
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x) so it never takes log(0).

    Example:
        >>> import lucidnet
        >>> lucidnet.log_softmax(lucidnet.tensor([0., 1000.]), dim=0)
        tensor([-1000.,     0.])
    """
    return ops.log_softmax(_float(x), axis=_pick(axis, dim, x, "log_softmax"))


# ------------------------------------------------------------------------------------------------ comparisons

def _compare(fn):
    def compare(input, other):
        a, b = _promote(input, other)
        return Tensor._wrap(np.asarray(fn(_as_array(a), _as_array(b))))
    compare.__name__ = fn.__name__
    compare.__doc__ = f"Elementwise {fn.__name__} as a bool tensor (no gradient), after PyTorch's type promotion."
    return compare


eq, ne, lt, le, gt, ge = (_compare(f) for f in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                                                 np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(a, b):
    """True when a and b have the same shape and elements.

    Example:
        >>> import lucidnet
        >>> lucidnet.equal(lucidnet.tensor([1, 2]), lucidnet.tensor([1, 2]))
        True
    """
    return bool(np.array_equal(_as_array(a), _as_array(b)))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when all elements agree within ``atol + rtol * |b|``.

    Example:
        >>> import lucidnet
        >>> lucidnet.allclose(lucidnet.tensor([1., 2.]), lucidnet.tensor([1., 2.000001]))
        True
    """
    return bool(np.allclose(_as_array(a), _as_array(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


# ------------------------------------------------------------------------------------------------ shapes

# in shaping.py; imported here, so that lucidnet.functional (and lucidnet) keep offering them
from .shaping import (  # noqa: E402,F401
    _norm_axis, _pick, cat, chunk, concatenate, expand, flatten, pad, permute, reshape, split, squeeze, stack,
    transpose, unsqueeze)


# ------------------------------------------------------------------------------------------------ nn math

def linear(x, weight, bias=None):
    """y = x @ weight.T + bias over the last axis, as one fused op.

    Example:
        >>> import lucidnet
        >>> linear(lucidnet.ones(2, 3), lucidnet.ones(4, 3)).shape
        lucidnet.Size([2, 4])
    """
    return ops.linear(x, weight, bias)


_UNSIGNED = {np.dtype(f"i{k}"): np.dtype(f"u{k}") for k in (1, 2, 4, 8)}


def _ids_in_range(t, c):
    """True if every class id in t (integers, at least one) is in [0, c). One reduction where the dtype
    allows it: seen as unsigned integers of the same width, negative ids are huge, so max() finds both."""
    unsigned = _UNSIGNED.get(t.dtype)
    if unsigned is not None:
        return t.view(unsigned).max() < c
    return t.min() >= 0 and t.max() < c                  # unsigned already, or a non-native byte order


# PyTorch's arithmetic with alpha= and rounding_mode=, and matmul's dtype check (pointwise.py, products.py build
# on this module and replace the primitives bound to these names above). lucidnet's top level exports the rest.
from .pointwise import add, div, mul, sub  # noqa: E402,F811
from .products import matmul  # noqa: E402,F811

__all__ += ["greater", "greater_equal", "less", "less_equal", "not_equal"]
