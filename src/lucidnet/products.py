"""Products of tensors in PyTorch's names: matmul (and mm, bmm, mv, dot), outer, inner, tensordot, einsum, cross;
and the diagonal of matrices (diagonal, diag, trace).

As in PyTorch, a matrix product needs both operands in one dtype (float32 @ float64 is an error, not a silent
float64 result); mm, bmm, mv and dot also check the number of dimensions they are defined for.

Example:
    >>> import lucidnet
    >>> a, b = lucidnet.tensor([1., 2.]), lucidnet.tensor([3., 4.])
    >>> lucidnet.outer(a, b), lucidnet.einsum("i,i->", a, b)
    (tensor([[3., 4.],
            [6., 8.]]), tensor(11.))
"""
import numpy as np

from . import dtypes, ops
from .promotion import operands
from .tensor import Tensor

__all__ = ["bmm", "cross", "diag", "diagonal", "dot", "einsum", "ger", "inner", "matmul", "mm", "mv", "outer",
           "tensordot", "trace", "vdot"]


def _same_dtype(a, b, where):
    """a and b as operands of a matrix product: a NumPy array takes the tensor's dtype; two tensors must agree."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.array.dtype is not b.array.dtype and a.array.dtype != b.array.dtype:
            raise dtypes.DTypeError(f"{where}: expected both operands in one dtype, got {a.dtype} and {b.dtype} "
                                    f"(as in PyTorch). Convert one, e.g. b.to(a.dtype).")
    elif isinstance(a, Tensor):
        b = np.asarray(b, dtype=a.array.dtype)
    elif isinstance(b, Tensor):
        a = np.asarray(a, dtype=b.array.dtype)
    return a, b


def matmul(input, other):
    """input @ other over the last two axes, batched over the leading ones (1-D operands as vectors).

    Example:
        >>> import lucidnet
        >>> matmul(lucidnet.ones(2, 3), lucidnet.ones(3)).tolist()
        [3.0, 3.0]
    """
    return ops.matmul(*_same_dtype(input, other, "matmul"))


def _ndim(x, n, where, name):
    if np.ndim(x) not in (n if isinstance(n, tuple) else (n,)):
        raise ValueError(f"{where}: expected {name} to be {n}-D, got shape {tuple(np.shape(x))}.")


def mm(input, mat2):
    """The product of two matrices.

    Example:
        >>> import lucidnet
        >>> mm(lucidnet.ones(2, 3), lucidnet.ones(3, 1)).shape
        lucidnet.Size([2, 1])
    """
    _ndim(input, 2, "mm()", "input")
    _ndim(mat2, 2, "mm()", "mat2")
    return matmul(input, mat2)


def bmm(input, mat2):
    """The products of two batches of matrices, (b, n, m) @ (b, m, p).

    Example:
        >>> import lucidnet
        >>> bmm(lucidnet.ones(4, 2, 3), lucidnet.ones(4, 3, 5)).shape
        lucidnet.Size([4, 2, 5])
    """
    _ndim(input, 3, "bmm()", "input")
    _ndim(mat2, 3, "bmm()", "mat2")
    if np.shape(input)[0] != np.shape(mat2)[0]:
        raise ValueError(f"bmm(): expected batches of one size, got shapes {tuple(np.shape(input))} and "
                         f"{tuple(np.shape(mat2))}.")
    return matmul(input, mat2)


def mv(input, vec):
    """A matrix times a vector.

    Example:
        >>> import lucidnet
        >>> mv(lucidnet.ones(2, 3), lucidnet.tensor([1., 2., 3.]))
        tensor([6., 6.])
    """
    _ndim(input, 2, "mv()", "input")
    _ndim(vec, 1, "mv()", "vec")
    return matmul(input, vec)


def dot(input, other):
    """The dot product of two vectors.

    Example:
        >>> import lucidnet
        >>> dot(lucidnet.tensor([1., 2.]), lucidnet.tensor([3., 4.]))
        tensor(11.)
    """
    _ndim(input, 1, "dot()", "input")
    _ndim(other, 1, "dot()", "other")
    return matmul(input, other)


vdot = dot


def outer(input, vec2):
    """The outer product of two vectors: out[i, j] = input[i] * vec2[j].

    Example:
        >>> import lucidnet
        >>> outer(lucidnet.tensor([1, 2]), lucidnet.tensor([1, 10])).tolist()
        [[1, 10], [2, 20]]
    """
    _ndim(input, 1, "outer()", "input")
    _ndim(vec2, 1, "outer()", "vec2")
    return ops.reshape(input, shape=(-1, 1)) * ops.reshape(vec2, shape=(1, -1))


ger = outer


def inner(input, other):
    """Sums of products over the last axis of both.

    Example:
        >>> import lucidnet
        >>> inner(lucidnet.ones(2, 3), lucidnet.ones(4, 3)).shape
        lucidnet.Size([2, 4])
    """
    if np.ndim(input) == 0 or np.ndim(other) == 0:
        return input * other
    return tensordot(input, other, dims=([-1], [-1]))


def tensordot(a, b, dims=2):
    """Sums of products over ``dims``: the last ``dims`` axes of a with the first of b, or two lists of axes.

    Example:
        >>> import lucidnet
        >>> tensordot(lucidnet.ones(2, 3, 4), lucidnet.ones(3, 4, 5)).shape
        lucidnet.Size([2, 5])
    """
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    na, nb = np.ndim(a), np.ndim(b)
    if isinstance(dims, int):
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da, db = [d % na for d in da], [d % nb for d in db]
    sa = list(letters[:na])
    sb = list(letters[na:na + nb])
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [c for j, c in enumerate(sb) if j not in db]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def einsum(equation, *operands):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is a @ b; ellipses, repeated indices (diagonals) and
    the implicit output work as in PyTorch and NumPy. The operands may also be given as one list.

    Example:
        >>> import lucidnet
        >>> einsum("ii->", lucidnet.tensor([[1., 2.], [3., 4.]]))
        tensor(5.)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    kinds = {t.array.dtype for t in operands if isinstance(t, Tensor)}
    if len(kinds) > 1:
        raise dtypes.DTypeError(f"einsum: expected operands of one dtype, got {sorted(map(str, kinds))} (as in "
                                f"PyTorch). Convert them, e.g. b.to(a.dtype).")
    return ops.einsum(*operands, equation=equation)


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (by default the first axis of size 3, as torch.cross).

    Example:
        >>> import lucidnet
        >>> cross(lucidnet.tensor([1., 0., 0.]), lucidnet.tensor([0., 1., 0.]))
        tensor([0., 0., 1.])
    """
    shape = np.broadcast_shapes(np.shape(input), np.shape(other))
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise ValueError(f"cross(): expected a dimension of size 3, got shapes {tuple(np.shape(input))} and "
                             f"{tuple(np.shape(other))}.")
    if shape[dim] != 3:
        raise ValueError(f"cross(): expected size 3 along dim {dim}, got shapes {tuple(np.shape(input))} and "
                         f"{tuple(np.shape(other))}.")
    a, b = operands(input, other)
    return ops.cross(a, b, axis=dim)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the matrices spanned by dims ``dim1``, ``dim2`` (above it for ``offset`` > 0), as the last
    dimension.

    Example:
        >>> import lucidnet
        >>> diagonal(lucidnet.tensor([[1, 2], [3, 4]])), diagonal(lucidnet.tensor([[1, 2], [3, 4]]), 1)
        (tensor([1, 4]), tensor([2]))
    """
    n = input.ndim
    d1, d2 = dim1 % n, dim2 % n
    rest = [i for i in range(n) if i not in (d1, d2)]
    moved = input.permute(*rest, d1, d2)
    rows, cols = moved.shape[-2:]
    start_r, start_c = (0, offset) if offset >= 0 else (-offset, 0)
    k = max(0, min(rows - start_r, cols - start_c))
    return moved[..., np.arange(start_r, start_r + k), np.arange(start_c, start_c + k)]


def diag(input, diagonal=0):
    """A 1-D input as the diagonal of a square matrix; a 2-D input's diagonal as a vector.

    Example:
        >>> import lucidnet
        >>> diag(lucidnet.tensor([1., 2.]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    if input.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    if input.ndim != 1:
        raise ValueError(f"diag(): expected a 1-D or 2-D tensor, got shape {tuple(input.shape)}.")
    n = input.shape[0] + abs(diagonal)
    idx = np.nonzero(np.eye(n, k=diagonal, dtype=bool))
    return ops.index_put(Tensor._wrap(np.zeros((n, n), dtype=input.array.dtype)), input, index=idx)


def trace(input):
    """The sum of a matrix's diagonal.

    Example:
        >>> import lucidnet
        >>> trace(lucidnet.tensor([[1., 2.], [3., 4.]]))
        tensor(5.)
    """
    if input.ndim != 2:
        raise ValueError(f"trace(): expected a matrix, got shape {tuple(input.shape)}.")
    return diagonal(input).sum()
