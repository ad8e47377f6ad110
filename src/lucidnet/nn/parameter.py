"""Parameter, the tensors a Module learns (PyTorch's torch.nn.parameter), and UnbuiltParameter, what a lazy layer
holds before its first call tells it its input size."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor

__all__ = ["Parameter", "UnbuiltParameter"]


class Parameter(Tensor):
    """A Tensor that is a learnable parameter of a Module (requires grad by default).

    ``Parameter(t)`` shares memory with tensor or array ``t``.

    Example:
        >>> import lucidnet
        >>> p = Parameter(lucidnet.zeros(2))
        >>> p.requires_grad, p.is_leaf
        (True, True)
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.zeros(0, dtype=dtypes.get_default_dtype())
        super().__init__(data.array if isinstance(data, Tensor) else np.asarray(data), requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class UnbuiltParameter:
    """What a lazy layer (``Dense``) holds for a parameter before it is built: any use of it names the layer and
    says how to build it, instead of failing somewhere on ``None``. It is not a Parameter: ``parameters()`` and
    ``state_dict()`` leave it out.

    Example:
        >>> from lucidnet import nn
        >>> nn.Dense(4).weight.shape
        Traceback (most recent call last):
        ...
        RuntimeError: Dense(units=4): weight is not created yet: the layer gets its parameters at its first call, when its input size is known. Call it on a batch, build it (model.build(input_shape), or Dense(4, in_features=...)) first.
    """
    __slots__ = ("_layer", "_name")

    def __init__(self, layer, name):
        object.__setattr__(self, "_layer", layer)
        object.__setattr__(self, "_name", name)

    def _error(self):
        layer = object.__getattribute__(self, "_layer")
        where = f"{type(layer).__name__}({layer.extra_repr()})"
        units = getattr(layer, "units", "...")
        return RuntimeError(f"{where}: {object.__getattribute__(self, '_name')} is not created yet: the layer gets its "
                            f"parameters at its first call, when its input size is known. Call it on a batch, build "
                            f"it (model.build(input_shape), or {type(layer).__name__}({units}, in_features=...)) "
                            f"first.")

    def __getattr__(self, name):
        if name.startswith("__"):                      # copy, pickle and NumPy's protocol probes see a plain object
            raise AttributeError(name)
        raise self._error()

    def __array__(self, *args, **kwargs):
        raise self._error()

    def __repr__(self):
        return f"<{object.__getattribute__(self, '_name')} of an unbuilt {type(self._layer).__name__}>"

    def __deepcopy__(self, memo):
        return UnbuiltParameter(memo.get(id(self._layer), self._layer), self._name)

    def _raise(self, *args, **kwargs):
        raise self._error()

    __getitem__ = __iter__ = __len__ = __float__ = __matmul__ = __rmatmul__ = __mul__ = __rmul__ = __add__ = \
        __radd__ = __sub__ = __rsub__ = __truediv__ = __neg__ = _raise
