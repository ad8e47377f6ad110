"""Elementwise primitives: arithmetic, powers, exp/log, trigonometry, activations, selection.

Binary ops broadcast; their backward sums each gradient back to its operand's shape (unbroadcast)
and skips operands that need no gradient (constants, data).
"""
import math

import numpy as np

from .._threads import by_pieces
from ..autograd import primitive, unbroadcast
from ..dtypes import get_default_dtype


def _shape(v):
    """np.shape(v), without its dispatch for the arrays most ops get (numbers: ())."""
    return v.shape if type(v) is np.ndarray else np.shape(v)


def _floating(x):
    """Integer or bool input to a float-valued function: computed in the default float dtype (float32), as
    PyTorch does, where NumPy would give float64."""
    return x.astype(get_default_dtype()) if type(x) is np.ndarray and x.dtype.kind in "biu" else x


# ------------------------------------------------------------------------------------------ arithmetic

@primitive
def add(a, b):
    """a + b, broadcasting."""
    sa, sb = _shape(a), _shape(b)             # backward needs only the shapes, not the values

    def backward(g, needs):                    # (the unbroadcast of an operand of g's shape, inline: g itself)
        return (None if not needs[0] else g if g.shape == sa else unbroadcast(g, sa),
                None if not needs[1] else g if g.shape == sb else unbroadcast(g, sb))
    return np.add(a, b), backward


@primitive
def sub(a, b):
    """a - b, broadcasting."""
    sa, sb = _shape(a), _shape(b)

    def backward(g, needs):
        return (unbroadcast(g, sa) if needs[0] else None,
                unbroadcast(-g, sb) if needs[1] else None)
    return np.subtract(a, b), backward


@primitive
def mul(a, b):
    """a * b, broadcasting."""
    def backward(g, needs):
        return (unbroadcast(g * b, _shape(a)) if needs[0] else None,
                unbroadcast(g * a, _shape(b)) if needs[1] else None)
    return np.multiply(a, b), backward


@primitive
def div(a, b):
    """a / b, broadcasting."""
    out, sa, sb = np.divide(a, b), _shape(a), _shape(b)

    def backward(g, needs):
        return (unbroadcast(g / b, sa) if needs[0] else None,
                unbroadcast(-g * out / b, sb) if needs[1] else None)   # d(a/b)/db = -a/b^2
    return out, backward


@primitive
def neg(x):
    """-x."""
    return np.negative(x), lambda g: (-g,)


@primitive(name="PowBackward0")
def pow(x, exponent):
    """x ** exponent for a constant (non-differentiated) exponent."""
    def backward(g):
        if exponent == 2:
            return (g * 2 * x,)
        if exponent == 0:                      # x ** 0 is constant: 0, not 0 * 0 ** -1 = nan at x == 0 (as PyTorch)
            return (np.zeros_like(g),)
        return (g * exponent * np.power(x, exponent - 1),)
    return np.power(x, exponent), backward


@primitive(name="PowBackward1")
def power(a, b):
    """a ** b where the exponent is a tensor too."""
    out = np.power(a, b)

    def backward(g, needs):
        ga = None
        if needs[0]:                           # b a^(b-1); taken as 0 where b == 0 (a^0 is constant), as PyTorch
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = unbroadcast(np.where(b == 0, 0, g * b * np.power(a, b - 1)), _shape(a))
        if needs[1]:                           # d(a^b)/db = a^b ln a; taken as 0 where a == 0 (PyTorch does too)
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = np.where(a == 0, 0, g * out * np.log(np.where(a == 0, 1, a)))
            return ga, unbroadcast(gb, _shape(b))
        return ga, None
    return out, backward


# ------------------------------------------------------------------------------------------ unary math

_LN2, _LN10 = math.log(2.0), math.log(10.0)      # Python floats: a NumPy float64 would widen float32 gradients

@primitive
def exp(x):
    """e ** x."""
    out = np.exp(_floating(x))
    return out, lambda g: (g * out,)          # d/dx e^x = e^x: reuse the forward result


@primitive
def log(x):
    """Natural logarithm."""
    return np.log(_floating(x)), lambda g: (g / x,)


@primitive
def sqrt(x):
    """Square root."""
    out = np.sqrt(_floating(x))
    return out, lambda g: (g / (2 * out),)


@primitive(name="Log1PBackward0")
def log1p(x):
    """log(1 + x), accurate for small x."""
    return np.log1p(_floating(x)), lambda g: (g / (1 + x),)


