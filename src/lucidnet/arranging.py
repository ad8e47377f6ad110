"""PyTorch's remaining tensor functions that tutorials use, each a composition of existing ones (no backward
code): aliases (concat, swapaxes, moveaxis), stacking (vstack, hstack, dstack, column_stack, atleast_*),
picking (take, take_along_dim, repeat_interleave), differences and statistics (diff, std_mean, var_mean,
nanmean, nansum, aminmax), pointwise helpers (logit, erfc, hypot, fmax, fmin, nan_to_num), fused products
(addmm, addmv, baddbmm, kron, cdist) and counting (bincount, histc, searchsorted, bucketize: integer results,
no gradient), plus the runtime switches (compile, use_deterministic_algorithms).

Example:
    >>> import lucidnet
    >>> a = lucidnet.tensor([1., 2.])
    >>> lucidnet.vstack([a, a]).shape, lucidnet.repeat_interleave(a, 2), lucidnet.diff(lucidnet.tensor([1, 4, 9]))
    (lucidnet.Size([2, 2]), tensor([1., 1., 2., 2.]), tensor([3, 5]))
"""
import collections

import numpy as np

from . import dtypes
from .functional import _norm_axis, cat, expand, mean, permute, reshape, std, sum, transpose, var, where
from .indexing import gather
from .tensor import Tensor

__all__ = ["addmm", "addmv", "aminmax", "atleast_1d", "atleast_2d", "atleast_3d", "baddbmm", "bincount",
           "broadcast_tensors", "broadcast_to", "bucketize", "cdist", "column_stack", "compile", "concat",
           "concatenate", "cummax", "cummin", "diag_embed", "diff", "dstack", "erfc", "fmax", "fmin", "histc",
           "hstack", "hypot", "kron", "logit", "moveaxis", "movedim", "nan_to_num", "nanmean", "nansum",
           "repeat_interleave", "searchsorted", "std_mean", "swapaxes", "swapdims", "t", "take", "take_along_dim",
           "use_deterministic_algorithms", "var_mean", "vstack"]

ReturnAminmax = collections.namedtuple("aminmax", ["min", "max"])


