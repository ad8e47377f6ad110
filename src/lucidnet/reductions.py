"""Reductions and scans in PyTorch's names: prod, cumsum, cumprod, all, any, count_nonzero, median, norm, dist.

Integer and bool inputs to sum, prod and the scans give int64, as in PyTorch. ``dim``/``keepdim`` (PyTorch)
and ``axis``/``keepdims`` (NumPy) are both accepted, as everywhere in lucidnet.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([[1., 2.], [3., 4.]])
    >>> x.prod(dim=1), x.cumsum(0), x.norm()
    (tensor([ 2., 12.]), tensor([[1., 2.],
            [4., 6.]]), tensor(5.4772))
"""
import collections

import numpy as np

from . import dtypes, ops
from .functional import _norm_axis, _pick
from .tensor import Tensor

__all__ = ["all", "any", "count_nonzero", "cumprod", "cumsum", "dist", "median", "norm", "prod"]

ReturnMedian = collections.namedtuple("median", ["values", "indices"])


def _accumulating(x, dtype):
    """x in ``dtype`` if given, else integers and bools widened to int64 (PyTorch's sum/prod/cumsum rule)."""
    if dtype is not None:
        return x.to(dtypes.to_dtype(dtype))
    return x if x.array.dtype.kind not in "biu" or x.array.dtype == np.int64 else x.to(dtypes.int64)


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False):
    """The product of the elements over ``dim`` (all when None); gradients are right where elements are 0.

    Example:
        >>> import lucidnet
        >>> prod(lucidnet.tensor([[1, 2], [3, 4]]), dim=0)
        tensor([3, 8])
    """
    x = _accumulating(input, dtype)
    return ops.prod(x, axis=_pick(axis, dim, x, "prod"), keepdims=keepdim or keepdims)


def _scan_dim(x, dim, axis, where):
    if dim is None and axis is None:
        raise TypeError(f"{where}(): expected a dim to scan along, got none.")
    d = _pick(axis, dim, x, where)             # (checked; None for a 0-d x)
    return _norm_axis(d, x.ndim, where) if x.ndim else 0


def cumsum(input, dim=None, *, dtype=None, axis=None):
    """Running sums along ``dim``.

    Example:
        >>> import lucidnet
        >>> cumsum(lucidnet.tensor([1, 2, 3]), dim=0)
        tensor([1, 3, 6])
    """
    x = _accumulating(input, dtype)
    d = _scan_dim(x, dim, axis, "cumsum")
    return ops.reshape(x, shape=()) if x.ndim == 0 else ops.cumsum(x, axis=d)


def cumprod(input, dim=None, *, dtype=None, axis=None):
    """Running products along ``dim``.

    Example:
        >>> import lucidnet
        >>> cumprod(lucidnet.tensor([1., 2., 3.]), dim=0)
        tensor([1., 2., 6.])
    """
    x = _accumulating(input, dtype)
    d = _scan_dim(x, dim, axis, "cumprod")
    return ops.reshape(x, shape=()) if x.ndim == 0 else ops.cumprod(x, axis=d)


def all(input, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """True where every element over ``dim`` is nonzero; a bool tensor.

    Example:
        >>> import lucidnet
        >>> all(lucidnet.tensor([[1, 0], [1, 1]]), dim=1)
        tensor([False,  True])
    """
    return Tensor._wrap(np.asarray(np.all(input.array, axis=_pick(axis, dim, input, "all"),
                                          keepdims=keepdim or keepdims)))


def any(input, dim=None, keepdim=False, *, axis=None, keepdims=False):
    """True where some element over ``dim`` is nonzero; a bool tensor.

    Example:
        >>> import lucidnet
        >>> any(lucidnet.tensor([[1, 0], [0, 0]]), dim=1)
        tensor([ True, False])
    """
    return Tensor._wrap(np.asarray(np.any(input.array, axis=_pick(axis, dim, input, "any"),
                                          keepdims=keepdim or keepdims)))


def count_nonzero(input, dim=None):
    """The number of nonzero elements over ``dim``; int64.

    Example:
        >>> import lucidnet
        >>> count_nonzero(lucidnet.tensor([[1, 0], [2, 3]]), dim=1)
        tensor([1, 2])
    """
    return Tensor._wrap(np.asarray(np.count_nonzero(input.array, axis=_pick(None, dim, input, "count_nonzero")),
                                   dtype=np.int64))


def median(input, dim=None, keepdim=False):
    """The median: of all elements (a 0-d tensor) or, with ``dim``, ``(values, indices)`` along it. For an even
    count it is the lower of the two middle values, as in PyTorch (not their mean).

    Example:
        >>> import lucidnet
        >>> median(lucidnet.tensor([1., 4., 2., 3.]))
        tensor(2.)
    """
    from .sorting import sort
    if dim is None:
        flat = ops.reshape(input, shape=(-1,))
        values = sort(flat).values
        return values[(flat.array.size - 1) // 2]
    d = _norm_axis(dim, input.ndim, "median") if input.ndim else 0
    values, indices = sort(input, dim=d)
    k = (input.shape[d] - 1) // 2 if input.ndim else 0
    index = (slice(None),) * d + (slice(k, k + 1),)
    v, i = values[index], indices[index]
    if not keepdim:
        v, i = v.squeeze(d), i.squeeze(d)
    return ReturnMedian(v, i)


def _ord(p):
    if p in ("fro", None):
        return 2.0
    if isinstance(p, str):
        raise ValueError(f"norm(): expected p to be a number, 'fro' or 'nuc', got {p!r}.")
    return float(p)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """PyTorch's ``torch.norm``: the vector p-norm of all elements or over ``dim`` (p='fro' is 2; p=inf the
    largest |x|), or the nuclear norm (p='nuc') of matrices. See lucidnet.linalg for the newer functions.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([[3., 4.], [0., 0.]])
        >>> norm(x), norm(x, dim=1), norm(x, p=1)
        (tensor(5.), tensor([5., 0.]), tensor(7.))
    """
    from . import linalg
    x = input if dtype is None else input.to(dtypes.to_dtype(dtype))
    if p == "nuc":
        return linalg.matrix_norm(x, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim)
    return linalg.vector_norm(x, _ord(p), dim=dim, keepdim=keepdim)


def dist(input, other, p=2):
    """The p-norm of input - other.

    Example:
        >>> import lucidnet
        >>> dist(lucidnet.tensor([0., 0.]), lucidnet.tensor([3., 4.]))
        tensor(5.)
    """
    from . import linalg
    return linalg.vector_norm(input - other, _ord(p))

