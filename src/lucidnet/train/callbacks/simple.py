"""The callbacks that need no monitored value: History (what fit returns), CSVLogger, LearningRateScheduler,
TerminateOnNaN, LambdaCallback."""
import csv
import inspect
import io
import math
import os

import numpy as np

from ...data._files import atomic_write
from .base import Callback, optimizer_of

__all__ = ["CSVLogger", "History", "LambdaCallback", "LearningRateScheduler", "TerminateOnNaN"]


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
        opt = optimizer_of(self.model, "LearningRateScheduler")
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
                    self._write("".join(keep))
        elif not self.append:
            self._write("")                      # start a new file
            self.keys, self.rows = None, 0
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        old = ""
        if os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                old = f.read()
        out = io.StringIO(newline="")
        writer = csv.writer(out, delimiter=self.separator)
        if not old:
            writer.writerow(["epoch"] + self.keys)
        writer.writerow([epoch] + [_csv_value(logs.get(k, "NA")) for k in self.keys])
        self._write(old + out.getvalue())
        self.rows += 1

    def _write(self, text):
        """The whole log, written atomically: a crash or a full disk never leaves a torn row (the file is small;
        rewriting it each epoch costs nothing next to an epoch)."""
        with atomic_write(self.filename, "w", newline="") as f:
            f.write(text)

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