def _t(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


# ---------------------------------------------------------------------------------------------- aliases, shape

def concat(tensors, dim=0):
    """``cat`` under its other names (``concat``, ``concatenate``)."""
    return cat(tensors, dim)


concatenate = concat


def swapaxes(input, axis0, axis1):
    """``transpose(input, axis0, axis1)`` (also ``swapdims``)."""
    return transpose(input, axis0, axis1)


swapdims = swapaxes


def t(input):
    """The transpose of a matrix; a 0-d or 1-d tensor comes back as it is.

    Example:
        >>> import lucidnet
        >>> t(lucidnet.zeros(2, 3)).shape
        lucidnet.Size([3, 2])
    """
    if input.ndim > 2:
        raise ValueError(f"t(): expected a tensor of at most 2 dimensions, got shape {tuple(input.shape)}. Use "
                         f"transpose(x, dim0, dim1).")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def movedim(input, source, destination):
    """input with the axes ``source`` moved to ``destination`` (the others keep their order); also ``moveaxis``.

    Example:
        >>> import lucidnet
        >>> movedim(lucidnet.zeros(2, 3, 4), 0, -1).shape
        lucidnet.Size([3, 4, 2])
    """
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim(): expected as many source as destination dims, got {src} and {dst}.")
    src = [_norm_axis(d, input.ndim, "movedim()") for d in src]
    dst = [_norm_axis(d, input.ndim, "movedim()") for d in dst]
    order = [d for d in range(input.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):                                  # NumPy's moveaxis order
        order.insert(d, s)
    return permute(input, *order)


moveaxis = movedim


def broadcast_to(input, size):
    """input repeated (without copying) to ``size``, as ``expand``."""
    return expand(input, *size)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape."""
    shape = np.broadcast_shapes(*[tuple(t.shape) for t in tensors])
    return tuple(expand(t, *shape) for t in tensors)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension (a 0-d one becomes (1,)); one tensor in, one out."""
    out = tuple(t if t.ndim >= 1 else reshape(t, 1) for t in map(_t, _flat(tensors)))
    return out[0] if len(out) == 1 else out


def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions: (n,) becomes (1, n)."""
    out = tuple(t if t.ndim >= 2 else reshape(t, 1, -1) for t in map(_t, _flat(tensors)))
    return out[0] if len(out) == 1 else out


def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    def grow(t):
        return reshape(t, 1, -1, 1) if t.ndim < 2 else reshape(t, *t.shape, 1) if t.ndim == 2 else t
    out = tuple(grow(t) for t in map(_t, _flat(tensors)))
    return out[0] if len(out) == 1 else out


def _flat(tensors):
    return tuple(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors


def vstack(tensors):
    """Tensors stacked row-wise: 1-D ones as rows (``cat`` of ``atleast_2d`` on dim 0)."""
    return cat([atleast_2d(t) for t in tensors], 0)


def hstack(tensors):
    """Tensors joined column-wise: 1-D ones end to end (dim 0), others along dim 1."""
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def dstack(tensors):
    """Tensors joined along the third axis (``cat`` of ``atleast_3d`` on dim 2)."""
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    """1-D tensors as columns (and 2-D ones as they are), joined along dim 1."""
    return cat([reshape(t, -1, 1) if t.ndim <= 1 else t for t in map(_t, tensors)], 1)


# ---------------------------------------------------------------------------------------------- picking

def take(input, index):
    """The elements of the flattened input at ``index`` (any shape; negative counts from the end).

    Example:
        >>> import lucidnet
        >>> take(lucidnet.tensor([[1, 2], [3, 4]]), lucidnet.tensor([[0, 3]]))
        tensor([[1, 4]])
    """
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take(): expected indices in [{-n}, {n}), got values from {idx.min()} to {idx.max()}.")
    return reshape(input, -1)[idx % n if n else idx]


def take_along_dim(input, indices, dim=None):
    """gather along ``dim`` with the indices broadcast against input (on the flattened input when None).

    Example:
        >>> import lucidnet
        >>> x = lucidnet.tensor([[10., 30., 20.], [60., 40., 50.]])
        >>> take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1)
        tensor([[30.],
                [60.]])
    """
    if dim is None:
        return take(input, reshape(_t(indices), -1))
    idx = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
    d = _norm_axis(dim, input.ndim, "take_along_dim()")
    shape = list(np.broadcast_shapes(tuple(s for i, s in enumerate(input.shape) if i != d),
                                     tuple(s for i, s in enumerate(idx.shape) if i != d)))
    x_shape, i_shape = list(shape), list(shape)
    x_shape.insert(d, input.shape[d])
    i_shape.insert(d, idx.shape[d])
    return gather(expand(input, *x_shape), d, np.broadcast_to(idx, i_shape))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place; ``repeats`` an int or one count
    per element. With a tensor alone, ``repeat_interleave(counts)`` gives each index ``counts[i]`` times.

    Example:
        >>> import lucidnet
        >>> repeat_interleave(lucidnet.tensor([[1, 2], [3, 4]]), lucidnet.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if repeats is None:
        counts = input.array if isinstance(input, Tensor) else np.asarray(input)
        return Tensor._wrap(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
    if dim is None:
        input, dim = reshape(input, -1), 0
    d = _norm_axis(dim, input.ndim, "repeat_interleave()")
    r = repeats.array if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.ndim and len(r) != input.shape[d]:
        raise ValueError(f"repeat_interleave(): expected one repeat count per element of dim {dim} "
                         f"({input.shape[d]}), got {len(r)}.")
    idx = np.repeat(np.arange(input.shape[d]), r)
    return input[(slice(None),) * d + (idx,)]


# ---------------------------------------------------------------------------------------------- differences, statistics

def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim``: out[i] = input[i + 1] - input[i], applied n times.

    Example:
        >>> import lucidnet
        >>> diff(lucidnet.tensor([1., 4., 9., 16.]), n=2)
        tensor([2., 2.])
    """
    d = _norm_axis(dim, input.ndim, "diff()")
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat([_t(p) for p in parts], d) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[d]
        hi = x[(slice(None),) * d + (slice(1, m),)]
        lo = x[(slice(None),) * d + (slice(0, m - 1),)]
        x = hi.logical_xor(lo) if x.array.dtype == bool else hi - lo
    return x


ReturnCummax = collections.namedtuple("cummax", ["values", "indices"])


def _cumulative(input, dim, better, name):
    d = _norm_axis(dim, input.ndim, f"{name}()") if input.ndim else 0
    a = input.array if input.ndim else input.array.reshape(1)
    n = a.shape[d]
    pos = np.arange(n).reshape([-1 if k == d else 1 for k in range(a.ndim)])
    # the index of the running best: where a new best (or a tie, as PyTorch: the last one) appears, else carried
    best = np.maximum.accumulate(a, axis=d) if better == "max" else np.minimum.accumulate(a, axis=d)
    hit = np.where(a == best, pos, 0)
    if a.dtype.kind == "f":
        hit = np.where(np.isnan(a), pos, hit)
    idx = np.maximum.accumulate(hit, axis=d).astype(np.int64)
    if not input.ndim:
        return ReturnCummax(input * 1, Tensor._wrap(np.zeros((), np.int64)))
    return ReturnCummax(gather(input, d, idx), Tensor._wrap(idx))


def cummax(input, dim):
    """The running maximum along ``dim`` and where it was taken (the last position among ties, as PyTorch);
    the gradient flows to those positions.

    Example:
        >>> import lucidnet
        >>> cummax(lucidnet.tensor([1., 3., 2., 5.]), 0).values
        tensor([1., 3., 3., 5.])
    """
    return _cumulative(input, dim, "max", "cummax")


def cummin(input, dim):
    """The running minimum along ``dim`` and where it was taken (as :func:`cummax`)."""
    return _cumulative(input, dim, "min", "cummin")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices whose diagonal (``offset`` above the main one) is input's last axis, as new axes dim1, dim2.

    Example:
        >>> import lucidnet
        >>> diag_embed(lucidnet.tensor([1., 2.]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    n = input.shape[-1] + abs(offset)
    rows = np.arange(input.shape[-1]) + max(-offset, 0)
    pick = np.zeros((input.shape[-1], n, n), input.array.dtype)
    pick[np.arange(input.shape[-1]), rows, rows + offset] = 1              # element i -> its diagonal place
    out = (input.unsqueeze(-1).unsqueeze(-1) * Tensor._wrap(pick)).sum(-3)  # (..., n, n)
    nd = out.ndim
    d1, d2 = _norm_axis(dim1, nd, "diag_embed()"), _norm_axis(dim2, nd, "diag_embed()")
    if (d1, d2) == (nd - 2, nd - 1):
        return out
    return movedim(out, (nd - 2, nd - 1), (d1, d2))


def std_mean(input, dim=None, *, correction=1, keepdim=False):
    """``(std, mean)`` over ``dim`` in one call."""
    return std(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim=keepdim)


def var_mean(input, dim=None, *, correction=1, keepdim=False):
    """``(var, mean)`` over ``dim`` in one call."""
    return var(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim=keepdim)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum treating nan as zero (no gradient reaches the nan elements).

    Example:
        >>> import lucidnet
        >>> nansum(lucidnet.tensor([1., float("nan"), 2.]))
        tensor(3.)
    """
    x = input if dtype is None else input.to(dtypes.to_dtype(dtype))
    if x.array.dtype.kind != "f":
        return sum(x, dim, keepdim=keepdim)
    return sum(where(np.isnan(x.array), np.zeros((), x.array.dtype), x), dim, keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over the elements that are not nan.

    Example:
        >>> import lucidnet
        >>> nanmean(lucidnet.tensor([1., float("nan"), 2.]))
        tensor(1.5000)
    """
    x = input if dtype is None else input.to(dtypes.to_dtype(dtype))
    count = (~np.isnan(x.array)).sum(axis=dim, keepdims=keepdim)
    return nansum(x, dim, keepdim) / Tensor._wrap(np.asarray(count, dtype=x.array.dtype))


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all elements when None), as a named tuple."""
    if dim is None:
        return ReturnAminmax(input.amin(), input.amax())
    return ReturnAminmax(input.amin(dim, keepdim=keepdim), input.amax(dim, keepdim=keepdim))


# ---------------------------------------------------------------------------------------------- pointwise

def logit(input, eps=None):
    """log(p / (1 - p)), the inverse of sigmoid; with ``eps``, p is first clamped to [eps, 1 - eps]."""
    p = input if eps is None else input.clamp(eps, 1 - eps)
    return (p / (1 - p)).log()


def erfc(input):
    """1 - erf(x)."""
    return 1 - input.erf()


def hypot(input, other):
    """sqrt(input**2 + other**2), elementwise (broadcasting)."""
    return (input * input + other * other).sqrt()


def _nan_aware(input, other, pick):
    a, b = _t(input), _t(other)
    an, bn = np.isnan(a.array) if a.array.dtype.kind == "f" else False, \
        np.isnan(b.array) if b.array.dtype.kind == "f" else False
    return where(an, b, where(bn, a, pick(a, b)))


def fmax(input, other):
    """The elementwise maximum, ignoring nan (nan only where both are nan), as NumPy's fmax."""
    return _nan_aware(input, other, lambda a, b: a.maximum(b))


def fmin(input, other):
    """The elementwise minimum, ignoring nan (nan only where both are nan), as NumPy's fmin."""
    return _nan_aware(input, other, lambda a, b: a.minimum(b))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """input with nan, +inf and -inf replaced (by 0 and the dtype's largest and lowest finite values by
    default); the gradient passes through the finite elements.

    Example:
        >>> import lucidnet
        >>> nan_to_num(lucidnet.tensor([float("nan"), 1., float("inf")]), posinf=9.)
        tensor([0., 1., 9.])
    """
    a = input.array
    if a.dtype.kind != "f":
        return input * 1
    info = np.finfo(a.dtype)
    fill = np.nan_to_num(a, nan=nan, posinf=info.max if posinf is None else posinf,
                         neginf=info.min if neginf is None else neginf)
    return where(np.isfinite(a), input, fill.astype(a.dtype))


# ---------------------------------------------------------------------------------------------- products

def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    return _scaled(input, beta) + _scaled(mat1.matmul(mat2), alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    return _scaled(input, beta) + _scaled(mat.matmul(vec), alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    return _scaled(input, beta) + _scaled(batch1.bmm(batch2), alpha)


def _scaled(x, s):
    return x if s == 1 else x * s


def kron(input, other):
    """The Kronecker product: every element of input times the whole of other, in blocks.

    Example:
        >>> import lucidnet
        >>> kron(lucidnet.tensor([[1, 2]]), lucidnet.tensor([[1], [10]]))
        tensor([[ 1,  2],
                [10, 20]])
    """
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    a = reshape(input, *[v for s in sa for v in (s, 1)])                # (a0, 1, a1, 1, ...)
    b = reshape(other, *[v for s in sb for v in (1, s)])                # (1, b0, 1, b1, ...)
    return reshape(a * b, *[x * y for x, y in zip(sa, sb)])


def cdist(x1, x2, p=2.0):
    """The p-norm distance between every row of x1 (..., P, M) and every row of x2 (..., R, M): (..., P, R).

    Example:
        >>> import lucidnet
        >>> cdist(lucidnet.tensor([[0., 0.], [3., 4.]]), lucidnet.tensor([[0., 0.]]))
        tensor([[0.],
                [5.]])
    """
    d = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 2:
        return (d * d).sum(-1).sqrt()
    return d.abs().pow(p).sum(-1).pow(1.0 / p) if p != float("inf") else d.abs().amax(-1)


# ---------------------------------------------------------------------------------------------- counting (no gradient)

def _ints(x):
    return x.array if isinstance(x, Tensor) else np.asarray(x)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ... occurs in a 1-D int tensor (summing ``weights`` instead of counting)."""
    w = None if weights is None else _ints(weights)
    out = np.bincount(_ints(input), w, minlength)
    return Tensor._wrap(out if w is not None else out.astype(np.int64))


def histc(input, bins=100, min=0, max=0):
    """A histogram of ``bins`` equal bins over [min, max] (the data's range when both are 0); values outside
    are ignored."""
    a = _ints(input)
    lo, hi = (a.min(), a.max()) if min == 0 and max == 0 else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(a, bins, (lo, hi))
    return Tensor._wrap(counts.astype(a.dtype))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of input would be inserted in the (last axis of the) sorted sequence to keep it sorted."""
    seq, v = _ints(sorted_sequence), _ints(input)
    side = side or ("right" if right else "left")
    if sorter is not None:
        seq = np.take_along_axis(seq, _ints(sorter), -1)
    if seq.ndim == 1:
        out = np.searchsorted(seq, v, side=side)
    else:
        out = np.stack([np.searchsorted(s, vv, side=side) for s, vv in zip(seq.reshape(-1, seq.shape[-1]),
                                                                           v.reshape(-1, v.shape[-1]))])
        out = out.reshape(v.shape)
    return Tensor._wrap(out.astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value among sorted 1-D ``boundaries`` (searchsorted with the roles swapped)."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---------------------------------------------------------------------------------------------- runtime switches

def compile(model=None, **options):
    """``torch.compile``: lucidnet runs eagerly, so the model (or function) comes back unchanged; as a
    decorator factory (``@torch.compile(mode=...)``) it returns the identity decorator."""
    if model is None:
        return lambda fn: fn
    return model


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Accepted for PyTorch code: lucidnet's kernels are always deterministic."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): expected a bool, got {type(mode).__name__}.")

