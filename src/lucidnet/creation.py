"""Creating tensors: from data, filled with a constant, ranges, and random numbers; the random generator.

Randomness comes from NumPy's ``np.random.Generator``. ``lucidnet.manual_seed(n)`` reseeds the default one;
every random function also takes ``generator=`` (a :class:`Generator`, a NumPy generator or a seed).
Random values follow the same distributions as PyTorch's, not the same streams.
"""
import numbers
import reprlib

import numpy as np

from . import dtypes
from .device import check_device
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, numpy_generator, seed,
                     set_rng_state)
from .tensor import Tensor

_rng = numpy_generator      # the old private name, kept for branches in flight: use random.numpy_generator

__all__ = [
    "Generator", "arange", "as_tensor", "asarray", "default_generator", "empty", "empty_like", "eye", "from_numpy",
    "full", "full_like", "get_rng_state", "initial_seed", "is_floating_point", "is_nonzero", "is_tensor", "linspace",
    "logspace", "manual_seed", "numel", "ones", "ones_like", "rand", "rand_like", "randint", "randint_like", "randn",
    "randn_like", "randperm", "scalar_tensor", "seed", "set_rng_state", "tensor", "zeros", "zeros_like",
]


def _size(size, where="size"):
    """Accept zeros(2, 3), zeros((2, 3)) and zeros(lucidnet.Size([2, 3])); a bad size is an error naming ``where``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (numbers.Integral, Tensor)) or \
                isinstance(s, Tensor) and (s.array.dtype.kind not in "iu" or s.array.size != 1):
            raise TypeError(f"{where}: expected sizes as integers, got {tuple(size)!r} (a "
                            f"{type(s).__name__}).")
    size = tuple(int(s) for s in size)
    if any(s < 0 for s in size):
        raise ValueError(f"{where}: expected non-negative sizes, got {size}.")
    return size


def _new(arr, requires_grad):
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _float_dtype(dtype):
    return dtypes.to_dtype(dtype) or dtypes.get_default_dtype()


# ------------------------------------------------------------------------------------------------ from data

def tensor(data, dtype=None, requires_grad=False, device=None, pin_memory=False):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays or tensors).

    The dtype is inferred as PyTorch does: Python floats give float32, ints int64, bools bool;
    NumPy arrays keep their dtype. ``None``, strings and other objects are a TypeError, as in PyTorch.

    Example:
        >>> tensor([[1., 2.], [3., 4.]])
        tensor([[1., 2.],
                [3., 4.]])
        >>> tensor([1, 2]).dtype
        lucidnet.int64
    """
    check_device(device, "tensor()")
    if isinstance(data, Tensor):
        data = data.array
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d.array if isinstance(d, Tensor) else d for d in data]
    try:
        given = dtypes.to_dtype(dtype)
        d = dtypes.default_dtype_for(data)        # also the TypeError for None, strings, objects
        arr = np.array(data, dtype=given or d)
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
    check_device(device, "as_tensor()")
    if isinstance(data, Tensor):
        return data.to(dtype) if dtype is not None else data
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and \
            (dtype is None or dtypes.to_dtype(dtype) == data.dtype):
        return Tensor._wrap(data)
    return tensor(data, dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Like :func:`as_tensor` (shares memory when it can); ``copy=True`` always copies.

    Example:
        >>> asarray([1, 2])
        tensor([1, 2])
    """
    t = tensor(obj, dtype, device=device) if copy else as_tensor(obj, dtype, device)
    return t.requires_grad_() if requires_grad else t


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


def is_floating_point(input):
    """True for a float16/32/64 tensor."""
    return input.is_floating_point()


def is_nonzero(input):
    """The truth of a one-element tensor (an error for any other)."""
    if input.array.size != 1:
        raise RuntimeError(f"is_nonzero(): expected a tensor with one element, got shape {tuple(input.shape)}.")
    return bool(input.array.item())


def scalar_tensor(s, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding the number ``s`` (float32 by default, as PyTorch).

    Example:
        >>> scalar_tensor(3)
        tensor(3.)
    """
    check_device(device, "scalar_tensor()")
    return _new(np.array(s, dtype=_float_dtype(dtype)), requires_grad)


def numel(t):
    """The number of elements of a tensor."""
    return t.numel()


# ------------------------------------------------------------------------------------------------ constants

def zeros(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of zeros (float32 unless ``dtype`` says otherwise).

    Example:
        >>> zeros(2, 3).shape
        lucidnet.Size([2, 3])
    """
    check_device(device, "zeros()")
    return _new(np.zeros(_size(size, "zeros()"), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of ones.

    Example:
        >>> ones(2)
        tensor([1., 1.])
    """
    check_device(device, "ones()")
    return _new(np.ones(_size(size, "ones()"), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor filled with ``fill_value``; the dtype follows the value as in PyTorch (1 -> int64, 1. -> float32).

    Example:
        >>> full((2,), 7)
        tensor([7, 7])
    """
    check_device(device, "full()")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (numbers.Number, np.bool_)):
        raise TypeError(f"full(): expected a number as fill_value, got {type(fill_value).__name__}.")
    d = dtypes.to_dtype(dtype) or dtypes.default_dtype_for(fill_value)
    return _new(np.full(_size((size,) if isinstance(size, (int, np.integer)) else (size,), "full()"), fill_value,
                        dtype=d), requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    """A tensor to be overwritten (lucidnet fills it with zeros, so it is never garbage).

    Example:
        >>> empty(2).shape
        lucidnet.Size([2])
    """
    check_device(device, "empty()")
    return _new(np.zeros(_size(size, "empty()"), dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    """The n x m identity matrix.

    Example:
        >>> eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    check_device(device, "eye()")
    n, m = _size((n,) if m is None else (n, m), "eye()") + ((None,) if m is None else ())
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Evenly spaced values in [start, end): int64 for integer arguments, else float32.

    Example:
        >>> arange(3), arange(0, 1, 0.25)
        (tensor([0, 1, 2]), tensor([0.0000, 0.2500, 0.5000, 0.7500]))
    """
    check_device(device, "arange()")
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, Tensor):
            v = v.item()
        if not isinstance(v, numbers.Real):
            raise TypeError(f"arange(): expected {name} to be a number, got {type(v).__name__}.")
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise ValueError("arange(): expected a nonzero step, got 0.")
    if (end - start) * step < 0:
        raise ValueError(f"arange(): expected a step whose sign goes from start to end, got start={start}, "
                         f"end={end}, step={step}.")
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
    check_device(device, "linspace()")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"linspace(): expected steps to be an integer, got {type(steps).__name__}.")
    if steps < 0:
        raise ValueError(f"linspace(): expected a non-negative number of steps, got {steps}.")
    return _new(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False, device=None):
    """``steps`` values from base**start to base**end, evenly spaced in the exponent.

    Example:
        >>> logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
    """
    exponents = linspace(start, end, steps, dtype=dtypes.float64, device=device)
    return _new((base ** exponents.array).astype(_float_dtype(dtype)), requires_grad)


def _like(t, dtype, device=None, where="zeros_like()"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(t).__name__}.")
    check_device(device, where)
    return t.array.shape, dtypes.to_dtype(dtype) or t.array.dtype


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    """Zeros with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype, device, "zeros_like()")
    return _new(np.zeros(shape, dtype=d), requires_grad)


def ones_like(t, dtype=None, requires_grad=False, device=None):
    """Ones with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype, device, "ones_like()")
    return _new(np.ones(shape, dtype=d), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    """``fill_value`` everywhere, with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype, device, "full_like()")
    return _new(np.full(shape, fill_value, dtype=d), requires_grad)


def empty_like(t, dtype=None, requires_grad=False, device=None):
    """A zero-filled tensor with the shape (and dtype) of ``t``."""
    return zeros_like(t, dtype, requires_grad, device)


# ------------------------------------------------------------------------------------------------ random

def rand(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform samples from [0, 1).

    Example:
        >>> rand(2, 3).shape
        lucidnet.Size([2, 3])
    """
    check_device(device, "rand()")
    d = _float_dtype(dtype)
    return _new(numpy_generator(generator).random(_size(size, "rand()"), dtype=np.float64).astype(d, copy=False),
                requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Samples from the standard normal distribution N(0, 1).

    Example:
        >>> randn(4).dtype
        lucidnet.float32
    """
    check_device(device, "randn()")
    d = _float_dtype(dtype)
    return _new(numpy_generator(generator).standard_normal(_size(size, "randn()"), dtype=np.float64)
                .astype(d, copy=False),
                requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, requires_grad=False, device=None):
    """Random integers in [low, high); ``randint(high, size)`` starts at 0, as in PyTorch.

    Example:
        >>> x = randint(0, 10, (5,)); x.dtype, bool(((x >= 0) & (x < 10)).all())
        (lucidnet.int64, True)
    """
    check_device(device, "randint()")
    if size is None:                        # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint(): expected a size, e.g. randint(0, 10, (3,)).")
    if high <= low:
        raise ValueError(f"randint(): expected low < high, got low={low}, high={high}.")
    size = _size((size,) if isinstance(size, (int, np.integer)) else tuple(size), "randint()")
    d = dtypes.to_dtype(dtype) or dtypes.int64
    return _new(numpy_generator(generator).integers(low, high, size).astype(d), requires_grad)


def randperm(n, generator=None, dtype=None, device=None):
    """A random permutation of 0..n-1 (int64).

    Example:
        >>> sorted(randperm(4).tolist())
        [0, 1, 2, 3]
    """
    check_device(device, "randperm()")
    n, = _size((n,), "randperm()")
    return Tensor._wrap(numpy_generator(generator).permutation(n).astype(dtypes.to_dtype(dtype) or dtypes.int64))


def rand_like(t, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform [0, 1) samples with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype, device, "rand_like()")
    return rand(*shape, generator=generator, dtype=d, requires_grad=requires_grad)


def randn_like(t, generator=None, dtype=None, requires_grad=False, device=None):
    """Standard normal samples with the shape (and dtype) of ``t``."""
    shape, d = _like(t, dtype, device, "randn_like()")
    return randn(*shape, generator=generator, dtype=d, requires_grad=requires_grad)


def randint_like(t, low=0, high=None, generator=None, dtype=None, requires_grad=False, device=None):
    """Random integers in [low, high) with the shape (and dtype) of ``t``; ``randint_like(t, high)`` starts at 0."""
    shape, d = _like(t, dtype, device, "randint_like()")
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, generator=generator, dtype=d, requires_grad=requires_grad)
