"""Flatten: merge axes into one, typically images (N, C, H, W) into vectors (N, C*H*W) before a Linear; Unflatten,
its inverse (vectors back into images, e.g. before a ConvTranspose2d)."""
from ._checks import shape_of, where
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge the axes start_dim..end_dim into one (by default all but the batch axis).

    Args:
        start_dim: first axis to merge. Default: 1 (keep the batch axis).
        end_dim: last axis to merge. Default: -1.

    Shape:
        input (N, *dims) -> output (N, prod(dims)) with the defaults

    Example:
        >>> import lucidnet
        >>> Flatten()(lucidnet.zeros(32, 1, 28, 28)).shape
        lucidnet.Size([32, 784])
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        ndim = len(shape_of(self, x))
        need = max(self.start_dim + 1 if self.start_dim >= 0 else -self.start_dim,
                   self.end_dim + 1 if self.end_dim >= 0 else -self.end_dim)
        if ndim < need:
            raise ValueError(f"{where(self)}: expected input with at least {need} dimensions, got shape "
                             f"{tuple(x.shape)}.")
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

    def get_config(self):
        return {"start_dim": self.start_dim, "end_dim": self.end_dim}


class Unflatten(Module):
    """Split axis ``dim`` into the shape ``unflattened_size`` (whose product must be that axis's size; one entry
    may be -1): the inverse of Flatten.

    Args:
        dim: the axis to split.
        unflattened_size: the shape it becomes, e.g. (1, 28, 28).

    Shape:
        input (*, S, *) -> output (*, *unflattened_size, *), where prod(unflattened_size) = S

    Example:
        >>> import lucidnet
        >>> layer = Unflatten(1, (1, 28, 28))
        >>> layer, layer(lucidnet.zeros(32, 784)).shape
        (Unflatten(dim=1, unflattened_size=(1, 28, 28)), lucidnet.Size([32, 1, 28, 28]))
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = int(dim)
        sizes = tuple(int(n) for n in unflattened_size)
        if not sizes or any(n < 1 and n != -1 for n in sizes) or sizes.count(-1) > 1:
            raise ValueError(f"Unflatten: expected unflattened_size to be a shape of positive sizes (one may be -1), "
                             f"got {tuple(unflattened_size)}.")
        self.unflattened_size = sizes

    def forward(self, x):
        shape = tuple(shape_of(self, x))
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"{where(self)}: expected input with at least {self.dim + 1 if self.dim >= 0 else -self.dim} "
                             f"dimensions, got shape {shape}.")
        d = self.dim % len(shape)
        known = 1
        for n in self.unflattened_size:
            known *= n if n != -1 else 1
        if (-1 in self.unflattened_size and shape[d] % known) or (-1 not in self.unflattened_size and
                                                                   known != shape[d]):
            raise ValueError(f"{where(self)}: expected axis {self.dim} of size {known}, the product of "
                             f"{self.unflattened_size}, got input of shape {shape}.")
        return x.reshape(*shape[:d], *self.unflattened_size, *shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

    def get_config(self):
        return {"dim": self.dim, "unflattened_size": list(self.unflattened_size)}
