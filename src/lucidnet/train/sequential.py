"""Sequential: a :class:`~lucidnet.train.Model` whose layers run in order, Keras's ``Sequential([...])`` and
PyTorch's ``nn.Sequential(...)`` in one."""
from ..nn.container import Sequential as _TorchSequential
from ..nn.module import Module, module_from_config
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model, _TorchSequential):
    """Layers applied in order, with the training API: Keras's ``Sequential([...])`` and PyTorch's
    ``nn.Sequential(...)`` in one. State-dict keys are PyTorch's ("0.weight", ...).

    Args:
        *layers: the layers in order: as one list (Keras), as arguments (PyTorch), or an OrderedDict of
            name -> layer.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = lucidnet.Sequential([nn.Dense(8, activation="relu"), nn.Dense(2)])
        >>> model.add(nn.Softmax(dim=-1))
        >>> model(lucidnet.ones(4, 3)).shape, len(model)
        (lucidnet.Size([4, 2]), 3)
    """
    config_name = "lucidnet.Sequential"     # in configs, "Sequential" is PyTorch's container (nn.Sequential)

    def __init__(self, *layers):
        if len(layers) == 1 and layers[0] is None:
            layers = ()
        _TorchSequential.__init__(self, *layers)

    def add(self, layer):
        """Append a layer (Keras's name for ``append``)."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add(): expected a layer (a Module), got {type(layer).__name__}.")
        self.append(layer)
        self.built, self._probe_info = False, None

    def pop(self):
        """Remove and return the last layer."""
        items = list(self.named_children())
        if not items:
            raise IndexError("Sequential.pop(): expected a model with layers, got an empty one.")
        name, layer = items[-1]
        delattr(self, name)
        self.built, self._probe_info = False, None
        return layer

    def forward(self, x):
        """Each layer in turn."""
        return _TorchSequential.forward(self, x)

    def get_config(self):
        """``{"layers": [each layer's to_config()]}``."""
        return _TorchSequential.get_config(self)

    @classmethod
    def from_config(cls, config):
        """Rebuild from :meth:`get_config`'s output."""
        return cls(*[module_from_config(spec) for spec in config["layers"]])

