"""Input checks at the layer boundary: cheap shape comparisons that raise errors naming the layer.

Messages follow the house form ``<where>: expected <what>, got <what arrived>.[ hint]``, where ``<where>`` is
the layer as its repr prints it, e.g. ``Linear(in_features=784, out_features=10, bias=True)``.
"""
import math

import numpy as np

from .. import dtypes
from ..device import check_device
from ..validation import check_int  # noqa: F401  (layers' sizes: re-exported for the layer modules)


def where(module):
    """The layer as its repr's first line prints it: ``Linear(in_features=4, out_features=2, bias=True)``."""
    return f"{type(module).__name__}({module.extra_repr()})"


def parameter_dtype(name, device=None, dtype=None):
    """The NumPy dtype of a new layer's parameters from its ``device=`` and ``dtype=`` arguments, as PyTorch's
    factory keywords: the device must be the CPU, the dtype a floating one (default: lucidnet's default).

    Example:
        >>> parameter_dtype("LSTM", "cpu", "float64")
        dtype('float64')
        >>> parameter_dtype("LSTM", dtype="int64")
        Traceback (most recent call last):
        ...
        TypeError: LSTM(): expected a floating point dtype for the parameters, got int64.
    """
    check_device(device, f"{name}()")
    d = dtypes.to_dtype(dtype) or dtypes.get_default_dtype()
    if np.dtype(d).kind != "f":
        raise TypeError(f"{name}(): expected a floating point dtype for the parameters, got {np.dtype(d)}.")
    return d


def shape_of(module, x):
    """x's shape (a plain tuple), or a TypeError naming the layer when x is not a tensor (or array)."""
    shape = getattr(getattr(x, "array", x), "shape", None)
    if shape is None:
        raise TypeError(f"{where(module)}: expected a lucidnet Tensor as input, got {type(x).__name__}.")
    return shape


def fail(module, expected, x, hint=""):
    """Raise the standard ValueError: ``<layer>: expected input of shape <expected>, got <shape>.<hint>``."""
    raise ValueError(f"{where(module)}: expected input of shape {expected}, got {tuple(shape_of(module, x))}."
                     + hint)


def check_last_axis(module, x, size, name="input"):
    """Require x of shape (*, size), the contract of Linear and Dense; hints at a missing Flatten()."""
    shape = shape_of(module, x)
    if shape[-1:] != (size,):
        hint = ""
        if len(shape) > 2 and math.prod(shape[1:]) == size:
            hint = " Did you forget a Flatten()?"
        elif len(shape) == 2 and shape[0] == size:
            hint = " Is the input transposed? Rows are samples."
        fail(module, f"(*, {size})", x, hint)


def check_float(module, x):
    """Require a floating tensor (the input of a layer with weights)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or np.dtype(dtype).kind != "f":
        raise TypeError(f"{where(module)}: expected a floating point input, got "
                        f"{'dtype ' + str(dtype) if dtype is not None else type(x).__name__}. Convert it with "
                        f"x.float().")


def check_dtype(module, x, weight):
    """Require input of the layer's dtype, as PyTorch does (a float32 layer refuses float64 or integer input
    instead of silently computing in another dtype)."""
    dt = getattr(getattr(x, "array", x), "dtype", None)
    if dt is not None and dt is not weight.array.dtype and dt != weight.array.dtype:
        raise dtypes.DTypeError(f"{where(module)}: expected input of dtype {weight.array.dtype} (the layer's), got "
                                f"{dt}. Convert the input with x.to({weight.dtype}), or the layer with "
                                f".to({dtypes.wrap(dt)}).")

