"""The ``lucidnet`` command: train a model on a dataset, evaluate a saved one, predict from image files.

    lucidnet train                                   # the main job: an MLP on Fashion-MNIST
    lucidnet train --dataset spiral                  # a 2-D toy problem, with its decision boundary
    lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors
    lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png --top 3

``train`` writes into its output directory (default ``runs/<dataset>-<model>/``): ``model.safetensors`` (the
model, loadable with ``lucidnet.load``, plus what the run was: dataset, classes, input scaling, test
results), ``history.json`` (``History.history``: the per-epoch logs) and, when matplotlib is installed, PNG
plots. The neural models (``mlp``, ``linear``) standardize their inputs inside the model (a
``Normalization`` layer adapted on the training set), so a saved model takes raw inputs: images with pixels
scaled to [0, 1] (``fashion_mnist(normalize=True)``), or the toy datasets' points as they are.

The classic models (``perceptron``, ``adaline``: :mod:`lucidnet.classic`, trained by their own rules, one
unit per class one-vs-rest) are saved as their weights, classes and feature scaling, in the same
``.safetensors`` format (``lucidnet.load(path)`` gives them as a dict); ``evaluate`` and ``predict`` work
on them too (they have net inputs, not probabilities).

``main(argv)`` runs the command in-process and returns its exit status: 0 on success, 1 on an error, 2 on
a usage error; every user error is one line, ``lucidnet: error: <reason>``, on stderr. Unexpected
exceptions (bugs) keep their traceback.
"""
import argparse
import json
import math
import os
import sys
import textwrap
import time

import numpy as np

from . import __version__, data, io, nn, plots
from .autograd import no_grad
from .classic import Adaline, Perceptron
from .creation import manual_seed
from .data.png import read_png, to_grayscale
from .tensor import Tensor
from .train import Callback, LearningRateScheduler, Model, ModelCheckpoint, Sequential
from .train.metrics import confusion_matrix
from .train.progress import _interactive, format_logs

__all__ = ["main"]

DATASETS = {
    # name: (title, kind, task); kind: "images" (28x28, pixels / 255), "points" (2-D), "curve" (1-D)
    "fashion-mnist": ("Fashion-MNIST", "images", "classification"),
    "mnist": ("MNIST", "images", "classification"),
    "spiral": ("spiral", "points", "classification"),
    "vertical": ("vertical", "points", "classification"),
    "moons": ("moons", "points", "classification"),
    "blobs": ("blobs", "points", "classification"),
    "xor": ("XOR", "points", "classification"),
    "sine": ("sine", "curve", "regression"),
}
MODELS = ("mlp", "linear", "perceptron", "adaline")
OPTIMIZERS = ("adam", "sgd", "adamw", "rmsprop", "adagrad")
SCHEDULES = ("cosine", "constant")
DATA_SEED = 0              # the toy datasets are drawn once with this seed: every run sees the same data
TOY_TEST_SIZE = 0.25
META_KEY = "lucidnet_cli"  # what a model file records about its run, in its saved `extra`
FORMAT = 1

# Defaults per kind of dataset ("toy": points and curve) and model: hidden sizes, epochs, batch size, learning rate.
# The images/mlp row is the main job's recipe (test accuracy 0.896-0.899 over seeds); the linear model uses it too.
_DEFAULTS = {
    ("images", "mlp"): dict(hidden=(256, 128), epochs=10, batch_size=128, lr=1e-3),
    ("toy", "mlp"): dict(hidden=(64, 64), epochs=100, batch_size=32, lr=1e-2),
    ("images", "perceptron"): dict(epochs=5, lr=1e-3),           # one update per sample: few epochs
    ("images", "adaline"): dict(epochs=100, lr=3e-3),            # one full-batch step per epoch
    ("toy", "perceptron"): dict(epochs=50, lr=1e-2),              # Raschka's eta and n_iter
    ("toy", "adaline"): dict(epochs=50, lr=1e-2),
}


def _defaults(kind, model_name):
    key = ("images" if kind == "images" else "toy", "mlp" if model_name == "linear" else model_name)
    return dict(dict(hidden=(), batch_size=None), **_DEFAULTS[key])


class CLIError(Exception):
    """A user error: printed as one line ``lucidnet: error: <message>``, exit status 1."""


class _UsageError(CLIError):
    """A command-line usage error (argparse's), exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors raise (one line, printed by main) instead of printing the usage and exiting."""

    def error(self, message):
        raise _UsageError(message if message.endswith(".") else message + ".")


class _Formatter(argparse.HelpFormatter):
    """Wrap each paragraph of a description to the terminal; keep indented lines (the examples) as written."""

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line if not line or line.startswith(" ") else
                         textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
                         for line in text.splitlines())


def _one_line(e):
    return " ".join(str(e).split())


# ------------------------------------------------------------------------------------------------ arguments

def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    parse.__name__ = "integer"
    return parse


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {text!r}")
    return value


def _hidden(text):
    parts = [p.strip() for p in text.split(",")]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        sizes = ()
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"expected positive layer sizes separated by commas (e.g. 256,128), got "
                                         f"{text!r}")
    return sizes


