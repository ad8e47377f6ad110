"""PyTorch's activation functions (``torch.nn.functional``): relu, leaky_relu, elu, erf, gelu, silu (one
primitive each, or a composition), and relu6, hardtanh, selu, celu, mish, softplus, softsign, softmin,
logsigmoid, hardswish, hardsigmoid, tanhshrink, threshold, glu: compositions of primitives (no backward code),
with PyTorch's defaults. ``inplace`` is accepted and ignored (lucidnet computes out of place); sigmoid, tanh,
softmax and log_softmax are lucidnet.functional's, re-exported by nn.functional. ``erf`` is lucidnet's (not in
PyTorch's torch.nn.functional), exported by nn.functional too.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([-8., 0., 8.])
    >>> relu6(x), softplus(x).round(decimals=4)
    (tensor([0., 0., 6.]), tensor([3.0000e-04, 6.9310e-01, 8.0003e+00]))
"""
import numpy as np

from .. import ops
from ..functional import _float, _norm_axis, softmax

__all__ = ["celu", "elu", "gelu", "glu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "logsigmoid",
           "mish", "relu", "relu_", "relu6", "selu", "silu", "softmin", "softplus", "softsign", "tanhshrink",
           "threshold"]

# SELU's constants (Klambauer et al. 2017), as PyTorch.
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def relu(input, inplace=False):
    """max(x, 0), elementwise. ``inplace`` is accepted for PyTorch code and ignored (lucidnet never mutates
    an input that autograd may need).

    Example:
        >>> import lucidnet
        >>> relu(lucidnet.tensor([-1.0, 3.0]))
        tensor([0., 3.])
    """
    return ops.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, else ``negative_slope * x``.

    Example:
        >>> import lucidnet
        >>> leaky_relu(lucidnet.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    return ops.leaky_relu(input, negative_slope=float(negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, else ``alpha * (exp(x) - 1)`` (Clevert et al. 2015).

    Example:
        >>> import lucidnet
        >>> elu(lucidnet.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])
    """
    return ops.elu(input, alpha=float(alpha))


def erf(input):
    """The error function, elementwise (W. J. Cody's rational approximations; float64 to 2.3e-16).

    Example:
        >>> import lucidnet
        >>> erf(lucidnet.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5205])
    """
    return ops.erf(_float(input))


def gelu(input, approximate="none"):
    """Gaussian error linear unit x * Phi(x) (Hendrycks & Gimpel 2016), Phi the standard normal CDF.

    Args:
        input: any shape.
        approximate: 'none' for the exact erf form, 'tanh' for
            ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` (cheaper; GPT-2's choice).

    Example:
        >>> import lucidnet
        >>> gelu(lucidnet.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: expected approximate 'none' or 'tanh', got {approximate!r}.")
    return ops.gelu(_float(input), approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x), also called swish; composed from the sigmoid primitive.

    Example:
        >>> import lucidnet
        >>> silu(lucidnet.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """
    return input * ops.sigmoid(input)


def relu_(input):
    """max(x, 0), written into x (``x.relu_()``).

    Example:
        >>> import lucidnet
        >>> relu_(lucidnet.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val].

    Example:
        >>> import lucidnet
        >>> hardtanh(lucidnet.tensor([-3., 0.5, 3.]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: expected min_val <= max_val, got {min_val} and {max_val}.")
    return _float(input).clamp(min_val, max_val)


def relu6(input, inplace=False):
    """min(max(x, 0), 6).

    Example:
        >>> import lucidnet
        >>> relu6(lucidnet.tensor([-1., 3., 9.]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0)


def _elu(x, alpha):
    return ops.where(x.array > 0, x, alpha * x.clamp(max=0).expm1())


def selu(input, inplace=False):
    """scale * (x if x > 0 else alpha * (e^x - 1)), with SELU's self-normalizing constants.

    Example:
        >>> import lucidnet
        >>> selu(lucidnet.tensor([-1., 0., 1.]))
        tensor([-1.1113,  0.0000,  1.0507])
    """
    return _SELU_SCALE * _elu(_float(input), _SELU_ALPHA)


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (e^(x / alpha) - 1).

    Example:
        >>> import lucidnet
        >>> celu(lucidnet.tensor([-1., 1.]), alpha=2.0)
        tensor([-0.7869,  1.0000])
    """
    if alpha == 0:
        raise ValueError("celu: expected alpha != 0, got 0.")
    x = _float(input)
    return ops.where(x.array > 0, x, alpha * (x.clamp(max=0) / alpha).expm1())


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch, for stability).

    The smooth form is written log1p(e^-|bx|) + max(bx, 0), which never overflows.

    Example:
        >>> import lucidnet
        >>> softplus(lucidnet.tensor([-1., 0., 30.]))
        tensor([ 0.3133,  0.6931, 30.0000])
    """
    x = _float(input)
    bx = x * beta if beta != 1 else x
    smooth = (-bx.abs()).exp().log1p() + bx.clamp(min=0)
    return ops.where(bx.array > threshold, x, smooth / beta if beta != 1 else smooth)


def mish(input, inplace=False):
    """x * tanh(softplus(x)) (Misra 2019).

    Example:
        >>> import lucidnet
        >>> mish(lucidnet.tensor([-1., 0., 1.]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    x = _float(input)
    return x * softplus(x).tanh()


def softsign(input):
    """x / (1 + |x|).

    Example:
        >>> import lucidnet
        >>> softsign(lucidnet.tensor([-3., 1.]))
        tensor([-0.7500,  0.5000])
    """
    x = _float(input)
    return x / (1 + x.abs())


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), computed without overflow.

    Example:
        >>> import lucidnet
        >>> logsigmoid(lucidnet.tensor([-100., 0.]))
        tensor([-100.0000,   -0.6931])
    """
    return -softplus(-_float(input))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``.

    Example:
        >>> import lucidnet
        >>> softmin(lucidnet.tensor([1., 2.]), dim=0)
        tensor([0.7311, 0.2689])
    """
    x = _float(input) if dtype is None else input.to(dtype)
    return softmax(-x, dim=_dim(x, dim))


def _dim(x, dim):
    if dim is None:                         # PyTorch's legacy choice for an unspecified dim
        return 0 if x.ndim in (0, 1, 3) else 1
    return dim


def hardsigmoid(input, inplace=False):
    """clamp(x / 6 + 1/2, 0, 1): a piecewise-linear sigmoid.

    Example:
        >>> import lucidnet
        >>> hardsigmoid(lucidnet.tensor([-4., 0., 4.]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return (_float(input) / 6 + 0.5).clamp(0.0, 1.0)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x) (MobileNetV3).

    Example:
        >>> import lucidnet
        >>> hardswish(lucidnet.tensor([-4., 1., 4.]))
        tensor([-0.0000, 0.6667, 4.0000])
    """
    x = _float(input)
    return x * hardsigmoid(x)


def tanhshrink(input):
    """x - tanh(x).

    Example:
        >>> import lucidnet
        >>> tanhshrink(lucidnet.tensor([0., 1.]))
        tensor([0.0000, 0.2384])
    """
    x = _float(input)
    return x - x.tanh()


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else ``value``.

    Example:
        >>> import lucidnet
        >>> threshold(lucidnet.tensor([0.05, 0.5]), 0.1, 20.0)
        tensor([20.0000,  0.5000])
    """
    x = input
    return ops.where(x.array > threshold, x, np.asarray(value, dtype=x.array.dtype))


def glu(input, dim=-1):
    """The gated linear unit: a * sigmoid(b), where a and b are the two halves of input along ``dim``.

    Example:
        >>> import lucidnet
        >>> glu(lucidnet.tensor([[1., 2., 0., 100.]]))
        tensor([[0.5000, 2.0000]])
    """
    d = _norm_axis(dim, input.ndim, "glu")
    n = input.shape[d]
    if n % 2:
        raise ValueError(f"glu: expected an even size along dim {dim}, got {n} (input of shape "
                         f"{tuple(input.shape)}).")
    a = input[(slice(None),) * d + (slice(0, n // 2),)]
    b = input[(slice(None),) * d + (slice(n // 2, n),)]
    return a * b.sigmoid()


