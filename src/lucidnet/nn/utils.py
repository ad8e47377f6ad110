"""Helpers that act on a model's parameters as a whole: gradient clipping and flattening to one vector.

Gradient clipping rescales (``clip_grad_norm_``) or clamps (``clip_grad_value_``) the ``.grad`` of every
parameter in place, between ``loss.backward()`` and ``optimizer.step()``; same semantics as PyTorch's
``torch.nn.utils``. Depends only on the core, so ``lucidnet.nn`` can import it first.
"""
import math

import numpy as np

from ..functional import cat
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _tensors(where, parameters):
    """A list from a single tensor or an iterable of tensors, refusing anything else."""
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(f"{where}: expected a tensor or an iterable of tensors (e.g. model.parameters()), "
                        f"got {type(parameters).__name__}.") from None
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: expected an iterable of tensors, got an element of type {type(p).__name__}.")
    return params


def _vector_norm(x, p):
    """The p-norm of an array seen as one vector, in its own dtype: max|x| for inf, the count of nonzeros for 0."""
    if p == math.inf:
        return np.max(np.abs(x)) if x.size else x.dtype.type(0)
    if p == -math.inf:
        return np.min(np.abs(x)) if x.size else x.dtype.type(math.inf)
    if p == 0:
        return x.dtype.type(np.count_nonzero(x))
    x = x.ravel()
    if p == 2:
        return np.sqrt(np.dot(x, x))           # a BLAS dot product: no |x|**2 temporary
    if p == 1:
        return np.sum(np.abs(x))
    return np.sum(np.abs(x) ** x.dtype.type(p)) ** x.dtype.type(1 / p)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale gradients in place so that their total norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of all gradients concatenated into one vector. When it exceeds
    ``max_norm``, every gradient is multiplied by ``max_norm / (total_norm + 1e-6)`` (same formula as
    PyTorch), so the direction of the update is kept and only its length is limited. Parameters whose
    ``.grad`` is None are skipped.

    Args:
        parameters: a tensor or an iterable of tensors (``model.parameters()``).
        max_norm: the largest total norm allowed.
        norm_type: the order of the norm: 2.0 (Euclidean), 1.0, ``float('inf')`` (largest absolute value), ...
        error_if_nonfinite: raise a RuntimeError when the total norm is nan or inf, instead of scaling by it.

    Returns:
        The total norm of the gradients before clipping, a 0-d Tensor.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([3.0, 4.0], requires_grad=True)
        >>> (w * w).sum().backward()          # grad = 2w = [6, 8], norm 10
        >>> clip_grad_norm_([w], max_norm=5.0)
        tensor(10.)
        >>> w.grad                            # scaled by 5 / (10 + 1e-6)
        tensor([3.0000, 4.0000])
    """
    params = _tensors("clip_grad_norm_", parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    grads = [p.grad.array for p in params if p.grad is not None]
    if not grads:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    norms = np.array([_vector_norm(g, norm_type) for g in grads], dtype=np.result_type(*grads))
    total = np.asarray(_vector_norm(norms, norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: expected gradients with a finite total norm of order {norm_type}, "
                           f"got {total.item()}. Set error_if_nonfinite=False to scale the gradients by it anyway.")
    t = total.dtype.type
    coef = min(t(max_norm) / (total + t(1e-6)), t(1.0))   # in the gradients' dtype, as PyTorch computes it
    if coef < 1.0 or not np.isfinite(coef):                # multiplying by exactly 1.0 would change nothing
        with np.errstate(invalid="ignore"):                 # inf * 0 -> nan, silently, as in PyTorch
            for g in grads:
                np.multiply(g, coef.astype(g.dtype), out=g)
        for p in params:
            if p.grad is not None:
                p.grad._bump()                              # in-place edits, seen by the version counter
    return Tensor._wrap(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    Args:
        parameters: a tensor or an iterable of tensors (``model.parameters()``).
        clip_value: the largest absolute value a gradient element may keep.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0, 3.0], requires_grad=True)
        >>> (w * w).sum().backward()          # grad = [2, -4, 6]
        >>> clip_grad_value_(w, 3.0)
        >>> w.grad
        tensor([ 2., -3.,  3.])
    """
    params = _tensors("clip_grad_value_", parameters)
    clip_value = float(clip_value)
    for p in params:
        if p.grad is not None:
            g = p.grad.array
            np.clip(g, g.dtype.type(-clip_value), g.dtype.type(clip_value), out=g)
            p.grad._bump()


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one vector (differentiable, like ``torch.cat``).

    Args:
        parameters: an iterable of tensors (``model.parameters()``).

    Example:
        >>> import lucidnet
        >>> parameters_to_vector([lucidnet.ones(2, 2), lucidnet.zeros(3)])
        tensor([1., 1., 1., 1., 0., 0., 0.])
    """
    params = _tensors("parameters_to_vector", parameters)
    if not params:
        raise ValueError("parameters_to_vector: expected at least one tensor, got none.")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the vector ``vec`` into the parameters, in place (the inverse of
    :func:`parameters_to_vector`).

    Args:
        vec: a 1-D tensor with as many elements as all parameters together.
        parameters: an iterable of tensors (``model.parameters()``), overwritten in place.

    Example:
        >>> import lucidnet
        >>> a, b = lucidnet.zeros(2, 2), lucidnet.zeros(1)
        >>> vector_to_parameters(lucidnet.arange(5.0), [a, b])
        >>> a, b
        (tensor([[0., 1.],
                [2., 3.]]), tensor([4.]))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got {type(vec).__name__}.")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {tuple(vec.shape)}.")
    params = _tensors("vector_to_parameters", parameters)
    total = sum(p.array.size for p in params)
    if vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: expected a vector of {total} elements (the parameters' total), "
                         f"got {vec.shape[0]}.")
    start = 0
    for p in params:
        n = p.array.size
        p.array[...] = vec.array[start:start + n].reshape(p.shape)   # in place: others hold references to p.array
        p._bump()
        start += n
