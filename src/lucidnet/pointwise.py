"""Elementwise functions in PyTorch's names and signatures: arithmetic with ``alpha`` and ``rounding_mode``,
rounding, trigonometry, logarithms, bitwise and logical ops, tests for nan and inf.

Each is a primitive (ops/) or a composite of primitives, after PyTorch's type promotion of its operands
(promotion.py): an integer tensor divided by an integer tensor gives floats, float32 with an int64 tensor
stays float32, and integer division or remainder by zero raises as in PyTorch.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([-1.5, 0.5, 2.5])
    >>> lucidnet.floor(x), lucidnet.div(lucidnet.tensor([7, -7]), 2, rounding_mode="trunc")
    (tensor([-2.,  0.,  2.]), tensor([ 3, -3]))
"""
import numpy as np

from . import dtypes, ops
from .promotion import as_operand, check_integer_divisor, operands, true_division
from .tensor import Tensor

__all__ = [
    "absolute", "acos", "acosh", "add", "addcdiv", "addcmul", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "clamp_max", "clamp_min", "cosh", "div",
    "divide", "erf", "exp2", "expm1", "fix", "float_power", "floor", "floor_divide", "fmod", "frac", "lerp", "log10",
    "log1p", "log2", "mul", "multiply", "negative", "reciprocal", "remainder", "round", "rsqrt", "sgn", "sign",
    "sinh", "square", "sub", "subtract", "tan", "true_divide", "trunc",
]


def _pair(input, other, where):
    """The operands of a binary function, promoted; a TypeError naming the function for anything else."""
    ab = operands(input, other)
    if ab is None:
        as_operand(input, where, 1, "input")
        as_operand(other, where, 2, "other")
    return ab


def _tensor(x, where):
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}: expected argument 'input' (position 1) to be a Tensor, got {type(x).__name__}.")
    return x


def _float(x):
    """x itself if floating, else in the default float dtype (PyTorch's rule for float-valued functions)."""
    return x if x.array.dtype.kind == "f" else x.to(dtypes._default_float)


# ------------------------------------------------------------------------------------------------ arithmetic

def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting, with PyTorch's type promotion.

    Example:
        >>> import lucidnet
        >>> add(lucidnet.tensor([1, 2]), lucidnet.tensor([10, 20]), alpha=2)
        tensor([21, 42])
    """
    a, b = _pair(input, other, "add()")
    return ops.add(a, _times_alpha(a, b, alpha, "add()"))


def _times_alpha(a, b, alpha, where):
    """b * alpha in the op's dtype, as PyTorch: a float alpha is refused for integer operands; for bools, alpha
    is a truth value."""
    if alpha == 1:
        return b
    kind = np.result_type(*(v.array if isinstance(v, Tensor) else v for v in (a, b))).kind
    if kind in "iu" and isinstance(alpha, float):
        raise TypeError(f"{where}: expected an integer alpha for integer tensors, got {alpha!r}.")
    if kind == "b":
        return b if alpha else b * False
    return b * alpha


def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcasting (bool tensors are refused, as in PyTorch).

    Example:
        >>> import lucidnet
        >>> sub(lucidnet.tensor([1., 2.]), 1)
        tensor([0., 1.])
    """
    for v in (input, other):
        if isinstance(v, bool) or isinstance(v, Tensor) and v.array.dtype.kind == "b":
            raise dtypes.DTypeError("sub(): subtraction, the `-` operator, with a bool tensor is not supported (as "
                                    "in PyTorch); use the `^` operator or logical_xor() for masks, `~` to invert one.")
    a, b = _pair(input, other, "sub()")
    return ops.sub(a, _times_alpha(a, b, alpha, "sub()"))


subtract = sub


def mul(input, other):
    """input * other, broadcasting.

    Example:
        >>> import lucidnet
        >>> mul(lucidnet.tensor([1, 2]), 1.5)
        tensor([1.5000, 3.0000])
    """
    return ops.mul(*_pair(input, other, "mul()"))


multiply = mul


def div(input, other, *, rounding_mode=None):
    """input / other: true division (integers give floats); ``rounding_mode='trunc'`` rounds toward zero and
    ``'floor'`` down, keeping integer dtypes (an integer division by zero raises, as in PyTorch).

    Example:
        >>> import lucidnet
        >>> div(lucidnet.tensor([7, -7]), 2), div(lucidnet.tensor([7, -7]), 2, rounding_mode="floor")
        (tensor([ 3.5000, -3.5000]), tensor([ 3, -4]))
    """
    if rounding_mode is None:
        as_operand(input, "div()", 1, "input")
        as_operand(other, "div()", 2, "other")
        return ops.div(*true_division(input, other))
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode != "trunc":
        raise ValueError(f"div(): expected rounding_mode None, 'trunc' or 'floor', got {rounding_mode!r}.")
    a, b = _pair(input, other, "div()")
    arr_a, arr_b = (v.array if isinstance(v, Tensor) else v for v in (a, b))   # Python numbers stay weak
    if np.result_type(arr_a, arr_b).kind == "f":
        return ops.trunc(ops.div(a, b))
    check_integer_divisor(arr_a, arr_b, "div()")
    q = np.floor_divide(arr_a, arr_b)               # C's integer division: floor, then one back where signs differ
    q = q + ((q < 0) & (q * arr_b != arr_a))
    return Tensor._wrap(np.asarray(q))


