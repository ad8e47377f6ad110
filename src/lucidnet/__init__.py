"""lucidnet: neural networks from scratch in NumPy.

Readable (every op's forward and backward side by side), correct (every gradient checked against finite
differences and PyTorch), fast (float32, GEMM-bound), and familiar: PyTorch names for tensors and
autograd, so ``import lucidnet as torch`` runs PyTorch tutorial code.

Example:
    >>> import lucidnet as torch
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> w.grad
    tensor([2., 4.])
"""
from . import autograd  # noqa: F401  (first: it wires up tensor.py)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor
from . import dtypes
from .dtypes import (double, float16, float32, float64, get_default_dtype, half, int8, int16, int32, int64, long,
                     set_default_dtype, short, uint8)
from .creation import *  # noqa: F401,F403
from .functional import *  # noqa: F401,F403
from . import functional, ops
from . import data
from . import distributed
from . import nn
from . import optim
from . import utils
from .classic import Adaline, Perceptron
from . import io, train
from . import viz
from .io import load, save
from .train import Model, Sequential
from . import models
from . import pretrained
from .torch_names import add_missing_name_errors as _add_missing_name_errors
_add_missing_name_errors()           # lucidnet.nn.Foo: "lucidnet does not provide torch.nn.Foo"

__version__ = "0.1.0"

# PyTorch spells these like Python builtins; defined last so the lines above still see the builtins.
bool = dtypes.bool_  # noqa: A001
float = dtypes.float32  # noqa: A001
int = dtypes.int32  # noqa: A001
