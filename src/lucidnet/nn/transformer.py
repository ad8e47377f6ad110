"""The Transformer's layers (Vaswani et al. 2017), with PyTorch's names, arguments and state-dict keys:
TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder and Transformer.

A layer is attention and a two-layer feed-forward network, each wrapped in a residual connection and a
layer norm: after the residual (``norm_first=False``, the paper's post-norm) or before the sub-layer
(``norm_first=True``, pre-norm, as GPT-2).
"""
import copy

from .. import functional as LF
from ..creation import full
from . import functional as F
from . import init
from ._checks import check_int, parameter_dtype
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module, module_from_config
from .normalization import LayerNorm
from .attention import MultiheadAttention

__all__ = ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerEncoderLayer"]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(where, activation):
    """(the callable, its name or None): 'relu' and 'gelu' by name (as PyTorch), or any callable."""
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{where}: expected activation 'relu', 'gelu' or a callable, got {activation!r}.")
        return _ACTIVATIONS[activation], activation
    if not callable(activation):
        raise TypeError(f"{where}: expected activation 'relu', 'gelu' or a callable, got {type(activation).__name__}.")
    names = {f: name for name, f in _ACTIVATIONS.items()}
    return activation, names.get(activation)


def _activation_config(layer):
    """The activation as JSON: its name, or a module's config."""
    if layer._activation_name is not None:
        return layer._activation_name
    if isinstance(layer.activation, Module):
        return layer.activation.to_config()
    raise NotImplementedError(f"{type(layer).__name__}: cannot save a plain-function activation "
                              f"({layer.activation!r}) in a config; use 'relu', 'gelu' or a Module such as nn.GELU().")


def _activation_from_config(value):
    return module_from_config(value) if isinstance(value, dict) else value


