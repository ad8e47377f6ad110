"""``lucidnet.linalg``: PyTorch's ``torch.linalg`` (norms, inverse, determinant, solve, SVD, QR, cross product),
each differentiable, batched over leading dimensions.

Example:
    >>> import lucidnet
    >>> A = lucidnet.tensor([[2., 0.], [0., 4.]], requires_grad=True)
    >>> lucidnet.linalg.det(A).backward(); A.grad
    tensor([[4., 0.],
            [0., 2.]])
"""
import collections
import math

import numpy as np

from . import dtypes, ops
from .functional import _norm_axis
from .products import cross as _cross, matmul
from .tensor import Tensor

__all__ = ["cross", "det", "inv", "matmul", "matrix_norm", "norm", "qr", "slogdet", "solve", "svd", "svdvals",
           "vector_norm"]

ReturnSVD = collections.namedtuple("svd", ["U", "S", "Vh"])
ReturnQR = collections.namedtuple("qr", ["Q", "R"])
ReturnSlogdet = collections.namedtuple("slogdet", ["sign", "logabsdet"])


def _float(x):
    return x if x.array.dtype.kind == "f" else x.to(dtypes._default_float)


def _dims(x, dim, where):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(_norm_axis(d, x.ndim, where) for d in dims)
    return dims if x.ndim else None            # a 0-d tensor's one dimension is all of it


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm over ``dim`` (all elements when None): (sum |x|^ord)^(1/ord); inf and -inf give
    the largest and smallest |x|, 0 the number of nonzeros. The gradient at 0 is 0, as in PyTorch.

    Example:
        >>> import lucidnet
        >>> vector_norm(lucidnet.tensor([3., -4.])), vector_norm(lucidnet.tensor([3., -4.]), ord=float("inf"))
        (tensor(5.), tensor(4.))
    """
    x = _float(x if dtype is None else x.to(dtypes.to_dtype(dtype)))
    if isinstance(ord, str):
        raise ValueError(f"vector_norm(): expected a number as ord, got {ord!r}; matrix norms are in matrix_norm().")
    return ops.vector_norm(x, ord=float(ord), axis=_dims(x, dim, "vector_norm"), keepdims=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm over the two dimensions ``dim``: 'fro' (Frobenius), 'nuc' (sum of singular values), 2 / -2
    (largest / smallest singular value), 1 / -1 (largest / smallest column sum of |A|), inf / -inf (rows).

    Example:
        >>> import lucidnet
        >>> A = lucidnet.tensor([[1., -2.], [3., 4.]])
        >>> matrix_norm(A), matrix_norm(A, ord=1), matrix_norm(A, ord=float("inf"))
        (tensor(5.4772), tensor(6.), tensor(7.))
    """
    A = _float(A if dtype is None else A.to(dtypes.to_dtype(dtype)))
    d = _dims(A, dim, "matrix_norm")
    if d is None or len(d) != 2 or d[0] == d[1]:
        raise ValueError(f"matrix_norm(): expected two different dims, got {dim}.")
    if ord == "fro":
        return ops.vector_norm(A, ord=2.0, axis=d, keepdims=keepdim)
    rest = [i for i in range(A.ndim) if i not in d]
    moved = A.permute(*rest, *d)                     # (*, m, n)
    if ord == "nuc" or ord in (2, -2):
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    elif ord in (1, -1, math.inf, -math.inf):
        axis = -2 if ord in (1, -1) else -1          # 1: sum over rows (column sums); inf: row sums
        sums = moved.abs().sum(axis)
        out = sums.amax(-1) if ord > 0 else sums.amin(-1)
    else:
        raise ValueError(f"matrix_norm(): expected ord 'fro', 'nuc', 2, -2, 1, -1, inf or -inf, got {ord!r}.")
    if keepdim:
        for i in sorted(d):
            out = out.unsqueeze(i)
    return out


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: with ``ord`` None, the 2-norm of all elements (or over ``dim``); otherwise a vector
    norm for a 1-D input or one dim, a matrix norm for a 2-D input or two dims.

    Example:
        >>> import lucidnet
        >>> norm(lucidnet.tensor([[3., 4.], [0., 0.]])), norm(lucidnet.tensor([[1., 2.], [3., 4.]]), ord="nuc")
        (tensor(5.), tensor(5.8310))
    """
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim=dim, keepdim=keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(f"norm(): expected a 1-D or 2-D input when ord is given without dim, got shape "
                             f"{tuple(A.shape)}.")
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        return vector_norm(A, ord, dim=dim, keepdim=keepdim, dtype=dtype)
    return matrix_norm(A, ord, dim=dim, keepdim=keepdim, dtype=dtype)


def inv(A):
    """The inverse of each square matrix; singular matrices are an error.

    Example:
        >>> import lucidnet
        >>> inv(lucidnet.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return ops.inv(_float(A))


def det(A):
    """The determinant of each square matrix (its gradient is right for singular matrices too).

    Example:
        >>> import lucidnet
        >>> det(lucidnet.tensor([[1., 2.], [3., 4.]]))
        tensor(-2.)
    """
    return ops.det(_float(A))


def slogdet(A):
    """``(sign, logabsdet)`` of the determinant of each square matrix.

    Example:
        >>> import lucidnet
        >>> slogdet(lucidnet.tensor([[1., 2.], [3., 4.]]))
        slogdet(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """
    d = det(A)
    return ReturnSlogdet(Tensor._wrap(np.sign(d.array)), ops.log(ops.abs(d)))


def solve(A, B, *, left=True):
    """X with A X = B (B a matrix (*, n, k) or vectors (*, n)); ``left=False`` solves X A = B.

    Example:
        >>> import lucidnet
        >>> solve(lucidnet.tensor([[2., 0.], [0., 4.]]), lucidnet.tensor([2., 2.]))
        tensor([1.0000, 0.5000])
    """
    A, B = _float(A), _float(B) if isinstance(B, Tensor) else B
    if isinstance(B, Tensor) and A.array.dtype != B.array.dtype:
        raise dtypes.DTypeError(f"solve(): expected A and B in one dtype, got {A.dtype} and {B.dtype}.")
    if left:
        return ops.solve(A, B)
    return ops.solve(A.mT, B.mT).mT                   # X A = B  <=>  A^T X^T = B^T


def svd(A, full_matrices=True, *, driver=None):
    """``(U, S, Vh)`` with A = U diag(S) Vh: U and Vh with orthonormal columns/rows, S descending.
    Gradients are defined when the singular values are distinct (as in PyTorch).

    Example:
        >>> import lucidnet
        >>> svd(lucidnet.tensor([[3., 0.], [0., -2.]])).S
        tensor([3., 2.])
    """
    return ReturnSVD(*ops.svd(_float(A), full_matrices=full_matrices))


def svdvals(A, *, driver=None):
    """The singular values of each matrix, descending.

    Example:
        >>> import lucidnet
        >>> svdvals(lucidnet.tensor([[3., 0.], [0., -2.]]))
        tensor([3., 2.])
    """
    return ops.svd(_float(A), full_matrices=False)[1]


def qr(A, mode="reduced"):
    """``(Q, R)`` with A = QR: Q with orthonormal columns, R upper triangular; ``mode`` 'reduced' or 'complete'.

    Example:
        >>> import lucidnet
        >>> Q, R = qr(lucidnet.tensor([[3., 1.], [4., 2.]]))
        >>> bool(((Q @ R) - lucidnet.tensor([[3., 1.], [4., 2.]])).abs().max() < 1e-6)
        True
    """
    return ReturnQR(*ops.qr(_float(A), mode=mode))


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (the last by default).

    Example:
        >>> import lucidnet
        >>> cross(lucidnet.tensor([0., 1., 0.]), lucidnet.tensor([0., 0., 1.]))
        tensor([1., 0., 0.])
    """
    return _cross(input, other, dim=dim)


