"""Embedding: a lookup table of learned vectors, one row per token id."""
import numpy as np

from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_int, parameter_dtype, where
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``, looked up by integer ids:
    the first layer of a language model. Rows start N(0, 1), as PyTorch's.

    Args:
        num_embeddings: the vocabulary size; ids must be in [0, num_embeddings).
        embedding_dim: the size of each vector.
        padding_idx: an id whose row stays zero and receives no gradient (for padding tokens); negative
            values count from the end. Default: None.
        _weight: a (num_embeddings, embedding_dim) array or tensor to use as the weight instead of drawing
            one (as PyTorch's; ``from_pretrained`` uses it), shared, not copied. Default: None.
        _freeze: with ``_weight``, keep it out of training (requires_grad False). Default: False.

    Shape:
        input (*) integer ids -> output (*, embedding_dim)

    Example:
        >>> import lucidnet
        >>> emb = Embedding(10, 3, padding_idx=0)
        >>> y = emb(lucidnet.tensor([[0, 5, 9]]))
        >>> y.shape, y[0, 0].tolist()
        (lucidnet.Size([1, 3, 3]), [0.0, 0.0, 0.0])
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None, _weight=None,
                 _freeze=False):
        super().__init__()
        d = parameter_dtype("Embedding", device, dtype)
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(f"Embedding: expected padding_idx in [{-self.num_embeddings}, "
                                 f"{self.num_embeddings}), got {padding_idx}.")
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx = padding_idx
        if _weight is not None:                   # given weights: no random draw (a 30522 x 384 table costs 1 s)
            data = _weight.array if isinstance(_weight, Tensor) else _weight
            if tuple(getattr(data, "shape", ())) != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: expected _weight of shape ({self.num_embeddings}, {self.embedding_dim}), "
                                 f"got {getattr(data, 'shape', type(data).__name__)}.")
            self.weight = Parameter(data, requires_grad=not _freeze)
            return
        self.weight = Parameter(empty(self.num_embeddings, self.embedding_dim, dtype=d))
        self.reset_parameters()

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding holding the given (num_embeddings, embedding_dim) vectors (frozen unless ``freeze=False``).

        Example:
            >>> import lucidnet
            >>> Embedding.from_pretrained(lucidnet.eye(3))(lucidnet.tensor([2])).tolist()
            [[0.0, 0.0, 1.0]]
        """
        data = embeddings.array if isinstance(embeddings, Tensor) else embeddings
        if len(getattr(data, "shape", ())) != 2:
            raise ValueError(f"Embedding.from_pretrained: expected embeddings of shape (num_embeddings, "
                             f"embedding_dim), got {getattr(data, 'shape', type(data).__name__)}.")
        return cls(data.shape[0], data.shape[1], padding_idx, _weight=np.array(data), _freeze=freeze)

    def reset_parameters(self):
        """Rows from N(0, 1); the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, ids):
        return F._embedding(where(self), ids, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")

    def get_config(self):
        return {"num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim,
                "padding_idx": self.padding_idx}
