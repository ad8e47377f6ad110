"""PyTorch's type promotion applied to the operands of an op, and the operand checks that go with it.

Every binary op (``+ - * / // % **``, comparisons, bitwise ops, ``maximum``, ``where``, ``atan2``, ...) passes
its operands through :func:`operands`: it converts them to the dtype PyTorch's ``result_type`` gives the pair
(see dtypes.py), so NumPy computes in that dtype, and it turns away what PyTorch refuses. The common case
(two tensors of one dtype, or a float tensor and a Python number) costs two checks.
"""
import numbers

import numpy as np

from . import dtypes

__all__ = ["IntegerDivisionByZero", "as_operand", "operands", "true_division", "check_integer_divisor",
           "inplace_operand"]


class IntegerDivisionByZero(RuntimeError, ZeroDivisionError):
    """Integer division or remainder by zero: a RuntimeError as PyTorch raises it, and a ZeroDivisionError."""


def _cast(x, d):
    """Tensor or array x in NumPy dtype d (a differentiable conversion for tensors that need a gradient)."""
    if isinstance(x, Tensor):
        return x if x.array.dtype == d else x.to(d)
    return x if x.dtype == d else x.astype(d)


def as_operand(v, where=None, position=2, name="other"):
    """v as an operand: a Tensor or a NumPy array as it is, a number as a Python number; None for anything else
    (the dunders then return NotImplemented), or a TypeError naming ``where`` when given (functions)."""
    t = type(v)
    if t is float or t is int or t is bool or isinstance(v, (Tensor, np.ndarray)):
        return v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    if where is None:
        return None
    raise TypeError(f"{where}: expected argument '{name}' (position {position}) to be a Tensor or a number, "
                    f"got {t.__name__}.")


def operands(a, b):
    """(a, b) converted to the dtype PyTorch gives an op between them; either may be a Python number.

    Returns None when one of them is not a tensor, array or number (a string, a list, None), so that the
    operator returns NotImplemented and Python raises PyTorch's own TypeError ("unsupported operand type(s)").

    Example:
        >>> import lucidnet
        >>> a, b = operands(lucidnet.tensor([1., 2.]), lucidnet.tensor([1, 2]))
        >>> a.dtype, b.dtype
        (lucidnet.float32, lucidnet.float32)
    """
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a.array.dtype is b.array.dtype:
                return a, b                   # the common case: one dtype
        elif type(b) is float and a.array.dtype.kind == "f":
            return a, b                       # a float tensor and a Python float: NumPy keeps the tensor's dtype
        else:
            b = as_operand(b)
            if b is None:
                return None
    elif isinstance(b, Tensor):
        if type(a) is float and b.array.dtype.kind == "f":
            return a, b
        a = as_operand(a)
        if a is None:
            return None
    else:
        a, b = as_operand(a), as_operand(b)
        if a is None or b is None:
            return None
    d = dtypes.result_dtype(a, b)
    return _convert(a, d), _convert(b, d)


def _convert(x, d):
    if isinstance(x, (Tensor, np.ndarray)):
        return _cast(x, d)
    if type(x) is int and d.kind in "iu":     # PyTorch wraps an integer that does not fit (int8 + 1000)
        info = np.iinfo(d)
        if not info.min <= x <= info.max:
            return np.array(x).astype(d)
    return x


def true_division(a, b):
    """The operands of a / b: integer (and bool) operands are divided as the default float dtype."""
    d = dtypes.result_dtype(a, b)
    if d.kind != "f":
        d = dtypes._default_float
    return _convert(a, d), _convert(b, d)


def check_integer_divisor(a, b, where):
    """For an integer division a / b (both operands integer or bool, after promotion): raise
    IntegerDivisionByZero when b holds a zero (NumPy would return 0 and warn)."""
    arr_a, arr = (v.array if isinstance(v, Tensor) else np.asarray(v) for v in (a, b))
    if arr_a.dtype.kind == "b" and arr.dtype.kind == "b":
        raise dtypes.DTypeError(f"{where}: expected numbers, got two bool tensors (PyTorch does not divide bools).")
    if arr_a.dtype.kind in "iub" and arr.dtype.kind in "iub" and not np.all(arr):
        raise IntegerDivisionByZero(f"{where}: integer division by zero (ZeroDivisionError, as in PyTorch). Divide "
                                    f"floating point tensors to get inf or nan instead.")


def inplace_operand(t, other, where):
    """``other`` ready for an in-place op on tensor t (``t += other``), after checking, as PyTorch does, that the
    result can keep t's dtype: it must not be of a higher category (a float result cannot go into an integer
    tensor). The op then computes in the promoted dtype and casts into t."""
    d = dtypes.result_dtype(t, other)
    if dtypes._category(d) > dtypes._category(t.array.dtype):
        raise dtypes.DTypeError(f"{where}: expected a result that fits the tensor's dtype {t.dtype}, got dtype "
                                f"{dtypes.wrap(d)} (PyTorch: result type can't be cast to the desired output type). "
                                f"Convert the tensor first, e.g. x = x.float().")
    return _convert(other.array if isinstance(other, Tensor) else other, d)


from .tensor import Tensor  # noqa: E402  (bottom import: tensor.py imports this module)
