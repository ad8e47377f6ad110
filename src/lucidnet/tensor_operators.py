"""The operators of :class:`~lucidnet.tensor.Tensor` (``+``, ``-``, ``*``, ``/``, ``//``, ``%``, ``**``, ``@``, the
bitwise ones and the comparisons), each one line into ``ops`` or a composite.

Each operator promotes its operands as PyTorch does (promotion.operands), which returns None for an operand
PyTorch refuses (a string, a list, None): the operator then returns NotImplemented and Python raises
"unsupported operand type(s) for +: 'Tensor' and 'str'", PyTorch's own TypeError.
"""
import numpy as np

from . import autograd, dtypes, ops

__all__ = ["TensorOperators"]


class TensorOperators:
    """The operators, mixed into Tensor.

    Example:
        >>> import lucidnet
        >>> (lucidnet.tensor([1., 2.]) * 2 + 1) @ lucidnet.tensor([1., 1.])
        tensor(8.)
    """
    __slots__ = ()

    def __add__(self, other):
        ab = operands(self, other)
        return NotImplemented if ab is None else ops.add(*ab)

    def __radd__(self, other):
        ab = operands(other, self)
        return NotImplemented if ab is None else ops.add(*ab)

    def __sub__(self, other):
        if self.array.dtype.kind == "b" or other is True or other is False or \
                isinstance(other, Tensor) and other.array.dtype.kind == "b":
            _bool_subtraction()
        ab = operands(self, other)
        return NotImplemented if ab is None else ops.sub(*ab)

    def __rsub__(self, other):
        if self.array.dtype.kind == "b" or other is True or other is False:
            _bool_subtraction()
        ab = operands(other, self)
        return NotImplemented if ab is None else ops.sub(*ab)

    def __mul__(self, other):
        if _unrecorded_scaling(self, other):
            return Tensor._wrap(np.multiply(self.array, other))
        ab = operands(self, other)
        return NotImplemented if ab is None else ops.mul(*ab)

    def __rmul__(self, other):
        if _unrecorded_scaling(self, other):
            return Tensor._wrap(np.multiply(other, self.array))
        ab = operands(other, self)
        return NotImplemented if ab is None else ops.mul(*ab)

    def __truediv__(self, other):
        return NotImplemented if as_operand(other) is None else ops.div(*true_division(self, other))

    def __rtruediv__(self, other):
        return NotImplemented if as_operand(other) is None else ops.div(*true_division(other, self))

    def __floordiv__(self, other):
        return NotImplemented if as_operand(other) is None else P.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return NotImplemented if as_operand(other) is None else P.floor_divide(other, self)

    def __mod__(self, other):
        return NotImplemented if as_operand(other) is None else P.remainder(self, other)

    def __rmod__(self, other):
        return NotImplemented if as_operand(other) is None else P.remainder(other, self)

    def __neg__(self):
        if self.array.dtype.kind == "b":
            raise dtypes.DTypeError("neg(): negation, the `-` operator, on a bool tensor is not supported (as in "
                                    "PyTorch); use the `~` operator or logical_not() instead.")
        return ops.neg(self)

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        return NotImplemented if as_operand(exponent) is None else F.pow(self, exponent)

    def __rpow__(self, base):
        return NotImplemented if as_operand(base) is None else F.pow(base, self)

    def __matmul__(self, other):
        if isinstance(other, Tensor):
            return ops.matmul(self, other)           # the primitive checks shapes and dtypes
        return F.matmul(self, other) if isinstance(other, np.ndarray) else NotImplemented

    def __rmatmul__(self, other):
        return F.matmul(other, self) if isinstance(other, np.ndarray) else NotImplemented

    def __abs__(self):
        return ops.abs(self)

    def __invert__(self):
        return LG.bitwise_not(self)

    def __and__(self, other):
        return NotImplemented if as_operand(other) is None else LG.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return NotImplemented if as_operand(other) is None else LG.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return NotImplemented if as_operand(other) is None else LG.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __lshift__(self, other):
        return NotImplemented if as_operand(other) is None else LG.bitwise_left_shift(self, other)

    def __rshift__(self, other):
        return NotImplemented if as_operand(other) is None else LG.bitwise_right_shift(self, other)

    # comparisons: bool tensors, no gradient; NotImplemented for what PyTorch cannot compare (x == "a" is False)
    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)


def _unrecorded_scaling(t, other):
    """True for a float tensor times a Python float that nothing records (``lr * grad`` in an update step): NumPy
    keeps the tensor's dtype, as PyTorch's promotion does, so the product needs neither promotion nor a node."""
    return type(other) is float and not (t._requires_grad and autograd._grad_enabled) and t.array.dtype.kind == "f"


def _bool_subtraction():
    raise dtypes.DTypeError("sub(): subtraction, the `-` operator, with a bool tensor is not supported (as in "
                            "PyTorch); use the `^` operator or logical_xor() to compare masks, `~` to invert one.")


def _compare(ufunc, a, b):
    ab = operands(a, b)
    if ab is None:
        return NotImplemented
    return Tensor._wrap(ufunc(*(_as_array(v) for v in ab)))


def wire():
    """Bind the modules the operators call into. They import Tensor, so tensor.py calls this after defining it."""
    global Tensor, _as_array, as_operand, operands, true_division, F, LG, P
    from .tensor import Tensor, _as_array
    from .promotion import as_operand, operands, true_division
    from . import functional as F, logic as LG, pointwise as P  # noqa: F811
