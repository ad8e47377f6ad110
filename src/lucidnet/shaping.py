"""Shape functions on tensors: reshape, flatten, squeeze/unsqueeze, transpose/permute, expand, cat/stack,
split/chunk, pad. Composites of primitives, with no backward code; re-exported by :mod:`lucidnet.functional`
(and so as ``lucidnet.reshape``, ``lucidnet.cat``, ...), whose docstring gives the NumPy/PyTorch rules they follow.
"""
import builtins

import numpy as np

from . import dtypes, ops
from .tensor import Tensor

def _pick(axis, dim, x=None, where="dim"):
    """One axis argument from NumPy's ``axis=`` or PyTorch's ``dim=``; each axis checked against x's dimensions.
    A 0-d x's one dimension (0 or -1, as PyTorch names it) is x itself: None, the whole of it."""
    if axis is None and type(dim) is int and x is not None and -x.array.ndim <= dim < x.array.ndim:
        return dim                             # the common call: one valid dim= (log_softmax(z, dim=1))
    if axis is not None and dim is not None and axis != dim:
        raise TypeError(f"{where}: got both axis={axis} and dim={dim}; pass one of them.")
    a = dim if axis is None else axis
    a = tuple(a) if isinstance(a, list) else a
    if x is not None and a is not None:
        for i in a if isinstance(a, tuple) else (a,):
            _norm_axis(i, x.ndim, where)
        if x.ndim == 0:
            return None
    return a


def _norm_axis(axis, ndim, where):
    """``axis`` counted from 0, checked against ``ndim`` dimensions (a 0-d tensor takes 0 or -1, as in PyTorch)."""
    n = builtins.max(ndim, 1)
    if not -n <= axis < n:
        raise IndexError(f"{where}: expected a dimension in [{-n}, {n - 1}], got {axis}.")
    return axis % ndim if ndim else 0


def _shape_arg(shape):
    """Accept both f(2, 3) and f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x, *shape):
    """x with a new shape (one entry may be -1); a view when possible.

    Example:
        >>> import lucidnet
        >>> lucidnet.arange(6).reshape(2, 3).shape
        lucidnet.Size([2, 3])
    """
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    try:
        return ops.reshape(x, shape=shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {tuple(x.array.shape)} ({x.array.size} elements) "
                         f"into {shape}.") from None


def flatten(x, start_dim=0, end_dim=-1):
    """Merge the axes start_dim..end_dim into one.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3, 4).flatten(1).shape
        lucidnet.Size([2, 12])
    """
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = _norm_axis(start_dim, x.ndim, "flatten"), _norm_axis(end_dim, x.ndim, "flatten")
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1:])


def squeeze(x, dim=None, *, axis=None):
    """x without size-1 axes (only ``dim`` when given; a ``dim`` whose size is not 1 is left alone, as PyTorch).

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 1, 3).squeeze().shape
        lucidnet.Size([2, 3])
    """
    dim = _pick(axis, dim)
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = {_norm_axis(d, x.ndim, "squeeze") for d in (dim if isinstance(dim, tuple) else (dim,))}
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return reshape(x, shape)


def unsqueeze(x, dim):
    """x with a new size-1 axis inserted at ``dim``.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3).unsqueeze(1).shape
        lucidnet.Size([2, 1, 3])
    """
    dim = _norm_axis(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def transpose(x, *axes):
    """Swap two axes (``transpose(x, 0, 1)``, PyTorch), or reverse / permute them (``transpose(x)``,
    ``transpose(x, (1, 0, 2))``, NumPy).

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3, 4).transpose(0, 2).shape
        lucidnet.Size([4, 3, 2])
    """
    if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
        order = list(range(x.ndim))
        d0, d1 = (_norm_axis(a, x.ndim, "transpose") for a in axes)
        order[d0], order[d1] = order[d1], order[d0]
        return ops.transpose(x, axes=tuple(order))
    if not axes:
        return ops.transpose(x, axes=tuple(reversed(range(x.ndim))))
    return permute(x, *axes)


def permute(x, *dims):
    """Reorder all axes: output axis i is input axis dims[i].

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(2, 3, 4).permute(2, 0, 1).shape
        lucidnet.Size([4, 2, 3])
    """
    dims = _shape_arg(dims)
    if sorted(d % builtins.max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
        raise ValueError(f"permute: expected an order of all {x.ndim} axes, got {dims}.")
    return ops.transpose(x, axes=tuple(d % x.ndim for d in dims))


def expand(x, *sizes):
    """x repeated without copying along size-1 (or new leading) axes; -1 keeps a size.

    Example:
        >>> import lucidnet
        >>> lucidnet.zeros(3, 1).expand(3, 4).shape
        lucidnet.Size([3, 4])
    """
    sizes = _shape_arg(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: expected at least {x.ndim} sizes for a tensor of shape {tuple(x.array.shape)}, "
                         f"got {sizes}.")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    try:
        return ops.broadcast_to(x, shape=shape)
    except ValueError:
        raise ValueError(f"expand: cannot expand shape {tuple(x.array.shape)} to {shape}: only size-1 axes can "
                         f"grow.") from None


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing axis.

    Example:
        >>> import lucidnet
        >>> lucidnet.cat([lucidnet.zeros(2, 3), lucidnet.ones(1, 3)]).shape
        lucidnet.Size([3, 3])
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors, got an empty one.")
    axis = dim if axis is None else axis
    ndim = np.ndim(tensors[0])
    shapes = [tuple(np.shape(t)) for t in tensors]
    a = _norm_axis(axis, ndim, "cat")
    if any(len(s) != ndim or s[:a] + s[a + 1:] != shapes[0][:a] + shapes[0][a + 1:] for s in shapes):
        raise ValueError(f"cat: expected shapes equal except along dim {axis}, got {shapes}.")
    return ops.concatenate(*_one_dtype(tensors), axis=a)


def _one_dtype(tensors):
    """The tensors (or arrays) of a cat or stack in the dtype PyTorch promotes them to together."""
    kinds = {t.dtype for t in tensors}
    if len(kinds) == 1:
        return tensors
    d = dtypes.result_dtype(*(t if isinstance(t, Tensor) else np.asarray(t) for t in tensors))
    return [t.to(d) if isinstance(t, Tensor) else np.asarray(t, dtype=d) for t in tensors]


concatenate = cat


def stack(tensors, dim=0, *, axis=None):
    """Join same-shaped tensors along a new axis.

    Example:
        >>> import lucidnet
        >>> lucidnet.stack([lucidnet.zeros(2, 3), lucidnet.ones(2, 3)], dim=1).shape
        lucidnet.Size([2, 2, 3])
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors, got an empty one.")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: expected tensors of one shape, got {[t.array.shape for t in tensors]}.")
    axis = _norm_axis(dim if axis is None else axis, tensors[0].ndim + 1, "stack")
    return ops.concatenate(*(unsqueeze(t, axis) for t in _one_dtype(tensors)), axis=axis)


