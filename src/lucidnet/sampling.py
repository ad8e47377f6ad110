"""Sampling from distributions given as tensors, in PyTorch's names: multinomial, bernoulli, normal, poisson.

Like the rest of lucidnet's randomness they draw from the default generator (``lucidnet.manual_seed``) or
from ``generator=``; values follow PyTorch's distributions, not its random streams. No gradient.

Example:
    >>> import lucidnet
    >>> _ = lucidnet.manual_seed(0)
    >>> lucidnet.multinomial(lucidnet.tensor([0., 1., 0.]), 2, replacement=True)
    tensor([1, 1])
"""
import numpy as np

from . import dtypes
from .creation import _size
from .random import numpy_generator
from .tensor import Tensor

__all__ = ["bernoulli", "multinomial", "normal", "poisson"]


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Category indices drawn with the (unnormalized, non-negative) weights ``input``: (num_samples,) for one
    distribution, (rows, num_samples) for one per row. Without replacement each category is drawn at most once.

    Example:
        >>> import lucidnet
        >>> sorted(multinomial(lucidnet.tensor([1., 1., 1.]), 3).tolist())
        [0, 1, 2]
    """
    w = np.asarray(input.array if isinstance(input, Tensor) else input, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise ValueError(f"multinomial(): expected weights of shape (n,) or (rows, n), got {tuple(w.shape)}.")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("multinomial(): expected finite, non-negative weights, got inf, nan or a negative one.")
    rows = w.reshape(-1, w.shape[-1])
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError("multinomial(): expected weights with a positive sum in every row, got a row of zeros.")
    n = int(num_samples)
    if n <= 0:
        raise ValueError(f"multinomial(): expected a positive number of samples, got {num_samples}.")
    if not replacement and n > w.shape[-1]:
        raise ValueError(f"multinomial(): cannot draw {n} samples without replacement from {w.shape[-1]} "
                         f"categories; pass replacement=True.")
    rng = numpy_generator(generator)
    if replacement:                        # inverse CDF: where uniform draws fall among the cumulative weights
        cdf = np.cumsum(rows, axis=1) / totals[:, None]
        u = rng.random((len(rows), n))
        out = np.stack([np.minimum(np.searchsorted(c, r, side="right"), len(c) - 1) for c, r in zip(cdf, u)])
    else:                                  # the largest w / Exp(1) keys are a draw without replacement (Gumbel
        keys = rows / rng.exponential(size=rows.shape)   # top-k); zero weights come last, in index order, as PyTorch
        out = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    return Tensor._wrap(out.reshape(w.shape[:-1] + (n,)).astype(np.int64))


def bernoulli(input, p=None, *, generator=None):
    """0/1 samples, 1 with probability ``input`` (or ``p``) elementwise, in input's dtype.

    Example:
        >>> import lucidnet
        >>> bernoulli(lucidnet.tensor([0., 1.]))
        tensor([0., 1.])
    """
    probs = input.array if p is None else np.broadcast_to(np.asarray(p, dtype=np.float64), input.shape)
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError("bernoulli(): expected probabilities in [0, 1].")
    draws = numpy_generator(generator).random(np.shape(probs)) < probs
    dtype = input.array.dtype if input.array.dtype.kind == "f" else dtypes._default_float
    return Tensor._wrap(draws.astype(dtype))


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Normal samples with the given mean and standard deviation, each a tensor or a number (broadcasting);
    with two numbers, ``size`` gives the shape.

    Example:
        >>> import lucidnet
        >>> normal(lucidnet.zeros(2, 3), 1.0).shape, normal(0.0, 1.0, size=(4,)).dtype
        (lucidnet.Size([2, 3]), lucidnet.float32)
    """
    m = mean.array if isinstance(mean, Tensor) else np.asarray(mean, dtype=np.float64)
    s = std.array if isinstance(std, Tensor) else np.asarray(std, dtype=np.float64)
    if np.any(s < 0):
        raise ValueError("normal(): expected std >= 0.")
    if size is not None:
        shape = _size((size,) if isinstance(size, int) else tuple(size), "normal()")
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    tensors = [t.array.dtype for t in (mean, std) if isinstance(t, Tensor) and t.array.dtype.kind == "f"]
    d = dtypes.to_dtype(dtype) or (tensors[0] if tensors else dtypes._default_float)
    out = Tensor._wrap(numpy_generator(generator).normal(m, s, shape).astype(d))
    return out.requires_grad_() if requires_grad else out


def poisson(input, generator=None):
    """Poisson samples with rates ``input``, in input's dtype.

    Example:
        >>> import lucidnet
        >>> poisson(lucidnet.zeros(3))
        tensor([0., 0., 0.])
    """
    return Tensor._wrap(numpy_generator(generator).poisson(input.array).astype(input.array.dtype))
