"""Writing into tensors at indices, in PyTorch's names: scatter, scatter_add, index_add, index_copy, index_fill,
masked_scatter (the in-place ``x.scatter_(...)`` and friends are their in-place variants, in tensor_inplace).

The reverse of :mod:`lucidnet.indexing`'s gather / index_select / masked_select: each turns its PyTorch index
arguments into one NumPy advanced index (an integer array per axis) and hands it to a primitive, ``index_put``
(assignment: the overwritten elements get no gradient, the written values the gradient of where they went) or
``scatter_add`` (accumulation: repeated positions add up). The values written get PyTorch's gradient, the
gathered output gradient.

Example:
    >>> import lucidnet
    >>> x = lucidnet.zeros(2, 3)
    >>> x.scatter(1, lucidnet.tensor([[2], [0]]), lucidnet.tensor([[5.], [7.]]))
    tensor([[0., 0., 5.],
            [7., 0., 0.]])
    >>> x.index_add(0, lucidnet.tensor([1, 1]), lucidnet.ones(2, 3))
    tensor([[0., 0., 0.],
            [2., 2., 2.]])
"""
import numbers

import numpy as np

from . import ops
from .functional import _norm_axis, masked_fill
from .tensor import Tensor

__all__ = ["scatter", "scatter_add", "index_add", "index_copy", "index_fill", "masked_scatter"]


def _ids(index, where):
    arr = index.array if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{where}: expected an integer index tensor, got dtype {arr.dtype}.")
    return arr


def _in_range(idx, n, where, dim):
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{where}: expected indices in [0, {n}) along dim {dim}, got {bad}.")


def _same_dtype(input, src, where, name):
    if src.dtype != input.dtype:
        raise TypeError(f"{where}: expected {name} of the input's dtype {input.dtype}, got {src.dtype}. Convert it "
                        f"with {name}.to({input.dtype}).")


def _scatter_index(where, input, dim, index, src):
    """The NumPy index of ``scatter``'s positions: input[grid] is written from src[:index.shape], with
    grid's ``dim`` axis taken from ``index`` and the others counting, as PyTorch's scatter."""
    idx = _ids(index, where)
    d = _norm_axis(dim, input.ndim, where)
    if idx.ndim != input.ndim:
        raise ValueError(f"{where}: expected an index with {input.ndim} dimensions like the input, got shape "
                         f"{tuple(idx.shape)}.")
    if src is not None and src.ndim != idx.ndim:
        raise ValueError(f"{where}: expected src with {idx.ndim} dimensions like the index, got shape "
                         f"{tuple(src.shape)}.")
    if any(i > n for k, (i, n) in enumerate(zip(idx.shape, input.shape)) if k != d) or \
            (src is not None and any(i > n for i, n in zip(idx.shape, src.shape))):
        src_text = f" and src {tuple(src.shape)}" if src is not None else ""
        raise ValueError(f"{where}: expected an index no larger than the input {tuple(input.shape)} outside dim "
                         f"{dim}{src_text}, got shape {tuple(idx.shape)}.")
    _in_range(idx, input.shape[d], where, dim)
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    grid[d] = idx
    return tuple(grid), idx.shape


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """input with ``src`` written at ``index`` along ``dim``: out[index[i][j]][j] = src[i][j] (dim 0),
    out[i][index[i][j]] = src[i][j] (dim 1). ``src`` may be a number (or pass ``value=``).

    Args:
        input: the tensor written into (not modified; ``scatter_`` writes in place).
        dim: the axis the index runs along.
        index: an integer tensor with input's number of dimensions, no larger than src, nor than input outside
            ``dim``; values in [0, input.shape[dim]). Where it repeats a position, one of the values wins.
        src: a tensor of input's dtype (the part of the index's shape is used), or a number.
        value: the number to write, as ``src``.
        reduce: None (write), 'add' or 'multiply' (combine with what is there; PyTorch's older spelling of
            ``scatter_reduce``). With 'multiply' nothing may need a gradient, as in PyTorch.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(3, 2).scatter(0, lucidnet.tensor([[2, 0]]), 1.0)
        tensor([[0., 1.],
                [0., 0.],
                [1., 0.]])
    """
    where = "scatter()"
    if value is not None:
        if src is not None:
            raise ValueError(f"{where}: expected src or value, got both.")
        src = value
    if src is None:
        raise ValueError(f"{where}: expected src (a tensor or a number) or value, got neither.")
    if reduce not in (None, "add", "multiply"):
        raise ValueError(f"{where}: expected reduce None, 'add' or 'multiply', got {reduce!r}.")
    is_tensor = isinstance(src, Tensor)
    if not is_tensor and not isinstance(src, (numbers.Number, np.number, np.bool_)):
        raise TypeError(f"{where}: expected src to be a Tensor or a number, got {type(src).__name__}.")
    grid, shape = _scatter_index(where, input, dim, index, src if is_tensor else None)
    if is_tensor:
        _same_dtype(input, src, where, "src")
        values = src[tuple(slice(0, n) for n in shape)] if tuple(src.shape) != tuple(shape) else src
    else:
        values = np.full(shape, src, dtype=input.array.dtype)
    if reduce is None:
        return ops.index_put(input, values, index=grid)
    if reduce == "add":
        return ops.scatter_add(input, values, index=grid)
    if input.requires_grad or (is_tensor and values.requires_grad):
        from .autograd import is_grad_enabled
        if is_grad_enabled():
            raise RuntimeError(f"{where}: reduce='multiply' has no backward (neither in PyTorch); use it under "
                               f"no_grad, or write the product with gather and index_put.")
    out = input.array.copy()
    np.multiply.at(out, grid, values.array if is_tensor else values)
    return Tensor._wrap(out)


