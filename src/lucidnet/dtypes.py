"""Data types: PyTorch's dtype objects over NumPy dtypes, and PyTorch's rules for choosing one.

``lucidnet.float32`` is a :class:`dtype`: it prints as PyTorch's (``lucidnet.float32``), has PyTorch's
attributes (``is_floating_point``, ``itemsize``), and is also a NumPy dtype wherever NumPy takes one
(``np.zeros(3, dtype=lucidnet.float32)``, ``x.numpy().dtype == lucidnet.float32``), through NumPy's
``.dtype`` protocol. Like PyTorch, the default floating type is float32: Python floats become float32,
Python ints int64, Python bools bool.

Type promotion follows PyTorch (``torch.result_type``), not NumPy: the operands are ranked by category
(bool < integer < floating), and a zero-dimensional tensor or a Python number only decides the result's
dtype when its category is higher than every dimensioned tensor's. So float32 meeting int64 or a float64
scalar stays float32 (NumPy would widen to float64), and an integer tensor meeting a Python float becomes
the default float dtype.
"""
import builtins

import numpy as np

_np_dtype = np.dtype


class DTypeError(TypeError, RuntimeError):
    """A dtype that an op cannot take: a TypeError by lucidnet's rules, a RuntimeError as PyTorch raises it."""


class dtype:
    """An element type, PyTorch's ``torch.dtype``; NumPy sees the NumPy dtype it stands for.

    Compares (and hashes) equal to that NumPy dtype, so ``x.dtype == np.float32`` holds too.

    Example:
        >>> import lucidnet
        >>> lucidnet.float32, lucidnet.float32.is_floating_point, lucidnet.float32.itemsize
        (lucidnet.float32, True, 4)
        >>> lucidnet.tensor([1, 2]).dtype == lucidnet.long
        True
    """
    __slots__ = ("dtype", "_name")

    def __init__(self, np_dtype, name):
        self.dtype = np_dtype            # NumPy's protocol: np.dtype(x) uses x.dtype
        self._name = name

    @property
    def is_floating_point(self):
        """True for float16/32/64."""
        return self.dtype.kind == "f"

    @property
    def is_complex(self):
        """True for complex dtypes."""
        return self.dtype.kind == "c"

    @property
    def is_signed(self):
        """True for signed integers and floats."""
        return self.dtype.kind in "ifc"

    @property
    def itemsize(self):
        """Bytes per element."""
        return self.dtype.itemsize

    def __getattr__(self, name):        # NumPy's attributes (kind, char, type, ...) for code written for NumPy
        if name.startswith("__") or name in ("dtype", "_name"):
            raise AttributeError(name)
        return getattr(self.dtype, name)

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        if other is None:                # np.dtype(None) would be float64
            return False
        try:
            return self.dtype == _np_dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"{_namespace[0]}.{self._name}"

    __str__ = __repr__

    def __reduce__(self):
        return as_dtype, (self._name,)


_namespace = ["lucidnet"]              # the module name dtypes and sizes print with (printing.set_printoptions)
_WRAPPED = {}                          # NumPy dtype -> dtype


def _define(name):
    d = dtype(_np_dtype(name), name)
    _WRAPPED[d.dtype] = d
    return d


bool_ = _define("bool")
uint8 = _define("uint8")
int8 = _define("int8")
int16 = short = _define("int16")
int32 = _define("int32")
int64 = long = _define("int64")
float16 = half = _define("float16")
float32 = _define("float32")
float64 = double = _define("float64")

_default_float = float32.dtype

_BY_NAME = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "int16": int16, "short": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8, "bool": bool_,
}
_SUPPORTED = frozenset(d.dtype for d in _BY_NAME.values())


def wrap(np_dtype):
    """The :class:`dtype` of a NumPy dtype (a tensor's ``.dtype``).

    Example:
        >>> wrap(np.dtype("int64"))
        lucidnet.int64
    """
    d = _WRAPPED.get(np_dtype)
    if d is None:                        # a dtype lucidnet does not compute in (uint16, complex): named as NumPy does
        d = _WRAPPED[np_dtype] = dtype(np_dtype, np_dtype.name)
    return d


def as_dtype(name):
    """The dtype called ``name`` (for unpickling)."""
    return _BY_NAME[name]


def to_dtype(dtype):
    """Turn what a user wrote (``lucidnet.float32``, ``"float32"``, ``np.float32``, ``float``) into the NumPy dtype
    that lucidnet computes with.

    Example:
        >>> to_dtype("float64")
        dtype('float64')
        >>> to_dtype(float)
        dtype('float64')
    """
    if dtype is None:
        return None
    if dtype is builtins.float:
        return float64.dtype                 # same as PyTorch: dtype=float means float64
    if dtype is builtins.int:
        return int64.dtype
    if dtype is builtins.bool:
        return bool_.dtype
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.").removeprefix("lucidnet.")
        if name in _BY_NAME:
            return _BY_NAME[name].dtype
        raise TypeError(f"dtype: expected one of {sorted(_BY_NAME)}, got {dtype!r}.")
    try:
        d = _np_dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected a dtype such as lucidnet.float32, got {dtype!r}.") from None
    if d not in _SUPPORTED:
        raise TypeError(f"dtype: expected one of {sorted(_BY_NAME)}, got {d}.")
    return d


def is_floating(dtype):
    """True for float16/32/64."""
    return dtype.kind == "f"


