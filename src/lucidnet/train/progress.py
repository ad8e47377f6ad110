"""The progress display of ``fit``: a tqdm bar on a terminal, one line per epoch otherwise, as a callback
(:class:`ProgbarLogger`, which ``fit(verbose=...)`` adds to the callback list as Keras does).

``verbose=1`` draws a bar (batches done, loss, metrics, samples/s) when the output is a terminal and the
``CI`` environment variable is unset; elsewhere (logs, notebooks' captured output, CI) it prints one line per
epoch, like ``verbose=2``. ``verbose=0`` prints nothing. The bar costs almost nothing per batch: tqdm redraws
at most every ``mininterval`` seconds, and the loss and metrics are formatted only when it does.
"""
import os
import sys
import time

from tqdm import tqdm

from .callbacks import Callback

__all__ = ["EpochProgress", "ProgbarLogger", "format_logs"]

_REFRESH = 0.25                                # seconds between updates of the bar's loss/metrics text


def format_logs(logs):
    """Keras's ``name: value - name: value`` text for a logs dict.

    Example:
        >>> format_logs({"loss": 0.123456, "accuracy": 0.5, "lr": 0.001})
        'loss: 0.1235 - accuracy: 0.5000 - lr: 0.001'
    """
    parts = []
    for k, v in logs.items():
        if k == "lr" or k.endswith("_lr"):
            parts.append(f"{k}: {v:.4g}")
        elif isinstance(v, (int, float)):
            parts.append(f"{k}: {v:.4f}")
    return " - ".join(parts)


def _interactive(file):
    isatty = getattr(file, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


class EpochProgress:
    """Progress of one epoch: ``update`` after every batch, ``close`` with the epoch's logs.

    Args:
        epoch: the epoch (0-based; shown 1-based).
        epochs: the last epoch, for "Epoch 3/10".
        steps: batches in the epoch (None if unknown).
        verbose: 0 silent, 1 bar (a line when not on a terminal), 2 one line per epoch.
        file: where to write. Default: sys.stdout.

    Example:
        >>> import sys
        >>> p = EpochProgress(0, 2, steps=3, verbose=2, file=sys.stdout)
        >>> for _ in range(3):
        ...     p.update(32, lambda: {"loss": 0.5})
        >>> p.close({"loss": 0.5})                       # doctest: +ELLIPSIS
        Epoch 1/2 - ...s - loss: 0.5000 - ... samples/s
    """

    def __init__(self, epoch, epochs, steps, verbose, file=None):
        self.file = sys.stdout if file is None else file
        self.title = f"Epoch {epoch + 1}/{epochs}"
        self.verbose = verbose
        self.samples = 0
        self.start = time.perf_counter()
        self._next = self.start + _REFRESH
        self.bar = None
        if verbose == 1 and _interactive(self.file):
            self.bar = tqdm(total=steps, desc=self.title, unit="batch", file=self.file, leave=True,
                            mininterval=0.1, dynamic_ncols=True)

    def update(self, samples, logs):
        """One batch of ``samples`` done; ``logs()`` gives the running values (called only when shown)."""
        self.samples += samples
        bar = self.bar
        if bar is None:
            return
        bar.update(1)
        now = time.perf_counter()
        if now >= self._next:
            self._next = now + _REFRESH
            bar.set_postfix_str(self._text(logs(), now), refresh=False)

    def _text(self, logs, now):
        rate = self.samples / max(now - self.start, 1e-9)
        text = format_logs(logs)
        return f"{text} - {rate:.0f} samples/s" if text else f"{rate:.0f} samples/s"

    def close(self, logs):
        """End the epoch, showing its final logs (training and validation values)."""
        if self.bar is None and not self.verbose:
            return
        now = time.perf_counter()
        text = self._text(logs, now)
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.close()
        elif self.verbose:
            print(f"{self.title} - {now - self.start:.1f}s - {text}", file=self.file, flush=True)


class ProgbarLogger(Callback):
    """``fit``'s progress display as a callback: ``fit(verbose=1 or 2)`` adds one to its callbacks (first, so it
    shows each epoch's logs before other callbacks print), unless one is given.

    Args:
        verbose: 1: a bar per epoch on a terminal (a line per epoch elsewhere); 2: one line per epoch.
        per: "batch" (the default): the display above; "epoch": one bar over the whole run on a terminal, else
            about ten lines ``Epoch k/N - logs`` (for runs of many short epochs).
        file: where to write. Default: sys.stdout when training starts.

    Example:
        >>> import numpy as np
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = lucidnet.Sequential([nn.Linear(2, 1)]); model.compile("sgd", "mse")
        >>> x = np.ones((8, 2), np.float32)
        >>> _ = model.fit(x, x[:, 0], epochs=20, verbose=0, callbacks=[ProgbarLogger(per="epoch")])
        ... # doctest: +ELLIPSIS
        Epoch 2/20 - loss: ...
        ...
        Epoch 20/20 - loss: ...
    """

    def __init__(self, verbose=1, per="batch", file=None):
        if verbose not in (1, 2):
            raise ValueError(f"ProgbarLogger: expected verbose 1 or 2, got {verbose!r}.")
        if per not in ("batch", "epoch"):
            raise ValueError(f"ProgbarLogger: expected per='batch' or 'epoch', got {per!r}.")
        self.verbose, self.per, self._file = verbose, per, file
        self.progress = self.bar = None

    @property
    def file(self):
        return sys.stdout if self._file is None else self._file

    def on_train_begin(self, logs=None):
        self.epochs = self.params["epochs"]
        if self.per == "epoch" and _interactive(self.file):
            self.bar = tqdm(total=self.epochs - self.params.get("initial_epoch", 0), desc="Training", unit="epoch",
                            file=self.file, dynamic_ncols=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def _start(self):
        # At the first batch, after the other callbacks' on_epoch_begin: what they print comes before the bar.
        self.progress = EpochProgress(self.epoch, self.epochs, self.params.get("steps"), self.verbose, self.file)
        self._samples = 0

    def on_train_batch_begin(self, batch, logs=None):
        if self.progress is None and self.per == "batch":
            self._start()

    def on_train_batch_end(self, batch, logs=None):
        if self.progress is not None:
            samples = getattr(logs, "samples", None)
            self.progress.update(samples - self._samples if samples is not None else 0, lambda: logs)
            self._samples = samples if samples is not None else self._samples

    def on_epoch_end(self, epoch, logs=None):
        if self.per == "batch":
            if self.progress is None:
                self._start()
            self.progress.close(logs or {})
            self.progress = None
            return
        text = format_logs(logs or {})
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(text, refresh=False)
        elif (epoch + 1) % max(1, self.epochs // 10) == 0 or epoch + 1 == self.epochs:
            print(f"Epoch {epoch + 1}/{self.epochs} - {text}", file=self.file, flush=True)

    def on_train_end(self, logs=None):
        self.close()

    def close(self):
        """End the display now (fit calls it when training stops on an error)."""
        for bar in (self.progress.bar if self.progress is not None else None, self.bar):
            if bar is not None:
                bar.close()
        self.progress = self.bar = None
