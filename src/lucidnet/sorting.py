"""Sorting and selection in PyTorch's names: sort, argsort, msort, topk, kthvalue, unique.

Values come out through a gather (``take_along_axis``) of the input, so gradients flow back to the elements
that were picked; indices are int64 tensors. Sorting is stable where PyTorch's is (``stable=True``); nan
sorts as the largest value, as in PyTorch.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([3., 1., 2.])
    >>> x.sort(descending=True).indices, x.topk(2).values
    (tensor([0, 2, 1]), tensor([3., 2.]))
"""
import collections

import numpy as np

from . import ops
from .functional import _norm_axis
from .tensor import Tensor

__all__ = ["argsort", "kthvalue", "msort", "sort", "topk", "unique", "unique_consecutive"]

ReturnSort = collections.namedtuple("sort", ["values", "indices"])
ReturnTopk = collections.namedtuple("topk", ["values", "indices"])
ReturnKthvalue = collections.namedtuple("kthvalue", ["values", "indices"])


def _order(a, axis, descending):
    """Stable argsort along ``axis``; descending keeps equal elements in their original order too."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    flipped = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(flipped, axis)


def _dim(x, dim, where):
    return _norm_axis(dim, x.ndim, where) if x.ndim else 0


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of input sorted along ``dim``.

    Example:
        >>> import lucidnet
        >>> sort(lucidnet.tensor([[3., 1., 2.]]))
        sort(values=tensor([[1., 2., 3.]]), indices=tensor([[1, 2, 0]]))
    """
    if input.ndim == 0:
        return ReturnSort(ops.clone(input), Tensor._wrap(np.zeros((), dtype=np.int64)))
    d = _dim(input, dim, "sort")
    idx = _order(input.array, d, descending)
    return ReturnSort(ops.take_along_axis(input, idx, axis=d), Tensor._wrap(idx.astype(np.int64)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort input along ``dim``.

    Example:
        >>> import lucidnet
        >>> argsort(lucidnet.tensor([3., 1., 2.]))
        tensor([1, 2, 0])
    """
    return sort(input, dim, descending, stable).indices


def msort(input):
    """input sorted along its first dimension.

    Example:
        >>> import lucidnet
        >>> msort(lucidnet.tensor([[2., 1.], [1., 3.]]))
        tensor([[1., 1.],
                [2., 3.]])
    """
    return sort(input, dim=0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (or smallest, ``largest=False``) elements along ``dim``.

    Example:
        >>> import lucidnet
        >>> topk(lucidnet.tensor([1., 5., 3.]), 2)
        topk(values=tensor([5., 3.]), indices=tensor([1, 2]))
    """
    d = _dim(input, dim, "topk")
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: expected k in [0, {n}] (the size of dim {dim}), got {k}.")
    if input.ndim == 0:
        return ReturnTopk(*sort(input))
    idx = _order(input.array, d, largest)
    idx = np.take(idx, np.arange(k), axis=d)
    return ReturnTopk(ops.take_along_axis(input, idx, axis=d), Tensor._wrap(idx.astype(np.int64)))


def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the k-th smallest element (k from 1) along ``dim``.

    Example:
        >>> import lucidnet
        >>> kthvalue(lucidnet.tensor([3., 1., 2.]), 2)
        kthvalue(values=tensor(2.), indices=tensor(2))
    """
    d = _dim(input, dim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if not 1 <= k <= n:
        raise ValueError(f"kthvalue: expected k in [1, {n}] (the size of dim {dim}), got {k}.")
    if input.ndim == 0:
        return ReturnKthvalue(*sort(input))
    idx = np.take(_order(input.array, d, False), [k - 1], axis=d)
    values = ops.take_along_axis(input, idx, axis=d)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return ReturnKthvalue(values, Tensor._wrap(idx.astype(np.int64)))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or rows along ``dim``), sorted; optionally the index of each input element in
    them (``return_inverse``) and how often each occurs (``return_counts``). No gradient.

    Example:
        >>> import lucidnet
        >>> unique(lucidnet.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    arr = input.array if isinstance(input, Tensor) else np.asarray(input)
    values, inverse, counts = np.unique(arr, return_inverse=True, return_counts=True,
                                        axis=None if dim is None else _dim(input, dim, "unique"))
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.reshape(arr.shape if dim is None else -1).astype(np.int64)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Each run of equal consecutive elements kept once (a flat tensor; ``dim`` is not supported).

    Example:
        >>> import lucidnet
        >>> unique_consecutive(lucidnet.tensor([1, 1, 2, 2, 1]))
        tensor([1, 2, 1])
    """
    if dim is not None:
        raise NotImplementedError("unique_consecutive(): dim= is not supported; flatten the tensor or loop.")
    flat = input.array.reshape(-1)
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1]))) if flat.size else np.zeros(0, int)
    out = [Tensor._wrap(flat[starts])]
    if return_inverse:
        out.append(Tensor._wrap((np.cumsum(np.isin(np.arange(flat.size), starts)) - 1).reshape(input.array.shape)
                                .astype(np.int64)))
    if return_counts:
        out.append(Tensor._wrap(np.diff(np.append(starts, flat.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
