"""MLP: a multilayer perceptron from a list of layer sizes, the tutorials' ``NeuralNetwork([784, 128, 10])``
in one line. It is a Sequential of Linear layers and activations, so its state-dict keys, repr and forward
are exactly those of the same Sequential written out by hand.
"""
import collections

from ._checks import check_int
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh
from .container import Sequential
from .dropout import Dropout
from .linear import Linear
from .module import MODULES, Module

__all__ = ["MLP"]

# Activation names (Keras's, as Dense(activation=...) takes them) -> how to build the layer.
_LAYERS = {
    "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU, "elu": ELU, "gelu": GELU,
    "silu": SiLU, "swish": SiLU, "softmax": lambda: Softmax(dim=-1), "log_softmax": lambda: LogSoftmax(dim=-1),
}


def _activation(spec, name):
    """(the layer to insert or None, the JSON-able name to save) for an activation given by name or class."""
    if spec is None or (isinstance(spec, str) and spec.lower() in ("linear", "none", "identity")):
        return None, None
    if isinstance(spec, str):
        if spec.lower() in _LAYERS:
            return _LAYERS[spec.lower()](), spec.lower()
        cls = MODULES.get(spec)
        if cls is not None:
            return cls(), spec
    elif isinstance(spec, type) and issubclass(spec, Module):
        return spec(), spec.__name__
    if isinstance(spec, Module):
        raise TypeError(f"MLP: expected {name} as a name or a layer class (e.g. 'relu' or nn.ReLU), got an "
                        f"instance {type(spec).__name__}(); pass the class, one layer is made per use.")
    raise ValueError(f"MLP: expected {name} to be an activation name ({', '.join(sorted(_LAYERS))}), a layer class "
                     f"or None, got {spec!r}.")


class MLP(Sequential):
    """A multilayer perceptron: Linear layers of the given sizes, an activation after each hidden one.

    ``MLP([784, 128, 10])`` is ``Sequential(Linear(784, 128), ReLU(), Linear(128, 10))``: the same layers, the
    same state-dict keys (``"0.weight"``, ``"2.weight"``...), so weights move between the two and to PyTorch.
    Train it in a loop, or with Keras's ``fit`` through ``lucidnet.Model(MLP(...))``; ``lucidnet.save``
    stores its architecture.

    Args:
        layer_sizes: the width of every layer, input first: ``[in_features, hidden..., out_features]``.
        activation: after each hidden layer: a name ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu",
            "silu"), a layer class (``nn.ReLU``), or None. Default: "relu".
        output_activation: after the last layer, the same kinds, e.g. "softmax". Default: None (logits, what
            ``CrossEntropyLoss`` expects).
        bias: learn a bias in every Linear layer. Default: True.
        dropout: probability of a Dropout after each hidden activation; 0 adds none. Default: 0.

    Shape:
        input (*, layer_sizes[0]) -> output (*, layer_sizes[-1])

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = nn.MLP([4, 8, 3])
        >>> model
        MLP(  # 67 parameters
          (0): Linear(in_features=4, out_features=8, bias=True)  # 40
          (1): ReLU()
          (2): Linear(in_features=8, out_features=3, bias=True)  # 27
        )
        >>> model(lucidnet.ones(2, 4)).shape
        lucidnet.Size([2, 3])
    """

    def __init__(self, layer_sizes, activation="relu", output_activation=None, bias=True, dropout=0.0):
        try:
            sizes = list(layer_sizes)
        except TypeError:
            raise TypeError(f"MLP: expected layer_sizes to be a list of integers, got "
                            f"{type(layer_sizes).__name__}.") from None
        if len(sizes) < 2:
            raise ValueError(f"MLP: expected layer_sizes with at least two sizes (input and output), got {sizes!r}.")
        sizes = [check_int("MLP", f"layer_sizes[{i}]", n) for i, n in enumerate(sizes)]
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: expected dropout, a probability, in [0, 1), got {dropout!r}.")
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            layers.append(Linear(n_in, n_out, bias=bias))
            last = i == len(sizes) - 2
            act, act_name = _activation(output_activation if last else activation,
                                        "output_activation" if last else "activation")
            if act is not None:
                layers.append(act)
            if not last and dropout:
                layers.append(Dropout(dropout))
        super().__init__(*layers)
        self.layer_sizes = sizes
        self.activation = _activation(activation, "activation")[1]
        self.output_activation = _activation(output_activation, "output_activation")[1]
        self.bias, self.dropout = bool(bias), float(dropout)

    def __getitem__(self, index):
        if isinstance(index, slice):                    # a slice of the layers is a plain Sequential
            return Sequential(collections.OrderedDict(list(self.named_children())[index]))
        return super().__getitem__(index)

    def get_config(self):
        return {"layer_sizes": list(self.layer_sizes), "activation": self.activation,
                "output_activation": self.output_activation, "bias": self.bias, "dropout": self.dropout}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
