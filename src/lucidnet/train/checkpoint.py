"""A model's training state: where its run is, so a checkpoint can save it and a later ``fit`` continue it.

A :class:`lucidnet.train.Model` holds one *run*: none before its first ``fit``; the live state of its last
``fit`` (epochs done, history, the generators shuffling draws from, its callbacks); or a state given by
``set_training_state`` (what ``lucidnet.load`` restores from a checkpoint), which the next ``fit`` continues
from its epoch. ``get_training_state`` gives the run as plain, saveable values:

    {"epoch": 3, "history": {"loss": [...], ...}, "generators": {"fit": <state>, "loader": <state>},
     "callbacks": {"EarlyStopping": {...}, ...}, "data": {"batches": 2, "generators": {...}}}

(``data``, with ``steps_per_epoch`` only: the pass over the data an epoch ended inside, see
:mod:`~lucidnet.train.epoch_iterator`.)

The optimizer's state travels beside it (``"optimizer": {"class", "param_names", "state_dict"}`` in what
``set_training_state`` takes): it is loaded into the optimizer as soon as there is one, matched to the
parameters by their names.
"""
import warnings

from ..optim.optimizer import match_state_dict
from ..random import get_state

__all__ = ["apply_optimizer_state", "fit_run", "groups_like", "resume_point", "restored_run", "training_state"]

_KEYS = ("epoch", "history", "generators", "callbacks", "data")


def fit_run(epoch, generators, callbacks, batches=None):
    """The run of a ``fit`` starting at ``epoch``: its generators (name -> object), CallbackList and
    EpochIterator (whose pass in progress, with ``steps_per_epoch``, is part of the state)."""
    return {"source": "fit", "epoch": epoch, "generators": generators, "callbacks": callbacks, "batches": batches}


def restored_run(state, where):
    """The run given by ``set_training_state(state)`` (None when it names no epoch: nothing to continue)."""
    if not isinstance(state, dict):
        raise TypeError(f"{where}: expected a dict like get_training_state()'s, got {type(state).__name__}.")
    unknown = sorted(set(state) - set(_KEYS) - {"optimizer"})
    if unknown:
        raise ValueError(f"{where}: expected keys among {', '.join(_KEYS + ('optimizer',))}, got {unknown}.")
    if state.get("epoch") is None:
        return None
    run = {k: state.get(k) for k in _KEYS}
    run["source"] = "restored"
    return run


def training_state(run, history):
    """The run as plain values (``get_training_state``'s result); {} for none. The default generator's state is
    the process's, not the run's: checkpoints save it themselves."""
    if run is None:
        return {}
    if run["source"] == "fit":
        state = {"epoch": run["epoch"], "history": history.history if history is not None else None,
                 "generators": {name: get_state(g) for name, g in run["generators"].items()},
                 "callbacks": run["callbacks"].states()}
        data = run["batches"].state() if run.get("batches") is not None else None
    else:
        state = {"epoch": run["epoch"], "history": run["history"],
                 "generators": {k: v for k, v in (run["generators"] or {}).items() if k != "default"},
                 "callbacks": run["callbacks"]}
        data = run.get("data")
    if data is not None:                         # only with steps_per_epoch, mid-pass: older files stay as they were
        state["data"] = data
    return state


def resume_point(run, initial_epoch):
    """The restored run ``fit`` continues (None to start afresh): one given by ``set_training_state``, unless
    ``initial_epoch`` asks for another epoch."""
    if run is None or run["source"] != "restored":
        return None
    if initial_epoch is not None and initial_epoch != run["epoch"]:
        return None
    return run


def groups_like(model, saved):
    """Parameter groups shaped as the saved optimizer's (matched by parameter name), or None."""
    named = dict(model.named_parameters())
    names = saved.get("param_names") or []
    groups = saved["state_dict"].get("param_groups", [])
    if len(groups) < 2 or any(n not in named for n in names):
        return None
    return [{"params": [named[names[int(i)]] for i in g["params"]]} for g in groups]


def apply_optimizer_state(model, optimizer, saved, where):
    """Load a saved optimizer state (``{"class", "param_names", "state_dict"}``) into ``optimizer``; a state of
    another optimizer class is left out with a warning (that optimizer starts fresh)."""
    if saved.get("class") != type(optimizer).__name__:
        warnings.warn(f"{where}: the loaded checkpoint holds the state of {saved.get('class')}, but the model is "
                      f"compiled with {type(optimizer).__name__}; starting that optimizer fresh.", stacklevel=4)
        return
    state = match_state_dict(saved["state_dict"], saved.get("param_names") or [], optimizer, model, where)
    optimizer.load_state_dict(state)
