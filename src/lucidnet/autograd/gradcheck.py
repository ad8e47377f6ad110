"""``gradcheck``: compare the gradients backward computes with central finite differences (PyTorch's
``torch.autograd.gradcheck``), for checking a custom :class:`~lucidnet.autograd.Function`.

Example:
    >>> import lucidnet
    >>> x = lucidnet.randn(3, dtype=lucidnet.float64, requires_grad=True)
    >>> gradcheck(lambda a: (a * a.sin()).sum(), (x,))
    True
"""
import numpy as np

from . import grad, no_grad


class GradcheckError(RuntimeError):
    """The analytical and numerical gradients of a function disagree."""


def _outputs(func, inputs):
    out = func(*inputs)
    return [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False, check_backward_ad=True,
              fast_mode=False, masked=None, **kwargs):
    """Check ``func``'s gradients with respect to the inputs that require grad against central differences.

    Args:
        func: takes ``*inputs`` and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments; those that require grad are checked (use float64).
        eps: the finite-difference step.
        atol, rtol: how close each Jacobian entry must be: ``|a - n| <= atol + rtol * |n|``.
        raise_exception: raise GradcheckError on a mismatch (default) instead of returning False.

    Returns:
        True when every Jacobian entry agrees.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        n_out = out.array.size
        for i in checked:
            x = inputs[i]
            analytical = np.zeros((x.array.size, n_out))
            for j in range(n_out):                    # one backward per output element: a row of the Jacobian
                v = np.zeros(n_out, dtype=out.array.dtype)
                v[j] = 1
                g, = grad(_outputs(func, inputs)[k], x, v.reshape(out.array.shape), allow_unused=True)
                if g is not None:
                    analytical[:, j] = g.array.ravel()
            numerical = np.zeros_like(analytical)
            flat = x.array.reshape(-1)                # a view: perturb x in place, without recording
            with no_grad():
                for p in range(flat.size):
                    old = flat[p]
                    flat[p] = old + eps
                    plus = _outputs(func, inputs)[k].array.astype(np.float64).ravel()
                    flat[p] = old - eps
                    minus = _outputs(func, inputs)[k].array.astype(np.float64).ravel()
                    flat[p] = old
                    numerical[p] = (plus - minus) / (2 * eps)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(f"gradcheck: Jacobian mismatch for output {k} with respect to input {i},\n"
                                         f"numerical:{numerical}\nanalytical:{analytical}")
                return False
    return True


from ..tensor import Tensor  # noqa: E402
