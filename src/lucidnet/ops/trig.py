"""Trigonometric and hyperbolic primitives beyond sin, cos and tanh: tan, the inverse functions, sinh and
cosh, and atan2. Integer inputs compute in the default float dtype, as in PyTorch."""
import numpy as np

from ..autograd import primitive, unbroadcast
from .elementwise import _floating


@primitive
def tan(x):
    """Tangent."""
    out = np.tan(_floating(x))
    return out, lambda g: (g * (1 + out * out),)          # d/dx tan x = 1 + tan^2 x


@primitive
def asin(x):
    """Inverse sine, in [-pi/2, pi/2]."""
    return np.arcsin(_floating(x)), lambda g: (g / np.sqrt(1 - x * x),)


@primitive
def acos(x):
    """Inverse cosine, in [0, pi]."""
    return np.arccos(_floating(x)), lambda g: (-g / np.sqrt(1 - x * x),)


@primitive
def atan(x):
    """Inverse tangent, in (-pi/2, pi/2)."""
    return np.arctan(_floating(x)), lambda g: (g / (1 + x * x),)


@primitive
def sinh(x):
    """Hyperbolic sine."""
    return np.sinh(_floating(x)), lambda g: (g * np.cosh(x),)


@primitive
def cosh(x):
    """Hyperbolic cosine."""
    return np.cosh(_floating(x)), lambda g: (g * np.sinh(x),)


@primitive
def asinh(x):
    """Inverse hyperbolic sine."""
    return np.arcsinh(_floating(x)), lambda g: (g / np.sqrt(x * x + 1),)


@primitive
def acosh(x):
    """Inverse hyperbolic cosine, for x >= 1."""
    return np.arccosh(_floating(x)), lambda g: (g / np.sqrt(x * x - 1),)


@primitive
def atanh(x):
    """Inverse hyperbolic tangent, for |x| < 1."""
    return np.arctanh(_floating(x)), lambda g: (g / (1 - x * x),)


@primitive
def atan2(a, b):
    """The angle of the point (b, a) in (-pi, pi]: atan(a / b), with the quadrant from both signs."""
    sa, sb = np.shape(a), np.shape(b)

    def backward(g, needs):                    # d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
        s = g / (a * a + b * b)
        return (unbroadcast(s * b, sa) if needs[0] else None,
                unbroadcast(-s * a, sb) if needs[1] else None)
    return np.arctan2(a, b), backward
