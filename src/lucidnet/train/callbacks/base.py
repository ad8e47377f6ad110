"""The callback protocol: the :class:`Callback` base, the list ``fit`` calls them through, the logs batches get, and
:class:`MonitorCallback`, the base of the callbacks that watch one logged value."""
import math
import warnings

__all__ = ["BatchLogs", "Callback", "CallbackList", "MonitorCallback", "optimizer_of"]


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
        >>> from lucidnet.train.callbacks import LambdaCallback
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


class MonitorCallback(Callback):
    """Base of the callbacks that watch one value of the epoch's logs (EarlyStopping, ReduceLROnPlateau,
    ModelCheckpoint): which direction is better, by how much, and reading the value.

    Args:
        monitor: the log to watch, e.g. "val_loss".
        mode: "min", "max", or "auto" (max for accuracies, AUC, precision, recall, F1; else min).
        min_delta: a change smaller than this is not an improvement.

    Example:
        >>> cb = MonitorCallback("val_accuracy")
        >>> cb.is_better(0.9, 0.8), cb.initial
        (True, -inf)
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        where = type(self).__name__
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{where}: expected mode 'auto', 'min' or 'max', got {mode!r}.")
        if mode == "auto":
            mode = "max" if any(s in monitor for s in ("acc", "auc", "precision", "recall", "f1")) else "min"
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)
        self.initial = math.inf if mode == "min" else -math.inf      # what any first value beats
        self._warned = False

    def is_better(self, current, reference):
        """Whether ``current`` improves on ``reference`` by more than min_delta."""
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def get_monitor_value(self, logs):
        """The monitored value in ``logs`` as a float, or None (with one warning per callback) when absent."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            if not self._warned:
                warnings.warn(f"{type(self).__name__}: expected {self.monitor!r} in the logs, got only "
                              f"{sorted(logs or {})}; doing nothing. Pass validation_data to fit(), or monitor one "
                              f"of those.", stacklevel=3)
                self._warned = True
            return None
        return float(value)


def optimizer_of(model, where):
    """The model's optimizer (with parameter groups), or a RuntimeError naming ``where``."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "param_groups"):
        raise RuntimeError(f"{where}: expected a model with an optimizer; call compile() first.")
    return opt
