"""Reduction primitives: sum, amax, amin. Mean, var, std and logsumexp are composed from these
(see functional.py); argmax/argmin have no gradient and live there too.
"""
import numpy as np

from ..autograd import primitive


def _expand_back(g, shape, axis, keepdims):
    """Broadcast a reduced gradient back over the reduced axes (a read-only view, no copy)."""
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


@primitive
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None)."""
    shape = x.shape
    return x.sum(axis=axis, keepdims=keepdims), lambda g: (_expand_back(g, shape, axis, keepdims),)


def _extreme(x, out, axis, keepdims):
    """Gradient mask for amax/amin: 1 at the extreme, split equally among ties (as PyTorch's amax)."""
    full = out if keepdims or axis is None else np.expand_dims(out, axis)
    hit = (x == full)
    count = np.sum(hit, axis=axis, keepdims=True)

    def backward(g):
        g = g if keepdims or axis is None else np.expand_dims(g, axis)
        return (g * hit / count.astype(g.dtype),)
    return out, backward


@primitive
def amax(x, axis=None, keepdims=False):
    """Largest value over ``axis``."""
    return _extreme(x, np.max(x, axis=axis, keepdims=keepdims), axis, keepdims)


@primitive
def amin(x, axis=None, keepdims=False):
    """Smallest value over ``axis``."""
    return _extreme(x, np.min(x, axis=axis, keepdims=keepdims), axis, keepdims)
