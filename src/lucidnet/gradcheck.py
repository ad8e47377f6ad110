"""``lucidnet.autograd.gradcheck``: is a backward right? Compare it with the slope between two close points.

:func:`gradcheck` has PyTorch's signature and semantics: the Jacobian that backward() gives (one backward
pass per output element, :func:`lucidnet.autograd.functional.jacobian`) must equal the Jacobian by central
differences (:func:`lucidnet.numerical.numerical_derivative`) within ``atol + rtol * |numerical|``, for every
output and every input that requires grad. Run it in float64: in float32 the differences keep too few digits.
"""
import numbers
import warnings

import numpy as np

from . import dtypes
from .autograd_functional import jacobian, vjp
from .autograd import no_grad
from .numerical import numerical_derivative
from .tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "numerical_derivative"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the analytical and numerical Jacobians differ (as PyTorch's).

    Example:
        >>> issubclass(GradcheckError, RuntimeError)
        True
    """


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def _mismatch(k, i, numerical, analytical, where="Jacobian mismatch"):
    diff = np.abs(numerical - analytical)
    j = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    spot = f" at index {tuple(int(n) for n in j)}" if diff.ndim else ""
    with np.printoptions(precision=4, suppress=True, threshold=200):
        return (f"gradcheck(): {where} for output {k} with respect to input {i}: the largest difference is "
                f"{float(diff[j]):.6g}{spot} (numerical {float(numerical[j]):.6g}, analytical "
                f"{float(analytical[j]):.6g}).\nnumerical:\n{numerical}\nanalytical:\n{analytical}")


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              fast_mode=False):
    """Check the gradients that backward() computes for ``func`` against finite differences.

    For every output of ``func`` and every input with ``requires_grad=True``, the Jacobian from backward()
    (analytical) must equal the Jacobian by central differences with step ``eps`` (numerical):
    ``|analytical - numerical| <= atol + rtol * |numerical|`` elementwise. Backward is run twice, and
    the two results must agree within ``nondet_tol`` (a backward that depends on hidden state is a bug).

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (and other values, passed through). Those with
            ``requires_grad=True`` are checked; they should be float64.
        eps: the finite-difference step. Default: 1e-6.
        atol: absolute tolerance. Default: 1e-5.
        rtol: relative tolerance. Default: 1e-3.
        raise_exception: raise :class:`GradcheckError` on failure (else return False). Default: True.
        nondet_tol: how far two backward passes may differ. Default: 0.0.
        fast_mode: compare one random projection ``v^T J u`` per output and input instead of the whole
            Jacobian (two function calls and one backward pass per pair, as PyTorch's fast mode). Default: False.

    Returns:
        True when every check passes.

    Raises:
        GradcheckError: a Jacobian differs (the message names the output, the input and the worst element).

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd import gradcheck
        >>> x = lucidnet.randn(3, 2, dtype=lucidnet.float64, requires_grad=True)
        >>> w = lucidnet.randn(2, 4, dtype=lucidnet.float64, requires_grad=True)
        >>> gradcheck(lambda x, w: (x @ w).tanh(), (x, w))
        True
        >>> from lucidnet.autograd import primitive
        >>> @primitive
        ... def cube(x):
        ...     return x ** 3, lambda g: (g * 2 * x ** 2,)           # wrong: should be 3 x**2
        >>> gradcheck(cube, x, raise_exception=False)
        False
        >>> del lucidnet.autograd.PRIMITIVES["cube"]
    """
    where = "gradcheck()"
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol), ("nondet_tol", nondet_tol)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0 or (name == "eps"
                                                                                             and value == 0):
            raise ValueError(f"{where}: expected {name} to be a {'positive' if name == 'eps' else 'non-negative'} "
                             f"number, got {value!r}.")
    items = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    checked = [i for i, x in enumerate(items) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(f"{where}: expected at least one input tensor to require gradient, but none of them have "
                         f"requires_grad=True.")
    for i in checked:
        if items[i].array.dtype != dtypes.float64:
            warnings.warn(f"{where}: input {i} requires gradient and is not a double precision floating point "
                          f"tensor ({items[i].array.dtype}); this check will likely fail unless all inputs are float64.",
                          stacklevel=2)

    def on_checked(*xs):                       # func with the checked inputs as its only arguments
        args = list(items)
        for i, x in zip(checked, xs):
            args[i] = x
        return func(*args)

    xs = tuple(items[i] for i in checked)
    if fast_mode:
        return _fast(on_checked, xs, checked, eps, atol, rtol, raise_exception)
    try:
        analytical = jacobian(on_checked, xs)
        again = jacobian(on_checked, xs)
    except RuntimeError as e:                  # e.g. backward gave a gradient of the wrong shape
        return _fail(f"{where}: backward failed: {e}", raise_exception)
    numerical = numerical_derivative(on_checked, xs, eps=eps, dtype=None)
    if isinstance(numerical[0], Tensor):       # one output: nest as [output][input] like several outputs
        analytical, again, numerical = (analytical,), (again,), (numerical,)
    for k, (a_row, b_row, n_row) in enumerate(zip(analytical, again, numerical)):
        for pos, (a, b, n) in enumerate(zip(a_row, b_row, n_row)):
            a, b, n = a.array.astype(np.float64), b.array.astype(np.float64), n.array
            if np.max(np.abs(a - b), initial=0.0) > nondet_tol:
                return _fail(_mismatch(k, checked[pos], b, a, "Backward is not reentrant: two backward passes "
                                                            "differ"), raise_exception)
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(_mismatch(k, checked[pos], n, a), raise_exception)
    return True


def _fast(fn, xs, checked, eps, atol, rtol, raise_exception):
    """PyTorch's fast mode: for random unit u (an input direction) and v (an output weighting), v^T J u from
    one backward pass against (v . f(x + eps u) - v . f(x - eps u)) / (2 eps)."""
    rng = np.random.default_rng(0)
    with no_grad():
        outs = fn(*xs)
    single = not isinstance(outs, (tuple, list))
    outs = (outs,) if single else tuple(outs)
    for k, out in enumerate(outs):
        v = rng.standard_normal(out.shape).astype(out.array.dtype)

        def weighted(*ys, k=k, v=v):
            o = fn(*ys)
            o = o if single else o[k]
            return (o * Tensor._wrap(v)).sum()

        _, grads = vjp(weighted, xs)
        for pos, (x, g) in enumerate(zip(xs, grads)):
            u = rng.standard_normal(x.shape)
            u = (u / max(np.linalg.norm(u), 1e-12)).astype(x.array.dtype)
            analytical = float(np.sum(g.array.astype(np.float64) * u))
            values = []
            for sign in (1, -1):
                moved = list(xs)
                moved[pos] = Tensor._wrap(x.array + sign * x.array.dtype.type(eps) * u)
                with no_grad():
                    values.append(float(weighted(*moved).array))
            numerical = (values[0] - values[1]) / (2 * eps)
            if not np.isclose(analytical, numerical, rtol=rtol, atol=atol):
                return _fail(f"gradcheck(): Jacobian mismatch for output {k} with respect to input {checked[pos]} "
                             f"(fast mode, along a random direction): numerical {numerical:.6g}, analytical "
                             f"{analytical:.6g}. Run with fast_mode=False to see the whole Jacobians.",
                             raise_exception)
    return True
