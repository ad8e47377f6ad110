"""Adagrad: per-coordinate learning rates from the sum of all past squared gradients (Duchi et al., 2011)."""
import numpy as np

from .optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: each coordinate's step shrinks with the total size of its past gradients.

    Same formulation and defaults as PyTorch, at step t::

        g   <- g + weight_decay * p                     (L2 penalty, when weight_decay > 0)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        sum <- sum + g * g                              (starts at initial_accumulator_value)
        p   <- p - lr_t * g / (sqrt(sum) + eps)

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        lr: learning rate. Default: 1e-2.
        lr_decay: learning-rate decay per step. Default: 0.
        weight_decay: L2 penalty coefficient. Default: 0.
        initial_accumulator_value: starting value of the sum of squares. Default: 0.
        eps: added to the denominator for numerical stability. Default: 1e-10.
        maximize: maximize the objective (follow +g). Default: False.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = Adagrad([w], lr=0.5)
        >>> (w * w).sum().backward(); opt.step()
        >>> w                    # the first step moves every coordinate by lr, whatever its gradient
        tensor([ 0.5000, -1.5000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))

    def _update(self, p, g, state, group):
        f = p.dtype.type
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p, group["initial_accumulator_value"])
        t = state["step"] = state["step"] + 1
        lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        g = self._gradient(p, g, self._scratch(p), group["weight_decay"], group["maximize"])
        tmp = self._scratch(p, 1)
        state["sum"] += np.multiply(g, g, out=tmp)                 # sum of squared gradients
        denom = np.add(np.sqrt(state["sum"], out=tmp), f(group["eps"]), out=tmp)
        step = np.divide(g, denom, out=tmp)                        # tmp reused: denominator, then g / denom
        p += np.multiply(step, f(-lr_t), out=tmp)
