"""Attention as plain functions: PyTorch's ``F.scaled_dot_product_attention``, and lucidnet's
``packed_self_attention`` (query, key and value packed in one tensor, as ``nn.MultiheadAttention`` computes them).
Both check their arguments here and run one fused op (lucidnet.ops.attention).
"""
import numpy as np

from .. import ops
from ..functional import _float
from ..random import numpy_generator
from ..tensor import Tensor, _as_array

__all__ = ["packed_self_attention", "scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False, *, generator=None):
    """Attention, ``softmax(query @ key^T * scale + mask) @ value``, as PyTorch's function: one fused op.

    Args:
        query: (..., L, E) queries (e.g. (N, heads, L, E)).
        key: (..., S, E) keys; leading axes broadcast with the query's.
        value: (..., S, Ev) values.
        attn_mask: broadcastable to (..., L, S): bool, where True means *takes part* (PyTorch's convention for
            this function; nn.MultiheadAttention's is the opposite), or float, added to the scores (0 or -inf).
        dropout_p: probability of dropping an attention weight (pass 0 in evaluation, as PyTorch code does).
        is_causal: hide keys after each query (top-left aligned: query i sees keys 0..i); needs
            ``attn_mask=None``.
        scale: multiplies the scores. Default: 1 / sqrt(E).
        enable_gqa: grouped-query attention: key and value may have fewer heads (axis -3) than the query,
            each shared by ``query heads / key heads`` query heads.
        generator: the dropout's random source (lucidnet addition). Default: lucidnet's default generator.

    A query whose keys are all masked gets zeros, as in PyTorch.

    Shape:
        query (..., L, E), key (..., S, E), value (..., S, Ev) -> output (..., L, Ev)

    Example:
        >>> import lucidnet
        >>> q = k = v = lucidnet.randn(2, 4, 5, 8)
        >>> scaled_dot_product_attention(q, k, v, is_causal=True).shape
        lucidnet.Size([2, 4, 5, 8])
    """
    where = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected {name} to be a Tensor, got {type(t).__name__}.")
        if t.ndim < 2:
            raise ValueError(f"{where}: expected {name} of shape (..., length, features), got {tuple(t.shape)}.")
    q, k, v = _float(query), _float(key), _float(value)
    if k.shape[-1] != q.shape[-1] or v.shape[-2] != k.shape[-2]:
        raise ValueError(f"{where}: expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got "
                         f"{tuple(q.shape)}, {tuple(k.shape)} and {tuple(v.shape)}.")
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        k, v = _repeat_heads(where, k, q.shape[-3]), _repeat_heads(where, v, q.shape[-3])
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"{where}: expected query, key and value whose leading axes broadcast, got {tuple(q.shape)}, "
                         f"{tuple(k.shape)} and {tuple(v.shape)}.") from None
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{where}: expected dropout_p in [0, 1), got {dropout_p}.")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{where}: expected attn_mask=None with is_causal=True (as PyTorch), got a mask. Fold the "
                         f"causal rule into the mask instead: mask & ones(L, S, dtype=bool).tril().")
    scores = batch + (q.shape[-2], k.shape[-2])
    mask = None if attn_mask is None else _attention_mask(where, attn_mask, scores, q.dtype)
    keep = _attention_dropout(scores, mask, dropout_p, q.dtype, generator)
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
    return ops.attention(q, k, v, mask, keep, scale=scale, causal=bool(is_causal))


def packed_self_attention(qkv, num_heads, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, *,
                          generator=None):
    """Multi-head self-attention of packed projections: ``qkv`` (N, L, 3E) holds the queries, keys and values
    side by side (as one ``Linear(E, 3E)`` makes them, GPT's ``c_attn`` and MultiheadAttention's
    ``in_proj_weight``), each E = num_heads x head size with the heads side by side; the result holds the heads'
    outputs side by side, (N, L, E), ready for the output projection. A lucidnet addition: the same values as
    splitting, moving heads to an axis, :func:`scaled_dot_product_attention` and moving them back, as one op.

    Args:
        qkv: (N, L, 3E) packed projections.
        num_heads: heads; must divide E.
        attn_mask, dropout_p, is_causal, scale, generator: as :func:`scaled_dot_product_attention`, the mask
            broadcastable to (N, num_heads, L, L).

    Example:
        >>> import lucidnet
        >>> packed_self_attention(lucidnet.randn(2, 5, 3 * 8), num_heads=2, is_causal=True).shape
        lucidnet.Size([2, 5, 8])
    """
    where = "packed_self_attention"
    if not isinstance(qkv, Tensor):
        raise TypeError(f"{where}: expected qkv to be a Tensor, got {type(qkv).__name__}.")
    x = _float(qkv)
    if x.ndim != 3 or x.shape[-1] % 3 or (x.shape[-1] // 3) % num_heads:
        raise ValueError(f"{where}: expected qkv of shape (N, L, 3E) with E divisible by num_heads={num_heads}, got "
                         f"{tuple(x.shape)}.")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{where}: expected dropout_p in [0, 1), got {dropout_p}.")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{where}: expected attn_mask=None with is_causal=True, got a mask.")
    n, L, E = x.shape[0], x.shape[1], x.shape[2] // 3
    scores = (n, num_heads, L, L)
    mask = None if attn_mask is None else _attention_mask(where, attn_mask, scores, x.dtype)
    keep = _attention_dropout(scores, mask, dropout_p, x.dtype, generator)
    scale = 1.0 / np.sqrt(E // num_heads) if scale is None else float(scale)
    return ops.self_attention(x, mask, keep, heads=int(num_heads), scale=scale, causal=bool(is_causal))


def _attention_dropout(scores, mask, p, dtype, generator):
    """The dropout on attention weights: None, or 0 and 1 / (1 - p) per weight."""
    if p == 0:
        return None
    shape = np.broadcast_shapes(scores, np.shape(_as_array(mask)))
    return (numpy_generator(generator).random(shape, dtype=np.float32) >= p) * np.asarray(1 / (1 - p), dtype)


def _repeat_heads(where, t, heads):
    """(..., h, S, E) -> (..., heads, S, E), each of the h heads repeated heads / h times (grouped queries)."""
    h = t.shape[-3]
    if heads % h:
        raise ValueError(f"{where}: expected the query's {heads} heads to be a multiple of the key's and value's "
                         f"{h} (enable_gqa), got shapes with {heads} and {h}.")
    grouped = t.reshape(*t.shape[:-2], 1, *t.shape[-2:])
    grouped = grouped.expand(*t.shape[:-2], heads // h, *t.shape[-2:])
    return grouped.reshape(*t.shape[:-3], heads, *t.shape[-2:])


def _attention_mask(where, attn_mask, scores, dtype):
    """An attention mask checked against the scores' shape: a bool array, or a float one in the query's dtype
    (a Tensor when it requires grad, so gradients reach it)."""
    m = attn_mask.array if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
    if m.dtype != bool and m.dtype.kind != "f":
        raise TypeError(f"{where}: expected a bool or float attn_mask, got dtype {m.dtype}.")
    try:
        fits = np.broadcast_shapes(m.shape, scores) == scores
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{where}: expected an attn_mask broadcastable to the scores' shape {scores} "
                         f"(..., L, S), got {tuple(m.shape)}.")
    if isinstance(attn_mask, Tensor) and attn_mask.requires_grad:
        return attn_mask.to(dtype)
    return m if m.dtype == bool else m.astype(dtype, copy=False)
