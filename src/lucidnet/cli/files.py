"""Model files as ``evaluate`` and ``predict`` see them: a model with the record of the run that trained it.

A file written by ``lucidnet train`` holds the model and, in its saved ``extra``, a record under
:data:`META_KEY` (dataset, classes, input shape and scaling, settings, test results). A lucidnet model saved
from Python has no record: ``--dataset`` says what it is for. Other formats (the classic models' weights)
register with :func:`lucidnet.cli.registry.register_file_format` and give their own :class:`Loaded`.
"""
import numpy as np

from .. import io, nn
from ..autograd import no_grad
from ..tensor import Tensor
from ..train import Model
from . import registry
from .args import CLIError, one_line

__all__ = ["FORMAT", "META_KEY", "Loaded", "NetFile", "compile_for_task", "dataset_of", "load_model",
           "regression_scores"]

META_KEY = "lucidnet_cli"  # what a model file records about its run, in its saved `extra`
FORMAT = 1


class Loaded:
    """A loaded model file: ``model``, ``meta`` (the run's record, or {}) and what the commands ask of it.

    Subclasses define :meth:`check_fits`, :meth:`evaluate` and :meth:`predict_lines`.
    """

    def __init__(self, path, model, meta):
        self.path, self.model, self.meta = path, model, meta

    def trained_on(self):
        """``" (trained on spiral)"`` when the record says, for error messages."""
        return f" (trained on {self.meta['dataset']})" if self.meta.get("dataset") else ""

    def expected(self, name, input_shape):
        """The start of a "does not fit" error."""
        return f"{self.path}: expected a model for {name} inputs of shape {tuple(input_shape)}"

    def check_fits(self, name, input_shape, task, outputs, sample):
        """Raise a CLIError unless the model takes ``name``'s inputs and gives ``outputs`` values per sample
        (if not None); ``sample`` is a couple of real inputs to try."""
        raise NotImplementedError

    def check_predict(self):
        """Raise a CLIError if this kind of model does not predict from files (``predict`` asks first)."""

    def evaluate(self, d, batch_size):
        """The test-set results as text, e.g. ``"loss 0.3108 - accuracy 0.8978"``."""
        raise NotImplementedError

    def predict_lines(self, x, name, shape, task, classes, top):
        """One line per sample of ``x`` (already read and scaled): the prediction in words."""
        raise NotImplementedError


def compile_for_task(model, task, optimizer="adam", lr=None):
    """Compile with the command's loss and metrics for a task: cross-entropy and accuracy, or MSE and MAE."""
    if task == "classification":
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=lr)
    else:
        model.compile(optimizer=optimizer, loss="mse", metrics=["mae"], lr=lr)


def regression_scores(pred, y):
    """(MSE, R^2) of predictions against targets."""
    pred, y = np.asarray(pred, np.float64).reshape(-1), np.asarray(y, np.float64).reshape(-1)
    mse = float(np.mean((pred - y) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    return mse, (1.0 - float(np.sum((pred - y) ** 2)) / total) if total > 0 else float("nan")


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class NetFile(Loaded):
    """A lucidnet model (anything ``lucidnet.save`` wrote for a Module), made a trainable Model."""

    @classmethod
    def load(cls, path, obj):
        ckpt = io.load_checkpoint(path, restore_rng=False)
        extra = ckpt.extra if isinstance(ckpt.extra, dict) else {}
        return cls(path, Model.from_module(ckpt.model), extra.get(META_KEY) or {})

    def check_fits(self, name, input_shape, task, outputs, sample):
        expected, trained_on = self.expected(name, input_shape), self.trained_on()
        saved = tuple(self.meta.get("input_shape") or ())
        if saved and saved != tuple(input_shape):
            raise CLIError(f"{expected}, got one for inputs of shape {saved}{trained_on}.")
        model = self.model
        model.eval()
        try:
            with no_grad():
                out = model(Tensor._wrap(sample))
        except (ValueError, TypeError, RuntimeError) as e:
            raise CLIError(f"{expected}, got one that fails on them{trained_on}: {one_line(e)}") from None
        width = out.shape[-1] if out.ndim == 2 else 1
        if outputs is not None and width != outputs:
            what = f"{outputs} classes" if task == "classification" else "one value per sample"
            raise CLIError(f"{self.path}: expected a model with {outputs} outputs for {name} ({what}), got one with "
                           f"{width}{trained_on}.")

    def evaluate(self, d, batch_size):
        model = self.model
        compile_for_task(model, d.task)
        if d.task == "classification":
            logs = model.evaluate(d.x_test, d.y_test, batch_size=batch_size, return_dict=True)
            return f"loss {logs['loss']:.4f} - accuracy {logs['accuracy']:.4f}"
        mse, r2 = regression_scores(model.predict(d.x_test, batch_size=batch_size), d.y_test)
        return f"MSE {mse:.4g} - R^2 {r2:.4f}"

    def predict_lines(self, x, name, shape, task, classes, top):
        outputs = len(classes) if task == "classification" and classes else 1 if task == "regression" else None
        self.check_fits(name, shape, task, outputs, x[:2])
        y = self.model.predict(x, batch_size=1000)
        if task == "regression":
            return [f"y = {v:.4f}" for v in y.reshape(len(y), -1)[:, 0]]
        classes = classes or [str(k) for k in range(y.shape[1])]
        probs = y if y.min() >= 0 and np.allclose(y.sum(axis=1), 1, atol=1e-4) else _softmax(y)
        lines = []
        for p in probs:
            best = np.argsort(-p, kind="stable")[:top]
            text = f"{classes[best[0]]} ({p[best[0]]:.3f})"
            if top > 1:
                text += f"; top {len(best)}: " + ", ".join(f"{classes[k]} {p[k]:.3f}" for k in best)
            lines.append(text)
        return lines


def load_model(path):
    """The model file at ``path`` as a :class:`Loaded`; every way it can be wrong is a CLIError."""
    try:
        obj = io.load(path)
    except (OSError, ValueError) as e:        # missing, a directory, truncated, corrupt, unknown architecture
        raise CLIError(one_line(e)) from None
    for fmt in registry.file_formats():
        if fmt.recognizes(obj):
            return fmt.load(path, obj)
    if not isinstance(obj, nn.Module):
        weights = isinstance(obj, dict) and obj and all(isinstance(v, Tensor) for v in obj.values())
        what = "weights only (a state dict)" if weights else "saved values that are not a model"
        raise CLIError(f"{path}: expected a model saved by 'lucidnet train' or lucidnet.save(model, path), got "
                       f"{what}.")
    return NetFile.load(path, obj)


def dataset_of(loaded, given):
    """The dataset a model is for: ``--dataset``, else the one its record names."""
    name = given or loaded.meta.get("dataset")
    if name is None:
        raise CLIError(f"{loaded.path}: expected a model file that records its dataset (one written by lucidnet "
                       f"train), got one without; pass --dataset.")
    names = [r.name for r in registry.datasets()]
    if name not in names:
        raise CLIError(f"{loaded.path}: expected a dataset among {', '.join(names)}, got {name!r} in the file; "
                       f"pass --dataset.")
    return name
