"""RMSprop: divide the gradient by a running root mean square of recent gradients (Hinton, lecture 6e)."""
import numpy as np

from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: each coordinate's step is scaled by a moving average of its squared gradient.

    Same formulation and defaults as PyTorch::

        g   <- g + weight_decay * p                     (L2 penalty, when weight_decay > 0)
        v   <- alpha * v + (1 - alpha) * g * g          (mean square)
        m   <- alpha * m + (1 - alpha) * g              (mean, only when centered)
        d   <- sqrt(v - m * m) + eps   if centered   else   sqrt(v) + eps
        buf <- momentum * buf + g / d;   p <- p - lr * buf      when momentum > 0
        p   <- p - lr * g / d                                   otherwise

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        lr: learning rate. Default: 1e-2.
        alpha: smoothing constant of the averages. Default: 0.99.
        eps: added to the denominator for numerical stability. Default: 1e-8.
        weight_decay: L2 penalty coefficient. Default: 0.
        momentum: momentum factor. Default: 0.
        centered: normalize by the estimated variance of the gradient instead of its mean square. Default: False.
        maximize: maximize the objective (follow +g). Default: False.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
        >>> (w * w).sum().backward(); opt.step()
        >>> w                    # the first step is lr / sqrt(1 - alpha) = 0.02 per coordinate
        tensor([ 0.9800, -1.9800], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _update(self, p, g, state, group):
        f = p.dtype.type
        alpha, mu = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p)
        state["step"] += 1
        g = self._gradient(p, g, self._scratch(p), group["weight_decay"], group["maximize"])
        tmp = self._scratch(p, 1)
        v = state["square_avg"]
        v *= f(alpha)                                             # v <- alpha v + (1 - alpha) g^2
        v += np.multiply(np.multiply(g, f(1 - alpha), out=tmp), g, out=tmp)
        if group["centered"]:
            m = state.get("grad_avg")
            if m is None:
                m = state["grad_avg"] = np.zeros_like(p)
            # m <- m + (1 - alpha) (g - m), PyTorch's lerp form of alpha m + (1 - alpha) g
            m += np.multiply(np.subtract(g, m, out=tmp), f(1 - alpha), out=tmp)
            denom = np.subtract(v, np.multiply(m, m, out=tmp), out=tmp)          # v - m^2, the variance
            denom = np.sqrt(denom, out=tmp)
        else:
            denom = np.sqrt(v, out=tmp)
        denom += f(group["eps"])
        step = np.divide(g, denom, out=tmp)                       # tmp reused: denominator, then g / denom
        if mu > 0:
            buf = state.get("momentum_buffer")
            if buf is None:                                       # momentum switched on after the first step
                buf = state["momentum_buffer"] = np.zeros_like(p)
            buf *= f(mu)
            buf += step
            p += np.multiply(buf, f(-group["lr"]), out=tmp)
        else:
            p += np.multiply(step, f(-group["lr"]), out=tmp)
