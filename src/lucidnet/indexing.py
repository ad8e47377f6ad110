"""Picking and rearranging elements in PyTorch's names: gather, index_select, masked_select, nonzero, flip, roll,
repeat, tile, narrow, unbind, meshgrid; and ``where(condition)`` with one argument.

All are composites of the indexing and shape primitives (getitem, take_along_axis, reshape, broadcast_to,
concatenate), so gradients flow back to the elements picked.

Example:
    >>> import lucidnet
    >>> x = lucidnet.tensor([[1, 2], [3, 4]])
    >>> x.gather(1, lucidnet.tensor([[1], [0]])), x.flip(0), x.repeat(1, 2)
    (tensor([[2],
            [3]]), tensor([[3, 4],
            [1, 2]]), tensor([[1, 2, 1, 2],
            [3, 4, 3, 4]]))
"""
import numpy as np

from . import ops
from .functional import _norm_axis, cat, expand, reshape
from .tensor import Tensor

__all__ = ["gather", "index_select", "masked_select", "meshgrid", "narrow", "nonzero", "flip", "roll", "repeat",
           "tile", "unbind", "argwhere"]


def _ids(index, where):
    arr = index.array if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{where}: expected an integer index tensor, got dtype {arr.dtype}.")
    return arr


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[index[i][j]][j] (dim 0) or input[i][index[i][j]] (dim 1): one element per index along dim.

    Example:
        >>> import lucidnet
        >>> gather(lucidnet.tensor([[1., 2.], [3., 4.]]), 1, lucidnet.tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.],
                [4., 3.]])
    """
    idx = _ids(index, "gather()")
    d = _norm_axis(dim, input.ndim, "gather()")
    if idx.ndim != input.ndim:
        raise ValueError(f"gather(): expected an index with {input.ndim} dimensions like the input, got shape "
                         f"{tuple(idx.shape)}.")
    if idx.size and (idx.min() < -input.shape[d] or idx.max() >= input.shape[d]):
        raise IndexError(f"gather(): expected indices in [0, {input.shape[d]}) along dim {dim}, got values from "
                         f"{idx.min()} to {idx.max()}.")
    if any(i > n for i, n in zip(idx.shape, input.shape)):
        raise ValueError(f"gather(): expected an index no larger than the input {tuple(input.shape)} outside dim "
                         f"{dim}, got shape {tuple(idx.shape)}.")
    src = input[tuple(slice(0, n) if i != d else slice(None) for i, n in enumerate(idx.shape))]
    return ops.take_along_axis(src, idx % input.shape[d], axis=d)


def index_select(input, dim, index):
    """The slices of input at ``index`` (a 1-D integer tensor) along ``dim``.

    Example:
        >>> import lucidnet
        >>> index_select(lucidnet.tensor([[1, 2], [3, 4], [5, 6]]), 0, lucidnet.tensor([2, 0]))
        tensor([[5, 6],
                [1, 2]])
    """
    idx = _ids(index, "index_select()").reshape(-1)
    d = _norm_axis(dim, input.ndim, "index_select()") if input.ndim else 0
    return input[(slice(None),) * d + (idx,)]


def masked_select(input, mask):
    """The elements of input where ``mask`` (broadcast to input's shape) is True, as a 1-D tensor.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([[1, -2], [-3, 4]])
        >>> masked_select(x, x > 0)
        tensor([1, 4])
    """
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    shape = np.broadcast_shapes(input.shape, m.shape)
    return expand(input, shape)[np.broadcast_to(m, shape)]


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of one 1-D tensor per dim.

    Example:
        >>> import lucidnet
        >>> nonzero(lucidnet.tensor([[0, 1], [2, 0]]))
        tensor([[0, 1],
                [1, 0]])
    """
    found = np.nonzero(input.array if isinstance(input, Tensor) else np.asarray(input))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in found)
    return Tensor._wrap(np.stack(found, axis=1).astype(np.int64) if found else np.zeros((0, 0), np.int64))


argwhere = nonzero