def default_dtype_for(data):
    """The NumPy dtype PyTorch would infer for Python data: floats -> float32, ints -> int64, bools -> bool.

    NumPy arrays keep their own dtype (``lucidnet.tensor(np.zeros(2))`` is float64, as in PyTorch). ``None``,
    strings and other objects are a TypeError, as in PyTorch.
    """
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind not in "biuf":
            raise DTypeError(f"tensor(): expected numbers, a nested list of numbers or an array, got "
                             f"{type(data).__name__} of dtype {data.dtype}.")
        return None
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return _default_float
    if arr.dtype.kind in "iu":
        return int64.dtype
    if arr.dtype.kind == "b":
        return bool_.dtype
    raise DTypeError(f"tensor(): expected numbers, a nested list of numbers or an array, got {type(data).__name__} "
                     f"of dtype {arr.dtype}.")


def get_default_dtype():
    """The dtype Python floats become: float32 unless changed by :func:`set_default_dtype`.

    Example:
        >>> get_default_dtype()
        lucidnet.float32
    """
    return _WRAPPED[_default_float]


def set_default_dtype(dtype):
    """Make Python floats and float factories (``zeros``, ``randn``, ...) produce ``dtype``.

    Example:
        >>> set_default_dtype("float64"); get_default_dtype()
        lucidnet.float64
        >>> set_default_dtype("float32")
    """
    global _default_float
    d = to_dtype(dtype)
    if not is_floating(d):
        raise TypeError(f"set_default_dtype(): expected a floating dtype, got {d}.")
    _default_float = d


# ------------------------------------------------------------------------------------------------ promotion

def _category(d):
    """0 for bool, 1 for integers, 2 for floats: PyTorch's order of type categories."""
    return 2 if d.kind == "f" else 0 if d.kind == "b" else 1


def _promote(a, b):
    """PyTorch's promote_types on NumPy dtypes (None stands for no operand): the higher category wins outright
    (int64 with float16 is float16, where NumPy says float64); within one category NumPy's rule agrees."""
    if a is None or a is b:
        return b
    if b is None:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _combine(higher, lower):
    """The result of a group of operands (``higher``: tensors with dimensions) meeting a group that only counts
    when its category is higher (``lower``: 0-d tensors or Python numbers), as PyTorch's combine_categories."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return _promote(higher, lower)
    return higher


def scalar_dtype(v):
    """The NumPy dtype a Python (or NumPy) number counts as in promotion, or None if v is not a number."""
    if isinstance(v, (builtins.bool, np.bool_)):
        return bool_.dtype
    if isinstance(v, (builtins.int, np.integer)):
        return int64.dtype
    if isinstance(v, (builtins.float, np.floating)):
        return _default_float
    return None


def result_dtype(*operands):
    """The NumPy dtype PyTorch gives an op over ``operands`` (tensors, arrays, Python numbers).

    Example:
        >>> import lucidnet
        >>> result_dtype(lucidnet.ones(2), lucidnet.tensor(1.0, dtype=lucidnet.float64))
        dtype('float32')
        >>> result_dtype(lucidnet.tensor([1, 2]), 2.5)
        dtype('float32')
    """
    dims = zero = numbers = None
    for v in operands:
        arr = getattr(v, "array", v)
        if isinstance(arr, np.ndarray):
            if arr.ndim:
                dims = _promote(dims, arr.dtype)
            else:
                zero = _promote(zero, arr.dtype)
        else:
            d = scalar_dtype(v)
            if d is None:
                raise DTypeError(f"result_type(): expected tensors or numbers, got {type(v).__name__}.")
            numbers = _promote(numbers, d)
    return _combine(dims, _combine(zero, numbers))


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing their category, as PyTorch's.

    Example:
        >>> promote_types(uint8, int8), promote_types(int64, float16)
        (lucidnet.int16, lucidnet.float16)
    """
    return wrap(_promote(to_dtype(type1), to_dtype(type2)))


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on ``tensor1`` and ``tensor2`` (tensors or numbers) gives, as PyTorch's.

    Example:
        >>> import lucidnet
        >>> result_type(lucidnet.tensor([1, 2], dtype=lucidnet.int32), 1.0)
        lucidnet.float32
    """
    return wrap(result_dtype(tensor1, tensor2))


def can_cast(from_, to):
    """Whether PyTorch allows an in-place op to cast ``from_`` to ``to``: never down a category (float to int,
    int to bool).

    Example:
        >>> can_cast(float64, int32), can_cast(int64, float16)
        (False, True)
    """
    return _category(to_dtype(from_)) <= _category(to_dtype(to))


class finfo:
    """Machine limits of a floating dtype, PyTorch's ``torch.finfo`` (bits, eps, max, min, tiny, resolution).

    Example:
        >>> finfo(float32).eps == 2 ** -23, finfo().max > 3e38
        (True, True)
    """

    def __init__(self, type=None):
        d = to_dtype(type) if type is not None else _default_float
        if d.kind != "f":
            raise TypeError(f"finfo(): expected a floating dtype, got {d}.")
        info = np.finfo(d)
        self.bits, self.dtype = info.bits, d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, PyTorch's ``torch.iinfo`` (bits, max, min).

    Example:
        >>> iinfo(int8).max, iinfo(uint8).min
        (127, 0)
    """

    def __init__(self, type):
        d = to_dtype(type)
        if d.kind not in "iub":
            raise TypeError(f"iinfo(): expected an integer dtype, got {d}.")
        info = np.iinfo(np.uint8 if d.kind == "b" else d)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), d.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
