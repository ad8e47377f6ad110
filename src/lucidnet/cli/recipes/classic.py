"""``lucidnet train --model perceptron`` and ``--model adaline``: the classic single-neuron classifiers of
:mod:`lucidnet.classic`, trained by their own rules (one unit per class, one-vs-rest) on standardized inputs.

They are saved as their weights, classes and feature scaling, in the same ``.safetensors`` format
(``lucidnet.load(path)`` gives them as a dict); ``evaluate`` and ``predict`` work on them too (they have net
inputs, not probabilities).
"""
import math
import os
import time

import numpy as np

from ... import classic, data, io
from ..args import CLIError, one_line
from ..files import META_KEY, Loaded
from ..registry import ModelRecipe, register_file_format, register_model
from ..run import draw, print_summary, write_json


class _Scaled:
    """A Perceptron / Adaline with the feature scaling it was trained with."""

    def __init__(self, model, mean, std):
        self.model, self.mean, self.std = model, mean, std

    def _x(self, x):
        return (np.asarray(x, np.float64).reshape(len(x), -1) - self.mean) / self.std

    def predict(self, x):
        return self.model.predict(self._x(x))

    def net_input(self, x):
        return self.model.net_input(self._x(x))


class ClassicFile(Loaded):
    """A classic model file: ``{META_KEY: record, "classic": model.get_state() + mean and std}``."""

    @staticmethod
    def recognizes(obj):
        return isinstance(obj, dict) and "classic" in obj and META_KEY in obj

    @classmethod
    def load(cls, path, obj):
        try:
            state = obj["classic"]
            mean, std = (np.asarray(getattr(state[k], "array", state[k]), np.float64) for k in ("mean", "std"))
            return cls(path, _Scaled(classic.from_state(state), mean, std), obj[META_KEY])
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise CLIError(f"{path}: expected a saved Perceptron or Adaline, got a file with a broken classic "
                           f"model record ({one_line(e)}).") from None

    def check_fits(self, name, input_shape, task, outputs, sample):
        features = self.model.model.w_.shape[-1]
        if int(np.prod(input_shape)) != features:
            kind = type(self.model.model).__name__
            raise CLIError(f"{self.expected(name, input_shape)}, got {'an' if kind[0] in 'AEIOU' else 'a'} {kind} of "
                           f"{features} features{self.trained_on()}.")
        w = self.model.model.w_
        classes = 2 if w.ndim == 1 else w.shape[0]        # one unit for two classes, else one per class
        if task == "classification" and outputs is not None and classes != outputs:
            kind = type(self.model.model).__name__
            raise CLIError(f"{self.path}: expected a model of {outputs} classes for {name}, got "
                           f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind} of {classes}{self.trained_on()}.")

    def evaluate(self, d, batch_size):
        return f"accuracy {float(np.mean(self.model.predict(d.x_test) == d.y_test)):.4f}"

    def predict_lines(self, x, name, shape, task, classes, top):
        self.check_fits(name, shape, task, len(classes) if task == "classification" and classes else None, x[:2])
        labels, z = self.model.predict(x), self.model.net_input(x)
        score = z if z.ndim == 1 else z.max(axis=1)
        return [f"{classes[int(c)] if int(c) < len(classes) else c} (net input {s:.3f})"
                for c, s in zip(labels, score)]


def train_classic(run):
    """Fit a Perceptron or Adaline by its own rule; report, save and plot. Returns the exit status."""
    d, meta, say, seed = run.data, run.meta, run.say, run.args.seed
    epochs, lr = run.settings["epochs"], run.settings["lr"]
    cls = {"perceptron": classic.Perceptron, "adaline": classic.Adaline}[run.recipe.name]
    x_train = d.x_train.reshape(len(d.x_train), -1).astype(np.float64)
    scaler = data.Standardizer().fit(x_train)
    model = cls(eta=lr, n_iter=epochs, random_state=seed)
    classes = len(np.unique(d.y_train))
    units = 1 if classes == 2 else classes
    meta["architecture"] = f"{cls.__name__} {x_train.shape[1]}-{units}" + (" (one-vs-rest)" if units > 1 else "")
    say(f"lucidnet train: {d.title} ({d.describe(len(x_train))} to train on, {d.describe(len(d.x_test))} to test "
        f"on), {meta['architecture']} on standardized inputs, eta {lr:g}, {epochs} epochs, seed {seed}")
    fit_start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        model.fit(scaler.transform(x_train), d.y_train)
    meta["train_seconds"] = round(time.perf_counter() - fit_start, 3)
    key, values = ("errors", [int(e) for e in model.errors_]) if cls is classic.Perceptron else \
        ("loss", [float(v) for v in model.losses_])
    if not (np.isfinite(model.w_).all() and np.isfinite(model.b_).all()):
        bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
        at = f" at epoch {bad + 1}/{epochs}" if bad is not None else ""
        raise CLIError(f"{cls.__name__}: expected a finite loss, got nan or inf{at}; nothing was saved. The weights "
                       f"diverged: lower the learning rate (now --lr {lr:g}).")
    if cls is classic.Adaline and values[-1] > values[0]:      # gradient descent on a convex loss: it must fall
        raise CLIError(f"Adaline: expected the loss to fall, got it growing from {values[0]:.4g} to {values[-1]:.4g} "
                       f"in {epochs} epochs; nothing was saved. The steps are too large: lower the learning rate "
                       f"(now --lr {lr:g}).")
    for epoch, value in enumerate(values):
        if (epoch + 1) % max(1, epochs // 10) == 0 or epoch + 1 == epochs:
            say(f"Epoch {epoch + 1}/{epochs} - {key}: {value if key == 'errors' else f'{value:.4g}'}")
    scaled = _Scaled(model, scaler.mean_.reshape(-1), scaler.std_.reshape(-1))
    pred = scaled.predict(d.x_test)
    test = {"accuracy": float(np.mean(pred == d.y_test))}
    meta["test"] = test
    state = dict(model.get_state(), mean=scaled.mean.reshape(-1), std=scaled.std.reshape(-1))
    try:
        io.save({META_KEY: meta, "classic": state}, run.model_path)
    except OSError as e:
        raise CLIError(f"{run.model_path}: cannot write the model ({e.strerror or e}).") from None
    write_json(os.path.join(run.out, "history.json"), {key: values})
    scores = np.eye(len(d.classes))[pred.astype(np.int64)]
    files = draw(run, {key: values}, scaled.predict, scores, test)
    print_summary(run, f"Test accuracy {test['accuracy']:.4f}", epochs, files)
    return 0


register_file_format(ClassicFile)

_REFUSAL = "it learns by its own rule, one sample or one full batch at a time, at a constant rate"

register_model(ModelRecipe(
    name="perceptron", help="perceptron", train=train_classic, tasks=("classification",), refusal=_REFUSAL,
    defaults={"images": dict(epochs=5, lr=1e-3),            # one update per sample: few epochs
              "*": dict(epochs=50, lr=1e-2)},               # Raschka's eta and n_iter
    about="Perceptron: 50 epochs, lr 0.01 (on images: 5, 0.001)."))

register_model(ModelRecipe(
    name="adaline", help="adaline", train=train_classic, tasks=("classification",), refusal=_REFUSAL,
    defaults={"images": dict(epochs=100, lr=3e-3),          # one full-batch step per epoch
              "*": dict(epochs=50, lr=1e-2)},
    about="Adaline: 50 epochs, lr 0.01 (on images: 100, 0.003)."))
