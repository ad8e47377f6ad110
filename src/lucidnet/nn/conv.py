"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d (PyTorch's, channels-first), and Conv2D (Keras's spelling:
channels-last images by default, input channels inferred from the first batch). The math is in
lucidnet.nn.functional (conv2d and friends), the argument checks shared with it."""
import math

import numpy as np

from .. import ops
from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional_conv import check_image, check_pair, check_window, conv_pads
from ._checks import check_dtype, check_int, parameter_dtype, shape_of, where
from .activation import ACTIVATIONS, get_activation
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2D", "Conv2d", "ConvTranspose2d"]


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: arguments, parameters, PyTorch's initialization and repr."""
    _rank = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, output_padding=0):
        super().__init__()
        name = type(self).__name__
        d = parameter_dtype(name, device, dtype)
        self.in_channels = check_int(name, "in_channels", in_channels)
        self.out_channels = check_int(name, "out_channels", out_channels)
        self.groups = check_int(name, "groups", groups)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: expected groups to divide the channels, got groups={groups} for "
                             f"in_channels={in_channels} and out_channels={out_channels}.")
        self.kernel_size = self._tuple(name, "kernel_size", kernel_size, 1)
        self.stride = self._tuple(name, "stride", stride, 1)
        self.dilation = self._tuple(name, "dilation", dilation, 1)
        self.output_padding = self._tuple(name, "output_padding", output_padding, 0)
        if isinstance(padding, str):
            if self._transposed:
                raise ValueError(f"{name}: expected padding to be an int or a tuple, got {padding!r}.")
            pair = lambda t: t if self._rank == 2 else (1,) + t    # noqa: E731  (conv1d: height 1)
            conv_pads(name, padding, pair(self.kernel_size), pair(self.stride), pair(self.dilation))
            self.padding = padding
        else:
            self.padding = self._tuple(name, "padding", padding, 0)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: expected padding_mode 'zeros' (the only one lucidnet has), got "
                             f"{padding_mode!r}.")
        self.padding_mode = padding_mode
        if self._transposed:                  # (in, out/groups, *kernel): the adjoint of a conv from out to in
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(empty(*shape, dtype=d))
        self.register_parameter("bias", Parameter(empty(self.out_channels, dtype=d)) if bias else None)
        self.reset_parameters()

    def _tuple(self, name, arg, value, minimum):
        if self._rank == 2:
            return check_pair(name, arg, value, minimum)
        v = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
        return (check_int(name, arg, v, minimum),)

    def reset_parameters(self):
        """PyTorch's default start: kaiming_uniform_(a=sqrt(5)) for the weight, i.e. U(-1/sqrt(fan_in),
        1/sqrt(fan_in)) with fan_in = weight.shape[1] * prod(kernel_size), and the same bound for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _check(self, x):
        """Shape and dtype of x (a batch or one sample), and that the window fits; True when batched."""
        batched = check_image(where(self), x, self.in_channels, rank=self._rank)
        check_dtype(self, x, self.weight)
        if self._transposed:
            return batched
        if self._rank == 2:
            pads = conv_pads(where(self), self.padding, self.kernel_size, self.stride, self.dilation)
            check_window(where(self), x, self.kernel_size, pads, self.dilation)
        else:
            span = self.dilation[0] * (self.kernel_size[0] - 1) + 1
            padded = x.shape[-1] + (0 if isinstance(self.padding, str) else 2 * self.padding[0])
            if self.padding != "same" and span > padded:
                raise ValueError(f"{where(self)}: kernel size {span}{' (dilated)' if self.dilation[0] > 1 else ''} "
                                 f"is larger than the padded input {padded} (input {tuple(x.shape)}). Use a "
                                 f"smaller kernel or more padding.")
        return batched

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._rank:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._rank:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._rank:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s

    def get_config(self):
        config = {"in_channels": self.in_channels, "out_channels": self.out_channels,
                  "kernel_size": list(self.kernel_size), "stride": list(self.stride),
                  "padding": self.padding if isinstance(self.padding, str) else list(self.padding),
                  "dilation": list(self.dilation), "groups": self.groups, "bias": self.bias is not None}
        if self._transposed:
            config["output_padding"] = list(self.output_padding)
        return config


class Conv2d(_ConvNd):
    """2-d convolution (cross-correlation) over images (N, C, H, W): PyTorch's ``nn.Conv2d``.

    out[n, o] = bias[o] + sum over c of weight[o, c] (*) x[n, c], with the window stepping by ``stride``. The
    weight is (out_channels, in_channels/groups, KH, KW) and starts as PyTorch's (kaiming_uniform_ with
    a=sqrt(5); the bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))). Computed as im2col plus one matrix product.

    Args:
        in_channels: C, channels of the input (axis 1: channels-first; see Conv2D for channels-last).
        out_channels: channels of the output (filters).
        kernel_size: the window, an int or (KH, KW).
        stride: the window's step. Default: 1.
        padding: zeros around the input: an int, (PH, PW), 'valid' (none) or 'same' (output size = input size,
            stride 1 only). Default: 0.
        dilation: spacing between the window's taps. Default: 1.
        groups: split input and output channels into this many independent convolutions. Default: 1.
        bias: learn an additive bias per output channel. Default: True.
        padding_mode: only 'zeros'.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out), with
        H_out = floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1.

    Example:
        >>> import lucidnet
        >>> conv = Conv2d(1, 6, 5)
        >>> conv
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
        >>> conv(lucidnet.zeros(8, 1, 32, 32)).shape, conv.weight.shape
        (lucidnet.Size([8, 6, 28, 28]), lucidnet.Size([6, 1, 5, 5]))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, x):
        self._check(x)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-d convolution over sequences (N, C, L): PyTorch's ``nn.Conv1d`` (a Conv2d on images of height 1).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode: as
        :class:`Conv2d`, each an int (or a 1-tuple).

    Shape:
        input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out)

    Example:
        >>> import lucidnet
        >>> conv = Conv1d(4, 8, 3, padding=1)
        >>> conv, conv(lucidnet.zeros(2, 4, 10)).shape
        (Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,)), lucidnet.Size([2, 8, 10]))
    """
    _rank = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, x):
        self._check(x)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-d convolution (the gradient of Conv2d with respect to its input; "deconvolution"), which
    upsamples: PyTorch's ``nn.ConvTranspose2d``. The weight is (in_channels, out_channels/groups, KH, KW).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias: as :class:`Conv2d`
            (padding removes rows and columns from the output here).
        output_padding: extra rows/columns on one side of the output, to pick among the sizes a strided
            Conv2d maps to the same size. Default: 0.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out), with
        H_out = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1.

    Example:
        >>> import lucidnet
        >>> up = ConvTranspose2d(8, 4, 2, stride=2)
        >>> up, up(lucidnet.zeros(1, 8, 7, 7)).shape
        (ConvTranspose2d(8, 4, kernel_size=(2, 2), stride=(2, 2)), lucidnet.Size([1, 4, 14, 14]))
    """
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype, output_padding=output_padding)

    def forward(self, x, output_size=None):
        self._check(x)
        output_padding = self.output_padding
        if output_size is not None:           # pick output_padding to reach the requested size, as PyTorch
            size = tuple(output_size)[-2:]
            smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                        zip(x.shape[-2:], self.stride, self.padding, self.dilation, self.kernel_size)]
            output_padding = tuple(want - low for want, low in zip(size, smallest))
            if any(not 0 <= op < max(s, d) for op, s, d in zip(output_padding, self.stride, self.dilation)):
                raise ValueError(f"{where(self)}: cannot produce output_size {size} from input "
                                 f"{tuple(x.shape)}: sizes from {tuple(smallest)} to "
                                 f"{tuple(s + max(st, d) - 1 for s, st, d in zip(smallest, self.stride, self.dilation))}"
                                 f" are possible.")
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, output_padding,
                                  self.groups, self.dilation)


