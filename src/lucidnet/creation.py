"""Creating tensors: from data, filled with a constant, ranges, and random numbers; the random generator.

Randomness comes from NumPy's ``np.random.Generator``. ``lucidnet.manual_seed(n)`` reseeds the default one;
every random function also takes ``generator=`` (a :class:`Generator`, a NumPy generator or a seed).
Random values follow the same distributions as PyTorch's, not the same streams.
"""
import reprlib

import numpy as np

from . import dtypes
from .random import Generator, default_generator, initial_seed, manual_seed, numpy_generator, seed
from .tensor import Tensor

_rng = numpy_generator      # the old private name, kept for branches in flight: use random.numpy_generator

__all__ = [
    "Generator", "arange", "as_tensor", "default_generator", "empty", "empty_like", "eye", "from_numpy", "full",
    "full_like", "initial_seed", "is_tensor", "linspace", "manual_seed", "numel", "ones", "ones_like", "rand",
    "rand_like", "randint", "randn", "randn_like", "randperm", "seed", "tensor", "zeros", "zeros_like",
]


def _size(size):
    """Accept zeros(2, 3) and zeros((2, 3))."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool) or s < 0:
            raise ValueError(f"size: expected non-negative integers, got {tuple(size)}.")
    return tuple(int(s) for s in size)


def _new(arr, requires_grad):
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _float_dtype(dtype):
    return dtypes.to_dtype(dtype) or dtypes.get_default_dtype()


# ------------------------------------------------------------------------------------------------ from data

def tensor(data, dtype=None, requires_grad=False, device=None):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays or tensors).

    The dtype is inferred as PyTorch does: Python floats give float32, ints int64, bools bool;
    NumPy arrays keep their dtype.

    Example:
        >>> tensor([[1., 2.], [3., 4.]])
        tensor([[1., 2.],
                [3., 4.]])
        >>> tensor([1, 2]).dtype
        dtype('int64')
    """
    if isinstance(data, Tensor):
        data = data.array
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d.array if isinstance(d, Tensor) else d for d in data]
    try:
        d = dtypes.to_dtype(dtype) or dtypes.default_dtype_for(data)
        arr = np.array(data, dtype=d)
    except ValueError as e:
        if "inhomogeneous" not in str(e):
            raise
        raise ValueError(f"tensor(): expected nested lists of equal lengths, got ragged data "
                         f"{reprlib.repr(data)}.") from None
    return _new(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor` but shares memory with a NumPy array or tensor when no conversion is needed.

    Example:
        >>> import numpy as np
        >>> a = np.zeros(2, np.float32); as_tensor(a).array is a
        True
    """
    if isinstance(data, Tensor):
        return data.to(dtype) if dtype is not None else data
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtypes.to_dtype(dtype)) == data.dtype):
        return Tensor._wrap(data)
    return tensor(data, dtype)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (same dtype, no copy).

    Example:
        >>> import numpy as np
        >>> from_numpy(np.arange(3))
        tensor([0, 1, 2])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy(): expected a numpy.ndarray, got {type(array).__name__}.")
    return Tensor._wrap(array)


def is_tensor(obj):
    """True for lucidnet tensors."""
    return isinstance(obj, Tensor)


def numel(t):
    """The number of elements of a tensor."""
    return t.numel()


# ------------------------------------------------------------------------------------------------ constants

def zeros(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of zeros (float32 unless ``dtype`` says otherwise).

    Example:
        >>> zeros(2, 3).shape
        (2, 3)
    """
    return _new(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of ones.

    Example:
        >>> ones(2)
        tensor([1., 1.])
    """
    return _new(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor filled with ``fill_value``; the dtype follows the value as in PyTorch (1 -> int64, 1. -> float32).

    Example:
        >>> full((2,), 7)
        tensor([7, 7])
    """
    d = dtypes.to_dtype(dtype) or dtypes.default_dtype_for(fill_value)
    return _new(np.full(_size((size,) if isinstance(size, int) else (size,)), fill_value, dtype=d), requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    """A tensor to be overwritten (lucidnet fills it with zeros, so it is never garbage).

    Example:
        >>> empty(2).shape
        (2,)
    """
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    """The n x m identity matrix.

    Example:
        >>> eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Evenly spaced values in [start, end): int64 for integer arguments, else float32.

    Example:
        >>> arange(3), arange(0, 1, 0.25)
        (tensor([0, 1, 2]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange(): expected a nonzero step, got 0.")
    if dtypes.to_dtype(dtype) is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else dtypes.get_default_dtype()
    return _new(np.arange(start, end, step).astype(dtypes.to_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    """``steps`` evenly spaced values from start to end, both included.

    Example:
        >>> linspace(0, 1, 3)
        tensor([0.0000, 0.5000, 1.0000])
    """
    return _new(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def _like(t, dtype):
    return t.shape, dtypes.to_dtype(dtype) or t.dtype


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    """Zeros with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype)
    return _new(np.zeros(shape, dtype=d), requires_grad)


def ones_like(t, dtype=None, requires_grad=False, device=None):
    """Ones with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype)
    return _new(np.ones(shape, dtype=d), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    """``fill_value`` everywhere, with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype)
    return _new(np.full(shape, fill_value, dtype=d), requires_grad)


def empty_like(t, dtype=None, requires_grad=False, device=None):
    """A zero-filled tensor with the shape (and dtype) of ``t``."""
    return zeros_like(t, dtype, requires_grad)


# ------------------------------------------------------------------------------------------------ random

def rand(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform samples from [0, 1).

    Example:
        >>> rand(2, 3).shape
        (2, 3)
    """
    d = _float_dtype(dtype)
    return _new(numpy_generator(generator).random(_size(size), dtype=np.float64).astype(d, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Samples from the standard normal distribution N(0, 1).

    Example:
        >>> randn(4).dtype
        dtype('float32')
    """
    d = _float_dtype(dtype)
    return _new(numpy_generator(generator).standard_normal(_size(size), dtype=np.float64).astype(d, copy=False),
                requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, requires_grad=False, device=None):
    """Random integers in [low, high); ``randint(high, size)`` starts at 0, as in PyTorch.

    Example:
        >>> x = randint(0, 10, (5,)); x.dtype, bool(((x >= 0) & (x < 10)).all())
        (dtype('int64'), True)
    """
    if size is None:                        # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint(): expected a size, e.g. randint(0, 10, (3,)).")
    if high <= low:
        raise ValueError(f"randint(): expected low < high, got low={low}, high={high}.")
    size = (size,) if isinstance(size, int) else tuple(size)
    d = dtypes.to_dtype(dtype) or dtypes.int64
    return _new(numpy_generator(generator).integers(low, high, size).astype(d), requires_grad)


def randperm(n, generator=None, dtype=None, device=None):
    """A random permutation of 0..n-1 (int64).

    Example:
        >>> sorted(randperm(4).tolist())
        [0, 1, 2, 3]
    """
    return Tensor._wrap(numpy_generator(generator).permutation(n).astype(dtypes.to_dtype(dtype) or dtypes.int64))


def rand_like(t, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform [0, 1) samples with the shape (and dtype) of ``t``."""
    return rand(*t.shape, generator=generator, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, generator=None, dtype=None, requires_grad=False, device=None):
    """Standard normal samples with the shape (and dtype) of ``t``."""
    return randn(*t.shape, generator=generator, dtype=dtype or t.dtype, requires_grad=requires_grad)