divide = true_divide = div


def floor_divide(input, other):
    """floor(input / other), no gradient (as in PyTorch); an integer division by zero raises.

    Example:
        >>> import lucidnet
        >>> floor_divide(lucidnet.tensor([7, -7]), 2)
        tensor([ 3, -4])
    """
    a, b = _pair(input, other, "floor_divide()")
    check_integer_divisor(a, b, "floor_divide()")
    return Tensor._wrap(np.asarray(np.floor_divide(*(v.array if isinstance(v, Tensor) else v for v in (a, b)))))


def remainder(input, other):
    """input - floor(input / other) * other: the sign of the divisor, as Python's % (an integer remainder by
    zero raises).

    Example:
        >>> import lucidnet
        >>> remainder(lucidnet.tensor([-3., 3.]), 2)
        tensor([1., 1.])
    """
    a, b = _pair(input, other, "remainder()")
    check_integer_divisor(a, b, "remainder()")
    return ops.remainder(a, b)


def fmod(input, other):
    """input - trunc(input / other) * other: the sign of the dividend, as C's fmod.

    Example:
        >>> import lucidnet
        >>> fmod(lucidnet.tensor([-3., 3.]), 2)
        tensor([-1.,  1.])
    """
    _tensor(input, "fmod()")
    a, b = _pair(input, other, "fmod()")
    check_integer_divisor(a, b, "fmod()")
    return ops.fmod(a, b)


