"""Input checks at the layer boundary: cheap shape comparisons that raise errors naming the layer.

Messages follow the house form ``<where>: expected <what>, got <what arrived>.[ hint]``, where ``<where>`` is
the layer as its repr prints it, e.g. ``Linear(in_features=784, out_features=10, bias=True)``.
"""
import math

import numpy as np

from .. import dtypes
from ..validation import check_int  # noqa: F401  (layers' sizes: re-exported for the layer modules)


def where(module):
    """The layer as its repr's first line prints it: ``Linear(in_features=4, out_features=2, bias=True)``."""
    return f"{type(module).__name__}({module.extra_repr()})"


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

