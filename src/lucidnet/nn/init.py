"""lucidnet.nn.init: fill a weight tensor in place with a starting distribution, PyTorch's ``torch.nn.init``.

Every function writes into ``tensor.array`` without recording (as under ``no_grad``), returns the tensor,
and draws from lucidnet's default generator (seeded by ``lucidnet.manual_seed``) unless ``generator=``
is given. Fans and gains follow PyTorch exactly, so the same call gives the same distribution.

The tutorials' ``W = 0.01 * np.random.randn(n_in, n_out)`` is ``normal_(W, 0, 0.01)``, and their weight
bounds ``np.random.uniform(a, b, shape)`` are ``uniform_(W, a, b)``.

Keras's initializers by name (``"glorot_uniform"``, ``"he_normal"``, ...; what ``Dense(kernel_initializer=...)``
takes) are in :data:`KERAS_INITIALIZERS`, written with the functions here.

Example:
    >>> import lucidnet
    >>> from lucidnet.nn import init
    >>> w = init.kaiming_uniform_(lucidnet.empty(256, 784), nonlinearity="relu", generator=0)
    >>> bound = (6 / 784) ** 0.5
    >>> bool(w.abs().max() <= bound), round(bound, 4)
    (True, 0.0875)
"""
import math

import numpy as np

from ..random import numpy_generator

__all__ = [
    "KERAS_INITIALIZERS", "calculate_gain", "constant_", "eye_", "kaiming_normal_", "kaiming_uniform_", "normal_",
    "ones_", "orthogonal_", "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_",
]


