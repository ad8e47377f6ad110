"""Activation layers: ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, LogSoftmax, GELU, SiLU, and the rest of
PyTorch's (ReLU6, Hardtanh, SELU, CELU, Mish, Softplus, Softsign, Softmin, LogSigmoid, Hardswish, Hardsigmoid,
Tanhshrink, Threshold, GLU) as one-line layers over their functions.

Each is a thin Module around its nn.functional form, so it can sit in a Sequential; none has parameters.
``ACTIVATIONS`` maps the Keras-style names that ``Dense(activation=...)`` accepts to those functions.
"""
from . import functional as F
from ._checks import shape_of, where
from .module import Module

__all__ = ["ACTIVATIONS", "CELU", "ELU", "GELU", "GLU", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU",
           "LogSigmoid", "LogSoftmax", "Mish", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin",
           "Softplus", "Softsign", "Tanh", "Tanhshrink", "Threshold", "get_activation"]


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


class FunctionLayer(Module):
    """A parameter-free layer that applies an nn.functional function with fixed options: the options are its
    config, and those named in ``shown`` its repr (PyTorch's), plus ``inplace=True`` when set."""
    function = None
    shown = ()

    def __init__(self, **options):
        super().__init__()
        self.options = options

    def forward(self, *inputs):
        return type(self).function(*inputs, **self.options)

    def extra_repr(self):
        parts = [f"{k}={self.options[k]}" for k in self.shown]
        return ", ".join(parts + (["inplace=True"] if self.options.get("inplace") else []))

    def get_config(self):
        return dict(self.options)


class ReLU6(FunctionLayer):
    """min(max(x, 0), 6). Example: ``ReLU6()(lucidnet.tensor([-1., 7.]))`` is ``tensor([0., 6.])``."""
    function = staticmethod(F.relu6)

    def __init__(self, inplace=False):
        super().__init__(inplace=inplace)


class Hardtanh(FunctionLayer):
    """x clamped to [min_val, max_val]. Default: [-1, 1]."""
    function, shown = staticmethod(F.hardtanh), ("min_val", "max_val")

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(min_val=min_val, max_val=max_val, inplace=inplace)


class SELU(FunctionLayer):
    """The self-normalizing ELU: scale * elu(x, alpha) with Klambauer et al.'s constants."""
    function = staticmethod(F.selu)

    def __init__(self, inplace=False):
        super().__init__(inplace=inplace)


class CELU(FunctionLayer):
    """x if x > 0 else alpha * (e^(x / alpha) - 1)."""
    function, shown = staticmethod(F.celu), ("alpha",)

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(alpha=alpha, inplace=inplace)


class Mish(FunctionLayer):
    """x * tanh(softplus(x))."""
    function = staticmethod(F.mish)

    def __init__(self, inplace=False):
        super().__init__(inplace=inplace)


class Softplus(FunctionLayer):
    """log(1 + e^(beta x)) / beta (x itself above ``threshold``): a smooth ReLU.

    Example:
        >>> import lucidnet
        >>> Softplus()(lucidnet.tensor([0.0]))
        tensor([0.6931])
    """
    function, shown = staticmethod(F.softplus), ("beta", "threshold")

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__(beta=beta, threshold=threshold)


class Softsign(FunctionLayer):
    """x / (1 + |x|)."""
    function = staticmethod(F.softsign)


class Softmin(FunctionLayer):
    """softmax(-x) along ``dim``."""
    function, shown = staticmethod(F.softmin), ("dim",)

    def __init__(self, dim=None):
        super().__init__(dim=dim)


class LogSigmoid(FunctionLayer):
    """log(sigmoid(x)), without overflow."""
    function = staticmethod(F.logsigmoid)


class Hardsigmoid(FunctionLayer):
    """clamp(x / 6 + 1/2, 0, 1)."""
    function = staticmethod(F.hardsigmoid)

    def __init__(self, inplace=False):
        super().__init__(inplace=inplace)


class Hardswish(FunctionLayer):
    """x * hardsigmoid(x)."""
    function = staticmethod(F.hardswish)

    def __init__(self, inplace=False):
        super().__init__(inplace=inplace)


class Tanhshrink(FunctionLayer):
    """x - tanh(x)."""
    function = staticmethod(F.tanhshrink)


class Threshold(FunctionLayer):
    """x where x > threshold, else ``value``."""
    function, shown = staticmethod(F.threshold), ("threshold", "value")

    def __init__(self, threshold, value, inplace=False):
        super().__init__(threshold=threshold, value=value, inplace=inplace)


class GLU(FunctionLayer):
    """The gated linear unit: first half * sigmoid(second half) along ``dim``."""
    function, shown = staticmethod(F.glu), ("dim",)

    def __init__(self, dim=-1):
        super().__init__(dim=dim)


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
