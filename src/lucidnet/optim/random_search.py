"""Random search: try a random change of the weights, keep it only when the loss falls. No gradients.

The optimizer every course tries first and abandons: it finds its way on easy data (separable clusters),
and gets lost when the loss surface needs a direction (spirals), because a random step in a space of
thousands of weights is almost never downhill. Gradients give that direction for the price of one backward
pass; comparing the two is the point of the tutorial that uses this class.
"""
import numbers

from ..creation import Generator, default_generator
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["RandomSearch"]


class RandomSearch(Optimizer):
    """Random search (hill climbing with Gaussian steps), with PyTorch's ``step(closure)`` protocol.

    Each ``step(closure)`` adds ``scale * N(0, 1)`` noise to every parameter, calls ``closure()`` for the
    loss there, and keeps the new weights only if that loss is lower than the best seen so far; otherwise
    it puts the old weights back. The closure only needs to return the loss: it may skip ``backward()``
    (gradients are never read) and may compute under ``lucidnet.no_grad()`` to run faster.

    Args:
        params: the tensors to optimize (``model.parameters()``), or a list of parameter-group dicts.
        scale: the standard deviation of a step. Default: 0.05 (as in the nnfs book's random search).
        generator: a :class:`lucidnet.Generator` for the steps. Default: lucidnet's default generator
            (``lucidnet.manual_seed(n)`` makes a run repeatable).

    Example:
        >>> import lucidnet
        >>> _ = lucidnet.manual_seed(0)
        >>> w = lucidnet.tensor([3.0, -2.0], requires_grad=True)
        >>> opt = RandomSearch([w], scale=0.5)
        >>> closure = lambda: (w * w).sum()                # the loss; no backward needed
        >>> first = opt.step(closure).item()
        >>> losses = [opt.step(closure).item() for _ in range(200)]
        >>> losses[-1] < 0.05 < first, all(a >= b for a, b in zip(losses, losses[1:]))     # it never goes up
        (True, True)
    """

    def __init__(self, params, scale=0.05, *, generator=None):
        if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not scale > 0:
            raise ValueError(f"RandomSearch: expected a positive step scale, got {scale!r}.")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"RandomSearch: expected generator to be a lucidnet.Generator, got "
                            f"{type(generator).__name__}.")
        super().__init__(params, dict(scale=float(scale)))
        self.generator = generator
        self.best_loss = None                  # the loss of the weights kept so far
        self.accepted = self.tried = 0

    def _loss(self, closure):
        loss = closure()
        value = loss.item() if isinstance(loss, Tensor) else float(loss)
        return loss, (value if value == value else float("inf"))          # nan never counts as better

    def step(self, closure=None):
        """Try one random step; keep it if the loss falls.

        Args:
            closure: a function returning the loss of the current weights (a tensor or a number). Required.

        Returns:
            The loss of the weights after the step: the new one if the step was kept, else the best so far
            (what the closure returned for those weights).
        """
        if closure is None:
            raise RuntimeError("RandomSearch.step(): expected a closure that returns the loss, got none; random "
                               "search compares losses, so it cannot step on gradients alone. Call "
                               "opt.step(lambda: loss_fn(model(x), y)).")
        if self.best_loss is None:              # the loss where we start
            self._best_result, self.best_loss = self._loss(closure)
        rng = (self.generator or default_generator).np
        saved = []
        for group in self.param_groups:
            for p in group["params"]:
                saved.append((p, p.array.copy()))
                p.array += (group["scale"] * rng.standard_normal(p.array.shape)).astype(p.array.dtype)
                p._bump()                       # an in-place change, as every optimizer's
        result, value = self._loss(closure)
        self.tried += 1
        if value < self.best_loss:
            self.best_loss, self._best_result = value, result
            self.accepted += 1
            return result
        for p, old in saved:                    # back to the best weights
            p.array[...] = old
            p._bump()
        return self._best_result

    def state_dict(self):
        """As :meth:`Optimizer.state_dict`, plus the best loss and the counts of tried and kept steps."""
        sd = super().state_dict()
        sd["random_search"] = {"best_loss": self.best_loss, "tried": self.tried, "accepted": self.accepted}
        return sd

    def load_state_dict(self, state_dict):
        """Restore :meth:`state_dict`'s output."""
        super().load_state_dict(state_dict)
        saved = state_dict.get("random_search", {})
        self.best_loss = saved.get("best_loss")
        self._best_result = self.best_loss
        self.tried, self.accepted = int(saved.get("tried", 0)), int(saved.get("accepted", 0))

