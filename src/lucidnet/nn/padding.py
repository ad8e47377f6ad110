"""Constant padding layers: ConstantPad1d/2d/3d and ZeroPad1d/2d/3d around ``F.pad`` (PyTorch's
``nn/modules/padding.py``; the reflect and replicate modes are not provided).

Example:
    >>> import lucidnet
    >>> ZeroPad2d((1, 0, 0, 2))(lucidnet.ones(1, 2, 2)).shape
    lucidnet.Size([1, 4, 3])
"""
from . import functional as F
from ._checks import shape_of, where
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


class _ConstantPadNd(Module):
    """Pads the last ``dims`` axes with ``value``: ``padding`` an int (every side) or PyTorch's flat tuple
    (left, right[, top, bottom[, front, back]])."""
    dims = 1

    def __init__(self, padding, value):
        super().__init__()
        if isinstance(padding, int):
            padding = (padding,) * (2 * self.dims)
        padding = tuple(int(p) for p in padding)
        if len(padding) != 2 * self.dims:
            raise ValueError(f"{type(self).__name__}: expected padding to be an int or {2 * self.dims} ints, got "
                             f"{padding}.")
        self.padding, self.value = padding, value

    def forward(self, x):
        if len(shape_of(self, x)) < self.dims + 1:
            raise ValueError(f"{where(self)}: expected input with at least {self.dims + 1} dimensions, got shape "
                             f"{tuple(x.shape)}.")
        return F.pad(x, self.padding, value=self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"

    def get_config(self):
        return {"padding": list(self.padding), "value": self.value}


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with ``value``: (*, W) -> (*, left + W + right)."""
    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with ``value``: (*, H, W) -> (*, top + H + bottom, left + W + right)."""
    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with ``value``."""
    dims = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"

    def get_config(self):
        return {"padding": list(self.padding)}


class ZeroPad1d(_ZeroPadNd):
    """Pad the last axis with zeros."""
    dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two axes with zeros (around images: (left, right, top, bottom))."""
    dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three axes with zeros."""
    dims = 3
