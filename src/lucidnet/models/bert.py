"""BERT: the Transformer encoder of Devlin et al. 2018, built from lucidnet's layers.

The modules and their attribute names are Hugging Face's (``BertModel`` in transformers), so the state-dict
keys of a :class:`BertModel` are exactly the keys of a checkpoint's ``model.safetensors``
(``encoder.layer.0.attention.self.query.weight``, ...) and weights load without a renaming table.
``lucidnet.pretrained`` reads such a checkpoint directory; this module is only the architecture:

    embeddings   word + token type + position embeddings, LayerNorm, dropout
    encoder      N post-norm layers: x = LN(x + Attention(x)); x = LN(x + FFN(x)), FFN = Linear-GELU-Linear
    pooler       tanh(Linear(the first token's hidden state)): BERT's sentence-level output

Padded batches carry an attention mask (1 for tokens, 0 for padding); padded keys get a large negative score
before the softmax, so no token attends to padding, as in transformers.
"""
import json

import numpy as np

from .. import nn
from ..data._files import atomic_write
from ..nn import functional as F
from ..nn import init
from ..tensor import Tensor

__all__ = ["BertConfig", "BertModel"]

# Hugging Face's names for the feed-forward activation (ACT2FN in transformers).
_ACTIVATIONS = {
    "gelu": lambda x: F.gelu(x),                                   # exact, with erf: BERT's own
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
}