def split(x, split_size_or_sections, dim=0):
    """Cut x into pieces along ``dim``: pieces of size n (int; the last may be smaller), or of the
    listed sizes (PyTorch's meaning; NumPy's ``np.split(x, 3)`` would make 3 pieces: use :func:`chunk`).

    Example:
        >>> import lucidnet
        >>> [p.shape for p in lucidnet.arange(5).split(2)]
        [lucidnet.Size([2]), lucidnet.Size([2]), lucidnet.Size([1])]
    """
    n = x.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: expected a positive piece size, got {size}.")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ValueError(f"split: expected sizes that add up to {n} (the size of dim {dim}), got {sizes}.")
    pieces, start = [], 0
    index = [slice(None)] * x.ndim
    for s in sizes:
        index[dim] = slice(start, start + s)
        pieces.append(x[tuple(index)])
        start += s
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """Cut x into ``chunks`` pieces of (almost) equal size along ``dim``, as PyTorch's chunk.

    Example:
        >>> import lucidnet
        >>> [p.shape for p in lucidnet.arange(5).chunk(2)]
        [lucidnet.Size([3]), lucidnet.Size([2])]
    """
    if chunks <= 0:
        raise ValueError(f"chunk: expected a positive number of chunks, got {chunks}.")
    return split(x, -(-x.shape[dim] // chunks) or 1, dim)


def pad(x, pad, mode="constant", value=0.0):
    """Pad with a constant. ``pad`` is PyTorch's flat (left, right, top, bottom, ...) counted from the last
    axis, or NumPy's ((before, after), ...) per axis.

    Example:
        >>> import lucidnet
        >>> lucidnet.pad(lucidnet.ones(2, 2), (1, 1)).shape
        lucidnet.Size([2, 4])
    """
    if mode != "constant":
        raise ValueError(f"pad: expected mode='constant', got {mode!r}.")
    if all(isinstance(p, (int, np.integer)) for p in pad):
        if len(pad) % 2 or len(pad) // 2 > x.ndim:
            raise ValueError(f"pad: expected an even number of pads, at most 2 per axis of a {x.ndim}-d tensor, "
                             f"got {tuple(pad)}.")
        pairs = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            pairs[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    else:
        pairs = [tuple(int(v) for v in p) for p in pad]
        if len(pairs) != x.ndim:
            raise ValueError(f"pad: expected {x.ndim} (before, after) pairs, got {len(pairs)}.")
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"pad: expected non-negative pads, got {pairs}.")
    return ops.pad(x, pad_width=tuple(pairs), value=value)
