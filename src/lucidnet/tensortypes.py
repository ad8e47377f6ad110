"""PyTorch's legacy tensor types: ``lucidnet.FloatTensor([1, 2])``, ``lucidnet.LongTensor(2, 3)``,
``isinstance(x, lucidnet.FloatTensor)`` and ``x.type()`` (``'torch.FloatTensor'``).

Each is a class whose instances are plain lucidnet Tensors of its dtype: calling it makes one (from data, or
zeros of a size), and ``isinstance`` checks the dtype.

Example:
    >>> import lucidnet
    >>> x = lucidnet.LongTensor([1, 2])
    >>> x, isinstance(x, lucidnet.LongTensor), isinstance(x, lucidnet.FloatTensor)
    (tensor([1, 2]), True, False)
"""
import numpy as np

from . import dtypes
from .tensor import Tensor

_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
          "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
          "bool": "BoolTensor"}

__all__ = list(_NAMES.values())


class _TensorType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype.dtype

    def __call__(cls, *data, device=None):
        return Tensor(*data, dtype=cls.dtype, device=device)      # data, or sizes (zeros), as Tensor() takes them

    def __repr__(cls):
        return f"<class '{dtypes._namespace[0]}.{cls.__name__}'>"


def type_name(np_dtype):
    """PyTorch's name for a tensor of this dtype: ``'torch.FloatTensor'``."""
    return f"torch.{_NAMES.get(np_dtype.name, np_dtype.name)}"


def from_type_name(t):
    """The dtype a ``type()`` argument stands for: a tensor type class or name, or a dtype."""
    if isinstance(t, _TensorType):
        return t.dtype
    if isinstance(t, str):
        name = t.rpartition(".")[2]
        for dt, n in _NAMES.items():
            if n == name:
                return dtypes.to_dtype(dt)
    return dtypes.to_dtype(t)


for _dtype, _name in _NAMES.items():
    globals()[_name] = _TensorType(_name, (), {"dtype": dtypes.wrap(np.dtype(_dtype)), "__module__": __name__,
                                               "__doc__": f"PyTorch's legacy {_name}: a tensor of dtype {_dtype}."})