class BertConfig:
    """The hyperparameters of a BERT encoder, under Hugging Face's names (a checkpoint's ``config.json``).

    Defaults are bert-base-uncased's, as in transformers. Every value is checked when the config is made, so a
    bad config.json is one clear error instead of a shape error deep inside the model.

    Args:
        vocab_size: number of token ids. Default: 30522.
        hidden_size: width of every token's vector. Default: 768.
        num_hidden_layers: encoder layers. Default: 12.
        num_attention_heads: heads per attention layer; must divide hidden_size. Default: 12.
        intermediate_size: width of the feed-forward layer. Default: 3072.
        hidden_act: the feed-forward activation, a Hugging Face name ('gelu' (exact), 'gelu_new',
            'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu'). Default: 'gelu'.
        hidden_dropout_prob: dropout after embeddings and sub-layers. Default: 0.1.
        attention_probs_dropout_prob: dropout on the attention weights. Default: 0.1.
        max_position_embeddings: longest sequence. Default: 512.
        type_vocab_size: number of segment (token type) ids. Default: 2.
        initializer_range: std of the normal initialization of fresh weights. Default: 0.02.
        layer_norm_eps: LayerNorm's epsilon. Default: 1e-12.
        pad_token_id: the padding token's id (its embedding gets no gradient). Default: 0.
        position_embedding_type: only 'absolute' (learned positions) is supported. Default: 'absolute'.
        **extra: other keys of a config.json (model_type, architectures, ...), kept in ``extra``.

    Example:
        >>> c = BertConfig(hidden_size=64, num_attention_heads=4)
        >>> c.hidden_size // c.num_attention_heads
        16
        >>> BertConfig(hidden_size=64, num_attention_heads=5)
        Traceback (most recent call last):
        ...
        ValueError: BertConfig: expected hidden_size to be a multiple of num_attention_heads, got hidden_size=64 and num_attention_heads=5.
    """
    _INTS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
             "max_position_embeddings", "type_vocab_size")
    _PROBS = ("hidden_dropout_prob", "attention_probs_dropout_prob")

    def __init__(self, vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                 max_position_embeddings=512, type_vocab_size=2, initializer_range=0.02, layer_norm_eps=1e-12,
                 pad_token_id=0, position_embedding_type="absolute", _where="BertConfig", **extra):
        self.vocab_size, self.hidden_size, self.num_hidden_layers = vocab_size, hidden_size, num_hidden_layers
        self.num_attention_heads, self.intermediate_size, self.hidden_act = (num_attention_heads, intermediate_size,
                                                                             hidden_act)
        self.hidden_dropout_prob, self.attention_probs_dropout_prob = hidden_dropout_prob, attention_probs_dropout_prob
        self.max_position_embeddings, self.type_vocab_size = max_position_embeddings, type_vocab_size
        self.initializer_range, self.layer_norm_eps = initializer_range, layer_norm_eps
        self.pad_token_id, self.position_embedding_type = pad_token_id, position_embedding_type
        self.extra = extra
        self._check(_where)

    def _check(self, where):
        for name in self._INTS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{where}: expected {name} to be a positive integer, got {v!r}.")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(f"{where}: expected hidden_size to be a multiple of num_attention_heads, got "
                             f"hidden_size={self.hidden_size} and num_attention_heads={self.num_attention_heads}.")
        for name in self._PROBS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ValueError(f"{where}: expected {name} in [0, 1], got {v!r}.")
        for name in ("layer_norm_eps", "initializer_range"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"{where}: expected {name} > 0, got {v!r}.")
        if self.hidden_act not in _ACTIVATIONS:
            raise ValueError(f"{where}: expected hidden_act to be one of {', '.join(sorted(_ACTIVATIONS))}, got "
                             f"{self.hidden_act!r}.")
        if self.position_embedding_type != "absolute":
            raise ValueError(f"{where}: expected position_embedding_type 'absolute' (learned positions), got "
                             f"{self.position_embedding_type!r}; relative position embeddings are not supported.")
        p = self.pad_token_id
        if p is not None and (isinstance(p, bool) or not isinstance(p, (int, np.integer))
                              or not 0 <= p < self.vocab_size):
            raise ValueError(f"{where}: expected pad_token_id in [0, {self.vocab_size}) or null, got {p!r}.")

    @classmethod
    def from_dict(cls, config, where="BertConfig"):
        """A config from a dict (a parsed config.json); ``where`` names the source in error messages.

        Example:
            >>> BertConfig.from_dict({"hidden_size": 32, "num_attention_heads": 2, "model_type": "bert"}).extra
            {'model_type': 'bert'}
        """
        if not isinstance(config, dict):
            raise ValueError(f"{where}: expected a JSON object of settings, got {type(config).__name__}.")
        return cls(**config, _where=where)

    @classmethod
    def from_json_file(cls, path):
        """The config saved in a config.json file.

        Example:
            >>> import os, tempfile
            >>> path = os.path.join(tempfile.mkdtemp(), "config.json")
            >>> BertConfig(hidden_size=32, num_attention_heads=2).to_json_file(path)
            >>> BertConfig.from_json_file(path).hidden_size
            32
        """
        where = f"BertConfig.from_json_file({str(path)!r})"
        try:
            with open(path, encoding="utf-8") as f:
                config = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{where}: expected a JSON file, got invalid JSON ({e}).") from None
        return cls.from_dict(config, where)

    def to_dict(self):
        """Every setting (including ``extra``) as a JSON-able dict, under Hugging Face's names."""
        out = dict(self.extra)
        out.update({k: getattr(self, k) for k in self._INTS + self._PROBS + (
            "hidden_act", "initializer_range", "layer_norm_eps", "pad_token_id", "position_embedding_type")})
        out.setdefault("model_type", "bert")
        return out

    def to_json_file(self, path):
        """Write :meth:`to_dict` as a config.json."""
        with atomic_write(path, "w") as f:
            json.dump(self.to_dict(), f, indent=2, sort_keys=True)
            f.write("\n")

    def __repr__(self):
        return (f"BertConfig(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, num_hidden_layers="
                f"{self.num_hidden_layers}, num_attention_heads={self.num_attention_heads}, intermediate_size="
                f"{self.intermediate_size}, hidden_act={self.hidden_act!r})")


def extended_attention_mask(attention_mask, dtype=np.float32):
    """A (B, L) mask of 1 (token) / 0 (padding) as the (B, 1, 1, L) additive mask that
    ``F.scaled_dot_product_attention`` takes:
    0 for tokens, the dtype's most negative number for padding (exp of it is exactly 0), as transformers.

    Example:
        >>> extended_attention_mask(np.array([[1, 1, 0]])).shape
        (1, 1, 1, 3)
    """
    mask = np.asarray(attention_mask.array if isinstance(attention_mask, Tensor) else attention_mask)
    return np.where(mask[:, None, None, :] != 0, 0, np.finfo(dtype).min).astype(dtype)


