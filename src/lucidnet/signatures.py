"""PyTorch's calling conventions for lucidnet's top-level functions: ``out=`` and the keyword names ``input=``
and ``other=``, so that ``torch.add(x, y, out=z)`` and ``torch.sum(input=x, dim=0)`` run unchanged.

``lucidnet/__init__.py`` exports every tensor function through :class:`TorchFunction`; the functions themselves
(in functional.py, pointwise.py, ...) stay plain, and Tensor methods call them directly.

Example:
    >>> import lucidnet
    >>> z = lucidnet.empty(2)
    >>> lucidnet.add(lucidnet.tensor([1., 2.]), other=lucidnet.tensor([3., 4.]), out=z); z
    tensor([4., 6.])
    tensor([4., 6.])
"""
import functools
import inspect

import numpy as np

from . import autograd, dtypes

# Functions whose PyTorch parameter names differ from the usual (input, other) in first and second place.
_POSITIONS = {"where": {"condition": 0, "input": 1, "other": 2}, "cat": {"tensors": 0}, "stack": {"tensors": 0},
              "concatenate": {"tensors": 0}, "clamp": {"input": 0}, "clip": {"input": 0}}


class TorchFunction:
    """A tensor function that also takes ``out=`` and PyTorch's keyword names for its leading arguments."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        params = inspect.signature(fn).parameters
        positional = [p for p, v in params.items() if v.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                                  inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        names = _POSITIONS.get(fn.__name__, {"input": 0, "other": 1})
        # PyTorch's keyword -> the name of the parameter in its place (where(condition, a, b): input= is a=).
        self._aliases = {k: positional[i] for k, i in names.items() if k not in params and i < len(positional)}
        self._fn = fn

    def __call__(self, *args, out=None, **kwargs):
        if self._aliases:
            for name in kwargs.keys() & self._aliases.keys():
                kwargs[self._aliases[name]] = kwargs.pop(name)
        result = self._fn(*args, **kwargs)
        return result if out is None else write_out(result, out, self.__name__)

    def __repr__(self):
        return f"<function {self.__name__}>"

    def __get__(self, obj, objtype=None):            # as a class attribute, a plain function
        return self if obj is None else functools.partial(self, obj)


def write_out(result, out, where):
    """Write result into ``out`` (a tensor, or a tuple of tensors for functions returning several), as PyTorch's
    ``out=``: out takes the result's shape and keeps its dtype (which must hold the result's); out cannot take
    part in autograd."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{where}(): expected out= to be a tuple of {len(result)} tensors.")
        for r, o in zip(result, out):
            write_out(r, o, where)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    if not hasattr(out, "array"):
        raise TypeError(f"{where}(): expected out= to be a Tensor, got {type(out).__name__}.")
    if autograd.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{where}(): functions with out=... do not support automatic differentiation (as in "
                           f"PyTorch), but an argument requires grad; call it without out= or under no_grad().")
    arr = result.array
    if dtypes._category(arr.dtype) > dtypes._category(out.array.dtype):
        raise dtypes.DTypeError(f"{where}(): expected out= of a dtype that holds the result's {result.dtype}, got "
                                f"{out.dtype}.")
    if out.array.shape == arr.shape:
        out.array[...] = arr
    else:                                             # PyTorch resizes out
        out.array = np.array(arr, dtype=out.array.dtype)
    return out._bump()


def torch_functions(namespace):
    """{name: TorchFunction} for the callable names of ``namespace`` ({name: function})."""
    return {name: TorchFunction(fn) for name, fn in namespace.items() if inspect.isfunction(fn)}
