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
from . import _allocator  # noqa: F401  (keeps freed memory for reuse; see its docstring)
from . import _blas  # noqa: F401  (OpenBLAS's threads sleep soon after a product; see its docstring)
from . import autograd  # noqa: F401  (first: it wires up tensor.py)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor
from . import dtypes
from .dtypes import (can_cast, double, dtype, finfo, float16, float32, float64, get_default_dtype, half, iinfo, int8,
                     int16, int32, int64, long, promote_types, result_type, set_default_dtype, short, uint8)
from .creation import *  # noqa: F401,F403
from .functional import *  # noqa: F401,F403
from . import functional, ops
from .pointwise import *  # noqa: F401,F403
from .logic import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .scattering import *  # noqa: F401,F403
from .arranging import *  # noqa: F401,F403
from ._threads import get_num_threads, set_num_threads  # noqa: F401
from .products import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .tensor_methods import svd  # noqa: F401  (PyTorch's older svd: U, S, V)
from . import linalg
from .linalg import det, inv as inverse, slogdet  # noqa: F401
from .size import Size
from .device import device, get_default_device, set_default_device
from . import accelerator, backends, cuda, random  # noqa: F401
from .printing import get_printoptions, printoptions, set_printoptions  # noqa: F401
from .tensortypes import *  # noqa: F401,F403
from .signatures import torch_functions as _torch_functions

# PyTorch's out= and input=/other= keywords on every tensor function of the top level (see signatures.py).
from . import creation as _creation, logic as _logic, pointwise as _pointwise, products as _products  # noqa: E402
from . import indexing as _indexing, reductions as _reductions, sampling as _sampling, sorting as _sorting  # noqa: E402
from . import scattering as _scattering, arranging as _arranging  # noqa: E402
_MODULES = (_creation, functional, _indexing, _logic, _pointwise, _products, _reductions, _sampling, _scattering,
            _sorting, _arranging)
_NOT_TENSOR_FUNCTIONS = {"manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "compile",
                         "use_deterministic_algorithms"}
globals().update(_torch_functions({name: globals()[name] for module in _MODULES for name in module.__all__
                                   if name in globals() and name not in _NOT_TENSOR_FUNCTIONS}))
globals().update(_torch_functions({"svd": svd, "det": det, "inverse": inverse, "slogdet": slogdet}))
from . import data
from . import transforms
from . import distributed
from . import nn
from . import optim
from . import utils
from .classic import Adaline, Perceptron
from . import io, train
from . import models
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
