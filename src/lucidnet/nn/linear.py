"""Fully connected layers: Identity, Linear (PyTorch's), and Dense (Keras's spelling, input size inferred)."""
import math

import numpy as np

from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from ._checks import check_dtype, check_int, check_last_axis, parameter_dtype, shape_of, where
from .activation import ACTIVATIONS, get_activation
from .module import Module, Parameter, UnbuiltParameter

__all__ = ["Dense", "Identity", "Linear"]


class Identity(Module):
    """Returns its input unchanged: a placeholder (e.g. to switch a layer off). Arguments are ignored.

    Shape:
        input (*) -> output (*), the same tensor

    Example:
        >>> import lucidnet
        >>> x = lucidnet.ones(2)
        >>> Identity()(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x

    def get_config(self):
        return {}


class Linear(Module):
    """y = x @ weight.T + bias over the last axis: the fully connected layer.

    The weight is (out_features, in_features) and starts as PyTorch's: kaiming_uniform_(a=sqrt(5)), that is
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and so does the bias.

    Args:
        in_features: size of the input's last axis.
        out_features: size of the output's last axis.
        bias: learn an additive bias. Default: True.
        dtype: parameter dtype. Default: lucidnet's default (float32).

    Shape:
        input (*, in_features) -> output (*, out_features)

    Example:
        >>> import lucidnet
        >>> layer = Linear(4, 2)
        >>> layer(lucidnet.ones(3, 4)).shape, layer.weight.shape
        (lucidnet.Size([3, 2]), lucidnet.Size([2, 4]))
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = check_int("Linear", "in_features", in_features, 0)
        self.out_features = check_int("Linear", "out_features", out_features, 0)
        d = parameter_dtype("Linear", device, dtype)
        self.weight = Parameter(empty(self.out_features, self.in_features, dtype=d))
        self.register_parameter("bias", Parameter(empty(self.out_features, dtype=d)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh weights from PyTorch's default distributions (U(-1/sqrt(in), 1/sqrt(in)) for both)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        check_last_axis(self, x, self.in_features)
        check_dtype(self, x, self.weight)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    def get_config(self):
        return {"in_features": self.in_features, "out_features": self.out_features, "bias": self.bias is not None}


# Keras initializer names -> (how to draw) for Dense's weight (out, in); fans as Keras's for a kernel (in, out).
class Dense(Module):
    """Keras's fully connected layer: activation(x @ weight.T + bias), with the input size inferred from the
    first batch (or given as ``in_features``, or by calling ``build(in_features)``).

    Parameters are named and shaped as :class:`Linear`'s (``weight`` (units, in_features), ``bias``), so a
    Dense model's state dict loads into the equivalent PyTorch ``nn.Linear`` model and back. Loading a state
    dict into a Dense that has not seen data builds it from the weight's shape. Create the optimizer after
    the layer is built: before that it has no parameters.

    Args:
        units: size of the output's last axis.
        activation: a name ('relu', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'leaky_relu' (slope 0.01),
            'elu', 'gelu', 'silu'/'swish', 'linear'), None (no activation), or a callable.
        use_bias: learn an additive bias (starts at zero). Default: True.
        weight_bounds: (a, b): draw the weights from U(a, b), the tutorials' weight bounds; overrides
            ``kernel_initializer``.
        kernel_initializer: a Keras name ('glorot_uniform' (the default), 'glorot_normal', 'he_uniform',
            'he_normal', 'lecun_uniform', 'lecun_normal', 'random_normal', 'random_uniform', 'zeros', 'ones')
            or a function that fills the weight in place (e.g. ``nn.init.kaiming_normal_``).
        in_features: the input size, when known: builds the layer at once. Keras's ``input_dim=784`` and
            ``input_shape=(784,)`` say the same.

    Shape:
        input (*, in_features) -> output (*, units)

    Example:
        >>> import lucidnet
        >>> layer = Dense(3, activation="relu")
        >>> layer
        Dense(units=3, activation='relu')
        >>> layer(lucidnet.ones(2, 5)).shape, layer.weight.shape
        (lucidnet.Size([2, 3]), lucidnet.Size([3, 5]))
        >>> layer
        Dense(units=3, activation='relu', in_features=5)
    """

    def __init__(self, units, activation=None, use_bias=True, weight_bounds=None, kernel_initializer="glorot_uniform",
                 in_features=None, input_dim=None, input_shape=None):
        super().__init__()
        self.units = check_int("Dense", "units", units)
        self.activation = activation
        self._activation = get_activation(activation, "Dense")
        self.use_bias = bool(use_bias)
        if weight_bounds is not None:
            a, b = weight_bounds
            if not a <= b:
                raise ValueError(f"Dense: expected weight_bounds (a, b) with a <= b, got {tuple(weight_bounds)}.")
            weight_bounds = (float(a), float(b))
        self.weight_bounds = weight_bounds
        if not callable(kernel_initializer) and kernel_initializer not in init.KERAS_INITIALIZERS:
            raise ValueError(f"Dense: expected kernel_initializer to be one of "
                             f"{', '.join(sorted(init.KERAS_INITIALIZERS))} or "
                             f"a function, got {kernel_initializer!r}.")
        self.kernel_initializer = kernel_initializer
        self.weight = UnbuiltParameter(self, "weight")   # Parameters from build(), at the first call; until then
        self.bias = UnbuiltParameter(self, "bias") if use_bias else None     # using one names the layer
        self.in_features = None
        if in_features is None and input_dim is not None:
            in_features = input_dim
        if in_features is None and input_shape is not None:
            in_features = tuple(input_shape)[-1]
        if in_features is not None:
            self.build(in_features)

    @property
    def built(self):
        """True once the parameters exist (the input size is known)."""
        return self.in_features is not None

    def build(self, in_features):
        """Create the parameters for inputs of size ``in_features`` and initialize them; returns self."""
        self.in_features = check_int(where(self), "in_features", in_features)
        self.weight = Parameter(empty(self.units, self.in_features))
        self.register_parameter("bias", Parameter(empty(self.units)) if self.use_bias else None)
        self.reset_parameters()
        return self

    def reset_parameters(self, generator=None):
        """Draw fresh weights (weight_bounds or kernel_initializer) and zero biases."""
        if self.weight_bounds is not None:
            init.uniform_(self.weight, *self.weight_bounds, generator=generator)
        elif callable(self.kernel_initializer):
            self.kernel_initializer(self.weight)
        else:
            init.KERAS_INITIALIZERS[self.kernel_initializer](self.weight, generator=generator)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        if self.in_features is None:
            shape = shape_of(self, x)
            if not shape:
                raise ValueError(f"{where(self)}: expected input of shape (*, in_features), got a 0-d tensor.")
            self.build(shape[-1])
        else:
            check_last_axis(self, x, self.in_features)
        dt = self.weight.array.dtype
        if getattr(x, "array", x).dtype is not dt:    # as Keras, the layer casts its input to its own dtype
            x = x.to(dt) if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x, dtype=dt))
        return self._activation(F.linear(x, self.weight, self.bias))

    def activation_name(self):
        """The activation's name ('relu', ...), or None for no activation or a custom function."""
        a = self.activation
        if a is None or isinstance(a, str):
            return a
        name = getattr(a, "__name__", None)
        return name if ACTIVATIONS.get(name) is a else None

    def extra_repr(self):
        text = f"units={self.units}"
        if self.activation is not None:
            name = self.activation_name()
            text += f", activation={name or getattr(self.activation, '__name__', self.activation)!r}"
        if not self.use_bias:
            text += ", use_bias=False"
        if self.weight_bounds is not None:
            text += f", weight_bounds={self.weight_bounds}"
        return text + (f", in_features={self.in_features}" if self.in_features is not None else "")

    def get_config(self):
        name = self.activation_name()
        if self.activation is not None and name is None:
            raise ValueError(f"{where(self)}: cannot save a custom activation function in a config; pass its name "
                             f"({', '.join(sorted(ACTIVATIONS))}) or save the state_dict() instead.")
        return {"units": self.units, "activation": name, "use_bias": self.use_bias,
                "weight_bounds": list(self.weight_bounds) if self.weight_bounds is not None else None,
                "kernel_initializer": self.kernel_initializer if isinstance(self.kernel_initializer, str)
                else "glorot_uniform",
                "in_features": self.in_features}

    def _load_from_state_dict(self, state, prefix, missing, errors, copies):
        """An unbuilt Dense takes its input size from the weight being loaded."""
        w = state.get(prefix + "weight")
        if self.in_features is None and w is not None and len(getattr(w, "shape", ())) == 2:
            self.build(w.shape[1])
        super()._load_from_state_dict(state, prefix, missing, errors, copies)
