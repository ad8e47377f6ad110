"""Learning-rate schedulers: change each parameter group's ``lr`` as training goes on.

Same classes, arguments and formulas as ``torch.optim.lr_scheduler``, so the sequences of learning rates
are equal to PyTorch's, value for value. A scheduler sets the learning rate for step 0 when it is created;
call ``scheduler.step()`` after ``optimizer.step()``, once per epoch or once per batch as the schedule
intends (OneCycleLR: per batch). Most schedulers here update the current lr recursively from the previous
one, as PyTorch's do (so several schedulers can be chained on one optimizer).

Example:
    >>> import lucidnet
    >>> from lucidnet.optim import SGD
    >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(sched.get_last_lr()[0])     # train one epoch with this lr, then:
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
"""
import copy
import math
import numbers
import types

from ..validation import check_int
from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR",
           "OneCycleLR", "StepLR"]


def _per_group(where, name, optimizer, value):
    """One value per parameter group: a list as long as the groups, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{where}: expected {name} to have one value per parameter group "
                             f"({len(optimizer.param_groups)}), got {len(value)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """Base class of the schedulers: subclasses write ``get_lr()``, the learning rates for ``last_epoch``.

    Args:
        optimizer: the optimizer whose ``param_groups[i]["lr"]`` are set.
        last_epoch: the index of the last step taken; -1 (the default) starts a new schedule. When
            resuming, prefer ``load_state_dict``.

    Attributes:
        base_lrs: each group's learning rate when the schedule started (its ``"initial_lr"``).
        last_epoch: how many times ``step()`` has been called since the start.

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> class Halving(LRScheduler):
        ...     def get_lr(self):
        ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=0.8)
        >>> sched = Halving(opt); sched.step(); sched.step()
        >>> sched.last_epoch, sched.get_last_lr()
        (2, [0.2])
    """

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected a lucidnet.optim optimizer, "
                            f"got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', which resuming "
                                   f"with last_epoch={last_epoch} needs; load the optimizer's state_dict first, or "
                                   f"use the scheduler's load_state_dict.")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True              # the first step(), here, sets the learning rate of step 0
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The learning rate of each parameter group for the step ``last_epoch``."""
        raise NotImplementedError(f"{type(self).__name__}: a scheduler must define get_lr().")

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self):
        """Advance the schedule by one step (epoch or batch) and set the optimizer's learning rates."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self):
        """The learning rates the last ``step()`` set, one per parameter group (a new list)."""
        return list(self._last_lr)

    def state_dict(self):
        """The scheduler's state (everything but the optimizer), plain numbers and lists.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import SGD
            >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
            >>> ExponentialLR(opt, gamma=0.5).state_dict()["last_epoch"]
            0
        """
        return {k: copy.deepcopy(v) for k, v in vars(self).items() if k not in ("optimizer", "_is_initial")}

    def load_state_dict(self, state_dict):
        """Restore a state from :meth:`state_dict`; the schedule continues from where it was saved.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import SGD
            >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
            >>> a = ExponentialLR(opt, gamma=0.5); a.step(); a.step()
            >>> b = ExponentialLR(opt, gamma=0.5); b.load_state_dict(a.state_dict()); b.last_epoch
            2
        """
        self.__dict__.update(copy.deepcopy({k: v for k, v in state_dict.items() if k != "_is_initial"}))


class LambdaLR(LRScheduler):
    """``lr = initial_lr * lr_lambda(step)``, with a function of your choice (one per group, or one for all).

    This covers any closed-form schedule, for instance the decay ``lr / (1 + decay * t)`` of the
    *Neural Networks from Scratch* book, or a linear warmup.

    Args:
        optimizer: the optimizer whose learning rates are set.
        lr_lambda: a function of the step index returning a factor, or a list of them, one per group.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> decay = 0.1
        >>> sched = LambdaLR(opt, lambda t: 1.0 / (1.0 + decay * t))     # lr / (1 + decay * t)
        >>> lrs = []
        >>> for _ in range(3):
        ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.9091, 0.8333, 0.7692]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected one lr_lambda per parameter group ({n}), got {len(lr_lambda)}.")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: expected lr_lambda to be a function of the step, got {type(fn).__name__}.")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        """The state; functions are not saved (only the attributes of callable objects, as in PyTorch)."""
        state = {k: copy.deepcopy(v) for k, v in vars(self).items()
                 if k not in ("optimizer", "_is_initial", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else copy.deepcopy(vars(fn))
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        """Restore a state from :meth:`state_dict`; the functions are the ones given to the constructor."""
        state = dict(state_dict)
        fns = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, saved in zip(self.lr_lambdas, fns):
            if saved is not None:
                vars(fn).update(copy.deepcopy(saved))


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    Args:
        optimizer: the optimizer whose learning rates are set.
        step_size: the period of the decay, in steps (usually epochs).
        gamma: the factor. Default: 0.1.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.1)
        >>> for _ in range(4):
        ...     opt.step(); sched.step()
        >>> sched.get_last_lr()              # two decays, at steps 2 and 4
        [0.010000000000000002]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = check_int("StepLR", "step_size", step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each milestone step.

    Args:
        optimizer: the optimizer whose learning rates are set.
        milestones: the step indices (usually epochs) at which to decay; a repeated milestone decays twice.
        gamma: the factor. Default: 0.1.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
        >>> lrs = []
        >>> for _ in range(4):
        ...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if not isinstance(m, numbers.Integral) or isinstance(m, bool):
                raise TypeError(f"MultiStepLR: expected integer milestones, got {m!r}.")
        self.milestones = sorted(int(m) for m in milestones)     # a list (JSON-able), not PyTorch's Counter
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        times = self.milestones.count(self.last_epoch)
        if not times:
            return self._current_lrs()
        return [lr * self.gamma ** times for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at every step: ``lr_t = initial_lr * gamma^t``.

    Args:
        optimizer: the optimizer whose learning rates are set.
        gamma: the factor per step.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = ExponentialLR(opt, gamma=0.5)
        >>> for _ in range(3):
        ...     opt.step(); sched.step()
        >>> sched.get_last_lr()
        [0.125]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate from its initial value to ``eta_min`` along half a cosine over ``T_max`` steps.

    ``lr_t = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` (SGDR, Loshchilov & Hutter,
    without restarts). Computed with PyTorch's recursive form, from the previous lr, so the values equal
    PyTorch's exactly; past ``T_max`` the lr rises again along the cosine.

    Args:
        optimizer: the optimizer whose learning rates are set.
        T_max: the number of steps from the initial lr down to ``eta_min``.
        eta_min: the smallest learning rate. Default: 0.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for _ in range(4):
        ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = check_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:             # resumed with last_epoch: the closed form
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2 for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:                   # at the bottom of the cosine: the recursion would divide by 0
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
                for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` steps, then keep it: a linear warmup with the defaults.

    Args:
        optimizer: the optimizer whose learning rates are set.
        start_factor: the factor at step 0, in (0, 1]. Default: 1/3.
        end_factor: the factor from step ``total_iters`` on, in [0, 1]. Default: 1.
        total_iters: the number of steps of the ramp. Default: 5.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> opt = SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = [sched.get_last_lr()[0]]
        >>> for _ in range(4):
        ...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
        >>> lrs
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: expected start_factor in (0, 1], got {start_factor}.")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: expected end_factor in [0, 1], got {end_factor}.")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = check_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, a, b = self.last_epoch, self.start_factor, self.end_factor
        if t == 0:
            return [lr * a for lr in self._current_lrs()]
        if self._is_initial or t > self.total_iters:
            return self._current_lrs()
        # the ratio of the factors at t and t - 1, so the update is recursive as in PyTorch
        return [lr * (1.0 + (b - a) / (self.total_iters * a + (t - 1) * (b - a))) for lr in self._current_lrs()]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018): the learning rate rises from ``max_lr / div_factor`` to
    ``max_lr`` during the first ``pct_start`` of the steps, then anneals to ``initial_lr / final_div_factor``;
    the momentum (SGD's ``momentum`` or Adam's beta1) moves the opposite way. Step it once per batch.

    With ``three_phase=True`` the lr goes up, back down to the initial lr symmetrically, then anneals to the
    minimum (fast.ai's original). Same arguments, defaults and formulas as PyTorch.

    Args:
        optimizer: the optimizer whose learning rates (and momenta) are set.
        max_lr: the peak learning rate, or a list of them, one per group.
        total_steps: the number of steps of the cycle; or give ``epochs`` and ``steps_per_epoch``.
        epochs: the number of epochs (with ``steps_per_epoch``).
        steps_per_epoch: the number of batches per epoch (with ``epochs``).
        pct_start: the fraction of the steps spent increasing the lr. Default: 0.3.
        anneal_strategy: ``"cos"`` or ``"linear"``. Default: ``"cos"``.
        cycle_momentum: move the momentum between ``max_momentum`` and ``base_momentum``. Default: True.
        base_momentum: the momentum at the lr's peak. Default: 0.85.
        max_momentum: the momentum at the start and the end. Default: 0.95.
        div_factor: initial_lr = max_lr / div_factor. Default: 25.
        final_div_factor: min_lr = initial_lr / final_div_factor. Default: 1e4.
        three_phase: use the three-phase schedule. Default: False.
        last_epoch: the index of the last step taken. Default: -1 (start).

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import Adam
        >>> opt = Adam([lucidnet.zeros(1, requires_grad=True)])
        >>> sched = OneCycleLR(opt, max_lr=0.1, total_steps=10)
        >>> lrs = [sched.get_last_lr()[0]]
        >>> for _ in range(9):
        ...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
        >>> round(lrs[0], 4), round(max(lrs), 4), lrs.index(max(lrs)), f"{lrs[-1]:.0e}"
        (0.004, 0.1, 2, '4e-07')
        >>> opt.param_groups[0]["betas"]     # beta1 is back at max_momentum
        (0.95, 0.999)
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: expected a lucidnet.optim optimizer, got {type(optimizer).__name__}.")
        if total_steps is not None:
            self.total_steps = check_int("OneCycleLR", "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (check_int("OneCycleLR", "epochs", epochs)
                                * check_int("OneCycleLR", "steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("OneCycleLR: expected total_steps, or epochs and steps_per_epoch, got neither.")
        if not isinstance(pct_start, numbers.Real) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: expected pct_start in [0, 1], got {pct_start!r}.")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: expected anneal_strategy 'cos' or 'linear', got {anneal_strategy!r}.")
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1     # the step at which the lr peaks
        if three_phase:
            self._schedule_phases = [
                dict(end_step=up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * self.total_steps) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        max_lrs = _per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"OneCycleLR: expected an optimizer with momentum or betas for cycle_momentum=True, "
                                 f"got {type(optimizer).__name__}. Pass cycle_momentum=False.")
            self.use_beta1 = "betas" in optimizer.defaults
            tops = _per_group("OneCycleLR", "max_momentum", optimizer, max_momentum)
            bases = _per_group("OneCycleLR", "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, top, base in zip(optimizer.param_groups, tops, bases):
                    if self.use_beta1:
                        group["betas"] = (top, *group["betas"][1:])
                    else:
                        group["momentum"] = top
                    group["max_momentum"], group["base_momentum"] = top, base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        """From start (pct = 0) to end (pct = 1): along half a cosine, or a straight line."""
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, but total_steps is {self.total_steps}. "
                             f"Make total_steps (or epochs * steps_per_epoch) cover the whole training.")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        if self.use_beta1:
                            group["betas"] = (momentum, *group["betas"][1:])
                        else:
                            group["momentum"] = momentum
                    break
                start = end
        return lrs
