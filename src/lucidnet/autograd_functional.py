"""``lucidnet.autograd.functional``: derivatives of whole functions, as PyTorch's ``torch.autograd.functional``.

:func:`jacobian` runs one backward pass per output element (reverse mode: row by row); :func:`vjp` is one
backward pass with a chosen output gradient; :func:`jvp` is a row-vector product with the Jacobian.

lucidnet's backward is first-order (each primitive's backward is plain NumPy, not itself recorded), so second
derivatives (:func:`hessian`, :func:`hvp`, :func:`vhp`) are the central differences of the exact gradient,
in float64: exact for a quadratic up to rounding, with an error of order 1e-10 relative otherwise; and
``create_graph=True`` is accepted but gives results that do not require grad.

Every function takes ``func`` (tensors in, a tensor or a tuple of tensors out) and ``inputs`` (a tensor or
a tuple of tensors) and returns the same nesting PyTorch returns: a tuple where ``inputs`` (or the outputs)
were a tuple, a tensor otherwise.
"""
import sys

import numpy as np

from . import dtypes
from .autograd import enable_grad
from .numerical import numerical_derivative
from .tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

sys.modules["lucidnet.autograd.functional"] = sys.modules[__name__]    # PyTorch's import path works too

_STRATEGIES = ("reverse-mode", "forward-mode")


def _as_tuple(value):
    return (tuple(value), True) if isinstance(value, (tuple, list)) else ((value,), False)


def _leaves(where, inputs):
    """Fresh leaf tensors that require grad and share memory with the inputs (the inputs' own .grad and
    graph are never touched), and whether the inputs were a tuple."""
    xs, was_tuple = _as_tuple(inputs)
    if not xs:
        raise ValueError(f"{where}: expected at least one input tensor, got an empty tuple.")
    leaves = []
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{where}: expected inputs to be a Tensor or a tuple of Tensors, got "
                            f"{type(x).__name__} for input {i}.")
        if x.array.dtype.kind != "f":
            raise TypeError(f"{where}: expected floating-point inputs, got dtype {x.array.dtype} for input {i}.")
        leaves.append(Tensor._wrap(x.array).requires_grad_())
    return leaves, was_tuple


def _call(where, func, leaves):
    with enable_grad():                        # as PyTorch: works inside no_grad() too
        outs, was_tuple = _as_tuple(func(*leaves))
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{where}: expected func to return a Tensor or a tuple of Tensors, got "
                            f"{type(o).__name__} for output {k}.")
    return outs, was_tuple


def _check_strategy(where, name, strategy):
    if strategy not in _STRATEGIES:
        raise ValueError(f"{where}: expected {name} to be 'reverse-mode' or 'forward-mode', got {strategy!r}.")