class _Layer(Module):
    """What the encoder and decoder layers share: the feed-forward block, the settings, the config."""
    _ff_dropout = "dropout2"                  # the dropout after the feed-forward block (PyTorch's name)

    def _build(self, sublayers, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
               norm_first, bias, dtype):
        """The sub-layers, in PyTorch's order (its state-dict order): self-attention, attention over the memory
        (a decoder's third sub-layer), the feed-forward network, then a norm and a dropout per sub-layer."""
        act, self._activation_name = _activation(type(self).__name__, activation)

        def attention():
            return MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.self_attn = attention()
        if sublayers == 3:
            self.multihead_attn = attention()
        self.linear1 = Linear(d_model, check_int(type(self).__name__, "dim_feedforward", dim_feedforward), bias=bias,
                              dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        for i in range(1, sublayers + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        for i in range(1, sublayers + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = act

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return getattr(self, self._ff_dropout)(x)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def extra_repr(self):
        a = self.self_attn
        return (f"d_model={a.embed_dim}, nhead={a.num_heads}, dim_feedforward={self.linear1.out_features}, "
                f"norm_first={self.norm_first}, batch_first={a.batch_first}")

    def get_config(self):
        a = self.self_attn
        return {"d_model": a.embed_dim, "nhead": a.num_heads, "dim_feedforward": self.linear1.out_features,
                "dropout": self.dropout.p, "activation": _activation_config(self), "layer_norm_eps": self.norm1.eps,
                "batch_first": a.batch_first, "norm_first": self.norm_first, "bias": a.in_proj_bias is not None}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = _activation_from_config(config.get("activation", "relu"))
        return cls(**config)


class TransformerEncoderLayer(_Layer):
    """Self-attention then a feed-forward network (d_model -> dim_feedforward -> d_model), each with a residual
    connection, dropout and a layer norm.

    Args:
        d_model: size of the features, E.
        nhead: number of attention heads; must divide d_model.
        dim_feedforward: width of the feed-forward network's hidden layer. Default: 2048.
        dropout: dropout after attention, inside and after the feed-forward network, and on the attention
            weights. Default: 0.1.
        activation: 'relu', 'gelu', or a callable (e.g. ``nn.GELU(approximate="tanh")``). Default: 'relu'.
        layer_norm_eps: the layer norms' eps. Default: 1e-5.
        batch_first: (N, L, E) instead of (L, N, E). Default: False (as PyTorch).
        norm_first: pre-norm (layer norm before each sub-layer) instead of post-norm. Default: False.
        bias: learn biases in the linear layers and layer norms. Default: True.

    Shape:
        src (L, N, E), or (N, L, E) with batch_first, or (L, E) -> output, same shape. ``src_mask`` and
        ``src_key_padding_mask`` as in :class:`MultiheadAttention`.

    Example:
        >>> import lucidnet
        >>> layer = TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
        >>> layer(lucidnet.randn(2, 7, 16)).shape
        lucidnet.Size([2, 7, 16])
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = parameter_dtype(type(self).__name__, device, dtype)
        self._build(2, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                    bias, dtype)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerDecoderLayer(_Layer):
    """Masked self-attention, attention over the encoder's output (``memory``), then a feed-forward network;
    each with a residual connection, dropout and a layer norm. Arguments as
    :class:`TransformerEncoderLayer`.

    Shape:
        tgt (T, N, E), memory (S, N, E) (batch_first: (N, T, E), (N, S, E)) -> output like tgt.

    Example:
        >>> import lucidnet
        >>> layer = TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
        >>> layer(lucidnet.randn(2, 5, 16), lucidnet.randn(2, 9, 16)).shape
        lucidnet.Size([2, 5, 16])
    """
    _ff_dropout = "dropout3"

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = parameter_dtype(type(self).__name__, device, dtype)
        self._build(3, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                    bias, dtype)

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)[0]
        return self.dropout2(x)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))


class _Stack(Module):
    """``num_layers`` deep copies of one layer, then an optional final norm (PyTorch's ``layers``, ``norm``)."""

    def __init__(self, layer, num_layers, norm=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(layer, Module):
            raise TypeError(f"{name}: expected a layer Module to repeat, got {type(layer).__name__}.")
        self.layers = ModuleList([copy.deepcopy(layer) for _ in range(check_int(name, "num_layers", num_layers))])
        self.num_layers = len(self.layers)
        self.norm = norm

    def extra_repr(self):
        return f"num_layers={self.num_layers}"

    def get_config(self):
        return {"layer": self.layers[0].to_config(), "num_layers": self.num_layers,
                "norm": None if self.norm is None else self.norm.to_config()}

    @classmethod
    def from_config(cls, config):
        norm = config.get("norm")
        return cls(module_from_config(config["layer"]), config["num_layers"],
                   None if norm is None else module_from_config(norm))


class TransformerEncoder(_Stack):
    """A stack of ``num_layers`` copies of ``encoder_layer``, then ``norm`` if given.

    Args:
        encoder_layer: a :class:`TransformerEncoderLayer` (deep-copied: the copies do not share weights).
        num_layers: how many.
        norm: an optional final layer norm (used with pre-norm layers).
        enable_nested_tensor, mask_check: accepted for PyTorch code (PyTorch's fast path; it zeroes padded
            positions in eval mode, which lucidnet does not).

    Example:
        >>> import lucidnet
        >>> layer = TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
        >>> encoder = TransformerEncoder(layer, num_layers=2)
        >>> encoder(lucidnet.randn(2, 7, 16)).shape, list(encoder.state_dict())[0]
        (lucidnet.Size([2, 7, 16]), 'layers.0.self_attn.in_proj_weight')
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__(encoder_layer, num_layers, norm)

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(_Stack):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then ``norm`` if given.

    Example:
        >>> import lucidnet
        >>> layer = TransformerDecoderLayer(16, 4, dim_feedforward=32, batch_first=True)
        >>> TransformerDecoder(layer, 2)(lucidnet.randn(2, 5, 16), lucidnet.randn(2, 9, 16)).shape
        lucidnet.Size([2, 5, 16])
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__(decoder_layer, num_layers, norm)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need", as PyTorch's ``nn.Transformer``: an
    encoder and a decoder stack, each ending in a layer norm; every matrix starts Xavier-uniform.

    Args:
        d_model: features. Default: 512.
        nhead: attention heads. Default: 8.
        num_encoder_layers, num_decoder_layers: Default: 6 each.
        dim_feedforward: Default: 2048.
        dropout, activation, layer_norm_eps, batch_first, norm_first, bias: as :class:`TransformerEncoderLayer`.

    Shape:
        src (S, N, E), tgt (T, N, E) (batch_first: (N, S, E), (N, T, E)) -> output (T, N, E)

    Example:
        >>> import lucidnet
        >>> model = Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
        ...                     dim_feedforward=32, batch_first=True)
        >>> mask = Transformer.generate_square_subsequent_mask(5)
        >>> model(lucidnet.randn(2, 9, 16), lucidnet.randn(2, 5, 16), tgt_mask=mask).shape
        lucidnet.Size([2, 5, 16])
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = parameter_dtype("Transformer", device, dtype)
        options = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                       layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                       dtype=dtype)
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, bool(batch_first)
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The (sz, sz) float causal mask: 0 on and below the diagonal, -inf above.

        Example:
            >>> Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return LF.triu(full((sz, sz), float("-inf"), dtype=dtype), diagonal=1)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        n_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[n_axis] != tgt.shape[n_axis]:
            raise ValueError(f"Transformer: expected src and tgt with the same batch size, got {tuple(src.shape)} "
                             f"and {tuple(tgt.shape)}.")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: expected src and tgt with d_model={self.d_model} features, got "
                             f"{tuple(src.shape)} and {tuple(tgt.shape)}.")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    def extra_repr(self):
        return f"d_model={self.d_model}, nhead={self.nhead}, batch_first={self.batch_first}"

    def get_config(self):
        config = self.encoder.layers[0].get_config()
        del config["d_model"], config["nhead"]
        return dict(d_model=self.d_model, nhead=self.nhead, num_encoder_layers=self.encoder.num_layers,
                    num_decoder_layers=self.decoder.num_layers, **config)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = _activation_from_config(config.get("activation", "relu"))
        return cls(**config)