def _fill(tensor, values):
    """Write ``values`` into the tensor's array in place (no graph) and bump its version."""
    tensor.array[...] = values
    tensor._bump()
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended scale of the weights in front of ``nonlinearity``, so activations keep their variance:
    1 for linear/conv/sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu
    (slope ``param``, default 0.01), 3/4 for selu. Same table as PyTorch.

    Example:
        >>> calculate_gain("relu"), calculate_gain("tanh")
        (1.4142135623730951, 1.6666666666666667)
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: expected a number as the negative slope, got {param!r}.")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: expected one of {', '.join(linear)}, sigmoid, tanh, relu, leaky_relu, selu; "
                     f"got {nonlinearity!r}.")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight: for (out, in, *kernel), fan_in = in * prod(kernel) and fan_out =
    out * prod(kernel), as PyTorch.

    Example:
        >>> import lucidnet
        >>> _calculate_fan_in_and_fan_out(lucidnet.empty(16, 3, 5, 5))
        (75, 400)
    """
    if tensor.ndim < 2:
        raise ValueError(f"init: fan in and fan out can only be computed for a tensor with at least 2 dimensions, "
                         f"got shape {tuple(tensor.shape)}.")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: expected mode 'fan_in' or 'fan_out', got {mode!r}.")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples from U(a, b): the tutorials' weight bounds.

    Example:
        >>> import lucidnet
        >>> w = uniform_(lucidnet.empty(3, 4), -0.5, 0.5)
        >>> bool((w >= -0.5).all() and (w <= 0.5).all())
        True
    """
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}.")
    return _fill(tensor, numpy_generator(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples from N(mean, std^2); the tutorials' ``0.01 * randn`` is ``normal_(w, 0, 0.01)``.

    Example:
        >>> import lucidnet
        >>> w = normal_(lucidnet.empty(100, 100), 0, 0.01, generator=0)
        >>> round(w.std().item(), 3)
        0.01
    """
    if std < 0:
        raise ValueError(f"normal_: expected std >= 0, got {std}.")
    return _fill(tensor, numpy_generator(generator).normal(mean, std, tensor.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std^2) samples redrawn until they fall in [a, b] (absolute bounds, as PyTorch).

    Example:
        >>> import lucidnet
        >>> bool(trunc_normal_(lucidnet.empty(1000), std=1.0).abs().max() <= 2)
        True
    """
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}.")
    rng = numpy_generator(generator)
    values = rng.normal(mean, std, tensor.shape)
    bad = (values < a) | (values > b)
    while bad.any():
        values[bad] = rng.normal(mean, std, int(bad.sum()))
        bad = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor, val):
    """Fill with the value ``val``.

    Example:
        >>> import lucidnet
        >>> constant_(lucidnet.empty(2), 0.5)
        tensor([0.5000, 0.5000])
    """
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with zeros (biases, usually).

    Example:
        >>> import lucidnet
        >>> zeros_(lucidnet.ones(2))
        tensor([0., 0.])
    """
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with ones (normalization weights, usually).

    Example:
        >>> import lucidnet
        >>> ones_(lucidnet.zeros(2))
        tensor([1., 1.])
    """
    return _fill(tensor, 1)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix.

    Example:
        >>> import lucidnet
        >>> eye_(lucidnet.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    if tensor.ndim != 2:
        raise ValueError(f"eye_: expected a 2-D tensor, got shape {tuple(tensor.shape)}.")
    return _fill(tensor, np.eye(*tensor.shape))


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013), as PyTorch: the QR of a normal
    matrix, signs fixed by R's diagonal; dims after the first are flattened.

    Example:
        >>> import lucidnet
        >>> w = orthogonal_(lucidnet.empty(3, 5), generator=0)
        >>> bool((w @ w.T - lucidnet.eye(3)).abs().max() < 1e-6)
        True
    """
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: expected a tensor of at least 2 dimensions, got shape {tuple(tensor.shape)}.")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows if rows else 0
    flat = numpy_generator(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); Keras's default
    ``glorot_uniform``.

    Example:
        >>> import lucidnet
        >>> w = xavier_uniform_(lucidnet.empty(30, 20))
        >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
        True
    """
    if tensor.array.size == 0:                  # nothing to fill (PyTorch warns and returns)
        return tensor
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _fill(tensor, numpy_generator(generator).uniform(-a, a, tensor.shape))


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Example:
        >>> import lucidnet
        >>> w = xavier_normal_(lucidnet.empty(300, 200), generator=0)
        >>> round(w.std().item(), 3), round((2 / 500) ** 0.5, 3)
        (0.063, 0.063)
    """
    if tensor.array.size == 0:                  # nothing to fill (PyTorch warns and returns)
        return tensor
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _fill(tensor, numpy_generator(generator).normal(0.0, std, tensor.shape))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): U(-bound, bound) with bound = gain * sqrt(3 / fan), gain = calculate_gain(
    nonlinearity, a). PyTorch's Linear default is ``kaiming_uniform_(w, a=sqrt(5))``, i.e. bound 1/sqrt(fan_in).

    Args:
        tensor: the weight, (out, in, *kernel).
        a: the negative slope of the leaky_relu that follows (only for nonlinearity='leaky_relu').
        mode: 'fan_in' keeps the forward variance, 'fan_out' the backward one.
        nonlinearity: 'relu' or 'leaky_relu' (He's setting), or any name calculate_gain knows.
        generator: a lucidnet Generator or seed; default: lucidnet's.

    Example:
        >>> import lucidnet
        >>> w = kaiming_uniform_(lucidnet.empty(10, 400), a=5 ** 0.5)
        >>> bool(w.abs().max() <= 1 / 400 ** 0.5)
        True
    """
    if tensor.array.size == 0:                  # nothing to fill (PyTorch warns and returns)
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(_calculate_correct_fan(tensor, mode))
    return _fill(tensor, numpy_generator(generator).uniform(-bound, bound, tensor.shape))


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan); the standard start for ReLU networks with
    ``nonlinearity='relu'`` (std = sqrt(2 / fan_in)).

    Example:
        >>> import lucidnet
        >>> w = kaiming_normal_(lucidnet.empty(400, 500), nonlinearity="relu", generator=0)
        >>> round(w.std().item(), 3), round((2 / 500) ** 0.5, 3)
        (0.063, 0.063)
    """
    if tensor.array.size == 0:                  # nothing to fill (PyTorch warns and returns)
        return tensor
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(_calculate_correct_fan(tensor, mode))
    return _fill(tensor, numpy_generator(generator).normal(0.0, std, tensor.shape))


# ------------------------------------------------------------------------------------------------ Keras's names

# Keras's normal variants are truncated at two standard deviations, rescaled to keep the variance.
_TRUNC = 0.87962566103423978                   # std of a standard normal truncated to [-2, 2]


def _variance_scaling(scale, mode, distribution):
    def init_(w, generator=None):
        fan_in, fan_out = _calculate_fan_in_and_fan_out(w)
        n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
        if distribution == "uniform":
            limit = math.sqrt(3 * scale / n)
            return uniform_(w, -limit, limit, generator=generator)
        std = math.sqrt(scale / n) / _TRUNC
        return trunc_normal_(w, 0.0, std, -2 * std, 2 * std, generator=generator)
    return init_


# name -> fill(w, generator=None), in place, as Keras's initializer of that name draws.
KERAS_INITIALIZERS = {
    "glorot_uniform": _variance_scaling(1.0, "fan_avg", "uniform"),
    "glorot_normal": _variance_scaling(1.0, "fan_avg", "normal"),
    "he_uniform": _variance_scaling(2.0, "fan_in", "uniform"),
    "he_normal": _variance_scaling(2.0, "fan_in", "normal"),
    "lecun_uniform": _variance_scaling(1.0, "fan_in", "uniform"),
    "lecun_normal": _variance_scaling(1.0, "fan_in", "normal"),
    "random_normal": lambda w, generator=None: normal_(w, 0.0, 0.05, generator=generator),
    "random_uniform": lambda w, generator=None: uniform_(w, -0.05, 0.05, generator=generator),
    "zeros": lambda w, generator=None: zeros_(w),
    "ones": lambda w, generator=None: ones_(w),
}
KERAS_INITIALIZERS.update(xavier_uniform=KERAS_INITIALIZERS["glorot_uniform"],      # PyTorch's names for them
                          xavier_normal=KERAS_INITIALIZERS["glorot_normal"],
                          kaiming_uniform=KERAS_INITIALIZERS["he_uniform"],
                          kaiming_normal=KERAS_INITIALIZERS["he_normal"])
