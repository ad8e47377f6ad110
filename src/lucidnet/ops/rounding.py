"""Piecewise-constant and piecewise-linear primitives: ceil, floor, round, trunc, sign, frac, and the two
remainders (remainder, Python's sign rule; fmod, C's).

Rounding functions are flat almost everywhere, so their gradient is zero (as PyTorch gives it: zeros, not
None). On integer tensors they return the values unchanged, in their dtype, as PyTorch does.
"""
import numpy as np

from ..autograd import primitive, unbroadcast


def _flat(x, fn):
    """fn(x) for floats; integers (and bools) are already whole: a copy, dtype kept."""
    return fn(x) if x.dtype.kind == "f" else x.copy()


@primitive
def ceil(x):
    """Smallest integer >= x."""
    return _flat(x, np.ceil), lambda g: (np.zeros_like(g),)


@primitive
def floor(x):
    """Largest integer <= x."""
    return _flat(x, np.floor), lambda g: (np.zeros_like(g),)


@primitive
def round(x, decimals=0):
    """x rounded to ``decimals`` places, halves to even (as PyTorch and NumPy)."""
    return _flat(x, lambda v: np.round(v, decimals)), lambda g: (np.zeros_like(g),)


@primitive
def trunc(x):
    """x rounded toward zero."""
    return _flat(x, np.trunc), lambda g: (np.zeros_like(g),)


@primitive
def sign(x):
    """-1, 0 or 1 by the sign of x (bools stay bools)."""
    return (np.sign(x) if x.dtype.kind != "b" else x.copy()), lambda g: (np.zeros_like(g),)


@primitive
def frac(x):
    """x - trunc(x): the fractional part, with x's sign."""
    return x - np.trunc(x), lambda g: (g,)


@primitive
def remainder(a, b):
    """a - floor(a / b) * b: the remainder with the divisor's sign (Python's %)."""
    sa, sb = np.shape(a), np.shape(b)

    def backward(g, needs):                    # d/da = 1, d/db = -floor(a / b)
        return (unbroadcast(g, sa) if needs[0] else None,
                unbroadcast(-g * np.floor_divide(a, b), sb) if needs[1] else None)
    return np.mod(a, b), backward


@primitive
def fmod(a, b):
    """a - trunc(a / b) * b: the remainder with the dividend's sign (C's fmod)."""
    sa, sb = np.shape(a), np.shape(b)

    def backward(g, needs):                    # d/da = 1, d/db = -trunc(a / b)
        return (unbroadcast(g, sa) if needs[0] else None,
                unbroadcast(-g * np.trunc(np.divide(a, b)), sb) if needs[1] else None)
    return np.fmod(a, b), backward