class Conv2D(Module):
    """Keras's 2-d convolution: ``Conv2D(filters, kernel_size, strides, padding, activation)`` on channels-last
    images (N, H, W, C) by default, the input channels taken from the first batch (a lazy layer, like Dense).

    Parameters are named and laid out as :class:`Conv2d`'s (``weight`` (filters, C, KH, KW), ``bias``), so the
    state dict loads into the equivalent PyTorch model. The layer permutes channels-last input to
    channels-first views (no copy) around the same convolution. Create the optimizer after the layer is
    built (``compile(optimizer='adam')`` does).

    Args:
        filters: output channels.
        kernel_size: an int or (KH, KW).
        strides: an int or a pair. Default: 1.
        padding: 'valid' (none) or 'same' (output size ceil(input / stride), any stride, as Keras). Default: 'valid'.
        activation: a name ('relu', ...), None, or a callable, applied to the output. Default: None.
        data_format: 'channels_last' (N, H, W, C), Keras's default, or 'channels_first' (N, C, H, W).
        dilation_rate: an int or a pair. Default: 1.
        groups: channel groups. Default: 1.
        use_bias: learn a bias (starts at zero). Default: True.
        kernel_initializer: a Keras name (default 'glorot_uniform') or a function filling the weight in place.
        in_channels: the input channels, when known: builds at once.

    Shape:
        input (N, H, W, C) -> output (N, H_out, W_out, filters) (channels_last)

    Example:
        >>> import lucidnet
        >>> from lucidnet.train import Sequential
        >>> from lucidnet.nn import Dense, Flatten, MaxPooling2D
        >>> model = Sequential([Conv2D(8, 3, padding="same", activation="relu"), MaxPooling2D(2), Flatten(),
        ...                     Dense(10)])
        >>> model(lucidnet.zeros(4, 28, 28, 1)).shape
        lucidnet.Size([4, 10])
        >>> model[0]
        Conv2D(filters=8, kernel_size=(3, 3), padding='same', activation='relu', in_channels=1)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None,
                 data_format="channels_last", dilation_rate=1, groups=1, use_bias=True,
                 kernel_initializer="glorot_uniform", in_channels=None, input_shape=None):
        super().__init__()
        self.filters = check_int("Conv2D", "filters", filters)
        self.kernel_size = check_pair("Conv2D", "kernel_size", kernel_size)
        self.strides = check_pair("Conv2D", "strides", strides)
        self.dilation_rate = check_pair("Conv2D", "dilation_rate", dilation_rate)
        self.groups = check_int("Conv2D", "groups", groups)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"Conv2D: expected padding 'valid' or 'same', got {padding!r}.")
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"Conv2D: expected data_format 'channels_last' or 'channels_first', got "
                             f"{data_format!r}.")
        if self.filters % self.groups:
            raise ValueError(f"Conv2D: expected groups to divide filters, got groups={groups}, filters={filters}.")
        if not callable(kernel_initializer) and kernel_initializer not in init.KERAS_INITIALIZERS:
            raise ValueError(f"Conv2D: expected kernel_initializer to be one of "
                             f"{', '.join(sorted(init.KERAS_INITIALIZERS))} or a function, got "
                             f"{kernel_initializer!r}.")
        self.padding, self.data_format, self.use_bias = padding, data_format, bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.activation = activation
        self._activation = get_activation(activation, "Conv2D")
        self.weight = self.bias = None
        self.in_channels = None
        if in_channels is None and input_shape is not None:
            in_channels = tuple(input_shape)[-1 if data_format == "channels_last" else 0]
        if in_channels is not None:
            self.build(in_channels)

    @property
    def built(self):
        """True once the parameters exist (the input channels are known)."""
        return self.in_channels is not None

    def build(self, in_channels):
        """Create the parameters for inputs with ``in_channels`` channels; returns self."""
        self.in_channels = check_int(where(self), "in_channels", in_channels)
        if self.in_channels % self.groups:
            raise ValueError(f"{where(self)}: expected groups to divide the input channels, got groups="
                             f"{self.groups} for {self.in_channels} channels.")
        self.weight = Parameter(empty(self.filters, self.in_channels // self.groups, *self.kernel_size))
        self.register_parameter("bias", Parameter(empty(self.filters)) if self.use_bias else None)
        self.reset_parameters()
        return self

    def reset_parameters(self, generator=None):
        """Draw fresh weights (kernel_initializer, fans as Keras's) and zero biases."""
        if callable(self.kernel_initializer):
            self.kernel_initializer(self.weight)
        else:
            init.KERAS_INITIALIZERS[self.kernel_initializer](self.weight, generator=generator)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _pads(self, h, w):
        """Keras's padding: 'same' gives ceil(size / stride) outputs, the odd pixel of padding at the end."""
        if self.padding == "valid":
            return (0, 0), (0, 0)
        pads = []
        for size, k, s, d in zip((h, w), self.kernel_size, self.strides, self.dilation_rate):
            total = max((-(-size // s) - 1) * s + d * (k - 1) + 1 - size, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)

    def forward(self, x):
        shape = shape_of(self, x)
        last = self.data_format == "channels_last"
        if len(shape) != 4:
            layout = "(N, H, W, C)" if last else "(N, C, H, W)"
            raise ValueError(f"{where(self)}: expected input of shape {layout}, got {tuple(shape)}.")
        if self.in_channels is None:
            self.build(shape[3] if last else shape[1])
        c = self.in_channels
        if (shape[3] if last else shape[1]) != c:
            hint = ""
            if last and shape[1] == c:
                hint = " The input looks channels-first: pass data_format='channels_first', or use Conv2d."
            elif not last and shape[3] == c:
                hint = " The input looks channels-last: drop data_format='channels_first'."
            layout = f"(N, H, W, {c})" if last else f"(N, {c}, H, W)"
            raise ValueError(f"{where(self)}: expected input of shape {layout}, got {tuple(shape)}.{hint}")
        dt = self.weight.array.dtype
        if getattr(x, "array", x).dtype is not dt:    # as Keras, the layer casts its input to its own dtype
            x = x.to(dt) if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x, dtype=dt))
        xc = x.permute(0, 3, 1, 2) if last else x
        pads = self._pads(*xc.shape[2:])
        check_window(where(self), xc, self.kernel_size, pads, self.dilation_rate)
        y = ops.conv2d(xc, self.weight, self.bias, stride=self.strides, pads=pads, dilation=self.dilation_rate,
                       groups=self.groups)
        y = self._activation(y)
        return y.permute(0, 2, 3, 1) if last else y

    def activation_name(self):
        """The activation's name ('relu', ...), or None for no activation or a custom function."""
        a = self.activation
        if a is None or isinstance(a, str):
            return a
        name = getattr(a, "__name__", None)
        return name if ACTIVATIONS.get(name) is a else None

    def extra_repr(self):
        s = f"filters={self.filters}, kernel_size={self.kernel_size}"
        if self.strides != (1, 1):
            s += f", strides={self.strides}"
        if self.padding != "valid":
            s += f", padding={self.padding!r}"
        if self.dilation_rate != (1, 1):
            s += f", dilation_rate={self.dilation_rate}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.activation is not None:
            s += f", activation={self.activation_name() or getattr(self.activation, '__name__', self.activation)!r}"
        if self.data_format != "channels_last":
            s += f", data_format={self.data_format!r}"
        if not self.use_bias:
            s += ", use_bias=False"
        return s + (f", in_channels={self.in_channels}" if self.in_channels is not None else "")

    def get_config(self):
        name = self.activation_name()
        if self.activation is not None and name is None:
            raise ValueError(f"{where(self)}: cannot save a custom activation function in a config; pass its name "
                             f"({', '.join(sorted(ACTIVATIONS))}) or save the state_dict() instead.")
        return {"filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": name, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer if isinstance(self.kernel_initializer, str)
                else "glorot_uniform", "in_channels": self.in_channels}

    def _load_from_state_dict(self, state, prefix, missing, errors, copies):
        """An unbuilt Conv2D takes its input channels from the weight being loaded."""
        w = state.get(prefix + "weight")
        if self.in_channels is None and w is not None and len(getattr(w, "shape", ())) == 4:
            self.build(w.shape[1] * self.groups)
        super()._load_from_state_dict(state, prefix, missing, errors, copies)
