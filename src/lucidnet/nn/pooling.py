"""Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (PyTorch's, channels-first) and MaxPooling2D (Keras's
spelling, channels-last by default). No parameters; the math is in lucidnet.nn.functional / lucidnet.ops.pool."""
from .. import ops
from . import functional as F
from ._checks import shape_of, where
from .functional_conv import check_pair, pool_pads
from .module import Module

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d", "MaxPooling2D"]


def _check_input(layer, x):
    shape = tuple(shape_of(layer, x))
    if len(shape) not in (3, 4):
        hint = " Did you flatten too early?" if len(shape) == 2 else ""
        raise ValueError(f"{where(layer)}: expected input of shape (N, C, H, W) or (C, H, W), got {shape}.{hint}")


class MaxPool2d(Module):
    """The maximum over each window of every channel: PyTorch's ``nn.MaxPool2d`` (downsampling that keeps the
    strongest response). Padding is -inf; the gradient goes to each window's (first) maximum.

    Args:
        kernel_size: the window, an int or (KH, KW).
        stride: the window's step. Default: kernel_size.
        padding: -inf padding on each side, at most half the kernel. Default: 0.
        dilation: spacing between the window's taps. Default: 1.
        return_indices: also return each maximum's flat position in its input plane (as PyTorch). Default: False.
        ceil_mode: round the output size up (a last, partial window). Default: False.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out), H_out =
        floor((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1 (ceil with ceil_mode)

    Example:
        >>> import lucidnet
        >>> pool = MaxPool2d(2)
        >>> pool, pool(lucidnet.zeros(8, 6, 28, 28)).shape
        (MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False), lucidnet.Size([8, 6, 14, 14]))
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        for name, v, low in (("kernel_size", kernel_size, 1), ("stride", stride, 1), ("padding", padding, 0),
                             ("dilation", dilation, 1)):
            if v is not None:
                check_pair("MaxPool2d", name, v, low)
        self.kernel_size = tuple(kernel_size) if isinstance(kernel_size, list) else kernel_size
        self.stride = self.kernel_size if stride is None else tuple(stride) if isinstance(stride, list) else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        k, p = check_pair("MaxPool2d", "kernel_size", kernel_size), check_pair("MaxPool2d", "padding", padding, 0)
        if p[0] > k[0] // 2 or p[1] > k[1] // 2:
            raise ValueError(f"MaxPool2d: expected padding at most half the kernel size, got padding={padding} for "
                             f"kernel_size={kernel_size}.")

    def forward(self, x):
        _check_input(self, x)
        try:
            return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                                self.return_indices)
        except ValueError as e:                  # the window does not fit: say which layer
            raise ValueError(str(e).replace("max_pool2d", where(self), 1)) from None

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")

    def get_config(self):
        listed = lambda v: list(v) if isinstance(v, tuple) else v      # noqa: E731  (JSON)
        return {"kernel_size": listed(self.kernel_size), "stride": listed(self.stride),
                "padding": listed(self.padding), "dilation": listed(self.dilation),
                "return_indices": self.return_indices, "ceil_mode": self.ceil_mode}


class AvgPool2d(Module):
    """The mean over each window of every channel: PyTorch's ``nn.AvgPool2d``.

    Args:
        kernel_size: the window, an int or (KH, KW).
        stride: the window's step. Default: kernel_size.
        padding: zero padding on each side, at most half the kernel. Default: 0.
        ceil_mode: round the output size up. Default: False.
        count_include_pad: the zero padding counts in the mean. Default: True.
        divisor_override: divide every window's sum by this instead. Default: None.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out)

    Example:
        >>> import lucidnet
        >>> pool = AvgPool2d(2)
        >>> pool, pool(lucidnet.ones(1, 2, 4, 4)).sum().item()
        (AvgPool2d(kernel_size=2, stride=2, padding=0), 8.0)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        for name, v, low in (("kernel_size", kernel_size, 1), ("stride", stride, 1), ("padding", padding, 0)):
            if v is not None:
                check_pair("AvgPool2d", name, v, low)
        self.kernel_size = tuple(kernel_size) if isinstance(kernel_size, list) else kernel_size
        self.stride = self.kernel_size if stride is None else tuple(stride) if isinstance(stride, list) else stride
        self.padding = padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, x):
        _check_input(self, x)
        try:
            return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad, self.divisor_override)
        except ValueError as e:
            raise ValueError(str(e).replace("avg_pool2d", where(self), 1)) from None

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def get_config(self):
        listed = lambda v: list(v) if isinstance(v, tuple) else v      # noqa: E731
        return {"kernel_size": listed(self.kernel_size), "stride": listed(self.stride),
                "padding": listed(self.padding), "ceil_mode": self.ceil_mode,
                "count_include_pad": self.count_include_pad, "divisor_override": self.divisor_override}