class BertEmbeddings(nn.Module):
    """Token vectors: word + token type + position embeddings, then LayerNorm and dropout.

    Shape:
        input_ids (B, L) -> (B, L, hidden_size)
    """

    def __init__(self, config, init_weights=True):
        super().__init__()
        c = config

        def table(n, padding_idx=None):          # without init_weights, zeros to be loaded (no random draw)
            weight = None if init_weights else np.zeros((n, c.hidden_size), dtype=np.float32)
            return nn.Embedding(n, c.hidden_size, padding_idx=padding_idx, _weight=weight)
        self.word_embeddings = table(c.vocab_size, c.pad_token_id)
        self.position_embeddings = table(c.max_position_embeddings)
        self.token_type_embeddings = table(c.type_vocab_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids=None):
        n = input_ids.shape[1]
        if token_type_ids is None:
            token_type_ids = np.zeros(input_ids.shape, dtype=np.int64)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)   # transformers' order
        x = x + self.position_embeddings(np.arange(n))
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention: ``query``, ``key``, ``value`` projections, heads split.

    Shape:
        hidden (B, L, hidden_size), additive mask (B, 1, 1, L) -> (B, L, hidden_size)
    """

    def __init__(self, config):
        super().__init__()
        e = config.hidden_size
        self.num_attention_heads = config.num_attention_heads
        self.query, self.key, self.value = nn.Linear(e, e), nn.Linear(e, e), nn.Linear(e, e)
        self.dropout_p = config.attention_probs_dropout_prob

    def forward(self, hidden, attn_mask=None):
        b, n, e = hidden.shape
        h = self.num_attention_heads

        def heads(t):                                            # (B, L, E) -> (B, H, L, E / H)
            return t.reshape(b, n, h, e // h).transpose(1, 2)
        out = F.scaled_dot_product_attention(heads(self.query(hidden)), heads(self.key(hidden)),
                                             heads(self.value(hidden)), attn_mask,
                                             dropout_p=self.dropout_p if self.training else 0.0)
        return out.transpose(1, 2).reshape(b, n, e)

    def extra_repr(self):
        return f"num_attention_heads={self.num_attention_heads}, dropout_p={self.dropout_p}"


class BertOutput(nn.Module):
    """A sub-layer's end: Linear back to hidden_size, dropout, the residual added, LayerNorm (post-norm). After
    the attention (transformers' BertSelfOutput) and after the feed-forward layer (its BertOutput)."""

    def __init__(self, config, in_features):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden, residual):
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class BertAttention(nn.Module):
    """Self-attention (``self``) followed by its output sub-layer (``output``), as transformers nests them."""

    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertOutput(config, config.hidden_size)

    def forward(self, hidden, attn_mask=None):
        return self.output(self.self(hidden, attn_mask), hidden)


class BertIntermediate(nn.Module):
    """The feed-forward layer's first half: Linear to intermediate_size, then the activation (GELU)."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.hidden_act = config.hidden_act
        self._act = _ACTIVATIONS[config.hidden_act]

    def forward(self, hidden):
        return self._act(self.dense(hidden))

    def extra_repr(self):
        return f"hidden_act={self.hidden_act!r}"


class BertLayer(nn.Module):
    """One post-norm encoder layer: attention sub-layer, then feed-forward sub-layer, each with residual + LN."""

    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config, config.intermediate_size)

    def forward(self, hidden, attn_mask=None):
        x = self.attention(hidden, attn_mask)
        return self.output(self.intermediate(x), x)


class BertEncoder(nn.Module):
    """The stack of encoder layers (``layer.0`` ... ``layer.N-1``)."""

    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden, attn_mask=None, output_hidden_states=False):
        states = [hidden] if output_hidden_states else None
        for layer in self.layer:
            hidden = layer(hidden, attn_mask)
            if states is not None:
                states.append(hidden)
        return hidden, states


class BertPooler(nn.Module):
    """tanh(Linear(h)) of the first ([CLS]) token: BERT's pooled sentence vector (next-sentence pretraining)."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden):
        return self.dense(hidden[:, 0]).tanh()


class BertModelOutput(tuple):
    """What :class:`BertModel` returns: ``(last_hidden_state, pooler_output)`` as a tuple, also by name, plus
    ``hidden_states`` (embeddings and each layer's output) when asked for."""

    def __new__(cls, last_hidden_state, pooler_output, hidden_states=None):
        self = super().__new__(cls, (last_hidden_state, pooler_output))
        self.last_hidden_state, self.pooler_output, self.hidden_states = last_hidden_state, pooler_output, hidden_states
        return self


