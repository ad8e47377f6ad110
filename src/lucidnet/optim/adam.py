"""Adam (Kingma & Ba, 2015), its AMSGrad variant (Reddi et al., 2018) and AdamW (Loshchilov & Hutter, 2019)."""
import math

import numpy as np

from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: momentum on the gradient, scaled per coordinate by a running root mean square.

    Same formulation and defaults as PyTorch, at step t::

        g <- g + weight_decay * p                 (L2 penalty; AdamW instead shrinks p: p <- p (1 - lr wd))
        m <- beta1 * m + (1 - beta1) * g          (first moment)
        v <- beta2 * v + (1 - beta2) * g * g      (second moment; AMSGrad divides by the max of all v so far)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),   m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)

    The bias corrections are folded into two scalars, as the paper suggests (end of its section 2):
    ``p <- p - lr_t * m / (sqrt(v) + eps_t)`` with ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)`` and
    ``eps_t = eps sqrt(1 - beta2^t)``: the same value, two passes over the arrays fewer.

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        lr: learning rate. Default: 1e-3.
        betas: decay rates (beta1, beta2) of the two moments, each in [0, 1). Default: (0.9, 0.999).
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: L2 penalty coefficient. Default: 0.
        amsgrad: use AMSGrad, which normalizes by the largest second moment seen. Default: False.
        maximize: maximize the objective (follow +g). Default: False.
        decoupled_weight_decay: shrink the weights directly instead of adding an L2 term to the gradient
            (this is AdamW). Default: False.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> w                    # the first step moves every coordinate by about lr, whatever its gradient
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, p, g, state, group):
        f = p.dtype.type                                   # scalars in the parameter's dtype: no float64 upcast
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
        t = state["step"] = state["step"] + 1
        if wd and group["decoupled_weight_decay"]:         # AdamW: shrink the weights, not the gradient
            p *= f(1 - lr * wd)
            wd = 0
        g = self._gradient(p, g, self._scratch(p, 1), wd, group["maximize"])
        tmp = self._scratch(p)                             # one work array, reused by every line below
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= f(beta1)
        m += np.multiply(g, f(1 - beta1), out=tmp)
        v *= f(beta2)
        v += np.multiply(np.multiply(g, f(1 - beta2), out=tmp), g, out=tmp)
        if group["amsgrad"]:
            v_max = state.get("max_exp_avg_sq")
            if v_max is None:
                v_max = state["max_exp_avg_sq"] = np.zeros_like(p)
            v = np.maximum(v_max, v, out=v_max)
        if lr == 0:                                        # nothing to move (a warmup starting from lr = 0)
            return
        bias2 = math.sqrt(1 - beta2 ** t)
        lr_t = lr * bias2 / (1 - beta1 ** t)
        denom = np.add(np.sqrt(v, out=tmp), f(group["eps"] * bias2), out=tmp)
        p += np.multiply(np.divide(m, denom, out=tmp), f(-lr_t), out=tmp)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p <- p (1 - lr * weight_decay)`` before the Adam step.

    Unlike an L2 term added to the gradient (``Adam(weight_decay=...)``), the decay is not rescaled by
    Adam's per-coordinate step sizes, so every weight shrinks at the same rate (Loshchilov & Hutter).
    Same defaults as PyTorch; see :class:`Adam` for the other arguments.

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        lr: learning rate. Default: 1e-3.
        betas: decay rates of the two moments. Default: (0.9, 0.999).
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: decoupled weight decay coefficient. Default: 1e-2.
        amsgrad: use AMSGrad. Default: False.
        maximize: maximize the objective. Default: False.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w * w).sum().backward(); opt.step()
        >>> w                    # shrunk by 1 - 0.1 * 0.5, then the Adam step of about lr
        tensor([ 0.8500, -1.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)
