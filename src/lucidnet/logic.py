"""Bitwise and logical functions, and tests for nan and inf, in PyTorch's names: ``bitwise_and`` (``&``),
``bitwise_or``, ``bitwise_xor``, ``bitwise_not`` (``~``), the shifts, ``logical_*``, ``isnan``, ``isinf``,
``isfinite``, ``isclose``. None has a gradient; operands are promoted as in PyTorch (promotion.py), and
bitwise ops take only integer and bool tensors, as in PyTorch.

Example:
    >>> import lucidnet
    >>> m = lucidnet.tensor([True, False])
    >>> ~m, m & lucidnet.tensor([True, True]), lucidnet.isnan(lucidnet.tensor([0.0, float("nan")]))
    (tensor([False,  True]), tensor([ True, False]), tensor([False,  True]))
"""
import numpy as np

from . import dtypes
from .pointwise import _pair, _tensor
from .tensor import Tensor

__all__ = [
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "logical_and", "logical_not", "logical_or",
    "logical_xor",
]


def _integral(ab, where):
    for v in ab:
        kind = v.array.dtype.kind if isinstance(v, Tensor) else np.asarray(v).dtype.kind
        if kind not in "biu":
            raise dtypes.DTypeError(f"{where}: expected integer or bool tensors, got dtype "
                                    f"{dtypes.wrap(np.asarray(getattr(v, 'array', v)).dtype)}.")
    return [v.array if isinstance(v, Tensor) else v for v in ab]


def _bitwise(name, ufunc, symbol, result):
    def fn(input, other):
        a, b = _integral(_pair(input, other, f"{name}()"), f"{name}()")
        return Tensor._wrap(np.asarray(ufunc(a, b)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Elementwise ``{symbol}`` of integer or bool tensors, promoted as PyTorch does (no gradient).

    Example:
        >>> import lucidnet
        >>> {name}(lucidnet.tensor([12, 10]), lucidnet.tensor([10, 3]))
        {result}
    """
    return fn


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "&", "tensor([8, 2])")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "|", "tensor([14, 11])")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "^", "tensor([6, 9])")
bitwise_left_shift = _bitwise("bitwise_left_shift", np.left_shift, "<<", "tensor([12288,    80])")
bitwise_right_shift = _bitwise("bitwise_right_shift", np.right_shift, ">>", "tensor([0, 1])")


def bitwise_not(input):
    """Elementwise ``~``: bits flipped for integers, logical not for bools (no gradient).

    Example:
        >>> import lucidnet
        >>> bitwise_not(lucidnet.tensor([True, False])), bitwise_not(lucidnet.tensor([0, 5]))
        (tensor([False,  True]), tensor([-1, -6]))
    """
    a, = _integral([_tensor(input, "bitwise_not()")], "bitwise_not()")
    return Tensor._wrap(np.invert(a))


def _logical(name, ufunc, result):
    def fn(input, other):
        a, b = (v.array if isinstance(v, Tensor) else v for v in _pair(input, other, f"{name}()"))
        return Tensor._wrap(np.asarray(ufunc(a, b)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Elementwise logical {name[8:]} of the truth of each element (nonzero is True); a bool tensor.

    Example:
        >>> import lucidnet
        >>> {name}(lucidnet.tensor([0, 1, 2]), lucidnet.tensor([1., 0., 3.]))
        {result}
    """
    return fn


logical_and = _logical("logical_and", np.logical_and, "tensor([False, False,  True])")
logical_or = _logical("logical_or", np.logical_or, "tensor([True, True, True])")
logical_xor = _logical("logical_xor", np.logical_xor, "tensor([ True,  True, False])")


def logical_not(input):
    """Elementwise logical not (zero is True); a bool tensor.

    Example:
        >>> import lucidnet
        >>> logical_not(lucidnet.tensor([0., 2.]))
        tensor([ True, False])
    """
    return Tensor._wrap(np.logical_not(_tensor(input, "logical_not()").array))


# ------------------------------------------------------------------------------------------------ tests

def isnan(input):
    """True where an element is nan.

    Example:
        >>> import lucidnet
        >>> isnan(lucidnet.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """
    return Tensor._wrap(np.isnan(_tensor(input, "isnan()").array))


def isinf(input):
    """True where an element is +inf or -inf.

    Example:
        >>> import lucidnet
        >>> isinf(lucidnet.tensor([1.0, float("-inf")]))
        tensor([False,  True])
    """
    return Tensor._wrap(np.isinf(_tensor(input, "isinf()").array))


def isposinf(input):
    """True where an element is +inf."""
    return Tensor._wrap(np.isposinf(_tensor(input, "isposinf()").array))


def isneginf(input):
    """True where an element is -inf."""
    return Tensor._wrap(np.isneginf(_tensor(input, "isneginf()").array))


def isfinite(input):
    """True where an element is neither nan nor infinite.

    Example:
        >>> import lucidnet
        >>> isfinite(lucidnet.tensor([1.0, float("inf"), float("nan")]))
        tensor([ True, False, False])
    """
    return Tensor._wrap(np.isfinite(_tensor(input, "isfinite()").array))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``|input - other| <= atol + rtol * |other|``.

    Example:
        >>> import lucidnet
        >>> isclose(lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([1.0, 2.1]))
        tensor([ True, False])
    """
    a, b = (v.array if isinstance(v, Tensor) else v for v in _pair(input, other, "isclose()"))
    return Tensor._wrap(np.asarray(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))
