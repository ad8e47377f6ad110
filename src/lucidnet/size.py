"""``lucidnet.Size``: the shape of a tensor, a tuple of ints that prints as PyTorch's ``torch.Size``."""
import numpy as np

from . import dtypes


_getitem, _new = tuple.__getitem__, tuple.__new__


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``x.shape``, ``x.size()``), printed as PyTorch prints it.

    Example:
        >>> import lucidnet
        >>> s = lucidnet.zeros(2, 3).shape
        >>> s, s == (2, 3), s[1], s.numel()
        (lucidnet.Size([2, 3]), True, 3, 6)
    """
    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, n in enumerate(sizes):
            if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)):
                if hasattr(n, "__index__") and not isinstance(n, (bool, np.bool_)):   # a 1-element integer tensor
                    continue
                raise TypeError(f"Size(): expected an iterable of ints, got {type(n).__name__} at position {i}.")
        return super().__new__(cls, (int(n) for n in sizes))

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, index):
        out = _getitem(self, index)
        return _new(Size, out) if index.__class__ is slice else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def __repr__(self):
        return f"{dtypes._namespace[0]}.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return Size, (tuple(self),)
