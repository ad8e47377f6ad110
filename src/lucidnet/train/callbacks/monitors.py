"""The callbacks that act when a monitored value improves or stalls: EarlyStopping, ReduceLROnPlateau,
ModelCheckpoint."""
import math
import os
import warnings

import numpy as np

from .base import MonitorCallback, optimizer_of

__all__ = ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau"]


class EarlyStopping(MonitorCallback):
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
        super().__init__(monitor, mode, min_delta)
        self.patience, self.verbose = int(patience), verbose
        self.baseline, self.restore_best_weights, self.start_from_epoch = baseline, restore_best_weights, \
            start_from_epoch
        self._reset()

    def _reset(self):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = self.initial
        self.best_weights = None

    def on_train_begin(self, logs=None):
        if not getattr(self, "_resumed", False):
            self._reset()
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = _copy_weights(self.model), epoch   # so far, the best
        self.wait += 1
        if self.is_better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _copy_weights(self.model)
            if self.baseline is None or self.is_better(current, self.baseline):
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


class ReduceLROnPlateau(MonitorCallback):
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
        super().__init__(monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = factor, int(patience), verbose
        self.cooldown, self.min_lr = int(cooldown), min_lr
        self._reset()

    def _reset(self):
        self.best, self.wait, self.cooldown_counter = self.initial, 0, 0

    def on_train_begin(self, logs=None):
        if not getattr(self, "_resumed", False):
            self._reset()
        self._resumed = False

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                opt = optimizer_of(self.model, "ReduceLROnPlateau")
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


class ModelCheckpoint(MonitorCallback):
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
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.extra, self.verbose = extra, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.best = self.initial if initial_value_threshold is None else float(initial_value_threshold)
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
            current = self.get_monitor_value(logs)
            if current is None:
                return
            if not self.is_better(current, self.best):
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
        from ... import io
        if self.save_weights_only:
            io.save_weights(self.model, path)
        else:
            io.save(self.model, path, extra=self.extra)
        self.last_saved = path

    def get_state(self):
        return {"best": self.best}

    def set_state(self, state):
        self.best = state["best"]
