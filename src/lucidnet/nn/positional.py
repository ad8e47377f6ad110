"""Positional encodings: attention sees a set, so each position's vector gets its position added.

Sinusoidal (fixed, Vaswani et al. 2017, section 3.5) or learned (a table of vectors, as GPT and BERT).
"""
import math

import numpy as np

from .. import dtypes
from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_int, fail, shape_of, where
from .module import Module, Parameter

__all__ = ["LearnedPositionalEncoding", "PositionalEncoding", "SinusoidalPositionalEncoding", "sinusoidal_table"]


def sinusoidal_table(length, d_model, dtype=None):
    """The (length, d_model) table PE[p, 2i] = sin(p / 10000^(2i / d_model)), PE[p, 2i + 1] = cos(same).

    Example:
        >>> sinusoidal_table(3, 4)
        tensor([[ 0.0000,  1.0000,  0.0000,  1.0000],
                [ 0.8415,  0.5403,  0.0100,  0.9999],
                [ 0.9093, -0.4161,  0.0200,  0.9998]])
    """
    pos = np.arange(length, dtype=np.float64)[:, None]
    freq = np.exp(np.arange(0, d_model, 2, dtype=np.float64) * (-math.log(10000.0) / d_model))
    table = np.zeros((length, d_model))
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq[:d_model // 2])
    return Tensor._wrap(table.astype(dtypes.to_dtype(dtype) or dtypes.get_default_dtype()))


class _Positional(Module):
    """Adds a (max_len, d_model) table's first T rows to an input of T positions, then dropout."""

    def _positions(self, x):
        shape = shape_of(self, x)
        layout = "(N, T, {d})" if self.batch_first else "(T, N, {d})"
        if len(shape) not in (2, 3) or shape[-1] != self.d_model:
            fail(self, layout.format(d=self.d_model) + f" or (T, {self.d_model})", x)
        t = shape[1] if len(shape) == 3 and self.batch_first else shape[0]
        if t > self.max_len:
            raise ValueError(f"{where(self)}: expected at most max_len={self.max_len} positions, got {t} (input of "
                             f"shape {tuple(shape)}). Build it with a larger max_len, or crop the sequence.")
        return t

    def _add(self, x, table):
        if x.ndim == 3 and not self.batch_first:
            table = table.unsqueeze(1)                   # (T, 1, d): broadcast over the batch axis
        return F.dropout(x + table, self.p, self.training)


class SinusoidalPositionalEncoding(_Positional):
    """x + the fixed sinusoidal table of "Attention Is All You Need", then dropout (the PyTorch tutorial's
    ``PositionalEncoding``, batch-first by default here). The table is a non-persistent buffer ``pe``: it is
    rebuilt, not saved.

    Args:
        d_model: the features, d.
        max_len: the longest sequence. Default: 5000.
        dropout: dropout after the addition. Default: 0.
        batch_first: inputs (N, T, d) rather than (T, N, d). Default: True.

    Shape:
        input (N, T, d) (or (T, N, d), or (T, d)) -> output, same shape

    Example:
        >>> import lucidnet
        >>> SinusoidalPositionalEncoding(8)(lucidnet.zeros(2, 5, 8)).shape
        lucidnet.Size([2, 5, 8])
    """

    def __init__(self, d_model, max_len=5000, dropout=0.0, batch_first=True):
        super().__init__()
        self.d_model = check_int("SinusoidalPositionalEncoding", "d_model", d_model)
        self.max_len = check_int("SinusoidalPositionalEncoding", "max_len", max_len)
        self.p, self.batch_first = float(dropout), bool(batch_first)
        self.register_buffer("pe", sinusoidal_table(self.max_len, self.d_model), persistent=False)

    def forward(self, x):
        table = self.pe[:self._positions(x)]
        return self._add(x, table if table.dtype == x.dtype else table.to(x.dtype))

    def extra_repr(self):
        return f"d_model={self.d_model}, max_len={self.max_len}, dropout={self.p}, batch_first={self.batch_first}"

    def get_config(self):
        return {"d_model": self.d_model, "max_len": self.max_len, "dropout": self.p, "batch_first": self.batch_first}


PositionalEncoding = SinusoidalPositionalEncoding


class LearnedPositionalEncoding(_Positional):
    """x + a learned (max_len, d_model) table's first T rows, then dropout: GPT's and BERT's position
    embeddings. Rows start N(0, 0.02), as GPT-2's.

    Args:
        max_len: the longest sequence (the table's rows).
        d_model: the features, d.
        dropout: dropout after the addition. Default: 0.
        batch_first: inputs (N, T, d) rather than (T, N, d). Default: True.

    Shape:
        input (N, T, d) (or (T, N, d), or (T, d)) -> output, same shape

    Example:
        >>> import lucidnet
        >>> pos = LearnedPositionalEncoding(16, 8)
        >>> pos(lucidnet.zeros(2, 5, 8)).shape, pos.weight.shape
        (lucidnet.Size([2, 5, 8]), lucidnet.Size([16, 8]))
    """

    def __init__(self, max_len, d_model, dropout=0.0, batch_first=True, dtype=None):
        super().__init__()
        self.max_len = check_int("LearnedPositionalEncoding", "max_len", max_len)
        self.d_model = check_int("LearnedPositionalEncoding", "d_model", d_model)
        self.p, self.batch_first = float(dropout), bool(batch_first)
        self.weight = Parameter(empty(self.max_len, self.d_model, dtype=dtypes.to_dtype(dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        """Rows from N(0, 0.02)."""
        init.normal_(self.weight, 0.0, 0.02)

    def forward(self, x):
        return self._add(x, self.weight[:self._positions(x)])

    def extra_repr(self):
        return f"max_len={self.max_len}, d_model={self.d_model}, dropout={self.p}, batch_first={self.batch_first}"

    def get_config(self):
        return {"max_len": self.max_len, "d_model": self.d_model, "dropout": self.p, "batch_first": self.batch_first}
