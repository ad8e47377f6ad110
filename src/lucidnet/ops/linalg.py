"""Matrix products: matmul (batched, broadcasting) and the fused linear layer x @ W.T + b."""
import numpy as np

from ..autograd import primitive, unbroadcast


def _check_matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: expected tensors with at least 1 dimension, got shapes {a.shape} and {b.shape}.")
    k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: cannot multiply {a.shape} by {b.shape}: inner dimensions {k_a} and {k_b} differ.")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: cannot multiply {a.shape} by {b.shape}: batch dimensions {a.shape[:-2]} and "
                         f"{b.shape[:-2]} do not broadcast.") from None


@primitive
def matmul(a, b):
    """a @ b over the last two axes, batched over the leading ones (NumPy's rules for 1-D operands)."""
    _check_matmul(a, b)

    def backward(g, needs):
        # Treat 1-D operands as a row (a) or a column (b) matrix, as the forward did.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if needs[0]:                           # dL/da = g @ b^T
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if needs[1]:                           # dL/db = a^T @ g
            if b2.ndim == 2 and a2.ndim > 2:   # shared weight: one GEMM over all batch rows
                gb = a2.reshape(-1, a2.shape[-1]).T @ g2.reshape(-1, g2.shape[-1])
            else:
                gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb
    return np.matmul(a, b), backward


@primitive
def linear(x, weight, bias=None):
    """x @ weight.T + bias over the last axis of x (one GEMM, the hot path of every MLP)."""
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: expected input of shape (*, {weight.shape[1]}), got {x.shape}.")
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])       # fold batch axes into rows: a single GEMM
    out = x2 @ weight.T
    if bias is not None:
        out += bias

    def backward(g, needs):
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
        gx = gw = gb = None
        if needs[0]:
            gx = g2 @ weight if x.ndim == 2 else (g2 @ weight).reshape(x.shape)
        if needs[1]:
            gw = g2.T @ x2
        if bias is not None and needs[2]:
            gb = g2.sum(0)
        return gx, gw, gb
    return (out if x.ndim == 2 else out.reshape(*x.shape[:-1], weight.shape[0])), backward