def _choice(options, aliases=None):
    aliases = aliases or {}

    def parse(text):
        key = text.strip().lower()
        key = aliases.get(key, key)
        if key not in options:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(options)}, got {text!r}")
        return key
    parse.__name__ = "choice"
    return parse


_dataset = _choice(tuple(DATASETS), {"fashion_mnist": "fashion-mnist", "fashion": "fashion-mnist",
                                     "fashionmnist": "fashion-mnist"})


def _parser():
    parser = _Parser(
        prog="lucidnet", description="Neural networks from scratch in NumPy: train, evaluate and use models.",
        formatter_class=_Formatter,
        epilog="examples:\n"
               "  lucidnet train                          # MLP on Fashion-MNIST (about 0.897 test accuracy)\n"
               "  lucidnet train --dataset spiral         # a 2-D toy problem, with its decision boundary\n"
               "  lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors\n"
               "  lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png --top 3\n\n"
               "'lucidnet COMMAND --help' describes each command.")
    parser.add_argument("--version", action="version", version=f"lucidnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser(
        "train", help="train a model and save it, its history and plots",
        formatter_class=_Formatter,
        description="Train a model on a dataset, report its test accuracy (MSE and R^2 for sine), and write the "
                    "model, history.json and plots into the output directory.\n\n"
                    "With no options: the main job. Fashion-MNIST, MLP 784-256-128-10 with ReLU, inputs scaled to "
                    "[0, 1] and standardized per pixel inside the model, Adam lr 1e-3 with a per-epoch cosine "
                    "decay, batch 128, 10 epochs, seed 0 (test accuracy about 0.897).\n"
                    "Defaults for the toy datasets: hidden 64,64, 100 epochs, batch 32, lr 0.01. Perceptron: 50 "
                    "epochs, lr 0.01 (on images: 5, 0.001); adaline: 50 epochs, lr 0.01 (on images: 100, 0.003). "
                    "The model is saved after the first epoch, then at most once a second and at the end: a run "
                    "that diverges (nan) keeps its last good model.",
        epilog="examples:\n"
               "  lucidnet train\n"
               "  lucidnet train --epochs 20 --hidden 512,256 --val-split 0.1\n"
               "  lucidnet train --limit 5000 --epochs 2          # a quick run on 5,000 images\n"
               "  lucidnet train --dataset moons --model perceptron\n"
               "  lucidnet train --dataset sine --optimizer adam --lr 0.005\n"
               "  lucidnet train --dataset mnist --data-dir ~/data --out runs/digits")
    train.add_argument("--dataset", metavar="NAME", type=_dataset, default="fashion-mnist",
                       help=f"one of {', '.join(DATASETS)} (default: fashion-mnist)")
    train.add_argument("--model", metavar="NAME", type=_choice(MODELS), default="mlp",
                       help="mlp (hidden ReLU layers), linear (no hidden layer), perceptron or adaline "
                            "(default: mlp)")
    train.add_argument("--hidden", metavar="SIZES", type=_hidden,
                       help="hidden layer sizes of the mlp (default: 256,128; 64,64 for the toy datasets)")
    train.add_argument("--epochs", metavar="N", type=_int_at_least(1), help="passes over the training set")
    train.add_argument("--batch-size", metavar="N", type=_int_at_least(1),
                       help="samples per step (default: 128; 32 for the toy datasets)")
    train.add_argument("--lr", metavar="LR", type=_positive_float, help="learning rate (default: 0.001; see above)")
    train.add_argument("--optimizer", metavar="NAME", type=_choice(OPTIMIZERS),
                       help=f"one of {', '.join(OPTIMIZERS)} (default: adam)")
    train.add_argument("--schedule", metavar="NAME", type=_choice(SCHEDULES),
                       help="learning rate per epoch: cosine (lr * (1 + cos(pi * epoch / epochs)) / 2) or "
                            "constant (default: cosine)")
    train.add_argument("--seed", metavar="N", type=_int_at_least(0), default=0,
                       help="seed of the initial weights and of shuffling (default: 0)")
    train.add_argument("--out", metavar="DIR", help="output directory (default: runs/<dataset>-<model>)")
    train.add_argument("--data-dir", metavar="DIR", help="where to look for (or download) fashion-mnist/mnist "
                                                          "first")
    train.add_argument("--val-split", type=_fraction, default=0.0, metavar="F",
                       help="fraction of the training set held out to validate on after each epoch (default: 0)")
    train.add_argument("--limit", type=_int_at_least(1), metavar="N",
                       help="train on the first N training samples only (quick runs)")
    train.add_argument("--no-plots", action="store_true", help="do not draw plots")
    train.add_argument("--quiet", action="store_true", help="print only the final summary")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate", help="evaluate a saved model on its dataset's test set",
        formatter_class=_Formatter,
        description="Load a model and print its loss and accuracy (MSE and R^2 for sine) on the test split of "
                    "the dataset it was trained on (recorded in the model file by 'lucidnet train'), or of "
                    "--dataset. Writes nothing.",
        epilog="examples:\n"
               "  lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors\n"
               "  lucidnet evaluate my_model.safetensors --dataset mnist --data-dir ~/data")
    evaluate.add_argument("model", metavar="MODEL", help="a model file written by lucidnet train (or lucidnet.save)")
    evaluate.add_argument("--dataset", metavar="NAME", type=_dataset, help="evaluate on this dataset instead")
    evaluate.add_argument("--data-dir", metavar="DIR", help="where to look for fashion-mnist/mnist first")
    evaluate.add_argument("--batch-size", metavar="N", type=_int_at_least(1), default=1000,
                          help="samples per batch (default: 1000)")
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser(
        "predict", help="classify images (PNG or .npy) with a saved model",
        formatter_class=_Formatter,
        description="Print the predicted class and its probability for each image.\n\n"
                    "Images for the Fashion-MNIST and MNIST models: 28x28, PNG (8-bit grayscale, RGB or with "
                    "alpha; color is converted to gray, transparency shows black) or .npy (one image (28, 28) "
                    "or a batch (N, 28, 28); uint8 pixels 0..255, or floats in [0, 1]). As in the datasets, the "
                    "object is light on a black background: use --invert for dark-on-light drawings. Models "
                    "of the toy datasets take .npy files of points, shape (2,) or (N, 2) (sine: (N, 1)).",
        epilog="examples:\n"
               "  lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png bag.png\n"
               "  lucidnet predict runs/fashion-mnist-mlp/model.safetensors batch.npy --top 3\n"
               "  lucidnet predict runs/spiral-mlp/model.safetensors points.npy")
    predict.add_argument("model", metavar="MODEL", help="a model file written by lucidnet train")
    predict.add_argument("files", metavar="FILE", nargs="+", help=".png or .npy files")
    predict.add_argument("--top", type=_int_at_least(1), default=1, metavar="K",
                         help="also list the K most likely classes (default: 1)")
    predict.add_argument("--invert", action="store_true", help="invert images (255 - pixel) before predicting")
    predict.add_argument("--dataset", metavar="NAME", type=_dataset,
                         help="the dataset the model is for, when its file does not say (a model saved from Python)")
    predict.set_defaults(run=_predict)
    return parser


