"""Data types: NumPy dtypes under PyTorch's names, and the rules for choosing one.

lucidnet's dtypes *are* NumPy dtypes, so ``x.dtype == lucidnet.float32`` and
``x.numpy().dtype == lucidnet.float32`` both hold. Like PyTorch, the default floating
type is float32: Python floats become float32, Python ints int64, Python bools bool.
"""
import builtins

import numpy as np

float16 = half = np.dtype("float16")
float32 = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
int16 = short = np.dtype("int16")
int32 = np.dtype("int32")
int64 = long = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_default_float = float32

_BY_NAME = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "int16": int16, "short": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8, "bool": bool_,
}
_SUPPORTED = frozenset(_BY_NAME.values())


def to_dtype(dtype):
    """Turn what a user wrote (``lucidnet.float32``, ``"float32"``, ``np.float32``, ``float``) into a dtype.

    Example:
        >>> to_dtype("float64")
        dtype('float64')
        >>> to_dtype(float)
        dtype('float64')
    """
    if dtype is None:
        return None
    if dtype is builtins.float:
        return float64                       # same as PyTorch: dtype=float means float64
    if dtype is builtins.int:
        return int64
    if dtype is builtins.bool:
        return bool_
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.").removeprefix("lucidnet.")
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"dtype: expected one of {sorted(_BY_NAME)}, got {dtype!r}.")
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected a dtype such as lucidnet.float32, got {dtype!r}.") from None
    if d not in _SUPPORTED:
        raise TypeError(f"dtype: expected one of {sorted(_BY_NAME)}, got {d}.")
    return d


def is_floating(dtype):
    """True for float16/32/64."""
    return dtype.kind == "f"


def default_dtype_for(data):
    """The dtype PyTorch would infer for Python data: floats -> float32, ints -> int64, bools -> bool.

    NumPy arrays keep their own dtype (``lucidnet.tensor(np.zeros(2))`` is float64, as in PyTorch).
    """
    if isinstance(data, (np.ndarray, np.generic)):
        return None
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return _default_float
    if arr.dtype.kind in "iu":
        return int64
    if arr.dtype.kind == "b":
        return bool_
    raise TypeError(f"tensor(): expected numbers, a nested list of numbers or an array, got {type(data).__name__} "
                    f"of dtype {arr.dtype}.")


def get_default_dtype():
    """The dtype Python floats become: float32 unless changed by :func:`set_default_dtype`.

    Example:
        >>> get_default_dtype()
        dtype('float32')
    """
    return _default_float


def set_default_dtype(dtype):
    """Make Python floats and float factories (``zeros``, ``randn``, ...) produce ``dtype``.

    Example:
        >>> set_default_dtype("float64"); get_default_dtype()
        dtype('float64')
        >>> set_default_dtype("float32")
    """
    global _default_float
    d = to_dtype(dtype)
    if not is_floating(d):
        raise TypeError(f"set_default_dtype(): expected a floating dtype, got {d}.")
    _default_float = d
