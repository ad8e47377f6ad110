"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay (PyTorch's formulation)."""
import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent: ``p <- p - lr * g``, optionally with momentum.

    With momentum ``mu`` and dampening ``tau`` (same formulation and defaults as PyTorch; Sutskever et
    al. 2013 for Nesterov)::

        g   <- g + weight_decay * p                    (L2 penalty, when weight_decay > 0)
        buf <- g                        at the first step, then
        buf <- mu * buf + (1 - tau) * g
        g   <- g + mu * buf   if nesterov   else   buf
        p   <- p - lr * g

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        lr: learning rate. Default: 1e-3.
        momentum: momentum factor mu. Default: 0.
        dampening: dampening tau of the momentum. Default: 0.
        weight_decay: L2 penalty coefficient. Default: 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0). Default: False.
        maximize: maximize the objective (follow +g). Default: False.

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w                     # buf = 2 w0 = [2, -4]; w1 = [0.8, -1.6]; buf = 0.9 buf + 2 w1 = [3.4, -6.8]
        tensor([ 0.4600, -0.9200], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def _update(self, p, g, state, group):
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        f = p.dtype.type                                 # scalars in the parameter's dtype: no float64 upcast
        tmp = self._scratch(p)
        g = self._gradient(p, g, tmp, group["weight_decay"], group["maximize"])   # g, or computed into tmp
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= f(mu)
                if tau == 0:
                    buf += g
                else:                                    # (1 - tau) * g, into tmp (g is tmp or the user's grad)
                    buf += np.multiply(g, f(1 - tau), out=tmp)
            if group["nesterov"]:                        # g + mu * buf; dampening is 0 here
                g = np.add(g, np.multiply(buf, f(mu), out=self._scratch(p, 1)), out=tmp)
            else:
                g = buf
        p += np.multiply(g, f(-lr), out=tmp)             # tmp is free again: it holds -lr * g
