"""Activation layers: ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, LogSoftmax, GELU, SiLU.

Each is a thin Module around its nn.functional form, so it can sit in a Sequential; none has parameters.
``ACTIVATIONS`` maps the Keras-style names that ``Dense(activation=...)`` accepts to those functions.
"""
from . import functional as F
from ._checks import shape_of, where
from .module import Module

__all__ = ["ACTIVATIONS", "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "SiLU", "Sigmoid", "Softmax", "Tanh",
           "get_activation"]


class _Activation(Module):
    """Shared by the activations: an optional ``inplace`` flag (accepted for PyTorch code; lucidnet always
    computes out of place, so an input autograd needs is never overwritten) shown in the repr."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = bool(inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""

    def get_config(self):
        return {"inplace": True} if self.inplace else {}


class ReLU(_Activation):
    """max(x, 0), elementwise: the default activation of hidden layers.

    Args:
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> ReLU()(lucidnet.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(_Activation):
    """x for x > 0, else negative_slope * x: a ReLU whose negative side still passes a small gradient.

    Args:
        negative_slope: slope for x < 0. Default: 0.01 (same default as PyTorch).
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> LeakyReLU(0.1)(lucidnet.tensor([-1.0, 2.0]))
        tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")

    def get_config(self):
        return {"negative_slope": self.negative_slope, **super().get_config()}


class ELU(_Activation):
    """x for x > 0, else alpha * (exp(x) - 1): smooth, with negative outputs down to -alpha.

    Args:
        alpha: the negative saturation value. Default: 1.0.
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> ELU()(lucidnet.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = float(alpha)

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")

    def get_config(self):
        return {"alpha": self.alpha, **super().get_config()}


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise: squashes to (0, 1).

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> Sigmoid()(lucidnet.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, x):
        return F.sigmoid(x)

    def get_config(self):
        return {}


class Tanh(Module):
    """Hyperbolic tangent, elementwise: squashes to (-1, 1).

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> Tanh()(lucidnet.tensor([0.0, 100.0]))
        tensor([0., 1.])
    """

    def forward(self, x):
        return F.tanh(x)

    def get_config(self):
        return {}


class _AlongDim(Module):
    """Softmax and LogSoftmax: one axis, checked against the input."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def _axis(self, x):
        ndim = len(shape_of(self, x))
        dim = -1 if self.dim is None else self.dim
        if not -ndim <= dim < ndim:
            raise ValueError(f"{where(self)}: expected input with at least {dim + 1 if dim >= 0 else -dim} "
                             f"dimensions, got shape {tuple(x.shape)}.")
        return dim

    def extra_repr(self):
        return f"dim={self.dim}"

    def get_config(self):
        return {"dim": self.dim}


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along ``dim``: turns scores into probabilities that sum to 1.

    Args:
        dim: the axis that sums to 1. Default: None, the last axis (PyTorch's implicit choice for None is
            deprecated and differs for 0-, 1- and 3-d inputs; lucidnet takes the last axis).

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> Softmax(dim=1)(lucidnet.tensor([[1.0, 1.0]]))
        tensor([[0.5000, 0.5000]])
    """

    def forward(self, x):
        return F.softmax(x, dim=self._axis(x))


class LogSoftmax(_AlongDim):
    """log(softmax(x)) along ``dim``, computed stably; pair it with NLLLoss (or use CrossEntropyLoss on logits).

    Args:
        dim: the axis to normalize. Default: None, the last axis.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> LogSoftmax(dim=1)(lucidnet.tensor([[0.0, 0.0]]))
        tensor([[-0.6931, -0.6931]])
    """

    def forward(self, x):
        return F.log_softmax(x, dim=self._axis(x))


class GELU(Module):
    """Gaussian error linear unit x * Phi(x) (Hendrycks & Gimpel 2016), the activation of transformers.

    Args:
        approximate: 'none' (exact, with erf) or 'tanh' (the cheaper approximation). Default: 'none'.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> GELU()(lucidnet.tensor([1.0])), GELU(approximate="tanh")(lucidnet.tensor([1.0]))
        (tensor([0.8413]), tensor([0.8412]))
    """

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: expected approximate 'none' or 'tanh', got {approximate!r}.")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"

    def get_config(self):
        return {"approximate": self.approximate}


class SiLU(_Activation):
    """x * sigmoid(x), also called swish.

    Args:
        inplace: accepted for PyTorch code; lucidnet computes out of place.

    Shape:
        input (*) -> output (*), same shape

    Example:
        >>> import lucidnet
        >>> SiLU()(lucidnet.tensor([1.0]))
        tensor([0.7311])
    """

    def forward(self, x):
        return F.silu(x)


def _identity(x):
    return x


# Dense(activation=name): Keras's names, PyTorch's defaults (leaky_relu's slope is 0.01, not Keras's 0.2).
ACTIVATIONS = {
    "linear": _identity, "relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh, "softmax": F.softmax,
    "log_softmax": F.log_softmax, "leaky_relu": F.leaky_relu, "elu": F.elu, "gelu": F.gelu, "silu": F.silu,
    "swish": F.silu,
}


def get_activation(activation, where="activation"):
    """The function for an activation name (see ``ACTIVATIONS``), a callable as it is, None as the identity.

    Example:
        >>> get_activation("relu").__name__
        'relu'
    """
    if activation is None:
        return _identity
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.lower()]
    raise ValueError(f"{where}: expected an activation name ({', '.join(sorted(ACTIVATIONS))}), a callable or "
                     f"None, got {activation!r}.")
