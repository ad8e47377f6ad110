"""GPT: a decoder-only Transformer language model (Radford et al. 2018, 2019), as nanoGPT builds it.

Token and position embeddings, ``n_layer`` pre-norm blocks (causal self-attention, then a GELU MLP, each
added to the residual stream), a final layer norm and a linear head over the vocabulary, whose weight is the
token embedding's (weight tying). Parameter names are nanoGPT's (``transformer.h.0.attn.c_attn.weight``,
...), so its state dicts load as they are.

Generation keeps each layer's keys and values (a key/value cache): a new token costs one position of
compute, not a pass over the whole context.
"""
import dataclasses
import math

import numpy as np

from .. import nn, ops
from ..autograd import no_grad
from ..random import numpy_generator
from ..data.text import CharTokenizer
from ..nn import functional as F
from ..nn._checks import check_int
from ..optim import AdamW
from ..tensor import Tensor

__all__ = ["GPT", "GPTConfig", "decay_param_groups"]


@dataclasses.dataclass
class GPTConfig:
    """A GPT's shape, nanoGPT's ``GPTConfig`` (same fields; ``tie_weights`` added).

    Example:
        >>> GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128).n_embd
        128
    """
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True
    tie_weights: bool = True


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where each position sees itself and the positions before it.

    One linear layer makes queries, keys and values for all heads (``c_attn``), one projects the heads back
    (``c_proj``). With a :class:`KVCache`, the new positions' keys and values are appended to the cached ones
    and the queries attend to all of them.
    """
    config_name = "GPTCausalSelfAttention"     # the registry's name (generic names are left to the layers)

    def __init__(self, n_embd, n_head, dropout=0.0, bias=True):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head, self.n_embd, self.dropout = n_head, n_embd, dropout

    def forward(self, x, cache=None):
        B, T, C = x.shape
        p = self.dropout if self.training else 0.0
        qkv = self.c_attn(x)                                                   # (B, T, 3C): q | k | v
        if cache is None:
            y = F.packed_self_attention(qkv, self.n_head, dropout_p=p, is_causal=True)
        else:
            q, k, v = qkv.reshape(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)   # (B, H, T, hs)
            k, v, mask = cache.append(k.array, v.array)
            y = F.scaled_dot_product_attention(q, Tensor._wrap(k), Tensor._wrap(v), attn_mask=mask, dropout_p=p)
            y = y.transpose(1, 2).reshape(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    """Linear (n_embd -> 4 n_embd), GELU, linear back, dropout."""
    config_name = "GPTMLP"

    def __init__(self, n_embd, dropout=0.0, bias=True):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """x + attention(layer_norm(x)), then x + mlp(layer_norm(x)): one pre-norm Transformer block."""
    config_name = "GPTBlock"

    def __init__(self, n_embd, n_head, dropout=0.0, bias=True):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout, bias)
        self.ln_2 = nn.LayerNorm(n_embd, bias=bias)
        self.mlp = MLP(n_embd, dropout, bias)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp(self.ln_2(x))


class KVCache:
    """One layer's keys and values of the positions seen so far, in preallocated (B, H, block_size, hs) arrays.

    ``append(k, v)`` stores the new positions' keys and values and returns all of them with the mask that
    lets new position i see the cached positions and new positions up to i.
    """

    def __init__(self):
        self.k = self.v = None
        self.length = 0

    def append(self, k, v):
        B, H, T, hs = k.shape
        if self.k is None or self.k.shape[0] != B:
            raise RuntimeError("KVCache.append: the cache was not sized for this batch; call reset(...) first.")
        n = self.length
        if n + T > self.k.shape[2]:
            raise RuntimeError(f"KVCache.append: {n} cached positions + {T} new exceed the block size "
                               f"{self.k.shape[2]}.")
        self.k[:, :, n:n + T] = k
        self.v[:, :, n:n + T] = v
        self.length = n + T
        mask = None if T == 1 else np.tri(T, n + T, n, dtype=bool)         # new i sees cached + new <= i
        return self.k[:, :, :n + T], self.v[:, :, :n + T], mask

    def reset(self, batch, heads, block_size, head_size, dtype):
        """Empty the cache, (re)allocating its arrays when the shape changed."""
        shape = (batch, heads, block_size, head_size)
        if self.k is None or self.k.shape != shape or self.k.dtype != dtype:
            self.k, self.v = np.empty(shape, dtype), np.empty(shape, dtype)
        self.length = 0


class GPT(nn.Module):
    """A GPT language model: ids (B, T) -> logits (B, T, vocab_size) for the next token at every position.

    Initialized as nanoGPT (and GPT-2): linear and embedding weights N(0, 0.02), biases zero, and the
    residual projections (``c_proj``) N(0, 0.02 / sqrt(2 n_layer)), so the residual stream's variance does
    not grow with depth.

    Args:
        vocab_size: number of token ids.
        block_size: the longest context (rows of the position table).
        n_layer: Transformer blocks. Default: 12.
        n_head: attention heads; must divide n_embd. Default: 12.
        n_embd: width of the residual stream. Default: 768.
        dropout: dropout on embeddings, attention weights and residual branches while training. Default: 0.
        bias: biases in the linear layers and layer norms. Default: True.
        tie_weights: the output head uses the token embedding's weight. Default: True.
        tokenizer: an optional tokenizer (e.g. :class:`lucidnet.data.CharTokenizer`) kept with the model and
            saved in its config, so a saved model can read and write text.

    ``GPT(GPTConfig(...))`` works too, as nanoGPT's ``GPT(config)``.

    Shape:
        idx (B, T) integer ids with T <= block_size -> logits (B, T, vocab_size); with ``targets`` (B, T),
        ``(logits, loss)`` as nanoGPT (targets of -1 are ignored).

    Example:
        >>> import lucidnet
        >>> model = GPT(vocab_size=65, block_size=32, n_layer=2, n_head=2, n_embd=16)
        >>> idx = lucidnet.randint(0, 65, (3, 10))
        >>> logits, loss = model(idx, idx)
        >>> logits.shape, loss.shape
        (lucidnet.Size([3, 10, 65]), lucidnet.Size([]))
        >>> model.generate(idx[:, :2], max_new_tokens=5, generator=0).shape
        lucidnet.Size([3, 7])
    """

    def __init__(self, vocab_size=None, block_size=1024, n_layer=12, n_head=12, n_embd=768, dropout=0.0, bias=True,
                 tie_weights=True, tokenizer=None):
        super().__init__()
        if isinstance(vocab_size, GPTConfig):
            c = vocab_size
            vocab_size, block_size, n_layer, n_head, n_embd, dropout, bias, tie_weights = (
                c.vocab_size, c.block_size, c.n_layer, c.n_head, c.n_embd, c.dropout, c.bias, c.tie_weights)
        if isinstance(tokenizer, dict):
            tokenizer = CharTokenizer.from_config(tokenizer)
        if vocab_size is None and tokenizer is not None:
            vocab_size = tokenizer.vocab_size
        self.config = GPTConfig(block_size=check_int("GPT", "block_size", block_size),
                                vocab_size=check_int("GPT", "vocab_size", vocab_size),
                                n_layer=check_int("GPT", "n_layer", n_layer), n_head=check_int("GPT", "n_head", n_head),
                                n_embd=check_int("GPT", "n_embd", n_embd), dropout=float(dropout), bias=bool(bias),
                                tie_weights=bool(tie_weights))
        c = self.config
        if c.n_embd % c.n_head:
            raise ValueError(f"GPT: expected n_embd divisible by n_head, got n_embd={c.n_embd} and n_head={c.n_head}.")
        if not 0.0 <= c.dropout < 1.0:
            raise ValueError(f"GPT: expected dropout in [0, 1), got {dropout}.")
        if tokenizer is not None and tokenizer.vocab_size != c.vocab_size:
            raise ValueError(f"GPT: expected a tokenizer of vocab_size={c.vocab_size}, got one of "
                             f"{tokenizer.vocab_size}.")
        self.tokenizer = tokenizer
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c.vocab_size, c.n_embd),
            wpe=nn.Embedding(c.block_size, c.n_embd),
            drop=nn.Dropout(c.dropout),
            h=nn.ModuleList([Block(c.n_embd, c.n_head, c.dropout, c.bias) for _ in range(c.n_layer)]),
            ln_f=nn.LayerNorm(c.n_embd, bias=c.bias),
        ))
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        if c.tie_weights:
            self.transformer.wte.weight = self.lm_head.weight
        self.reset_parameters()

    def reset_parameters(self):
        """nanoGPT's initialization (see the class docstring)."""
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                m.reset_parameters()
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * self.config.n_layer))

    def get_num_params(self, non_embedding=True):
        """Parameters, without the position table by default (nanoGPT's count; the tied table counts once).

        Example:
            >>> GPT(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, bias=False).get_num_params()
            795904
        """
        n = self.num_parameters()
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    # ------------------------------------------------------------------------------------------ forward

    def _check_ids(self, idx, where, longest):
        ids = idx.array if isinstance(idx, Tensor) else np.asarray(idx)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"{where}: expected integer token ids, got dtype {ids.dtype}.")
        if ids.ndim == 1:
            ids = ids[None]
        if ids.ndim != 2 or ids.shape[1] == 0:
            raise ValueError(f"{where}: expected token ids of shape (B, T) or (T,) with T >= 1, got {tuple(ids.shape)}.")
        if ids.shape[1] > longest:
            raise ValueError(f"{where}: expected at most block_size={self.config.block_size} positions, got "
                             f"{ids.shape[1]} ({tuple(ids.shape)}). Crop the context to its last {self.config.block_size} "
                             f"tokens, as generate() does.")
        if ids.min() < 0 or ids.max() >= self.config.vocab_size:
            bad = ids.max() if ids.max() >= self.config.vocab_size else ids.min()
            raise ValueError(f"{where}: expected token ids in [0, {self.config.vocab_size}), got {bad}.")
        return ids

    def forward(self, idx, targets=None):
        ids = self._check_ids(idx, "GPT", self.config.block_size)
        logits = self._logits(ids)
        if targets is None:
            return logits
        y = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
        if y.shape != ids.shape:
            raise ValueError(f"GPT: expected targets of the ids' shape {tuple(ids.shape)}, got {tuple(y.shape)}.")
        loss = F.cross_entropy(logits.reshape(-1, self.config.vocab_size), y.reshape(-1), ignore_index=-1)
        return logits, loss

    def _logits(self, ids, caches=None, start=0):
        """Logits of ids (B, T) at positions start.. (a cached context holds the positions before start)."""
        tr = self.transformer
        T = ids.shape[1]
        x = tr.drop(tr.wte(ids) + tr.wpe.weight[start:start + T])
        for i, block in enumerate(tr.h):
            x = block(x, None if caches is None else caches[i])
        return self.lm_head(tr.ln_f(x))

    # ------------------------------------------------------------------------------------------ generation

    @no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None,
                 use_cache=True):
        """Continue each row of ``idx`` by ``max_new_tokens`` sampled tokens; returns (B, T + max_new_tokens).

        A context longer than ``block_size`` is cropped as nanoGPT crops it, to its last tokens. With the
        cache, the window moves by half a block at a time: when it is full, it restarts from the last
        ``block_size // 2`` tokens (one pass over them), and grows again one token at a time. So each new
        token sees between half a block and a block of context, and costs one position of compute (plus,
        every half block, a pass over half a block). ``use_cache=False`` runs the whole window for every
        token, with the same windows, so both give the same tokens.

        Args:
            idx: the prompt, integer ids (B, T) or (T,), T >= 1.
            max_new_tokens: how many tokens to add.
            temperature: divides the logits; 0 picks the most likely token (greedy). Default: 1.
            top_k: sample among the k most likely tokens only. Default: all.
            top_p: sample among the most likely tokens whose probabilities add up to p (nucleus sampling).
            generator: a :class:`lucidnet.Generator`, a NumPy generator or an int seed. Default: lucidnet's.
            use_cache: keep keys and values between tokens. Default: True.

        Example:
            >>> import lucidnet
            >>> model = GPT(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=8)
            >>> prompt = lucidnet.tensor([[1, 2, 3]])
            >>> a = model.generate(prompt, 20, top_k=5, generator=7)
            >>> b = model.generate(prompt, 20, top_k=5, generator=7, use_cache=False)
            >>> a.shape, bool((a == b).all())
            (lucidnet.Size([1, 23]), True)
        """
        ids = self._check_ids(idx, "GPT.generate", math.inf)
        new = list(self.stream(ids, max_new_tokens, temperature, top_k, top_p, generator, use_cache))
        return Tensor._wrap(np.concatenate([ids] + [t.array for t in new], axis=1))

    @no_grad()
    def stream(self, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None, use_cache=True):
        """:meth:`generate`, one token at a time: yields each new token as a (B, 1) tensor as soon as it is drawn
        (to print text while it is written).

        Example:
            >>> import lucidnet
            >>> model = GPT(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=8)
            >>> [t.shape for t in model.stream(lucidnet.tensor([1, 2]), 3, generator=0)]
            [lucidnet.Size([1, 1]), lucidnet.Size([1, 1]), lucidnet.Size([1, 1])]
        """
        where = "GPT.generate"
        ids = self._check_ids(idx, where, math.inf)
        n_new = check_int(where, "max_new_tokens", max_new_tokens, 0)
        temperature = float(temperature)
        if not temperature >= 0:
            raise ValueError(f"{where}: expected temperature >= 0, got {temperature}.")
        if top_k is not None:
            top_k = min(check_int(where, "top_k", top_k), self.config.vocab_size)
        if top_p is not None and not 0.0 < top_p <= 1.0:
            raise ValueError(f"{where}: expected top_p in (0, 1], got {top_p}.")
        rng = numpy_generator(generator)
        was_training = self.training
        self.eval()
        try:
            yield from self._stream(ids, n_new, temperature, top_k, top_p, rng, use_cache)
        finally:
            self.train(was_training)

    def _decode(self, ids, caches, start):
        """The next token's logits (B, V) after ids (B, T) at positions start.., the positions before them in the
        caches: the layers' math by the primitives' own NumPy functions (``op.raw``), without recording a graph
        or calling modules: a cached step costs less Python (1.7x faster than through the modules here)."""
        def run(op, *args, **static):
            return op.raw(*args, **static)[0]

        def norm(x, ln):
            return run(ops.layer_norm, x, ln.weight.array, None if ln.bias is None else ln.bias.array, eps=ln.eps)

        def linear(x, layer):
            return run(ops.linear, x, layer.weight.array, None if layer.bias is None else layer.bias.array)

        tr, c = self.transformer, self.config
        B, T = ids.shape
        hs = c.n_embd // c.n_head
        x = tr.wte.weight.array[ids] + tr.wpe.weight.array[start:start + T]
        for block, cache in zip(tr.h, caches):
            qkv = linear(norm(x, block.ln_1), block.attn.c_attn).reshape(B, T, 3, c.n_head, hs)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            k, v, mask = cache.append(k, v)
            y = run(ops.attention, q, k, v, mask, None, scale=1.0 / math.sqrt(hs))
            x = x + linear(y.transpose(0, 2, 1, 3).reshape(B, T, c.n_embd), block.attn.c_proj)
            h = run(ops.gelu, linear(norm(x, block.ln_2), block.mlp.c_fc))
            x = x + linear(h, block.mlp.c_proj)
        return linear(norm(x[:, -1], tr.ln_f), self.lm_head)

    def _stream(self, ids, n_new, temperature, top_k, top_p, rng, use_cache):
        c = self.config
        keep = max(c.block_size // 2, 1)              # tokens kept when the window is full
        context = ids[:, -c.block_size:]
        caches = [KVCache() for _ in range(c.n_layer)] if use_cache else None
        fed = 0                                       # tokens of `context` already in the caches
        dtype = self.lm_head.weight.dtype
        for _ in range(n_new):
            if use_cache:
                if fed == 0:
                    for cache in caches:
                        cache.reset(len(ids), c.n_head, c.block_size, c.n_embd // c.n_head, dtype)
                logits = self._decode(context[:, fed:], caches, start=fed)
                fed = context.shape[1]
            else:
                logits = self._logits(context).array[:, -1]
            token = _sample(logits, temperature, top_k, top_p, rng)
            yield Tensor._wrap(token)
            context = np.concatenate([context, token], axis=1)
            if context.shape[1] > c.block_size:       # full: restart the window from the last `keep` tokens
                context, fed = context[:, -keep:], 0

    # ------------------------------------------------------------------------------------------ training

    def configure_optimizers(self, weight_decay, learning_rate, betas, device_type=None, eps=1e-8):
        """AdamW with weight decay on the matrices (linear and embedding weights) and none on biases and layer
        norms: nanoGPT's ``configure_optimizers``. ``device_type`` is accepted for nanoGPT code.

        Example:
            >>> opt = GPT(vocab_size=65, block_size=64, n_layer=2, n_head=2, n_embd=16).configure_optimizers(
            ...     0.1, 1e-3, (0.9, 0.99))
            >>> [(len(g["params"]), g["weight_decay"]) for g in opt.param_groups]
            [(10, 0.1), (18, 0.0)]
        """
        return AdamW(decay_param_groups(self, weight_decay), lr=learning_rate, betas=betas, eps=eps)

    def extra_repr(self):
        c = self.config
        return (f"vocab_size={c.vocab_size}, block_size={c.block_size}, n_layer={c.n_layer}, n_head={c.n_head}, "
                f"n_embd={c.n_embd}")

    def get_config(self):
        config = dataclasses.asdict(self.config)
        config["tokenizer"] = None if self.tokenizer is None else self.tokenizer.get_config()
        return config


def _sample(logits, temperature, top_k, top_p, rng):
    """One token id per row of logits (B, V), as a (B, 1) int64 array."""
    logits = logits.astype(np.float64)
    if temperature == 0:
        return logits.argmax(axis=1)[:, None]
    logits /= temperature
    if top_k is not None and top_k < logits.shape[1]:
        kth = np.partition(logits, -top_k, axis=1)[:, -top_k, None]
        logits[logits < kth] = -np.inf
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    if top_p is not None and top_p < 1:
        order = np.argsort(-p, axis=1, kind="stable")
        sorted_p = np.take_along_axis(p, order, axis=1)
        drop = np.cumsum(sorted_p, axis=1) - sorted_p >= top_p       # tokens past the first to reach top_p
        sorted_p[drop] = 0
        p = np.zeros_like(p)
        np.put_along_axis(p, order, sorted_p, axis=1)
        p /= p.sum(axis=1, keepdims=True)
    cdf = np.cumsum(p, axis=1)
    u = rng.random((len(p), 1)) * cdf[:, -1:]
    return np.minimum((cdf <= u).sum(axis=1), p.shape[1] - 1)[:, None].astype(np.int64)


def decay_param_groups(model, weight_decay):
    """Two parameter groups: matrices (ndim >= 2: linear and embedding weights) with ``weight_decay``, the rest
    (biases, layer norms) without, each parameter once (tied weights too). Pass them to an optimizer.

    Example:
        >>> from lucidnet import nn
        >>> groups = decay_param_groups(nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3)), 0.1)
        >>> [([tuple(p.shape) for p in g["params"]], g["weight_decay"]) for g in groups]
        [([(3, 4)], 0.1), ([(3,), (3,), (3,)], 0.0)]
    """
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]
