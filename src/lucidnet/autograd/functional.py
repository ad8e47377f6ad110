"""``lucidnet.autograd.functional``: whole Jacobians and vector-Jacobian products of a function, PyTorch's
``torch.autograd.functional`` (reverse mode; one backward per output element for a Jacobian).

Example:
    >>> import lucidnet
    >>> jacobian(lambda x: x ** 2, lucidnet.tensor([1.0, 3.0]))
    tensor([[2., 0.],
            [0., 6.]])
"""
import numpy as np

from . import grad


def _as_inputs(inputs):
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    return single, tuple(t.detach().requires_grad_(t.array.dtype.kind == "f") for t in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: the outputs and the vector-Jacobian product with ``v`` (omit v for a scalar).

    Example:
        >>> import lucidnet
        >>> vjp(lambda x: (x * x).sum(), lucidnet.tensor([1.0, 2.0]))[1]
        tensor([2., 4.])
    """
    single, inputs = _as_inputs(inputs)
    out = func(*inputs)
    grads = grad(out, inputs, v, allow_unused=True, materialize_grads=True)
    return out.detach(), grads[0] if single else grads


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` (a tuple per input or output
    when there are several).

    Example:
        >>> import lucidnet
        >>> jacobian(lambda x: x.sum(), lucidnet.tensor([1.0, 2.0]))
        tensor([1., 1.])
    """
    single_in, inputs = _as_inputs(inputs)
    outs = func(*inputs)
    single_out = isinstance(outs, Tensor)
    outs = (outs,) if single_out else tuple(outs)
    result = []
    for out in outs:
        rows = [np.zeros((out.array.size,) + t.array.shape, dtype=t.array.dtype) for t in inputs]
        for j in range(out.array.size):
            v = np.zeros(out.array.size, dtype=out.array.dtype)
            v[j] = 1
            gs = grad(out, inputs, Tensor._wrap(v.reshape(out.array.shape)), retain_graph=True,
                      allow_unused=True, materialize_grads=True) if out.requires_grad else [None] * len(inputs)
            for r, g in zip(rows, gs):
                if g is not None:
                    r[j] = g.array
        per_input = tuple(Tensor._wrap(r.reshape(out.array.shape + t.array.shape)) for r, t in zip(rows, inputs))
        result.append(per_input[0] if single_in else per_input)
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """Not supported: a Hessian needs gradients of gradients, and lucidnet's backward computes with NumPy."""
    raise NotImplementedError("hessian(): gradients of gradients are not supported (lucidnet's backward closures "
                              "compute with NumPy arrays, not recorded ops).")


from ..tensor import Tensor  # noqa: E402