def float_power(input, exponent):
    """input ** exponent computed in float64.

    Example:
        >>> import lucidnet
        >>> float_power(lucidnet.tensor([2]), 2)
        tensor([4.], dtype=lucidnet.float64)
    """
    x = input.to(dtypes.float64) if isinstance(input, Tensor) else float(input)
    e = exponent.to(dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    from .functional import pow
    return pow(x, e)


def lerp(input, end, weight):
    """input + weight * (end - input): linear interpolation (an exponential moving average's step).

    Example:
        >>> import lucidnet
        >>> lerp(lucidnet.tensor([0., 10.]), lucidnet.tensor([10., 20.]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2.

    Example:
        >>> import lucidnet
        >>> addcmul(lucidnet.ones(2), lucidnet.tensor([1., 2.]), lucidnet.tensor([3., 4.]), value=0.5)
        tensor([2.5000, 5.0000])
    """
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2.

    Example:
        >>> import lucidnet
        >>> addcdiv(lucidnet.ones(2), lucidnet.tensor([1., 2.]), lucidnet.tensor([2., 4.]))
        tensor([1.5000, 1.5000])
    """
    return input + value * tensor1 / tensor2


def clamp_min(input, min):
    """max(input, min).

    Example:
        >>> import lucidnet
        >>> clamp_min(lucidnet.tensor([-1., 2.]), 0)
        tensor([0., 2.])
    """
    from .functional import clamp
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(input, max).

    Example:
        >>> import lucidnet
        >>> clamp_max(lucidnet.tensor([-1., 2.]), 0)
        tensor([-1.,  0.])
    """
    from .functional import clamp
    return clamp(input, max=max)


# ------------------------------------------------------------------------------------------------ unary math

def _unary(name, op, doc, example, floating=True):
    def fn(input):
        x = _tensor(input, f"{name}()")
        return op(_float(x) if floating else x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""{doc}

    Example:
        >>> import lucidnet
        >>> {example[0]}
        {example[1]}
    """
    return fn


ceil = _unary("ceil", ops.ceil, "The smallest integer >= each element (integer tensors unchanged).",
              ("ceil(lucidnet.tensor([-1.5, 0.2]))", "tensor([-1.,  1.])"), floating=False)
floor = _unary("floor", ops.floor, "The largest integer <= each element (integer tensors unchanged).",
               ("floor(lucidnet.tensor([-1.5, 0.2]))", "tensor([-2.,  0.])"), floating=False)
trunc = _unary("trunc", ops.trunc, "Each element rounded toward zero.",
               ("trunc(lucidnet.tensor([-1.5, 1.7]))", "tensor([-1.,  1.])"), floating=False)
fix = trunc
sign = _unary("sign", ops.sign, "-1, 0 or 1 by the sign of each element.",
              ("sign(lucidnet.tensor([-2., 0., 3.]))", "tensor([-1.,  0.,  1.])"), floating=False)
sgn = sign
frac = _unary("frac", ops.frac, "The fractional part, x - trunc(x).",
              ("frac(lucidnet.tensor([-1.5, 2.25]))", "tensor([-0.5000,  0.2500])"))
tan = _unary("tan", ops.tan, "Tangent.", ("tan(lucidnet.tensor([0.0, 1.0]))", "tensor([0.0000, 1.5574])"))
asin = arcsin = _unary("asin", ops.asin, "Inverse sine.", ("asin(lucidnet.tensor([0.0, 1.0]))",
                                                          "tensor([0.0000, 1.5708])"))
acos = arccos = _unary("acos", ops.acos, "Inverse cosine.", ("acos(lucidnet.tensor([1.0, 0.0]))",
                                                            "tensor([0.0000, 1.5708])"))
atan = arctan = _unary("atan", ops.atan, "Inverse tangent.", ("atan(lucidnet.tensor([0.0, 1.0]))",
                                                             "tensor([0.0000, 0.7854])"))
sinh = _unary("sinh", ops.sinh, "Hyperbolic sine.", ("sinh(lucidnet.tensor([0.0, 1.0]))", "tensor([0.0000, 1.1752])"))
cosh = _unary("cosh", ops.cosh, "Hyperbolic cosine.", ("cosh(lucidnet.tensor([0.0, 1.0]))",
                                                        "tensor([1.0000, 1.5431])"))
asinh = arcsinh = _unary("asinh", ops.asinh, "Inverse hyperbolic sine.", ("asinh(lucidnet.tensor([0.0, 1.0]))",
                                                                          "tensor([0.0000, 0.8814])"))
acosh = arccosh = _unary("acosh", ops.acosh, "Inverse hyperbolic cosine.", ("acosh(lucidnet.tensor([1.0, 2.0]))",
                                                                            "tensor([0.0000, 1.3170])"))
atanh = arctanh = _unary("atanh", ops.atanh, "Inverse hyperbolic tangent.", ("atanh(lucidnet.tensor([0.0, 0.5]))",
                                                                             "tensor([0.0000, 0.5493])"))
log1p = _unary("log1p", ops.log1p, "log(1 + x), accurate near 0.", ("log1p(lucidnet.tensor([0.0, 1.0]))",
                                                                   "tensor([0.0000, 0.6931])"))
expm1 = _unary("expm1", ops.expm1, "exp(x) - 1, accurate near 0.", ("expm1(lucidnet.tensor([0.0, 1.0]))",
                                                                   "tensor([0.0000, 1.7183])"))
log2 = _unary("log2", ops.log2, "Base-2 logarithm.", ("log2(lucidnet.tensor([1.0, 8.0]))", "tensor([0., 3.])"))
log10 = _unary("log10", ops.log10, "Base-10 logarithm.", ("log10(lucidnet.tensor([1.0, 100.0]))",
                                                          "tensor([0., 2.])"))
reciprocal = _unary("reciprocal", ops.reciprocal, "1 / x.", ("reciprocal(lucidnet.tensor([2.0, 4.0]))",
                                                              "tensor([0.5000, 0.2500])"))
erf = _unary("erf", ops.erf, "The error function.", ("erf(lucidnet.tensor([0.0, 0.5]))", "tensor([0.0000, 0.5205])"))


def round(input, *, decimals=0):
    """Each element rounded to ``decimals`` places, halves to even (as PyTorch).

    Example:
        >>> import lucidnet
        >>> round(lucidnet.tensor([0.5, 1.5, 2.567])), round(lucidnet.tensor([2.567]), decimals=2)
        (tensor([0., 2., 3.]), tensor([2.5700]))
    """
    return ops.round(_tensor(input, "round()"), decimals=int(decimals))


def rsqrt(input):
    """1 / sqrt(x).

    Example:
        >>> import lucidnet
        >>> rsqrt(lucidnet.tensor([4.0]))
        tensor([0.5000])
    """
    return ops.reciprocal(ops.sqrt(_float(_tensor(input, "rsqrt()"))))


def square(input):
    """x * x (integer tensors stay integer).

    Example:
        >>> import lucidnet
        >>> square(lucidnet.tensor([-2, 3]))
        tensor([4, 9])
    """
    return ops.pow(_tensor(input, "square()"), exponent=2)


def exp2(input):
    """2 ** x.

    Example:
        >>> import lucidnet
        >>> exp2(lucidnet.tensor([3.0]))
        tensor([8.])
    """
    return ops.power(2.0, _float(_tensor(input, "exp2()")))


def negative(input):
    """-x.

    Example:
        >>> import lucidnet
        >>> negative(lucidnet.tensor([1, -2]))
        tensor([-1,  2])
    """
    return -_tensor(input, "negative()")


def absolute(input):
    """|x|.

    Example:
        >>> import lucidnet
        >>> absolute(lucidnet.tensor([-1.5]))
        tensor([1.5000])
    """
    return ops.abs(_tensor(input, "absolute()"))


def atan2(input, other):
    """The angle of the point (other, input), in (-pi, pi]: atan(input / other) in the right quadrant.

    Example:
        >>> import lucidnet
        >>> atan2(lucidnet.tensor([1.0, -1.0]), lucidnet.tensor([-1.0, -1.0]))
        tensor([ 2.3562, -2.3562])
    """
    return ops.atan2(*true_division(*_pair(input, other, "atan2()")))


arctan2 = atan2