def flip(input, dims):
    """input with the order of its elements reversed along ``dims``.

    Example:
        >>> import lucidnet
        >>> flip(lucidnet.tensor([1, 2, 3]), (0,))
        tensor([3, 2, 1])
    """
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    index = [slice(None)] * input.ndim
    for d in dims:
        index[_norm_axis(d, input.ndim, "flip()")] = slice(None, None, -1)
    return input[tuple(index)]


def roll(input, shifts, dims=None):
    """input with its elements shifted along ``dims`` (the flattened tensor when None), wrapping around.

    Example:
        >>> import lucidnet
        >>> roll(lucidnet.tensor([1, 2, 3, 4]), 1)
        tensor([4, 1, 2, 3])
    """
    if dims is None:
        return reshape(roll(reshape(input, -1), shifts, 0), *input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll(): expected as many shifts as dims, got {shifts} and {dims}.")
    out = input
    for s, d in zip(shifts, dims):
        d = _norm_axis(d, input.ndim, "roll()")
        n = input.shape[d]
        s = s % n if n else 0
        if s:
            before = (slice(None),) * d
            out = cat([out[before + (slice(n - s, None),)], out[before + (slice(0, n - s),)]], dim=d)
    return out


def repeat(input, *sizes):
    """input repeated ``sizes[i]`` times along each dim (PyTorch's repeat: NumPy's tile); extra leading sizes add
    dims.

    Example:
        >>> import lucidnet
        >>> repeat(lucidnet.tensor([1, 2]), 2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat(): expected at least {input.ndim} sizes for a tensor of shape "
                         f"{tuple(input.shape)}, got {sizes}.")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    spread = reshape(input, *[v for n in shape for v in (1, n)])                # (1, n0, 1, n1, ...)
    grown = expand(spread, *[v for r, n in zip(sizes, shape) for v in (r, n)])  # (r0, n0, r1, n1, ...)
    return reshape(grown, *[r * n for r, n in zip(sizes, shape)])


def tile(input, dims):
    """input repeated along each dim (fewer dims than input's repeat its last ones), as PyTorch's tile.

    Example:
        >>> import lucidnet
        >>> tile(lucidnet.tensor([[1, 2]]), (2,))
        tensor([[1, 2, 1, 2]])
    """
    dims = tuple(dims)
    return repeat(input, *((1,) * (input.ndim - len(dims)) + dims))


def narrow(input, dim, start, length):
    """input[..., start:start + length, ...] along ``dim`` (a view).

    Example:
        >>> import lucidnet
        >>> narrow(lucidnet.tensor([1, 2, 3, 4]), 0, 1, 2)
        tensor([2, 3])
    """
    d = _norm_axis(dim, input.ndim, "narrow()")
    n = input.shape[d]
    start = start + n if start < 0 else start
    if not (0 <= start and length >= 0 and start + length <= n):
        raise ValueError(f"narrow(): expected start + length <= {n} (the size of dim {dim}), got start={start}, "
                         f"length={length}.")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def unbind(input, dim=0):
    """The slices of input along ``dim``, as a tuple.

    Example:
        >>> import lucidnet
        >>> unbind(lucidnet.tensor([[1, 2], [3, 4]]), 1)
        (tensor([1, 3]), tensor([2, 4]))
    """
    d = _norm_axis(dim, input.ndim, "unbind()")
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input.shape[d]))


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: for 'ij' (PyTorch's default) the i-th output varies along dim i;
    'xy' swaps the first two, as NumPy's default.

    Example:
        >>> import lucidnet
        >>> [g.tolist() for g in meshgrid(lucidnet.tensor([1, 2]), lucidnet.tensor([3, 4, 5]))]
        [[[1, 1, 1], [2, 2, 2]], [[3, 4, 5], [3, 4, 5]]]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid(): expected indexing 'ij' or 'xy', got {indexing!r}.")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = [tensors[i].numel() for i in order]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[order.index(i)] = t.numel()
        out.append(expand(reshape(t, *view), *shape))
    return tuple(out)