class AdaptiveAvgPool2d(Module):
    """The mean over an output_size grid of windows covering each channel, whatever the input size (1 gives
    global average pooling): PyTorch's ``nn.AdaptiveAvgPool2d``.

    Args:
        output_size: (OH, OW), or one int for both; None keeps that axis's size.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, OH, OW)

    Example:
        >>> import lucidnet
        >>> pool = AdaptiveAvgPool2d((1, 1))
        >>> pool, pool(lucidnet.ones(2, 3, 7, 5)).shape
        (AdaptiveAvgPool2d(output_size=(1, 1)), lucidnet.Size([2, 3, 1, 1]))
    """

    def __init__(self, output_size):
        super().__init__()
        pair = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
        check_pair("AdaptiveAvgPool2d", "output_size", tuple(1 if v is None else v for v in pair))
        self.output_size = tuple(output_size) if isinstance(output_size, list) else output_size

    def forward(self, x):
        _check_input(self, x)
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"

    def get_config(self):
        return {"output_size": list(self.output_size) if isinstance(self.output_size, tuple) else self.output_size}


class MaxPooling2D(Module):
    """Keras's max pooling: ``MaxPooling2D(pool_size=2, strides=None, padding='valid')`` on channels-last images
    (N, H, W, C) by default.

    Args:
        pool_size: the window, an int or a pair. Default: 2.
        strides: the step. Default: pool_size.
        padding: 'valid' (none) or 'same' (ceil(size / stride) outputs, padding with -inf, as Keras).
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shape:
        input (N, H, W, C) -> output (N, H_out, W_out, C) (channels_last)

    Example:
        >>> import lucidnet
        >>> MaxPooling2D()(lucidnet.zeros(4, 28, 28, 8)).shape
        lucidnet.Size([4, 14, 14, 8])
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last"):
        super().__init__()
        self.pool_size = check_pair("MaxPooling2D", "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else check_pair("MaxPooling2D", "strides", strides)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(f"MaxPooling2D: expected padding 'valid' or 'same', got {padding!r}.")
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"MaxPooling2D: expected data_format 'channels_last' or 'channels_first', got "
                             f"{data_format!r}.")
        self.padding, self.data_format = padding, data_format

    def forward(self, x):
        shape = tuple(shape_of(self, x))
        last = self.data_format == "channels_last"
        if len(shape) != 4:
            raise ValueError(f"{where(self)}: expected input of shape {'(N, H, W, C)' if last else '(N, C, H, W)'}, "
                             f"got {shape}.")
        xc = x.permute(0, 3, 1, 2) if last else x
        h, w = xc.shape[2:]
        if self.padding == "same":
            pads = []
            for size, k, s in zip((h, w), self.pool_size, self.strides):
                total = max((-(-size // s) - 1) * s + k - size, 0)
                pads.append((total // 2, total - total // 2))
            pads = tuple(pads)
        else:
            pads, _ = pool_pads(where(self), xc, self.pool_size, self.strides, 0, (1, 1), False)
        y = ops.max_pool2d(xc, kernel=self.pool_size, stride=self.strides, pads=pads, dilation=(1, 1))
        return y.permute(0, 2, 3, 1) if last else y

    def extra_repr(self):
        s = f"pool_size={self.pool_size}"
        if self.strides != self.pool_size:
            s += f", strides={self.strides}"
        if self.padding != "valid":
            s += f", padding={self.padding!r}"
        if self.data_format != "channels_last":
            s += f", data_format={self.data_format!r}"
        return s

    def get_config(self):
        return {"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}
