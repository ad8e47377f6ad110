"""Dropout: randomly zero activations while training (Srivastava et al. 2014), a regularizer; Dropout2d zeroes
whole channels (Tompson et al. 2015)."""
from . import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout2d"]


class Dropout(Module):
    """Zero each element with probability p while training and scale the survivors by 1 / (1 - p)
    (inverted dropout), so nothing changes at evaluation: in eval mode it returns its input.

    Random masks come from lucidnet's default generator: ``lucidnet.manual_seed(n)`` makes them repeatable.

    Args:
        p: probability of zeroing an element, in [0, 1]. Default: 0.5.
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> drop = Dropout(0.5)
        >>> y = drop(lucidnet.ones(4, 100))
        >>> sorted(set(y.tolist()[0]))
        [0.0, 2.0]
        >>> drop.eval()(lucidnet.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: expected p, the probability of zeroing an element, in [0, 1], got {p!r}.")
        self.p, self.inplace = float(p), bool(inplace)

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def get_config(self):
        return {"p": self.p, "inplace": self.inplace}


class Dropout2d(Dropout):
    """Zero each whole channel of an image with probability p while training, scaling the rest by 1 / (1 - p)
    (spatial dropout: neighbouring pixels are correlated, so zeroing single ones regularizes little).

    Args:
        p: probability of zeroing a channel, in [0, 1]. Default: 0.5.
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output, same shape

    Example:
        >>> import lucidnet
        >>> y = Dropout2d(0.5)(lucidnet.ones(2, 16, 3, 3))
        >>> sorted(set(y.flatten().tolist())), bool((y.amax((2, 3)) == y.amin((2, 3))).all())
        ([0.0, 2.0], True)
    """

    def forward(self, x):
        shape = tuple(getattr(getattr(x, "array", x), "shape", ()))
        if len(shape) not in (3, 4):
            raise ValueError(f"{type(self).__name__}({self.extra_repr()}): expected input of shape (N, C, H, W) or "
                             f"(C, H, W), got {shape}.")
        return F.dropout2d(x, self.p, self.training)
