"""Epochs of batches for ``fit``: the whole data each epoch, or ``steps_per_epoch`` batches drawn on across
epochs, with Keras 3's rules (its ``EpochIterator``).

With ``steps_per_epoch`` an epoch is that many batches, and the next epoch goes on where the last one stopped:

- data of known length (arrays, a DataLoader) is drawn pass after pass; a pass that ends inside an epoch ends
  that epoch early, with a warning (as Keras: "interrupting"), and the next epoch starts a new pass (a new
  shuffle). So ``steps_per_epoch`` larger than the data's batches gives short epochs, never a wrap-around;
- data of unknown length (a generator) is drawn from until it ends; an epoch it ends early is cut with the same
  warning, and the next epoch starts over from ``iter(data)`` (a generator, once spent, gives nothing).

A pass in progress is part of the training state (:meth:`EpochIterator.state`): the generator states from
before the pass drew its order, and how many batches it has given; :meth:`EpochIterator.restore` replays that
order, so a run resumed from a checkpoint draws the same batches as the run it continues.

Example:
    >>> import numpy as np
    >>> from lucidnet.train.data_adapter import adapt
    >>> batches = EpochIterator(adapt("fit()", np.arange(8.0)[:, None], np.arange(8), batch_size=2), steps=2)
    >>> [[int(xb[0, 0]) for xb, _ in batches.epoch()] for _ in range(3)]             # 4 batches a pass
    [[0, 2], [4, 6], [0, 2]]
"""
import warnings

from ..random import default_generator, get_state, set_state
from ..validation import check_int
from .data_adapter import has_len

__all__ = ["EpochIterator", "OneEpoch", "ran_out_message", "validation_epochs"]


def ran_out_message(where, name, steps, done):
    """The warning of an epoch (or a validation) cut short because the data ran out."""
    return (f"{where}: the data ran out after {done} of the {steps} batches of {name}; interrupting the epoch. "
            f"Make sure the data can give at least {name} * epochs batches (pass a generator that loops, or a "
            f"smaller {name}).")


class EpochIterator:
    """The batches of each epoch from an adapter (or any iterable of batches).

    Args:
        data: the batches: an adapter of :mod:`~lucidnet.train.data_adapter` (or a distributed wrapper of one).
        steps: batches per epoch (``steps_per_epoch``), or None for one whole pass per epoch.
        generators: name -> generator the passes' shuffling may draw from (besides the default generator): the
            states to save for resuming a pass.
        where: the caller, for the warning ("fit()").
        name: the argument's name, for the warning.
    """

    def __init__(self, data, steps=None, generators=None, where="fit()", name="steps_per_epoch"):
        self.data, self.steps, self.where, self.name = data, steps, where, name
        self.num_batches = len(data) if has_len(data) else None
        self.generators = dict(generators or {})
        self._it = None            # the pass in progress, kept across epochs when steps is set
        self._seen = 0             # batches it has given
        self._start = None         # generator states from just before it drew its order

    def __len__(self):
        """Batches per epoch (a TypeError when neither steps nor the data's length is known)."""
        return self.steps if self.steps else len(self.data)

    def _states(self):
        gens = (("default", default_generator),) + tuple(self.generators.items())
        return {name: get_state(g) for name, g in gens}

    def _set_states(self, states):
        gens = dict((("default", default_generator),) + tuple(self.generators.items()))
        for name, state in states.items():
            if name in gens:
                set_state(gens[name], state, self.where)

    def _new_pass(self):
        self._start = self._states() if self._replayable() else None
        self._it, self._seen = iter(self.data), 0

    def _replayable(self):
        loader = getattr(self.data, "loader", self.data)
        return not (hasattr(loader, "__next__") and iter(loader) is loader)   # a one-shot iterator can't be replayed

    def epoch(self):
        """One epoch's batches (an iterator)."""
        if not self.steps:
            yield from self.data
            return
        for step in range(self.steps):
            if self.num_batches is not None and self._it is not None and self._seen >= self.num_batches:
                self._it = None
                warnings.warn(ran_out_message(self.where, self.name, self.steps, step), stacklevel=2)
                return
            if self._it is None:
                self._new_pass()
            try:
                batch = next(self._it)
            except StopIteration:
                self._it = None
                warnings.warn(ran_out_message(self.where, self.name, self.steps, step), stacklevel=2)
                return
            self._seen += 1
            yield batch
        if self.num_batches is not None and self._seen >= self.num_batches:
            self._it = None                      # the pass is done: the next epoch starts a new one

    def state(self):
        """The pass in progress as plain values (None when there is none, or it cannot be replayed)."""
        if self._it is None or not self._seen or self._start is None:
            return None
        return {"batches": self._seen, "generators": self._start}

    def restore(self, state):
        """Continue the pass that :meth:`state` describes: draw its order again from the saved generator states,
        skip the batches it gave, then put the generators back as they are now."""
        if not state or not self.steps:
            return
        now = self._states()
        self._set_states(state["generators"])
        self._new_pass()
        for _ in range(int(state["batches"])):
            if next(self._it, None) is None:
                self._it = None
                break
        self._seen = int(state["batches"])
        self._set_states(now)

    def first_batches(self, steps):
        """The first ``steps`` batches of a new pass (``validation_steps``: every validation starts over, as
        Keras's), with the warning if the data has fewer."""
        it = iter(self.data)
        for step in range(steps):
            try:
                batch = next(it)
            except StopIteration:
                warnings.warn(ran_out_message(self.where, self.name, steps, step), stacklevel=2)
                return
            yield batch


class OneEpoch:
    """One epoch of an EpochIterator: its batches, and its length for the progress bar and messages.

    Example:
        >>> import numpy as np
        >>> from lucidnet.train.data_adapter import adapt
        >>> batches = EpochIterator(adapt("fit()", np.zeros((10, 2)), np.zeros(10), batch_size=4))
        >>> len(OneEpoch(batches)), len(list(OneEpoch(batches)))
        (3, 3)
    """

    def __init__(self, batches):
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return self.batches.epoch()


def validation_epochs(freq, where):
    """``validate(epoch) -> bool`` for fit's ``validation_freq`` (an int: every that many epochs; a list: after
    those 1-based epochs).

    Example:
        >>> validate = validation_epochs(2, "fit()")
        >>> [epoch for epoch in range(6) if validate(epoch)]
        [1, 3, 5]
    """
    if isinstance(freq, (list, tuple, set, range)):
        epochs = {check_int(where, "validation_freq's epochs", e, 1) for e in freq}
        return lambda epoch: epoch + 1 in epochs
    freq = check_int(where, "validation_freq", freq, 1)
    return lambda epoch: (epoch + 1) % freq == 0
