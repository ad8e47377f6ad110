"""Callbacks: code that ``fit`` runs at fixed points of training, with Keras's names and semantics.

``fit`` calls, in this order: ``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per batch
``on_train_batch_begin(batch)`` / ``on_train_batch_end(batch, logs)``, then (with validation data)
``on_test_begin`` / ``on_test_end``, then ``on_epoch_end(epoch, logs)``; finally ``on_train_end``. ``logs``
is a dict of the epoch's values (``loss``, metrics, ``val_loss``, ``val_<metric>``, ``lr``). A callback
stops training by setting ``self.model.stop_training = True``.

Callbacks that carry state across epochs (EarlyStopping's patience, ReduceLROnPlateau's cooldown,
ModelCheckpoint's best value) save it with a checkpoint (``get_state`` / ``set_state``), so a resumed run
behaves exactly as an uninterrupted one.
"""
import csv
import inspect
import math
import os
import warnings

import numpy as np

__all__ = ["BatchLogs", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]


class Callback:
    """Base class: override the hooks you need; ``self.model`` is the model being trained.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(f"epoch {epoch}: loss {logs['loss']:.2f}")
        >>> cb = PrintLoss(); cb.on_epoch_end(0, {"loss": 0.5})
        epoch 0: loss 0.50
    """
    model = None
    params = None

    def set_model(self, model):
        """Called by fit with the model being trained."""
        self.model = model

    def set_params(self, params):
        """Called by fit with ``{"epochs", "steps", "verbose"}``."""
        self.params = params

    def on_train_begin(self, logs=None):
        """At the start of fit."""

    def on_train_end(self, logs=None):
        """At the end of fit (``logs`` are the last epoch's)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Before epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """After epoch ``epoch``, with its logs (training and validation values, ``lr``)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Before training batch ``batch`` (0-based within the epoch)."""

    def on_train_batch_end(self, batch, logs=None):
        """After training batch ``batch``; ``logs`` hold the epoch's running values so far (a :class:`BatchLogs`:
        a dict, whose ``samples`` attribute counts the epoch's samples so far)."""

    def on_test_begin(self, logs=None):
        """Before evaluating (validation in fit, or evaluate())."""

    def on_test_end(self, logs=None):
        """After evaluating, with the results."""

    def get_state(self):
        """JSON-able state (arrays allowed) to save with a checkpoint; None if the callback has none."""
        return None

    def set_state(self, state):
        """Restore :meth:`get_state`'s output (when fit resumes a checkpointed run)."""


class BatchLogs(dict):
    """The logs ``fit`` gives ``on_train_batch_end``: a dict of the epoch's running values (``loss``, metrics),
    and, as an attribute (not a key), ``samples``: how many samples the epoch has trained on so far.

    Example:
        >>> logs = BatchLogs({"loss": 0.5}, samples=64)
        >>> dict(logs), logs.samples
        ({'loss': 0.5}, 64)
    """

    def __init__(self, values, samples):
        super().__init__(values)
        self.samples = samples


def _overrides(cb, name):
    return getattr(getattr(cb, name), "__func__", None) is not getattr(Callback, name)


class CallbackList:
    """Calls each hook on every callback in order; skips the per-batch hooks when no callback has them.

    Example:
        >>> calls = []
        >>> cbs = CallbackList([LambdaCallback(on_epoch_begin=lambda e, logs: calls.append(e))])
        >>> cbs.on_epoch_begin(0); cbs.has_batch_hooks, calls
        (False, [0])
    """

    def __init__(self, callbacks=(), model=None, params=None):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"fit(): expected callbacks to be Callback instances, got {type(cb).__name__}.")
            if model is not None:
                cb.set_model(model)
            if params is not None:
                cb.set_params(params)
        self._batch_begin = [cb for cb in self.callbacks if _overrides(cb, "on_train_batch_begin")]
        self._batch_end = [cb for cb in self.callbacks if _overrides(cb, "on_train_batch_end")]
        self.has_batch_hooks = bool(self._batch_begin or self._batch_end)

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        for cb in self._batch_begin:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        for cb in self._batch_end:
            cb.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def close(self):
        """Call ``close()`` on the callbacks that have one (fit does, when training stops on an error: the
        progress bar ends cleanly)."""
        for cb in self.callbacks:
            if callable(getattr(cb, "close", None)):
                cb.close()

    def states(self):
        """{key: state} of the callbacks that have one; keys are class names, numbered when repeated."""
        out, seen = {}, {}
        for cb in self.callbacks:
            key = _key(cb, seen)
            state = cb.get_state()
            if state is not None:
                out[key] = state
        return out

    def set_states(self, states):
        """Give each callback the state saved under its key (callbacks not in ``states`` are left as they are)."""
        seen = {}
        for cb in self.callbacks:
            key = _key(cb, seen)
            if states and key in states:
                cb.set_state(states[key])


