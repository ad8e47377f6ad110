"""Recurrent layers, PyTorch's: RNN, LSTM, GRU (stacked, bidirectional, batch_first, dropout between layers,
LSTM projections) and the single-step cells RNNCell, LSTMCell, GRUCell.

Weights are named, shaped and initialized as PyTorch's (``weight_ih_l0``, ``weight_hh_l1_reverse``, ...; gates
stacked in PyTorch's order; every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))), so state
dicts move between the two. Each layer and direction runs as one primitive, :func:`lucidnet.ops.rnn.rnn_sequence`
(the time loop and its backpropagation through time in NumPy). Padded batches of different lengths
(``PackedSequence``, ``pack_padded_sequence``) are not supported: pad and mask, or run one sequence at a time.
"""
import math
import warnings

import numpy as np

from ..creation import empty
from ..functional import cat, stack
from ..ops.rnn import GATES, rnn_sequence
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_int, parameter_dtype, where
from .module import Module, Parameter

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]


def _check_input(module, x, expected):
    """A floating tensor of the weights' dtype: else a TypeError naming the layer."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{where(module)}: expected a lucidnet Tensor as {expected}, got {type(x).__name__}.")
    weight_dtype = module_dtype(module)
    if x.array.dtype != weight_dtype:
        raise TypeError(f"{where(module)}: expected {expected} of dtype {weight_dtype} (the weights' dtype), got "
                        f"{x.array.dtype}. Convert the input (x.to({weight_dtype})) or the layer (.to(dtype)).")


def _check_state(module, name, h, shape):
    if not isinstance(h, Tensor):
        raise TypeError(f"{where(module)}: expected {name} to be a lucidnet Tensor, got {type(h).__name__}.")
    if tuple(h.shape) != shape:
        raise ValueError(f"{where(module)}: expected {name} of shape {shape}, got {tuple(h.shape)}.")
    if h.array.dtype != module_dtype(module):
        raise TypeError(f"{where(module)}: expected {name} of dtype {module_dtype(module)}, got {h.array.dtype}.")


def module_dtype(module):
    """The NumPy dtype of the layer's weights (they share one)."""
    return next(iter(module.parameters())).array.dtype


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU: parameters per layer and direction, the stacking, states.

    ``mode`` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU', as PyTorch's RNNBase takes it.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if mode not in ("RNN_TANH", "RNN_RELU", "LSTM", "GRU"):
            raise ValueError(f"{name}: expected mode 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU', got {mode!r}.")
        self.mode = mode
        self.input_size = check_int(name, "input_size", input_size)
        self.hidden_size = check_int(name, "hidden_size", hidden_size)
        self.num_layers = check_int(name, "num_layers", num_layers)
        self.proj_size = check_int(name, "proj_size", proj_size, 0)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: expected dropout, the probability of zeroing an element, in [0, 1], got "
                             f"{dropout!r}.")
        if self.proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size is only for LSTM, got proj_size={proj_size}.")
        if self.proj_size >= self.hidden_size:
            raise ValueError(f"{name}: expected proj_size smaller than hidden_size ({hidden_size}), got {proj_size}.")
        if dropout and self.num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} acts between stacked layers, and num_layers=1 has none: "
                          f"it does nothing here.", stacklevel=2)
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = float(dropout)
        d = parameter_dtype(name, device, dtype)
        gates = GATES[mode.lower()] * self.hidden_size
        out_size = self.proj_size or self.hidden_size
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                layer_in = self.input_size if layer == 0 else out_size * self.num_directions
                shapes = {"weight_ih": (gates, layer_in), "weight_hh": (gates, out_size)}
                if self.bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if self.proj_size:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(empty(*shape, dtype=d)))
                    self._flat_weights_names.append(kind + suffix)
        self.reset_parameters()

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def all_weights(self):
        """The parameters per layer and direction: [[weight_ih, weight_hh, bias_ih, bias_hh(, weight_hr)], ...]."""
        per = len(self._flat_weights_names) // (self.num_layers * self.num_directions)
        flat = [getattr(self, n) for n in self._flat_weights_names]
        return [flat[i:i + per] for i in range(0, len(flat), per)]

    def reset_parameters(self):
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self):
        """PyTorch's cuDNN weight packing; nothing to do on the CPU."""

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = lambda kind: getattr(self, kind + suffix, None)           # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), get("weight_hr")

    def _expected(self):
        seq = "(N, L, {})" if self.batch_first else "(L, N, {})"
        return f"{seq.format(self.input_size)} or (L, {self.input_size})"

    def forward(self, input, hx=None):
        x = input
        _check_input(self, x, "input")
        steps_axis = 1 if x.ndim == 3 and self.batch_first else 0
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size or x.shape[steps_axis] == 0:
            raise ValueError(f"{where(self)}: expected input of shape {self._expected()} with L >= 1, got "
                             f"{tuple(x.shape)}.")
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        steps, n = x.shape[:2]
        h0, c0 = self._initial_states(hx, n, batched)
        lstm, out_size = self.mode == "LSTM", self.proj_size or self.hidden_size
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
                states = rnn_sequence(x, h0[k], None if c0 is None else c0[k], w_ih, w_hh, b_ih, b_hh, w_hr,
                                      mode=self.mode.lower(), reverse=bool(direction))
                last = 0 if direction else steps - 1
                if lstm:
                    outputs.append(states[..., :out_size])
                    c_n.append(states[last, :, out_size:])
                else:
                    outputs.append(states)
                h_n.append(outputs[-1][last])
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        output, h_n = x, stack(h_n)
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        if not lstm:
            return output, h_n
        c_n = stack(c_n)
        return output, (h_n, c_n if batched else c_n.squeeze(1))

    def _initial_states(self, hx, n, batched):
        """(h_0, c_0) per layer and direction, each (layers * directions, N, size): zeros when hx is None."""
        k, out_size = self.num_layers * self.num_directions, self.proj_size or self.hidden_size
        lstm, d = self.mode == "LSTM", module_dtype(self)
        if hx is None:
            return np.zeros((k, n, out_size), d), np.zeros((k, n, self.hidden_size), d) if lstm else None
        if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"{where(self)}: expected hx to be a tuple (h_0, c_0), got {type(hx).__name__}.")
        if not lstm and isinstance(hx, (tuple, list)):
            raise TypeError(f"{where(self)}: expected hx to be a tensor h_0, got a {type(hx).__name__}.")
        h0, c0 = hx if lstm else (hx, None)
        batch = (n,) if batched else ()
        _check_state(self, "h_0", h0, (k, *batch, out_size))
        if lstm:
            _check_state(self, "c_0", c0, (k, *batch, self.hidden_size))
        if not batched:
            h0, c0 = h0.unsqueeze(1), None if c0 is None else c0.unsqueeze(1)
        return h0, c0

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        for key, default in (("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                text += f", {key}={getattr(self, key)}"
        return text

    def get_config(self):
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "bias": self.bias, "batch_first": self.batch_first, "dropout": self.dropout,
                "bidirectional": self.bidirectional}


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu), stacked ``num_layers`` deep.

    Args:
        input_size: features per step of the input.
        hidden_size: features of the hidden state.
        num_layers: stacked layers, each reading the previous one's outputs. Default: 1.
        nonlinearity: 'tanh' or 'relu'. Default: 'tanh'.
        bias: learn b_ih and b_hh. Default: True.
        batch_first: input and output are (N, L, features) instead of (L, N, features); h_n is not. Default: False.
        dropout: dropout probability on the outputs of every layer but the last, while training. Default: 0.
        bidirectional: also run each layer backwards in time; outputs concatenate both. Default: False.

    Shape:
        input (L, N, input_size), or (N, L, input_size) with batch_first, or (L, input_size) unbatched;
        h_0 (D * num_layers, N, hidden_size) (zeros when omitted), D = 2 if bidirectional else 1
        -> output (L, N, D * hidden_size) (the last layer's state at every step), h_n (D * num_layers, N, hidden_size)

    Example:
        >>> import lucidnet
        >>> rnn = RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(lucidnet.randn(5, 3, 10))
        >>> tuple(output.shape), tuple(h_n.shape)
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: expected nonlinearity 'tanh' or 'relu', got {nonlinearity!r}.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "nonlinearity": self.nonlinearity}


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), PyTorch's: gates i, f, g, o from
    W_ih x_t + b_ih + W_hh h_(t-1) + b_hh; c_t = f c_(t-1) + i g; h_t = o tanh(c_t) (then W_hr h_t with proj_size).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional: as :class:`RNN`.
        proj_size: when > 0, project h_t to this size (LSTMP, Sak et al. 2014). Default: 0.

    Shape:
        input as :class:`RNN`; hx = (h_0, c_0), zeros when omitted, h_0 (D * num_layers, N, H_out),
        c_0 (D * num_layers, N, hidden_size), H_out = proj_size or hidden_size
        -> output (L, N, D * H_out), (h_n, c_n) shaped as (h_0, c_0)

    Example:
        >>> import lucidnet
        >>> lstm = LSTM(10, 20, batch_first=True, bidirectional=True)
        >>> output, (h_n, c_n) = lstm(lucidnet.randn(3, 5, 10))
        >>> tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)
        ((3, 5, 40), (2, 3, 20), (2, 3, 20))
        >>> list(lstm.state_dict())[:4]
        ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "proj_size": self.proj_size}


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014), PyTorch's: r, z = sigma(W_i x_t + b_i + W_h h_(t-1) + b_h) per gate;
    n = tanh(W_in x_t + b_in + r (W_hn h_(t-1) + b_hn)); h_t = (1 - z) n + z h_(t-1).

    Args and Shape: as :class:`RNN` (without nonlinearity).

    Example:
        >>> import lucidnet
        >>> gru = GRU(10, 20, num_layers=2, dropout=0.1)
        >>> output, h_n = gru(lucidnet.randn(5, 10))      # one unbatched sequence of 5 steps
        >>> tuple(output.shape), tuple(h_n.shape)
        ((5, 20), (2, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class RNNCellBase(Module):
    """One step of a recurrent layer: the parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    _mode = None

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = check_int(name, "input_size", input_size)
        self.hidden_size = check_int(name, "hidden_size", hidden_size)
        self.bias = bool(bias)
        d = parameter_dtype(name, device, dtype)
        gates = GATES[self._mode] * self.hidden_size
        self.weight_ih = Parameter(empty(gates, self.input_size, dtype=d))
        self.weight_hh = Parameter(empty(gates, self.hidden_size, dtype=d))
        self.register_parameter("bias_ih", Parameter(empty(gates, dtype=d)) if bias else None)
        self.register_parameter("bias_hh", Parameter(empty(gates, dtype=d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, input, hx, lstm=False):
        """Run one step through the sequence primitive; returns the (1, N, ...) states and whether batched."""
        x = input
        _check_input(self, x, "input")
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{where(self)}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(x.shape)}.")
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        n, d = x.shape[0], self.weight_ih.array.dtype
        shape = (n, self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            h0 = np.zeros((n, self.hidden_size), d)
            c0 = np.zeros((n, self.hidden_size), d) if lstm else None
        else:
            if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"{where(self)}: expected hx to be a tuple (h_0, c_0), got {type(hx).__name__}.")
            h0, c0 = hx if lstm else (hx, None)
            _check_state(self, "h_0" if lstm else "hx", h0, shape)
            if lstm:
                _check_state(self, "c_0", c0, shape)
            if not batched:
                h0, c0 = h0.unsqueeze(0), None if c0 is None else c0.unsqueeze(0)
        states = rnn_sequence(x.unsqueeze(0), h0, c0, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                              None, mode=self._mode)
        return states[0] if batched else states[0, 0]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def get_config(self):
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias}


class RNNCell(RNNCellBase):
    """One step of :class:`RNN`: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    Shape:
        input (N, input_size) or (input_size,), hx of (N, hidden_size) or (hidden_size,) (zeros when omitted)
        -> h' with hx's shape

    Example:
        >>> import lucidnet
        >>> cell = RNNCell(10, 20)
        >>> h = None
        >>> for x_t in lucidnet.randn(6, 3, 10):     # step through a sequence by hand
        ...     h = cell(x_t, h)
        >>> tuple(h.shape)
        (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: expected nonlinearity 'tanh' or 'relu', got {nonlinearity!r}.")
        self.nonlinearity = nonlinearity
        self._mode = "rnn_" + nonlinearity
        super().__init__(input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx)

    def get_config(self):
        return {**super().get_config(), "nonlinearity": self.nonlinearity}


class LSTMCell(RNNCellBase):
    """One step of :class:`LSTM`: returns (h', c').

    Shape:
        input (N, input_size) or (input_size,), hx = (h, c), each (N, hidden_size) or (hidden_size,), zeros
        when omitted -> (h', c') of the same shapes

    Example:
        >>> import lucidnet
        >>> h, c = LSTMCell(10, 20)(lucidnet.randn(3, 10))
        >>> tuple(h.shape), tuple(c.shape)
        ((3, 20), (3, 20))
    """
    _mode = "lstm"

    def forward(self, input, hx=None):
        states = self._step(input, hx, lstm=True)
        return states[..., :self.hidden_size], states[..., self.hidden_size:]


class GRUCell(RNNCellBase):
    """One step of :class:`GRU`.

    Shape:
        input (N, input_size) or (input_size,), hx (N, hidden_size) or (hidden_size,) (zeros when omitted)
        -> h' with hx's shape

    Example:
        >>> import lucidnet
        >>> tuple(GRUCell(10, 20)(lucidnet.randn(10)).shape)
        (20,)
    """
    _mode = "gru"

    def forward(self, input, hx=None):
        return self._step(input, hx)
