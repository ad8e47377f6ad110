"""Flatten: merge axes into one, typically images (N, C, H, W) into vectors (N, C*H*W) before a Linear."""
from ._checks import shape_of, where
from .module import Module

__all__ = ["Flatten"]


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
