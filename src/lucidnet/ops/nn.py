"""Fused neural-network primitives, written as one op where composing would be unstable or slow:
softmax and log_softmax (stable: shift by the max first), and softmax cross-entropy.
"""
import functools

import numpy as np

from .._sums import sum_last
from ..autograd import primitive


# A classifier's logits are many short rows, (batch, classes), and NumPy reduces a short last axis one row at a
# time: for (128, 10) float32, max takes 6.7 us and sum 4.6 us, more than exp. Reducing the transposed copy down
# its columns (max_last: 3.4 us), or a matrix-vector product with ones (sum_last, in BLAS: 1.1 us) is faster.
_SHORT_ROW, _MANY_ROWS = 32, 64


def max_last(x):
    """x.max(axis=-1, keepdims=True); many short rows reduced as columns of the transposed copy.

    Example:
        >>> max_last(np.array([[1.0, 3.0], [4.0, 2.0]]))
        array([[3.],
               [4.]])
    """
    c = x.shape[-1]
    if x.ndim == 2 and c <= _SHORT_ROW and x.shape[0] >= _MANY_ROWS:
        return np.ascontiguousarray(x.T).max(axis=0).reshape(x.shape[0], 1)
    return x.max(axis=-1, keepdims=True)


def _reducers(x, axis):
    """(max, sum) over ``axis``, keeping it: max_last and sum_last for the last axis, NumPy's for another."""
    if axis == -1 or axis == x.ndim - 1:
        return max_last, sum_last
    return (functools.partial(np.max, axis=axis, keepdims=True), functools.partial(np.sum, axis=axis, keepdims=True))


@primitive
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``."""
    amax, total = _reducers(x, axis)
    e = np.exp(x - amax(x))
    out = e / total(e)
    return out, lambda g: (out * (g - total(g * out)),)


@primitive
def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``."""
    amax, total = _reducers(x, axis)
    shifted = x - amax(x)
    e = np.exp(shifted)
    s = total(e)
    out = shifted - np.log(s)
    # d/dx = g - softmax(x) * sum(g), with softmax = e / s from the forward's exponentials (no exp again)
    return out, lambda g: (g - e * (total(g) / s),)


@primitive(name="NllLossBackward0")
def cross_entropy(z, target, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Softmax cross-entropy of logits z (N, C) against class ids (N,) or class probabilities (N, C), fused:
    one log-softmax, and the textbook gradient softmax(z) - target. Same conventions as PyTorch's
    (class ``weight``, ``ignore_index``, ``label_smoothing``; a weighted mean divides by the targets' weights).
    ``ignore_index=None`` says no target is to be ignored. The target gets no gradient."""
    n, c = z.shape
    eps = label_smoothing
    shifted = z - max_last(z)
    logp = shifted - np.log(sum_last(np.exp(shifted)))
    w = None if weight is None else weight.astype(z.dtype, copy=False)
    # Every row's loss is -sum_c t_c log p_c for a target distribution t. With class ids, t is sparse:
    # (1 - eps) * weight at the true class, plus eps / C * weight spread over all classes (label smoothing).
    if target.dtype.kind in "iu":
        rows = np.arange(n)
        spread = None
        if w is None and not eps and ignore_index is None:   # the common case: t is one-hot, every row counts 1
            ids, hot, denom = target, None, n
            loss = -logp[rows, ids]
        else:
            keep = np.ones(n, dtype=bool) if ignore_index is None else target != ignore_index
            ids = np.where(keep, target, 0)
            w_row = (keep if w is None else w[ids] * keep).astype(z.dtype)   # true class's weight; 0 if ignored
            hot = (1 - eps) * w_row                                          # t at the true class
            loss = -hot * logp[rows, ids]
            denom = w_row.sum()
        if eps:
            spread = (eps / c) * (np.ones(c, z.dtype) if w is None else w) * keep[:, None].astype(z.dtype)
            loss -= (spread * logp).sum(axis=1)
    else:                                                # probabilities (soft labels): t is dense
        t = target.astype(z.dtype, copy=False)
        if eps:
            t = t * (1 - eps) + eps / c
        if w is not None:
            t = t * w
        loss = -(t * logp).sum(axis=1)
        denom = n                                        # PyTorch: a mean over rows, not over weights
    if reduction == "mean":                              # every target ignored: nan, as PyTorch
        out = loss.sum() / denom if denom else np.asarray(np.nan, dtype=z.dtype)
    else:
        out = loss.sum() if reduction == "sum" else loss

    def backward(g):
        # d loss_i / d z_i = p_i * sum(t_i) - t_i   (= softmax - onehot for plain class ids)
        p = np.exp(logp)
        if target.dtype.kind not in "iu":
            grad = p * t.sum(axis=1, keepdims=True) - t
        elif hot is None:                                # one-hot rows: softmax - onehot
            grad = p
            grad[rows, ids] -= 1
        else:
            total = hot if spread is None else hot + spread.sum(axis=1)
            grad = p * total[:, None]
            grad[rows, ids] -= hot
            if spread is not None:
                grad -= spread
        if reduction == "mean":
            grad *= float(g) / denom if denom else 0     # all targets ignored: nan loss, gradient 0 (PyTorch)
        elif reduction == "sum":
            grad *= g
        else:
            grad *= g[:, None]
        return grad, None
    return out, backward
