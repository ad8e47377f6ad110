"""Shape primitives: reshape, transpose, broadcast_to, indexing, take_along_axis, concatenate, pad, and writing
at indices (index_put, scatter_add).

They move numbers without changing them, so each backward moves the gradient back: reshape it,
transpose it by the inverse order, sum it over broadcast axes, or scatter it into zeros.
"""
import numpy as np

from ..autograd import primitive, unbroadcast


@primitive(name="ViewBackward0")
def reshape(x, shape):
    """x with a new shape holding the same elements (a view when NumPy can make one)."""
    in_shape = x.shape
    return np.reshape(x, shape), lambda g: (np.reshape(g, in_shape),)


@primitive(name="TransposeBackward0")
def transpose(x, axes):
    """x with its axes reordered: output axis i is input axis axes[i]."""
    return np.transpose(x, axes), lambda g: (np.transpose(g, np.argsort(axes)),)


@primitive(name="ExpandBackward0")
def broadcast_to(x, shape):
    """x repeated (without copying) along new or size-1 axes to ``shape``."""
    in_shape = x.shape
    return np.broadcast_to(x, shape), lambda g: (unbroadcast(g, in_shape),)


def _is_basic(index):
    """True when NumPy indexing with ``index`` gives a view (ints, slices, None, Ellipsis only)."""
    for i in (index if type(index) is tuple else (index,)):
        kind = type(i)
        if not (kind is slice or kind is int or i is None or i is Ellipsis
                or isinstance(i, (int, np.integer)) and not isinstance(i, bool)):
            return False
    return True


_RANGES = {}                                   # range -> its index array: a loop's x[range(n), y] makes it once


def _range_array(r):
    """The integer array NumPy makes of range ``r``, read-only and, up to 65,536 long, kept for the next step's
    same range."""
    array = _RANGES.get(r)
    if array is None:
        array = np.arange(r.start, r.stop, r.step)
        array.flags.writeable = False
        if len(array) <= 1 << 16:
            if len(_RANGES) >= 64:             # a loop over many sizes: keep the newest few
                _RANGES.clear()
            _RANGES[r] = array
    return array


def _advanced(index, shape):
    """(the index with each Python range as the integer array NumPy makes of it, whether it picks no element
    twice) for an index that is not basic."""
    if type(index) is not tuple:
        return (_range_array(index) if type(index) is range else index), _picks_once((index,), shape)
    arrays = tuple([_range_array(i) if type(i) is range else i for i in index])
    return arrays, _picks_once(index, shape)


def _picks_once(items, shape):
    """True when index ``items`` picks no element twice, as x[range(n), y] picks one element per row: a range
    of distinct positions on its axis (in bounds, all counted from the start or all from the end), with every
    other array 1-D of its length. Anything else (an array that may repeat, a mask, None) may pick twice."""
    if len(items) > len(shape):
        return False
    distinct, n = False, None
    for i, size in zip(items, shape):
        kind = type(i)
        if kind is range:
            if not i:
                distinct = True
            elif not distinct:
                lo, hi = (i.start, i[-1]) if i.step > 0 else (i[-1], i.start)
                distinct = 0 <= lo and hi < size or -size <= lo and hi < 0
        elif not (kind is np.ndarray and i.ndim == 1 and i.dtype.kind in "iu"):
            if kind is slice or isinstance(i, (int, np.integer)) and not isinstance(i, bool):
                continue                       # a slice or one position picks nothing twice
            return False
        if n is None:
            n = len(i)
        elif len(i) != n:
            return False
    return distinct


@primitive(name="IndexBackward0")
def getitem(x, index):
    """x[index]: basic slicing or integer/boolean array indexing."""
    shape, dtype = x.shape, x.dtype
    once = basic = _is_basic(index)
    if not basic:
        index, once = _advanced(index, shape)

    def backward(g):
        gx = np.zeros(shape, dtype=dtype)
        if once:
            gx[index] = g                     # every element picked at most once: its gradient is g's
        else:
            np.add.at(gx, index, g)           # an index may repeat: its gradients add up
        return (gx,)
    out = x[index]
    if basic and type(out) is not np.ndarray:  # all integers: a 0-d view, not NumPy's copy (x[0].add_(1) edits x)
        out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
    return out, backward


@primitive(name="GatherBackward0")
def take_along_axis(x, indices, axis):
    """Pick one element per position along ``axis`` (PyTorch's gather)."""
    shape = x.shape

    def backward(g):
        gx = np.zeros(shape, dtype=g.dtype)
        grid = list(np.ix_(*[np.arange(n) for n in indices.shape]))
        grid[axis] = indices
        np.add.at(gx, tuple(grid), g)
        return (gx,)
    return np.take_along_axis(x, indices, axis), backward


@primitive(name="CatBackward0")
def concatenate(*xs, axis=0):
    """Join arrays along an existing axis."""
    ends = np.cumsum([x.shape[axis] for x in xs])[:-1]
    return np.concatenate(xs, axis=axis), lambda g: tuple(np.split(g, ends, axis=axis))


@primitive(name="ConstantPadNdBackward0")
def pad(x, pad_width, value=0):
    """Pad with a constant; ``pad_width`` is NumPy's ((before, after), ...) per axis."""
    inner = tuple(slice(before, before + n) for (before, _), n in zip(pad_width, x.shape))
    return np.pad(x, pad_width, constant_values=value), lambda g: (g[inner],)


@primitive(name="IndexPutBackward0")
def index_put(x, value, index):
    """x with x[index] = value, out of place (``x[index] = value`` on a tensor in the graph). The overwritten
    elements get no gradient; value gets the gradient of the elements it went to (summed where it broadcast)."""
    out = x.copy()
    out[index] = value
    sv = np.shape(value)

    def backward(g, needs):
        gx = gv = None
        if needs[0]:
            gx = g.copy()
            gx[index] = 0
        if needs[1]:
            gi = np.asarray(g[index])
            gv = unbroadcast(gi, sv) if gi.ndim >= len(sv) else gi.reshape(sv)
        return gx, gv
    return out, backward


@primitive(name="ScatterAddBackward0")
def scatter_add(x, src, index):
    """x with src added at x[index] (an advanced index of src's shape), out of place; repeated positions add up
    (PyTorch's scatter_add and index_add). x's gradient passes through; src's is the gradient where it went."""
    out = x.copy()
    np.add.at(out, index, src)

    def backward(g, needs):
        return (g if needs[0] else None), (g[index] if needs[1] else None)
    return out, backward
