"""Reduction primitives: sum, amax, amin. Mean, var, std and logsumexp are composed from these
(see functional.py); argmax/argmin have no gradient and live there too.
"""
import math

import numpy as np

from ..autograd import primitive


def _expand_back(g, shape, axis, keepdims):
    """Broadcast a reduced gradient back over the reduced axes (a read-only view, no copy)."""
    if axis is None and not keepdims:          # one number for every element (a loss's mean or sum)
        return _repeat(g, shape)
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def _repeat(v, shape):
    """np.broadcast_to(v, shape) for a single number v: the same read-only view, every stride 0, made directly
    (broadcast_to spends 3 us in Python, which a training step's loss pays every step)."""
    v = np.asarray(v)
    out = np.ndarray(shape, v.dtype, v, 0, (0,) * len(shape))
    out.flags.writeable = False
    return out


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


@primitive
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (all axes when None); the mean of nothing is nan, as in PyTorch."""
    shape = x.shape
    n = x.size if axis is None else math.prod(shape[a] for a in (axis if isinstance(axis, tuple) else (axis,)))
    if n:
        out = np.asarray(x.sum(axis=axis, keepdims=keepdims) * (1.0 / n), dtype=x.dtype)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.asarray(x.sum(axis=axis, keepdims=keepdims) * np.nan, dtype=x.dtype)

    def backward(g):                           # every element contributes 1/n
        return (_expand_back(g * (1.0 / n if n else 0.0), shape, axis, keepdims),)
    return out, backward


def _last(x, axis):
    """x with the reduced ``axis`` (int, tuple or None) moved last and flattened into one: (rest..., n)."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in (axis if isinstance(axis, tuple)
                                                                                   else (axis,)))
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    return moved.reshape(moved.shape[:len(kept)] + (-1,)), kept + list(axes)


@primitive
def prod(x, axis=None, keepdims=False):
    """Product over ``axis`` (all axes when None)."""
    out = np.prod(x, axis=axis, keepdims=keepdims)

    def backward(g):
        # d prod / d x_i = the product of all the others: exclusive prefix times exclusive suffix products,
        # which stays right where x has zeros (prod / x_i would divide by zero).
        flat, order = _last(x, axis)
        ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
        before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
        full = g if keepdims or axis is None else np.expand_dims(g, axis)
        gx, _ = _last(np.broadcast_to(full, x.shape), axis)
        gx = (gx * before * after).reshape([x.shape[a] for a in order])
        return (np.transpose(gx, np.argsort(order)),)
    return out, backward


@primitive
def cumsum(x, axis):
    """Running sum along ``axis``."""
    return np.cumsum(x, axis=axis), lambda g: (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)


@primitive
def cumprod(x, axis):
    """Running product along ``axis``."""
    out = np.cumprod(x, axis=axis)

    def backward(g):
        # grad_i = P_i S_i, P_i the product of x before i, S_i = sum over k >= i of g_k prod_{i<j<=k} x_j, which
        # satisfies S_i = g_i + x_{i+1} S_{i+1}: no division, so zeros in x are fine.
        xs, gs = np.moveaxis(x, axis, 0), np.moveaxis(g, axis, 0)
        n = xs.shape[0]
        s = np.empty_like(gs)
        if n:
            s[-1] = gs[-1]
        for i in range(n - 2, -1, -1):
            s[i] = gs[i] + xs[i + 1] * s[i + 1]
        before = np.cumprod(np.concatenate([np.ones_like(xs[:1]), xs[:-1]]), axis=0)
        return (np.moveaxis(before * s, 0, axis),)
    return out, backward


@primitive(name="LinalgVectorNormBackward0")
def vector_norm(x, ord=2.0, axis=None, keepdims=False):
    """(sum |x|^ord)^(1/ord) over ``axis``; ord inf/-inf is the largest/smallest |x|, ord 0 counts nonzeros.
    Where the norm is 0 the gradient is 0, as PyTorch's subgradient."""
    a = np.abs(x)
    if ord == np.inf or ord == -np.inf:
        out = (np.max if ord > 0 else np.min)(a, axis=axis, keepdims=keepdims)
    elif ord == 0:
        out = np.sum(a != 0, axis=axis, keepdims=keepdims).astype(x.dtype)
    elif ord == 1:
        out = np.sum(a, axis=axis, keepdims=keepdims)
    elif ord == 2:
        out = np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
    else:
        out = np.sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)

    def backward(g):
        full_out = out if keepdims or axis is None else np.expand_dims(out, axis)
        full_g = g if keepdims or axis is None else np.expand_dims(g, axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ord == np.inf or ord == -np.inf:        # shared equally among the elements at the extreme
                hit = a == full_out
                scale = np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
            elif ord == 0:
                scale = np.zeros_like(x)
            elif ord == 1:
                scale = np.sign(x)
            elif ord == 2:
                scale = np.where(full_out == 0, 0, x / full_out)
            else:                                      # x |x|^(ord-2) / norm^(ord-1)
                scale = np.where(full_out == 0, 0, np.sign(x) * a ** (ord - 1) / full_out ** (ord - 1))
        return (np.broadcast_to(full_g, x.shape) * scale.astype(x.dtype, copy=False),)
    return np.asarray(out, dtype=x.dtype), backward
