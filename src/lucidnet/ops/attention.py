"""Scaled dot-product attention as fused primitives (Vaswani et al. 2017, eq. 1):

    out = dropout(softmax(q k^T * scale + mask)) v

Composed, it records six ops (matmul, mul, add, softmax, mul, matmul) and keeps each intermediate for
backward. Fused, it keeps the attention weights p once, and the backward is the textbook chain:

    gv = p^T g,   gp = g v^T,   gs = p * (gp - rowsum(gp * p)),   gq = gs k * scale,   gk = gs^T q * scale

``attention`` takes q, k and v; ``self_attention`` takes them packed side by side as one linear layer makes
them, (B, T, 3C) with the heads side by side in each third, and returns the heads side by side, (B, T, C):
the splitting and the moving of heads to a batch axis happen inside, as copies into the layouts the matrix
products want, instead of as ten recorded ops. NumPy's batched matmul is up to 3x slower on strided views
than on contiguous arrays, so both primitives copy their operands contiguous first.

The scale is applied to q (L x E numbers) rather than to the scores (L x S). A row whose keys are all
masked gives zeros (and no gradient), as PyTorch's scaled_dot_product_attention does, instead of nan.
"""
import numpy as np

from .._threads import parallel, split
from ..autograd import primitive, unbroadcast

_CAUSAL = {}                                     # (L, S, dtype) -> the additive causal mask, built once


def causal_bias(L, S, dtype):
    """(L, S) array: 0 where key j <= query i (PyTorch's top-left aligned tril), -inf above. Cached, read-only.

    Example:
        >>> causal_bias(2, 3, np.float32)
        array([[  0., -inf, -inf],
               [  0.,   0., -inf]], dtype=float32)
    """
    key = (L, S, np.dtype(dtype))
    bias = _CAUSAL.get(key)
    if bias is None:
        bias = np.where(np.tri(L, S, dtype=bool), 0, -np.inf).astype(dtype)
        bias.flags.writeable = False
        if len(_CAUSAL) < 64:
            _CAUSAL[key] = bias
    return bias


def _forward(qs, k, v, mask, keep, causal):
    """(out, p, pd) for scaled queries qs (..., L, E), keys k (..., S, E), values v (..., S, Ev): p the
    attention weights, pd the weights after dropout."""
    s = qs @ np.ascontiguousarray(np.swapaxes(k, -1, -2))    # scores (..., L, S)
    masked = causal or mask is not None
    if causal:
        s += causal_bias(s.shape[-2], s.shape[-1], s.dtype)
    if mask is not None:                                     # broadcastable to the scores (checked by the caller)
        if mask.dtype == bool:
            np.copyto(s, -np.inf, where=~mask)
        else:
            s += mask
    m = s.max(axis=-1, keepdims=True)
    if masked:                                               # a fully masked row: m = -inf; exp gives all 0
        np.maximum(m, np.finfo(s.dtype).min, out=m)
    s -= m
    p = np.exp(s, out=s)
    total = p.sum(axis=-1, keepdims=True)
    if masked:
        np.maximum(total, 1, out=total)                      # a live row sums to >= 1; a dead one stays 0
    p /= total
    pd = p if keep is None else p * keep
    return pd @ v, p, pd


def _backward(g, p, pd, qs, k, v, keep, scale, needs):
    """(gq, gk, gv, gs) for the gradient g of the output; gs is the scores' gradient (for a float mask).
    ``needs``: which of q, k, v, the mask want theirs."""
    gq = gk = gv = gs = None
    if needs[2]:
        gv = np.swapaxes(pd, -1, -2) @ g
    if needs[0] or needs[1] or needs[3]:
        gs = g @ np.ascontiguousarray(np.swapaxes(v, -1, -2))  # d/d(pd)
        if keep is not None:
            gs *= keep
        gs -= np.einsum("...ij,...ij->...i", gs, p)[..., None]
        gs *= p                                              # softmax backward: p * (gp - rowsum(gp * p))
        if needs[0]:
            gq = gs @ k
            gq *= np.asarray(scale, gq.dtype)
        if needs[1]:
            gk = np.swapaxes(gs, -1, -2) @ qs
    return gq, gk, gv, gs


@primitive
def attention(q, k, v, mask=None, keep=None, scale=1.0, causal=False):
    """softmax(q @ k^T * scale + mask) @ v over the last two axes, batched (and broadcast) over the leading
    ones. ``mask``: bool (True takes part) or float (added to the scores); ``causal`` hides keys after each
    query; ``keep``: the dropout on the weights, 0 or 1 / (1 - p) per weight (no gradient)."""
    qs = np.multiply(q, np.asarray(scale, q.dtype), order="C")
    kc, vc = np.ascontiguousarray(k), np.ascontiguousarray(v)
    out, p, pd = _forward(qs, kc, vc, mask, keep, causal)

    def backward(g, needs):
        gq, gk, gv, gs = _backward(np.ascontiguousarray(g), p, pd, qs, kc, vc, keep, scale, needs)
        return (gq if gq is None else unbroadcast(gq, q.shape), gk if gk is None else unbroadcast(gk, k.shape),
                gv if gv is None else unbroadcast(gv, v.shape), unbroadcast(gs, mask.shape) if needs[3] else None,
                None)
    return out, backward


@primitive
def self_attention(qkv, mask=None, keep=None, heads=1, scale=1.0, causal=False):
    """Attention of packed projections qkv (B, T, 3C) = [q | k | v], each C = heads x head size with the heads
    side by side; the heads' outputs side by side, (B, T, C). Masks and dropout as ``attention``. The sequences
    are split among the threads of ``lucidnet._threads``."""
    B, T, C3 = qkv.shape
    C, hs = C3 // 3, C3 // 3 // heads
    h = qkv.reshape(B, T, 3, heads, hs).transpose(2, 0, 3, 1, 4)               # (3, B, H, T, hs) views
    out = np.empty((B, T, C), dtype=qkv.dtype)
    pieces = split(B, -(-(1 << 15) // (heads * T * T)))                        # >= 32K scores per thread

    def forward(rows):
        qs = np.multiply(h[0, rows], np.asarray(scale, qkv.dtype), order="C")
        k, v = np.ascontiguousarray(h[1, rows]), np.ascontiguousarray(h[2, rows])
        o, p, pd = _forward(qs, k, v, _rows(mask, rows), _rows(keep, rows), causal)
        out[rows] = o.transpose(0, 2, 1, 3).reshape(-1, T, C)
        return qs, k, v, p, pd
    saved = parallel(forward, pieces)

    def backward(g, needs):
        gqkv = np.empty((B, T, 3, heads, hs), dtype=g.dtype)

        def piece(args):
            rows, (qs, k, v, p, pd) = args
            gh = np.ascontiguousarray(g[rows].reshape(-1, T, heads, hs).transpose(0, 2, 1, 3))
            gq, gk, gv, gs = _backward(gh, p, pd, qs, k, v, _rows(keep, rows), scale, (True, True, True, needs[1]))
            for i, gi in enumerate((gq, gk, gv)):
                gqkv[rows, :, i] = gi.transpose(0, 2, 1, 3)
            return gs
        gs = parallel(piece, zip(pieces, saved))
        gm = unbroadcast(np.concatenate(gs), mask.shape) if needs[1] else None
        return gqkv.reshape(B, T, C3), gm, None
    return out, backward


def _rows(a, rows):
    """The part of a (B, H, L, S)-broadcastable array for the sequences ``rows``: a slice of its batch axis, or
    all of it when that axis is broadcast."""
    if a is None or a.ndim < 4 or a.shape[0] == 1:
        return a
    return a[rows]
