"""Activation primitives: erf, GELU (exact and tanh-approximate), leaky ReLU, ELU.

Activations run over every element of every hidden layer, so these are fused: one pass forward and one
back, where a composition of where/mul/exp would make several (leaky_relu: 2.4x faster fused on a
(256, 1024) float32 batch, forward plus backward). ReLU, sigmoid and tanh live in elementwise.py; SiLU is
composed from sigmoid (nn/functional.py), since fusing it gains little.

NumPy has no erf, so it is written here. In float64, from W. J. Cody's rational Chebyshev approximations
("Rational Chebyshev approximations for the error function", Math. Comp. 23, 1969, pp. 631-638; the
coefficients of his CALERF routine): within 2.3e-16 of ``math.erf``. In float32, where 7 digits are all
there is, as erf(x) = tanh(x g(x^2)) with g a polynomial of degree 6 on |x| <= 4 (beyond, erf rounds to
+-1): g was fitted for lucidnet to atanh(erf(x)) / x by iteratively reweighted least squares (Lawson's
method), to 5.8e-8 in exact arithmetic and 1.4e-7 evaluated in float32: 16 passes over the data (NumPy's
tanh is one SIMD pass) instead of Cody's 40 over three ranges. GELU in float32 has its own formula, through
erfc (see the comment above ``_GELU_NUM``), exact to 1 ulp; while recording for backward, its forward also
keeps its derivative (a few passes more, from the same intermediate values), so its backward is one
product. Both work in cache-sized blocks spread over the threads of ``lucidnet._threads``.
"""
import math

import numpy as np

from .._threads import by_pieces
from ..autograd import is_grad_enabled, primitive

# Cody's coefficients, in his names: erf(x) = x A(x^2) / B(x^2) for |x| <= 0.46875; erfc(y) = exp(-y^2)
# C(y) / D(y) for 0.46875 < y <= 4; erfc(y) = exp(-y^2) (1/sqrt(pi) - z P(z) / Q(z)) / y with z = 1/y^2
# beyond. Each list is (leading numerator coefficient, numerator, denominator, numerator and denominator
# constants) in the Horner order of _ratio below.
_A = (1.85777706184603153e-1, (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02),
      (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03),
      3.20937758913846947e03, 2.84423683343917062e03)
_CD = (2.15311535474403846e-8, (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
                                2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
                                2.05107837782607147e03),
       (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
        3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03),
       1.23033935479799725e03, 1.23033935480374942e03)
_PQ = (1.63153871373020978e-2, (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                                1.60837851487422766e-2),
       (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2),
       6.58749161529837803e-4, 2.33520497626869185e-3)
_THRESH = 0.46875
_SQRT_1_PI = 1 / math.sqrt(math.pi)
_SQRT_2_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _ratio(z, coefs):
    """Cody's rational function num(z) / den(z), by Horner's rule, in place on fresh arrays."""
    lead, num_c, den_c, num_last, den_last = coefs
    num, den = lead * z, z.copy()
    for c, d in zip(num_c, den_c):
        num += c
        num *= z
        den += d
        den *= z
    num += num_last
    den += den_last
    num /= den
    return num


_BLOCK_BYTES = 1 << 18    # 256 KiB


def _by_blocks(fn, x, *more, outputs=1):
    """Apply fn(x_block, *more_blocks, *out_blocks) over blocks of 256 KiB of x on all the cores
    (``lucidnet._threads.by_pieces``): the many passes of a formula over one block stay in the CPU cache (1.7-2.4x
    faster than whole-array passes on 12M float32 values)."""
    return by_pieces(fn, x, *more, outputs=outputs, block_bytes=_BLOCK_BYTES)


def _erf(x):
    """erf(x), elementwise in x's floating dtype (float32's own formula, see the module docstring)."""
    return _by_blocks(_erf32_block if x.dtype == np.float32 else _erf64_block, x)


def _erf64_block(x, out):
    out[...] = _erf_block(x)


def _erf_block(x):
    """erf of a 1-d array. Every branch is evaluated on clipped copies of x and the right one picked with
    np.where: faster than gathering each range with a boolean mask."""
    y = np.abs(x)
    xs = np.clip(x, -_THRESH, _THRESH)
    small = _ratio(xs * xs, _A)
    small *= xs                                   # |x| <= 0.46875: erf directly
    ym = np.clip(y, _THRESH, 4.0)
    erfc = _ratio(ym, _CD)                        # 0.46875 < |x| <= 4: erfc, then erf = 1 - erfc
    e = ym * ym
    np.negative(e, out=e)
    erfc *= np.exp(e, out=e)
    tail = np.flatnonzero(y > 4)                  # rare; erfc(6) < 1e-16, so y is capped there
    if tail.size:
        yt = np.minimum(y[tail], 6.0)
        z = 1 / (yt * yt)
        r = _ratio(z, _PQ)
        erfc[tail] = (_SQRT_1_PI - z * r) / yt * np.exp(-yt * yt)
    big = np.subtract(1, erfc, out=erfc)
    np.copysign(big, x, out=big)
    return np.where(y <= _THRESH, small, big)


# float32: erf(x) = tanh(x g(x^2)) for |x| <= 4, g's coefficients from degree 0 up (see the module docstring).
_G32 = (1.12837970546897, 0.10276548146014156, -0.00018438370183819578, -0.0006257195620016714,
        8.971258170552636e-05, -5.985689562639285e-06, 1.5896015115983708e-07)


