"""Multi-head attention (Vaswani et al. 2017, section 3.2.2), with PyTorch's arguments, masks and weight layout.

The math is :func:`lucidnet.nn.functional.scaled_dot_product_attention` (one fused op); this module projects
the inputs into heads, turns the masks into one additive mask, and projects the heads back.
"""
import math

import numpy as np

from ..creation import empty, zeros
from ..functional import cat, softmax
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_int, parameter_dtype, where
from .linear import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads, each of size ``embed_dim // num_heads``, as PyTorch's.

    The query, key and value projections are one (3 * embed_dim, embed_dim) ``in_proj_weight`` (rows: q, k,
    v) and ``in_proj_bias``, or separate ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when ``kdim`` or
    ``vdim`` differ from ``embed_dim``; the output projection is ``out_proj``. The state dict has PyTorch's
    keys, so weights move both ways.

    Args:
        embed_dim: size of the query's features (and of the output's), E.
        num_heads: number of heads; must divide ``embed_dim``.
        dropout: dropout on the attention weights while training. Default: 0.
        bias: learn the projections' biases. Default: True.
        add_bias_kv: learn one more key and value (``bias_k``, ``bias_v``) appended to every sequence.
        add_zero_attn: append a zero key and value to every sequence (after ``bias_k``).
        kdim: size of the key's features. Default: embed_dim.
        vdim: size of the value's features. Default: embed_dim.
        batch_first: inputs and outputs are (N, L, E) instead of (L, N, E). Default: False (as PyTorch).

    Shape:
        query (L, N, E), key (S, N, kdim), value (S, N, vdim) (batch_first: (N, L, E)...; unbatched: (L, E))
        -> output like the query, and weights (N, L, S) averaged over heads, (N, num_heads, L, S) with
        ``average_attn_weights=False``, or None with ``need_weights=False``.

    Masks, as PyTorch's: ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N * num_heads, L, S), each
    bool (True: *not* allowed to attend) or float (added to the scores). With ``need_weights=False`` the fused
    attention runs and a fully masked query gives zeros; otherwise the weights are computed explicitly and a
    fully masked query gives nan, both as in PyTorch.

    Example:
        >>> import lucidnet
        >>> mha = MultiheadAttention(8, 2, batch_first=True)
        >>> x = lucidnet.randn(3, 5, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (lucidnet.Size([3, 5, 8]), lucidnet.Size([3, 5, 5]))
        >>> [k for k in mha.state_dict()]
        ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        self.embed_dim = check_int("MultiheadAttention", "embed_dim", embed_dim)
        self.num_heads = check_int("MultiheadAttention", "num_heads", num_heads)
        if self.embed_dim % self.num_heads:
            raise ValueError(f"MultiheadAttention: expected embed_dim divisible by num_heads, got embed_dim="
                             f"{embed_dim} and num_heads={num_heads}.")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"MultiheadAttention: expected dropout in [0, 1), got {dropout!r}.")
        self.kdim = self.embed_dim if kdim is None else check_int("MultiheadAttention", "kdim", kdim)
        self.vdim = self.embed_dim if vdim is None else check_int("MultiheadAttention", "vdim", vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout, self.batch_first = float(dropout), bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        self.add_zero_attn = bool(add_zero_attn)
        d = parameter_dtype("MultiheadAttention", device, dtype)
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * E, E, dtype=d))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(empty(E, E, dtype=d))
            self.k_proj_weight = Parameter(empty(E, self.kdim, dtype=d))
            self.v_proj_weight = Parameter(empty(E, self.vdim, dtype=d))
        self.register_parameter("in_proj_bias", Parameter(empty(3 * E, dtype=d)) if bias else None)
        self.out_proj = Linear(E, E, bias=bias, dtype=d)
        self.register_parameter("bias_k", Parameter(empty(1, 1, E, dtype=d)) if add_bias_kv else None)
        self.register_parameter("bias_v", Parameter(empty(1, 1, E, dtype=d)) if add_bias_kv else None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's initialization: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    # ------------------------------------------------------------------------------------------ checks

    def _check_inputs(self, query, key, value):
        """(batched, sizes) after checking the three inputs' shapes against each other and the layer."""
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{where(self)}: expected {name} to be a Tensor, got {type(t).__name__}.")
        layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
        if query.ndim not in (2, 3) or query.shape[-1] != self.embed_dim:
            raise ValueError(f"{where(self)}: expected query of shape {layout} or (L, E) with E = {self.embed_dim}, "
                             f"got {tuple(query.shape)}.")
        batched = query.ndim == 3
        for name, t, size in (("key", key, self.kdim), ("value", value, self.vdim)):
            if t.ndim != query.ndim or t.shape[-1] != size:
                raise ValueError(f"{where(self)}: expected {name} of {query.ndim} dimensions ending in {size} (like "
                                 f"the query {tuple(query.shape)}), got {tuple(t.shape)}.")
        n_axis, s_axis = (0, 1) if self.batch_first else (1, 0)
        if not batched:
            n_axis, s_axis = None, 0
        if key.shape[s_axis] != value.shape[s_axis] or (batched and not (
                query.shape[n_axis] == key.shape[n_axis] == value.shape[n_axis])):
            raise ValueError(f"{where(self)}: expected key and value of the same length and a batch size shared "
                             f"with the query, got query {tuple(query.shape)}, key {tuple(key.shape)} and value "
                             f"{tuple(value.shape)}.")
        n = query.shape[n_axis] if batched else 1
        return batched, n, query.shape[s_axis], key.shape[s_axis]

    def _mask(self, name, mask, shapes, dtype):
        """A bool or float mask as an additive float array (or Tensor, if it requires grad) of ``dtype``: True
        (not allowed) becomes -inf. ``shapes``: the shapes it may have, the first one printed in the error."""
        if mask is None:
            return None
        m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
        if m.dtype != bool and m.dtype.kind != "f":
            raise TypeError(f"{where(self)}: expected {name} to be bool (True: not allowed to attend) or float "
                            f"(added to the scores), got dtype {m.dtype}.")
        if m.shape not in shapes:
            raise ValueError(f"{where(self)}: expected {name} of shape {' or '.join(map(str, shapes))}, got "
                             f"{tuple(m.shape)}.")
        if m.dtype == bool:
            return np.where(m, np.asarray(-np.inf, dtype), np.asarray(0, dtype))
        if isinstance(mask, Tensor) and mask.requires_grad:
            return mask.to(dtype)
        return m.astype(dtype, copy=False)

    # ------------------------------------------------------------------------------------------ forward

    def _project(self, query, key, value):
        """q, k, v as (N, T, E) from (N, T, *) inputs: one GEMM when the three inputs are one tensor."""
        E, b = self.embed_dim, self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            if query is key is value:                      # self-attention: one projection, then split
                return F.linear(query, self.in_proj_weight, b).split(E, dim=-1)
            w = self.in_proj_weight
            wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched, n, L, S = self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise ValueError(f"{where(self)}: is_causal=True is a hint that attn_mask is the causal mask, so it needs "
                             f"attn_mask (e.g. nn.Transformer.generate_square_subsequent_mask(L)); got attn_mask=None.")
        same = query is key is value
        if not batched:                                    # work on (N, T, E) with N = 1
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        if same:
            key = value = query
        dtype = query.dtype
        H, hd = self.num_heads, self.head_dim
        pad_shapes = [(n, S)] if batched else [(S,)]
        attn_shapes = [(L, S), (n * H, L, S)] if batched else [(L, S), (H, L, S)]
        kpm = self._mask("key_padding_mask", key_padding_mask, pad_shapes, dtype)
        am = self._mask("attn_mask", attn_mask, attn_shapes, dtype)
        if am is not None and am.ndim == 3:
            am = am.reshape(n, H, L, S)

        mask = None                                        # both masks as one additive (N|1, H|1, L|1, S) mask
        if same and self._qkv_same_embed_dim and self.bias_k is None and not self.add_zero_attn and not need_weights:
            if kpm is not None:                            # the common self-attention: one fused op, no split
                mask = kpm.reshape(n, 1, 1, S)
            if am is not None:
                mask = am if mask is None else mask + am
            qkv = F.linear(query, self.in_proj_weight, self.in_proj_bias)
            out = F.packed_self_attention(qkv, H, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0)
            return self._output(out, batched), None

        q, k, v = self._project(query, key, value)
        extra = 0                                          # keys appended: bias_k, then a zero key
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(n, 1, self.embed_dim)], dim=1)
            v = cat([v, self.bias_v.expand(n, 1, self.embed_dim)], dim=1)
            extra += 1
        q = q.reshape(n, L, H, hd).transpose(1, 2)         # (N, H, L, hd)
        k = k.reshape(n, S + extra, H, hd).transpose(1, 2)
        v = v.reshape(n, S + extra, H, hd).transpose(1, 2)
        if self.add_zero_attn:
            k = cat([k, zeros(n, H, 1, hd, dtype=dtype)], dim=2)
            v = cat([v, zeros(n, H, 1, hd, dtype=dtype)], dim=2)
            extra += 1
        if kpm is not None:
            mask = _pad_keys(kpm.reshape(n, 1, 1, S), extra)
        if am is not None:
            am = _pad_keys(am, extra)
            mask = am if mask is None else mask + am
        p_drop = self.dropout if self.training else 0.0
        if need_weights:                                   # explicit, to return the weights (after dropout)
            scores = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-2, -1)
            if mask is not None:
                scores = scores + mask
            with np.errstate(invalid="ignore"):            # a query with no key allowed: nan, as PyTorch
                weights = F.dropout(softmax(scores, dim=-1), p_drop, self.training)
            out = weights @ v
            if average_attn_weights:
                weights = weights.mean(dim=1)
        else:
            out, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p_drop), None
        out = self._output(out.transpose(1, 2).reshape(n, L, self.embed_dim), batched)
        return out, (weights.squeeze(0) if weights is not None and not batched else weights)

    def _output(self, heads, batched):
        """The output projection of the heads side by side (N, L, E), in the input's layout."""
        out = self.out_proj(heads)
        if not batched:
            return out.squeeze(0)
        return out if self.batch_first else out.transpose(0, 1)

    def extra_repr(self):
        text = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if not self._qkv_same_embed_dim:
            text += f", kdim={self.kdim}, vdim={self.vdim}"
        return text + f", batch_first={self.batch_first}"

    def get_config(self):
        return {"embed_dim": self.embed_dim, "num_heads": self.num_heads, "dropout": self.dropout,
                "bias": self.in_proj_bias is not None, "add_bias_kv": self.bias_k is not None,
                "add_zero_attn": self.add_zero_attn, "kdim": self.kdim, "vdim": self.vdim,
                "batch_first": self.batch_first}


def _pad_keys(mask, extra):
    """An additive mask with ``extra`` zero columns for the keys appended (bias_k, the zero key)."""
    if not extra:
        return mask
    if isinstance(mask, Tensor):
        return F.pad(mask, (0, extra))
    return np.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, extra)])