class BertModel(nn.Module):
    """The BERT encoder with Hugging Face's parameter names: its state dict loads a transformers checkpoint.

    Use :func:`lucidnet.pretrained.load_bert` (or ``BertModel.from_pretrained``) to read a model directory
    (config.json + model.safetensors); ``BertModel(config)`` builds fresh weights (normal(0,
    initializer_range), zero biases, as transformers initializes them).

    Args:
        config: a :class:`BertConfig`.
        add_pooling_layer: include the pooler (tanh(Linear) of the [CLS] token). Default: True.
        init_weights: draw transformers' initialization; False skips the random draws where they are costly
            (the embedding tables start at zero), for a model whose weights are loaded next. Default: True.

    Shape:
        input_ids (B, L) integer ids, attention_mask (B, L) of 1 (token) / 0 (padding), token_type_ids (B, L)
        -> last_hidden_state (B, L, hidden_size), pooler_output (B, hidden_size) or None

    Example:
        >>> import lucidnet
        >>> config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        ...                     intermediate_size=64)
        >>> model = BertModel(config).eval()
        >>> out = model(lucidnet.tensor([[1, 7, 8, 2], [1, 9, 2, 0]]),
        ...             attention_mask=lucidnet.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
        >>> out.last_hidden_state.shape, out.pooler_output.shape
        (lucidnet.Size([2, 4, 32]), lucidnet.Size([2, 32]))
        >>> list(model.state_dict())[:2]
        ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight']
    """

    def __init__(self, config, add_pooling_layer=True, init_weights=True):
        super().__init__()
        if not isinstance(config, BertConfig):
            raise TypeError(f"BertModel: expected a BertConfig, got {type(config).__name__}.")
        self.config = config
        self.embeddings = BertEmbeddings(config, init_weights)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        if init_weights:
            self.reset_parameters()

    @classmethod
    def from_pretrained(cls, path):
        """Load a Hugging Face BERT directory (or Hub id): :func:`lucidnet.pretrained.load_bert`."""
        from ..pretrained import load_bert
        return load_bert(path)

    def reset_parameters(self):
        """Fresh weights as transformers draws them: Linear and Embedding weights from normal(0,
        initializer_range), biases 0, the padding row 0, LayerNorm scale 1 and shift 0."""
        std = self.config.initializer_range
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                init.normal_(m.weight, 0.0, std)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    init.zeros_(m.bias)
                if isinstance(m, nn.Embedding) and m.padding_idx is not None:
                    m.weight.array[m.padding_idx] = 0
            elif isinstance(m, nn.LayerNorm):
                m.reset_parameters()

    def _check_ids(self, name, ids, limit):
        arr = np.asarray(ids.array if isinstance(ids, Tensor) else ids)
        if arr.ndim != 2:
            raise ValueError(f"BertModel: expected {name} of shape (batch, length), got {tuple(arr.shape)}.")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"BertModel: expected integer {name}, got dtype {arr.dtype}.")
        if arr.size and (arr.min() < 0 or arr.max() >= limit):
            raise ValueError(f"BertModel: expected {name} in [0, {limit}), got a value of "
                             f"{arr.max() if arr.max() >= limit else arr.min()}.")
        return arr

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_hidden_states=False):
        c = self.config
        ids = self._check_ids("input_ids", input_ids, c.vocab_size)
        if ids.shape[1] > c.max_position_embeddings:
            raise ValueError(f"BertModel: expected sequences of at most {c.max_position_embeddings} tokens "
                             f"(max_position_embeddings), got input_ids of shape {tuple(ids.shape)}. Truncate them.")
        for name, t in (("attention_mask", attention_mask), ("token_type_ids", token_type_ids)):
            if t is not None and tuple(t.shape) != ids.shape:
                raise ValueError(f"BertModel: expected {name} of input_ids' shape {tuple(ids.shape)}, got {tuple(t.shape)}.")
        if token_type_ids is not None:
            token_type_ids = self._check_ids("token_type_ids", token_type_ids, c.type_vocab_size)
        hidden = self.embeddings(ids, token_type_ids)
        mask = None if attention_mask is None else extended_attention_mask(attention_mask, hidden.dtype)
        hidden, states = self.encoder(hidden, mask, output_hidden_states)
        pooled = self.pooler(hidden) if self.pooler is not None else None
        return BertModelOutput(hidden, pooled, None if states is None else tuple(states))

    def extra_repr(self):
        return (f"hidden_size={self.config.hidden_size}, num_hidden_layers={self.config.num_hidden_layers}, "
                f"num_attention_heads={self.config.num_attention_heads}")

    def get_config(self):
        return {"config": self.config.to_dict(), "add_pooling_layer": self.pooler is not None}

    @classmethod
    def from_config(cls, config):
        return cls(BertConfig.from_dict(dict(config["config"])), config.get("add_pooling_layer", True))