@primitive
def expm1(x):
    """e ** x - 1, accurate for small x."""
    out = np.expm1(_floating(x))
    return out, lambda g: (g * (out + 1),)


@primitive
def log2(x):
    """Base-2 logarithm."""
    return np.log2(_floating(x)), lambda g: (g / (x * _LN2),)


@primitive
def log10(x):
    """Base-10 logarithm."""
    return np.log10(_floating(x)), lambda g: (g / (x * _LN10),)


@primitive
def reciprocal(x):
    """1 / x."""
    out = np.reciprocal(_floating(x))
    return out, lambda g: (-g * out * out,)


@primitive
def clone(x):
    """A copy of x that gradients flow through."""
    return x.copy(), lambda g: (g,)


@primitive(name="ToCopyBackward0")
def astype(x, dtype):
    """x converted to another floating dtype; the gradient is converted back."""
    in_dtype = x.dtype
    return x.astype(dtype), lambda g: (g.astype(in_dtype),)


@primitive
def abs(x):
    """|x|."""
    return np.abs(x), lambda g: (g * np.sign(x),)   # subgradient 0 at x == 0, as PyTorch


@primitive
def sin(x):
    """Sine."""
    return np.sin(_floating(x)), lambda g: (g * np.cos(x),)


@primitive
def cos(x):
    """Cosine."""
    return np.cos(_floating(x)), lambda g: (-g * np.sin(x),)


@primitive
def tanh(x):
    """Hyperbolic tangent."""
    out = np.tanh(_floating(x))
    return out, lambda g: (g * (1 - out * out),)


@primitive
def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    x = _floating(x)
    e = np.exp(-np.abs(x))                    # in (0, 1]: never overflows
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out, lambda g: (g * out * (1 - out),)


def _relu(x, out):
    np.maximum(x, 0, out=out)


def _relu_grad(g, y, out):
    np.multiply(g, y > 0, out=out)             # subgradient 0 at x == 0, as PyTorch


_RELU_PIECES = 1 << 19                          # from this many elements on, by_pieces may split ReLU over threads


@primitive
def relu(x):
    """max(x, 0); large arrays on all the cores (measured on 2 cores for (128, 32, 28, 28): forward 1.8x, backward
    1.5x faster). Smaller ones (an MLP's (128, 256)) call NumPy directly: by_pieces's checks would cost more
    than the pass itself."""
    if type(x) is np.ndarray and x.size < _RELU_PIECES and x.dtype.kind == "f":
        out = np.maximum(x, 0)
        return out, lambda g: (np.multiply(g, out > 0),)         # subgradient 0 at x == 0, as PyTorch
    out = by_pieces(_relu, x)
    return out, lambda g: (by_pieces(_relu_grad, g, out),)


@primitive(name="ClampBackward1")
def clip(x, min=None, max=None):
    """x limited to [min, max] (either bound may be None)."""
    out = np.clip(x, min, max)
    return out, lambda g: (g * (out == x),)    # gradient only where x was inside the bounds


# ------------------------------------------------------------------------------------------ selection

@primitive
def maximum(a, b):
    """Elementwise max, broadcasting; ties split the gradient equally, as in PyTorch."""
    out = np.maximum(a, b)

    def backward(g, needs):
        wa = (a > b) + (a == b) * np.asarray(0.5, g.dtype)
        return (unbroadcast(g * wa, _shape(a)) if needs[0] else None,
                unbroadcast(g * (1 - wa), _shape(b)) if needs[1] else None)
    return out, backward


@primitive
def minimum(a, b):
    """Elementwise min, broadcasting; ties split the gradient equally, as in PyTorch."""
    out = np.minimum(a, b)

    def backward(g, needs):
        wa = (a < b) + (a == b) * np.asarray(0.5, g.dtype)
        return (unbroadcast(g * wa, _shape(a)) if needs[0] else None,
                unbroadcast(g * (1 - wa), _shape(b)) if needs[1] else None)
    return out, backward


@primitive
def where(condition, a, b):
    """a where condition else b, broadcasting all three; the condition gets no gradient."""
    sa, sb = _shape(a), _shape(b)

    def backward(g, needs):
        zero = np.zeros((), dtype=g.dtype)
        return (None,
                unbroadcast(np.where(condition, g, zero), sa) if needs[1] else None,
                unbroadcast(np.where(condition, zero, g), sb) if needs[2] else None)
    return np.where(condition, a, b), backward