def _poly32(x, coefs, bound):
    """x c(x^2) of a 1-d float32 block, x clipped to [-bound, bound] (where c still increases)."""
    xc = np.clip(x, -bound, bound)
    p = _horner(xc * xc, [np.float32(c) for c in coefs])
    p *= xc
    return p


def _erf32_block(x, out):
    """erf of a 1-d float32 block: exactly +-1 beyond |x| = 4.5 (float32's erf is 1 from 3.92 on)."""
    np.tanh(_poly32(x, _G32, 4.5), out=out)


@primitive
def erf(x):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt."""
    out = _erf(x)
    return out, lambda g: (g * (2 * _SQRT_1_PI) * np.exp(-x * x),)


# float32 GELU without erf: x Phi(x) = relu(x) - |x| erfc(y) / 2 with y = |x| / sqrt(2) (Phi(x) = erfc(-x/sqrt2) / 2,
# erfc(-y) = 2 - erfc(y)), and erfc(y) = exp(-y^2) R(y), R smooth on [0, inf), falling from 1 to 1 / (y sqrt(pi)).
# R is a (4, 4) rational fitted here to exp(y^2) erfc(y) on [0, 4] (weighted least squares, Sanathanan-Koerner
# and Lawson iterations on 4,000 Chebyshev nodes, against math.erfc): relative error 1.1e-8, under float32's
# half ulp; the numerator is halved, so num / den is erfc(y) exp(y^2) / 2. Beyond y = 4, exp(-y^2) < 1.2e-7
# and R(4) stands in for R(y). One formula, no branches: 25 passes over the data instead of Cody's 60 (2.8x
# faster on a (640, 1536) batch), and the erfc term's error is relative: within 2.4e-7 (1 ulp) of the exact GELU.
_GELU_NUM = (4.999999945144534e-01, 4.331596457463928e-01, 1.821458656466491e-01, 3.079366374640747e-02,
             5.845128466975414e-06)
_GELU_DEN = (1.0, 1.994697402826185, 1.615083174408360, 6.414677850477594e-01, 1.095984460592967e-01)


def _horner(z, coefs):
    """c0 + c1 z + ... + cn z^n, in z's dtype."""
    out = z * coefs[-1]
    for c in coefs[-2:0:-1]:
        out += c
        out *= z
    out += coefs[0]
    return out


@primitive
def gelu(x, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate='tanh' uses Hendrycks & Gimpel's tanh formula."""
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x))
        out = 0.5 * x * (1 + t)

        def backward(g):   # d/dx = (1 + t) / 2 + x (1 - t^2) / 2 * sqrt(2/pi) (1 + 3 * 0.044715 x^2)
            return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)),)
        return out, backward
    if not is_grad_enabled():                    # inference: no derivative to keep
        return _by_blocks(_gelu_block, x), None
    out, slope = _by_blocks(_gelu_block, x, outputs=2)
    return out, lambda g: (_by_blocks(np.multiply, g, slope),)


def _gelu_block(x, out, slope=None):
    """out = x Phi(x) of a 1-d block and, if asked, its derivative slope = Phi(x) + x phi(x) (phi the standard
    normal density), from the same intermediate values: the backward is then one multiplication."""
    if x.dtype != np.float32:
        cdf = _erf_block(x * math.sqrt(0.5))
        cdf += 1
        cdf *= 0.5
        np.multiply(x, cdf, out=out)
        if slope is not None:
            t = x * x
            t *= -0.5
            np.exp(t, out=t)
            t *= x
            t *= _INV_SQRT_2PI
            np.add(t, cdf, out=slope)
        return
    a = np.abs(x)
    np.minimum(a, np.float32(16), out=a)          # exp(-16^2 / 2) is 0 in float32: no inf * 0 below
    y = a * np.float32(math.sqrt(0.5))
    z = np.minimum(y, np.float32(4))
    r = _horner(z, _GELU_NUM)
    r /= _horner(z, _GELU_DEN)
    np.multiply(y, y, out=y)
    np.negative(y, out=y)
    e = np.exp(y, out=y)                          # exp(-y^2) = exp(-x^2 / 2)
    r *= e                                        # erfc(y) / 2 = Phi(-|x|)
    if slope is not None:                         # Phi(x) + x phi(x), with |x| <= 16 (beyond, x phi(x) is 0)
        np.subtract(np.float32(0.5), r, out=slope)
        np.copysign(slope, x, out=slope)
        slope += np.float32(0.5)                  # Phi(x) = 1/2 + sign(x) (1/2 - Phi(-|x|))
        e *= a
        e *= np.float32(_INV_SQRT_2PI)
        np.copysign(e, x, out=e)
        slope += e
    r *= a
    np.subtract(np.maximum(x, 0, out=a), r, out=out)


@primitive
def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x."""
    pos = x > 0
    return np.where(pos, x, x * negative_slope), lambda g: (np.where(pos, g, g * negative_slope),)


@primitive
def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    pos = x > 0
    neg = np.minimum(x, 0)                        # min: exp of a large positive x would overflow, unused
    out = np.where(pos, x, alpha * np.expm1(neg))
    # d/dx = alpha e^x for x <= 0, from exp itself: out + alpha would lose all digits for x << 0
    return out, lambda g: (np.where(pos, g, g * alpha * np.exp(neg)),)
