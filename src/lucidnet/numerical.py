"""Derivatives by finite differences: the slope between two close points, for any function of tensors.

This is how a derivative is first taught (f'(x) ~ (f(x + h) - f(x)) / h), and how every gradient in
lucidnet is checked: :func:`lucidnet.autograd.gradcheck` compares backward() with
:func:`numerical_derivative`. The result has the layout of :func:`lucidnet.autograd.functional.jacobian`
(output axes first, then input axes), so the two can be compared directly.

Cost: two calls of the function per input element (central differences), one (forward or backward
differences) plus one at the point itself. Keep inputs small.
"""
import numbers

import numpy as np

from . import dtypes
from .autograd import no_grad
from .tensor import Tensor

__all__ = ["METHODS", "numerical_derivative"]

# How each method moves the input: (offset of the upper point, offset of the lower point), in units of eps.
METHODS = {"central": (1, -1), "forward": (1, 0), "backward": (0, -1)}


def _as_tuple(value):
    return (tuple(value), True) if isinstance(value, (tuple, list)) else ((value,), False)


def _input_array(where, i, x, dtype):
    """Input ``i`` as an array of a floating dtype (a copy: the caller's tensor is never perturbed)."""
    if isinstance(x, Tensor):
        x = x.array
    elif isinstance(x, bool) or not isinstance(x, (numbers.Real, np.ndarray, list)):
        raise TypeError(f"{where}: expected inputs to be tensors, arrays or numbers, got {type(x).__name__} "
                        f"for input {i}.")
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{where}: expected numeric inputs, got dtype {arr.dtype} for input {i}.")
    target = dtype if dtype is not None else (arr.dtype if arr.dtype.kind == "f" else dtypes.float64)
    return np.array(arr, dtype=target)


def _outputs(where, out):
    """A function's result as a tuple of float64 arrays, and whether it was a tuple."""
    outs, was_tuple = _as_tuple(out)
    arrays = []
    for k, o in enumerate(outs):
        if isinstance(o, Tensor):
            o = o.array
        elif not isinstance(o, (numbers.Real, np.ndarray)) or isinstance(o, bool):
            raise TypeError(f"{where}: expected the function to return a tensor, a number or a tuple of them, got "
                            f"{type(o).__name__} for output {k}.")
        arrays.append(np.asarray(o, dtype=np.float64))
    return arrays, was_tuple


def numerical_derivative(fn, inputs, eps=1e-6, method="central", *, dtype=dtypes.float64):
    """The derivative of ``fn`` at ``inputs``, by finite differences: each input element is moved by ``eps``
    and the change of every output element is divided by the distance moved.

    ``method="central"`` uses (f(x + eps) - f(x - eps)) / (2 eps), whose error shrinks as eps**2;
    ``"forward"`` uses (f(x + eps) - f(x)) / eps and ``"backward"`` (f(x) - f(x - eps)) / eps, whose
    errors shrink only as eps: the slope of the secant, not yet the tangent.

    Args:
        fn: a function of tensors (one per input) returning a tensor, a number, or a tuple of them.
        inputs: a tensor, array or number, or a tuple of them. Every one is differentiated.
        eps: the step. Default: 1e-6 (as PyTorch's gradcheck).
        method: "central", "forward" or "backward". Default: "central".
        dtype: the dtype the inputs are converted to (a copy) before ``fn`` sees them. Default: float64,
            since a difference of two close float32 values keeps only a few digits; None keeps each
            input's own floating dtype (integers become float64).

    Returns:
        For one input and one output, a float64 tensor of shape ``output.shape + input.shape`` (the slope
        itself, a 0-d tensor, for a function of one number); for a tuple of inputs, a tuple with one such
        tensor per input; for a tuple of outputs, a tuple over the outputs of those. The layout of
        :func:`lucidnet.autograd.functional.jacobian`.

    Example:
        >>> import lucidnet
        >>> round(numerical_derivative(lambda x: x ** 3, 2.0).item(), 6)        # 3 x**2 at x = 2
        12.0
        >>> slope = numerical_derivative(lambda x: x ** 3, 2.0, eps=0.1, method="forward")
        >>> round(slope.item(), 2)                                               # the secant is steeper
        12.61
        >>> dx, dw = numerical_derivative(lambda x, w: (x * w).sum(), (lucidnet.tensor([1.0, 2.0]), lucidnet.tensor(3.0)))
        >>> dx.tolist(), round(dw.item(), 6)                                     # d/dx = w, d/dw = x1 + x2
        ([3.0, 3.0], 3.0)
    """
    where = "numerical_derivative()"
    if method not in METHODS:
        raise ValueError(f"{where}: expected method to be one of {', '.join(map(repr, METHODS))}, got {method!r}.")
    if not isinstance(eps, numbers.Real) or isinstance(eps, bool) or not eps > 0:
        raise ValueError(f"{where}: expected a positive step eps, got {eps!r}.")
    if not callable(fn):
        raise TypeError(f"{where}: expected fn to be a function, got {type(fn).__name__}.")
    xs, inputs_tuple = _as_tuple(inputs)
    if not xs:
        raise ValueError(f"{where}: expected at least one input, got an empty tuple.")
    d = dtypes.to_dtype(dtype) if dtype is not None else None
    if d is not None and d.kind != "f":
        raise TypeError(f"{where}: expected a floating dtype, got {d}.")
    arrays = [_input_array(where, i, x, d) for i, x in enumerate(xs)]
    upper, lower = METHODS[method]

    def evaluate():
        with no_grad():
            return _outputs(where, fn(*[Tensor(a) for a in arrays]))

    base, outputs_tuple = evaluate()
    jacobians = [[np.zeros(o.shape + a.shape) for a in arrays] for o in base]     # [output][input]
    for i, a in enumerate(arrays):
        for j in np.ndindex(a.shape):
            x0 = a[j].copy()
            step = a.dtype.type(eps)
            a[j] = x0 + upper * step
            hi = evaluate()[0] if upper else base
            a[j] = x0 + lower * step
            lo = evaluate()[0] if lower else base
            a[j] = x0
            width = float((x0 + upper * step) - (x0 + lower * step))   # the distance really moved, after rounding
            for k, (h, l) in enumerate(zip(hi, lo)):
                if h.shape != base[k].shape:
                    raise ValueError(f"{where}: output {k} changed shape from {tuple(base[k].shape)} to "
                                     f"{tuple(h.shape)} when input {i} moved.")
                jacobians[k][i][(Ellipsis,) + j] = (h - l) / width
    per_output = [tuple(Tensor(j) for j in row) if inputs_tuple else Tensor(row[0]) for row in jacobians]
    return tuple(per_output) if outputs_tuple else per_output[0]
