"""The Optimizer base class: parameter groups, per-parameter state, zero_grad, step, state_dict.

An algorithm (sgd.py, adagrad.py, rmsprop.py, adam.py) only writes ``_update(p, g, state, group)``: the
update of one parameter array ``p`` (in place) from its gradient ``g``, with ``state`` the parameter's
running buffers and ``group`` its options (``lr``, ``betas``, ...). Everything else lives here and
follows PyTorch's ``torch.optim.Optimizer``, so training code written for PyTorch runs unchanged.

The state is plain NumPy arrays and Python numbers, and ``state_dict()`` has PyTorch's layout (state keyed
by parameter index, groups holding index lists), so it can be saved as safetensors + JSON, and a run
resumed from it continues exactly as if it had never stopped.
"""
import collections
import copy
import itertools
import numbers

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "match_state_dict"]


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors to optimize (``model.parameters()``), or of dicts, each a parameter
            group ``{"params": [...], "lr": ..., ...}`` whose options override the defaults for its tensors.
            ``(name, tensor)`` pairs (``model.named_parameters()``) are accepted too.
        defaults: the options of the algorithm, used by every group that does not set its own.

    Attributes:
        param_groups: a list of dicts, one per group: ``"params"`` (the tensors) and the options.
        state: per-parameter buffers, ``state[p]`` a dict (``"step"``, ``"exp_avg"``, ...).
        defaults: the options given at construction.

    Example:
        >>> import lucidnet
        >>> from lucidnet.optim import SGD
        >>> w, b = lucidnet.ones(2, requires_grad=True), lucidnet.zeros(1, requires_grad=True)
        >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.5]
        >>> (w.sum() + b.sum()).backward(); opt.step(); opt.zero_grad()
        >>> w, b
        (tensor([0.9000, 0.9000], requires_grad=True), tensor([-0.5000], requires_grad=True))
    """

    def __init__(self, params, defaults):
        self._check_options(defaults)
        self.defaults = dict(defaults)
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        self._work = {}                       # dtype -> scratch arrays shared by all parameters (see _scratch)
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: expected params to be an iterable of tensors or of dicts, got a single "
                            f"tensor. Wrap it in a list: [tensor].")
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{self._name}: expected params in a fixed order (a list, or model.parameters()), got a "
                            f"set, whose order varies between runs.")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"{self._name}: expected params to be an iterable of tensors or of dicts, got "
                            f"{type(params).__name__}.") from None
        if not groups:
            raise ValueError(f"{self._name}: expected at least one parameter, got an empty parameter list.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self):
        return type(self).__name__

    # ------------------------------------------------------------------------------------------ groups

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (e.g. a new layer to fine-tune at a smaller lr).

        Options the group does not set are taken from the optimizer's defaults.

        Args:
            param_group: a dict with ``"params"`` (a tensor or an iterable of tensors) and optional options.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import SGD
            >>> opt = SGD([lucidnet.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
            >>> opt.add_param_group({"params": lucidnet.zeros(3, requires_grad=True), "lr": 0.01})
            >>> opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"]
            (0.01, 0.9)
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: expected a parameter group to be a dict with a 'params' key, got "
                            f"{type(param_group).__name__}.")
        if "params" not in param_group:
            raise ValueError(f"{self._name}: expected a parameter group with a 'params' key, got keys "
                             f"{sorted(param_group)}.")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{self._name}: expected the parameters of a group in a fixed order (a list), got a set, "
                            f"whose order varies between runs.")
        params = list(params)
        if params and all(isinstance(p, tuple) and len(p) == 2 for p in params):    # model.named_parameters()
            group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: expected parameters to be Tensors, got {type(p).__name__}.")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: can't optimize a non-leaf tensor (one computed by an operation, "
                                 f"grad_fn={p.grad_fn!r}); pass the leaf tensors, e.g. model.parameters().")
        if not params:
            raise ValueError(f"{self._name}: expected at least one parameter, got an empty parameter list.")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{self._name}: a parameter appears twice in the same group; pass each tensor once.")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{self._name}: some parameters appear in more than one parameter group; "
                             f"put each tensor in one group only.")
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_options(group)
        self.param_groups.append(group)

    # Options every algorithm checks the same way: (key, how PyTorch names it in its error message).
    _NON_NEGATIVE = (("lr", "learning rate"), ("eps", "epsilon value"), ("momentum", "momentum value"),
                     ("weight_decay", "weight_decay value"), ("alpha", "alpha value"), ("lr_decay", "lr_decay value"),
                     ("initial_accumulator_value", "initial_accumulator_value value"))

    def _check_options(self, options):
        """Refuse hyperparameters PyTorch refuses: negative lr/eps/momentum/weight decay, betas outside [0, 1)."""
        for key, what in self._NON_NEGATIVE:
            if key in options:
                value = options[key]
                if not isinstance(value, numbers.Real) or isinstance(value, bool):
                    raise TypeError(f"{self._name}: expected {key} to be a number, got {type(value).__name__}.")
                if not value >= 0:                 # also catches nan
                    raise ValueError(f"{self._name}: invalid {what}: {value}")
        if "betas" in options:
            betas = options["betas"]
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise ValueError(f"{self._name}: expected betas to be a pair (beta1, beta2), got {betas!r}.")
            for i, beta in enumerate(betas):
                if not isinstance(beta, numbers.Real) or not 0.0 <= beta < 1.0:
                    raise ValueError(f"{self._name}: invalid beta parameter at index {i}: {beta}; "
                                     f"expected 0 <= beta < 1.")
        if options.get("nesterov") and (options.get("momentum", 0) <= 0 or options.get("dampening", 0) != 0):
            raise ValueError(f"{self._name}: nesterov momentum requires a momentum and zero dampening, got "
                             f"momentum={options.get('momentum', 0)}, dampening={options.get('dampening', 0)}.")

    # ------------------------------------------------------------------------------------------ the step

    def zero_grad(self, set_to_none=True):
        """Clear the gradients of all parameters, before the next ``backward()``.

        Args:
            set_to_none: drop the gradients (``p.grad = None``, the default, as in PyTorch), rather than
                filling them with zeros. Parameters whose grad is None are skipped by ``step()``.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import SGD
            >>> w = lucidnet.ones(2, requires_grad=True); opt = SGD([w], lr=0.1)
            >>> w.sum().backward(); opt.zero_grad(); w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.zero_()     # (marked zero: backward may then take the new gradient as it is)

    def step(self, closure=None):
        """Update every parameter that has a gradient, in place, by the algorithm's rule.

        Args:
            closure: optional function that re-evaluates the model and returns the loss (it should call
                ``zero_grad()`` and ``backward()``); it runs with gradients enabled before the update.

        Returns:
            The closure's loss, or None.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import SGD
            >>> w = lucidnet.tensor([1.0], requires_grad=True); opt = SGD([w], lr=0.25)
            >>> def closure():
            ...     opt.zero_grad(); loss = (w * w).sum(); loss.backward(); return loss
            >>> opt.step(closure)
            tensor(1., grad_fn=<SumBackward0>)
            >>> w
            tensor([0.5000], requires_grad=True)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if g.shape != p.array.shape:
                    raise ValueError(f"{self._name}.step(): expected a gradient of shape {tuple(p.array.shape)} (the "
                                     f"parameter's), got {tuple(g.shape)}.")
                self._update(p.array, g, self.state[p], group)
                p._bump()                     # an in-place change: autograd's saved-tensor check must see it
        return loss

    def _update(self, p, g, state, group):
        """Update the array ``p`` in place from its gradient ``g``; ``state`` is the parameter's own dict."""
        raise NotImplementedError(f"{self._name}: an optimizer must define _update(p, g, state, group).")

    # Helpers for _update ----------------------------------------------------------------------------------

    def _scratch(self, like, i=0):
        """Work array number ``i`` with the shape and dtype of ``like``, to compute into with ``out=``.

        One buffer per dtype, sized for the largest parameter, is shared by all parameters: updates allocate
        nothing, and the buffer stays warm in cache from one parameter to the next. Its contents are garbage
        between calls (never state).
        """
        key = (like.dtype, i)
        buf = self._work.get(key)
        if buf is None or buf.size < like.size:
            buf = self._work[key] = np.empty(like.size, like.dtype)
        return buf[:like.size].reshape(like.shape)

    @staticmethod
    def _gradient(p, g, out, weight_decay=0, maximize=False):
        """The gradient the update follows: ``-g`` when maximizing, plus ``weight_decay * p`` (an L2 penalty).

        Returns ``g`` itself when neither applies; otherwise computes into ``out``. The user's ``p.grad`` is
        never modified.
        """
        if not weight_decay:
            return np.negative(g, out=out) if maximize else g
        np.multiply(p, p.dtype.type(weight_decay), out=out)
        return np.subtract(out, g, out=out) if maximize else np.add(out, g, out=out)

    # ------------------------------------------------------------------------------------------ saving

    def state_dict(self):
        """A snapshot of the optimizer: its state and options, in PyTorch's layout.

        ``{"state": {index: {"step": 3, "exp_avg": array, ...}}, "param_groups": [{"lr": ..., "params":
        [0, 1]}, ...]}``: parameters are numbered in the order of the groups. The arrays are copies, so the
        snapshot does not change as training goes on. Only NumPy arrays, numbers, strings, lists and
        tuples appear, so it saves as safetensors + JSON.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import Adam
            >>> w = lucidnet.ones(2, requires_grad=True); opt = Adam([w])
            >>> w.sum().backward(); opt.step()
            >>> sd = opt.state_dict()
            >>> sd["state"][0]["step"], sorted(sd["state"][0]), sd["param_groups"][0]["params"]
            (1, ['exp_avg', 'exp_avg_sq', 'step'], [0])
        """
        index = {}
        groups = []
        for group in self.param_groups:
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            saved["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(saved)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s:
                    state[index[id(p)]] = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore a snapshot from :meth:`state_dict` (the same model's parameters, in the same groups).

        Options and state are copied in: the dict can be used again. Integer keys may be strings (as JSON
        writes them), tuples may be lists, and arrays may be tensors; arrays take the parameter's dtype.

        Example:
            >>> import lucidnet
            >>> from lucidnet.optim import Adam
            >>> w = lucidnet.ones(2, requires_grad=True); opt = Adam([w], lr=0.1)
            >>> w.sum().backward(); opt.step()
            >>> fresh = Adam([w], lr=0.1); fresh.load_state_dict(opt.state_dict())
            >>> fresh.state[w]["step"]
            1
        """
        where = f"{self._name}.load_state_dict()"
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups' (from state_dict()), "
                             f"got {got}.")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{where}: expected {len(self.param_groups)} parameter groups, got {len(saved_groups)}.")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{where}: expected parameter group {i} with {len(group['params'])} parameters, "
                                 f"got {len(saved['params'])}.")
        by_index = {int(i): p for i, p in zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                                              itertools.chain.from_iterable(g["params"] for g in self.param_groups))}
        state = {}
        for i, s in state_dict["state"].items():
            if int(i) not in by_index:
                raise ValueError(f"{where}: expected state for parameters 0..{len(by_index) - 1}, got state for "
                                 f"parameter {i}.")
            p = by_index[int(i)]
            state[p] = {key: self._restore(where, i, key, value, p) for key, value in s.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {}
            for k, v in saved.items():
                if k == "params":
                    continue
                v = copy.deepcopy(v)
                if isinstance(group.get(k), tuple) and isinstance(v, list):
                    v = tuple(v)              # JSON has no tuples: betas come back as a list
                new[k] = v
            new["params"] = group["params"]
            self._check_options(new)
            new_groups.append(new)
        for group, new in zip(self.param_groups, new_groups):   # in place: schedulers hold these dicts
            group.clear()
            group.update(new)
        self.state.clear()
        self.state.update(state)

    @staticmethod
    def _restore(where, i, key, value, p):
        """One state entry, copied: arrays in the parameter's dtype and shape, the step as an int."""
        if isinstance(value, Tensor):
            value = value.array
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if not isinstance(value, np.ndarray):
            if key == "step" and isinstance(value, numbers.Real) and float(value).is_integer():
                return int(value)
            return copy.deepcopy(value)
        if value.shape != p.array.shape:
            raise ValueError(f"{where}: expected state '{key}' of parameter {i} with shape {tuple(p.array.shape)}, got "
                             f"{tuple(value.shape)}.")
        return np.array(value, dtype=p.array.dtype if value.dtype.kind == "f" else value.dtype)

    def __repr__(self):
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k not in ("params", "param_names")]
        return "\n".join(lines) + "\n)"


def match_state_dict(state, saved_names, optimizer, model, where):
    """A saved optimizer state dict (PyTorch's layout: state keyed by parameter index) renumbered for
    ``optimizer``, whose parameters may be in another order: state is matched to parameters by their names in
    ``model``. ``saved_names`` are the model's names of the saved optimizer's parameters, in its order. A
    mismatch is a ValueError naming ``where``.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn, optim
        >>> model = nn.Linear(2, 1); opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> model(lucidnet.ones(1, 2)).sum().backward(); opt.step()
        >>> reverse = optim.SGD([model.bias, model.weight], lr=0.1, momentum=0.9)
        >>> state = match_state_dict(opt.state_dict(), ["weight", "bias"], reverse, model, "example")
        >>> reverse.load_state_dict(state); bool((reverse.state[model.weight]["momentum_buffer"] == 1).all())
        True
    """
    names = {id(p): n for n, p in model.named_parameters()}
    groups = [[names.get(id(p)) for p in g["params"]] for g in optimizer.param_groups]
    now = [n for g in groups for n in g]
    if now == list(saved_names) or None in now or None in saved_names:
        return state
    if sorted(now) != sorted(saved_names):
        raise ValueError(f"{where}: expected an optimizer over the parameters {sorted(saved_names)[:4]}..., got "
                         f"one over {sorted(now)[:4]}....")
    new_index = {n: i for i, n in enumerate(now)}
    saved_groups = state["param_groups"]
    if len(saved_groups) != len(groups):
        raise ValueError(f"{where}: expected an optimizer with {len(saved_groups)} parameter groups, got "
                         f"{len(groups)}.")
    new_groups, start = [], 0
    for saved, group in zip(saved_groups, groups):
        if sorted(saved_names[int(i)] for i in saved["params"]) != sorted(group):
            raise ValueError(f"{where}: expected the optimizer's parameter groups to hold the same parameters as the "
                             f"saved ones, got {group[:3]}... in a group that held "
                             f"{[saved_names[int(i)] for i in saved['params']][:3]}....")
        new_groups.append(dict(saved, params=list(range(start, start + len(group)))))
        start += len(group)
    return {"state": {new_index[saved_names[int(i)]]: s for i, s in state["state"].items()},
            "param_groups": new_groups}