def main(argv=None):
    """Run the ``lucidnet`` command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: the arguments, e.g. ``["train", "--dataset", "spiral"]``.

    Returns:
        0 on success, 1 on an error (one line ``lucidnet: error: ...`` on stderr), 2 on a usage error.

    Example:
        >>> main(["--version"])
        lucidnet 0.1.0
        0
        >>> main(["train", "--epochs", "-3"])
        2
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return args.run(args) or 0
    except SystemExit as e:                    # --help, --version
        return e.code if isinstance(e.code, int) else 0
    except _UsageError as e:
        print(f"lucidnet: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except CLIError as e:
        print(f"lucidnet: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lucidnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                    # `lucidnet ... | head`: the reader left; stop quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141


# ------------------------------------------------------------------------------------------------ data

class _Data:
    """A dataset's splits and what a model needs to know about it."""

    def __init__(self, name, x_train, y_train, x_test, y_test, classes, scale):
        self.name, self.title, self.kind, self.task = name, *DATASETS[name]
        self.x_train, self.y_train, self.x_test, self.y_test = x_train, y_train, x_test, y_test
        self.classes = list(classes)
        self.scale = scale                     # raw values are divided by it (255 for images), or None

    @property
    def input_shape(self):
        return tuple(self.x_test.shape[1:])

    def describe(self, n):
        return f"{n:,} {'images' if self.kind == 'images' else 'samples'}"


def _toy(name):
    generate = {
        "spiral": lambda: data.spiral(200, 3, seed=DATA_SEED),
        "vertical": lambda: data.vertical(200, 3, seed=DATA_SEED),
        "moons": lambda: data.moons(600, noise=0.1, seed=DATA_SEED),
        "blobs": lambda: data.blobs(600, centers=3, std=1.5, seed=DATA_SEED),
        "xor": lambda: data.xor(150, noise=0.15, seed=DATA_SEED),
        "sine": lambda: data.sine(1000, noise=0.1, seed=DATA_SEED),
    }[name]
    X, y = generate()
    classification = DATASETS[name][2] == "classification"
    x_tr, x_te, y_tr, y_te = data.train_test_split(X, y, test_size=TOY_TEST_SIZE, seed=DATA_SEED,
                                                   stratify=y if classification else None)
    classes = [str(c) for c in range(int(y.max()) + 1)] if classification else []
    return _Data(name, x_tr, y_tr, x_te, y_te, classes, None)


def _load_data(name, data_dir=None, progress=True):
    """The dataset's train and test splits; a missing or broken dataset is a CLIError (the data package's line)."""
    if DATASETS[name][1] != "images":
        return _toy(name)
    load, classes = (data.fashion_mnist, data.FASHION_MNIST_CLASSES) if name == "fashion-mnist" else \
        (data.mnist, data.MNIST_CLASSES)
    try:
        (x_tr, y_tr), (x_te, y_te) = load(data_dir, normalize=True, progress=progress)
    except (OSError, ValueError) as e:        # not found (FileNotFoundError), corrupt files, failed download
        raise CLIError(_one_line(e)) from None
    return _Data(name, x_tr, y_tr, x_te, y_te, classes, 255)