def scatter_add(input, dim, index, src):
    """input with ``src`` added at ``index`` along ``dim``, as :func:`scatter` with ``reduce='add'``; repeated
    positions add up (a histogram, or the backward of gather).

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(4).scatter_add(0, lucidnet.tensor([1, 3, 1]), lucidnet.ones(3))
        tensor([0., 2., 0., 1.])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): expected src to be a Tensor, got {type(src).__name__}.")
    return scatter(input, dim, index, src, reduce="add")


def _slices_index(where, input, dim, index, source):
    """``(idx, dim)`` of the slices ``index`` (1-D) along ``dim``; with a source (a tensor of input's dtype and
    shape but len(index) in ``dim``), indices must lie in [0, size)."""
    if source is not None:
        if not isinstance(source, Tensor):
            raise TypeError(f"{where}: expected source to be a Tensor, got {type(source).__name__}.")
        _same_dtype(input, source, where, "source")
    idx = _ids(index, where)
    if idx.ndim > 1:
        raise ValueError(f"{where}: expected a 1-D index, got shape {tuple(idx.shape)}.")
    idx = idx.reshape(-1)
    d = _norm_axis(dim, input.ndim, where) if input.ndim else 0
    if source is not None:
        expected = tuple(input.shape[:d]) + (len(idx),) + tuple(input.shape[d + 1:]) if input.ndim else (len(idx),)
        if tuple(source.shape) != expected and not (input.ndim == 0 and source.ndim == 0 and len(idx) == 1):
            raise ValueError(f"{where}: expected source of shape {expected} (the input's, with len(index) = "
                             f"{len(idx)} along dim {dim}), got {tuple(source.shape)}.")
        _in_range(idx, input.shape[d] if input.ndim else 1, where, dim)
    return idx, d


def _slices_grid(idx, d, shape):
    grid = list(np.ix_(*[np.arange(n) for n in shape]))
    grid[d] = idx.reshape([-1 if k == d else 1 for k in range(len(shape))])
    return tuple(grid)


def index_add(input, dim, index, source, *, alpha=1):
    """input with ``alpha * source`` added to the slices ``index`` along ``dim``: out[..., index[i], ...] +=
    alpha * source[..., i, ...]; repeated indices add up.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(3, 2).index_add(0, lucidnet.tensor([0, 2, 0]), lucidnet.ones(3, 2), alpha=2)
        tensor([[4., 4.],
                [0., 0.],
                [2., 2.]])
    """
    idx, d = _slices_index("index_add()", input, dim, index, source)
    if input.ndim == 0:
        return input + (source.reshape(()) * alpha if alpha != 1 else source.reshape(())) * len(idx)
    if alpha != 1:
        source = source * alpha
    return ops.scatter_add(input, source, index=_slices_grid(idx, d, tuple(source.shape)))


def index_copy(input, dim, index, source):
    """input with its slices ``index`` along ``dim`` replaced by source's: out[..., index[i], ...] =
    source[..., i, ...]. Where an index repeats, one of the slices wins.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3).index_copy(1, lucidnet.tensor([2, 0]), lucidnet.tensor([[1., 2.], [3., 4.]]))
        tensor([[2., 0., 1.],
                [4., 0., 3.]])
    """
    idx, d = _slices_index("index_copy()", input, dim, index, source)
    if input.ndim == 0:
        return ops.index_put(input, source.reshape(()), index=()) if len(idx) else input * 1
    return ops.index_put(input, source, index=_slices_grid(idx, d, tuple(source.shape)))


def index_fill(input, dim, index, value):
    """input with ``value`` (a number or a 0-d tensor) in its slices ``index`` along ``dim``; negative indices
    count from the end, as PyTorch's.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3).index_fill(1, lucidnet.tensor([0, -1]), 9.0)
        tensor([[9., 0., 9.],
                [9., 0., 9.]])
    """
    where = "index_fill()"
    idx, d = _slices_index(where, input, dim, index, None)
    n = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"{where}: expected indices in [{-n}, {n}) along dim {dim}, got {bad}.")
    if isinstance(value, Tensor) and value.ndim:
        raise ValueError(f"{where}: expected a number or a 0-d tensor as value, got shape {tuple(value.shape)}.")
    m = np.zeros(n, dtype=bool)
    m[idx % n] = True
    if input.ndim:
        m = m.reshape([-1 if k == d else 1 for k in range(input.ndim)])
    else:
        m = m.reshape(())
    return masked_fill(input, m, value)


def masked_scatter(input, mask, source):
    """input with source's elements, in order, written where ``mask`` (bool, broadcast to input's shape) is
    True: the first True position gets source's first element, and so on.

    Example:
        >>> import lucidnet
        >>> x = lucidnet.zeros(2, 3)
        >>> x.masked_scatter(lucidnet.tensor([[True, False, True], [False, True, False]]), lucidnet.arange(1., 7.))
        tensor([[1., 0., 2.],
                [0., 3., 0.]])
    """
    where = "masked_scatter()"
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"{where}: expected a bool mask, got dtype {m.dtype}. Compare first (mask != 0) or "
                        f"convert it with .bool().")
    if not isinstance(source, Tensor):
        raise TypeError(f"{where}: expected source to be a Tensor, got {type(source).__name__}.")
    _same_dtype(input, source, where, "source")
    try:
        m = np.broadcast_to(m, input.shape)
    except ValueError:
        raise ValueError(f"{where}: expected a mask broadcastable to {tuple(input.shape)}, got shape "
                         f"{tuple(m.shape)}.") from None
    count = int(m.sum())
    if source.numel() < count:
        raise ValueError(f"{where}: expected source with at least {count} elements (the mask's True count), got "
                         f"{source.numel()}.")
    if not count:
        return input * 1
    pos = np.maximum(np.cumsum(m.reshape(-1)) - 1, 0).reshape(m.shape)     # the source element of each position
    return ops.where(m, source.reshape(-1)[pos], input)
