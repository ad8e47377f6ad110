"""Checks at the door of ``fit``, ``evaluate`` and ``predict``: every argument judged by its kind before any state
(random generators, the resumed run, the optimizer) is touched, and errors from the model's first forward pass
told in the shapes the user passed rather than those of an internal batch.

Example:
    >>> check_fraction("fit()", "validation_split", "0.2")
    Traceback (most recent call last):
    ...
    TypeError: fit(): expected validation_split to be a number in [0, 1), got '0.2' (a str).
"""
import contextlib
import copy
import functools
import numbers

import numpy as np

from ..autograd import no_grad
from ..nn.module import Module
from ..random import default_generator, get_state, set_state
from ..tensor import Tensor
from .data_adapter import LoaderDataAdapter

__all__ = ["DoorChecks", "check_callbacks", "check_flag", "check_fraction", "check_verbose", "check_sample_rank", "in_users_shapes", "one_d_hint",
           "quiet_numpy"]


def check_fraction(where, name, value):
    """``value`` as a float in [0, 1); a TypeError for what is not a number (a string, None), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected {name} to be a number in [0, 1), got {value!r} "
                        f"(a {type(value).__name__}).")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: expected {name} in [0, 1), got {value}.")
    return float(value)


def check_flag(where, name, value):
    """``value`` as a bool: True, False (or NumPy's); a TypeError for anything else ("False" is truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: expected {name} to be True or False, got {value!r} (a {type(value).__name__}).")
    return bool(value)


def check_verbose(where, verbose):
    """Keras's ``verbose``: 0, 1, 2 or "auto" (1); a bool counts as 0 or 1."""
    if verbose == "auto" or isinstance(verbose, (bool, np.bool_)):
        return 1 if verbose == "auto" else int(verbose)
    if isinstance(verbose, numbers.Integral) and 0 <= verbose <= 2:
        return int(verbose)
    raise (ValueError if isinstance(verbose, numbers.Integral) else TypeError)(
        f"{where}: expected verbose to be 0, 1, 2 or 'auto', got {verbose!r}.")


def check_callbacks(where, callbacks, base):
    """The callbacks as a list: None, or a list / tuple of ``base`` instances; a TypeError naming what arrived."""
    if callbacks is None:
        return []
    if isinstance(callbacks, base):
        raise TypeError(f"{where}: expected callbacks to be a list of callbacks, got one {type(callbacks).__name__}; "
                        f"pass [{type(callbacks).__name__}(...)].")
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{where}: expected callbacks to be a list of callbacks, got {type(callbacks).__name__}.")
    for cb in callbacks:
        if not isinstance(cb, base):
            raise TypeError(f"{where}: expected callbacks to be Callback instances, got {type(cb).__name__}.")
    return list(callbacks)


def check_sample_rank(where, x, input_shape):
    """A 1-D ``x`` given to a model built for samples of shape ``input_shape`` (not scalars): the first axis of x is
    always samples, so this is one sample without its batch axis, or N values meant as N one-feature samples."""
    if x is None or x.ndim != 1 or not input_shape:
        return
    raise ValueError(f"{where}: expected x of shape (N, {', '.join(map(str, input_shape))}) (the first axis is "
                     f"samples), got {tuple(x.shape)}. {one_d_hint(x)}")


def one_d_hint(x):
    n = len(x)
    return (f"For one sample, pass x[None] (shape (1, {n})); for {n} samples of one feature, x.reshape(-1, 1) "
            f"(shape ({n}, 1)).")


@contextlib.contextmanager
def in_users_shapes(where, batch_shape, shapes):
    """Errors of the model (or its loss) on a batch say what the user passed: ``x of shape (160, 4)``, not only
    the batch's ``(16, 4)`` that the layer saw. ``shapes`` is ``(name of x, x's shape, y's shape or None)``;
    nothing is added when it is None or x is the batch itself."""
    try:
        yield
    except ValueError as e:
        if shapes is None or tuple(shapes[1]) == tuple(batch_shape) or type(e) is not ValueError:
            raise
        name, x_shape, y_shape = shapes
        given = f"{name} of shape {tuple(x_shape)}" + (f" and y of shape {tuple(y_shape)}" if y_shape is not None
                                                       else "")
        note = f" ({where} got {given}, given to the model in batches of {batch_shape[0]}.)"
        if len(x_shape) == 1:
            note += f" The first axis of {name} is samples. " + one_d_hint(np.empty(x_shape[0]))
        raise ValueError(str(e) + note) from None


def quiet_numpy(method):
    """Run ``method`` with NumPy's floating point warnings off: weights that diverge overflow in a matmul long
    before the loss turns inf, and PyTorch computes such values silently; ``fit`` then reports the run once, in its
    own words (the epoch, the batch, the fix), instead of after a screen of RuntimeWarnings from inside lucidnet."""
    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return method(*args, **kwargs)
    return quiet


class DoorChecks:
    """The checks ``fit``, ``evaluate`` and ``predict`` (:class:`~lucidnet.train.trainer.Trainer`) make of the
    data against the model before they use any state, and how a failed ``fit`` puts back what it touched."""

    def _put_back(self, before, generators, where):
        """Undo what a failed ``fit`` did before its first update: generator states, the run, the history."""
        for name, g in generators:
            set_state(g, before["states"][name], where)
        self._run, self.history = before["run"], before["history"]

    def _check_arrays(self, data, where, x_name, y_name, step="train_step"):
        """Arrays meet the model before fit uses any state: a 1-D x against a model built for vectors, the class
        ids against its outputs, the first batch through the model with the loss and metrics."""
        self._check_sample_axis(data.x, data.batch_size, where)
        bs = data.batch_size
        shapes = (x_name, data.x.shape, None if data.y is None else data.y.shape)
        xb, yb = data.x[:bs], None if data.y is None else data.y[:bs]
        self._check_batch(xb, yb, where, shapes, lambda: self._check_labels(data.y, where, y_name), step)

    def _check_sample_axis(self, x, batch_size, where):
        """The first axis of x is samples, also for a 1-D x (N samples of one value). A model built for vectors
        refuses it; an unbuilt one is tried on a copy first (a lazy Dense would take the batch for one sample of
        batch_size features and build so), and must give one output row per sample."""
        if x.ndim != 1:
            return
        if self.built:
            check_sample_rank(where, x, self._input_shape)
            return
        state = default_generator.get_state()     # the copy's initialization draws nothing for real
        try:
            out = copy.deepcopy(self)._probe(x[:batch_size])
        except ValueError:
            return                                 # the real call gives the layer's error, with the hint
        finally:
            default_generator.set_state(state)
        rows = [len(o) if getattr(o, "ndim", 0) else None for o in (out if isinstance(out, (tuple, list)) else [out])]
        if any(r != len(x[:batch_size]) for r in rows):
            raise ValueError(f"{where}: expected x with one row per sample that the model gives one output row "
                             f"for, got x of shape {tuple(x.shape)}, whose batches of {len(x[:batch_size])} the model "
                             f"takes as one sample. {one_d_hint(x)}")

    def _check_validation_loader(self, loader, where):
        """A validation loader's first batch, checked before training rather than after the first epoch; its
        shuffling state is put back. A one-shot iterator (a generator) is left alone: peeking would lose a batch."""
        if iter(loader) is loader:
            return
        state = get_state(loader) if hasattr(loader, "state_dict") and hasattr(loader, "load_state_dict") else None
        try:
            batch = next(iter(LoaderDataAdapter(loader, where)), None)
        finally:
            if state is not None:
                set_state(loader, state, where)
        if batch is not None:
            if batch[1] is None and self._compiled.loss is not None and not self._overrides("test_step"):
                raise ValueError(f"{where}: expected validation_data to yield (x, y) batches for the loss, got batches "
                                 f"of x alone (shape {tuple(batch[0].shape)}).")
            self._check_batch(batch[0], batch[1], where, None,
                              lambda: self._check_labels(batch[1], where, "the validation y"), "test_step")

    def _check_loader_batch(self, batch, where):
        xb, yb = batch
        if yb is None and self._compiled.loss is not None and not self._overrides("train_step"):
            raise ValueError(f"{where}: expected the data to yield (x, y) batches for the loss, got batches of x alone "
                             f"(shape {tuple(xb.shape)}).")
        self._check_batch(xb, yb, where, None, lambda: self._check_labels(yb, where, "y"), "train_step")

    def _check_batch(self, xb, yb, where, shapes, check_labels, step):
        """One batch through the model in eval mode under no_grad (no random draw, no statistics updated), with
        the loss and fresh copies of the metrics: a wrong shape or target fails here, in the user's shapes
        (``shapes``: the name of x, its shape and y's, or None when they are the batch's)."""
        c = self._compiled
        with in_users_shapes(where, xb.shape, shapes):
            if c.metric_objects is None or self._probe_info is None:
                self._prepare(xb, where, need_optimizer=False)          # builds the model, resolves the loss
        check_labels()
        # The loss and metrics lucidnet knows (given by name or as a loss module) are tried; a user's function is
        # not called an extra time (it may count its calls, or draw random numbers).
        if yb is None or not isinstance(c.loss, (str, Module)) or self._overrides(step) or \
                self._overrides("compute_loss"):
            return
        known = [m for spec, m in zip(c.metrics, c.metric_objects) if isinstance(spec, str)]
        modes = self._modes()
        self.eval()
        try:
            with no_grad(), in_users_shapes(where, xb.shape, shapes):
                x_t, y_t = Tensor._wrap(xb), Tensor._wrap(yb)
                y_pred = self(x_t)
                self.compute_loss(x_t, y_t, y_pred)
                if isinstance(y_pred, Tensor):
                    for m in known:
                        m.fresh().update_state(y_pred.array, yb)
        finally:
            self._restore_modes(modes)