# ------------------------------------------------------------------------------------------------ models

def _network(model_name, d, hidden):
    """Sequential([Flatten (images), Normalization adapted on the training inputs, Linear-ReLU..., Linear])."""
    features = int(np.prod(d.input_shape))
    outputs = len(d.classes) if d.task == "classification" else 1
    layers = [nn.Flatten()] if len(d.input_shape) > 1 else []
    norm = nn.Normalization()
    norm.adapt(d.x_train.reshape(len(d.x_train), -1))
    layers.append(norm)
    sizes = [features] + list(hidden if model_name == "mlp" else ()) + [outputs]
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    kind = "MLP " + "-".join(map(str, sizes)) + " (ReLU)" if len(sizes) > 2 else f"linear {sizes[0]}-{sizes[1]}"
    return Sequential(layers), kind


def _compile(model, task, optimizer="adam", lr=None):
    if task == "classification":
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=lr)
    else:
        model.compile(optimizer=optimizer, loss="mse", metrics=["mae"], lr=lr)


def _regression_scores(pred, y):
    pred, y = np.asarray(pred, np.float64).reshape(-1), np.asarray(y, np.float64).reshape(-1)
    mse = float(np.mean((pred - y) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    return mse, (1.0 - float(np.sum((pred - y) ** 2)) / total) if total > 0 else math.nan


class _Classic:
    """A loaded Perceptron / Adaline with the feature scaling it was trained with."""

    def __init__(self, model, mean, std):
        self.model, self.mean, self.std = model, mean, std

    def _x(self, x):
        return (np.asarray(x, np.float64).reshape(len(x), -1) - self.mean) / self.std

    def predict(self, x):
        return self.model.predict(self._x(x))

    def net_input(self, x):
        return self.model.net_input(self._x(x))


def _classic_state(model, mean, std, meta):
    binary = np.ndim(model.b_) == 0
    return {META_KEY: meta,
            "classic": {"class": type(model).__name__, "eta": model.eta, "n_iter": model.n_iter,
                        "binary": binary, "w": np.atleast_2d(model.w_), "b": np.atleast_1d(model.b_),
                        "classes": np.asarray(model.classes_), "mean": mean.reshape(-1), "std": std.reshape(-1)}}


def _classic_from_state(state):
    c = state["classic"]
    cls = {"Perceptron": Perceptron, "Adaline": Adaline}[c["class"]]
    arr = {k: (v.array if isinstance(v, Tensor) else np.asarray(v)) for k, v in c.items()
           if k in ("w", "b", "classes", "mean", "std")}
    model = cls(eta=c["eta"], n_iter=c["n_iter"])
    model.w_ = arr["w"][0].astype(np.float64) if c["binary"] else arr["w"].astype(np.float64)
    model.b_ = float(arr["b"][0]) if c["binary"] else arr["b"].astype(np.float64)
    model.classes_ = arr["classes"]
    return _Classic(model, arr["mean"].astype(np.float64), arr["std"].astype(np.float64))


# ------------------------------------------------------------------------------------------------ loading

class _Loaded:
    """A model file: the model (a lucidnet Model, or a _Classic) and the metadata of its run (or {})."""

    def __init__(self, path, model, meta, classic):
        self.path, self.model, self.meta, self.classic = path, model, meta, classic


def _load_model(path):
    where = path
    try:
        obj = io.load(path)
    except (OSError, ValueError) as e:        # missing, a directory, truncated, corrupt, unknown architecture
        raise CLIError(_one_line(e)) from None
    if isinstance(obj, dict) and "classic" in obj and META_KEY in obj:
        try:
            return _Loaded(path, _classic_from_state(obj), obj[META_KEY], True)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise CLIError(f"{where}: expected a saved Perceptron or Adaline, got a file with a broken classic "
                           f"model record ({_one_line(e)}).") from None
    if not isinstance(obj, nn.Module):
        weights = isinstance(obj, dict) and obj and all(isinstance(v, Tensor) for v in obj.values())
        what = "weights only (a state dict)" if weights else "saved values that are not a model"
        raise CLIError(f"{where}: expected a model saved by 'lucidnet train' or lucidnet.save(model, path), got "
                       f"{what}.")
    ckpt = io.load_checkpoint(path, restore_rng=False)
    extra = ckpt.extra if isinstance(ckpt.extra, dict) else {}
    meta = extra.get(META_KEY) or {}
    model = Model.from_module(ckpt.model)
    return _Loaded(path, model, meta, False)


def _check_fits(loaded, name, input_shape, task, outputs, sample):
    """The model takes ``name``'s inputs and gives ``outputs`` values per sample (if known): else a CLIError."""
    meta = loaded.meta
    trained_on = f" (trained on {meta['dataset']})" if meta.get("dataset") else ""
    expected = f"{loaded.path}: expected a model for {name} inputs of shape {tuple(input_shape)}"
    if loaded.classic:
        features = loaded.model.model.w_.shape[-1]
        if int(np.prod(input_shape)) != features:
            name = type(loaded.model.model).__name__
            raise CLIError(f"{expected}, got {'an' if name[0] in 'AEIOU' else 'a'} {name} of {features} features"
                           f"{trained_on}.")
        return
    saved = tuple(meta.get("input_shape") or ())
    if saved and saved != tuple(input_shape):
        raise CLIError(f"{expected}, got one for inputs of shape {saved}{trained_on}.")
    model = loaded.model
    model.eval()
    try:
        with no_grad():
            out = model(Tensor._wrap(sample))
    except (ValueError, TypeError, RuntimeError) as e:
        raise CLIError(f"{expected}, got one that fails on them{trained_on}: {_one_line(e)}") from None
    width = out.shape[-1] if out.ndim == 2 else 1
    if outputs is not None and width != outputs:
        what = f"{outputs} classes" if task == "classification" else "one value per sample"
        raise CLIError(f"{loaded.path}: expected a model with {outputs} outputs for {name} ({what}), got one with "
                       f"{width}{trained_on}.")


# ------------------------------------------------------------------------------------------------ train

class _RunCheckpoint(ModelCheckpoint):
    """ModelCheckpoint that stores the run's metadata in the file, after the first and the last epoch and at most
    every ``interval`` seconds between: a crash or a nan keeps the last good model, without an fsync for every
    short toy epoch."""

    def __init__(self, path, meta, interval):
        super().__init__(path, monitor="loss")
        self.meta, self.interval, self.saved_at = meta, interval, -math.inf

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if epoch + 1 >= self.params["epochs"] or now - self.saved_at >= self.interval:
            super().on_epoch_end(epoch, logs)
            self.saved_at = now

    def _save(self, path):
        io.save(self.model, path, extra={META_KEY: self.meta})
        self.last_saved = path


class _EpochBar(Callback):
    """Progress over epochs, for runs of many short epochs: a tqdm bar on a terminal, else about ten lines."""

    def __init__(self, epochs):
        self.epochs, self.bar = epochs, None

    def on_train_begin(self, logs=None):
        if _interactive(sys.stdout):
            from tqdm import tqdm
            self.bar = tqdm(total=self.epochs, desc="Training", unit="epoch", file=sys.stdout, dynamic_ncols=True)

    def on_epoch_end(self, epoch, logs=None):
        text = format_logs(logs or {})
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(text, refresh=False)
        elif (epoch + 1) % max(1, self.epochs // 10) == 0 or epoch + 1 == self.epochs:
            print(f"Epoch {epoch + 1}/{self.epochs} - {text}", flush=True)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()


def _write_json(path, obj):
    from .data._files import atomic_write
    with atomic_write(path) as f:
        f.write((json.dumps(obj, indent=1) + "\n").encode())


def _train(args):
    dataset, model_name = args.dataset, args.model
    title, kind, task = DATASETS[dataset]
    family = "classic" if model_name in ("perceptron", "adaline") else "net"
    if family == "classic":
        if task != "classification":
            raise CLIError(f"--model {model_name}: expected a classification dataset, got {dataset} (a regression). "
                           f"Use --model mlp or linear.")
        given = [o for o, v in (("--batch-size", args.batch_size), ("--val-split", args.val_split or None),
                                ("--optimizer", args.optimizer), ("--schedule", args.schedule)) if v is not None]
        if given:
            raise CLIError(f"{given[0]}: expected --model mlp or linear, got --model {model_name} (it learns by its "
                           f"own rule, one sample or one full batch at a time, at a constant rate).")
    if args.hidden is not None and model_name != "mlp":
        raise CLIError(f"--hidden: expected --model mlp, got --model {model_name} (it has no hidden layers).")
    defaults = _defaults(kind, model_name)
    hidden = args.hidden or defaults["hidden"]
    epochs = args.epochs or defaults["epochs"]
    batch_size = args.batch_size or defaults["batch_size"]
    lr = args.lr or defaults["lr"]
    optimizer, schedule = args.optimizer or "adam", args.schedule or "cosine"
    out = args.out or os.path.join("runs", f"{dataset}-{model_name}")
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))

    started = time.perf_counter()
    d = _load_data(dataset, args.data_dir, progress=not args.quiet)
    if args.limit is not None:
        d.x_train, d.y_train = d.x_train[:args.limit], d.y_train[:args.limit]
    n = len(d.x_train)
    n_fit = math.floor(n * (1 - args.val_split)) if args.val_split else n
    if not 0 < n_fit < n and args.val_split:
        raise CLIError(f"--val-split {args.val_split:g}: expected a fraction that leaves samples both to train and "
                       f"to validate on, got {n_fit} of {n} to train on.")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise CLIError(f"--out {out!r}: cannot create the output directory ({e.strerror or e}).") from None
    model_path = os.path.join(out, "model.safetensors")
    meta = {"format": FORMAT, "dataset": dataset, "model": model_name, "task": task, "classes": d.classes,
            "input_shape": list(d.input_shape), "input_scale": d.scale, "data_seed": DATA_SEED,
            "train": {"epochs": epochs, "lr": lr, "seed": args.seed, "limit": args.limit,
                      "samples": len(d.x_train)}}
    if family == "classic":
        return _train_classic(args, d, meta, model_path, out, epochs, lr, say, started)
    meta["train"].update(batch_size=batch_size, optimizer=optimizer, schedule=schedule, hidden=list(hidden),
                         val_split=args.val_split)

    manual_seed(args.seed)
    model, description = _network(model_name, d, hidden)
    meta["architecture"] = description
    _compile(model, task, optimizer, lr)
    held = f", {n - n_fit:,} held out to validate on" if args.val_split else ""
    rate = f"{lr:g} with a cosine decay" if schedule == "cosine" else f"{lr:g}"
    name = {"sgd": "SGD", "adamw": "AdamW", "rmsprop": "RMSprop"}.get(optimizer, optimizer.capitalize())
    say(f"lucidnet train: {title} ({d.describe(n_fit)} to train on{held}, {d.describe(len(d.x_test))} to test on), "
        f"{description}, {name} lr {rate}, batch {batch_size}, {epochs} epochs, seed {args.seed}")
    callbacks = []
    if schedule == "cosine":
        callbacks.append(LearningRateScheduler(lambda e, _: 0.5 * lr * (1 + math.cos(math.pi * e / epochs))))
    many = epochs > 20                   # many short epochs: one bar over the epochs, not one per epoch
    if many and not args.quiet:
        callbacks.append(_EpochBar(epochs))
    callbacks.append(_RunCheckpoint(model_path, meta, interval=1.0))
    fit_start = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore"):      # a diverging run is reported by fit, once
            history = model.fit(d.x_train, d.y_train, epochs=epochs, batch_size=batch_size,
                                verbose=0 if args.quiet or many else 1, callbacks=callbacks,
                                validation_split=args.val_split)
    except RuntimeError as e:
        if str(e).startswith("fit(): expected a finite loss"):   # diverged: fit says where, and what to do
            raise CLIError(_one_line(e)) from None
        raise
    if not all(np.isfinite(p.array).all() for p in model.parameters()):
        raise CLIError(f"fit(): expected finite weights, got nan or inf after {epochs} epochs; training stopped. The "
                       f"weights diverged: lower the learning rate (now {lr:g}). The last good checkpoint, if any, "
                       f"is kept: {model_path}.")
    meta["train_seconds"] = round(time.perf_counter() - fit_start, 3)

    if task == "classification":
        logs = model.evaluate(d.x_test, d.y_test, batch_size=1000, return_dict=True)
        scores = model.predict(d.x_test, batch_size=1000)
        test = {"loss": logs["loss"], "accuracy": logs["accuracy"]}
        result = f"Test accuracy {test['accuracy']:.4f} (loss {test['loss']:.4f})"
    else:
        scores = None
        mse, r2 = _regression_scores(model.predict(d.x_test, batch_size=1000), d.y_test)
        test = {"mse": mse, "r2": r2}
        result = f"Test MSE {mse:.4g}, R^2 {r2:.4f}"
    meta["test"] = test
    io.save(model, model_path, extra={META_KEY: meta})
    _write_json(os.path.join(out, "history.json"), history.history)
    files = _draw(args, d, out, history.history, lambda x: model.predict(x, batch_size=4096), scores, test, say)
    _summary(result, d, epochs, started, model_path, out, files)
    return 0


def _train_classic(args, d, meta, model_path, out, epochs, lr, say, started):
    cls = Perceptron if args.model == "perceptron" else Adaline
    x_train = d.x_train.reshape(len(d.x_train), -1).astype(np.float64)
    scaler = data.Standardizer().fit(x_train)
    model = cls(eta=lr, n_iter=epochs, random_state=args.seed)
    classes = len(np.unique(d.y_train))
    units = 1 if classes == 2 else classes
    meta["architecture"] = f"{cls.__name__} {x_train.shape[1]}-{units}" + (" (one-vs-rest)" if units > 1 else "")
    say(f"lucidnet train: {d.title} ({d.describe(len(x_train))} to train on, {d.describe(len(d.x_test))} to test "
        f"on), {meta['architecture']} on standardized inputs, eta {lr:g}, {epochs} epochs, seed {args.seed}")
    fit_start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        model.fit(scaler.transform(x_train), d.y_train)
    meta["train_seconds"] = round(time.perf_counter() - fit_start, 3)
    key, values = ("errors", [int(e) for e in model.errors_]) if cls is Perceptron else \
        ("loss", [float(v) for v in model.losses_])
    if not (np.isfinite(model.w_).all() and np.isfinite(model.b_).all()):
        bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
        at = f" at epoch {bad + 1}/{epochs}" if bad is not None else ""
        raise CLIError(f"{cls.__name__}: expected a finite loss, got nan or inf{at}; nothing was saved. The weights "
                       f"diverged: lower the learning rate (now --lr {lr:g}).")
    if cls is Adaline and values[-1] > values[0]:      # gradient descent on a convex loss: it must fall
        raise CLIError(f"Adaline: expected the loss to fall, got it growing from {values[0]:.4g} to {values[-1]:.4g} "
                       f"in {epochs} epochs; nothing was saved. The steps are too large: lower the learning rate "
                       f"(now --lr {lr:g}).")
    for epoch, value in enumerate(values):
        if (epoch + 1) % max(1, epochs // 10) == 0 or epoch + 1 == epochs:
            say(f"Epoch {epoch + 1}/{epochs} - {key}: {value if key == 'errors' else f'{value:.4g}'}")
    classic = _Classic(model, scaler.mean_.reshape(-1), scaler.std_.reshape(-1))
    pred = classic.predict(d.x_test)
    test = {"accuracy": float(np.mean(pred == d.y_test))}
    meta["test"] = test
    try:
        io.save(_classic_state(model, classic.mean, classic.std, meta), model_path)
    except OSError as e:
        raise CLIError(f"{model_path}: cannot write the model ({e.strerror or e}).") from None
    _write_json(os.path.join(out, "history.json"), {key: values})
    scores = np.eye(len(d.classes))[pred.astype(np.int64)]
    files = _draw(args, d, out, {key: values}, classic.predict, scores, test, say)
    _summary(f"Test accuracy {test['accuracy']:.4f}", d, epochs, started, model_path, out, files)
    return 0


def _draw(args, d, out, history, predict, scores, test, say):
    """The run's plots (the files written), or a note saying why there are none."""
    if args.no_plots:
        return []
    if not plots.available():
        say(f"Plots skipped: matplotlib is not installed; get them with: {plots.INSTALL_HINT}")
        return []
    path = lambda name: os.path.join(out, name)       # noqa: E731
    what = f"{d.title}, {args.model}"
    files = [plots.plot_history(history, path("history.png"), title=f"{what}: training history")]
    if d.task == "classification":
        cm = confusion_matrix(scores, d.y_test, num_classes=len(d.classes))
        files.append(plots.plot_confusion_matrix(cm, path("confusion_matrix.png"), d.classes,
                                                 title=f"{what}: test accuracy {test['accuracy']:.4f}"))
        if d.kind == "points":
            files.append(plots.plot_decision_boundary(predict, d.x_train, d.y_train, path("decision_boundary.png"),
                                                      d.classes, title=f"{what}: training data"))
    else:
        files.append(plots.plot_regression(d.x_test, d.y_test, predict, path("fit.png"),
                                           title=f"{what}: test data, R^2 {test['r2']:.4f}"))
    return files


def _summary(result, d, epochs, started, model_path, out, files):
    print(f"{result} on the {d.describe(len(d.x_test))} of the {d.title} test set, after {epochs} epochs "
          f"({time.perf_counter() - started:.1f} s in all).")
    print(f"Model: {model_path} (try: lucidnet evaluate {model_path}); history: {os.path.join(out, 'history.json')}")
    print(f"Plots: {', '.join(files)}" if files else "Plots: none")


# ------------------------------------------------------------------------------------------------ evaluate

def _dataset_of(loaded, given):
    name = given or loaded.meta.get("dataset")
    if name is None:
        raise CLIError(f"{loaded.path}: expected a model file that records its dataset (one written by lucidnet "
                       f"train), got one without; pass --dataset.")
    if name not in DATASETS:
        raise CLIError(f"{loaded.path}: expected a dataset among {', '.join(DATASETS)}, got {name!r} in the file; "
                       f"pass --dataset.")
    return name


def _evaluate(args):
    loaded = _load_model(args.model)
    d = _load_data(_dataset_of(loaded, args.dataset), args.data_dir)
    outputs = len(d.classes) if d.task == "classification" else 1
    _check_fits(loaded, d.name, d.input_shape, d.task, outputs, d.x_test[:2])
    where = f"{args.model} on the {d.describe(len(d.x_test))} of the {d.title} test set"
    if loaded.classic:
        accuracy = float(np.mean(loaded.model.predict(d.x_test) == d.y_test))
        print(f"{where}: accuracy {accuracy:.4f}")
        return 0
    model = loaded.model
    _compile(model, d.task)
    if d.task == "classification":
        logs = model.evaluate(d.x_test, d.y_test, batch_size=args.batch_size, return_dict=True)
        print(f"{where}: loss {logs['loss']:.4f} - accuracy {logs['accuracy']:.4f}")
    else:
        mse, r2 = _regression_scores(model.predict(d.x_test, batch_size=args.batch_size), d.y_test)
        print(f"{where}: MSE {mse:.4g} - R^2 {r2:.4f}")
    return 0


# ------------------------------------------------------------------------------------------------ predict

def _read_inputs(path, shape, scale, invert):
    """The samples in one file, float32 of shape (k,) + shape, scaled as the training data was; and whether the
    file holds one sample (rather than a batch)."""
    shape = tuple(shape)
    lower = path.lower()
    if lower.endswith(".png"):
        if scale is None:
            raise CLIError(f"{path}: expected a .npy file of points of shape (N, {', '.join(map(str, shape))}) for "
                           f"this model, got a PNG image.")
        try:
            image = read_png(path)
        except (OSError, ValueError) as e:
            raise CLIError(_one_line(e)) from None
        if image.shape[:2] != shape:
            h, w = image.shape[:2]
            raise CLIError(f"{path}: expected a {shape[0]}x{shape[1]} image for this model, got {h}x{w}. Resize it "
                           f"to {shape[0]}x{shape[1]} first.")
        x, single = to_grayscale(image)[None], True
    elif lower.endswith(".npy"):
        try:
            x = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise CLIError(f"{path}: expected a .npy array file, got one that NumPy cannot read "
                           f"({_one_line(e)}).") from None
        if x.dtype.kind not in "biuf":
            raise CLIError(f"{path}: expected numbers, got an array of dtype {x.dtype}.")
        single = x.shape == shape
        if single:
            x = x[None]
        elif x.shape[1:] != shape or len(x) == 0:
            raise CLIError(f"{path}: expected an array of shape {shape} or a batch (N, "
                           f"{', '.join(map(str, shape))}) for this model, got {x.shape}.")
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            raise CLIError(f"{path}: expected finite values, got nan or inf.")
    else:
        raise CLIError(f"{path}: expected a .png or .npy file, got {os.path.basename(path)!r}.")
    if scale is None:
        if invert:
            raise CLIError(f"--invert: expected a model of images, got one of {len(shape)}-D points.")
        return x.astype(np.float32), single
    if x.dtype.kind == "f":
        if x.min() < 0 or x.max() > 1:
            raise CLIError(f"{path}: expected float pixels in [0, 1] (or uint8 pixels 0..255), got values from "
                           f"{x.min():g} to {x.max():g}. Divide by 255, or save uint8.")
        x = x.astype(np.float32)
    else:
        if x.min() < 0 or x.max() > scale:
            raise CLIError(f"{path}: expected integer pixels in 0..{scale}, got values from {x.min()} to "
                           f"{x.max()}.")
        x = x.astype(np.float32) / np.float32(scale)
    return (1.0 - x if invert else x), single


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _predict(args):
    loaded = _load_model(args.model)
    name = _dataset_of(loaded, args.dataset)
    title, kind, task = DATASETS[name]
    meta = loaded.meta if loaded.meta.get("dataset") == name else {}
    if meta:
        shape, scale, classes = tuple(meta["input_shape"]), meta.get("input_scale"), meta.get("classes") or []
    else:                                     # a model saved from Python, or read as another dataset's
        shape = (28, 28) if kind == "images" else (2,) if kind == "points" else (1,)
        scale = 255 if kind == "images" else None
        classes = list(data.FASHION_MNIST_CLASSES if name == "fashion-mnist" else data.MNIST_CLASSES) \
            if kind == "images" else []
    inputs = [(path, *_read_inputs(path, shape, scale, args.invert)) for path in args.files]
    x = np.concatenate([b for _, b, _ in inputs])
    if loaded.classic:
        _check_fits(loaded, name, shape, task, None, x[:2])
        labels, z = loaded.model.predict(x), loaded.model.net_input(x)
        score = z if z.ndim == 1 else z.max(axis=1)
        lines = [f"{classes[int(c)] if int(c) < len(classes) else c} (net input {s:.3f})"
                 for c, s in zip(labels, score)]
    else:
        outputs = len(classes) if task == "classification" and classes else 1 if task == "regression" else None
        _check_fits(loaded, name, shape, task, outputs, x[:2])
        y = loaded.model.predict(x, batch_size=1000)
        if task == "regression":
            lines = [f"y = {v:.4f}" for v in y.reshape(len(y), -1)[:, 0]]
        else:
            classes = classes or [str(k) for k in range(y.shape[1])]
            probs = y if y.min() >= 0 and np.allclose(y.sum(axis=1), 1, atol=1e-4) else _softmax(y)
            lines = []
            for p in probs:
                top = np.argsort(-p, kind="stable")[:args.top]
                text = f"{classes[top[0]]} ({p[top[0]]:.3f})"
                if args.top > 1:
                    text += f"; top {len(top)}: " + ", ".join(f"{classes[k]} {p[k]:.3f}" for k in top)
                lines.append(text)
    i = 0
    for path, b, single in inputs:
        for j in range(len(b)):
            print(f"{path if single else f'{path}[{j}]'}: {lines[i]}")
            i += 1
        if scale is not None and not args.invert and _looks_inverted(b):
            print(f"lucidnet: note: {path} looks like a dark object on a light background; {title} images are light "
                  f"on black: try --invert.", file=sys.stderr)
    return 0


def _looks_inverted(x):
    """Mostly light borders: a drawing on white paper rather than a dataset-style image on black."""
    border = np.concatenate([x[:, 0, :], x[:, -1, :], x[:, :, 0], x[:, :, -1]], axis=1)
    return bool(border.mean() > 0.5)