def _key(cb, seen):
    name = type(cb).__name__
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}#{seen[name]}"


# ------------------------------------------------------------------------------------------------ history

class History(Callback):
    """Records every epoch's logs: ``history.history`` is a dict of lists (``loss``, ``val_loss``, ...),
    ``history.epoch`` the epoch numbers. ``fit`` returns one (also kept as ``model.history``).

    Example:
        >>> h = History(); h.on_train_begin()
        >>> h.on_epoch_end(0, {"loss": 0.9}); h.on_epoch_end(1, {"loss": 0.4})
        >>> h.history, h.epoch
        ({'loss': [0.9, 0.4]}, [0, 1])
    """

    def __init__(self):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# ------------------------------------------------------------------------------------------------ monitoring

def _mode_better(mode, monitor, min_delta, where):
    """(is_better(current, reference), initial best) for 'min' / 'max' / 'auto' (max for accuracies)."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}: expected mode 'auto', 'min' or 'max', got {mode!r}.")
    if mode == "auto":
        mode = "max" if any(s in monitor for s in ("acc", "auc", "precision", "recall", "f1")) else "min"
    delta = abs(min_delta)
    if mode == "min":
        return (lambda current, ref: current < ref - delta), math.inf
    return (lambda current, ref: current > ref + delta), -math.inf


def _monitored(logs, monitor, where, warned):
    value = (logs or {}).get(monitor)
    if value is None:
        if not warned:
            warnings.warn(f"{where}: expected {monitor!r} in the logs, got only {sorted(logs or {})}; doing nothing. "
                          f"Pass validation_data to fit(), or monitor one of those.", stacklevel=3)
        return None
    return float(value)


def _optimizer(model, where):
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "param_groups"):
        raise RuntimeError(f"{where}: expected a model with an optimizer; call compile() first.")
    return opt


def _get_lr(model, where):
    return float(_optimizer(model, where).param_groups[0]["lr"])


class EarlyStopping(Callback):
    """Stop training when a monitored value has stopped improving.

    Args:
        monitor: the log to watch. Default: "val_loss".
        min_delta: a change smaller than this is not an improvement.
        patience: epochs without improvement after which training stops.
        verbose: print a line when stopping / restoring.
        mode: "min", "max", or "auto" (max for accuracies, else min).
        baseline: a value to beat; training stops after ``patience`` epochs that do not.
        restore_best_weights: at the end of training, put back the weights of the best epoch.
        start_from_epoch: epochs to wait before watching (a warm-up).

    Example:
        >>> es = EarlyStopping(monitor="loss", patience=1)
        >>> class M: stop_training = False
        >>> es.set_model(M()); es.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7, 0.4]):
        ...     es.on_epoch_end(epoch, {"loss": loss})
        ...     if es.model.stop_training:
        ...         break
        >>> es.stopped_epoch, es.best, es.best_epoch
        (2, 0.5, 1)
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        self.monitor, self.min_delta, self.patience, self.verbose = monitor, min_delta, int(patience), verbose
        self.baseline, self.restore_best_weights, self.start_from_epoch = baseline, restore_best_weights, \
            start_from_epoch
        self._better, self._initial = _mode_better(mode, monitor, min_delta, "EarlyStopping")
        self._warned = False
        self._reset()

    def _reset(self):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = self._initial
        self.best_weights = None

    def on_train_begin(self, logs=None):
        if not getattr(self, "_resumed", False):
            self._reset()
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "EarlyStopping", self._warned)
        if current is None:
            self._warned = True
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = _copy_weights(self.model), epoch   # so far, the best
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _copy_weights(self.model)
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)

    def get_state(self):
        return {"wait": self.wait, "best": self.best, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def set_state(self, state):
        self.wait, self.best, self.best_epoch = state["wait"], state["best"], state["best_epoch"]
        self.stopped_epoch, self.best_weights = state["stopped_epoch"], state["best_weights"]
        self._resumed = True


def _copy_weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when a monitored value has stopped improving.

    Args:
        monitor: the log to watch. Default: "val_loss".
        factor: the multiplier, in (0, 1). Default: 0.1.
        patience: epochs without improvement before reducing. Default: 10.
        verbose: print a line when reducing.
        mode: "min", "max" or "auto".
        min_delta: a change smaller than this is not an improvement. Default: 1e-4.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.

    Example:
        >>> import lucidnet
        >>> from lucidnet import optim
        >>> class M: optimizer = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
        >>> cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1); cb.set_model(M()); cb.on_train_begin()
        >>> for epoch, loss in enumerate([1.0, 1.0, 1.0]):
        ...     cb.on_epoch_end(epoch, {"loss": loss})
        >>> M.optimizer.param_groups[0]["lr"]
        0.25
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: expected factor in (0, 1), got {factor}.")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, int(patience), verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, int(cooldown), min_lr
        self._better, self._initial = _mode_better(mode, monitor, min_delta, "ReduceLROnPlateau")
        self._warned = False
        self._reset()

    def _reset(self):
        self.best, self.wait, self.cooldown_counter = self._initial, 0, 0

    def on_train_begin(self, logs=None):
        if not getattr(self, "_resumed", False):
            self._reset()
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        current = _monitored(logs, self.monitor, "ReduceLROnPlateau", self._warned)
        if current is None:
            self._warned = True
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                opt = _optimizer(self.model, "ReduceLROnPlateau")
                reduced = False
                for group in opt.param_groups:
                    old = float(group["lr"])
                    new = max(old * self.factor, self.min_lr)
                    if old - new > 1e-12:
                        group["lr"], reduced = new, True
                if reduced and self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                          f"{opt.param_groups[0]['lr']:.4g}.")
                self.cooldown_counter, self.wait = self.cooldown, 0

    def get_state(self):
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def set_state(self, state):
        self.best, self.wait, self.cooldown_counter = state["best"], state["wait"], state["cooldown_counter"]
        self._resumed = True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from ``schedule(epoch, lr)`` (or ``schedule(epoch)``).

    Args:
        schedule: a function of the epoch (0-based) and the current learning rate, returning the new one.
        verbose: print the new learning rate each epoch.

    Example:
        >>> import lucidnet
        >>> from lucidnet import optim
        >>> class M: optimizer = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=0.1)
        >>> cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5); cb.set_model(M())
        >>> cb.on_epoch_begin(0); cb.on_epoch_begin(1); M.optimizer.param_groups[0]["lr"]
        0.025
    """

    def __init__(self, schedule, verbose=0):
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected a function schedule(epoch, lr), got "
                            f"{type(schedule).__name__}.")
        self.schedule, self.verbose = schedule, verbose
        try:
            params = inspect.signature(schedule).parameters.values()
            positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            self._two = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
        except (TypeError, ValueError):          # builtins without a signature: try the Keras form
            self._two = True

    def on_epoch_begin(self, epoch, logs=None):
        opt = _optimizer(self.model, "LearningRateScheduler")
        lr = float(opt.param_groups[0]["lr"])
        new = self.schedule(epoch, lr) if self._two else self.schedule(epoch)
        if isinstance(new, bool) or not isinstance(new, (int, float, np.floating, np.integer)) \
                or not math.isfinite(new) or new < 0:
            raise ValueError(f"LearningRateScheduler: expected the schedule to return a finite number >= 0, got "
                             f"{new!r} at epoch {epoch}.")
        for group in opt.param_groups:
            group["lr"] = float(new)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new):.4g}.")


class TerminateOnNaN(Callback):
    """Stop training, without an error, as soon as a batch's loss is nan or inf.

    Without it, ``fit`` raises an error naming the epoch and batch instead.

    Example:
        >>> class M: stop_training = False
        >>> cb = TerminateOnNaN(); cb.set_model(M())
        >>> cb.on_train_batch_end(4, {"loss": float("nan")})
        Batch 4: Invalid loss, terminating training
        >>> cb.model.stop_training
        True
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class ModelCheckpoint(Callback):
    """Save the model at the end of epochs, atomically, so a crash never leaves a broken file.

    A full checkpoint (the default) holds the architecture, weights, optimizer state and the training
    state (epoch, history, random generators, callbacks), so ``lucidnet.load(path).fit(...)`` continues the
    run exactly. ModelCheckpoints run after the other callbacks of an epoch, so what they save includes
    those callbacks' changes (e.g. a learning rate ReduceLROnPlateau just lowered).

    An epoch whose logs hold a nan or inf, or whose weights do, is never saved: the last good checkpoint
    stays.

    Args:
        filepath: where to save; formatted with ``epoch`` (1-based) and the logs, e.g.
            ``"ckpt/epoch{epoch:02d}-{val_loss:.4f}.safetensors"``.
        monitor: the log ``save_best_only`` watches. Default: "val_loss".
        verbose: print a line per save.
        save_best_only: save only when ``monitor`` improves on the best so far.
        save_weights_only: save only the weights (``lucidnet.io.save_weights``).
        mode: "min", "max" or "auto".
        initial_value_threshold: a value the monitored log must beat to be saved the first time.
        extra: a JSON-able value stored in each full checkpoint (``lucidnet.save``'s ``extra``; e.g. what the
            run was), returned by ``lucidnet.io.load_checkpoint``.

    Example:
        >>> import os, tempfile
        >>> cb = ModelCheckpoint(os.path.join(tempfile.mkdtemp(), "e{epoch}-{loss:.2f}.safetensors"))
        >>> os.path.basename(cb.format_path(2, {"loss": 0.1234}))
        'e3-0.12.safetensors'
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", initial_value_threshold=None, extra=None):
        self.filepath = os.fspath(filepath)
        self.extra = extra
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self._better, initial = _mode_better(mode, monitor, 0.0, "ModelCheckpoint")
        self.best = initial if initial_value_threshold is None else float(initial_value_threshold)
        self._warned = False
        self.last_saved = None

    def format_path(self, epoch, logs):
        """The file name for epoch ``epoch`` (0-based; formatted 1-based) and its logs."""
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as e:
            raise ValueError(f"ModelCheckpoint: the filepath {self.filepath!r} names {e.args[0]!r}, which is not in "
                             f"the logs; expected one of epoch, {', '.join(sorted(logs or {}))}.") from None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.format_path(epoch, logs)
        bad = [k for k, v in logs.items() if isinstance(v, float) and not math.isfinite(v)]
        if not bad and not all(np.isfinite(p.array).all() for p in self.model.parameters()):
            bad = ["the weights"]
        if bad:
            warnings.warn(f"ModelCheckpoint: epoch {epoch + 1}: not saving {path!r}, {', '.join(bad)} "
                          f"{'is' if len(bad) == 1 else 'are'} nan or inf; the last good checkpoint stays.",
                          stacklevel=2)
            return
        if self.save_best_only:
            current = _monitored(logs, self.monitor, "ModelCheckpoint", self._warned)
            if current is None:
                self._warned = True
                return
            if not self._better(current, self.best):
                if self.verbose:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, saving "
                      f"the model to {path}")
            self.best = current
        elif self.verbose:
            print(f"Epoch {epoch + 1}: saving the model to {path}")
        self._save(path)

    def _save(self, path):
        from .. import io
        if self.save_weights_only:
            io.save_weights(self.model, path)
        else:
            io.save(self.model, path, extra=self.extra)
        self.last_saved = path

    def get_state(self):
        return {"best": self.best}

    def set_state(self, state):
        self.best = state["best"]


class CSVLogger(Callback):
    """Append each epoch's logs to a CSV file: a header ``epoch,<keys in sorted order>``, one row per epoch.

    Each row is written and closed at the end of its epoch, so a crash loses nothing written so far.

    Args:
        filename: the CSV file.
        separator: the column separator. Default: ",".
        append: add to an existing file instead of starting a new one (a resumed run appends by itself).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> cb = CSVLogger(path); cb.on_train_begin()
        >>> cb.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75}); cb.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875})
        >>> print(open(path).read().strip())
        epoch,accuracy,loss
        0,0.75,0.5
        1,0.875,0.25
    """

    def __init__(self, filename, separator=",", append=False):
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self.keys = None
        self.rows = 0                            # rows this run has written (saved with a checkpoint)
        self._resumed = False

    def on_train_begin(self, logs=None):
        if self._resumed:
            # Continue the log as the checkpoint left it: drop rows of epochs run after it (before a crash).
            if os.path.exists(self.filename):
                with open(self.filename, newline="") as f:
                    lines = f.readlines()
                keep = lines[:1 + self.rows] if lines else []
                if len(keep) < len(lines):
                    with open(self.filename, "w", newline="") as f:
                        f.writelines(keep)
        elif not self.append:
            with open(self.filename, "w", newline=""):
                pass                             # start a new file
            self.keys, self.rows = None, 0
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        new_file = not os.path.exists(self.filename) or os.path.getsize(self.filename) == 0
        with open(self.filename, "a", newline="") as f:
            writer = csv.writer(f, delimiter=self.separator)
            if new_file:
                writer.writerow(["epoch"] + self.keys)
            writer.writerow([epoch] + [_csv_value(logs.get(k, "NA")) for k in self.keys])
        self.rows += 1

    def get_state(self):
        return {"keys": self.keys, "rows": self.rows}

    def set_state(self, state):
        self.keys, self.rows = state["keys"], state["rows"]
        self._resumed = True


def _csv_value(v):
    return repr(float(v)) if isinstance(v, (float, np.floating)) else v


class LambdaCallback(Callback):
    """A callback from plain functions, for quick hooks: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        on_epoch_begin, on_epoch_end: ``f(epoch, logs)``.
        on_train_batch_begin, on_train_batch_end: ``f(batch, logs)``.
        on_train_begin, on_train_end: ``f(logs)``.

    Example:
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
        >>> cb.on_epoch_end(3, {"loss": 0.5})
        3 0.5
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_train_begin=None, on_train_end=None):
        self._fns = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                     "on_train_batch_begin": on_train_batch_begin, "on_train_batch_end": on_train_batch_end,
                     "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for name in ("on_train_batch_begin", "on_train_batch_end"):
            if self._fns[name] is None:          # leave the base hook, so fit skips per-batch calls
                setattr(self, name, getattr(Callback, name).__get__(self))

    def on_epoch_begin(self, epoch, logs=None):
        if self._fns["on_epoch_begin"]:
            self._fns["on_epoch_begin"](epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._fns["on_epoch_end"]:
            self._fns["on_epoch_end"](epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        if self._fns["on_train_batch_begin"]:
            self._fns["on_train_batch_begin"](batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        if self._fns["on_train_batch_end"]:
            self._fns["on_train_batch_end"](batch, logs)

    def on_train_begin(self, logs=None):
        if self._fns["on_train_begin"]:
            self._fns["on_train_begin"](logs)

    def on_train_end(self, logs=None):
        if self._fns["on_train_end"]:
            self._fns["on_train_end"](logs)