def _pullback(where, out, k, leaves, seed, strict, retain):
    """The gradient of each leaf for output ``out`` weighted by ``seed`` (one backward pass), as arrays."""
    if not out.requires_grad:
        if strict:
            raise RuntimeError(f"{where}: output {k} does not depend on the inputs (it does not require grad); "
                               f"with strict=True this is an error.")
        return [np.zeros(leaf.shape, leaf.array.dtype) for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    out.backward(Tensor._wrap(np.asarray(seed, dtype=out.array.dtype)), retain_graph=retain)
    grads = []
    for i, leaf in enumerate(leaves):
        if leaf.grad is None:
            if strict:
                raise RuntimeError(f"{where}: output {k} is independent of input {i}; with strict=True this is "
                                   f"an error.")
            grads.append(np.zeros(leaf.shape, leaf.array.dtype))
            continue
        g = leaf.grad.array
        if g.shape != leaf.shape:
            raise RuntimeError(f"{where}: backward gave input {i} a gradient of shape {tuple(g.shape)}, expected "
                               f"{tuple(leaf.shape)} (the input's shape); the backward of an op in func is wrong.")
        grads.append(g)
        leaf.grad = None
    return grads


def _nest(per_output, outputs_tuple, inputs_tuple):
    """[output][input] tensors -> PyTorch's nesting."""
    rows = [tuple(row) if inputs_tuple else row[0] for row in per_output]
    return tuple(rows) if outputs_tuple else rows[0]


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: every partial derivative d output[j] / d input[i].

    Computed row by row: one backward pass per output element, seeded with a one-hot gradient.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (floating point).
        create_graph: accepted for PyTorch code; lucidnet's backward is first-order, so the result does not
            require grad either way.
        strict: raise if an output does not depend on an input (instead of giving zeros). Default: False.
        vectorize: accepted for PyTorch code (PyTorch batches the rows with vmap); the rows are computed one
            by one either way.
        strategy: "reverse-mode" or "forward-mode"; lucidnet has reverse mode only, and both give the
            same Jacobian.

    Returns:
        For one input and one output, a tensor of shape ``output.shape + input.shape``; a tuple over the
        inputs where ``inputs`` is a tuple; a tuple over the outputs (of those) where ``func`` returns one.

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import jacobian
        >>> A = lucidnet.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        >>> jacobian(lambda x: A @ x, lucidnet.tensor([1.0, -1.0]))          # a linear map's Jacobian is its matrix
        tensor([[1., 2.],
                [3., 4.],
                [5., 6.]])
    """
    where = "jacobian()"
    _check_strategy(where, "strategy", strategy)
    leaves, inputs_tuple = _leaves(where, inputs)
    outs, outputs_tuple = _call(where, func, leaves)
    per_output = []
    for k, out in enumerate(outs):
        if out.array.dtype.kind != "f":
            raise TypeError(f"{where}: expected floating-point outputs, got dtype {out.array.dtype} for output {k}.")
        rows = [np.zeros(out.shape + leaf.shape, np.result_type(out.array.dtype, leaf.array.dtype)) for leaf in leaves]
        seed = np.zeros(out.shape, out.array.dtype)
        for j in np.ndindex(out.shape):
            seed[j] = 1
            grads = _pullback(where, out, k, leaves, seed, strict, retain=True)
            seed[j] = 0
            for row, g in zip(rows, grads):
                row[j] = g
        per_output.append([Tensor._wrap(r) for r in rows])
    return _nest(per_output, outputs_tuple, inputs_tuple)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product v^T J, in one backward pass, and func's output.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the output gradient, one tensor per output of func's shape; may be None when func returns a
            single-element tensor.
        create_graph: accepted for PyTorch code (the result does not require grad).
        strict: raise if an output does not depend on an input. Default: False.

    Returns:
        ``(func_output, vjp)``: the output (detached) and one gradient per input, nested as ``inputs``.

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import vjp
        >>> out, g = vjp(lambda x: x ** 2, lucidnet.tensor([1.0, 2.0]), lucidnet.tensor([1.0, 10.0]))
        >>> out, g
        (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    where = "vjp()"
    leaves, inputs_tuple = _leaves(where, inputs)
    outs, outputs_tuple = _call(where, func, leaves)
    vs = _as_tuple(v)[0] if v is not None else (None,) * len(outs)
    if len(vs) != len(outs):
        raise ValueError(f"{where}: expected v to have one tensor per output ({len(outs)}), got {len(vs)}.")
    totals = [np.zeros(leaf.shape, leaf.array.dtype) for leaf in leaves]
    for k, (out, vk) in enumerate(zip(outs, vs)):
        if vk is None:
            if out.array.size != 1:
                raise ValueError(f"{where}: expected v for output {k} of shape {tuple(out.shape)}; v may be None only "
                                 f"for a single-element output.")
            vk = np.ones(out.shape)
        seed = vk.array if isinstance(vk, Tensor) else np.asarray(vk)
        if seed.shape != out.shape:
            raise ValueError(f"{where}: expected v for output {k} of shape {tuple(out.shape)}, "
                             f"got {tuple(seed.shape)}.")
        for total, g in zip(totals, _pullback(where, out, k, leaves, seed, strict, retain=False)):
            total += g
    detached = tuple(o.detach() for o in outs) if outputs_tuple else outs[0].detach()
    grads = tuple(Tensor._wrap(t) for t in totals)
    return detached, (grads if inputs_tuple else grads[0])


def _vector_for(where, v, like, name):
    vs, _ = _as_tuple(v)
    if len(vs) != len(like):
        raise ValueError(f"{where}: expected {name} to have one tensor per input ({len(like)}), got {len(vs)}.")
    arrays = []
    for i, (vi, x) in enumerate(zip(vs, like)):
        a = vi.array if isinstance(vi, Tensor) else np.asarray(vi)
        if a.shape != x.shape:
            raise ValueError(f"{where}: expected {name} for input {i} of shape {tuple(x.shape)}, got {tuple(a.shape)}.")
        arrays.append(a)
    return arrays


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product J v (how the outputs move when the inputs move along v), and func's output.

    lucidnet has no forward mode: this is the full :func:`jacobian` times v, fine for the small functions
    one studies it on.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the input direction, one tensor per input of its shape; may be None for a single-element input.
        create_graph: accepted for PyTorch code (the result does not require grad).
        strict: raise if an output does not depend on an input. Default: False.

    Returns:
        ``(func_output, jvp)``: the output (detached) and J v, nested as func's outputs.

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import jvp
        >>> A = lucidnet.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> jvp(lambda x: A @ x, lucidnet.tensor([1.0, 1.0]), lucidnet.tensor([1.0, 0.0]))[1]
        tensor([1., 3.])
    """
    where = "jvp()"
    xs, _ = _as_tuple(inputs)
    if v is None:
        if len(xs) != 1 or not isinstance(xs[0], Tensor) or xs[0].array.size != 1:
            raise ValueError(f"{where}: expected v (one tensor per input); v may be None only for a single "
                             f"single-element input.")
        v = Tensor(np.ones(xs[0].shape, xs[0].array.dtype))
    with_inputs = jacobian(func, tuple(xs), strict=strict)                   # always nested over inputs here
    leaves, _ = _leaves(where, tuple(xs))
    outs, outputs_tuple = _call(where, func, leaves)
    vs = _vector_for(where, v, xs, "v")
    per_output = with_inputs if outputs_tuple else (with_inputs,)
    products = []
    for out, row in zip(outs, per_output):
        total = np.zeros(out.shape, out.array.dtype)
        for jac, vi in zip(row, vs):
            total += np.tensordot(jac.array, vi, axes=vi.ndim) if vi.ndim else jac.array * vi
        products.append(Tensor._wrap(total))
    detached = tuple(o.detach() for o in outs) if outputs_tuple else outs[0].detach()
    return detached, (tuple(products) if outputs_tuple else products[0])


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: every second partial derivative d2 f / d input[i] d input[j].

    The gradient comes from backward() (exact); its derivative, by central differences in float64 (lucidnet's
    backward is first-order). The result is symmetrised, as a Hessian of a smooth function is. Exact for
    quadratics up to rounding.

    Args:
        func: a function of tensors returning a single-element tensor.
        inputs: a tensor or a tuple of tensors (floating point).
        create_graph: accepted for PyTorch code (the result does not require grad).
        strict: raise if the output does not depend on an input. Default: False.
        vectorize: accepted for PyTorch code.
        outer_jacobian_strategy: "reverse-mode" or "forward-mode"; accepted for PyTorch code.

    Returns:
        For one input, a tensor of shape ``input.shape + input.shape``; for a tuple of inputs, a tuple of
        tuples: ``H[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``. In the inputs' dtype.

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import hessian
        >>> h = hessian(lambda x: (x[0] ** 2) * x[1], lucidnet.tensor([1.0, 3.0], dtype=lucidnet.float64))
        >>> h.numpy().round(6).tolist()                     # [[2 x1, 2 x0], [2 x0, 0]]
        [[6.0, 2.0], [2.0, 0.0]]
    """
    where = "hessian()"
    _check_strategy(where, "outer_jacobian_strategy", outer_jacobian_strategy)
    leaves, inputs_tuple = _leaves(where, inputs)
    shapes = [leaf.shape for leaf in leaves]

    _gradient_of(where, func, leaves, strict)             # a bad func fails here, before the differences
    h = numerical_derivative(lambda *xs: tuple(_gradient_of(where, func, list(xs), strict)), tuple(leaves),
                             eps=1e-5, dtype=dtypes.float64)
    h = [[h[i][j].array for j in range(len(leaves))] for i in range(len(leaves))]
    n = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    result = []
    for i in range(len(leaves)):
        row = []
        for j in range(len(leaves)):
            sym = (h[i][j].reshape(n[i], n[j]) + h[j][i].reshape(n[j], n[i]).T) / 2
            row.append(Tensor._wrap(sym.reshape(shapes[i] + shapes[j]).astype(
                np.result_type(leaves[i].array.dtype, leaves[j].array.dtype))))
        result.append(tuple(row) if inputs_tuple else row[0])
    return tuple(result) if inputs_tuple else result[0]


def _gradient_of(where, func, xs, strict):
    """The gradient of the scalar func at xs (float64 tensors), one array-backed tensor per input."""
    leaves = [Tensor._wrap(x.array).requires_grad_() for x in xs]
    outs, outputs_tuple = _call(where, func, leaves)
    if outputs_tuple or outs[0].array.size != 1:
        got = f"a tuple of {len(outs)}" if outputs_tuple else f"a tensor of shape {tuple(outs[0].shape)}"
        raise ValueError(f"{where}: expected func to return a single-element tensor, got {got}.")
    out = outs[0]
    grads = _pullback(where, out, 0, leaves, np.ones(out.shape), strict, retain=False)
    return [Tensor._wrap(np.asarray(g, dtype=np.float64)) for g in grads]


def _products(where, func, inputs, v, transpose):
    xs, inputs_tuple = _as_tuple(inputs)
    vs = _vector_for(where, v, xs, "v")
    h = hessian(func, tuple(xs))
    leaves, _ = _leaves(where, tuple(xs))
    out = func(*leaves)
    products = []
    for i, x in enumerate(xs):
        total = np.zeros(x.shape, x.array.dtype)
        for j, vj in enumerate(vs):
            block = h[j][i].array if transpose else h[i][j].array        # vhp: v^T H; hvp: H v
            if transpose:
                total += np.tensordot(vj, block, axes=vj.ndim) if vj.ndim else vj * block
            else:
                total += np.tensordot(block, vj, axes=vj.ndim) if vj.ndim else block * vj
        products.append(Tensor._wrap(total))
    return out.detach(), (tuple(products) if inputs_tuple else products[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product H v of a scalar function, and its value (see :func:`hessian`).

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import hvp
        >>> x = lucidnet.tensor([1.0, 2.0], dtype=lucidnet.float64)
        >>> hvp(lambda x: (x ** 2).sum(), x, lucidnet.tensor([1.0, 0.0], dtype=lucidnet.float64))[1].tolist()
        [2.0, 0.0]
    """
    return _products("hvp()", func, inputs, _default_v("hvp()", inputs, v), transpose=False)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product v^T H of a scalar function, and its value (see :func:`hessian`).

    Example:
        >>> import lucidnet
        >>> from lucidnet.autograd.functional import vhp
        >>> x = lucidnet.tensor([1.0, 2.0], dtype=lucidnet.float64)
        >>> vhp(lambda x: x[0] * x[1], x, lucidnet.tensor([1.0, 0.0], dtype=lucidnet.float64))[1].numpy().round(6)
        array([0., 1.])
    """
    return _products("vhp()", func, inputs, _default_v("vhp()", inputs, v), transpose=True)


def _default_v(where, inputs, v):
    if v is not None:
        return v
    xs, _ = _as_tuple(inputs)
    if len(xs) == 1 and isinstance(xs[0], Tensor) and xs[0].array.size == 1:
        return Tensor(np.ones(xs[0].shape, xs[0].array.dtype))
    raise ValueError(f"{where}: expected v (one tensor per input); v may be None only for a single single-element "
                     f"input.")

