"""Binary cross-entropy primitives, on probabilities and on logits.

Fused, because composing them is not safe at the edges: composed, -y log(x) at x = 0 gives 0 * inf = nan
in the backward even where PyTorch clamps the log; on logits, log(sigmoid(x)) underflows to -inf for
x < -104 in float32. Same conventions as PyTorch: the logs are clamped to >= -100, an elementwise
``weight`` rescales each term, ``pos_weight`` weighs the positive term, 'mean' divides by the element count.
"""
import numpy as np

from ..autograd import primitive

_EPS = float(np.float32(1e-12))                  # PyTorch's floor for x (1 - x) in the BCE gradient (a float constant)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean() if loss.size else np.asarray(np.nan, loss.dtype)
    return loss.sum() if reduction == "sum" else loss


def _grad_scale(g, reduction, n):
    """The incoming gradient of a reduced loss, as a factor on each element's gradient."""
    return g / n if reduction == "mean" else g


@primitive
def binary_cross_entropy(x, y, weight=None, reduction="mean"):
    """-w (y log(x) + (1 - y) log(1 - x)) for probabilities x, each log clamped to >= -100."""
    with np.errstate(divide="ignore"):           # log(0) = -inf, clamped just below
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    loss = -(y * log_x + (1 - y) * log_1mx)
    if weight is not None:
        loss = loss * weight
    out = _reduce(loss, reduction)

    def backward(g, needs):
        s = _grad_scale(g, reduction, loss.size)
        if weight is not None:
            s = s * weight
        gx = s * (x - y) / np.maximum(x * (1 - x), _EPS) if needs[0] else None
        gy = s * (log_1mx - log_x) if needs[1] else None
        return gx, gy
    return out, backward


@primitive
def binary_cross_entropy_with_logits(x, y, weight=None, pos_weight=None, reduction="mean"):
    """-w (p y log(sigmoid(x)) + (1 - y) log(1 - sigmoid(x))), p = pos_weight, without overflow:
    written with softplus(-x) = log(1 + e^-x) = max(-x, 0) + log1p(e^-|x|), and log(1 - sigmoid(x)) =
    -x - softplus(-x)."""
    sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
    coef = 1 if pos_weight is None else 1 + (pos_weight - 1) * y     # weight of softplus(-x)
    loss = (1 - y) * x + coef * sp
    if weight is not None:
        loss = loss * weight
    out = _reduce(loss, reduction)

    def backward(g, needs):
        s = _grad_scale(g, reduction, loss.size)
        if weight is not None:
            s = s * weight
        gx = gy = None
        if needs[0]:                              # d/dx = sigmoid(x) coef - p y   (sigmoid(x) - y when p = 1)
            sig = np.exp(-sp)                     # sigmoid(x) = exp(-softplus(-x)), never overflows
            gx = s * (sig * coef - (y if pos_weight is None else pos_weight * y))
        if needs[1]:                              # d/dy = -x + (p - 1) softplus(-x)
            gy = s * (-x if pos_weight is None else (pos_weight - 1) * sp - x)
        return gx, gy
    return out, backward
