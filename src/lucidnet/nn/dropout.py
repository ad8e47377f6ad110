"""Dropout: randomly zero activations while training (Srivastava et al. 2014), a regularizer."""
from . import functional as F
from .module import Module

__all__ = ["Dropout"]


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
            raise ValueError(f"Dropout: expected p, the probability of zeroing an element, in [0, 1], got {p!r}.")
        self.p, self.inplace = float(p), bool(inplace)

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"

    def get_config(self):
        return {"p": self.p, "inplace": self.inplace}
