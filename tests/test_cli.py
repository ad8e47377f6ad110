"""The ``lucidnet`` command, called in-process as ``main(argv)``: train (toy datasets, Fashion-MNIST on a few
thousand images, the classic models, regression), evaluate and predict on what train saved, the files written,
plots with and without matplotlib, every bad input as its one-line error, a diverging run that keeps the last
good model, real bugs that are not swallowed, and ``python -m lucidnet`` in a subprocess."""
import dataclasses
import errno
import json
import math
import os
import re
import subprocess
import sys
import urllib.error
from importlib import metadata

import numpy as np
import pytest

import lucidnet
from lucidnet import cli, nn
from lucidnet.data import FASHION_MNIST_CLASSES, datasets, fashion_mnist
from lucidnet.data.png import read_png, write_png

ACCURACY = re.compile(r"^Test accuracy (0\.\d{4}|1\.0000)", re.M)


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    """No test touches the network, and every run writes under its own temporary directory."""
    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr(datasets, "_urlopen", refuse)
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr)."""
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def ok(capsys, *argv):
    rc, out, err = run(capsys, *argv)
    assert rc == 0, err
    return out


def accuracy_of(out):
    return float(ACCURACY.search(out).group(1))


def snapshot(directory):
    return {name: (os.stat(os.path.join(directory, name)).st_mtime_ns, os.path.getsize(os.path.join(directory, name)))
            for name in sorted(os.listdir(directory))}


@pytest.fixture(scope="module")
def fashion_test():
    """The real Fashion-MNIST test images (Debian's copy, installed by scripts/setup.sh)."""
    _, (x, y) = fashion_mnist(download=False)
    return x, y


# ------------------------------------------------------------------------------------------------ help, version

def test_version_and_help(capsys):
    assert run(capsys, "--version") == (0, f"lucidnet {lucidnet.__version__}\n", "")
    for argv in (["--help"], []):
        rc, out, err = run(capsys, *argv)
        assert rc == 0 and err == ""
        assert "train" in out and "evaluate" in out and "predict" in out and "examples:" in out
    for command in ("train", "evaluate", "predict"):
        rc, out, _ = run(capsys, command, "--help")
        assert rc == 0 and out.startswith(f"usage: lucidnet {command}") and "examples:" in out


def test_python_m_lucidnet_and_the_console_script_entry_point(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-m", "lucidnet", "--help"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stdout.startswith("usage: lucidnet") and done.stderr == ""
    done = subprocess.run([sys.executable, "-m", "lucidnet", "train", "--lr", "0"], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "lucidnet: error: argument --lr: expected a positive number, got '0'.\n"
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "lucidnet"]
    assert script.value == "lucidnet.cli:main" and script.load() is cli.main


# ------------------------------------------------------------------------------------------------ toy datasets

def test_train_evaluate_predict_on_a_toy_dataset(capsys, tmp_path):
    out = ok(capsys, "train", "--dataset", "spiral", "--epochs", 60, "--out", "run")
    assert out.startswith("lucidnet train: spiral (450 samples to train on, 150 samples to test on), MLP 2-64-64-3 "
                          "(ReLU), Adam lr 0.01 with a cosine decay, batch 32, 60 epochs, seed 0\n")
    accuracy = accuracy_of(out)
    assert accuracy > 0.6                                      # three classes: far better than chance
    lines = out.splitlines()
    assert lines[-3].startswith(f"Test accuracy {accuracy:.4f} (loss ") and lines[-3].endswith(" s in all).")
    assert lines[-2] == (f"Model: {os.path.join('run', 'model.safetensors')} (try: lucidnet evaluate "
                         f"{os.path.join('run', 'model.safetensors')}); history: {os.path.join('run', 'history.json')}")
    pngs = ["history.png", "confusion_matrix.png", "decision_boundary.png"]
    assert lines[-1] == "Plots: " + ", ".join(os.path.join("run", p) for p in pngs)
    assert sorted(os.listdir("run")) == sorted(pngs + ["history.json", "model.safetensors"])
    for p in pngs:
        assert read_png(os.path.join("run", p)).ndim == 3

    history = json.load(open("run/history.json"))
    assert sorted(history) == ["accuracy", "loss", "lr"] and all(len(v) == 60 for v in history.values())
    np.testing.assert_allclose(history["lr"], [0.005 * (1 + math.cos(math.pi * e / 60)) for e in range(60)])

    model = lucidnet.load("run/model.safetensors")             # the model itself, with its input scaling inside
    assert [type(m).__name__ for m in model] == ["Normalization", "Linear", "ReLU", "Linear", "ReLU", "Linear"]
    X, y = lucidnet.data.spiral(200, 3, seed=0)
    _, x_test, _, y_test = lucidnet.data.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    assert float((model.predict(x_test).argmax(1) == y_test).mean()) == pytest.approx(accuracy, abs=5e-5)

    before = snapshot("run")
    out = ok(capsys, "evaluate", "run/model.safetensors")
    assert re.fullmatch(rf"run/model\.safetensors on the 150 samples of the spiral test set: loss \d\.\d{{4}} - "
                        rf"accuracy {accuracy:.4f}\n", out)
    assert snapshot("run") == before                          # evaluate writes nothing

    np.save("points.npy", x_test[:3])
    np.save("point.npy", x_test[3])
    out = ok(capsys, "predict", "run/model.safetensors", "points.npy", "point.npy", "--top", 2)
    lines = out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("points.npy[0]: ") and lines[3].startswith("point.npy: ")
    predicted = model.predict(x_test[:4])
    probs = np.exp(predicted - predicted.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for line, p in zip(lines, probs):
        best, second = np.argsort(-p)[:2]
        assert line.endswith(f": {best} ({p[best]:.3f}); top 2: {best} {p[best]:.3f}, {second} {p[second]:.3f}")


@pytest.mark.parametrize("dataset", ["vertical", "moons", "blobs", "xor"])
def test_other_toy_datasets_learn(capsys, dataset):
    out = ok(capsys, "train", "--dataset", dataset, "--epochs", 15, "--no-plots", "--quiet")
    assert out.count("\n") == 3 and out.endswith("Plots: none\n")
    assert accuracy_of(out) > 0.8
    assert sorted(os.listdir(f"runs/{dataset}-mlp")) == ["history.json", "model.safetensors"]


def test_regression_on_sine(capsys):
    out = ok(capsys, "train", "--dataset", "sine", "--epochs", 20, "--out", "sine")
    match = re.search(r"^Test MSE (\S+), R\^2 (\S+) on the 250 samples of the sine test set", out, re.M)
    mse, r2 = float(match.group(1)), float(match.group(2))
    assert 0 < mse < 0.1 and r2 > 0.8
    assert sorted(os.listdir("sine")) == ["fit.png", "history.json", "history.png", "model.safetensors"]
    assert sorted(json.load(open("sine/history.json"))) == ["loss", "lr", "mae"]
    out = ok(capsys, "evaluate", "sine/model.safetensors")
    assert out == f"sine/model.safetensors on the 250 samples of the sine test set: MSE {mse:.4g} - R^2 {r2:.4f}\n"
    np.save("x.npy", np.array([[0.25], [0.75]], np.float32))
    lines = ok(capsys, "predict", "sine/model.safetensors", "x.npy").splitlines()
    values = [float(line.split("y = ")[1]) for line in lines]
    assert [line.split(":")[0] for line in lines] == ["x.npy[0]", "x.npy[1]"]
    assert values[0] > 0.5 and values[1] < -0.5                  # sin(2 pi x) at a crest and a trough


@pytest.mark.parametrize("model, key", [("perceptron", "errors"), ("adaline", "loss")])
def test_classic_models(capsys, model, key):
    out = ok(capsys, "train", "--dataset", "blobs", "--model", model, "--epochs", 10, "--out", model)
    assert f"{model.capitalize()} 2-3 (one-vs-rest) on standardized inputs, eta 0.01, 10 epochs" in out
    accuracy = accuracy_of(out)
    assert accuracy > 0.8
    history = json.load(open(f"{model}/history.json"))
    assert list(history) == [key] and len(history[key]) == 10
    assert sorted(os.listdir(model)) == ["confusion_matrix.png", "decision_boundary.png", "history.json",
                                         "history.png", "model.safetensors"]
    saved = lucidnet.load(f"{model}/model.safetensors")          # weights, classes and scaling, as plain values
    assert saved["classic"]["class"] == model.capitalize() and tuple(saved["classic"]["w"].shape) == (3, 2)
    out = ok(capsys, "evaluate", f"{model}/model.safetensors")
    assert out.endswith(f"on the 150 samples of the blobs test set: accuracy {accuracy:.4f}\n")
    X, y = lucidnet.data.blobs(600, centers=3, std=1.5, seed=0)
    np.save("pts.npy", X[:5])
    lines = ok(capsys, "predict", f"{model}/model.safetensors", "pts.npy").splitlines()
    assert len(lines) == 5 and all(re.fullmatch(r"pts\.npy\[\d\]: [012] \(net input -?\d+\.\d{3}\)", s)
                                   for s in lines)


def test_binary_perceptron_on_moons(capsys):
    out = ok(capsys, "train", "--dataset", "moons", "--model", "perceptron", "--no-plots", "--out", "p")
    assert "Perceptron 2-1 on standardized inputs" in out and accuracy_of(out) > 0.75
    np.save("pt.npy", np.array([0.0, 1.0]))
    assert re.fullmatch(r"pt\.npy: [01] \(net input -?\d+\.\d{3}\)\n", ok(capsys, "predict", "p/model.safetensors",
                                                                          "pt.npy"))


# ------------------------------------------------------------------------------------------------ Fashion-MNIST

def test_fashion_mnist_quick_run_then_evaluate_and_predict(capsys, fashion_test):
    out = ok(capsys, "train", "--limit", 2000, "--epochs", 2, "--val-split", 0.1, "--out", "fm",
             "--data-dir", "/usr/share/datasets/fashion-mnist")
    assert out.startswith("lucidnet train: Fashion-MNIST (1,800 images to train on, 200 held out to validate on, "
                          "10,000 images to test on), MLP 784-256-128-10 (ReLU), Adam lr 0.001 with a cosine decay, "
                          "batch 128, 2 epochs, seed 0\n")
    assert out.count("Epoch ") == 2
    accuracy = accuracy_of(out)
    assert accuracy > 0.6
    history = json.load(open("fm/history.json"))
    assert sorted(history) == ["accuracy", "loss", "lr", "val_accuracy", "val_loss"]
    assert history["lr"] == [0.001, 0.0005]
    assert read_png("fm/history.png").shape[:2] == (380, 1000) and read_png("fm/confusion_matrix.png").ndim == 3

    model = lucidnet.load("fm/model.safetensors")
    assert [type(m).__name__ for m in model] == ["Flatten", "Normalization", "Linear", "ReLU", "Linear", "ReLU",
                                                 "Linear"]
    x, y = fashion_test
    raw = x.astype(np.float32) / 255                            # the model takes [0, 1] images: no standardizing
    assert float((model.predict(raw, batch_size=1000).argmax(1) == y).mean()) == pytest.approx(accuracy, abs=5e-5)

    before = snapshot("fm")
    out = ok(capsys, "evaluate", "fm/model.safetensors")
    assert re.fullmatch(rf"fm/model\.safetensors on the 10,000 images of the Fashion-MNIST test set: loss \d\.\d{{4}} "
                        rf"- accuracy {accuracy:.4f}\n", out)
    assert snapshot("fm") == before

    # PNGs (gray, RGB, RGBA written by matplotlib) and .npy files (uint8 batch, one float image)
    write_png("gray.png", x[0])
    write_png("rgb.png", np.repeat(x[1][..., None], 3, axis=2))
    import matplotlib.image
    matplotlib.image.imsave("mpl.png", x[2], cmap="gray", vmin=0, vmax=255)
    np.save("batch.npy", x[3:6])
    np.save("one.npy", raw[6])
    files = ["gray.png", "rgb.png", "mpl.png", "batch.npy", "one.npy"]
    lines = ok(capsys, "predict", "fm/model.safetensors", *files, "--top", 3).splitlines()
    labels = ["gray.png", "rgb.png", "mpl.png", "batch.npy[0]", "batch.npy[1]", "batch.npy[2]", "one.npy"]
    assert [line.split(": ")[0] for line in lines] == labels
    scores = model.predict(raw[:7])
    probs = np.exp(scores - scores.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for line, p in zip(lines, probs):
        top = np.argsort(-p)[:3]
        names = [FASHION_MNIST_CLASSES[k] for k in top]
        expected = f"{names[0]} ({p[top[0]]:.3f}); top 3: " + ", ".join(f"{n} {p[k]:.3f}" for n, k in zip(names, top))
        assert line.split(": ", 1)[1] == expected

    # a dark-on-light drawing: a note, and --invert gives the dataset's orientation back
    write_png("paper.png", 255 - x[0])
    rc, out, err = run(capsys, "predict", "fm/model.safetensors", "paper.png")
    assert rc == 0 and err == ("lucidnet: note: paper.png looks like a dark object on a light background; "
                               "Fashion-MNIST images are light on black: try --invert.\n")
    out = ok(capsys, "predict", "fm/model.safetensors", "paper.png", "--invert")
    assert out == lines[0].replace("gray.png", "paper.png").split(";")[0] + "\n"


def test_the_default_is_the_main_job(capsys, monkeypatch):
    """`lucidnet train` with no options: Fashion-MNIST, MLP 784-256-128-10, Adam 1e-3 with the cosine decay,
    batch 128, 10 epochs, seed 0, all 60,000 images, standardization inside the model. Checked on the real
    settings, with fit cut to 1 epoch on the first 1,000 images (the full run is `make train`)."""
    calls = []
    fit = lucidnet.Sequential.fit

    def short_fit(self, x, y, **kwargs):
        calls.append((len(x), kwargs))
        return fit(self, x[:1000], y[:1000], **dict(kwargs, epochs=1))

    monkeypatch.setattr(lucidnet.Sequential, "fit", short_fit)
    out = ok(capsys, "train")
    assert out.startswith("lucidnet train: Fashion-MNIST (60,000 images to train on, 10,000 images to test on), "
                          "MLP 784-256-128-10 (ReLU), Adam lr 0.001 with a cosine decay, batch 128, 10 epochs, "
                          "seed 0\n")
    ((n, kwargs),) = calls
    assert n == 60000 and kwargs["epochs"] == 10 and kwargs["batch_size"] == 128 and kwargs["validation_split"] == 0
    schedule = [cb for cb in kwargs["callbacks"] if isinstance(cb, lucidnet.train.LearningRateScheduler)][0]
    assert [schedule.schedule(e, None) for e in (0, 5, 10)] == pytest.approx([1e-3, 5e-4, 0.0])
    model = lucidnet.load("runs/fashion-mnist-mlp/model.safetensors")
    norm = model[1]
    assert isinstance(norm, nn.Normalization) and norm.mean.shape == (784,)
    x_train = fashion_mnist(download=False, normalize=True, flatten=True)[0][0]
    np.testing.assert_allclose(norm.mean.array, x_train.mean(0, dtype=np.float64), atol=1e-6)   # all 60,000 images
    np.testing.assert_allclose(norm.var.array, x_train.var(0, dtype=np.float64), rtol=1e-4, atol=1e-7)
    lucidnet.manual_seed(0)                                    # seed 0: the first layer's initial weights
    first = nn.Linear(784, 256)
    assert not np.array_equal(first.weight.array, model[2].weight.array)   # (trained since)
    assert sorted(os.listdir("runs/fashion-mnist-mlp")) == ["confusion_matrix.png", "history.json", "history.png",
                                                            "model.safetensors"]


# ------------------------------------------------------------------------------------------------ without matplotlib

def test_without_matplotlib_plots_are_skipped_with_the_fix(capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = ok(capsys, "train", "--dataset", "xor", "--epochs", 5, "--out", "x")
    assert "Plots skipped: matplotlib is not installed; get them with: pip install 'lucidnet[plot]'\n" in out
    assert out.endswith("Plots: none\n")
    assert sorted(os.listdir("x")) == ["history.json", "model.safetensors"]


# ------------------------------------------------------------------------------------------------ divergence

def test_a_diverging_run_stops_with_fits_message_and_keeps_the_last_good_model(capsys):
    ok(capsys, "train", "--dataset", "moons", "--epochs", 3, "--no-plots", "--out", "m")
    good = open("m/model.safetensors", "rb").read()
    history = open("m/history.json").read()
    rc, out, err = run(capsys, "train", "--dataset", "moons", "--optimizer", "sgd", "--lr", "1e30", "--schedule",
                       "constant", "--no-plots", "--out", "m")
    assert rc == 1 and err.count("\n") == 1
    assert re.fullmatch(r"lucidnet: error: fit\(\): expected a finite loss, got (nan|inf) at epoch 1/100, batch "
                        r"\d+/15; training stopped\. The weights diverged: lower the learning rate \(now 1e\+30\) or "
                        r"clip gradients\. Add TerminateOnNaN\(\) to the callbacks to stop without an error\.\n", err)
    assert open("m/model.safetensors", "rb").read() == good and open("m/history.json").read() == history
    assert isinstance(lucidnet.load("m/model.safetensors"), lucidnet.Sequential)


def test_nan_in_a_later_epoch_keeps_the_checkpoint_of_the_last_good_one(capsys, monkeypatch):
    real, steps = lucidnet.Sequential.train_step, []

    def train_step(self, x, y):
        loss, out = real(self, x, y)
        steps.append(len(x))
        return (loss * float("nan") if len(steps) == 16 else loss), out      # epoch 2, batch 1 (15 a epoch)

    monkeypatch.setattr(lucidnet.Sequential, "train_step", train_step)
    rc, out, err = run(capsys, "train", "--dataset", "moons", "--epochs", 3, "--out", "m")
    assert rc == 1 and err == ("lucidnet: error: fit(): expected a finite loss, got nan at epoch 2/3, batch 1/15; "
                               "training stopped. The weights diverged: lower the learning rate (now 0.0075) or clip "
                               "gradients. The last good checkpoint, m/model.safetensors, is kept. Add "
                               "TerminateOnNaN() to the callbacks to stop without an error.\n")
    assert os.listdir("m") == ["model.safetensors"]
    ckpt = lucidnet.io.load_checkpoint("m/model.safetensors")
    assert ckpt.epoch == 1 and ckpt.extra["lucidnet_cli"]["dataset"] == "moons"
    monkeypatch.setattr(lucidnet.Sequential, "train_step", real)
    assert re.fullmatch(r"m/model\.safetensors on the 150 samples of the moons test set: loss \d\.\d{4} - accuracy "
                        r"\d\.\d{4}\n", ok(capsys, "evaluate", "m/model.safetensors"))


def test_progress_over_many_epochs(capsys, monkeypatch):
    ok(capsys, "train", "--dataset", "xor", "--epochs", 30, "--no-plots", "--out", "x")   # not a terminal: 10 lines
    out = ok(capsys, "train", "--dataset", "xor", "--epochs", 30, "--no-plots", "--out", "x")
    assert re.findall(r"^Epoch (\d+)/30 - loss: ", out, re.M) == [str(e) for e in range(3, 31, 3)]
    monkeypatch.setattr(lucidnet.train.progress, "_interactive", lambda f: True)            # a terminal: a bar
    out = ok(capsys, "train", "--dataset", "xor", "--epochs", 30, "--no-plots", "--out", "x")
    assert "Epoch 3/30" not in out and "Training: 100%" in out and "30/30" in out


@pytest.mark.parametrize("lr, epochs, pattern", [
    ("10", "50", r"Adaline: expected the loss to fall, got it growing from \S+ to \S+ in 50 epochs; nothing was "
                 r"saved\. The steps are too large: lower the learning rate \(now --lr 10\)\."),
    ("1e6", "200", r"Adaline: expected a finite loss, got nan or inf at epoch \d+/200; nothing was saved\. The "
                   r"weights diverged: lower the learning rate \(now --lr 1e\+06\)\."),
])
def test_a_diverging_adaline_saves_nothing(capsys, lr, epochs, pattern):
    rc, out, err = run(capsys, "train", "--dataset", "blobs", "--model", "adaline", "--lr", lr, "--epochs", epochs,
                       "--out", "a")
    assert rc == 1
    assert re.fullmatch(f"lucidnet: error: {pattern}\n", err), err
    assert os.listdir("a") == []


# ------------------------------------------------------------------------------------------------ bad input

USAGE = [
    (["train", "--dataset", "cifar"], "argument --dataset: expected one of fashion-mnist, mnist, spiral, vertical, "
                                      "moons, blobs, xor, sine, tiny-shakespeare, text, got 'cifar'."),
    (["train", "--model", "resnet"], "argument --model: expected one of mlp, linear, cnn, cnn-bn, perceptron, "
                                     "adaline, gpt, got 'resnet'."),
    (["train", "--optimizer", "lbfgs"], "argument --optimizer: expected one of adam, sgd, adamw, rmsprop, adagrad, "
                                        "got 'lbfgs'."),
    (["train", "--schedule", "step"], "argument --schedule: expected one of cosine, constant, got 'step'."),
    (["train", "--epochs", "-3"], "argument --epochs: expected a positive integer, got '-3'."),
    (["train", "--epochs", "0"], "argument --epochs: expected a positive integer, got '0'."),
    (["train", "--epochs", "2.5"], "argument --epochs: expected a positive integer, got '2.5'."),
    (["train", "--batch-size", "0"], "argument --batch-size: expected a positive integer, got '0'."),
    (["train", "--lr", "0"], "argument --lr: expected a positive number, got '0'."),
    (["train", "--lr", "-0.1"], "argument --lr: expected a positive number, got '-0.1'."),
    (["train", "--lr", "nan"], "argument --lr: expected a positive number, got 'nan'."),
    (["train", "--lr", "fast"], "argument --lr: expected a positive number, got 'fast'."),
    (["train", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'."),
    (["train", "--limit", "0"], "argument --limit: expected a positive integer, got '0'."),
    (["train", "--val-split", "1"], "argument --val-split: expected a fraction in [0, 1), got '1'."),
    (["train", "--hidden", "256,x"], "argument --hidden: expected positive layer sizes separated by commas (e.g. "
                                     "256,128), got '256,x'."),
    (["train", "--hidden", "0"], "argument --hidden: expected positive layer sizes separated by commas (e.g. "
                                 "256,128), got '0'."),
    (["train", "--frobnicate"], "unrecognized arguments: --frobnicate."),
    (["fit"], "argument COMMAND: invalid choice: 'fit' (choose from 'train', 'evaluate', 'predict', 'generate', "
              "'run', 'embed', 'search')."),
    (["evaluate"], "the following arguments are required: MODEL."),
    (["predict", "model.safetensors"], "the following arguments are required: FILE."),
    (["predict", "m.safetensors", "a.png", "--top", "0"], "argument --top: expected a positive integer, got '0'."),
]


@pytest.mark.parametrize("argv, message", USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors(capsys, argv, message):
    assert run(capsys, *argv) == (2, "", f"lucidnet: error: {message}\n")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Small models saved by `lucidnet train` (and one by Python), shared by the bad-input tests."""
    root = tmp_path_factory.mktemp("saved")
    old = os.getcwd()
    os.chdir(root)
    try:
        assert cli.main(["train", "--dataset", "spiral", "--epochs", "2", "--no-plots", "--quiet", "--out",
                         "spiral"]) == 0
        assert cli.main(["train", "--dataset", "moons", "--model", "adaline", "--epochs", "2", "--no-plots",
                         "--quiet", "--out", "adaline"]) == 0
        assert cli.main(["train", "--limit", "300", "--epochs", "1", "--no-plots", "--quiet", "--out", "fm"]) == 0
        model = lucidnet.Sequential([nn.Flatten(), nn.Linear(784, 10)])
        lucidnet.save(model, "python.safetensors")
        lucidnet.io.save_state_dict(model.state_dict(), "weights.safetensors")
        lucidnet.save({"epoch": 3, "w": lucidnet.ones(2)}, "tree.safetensors")
        data = open("spiral/model.safetensors", "rb").read()
        open("truncated.safetensors", "wb").write(data[:len(data) // 2])
        open("garbage.safetensors", "wb").write(b"this is not a model")
        flipped = bytearray(data)
        flipped[-5] ^= 0xFF
        open("corrupt.safetensors", "wb").write(bytes(flipped))
        write_png("small.png", np.zeros((16, 16), np.uint8))
        write_png("ok.png", np.zeros((28, 28), np.uint8))
        open("broken.png", "wb").write(open("ok.png", "rb").read()[:30])
        np.save("wrong.npy", np.zeros((4, 28, 27), np.uint8))
        np.save("bright.npy", np.full((28, 28), 255.0))
        np.save("nan.npy", np.full((3, 2), np.nan))
        np.save("points.npy", np.zeros((3, 2), np.float32))
        np.save("strings.npy", np.array(["a", "b"]))
        open("bad.npy", "wb").write(b"\x93NUMPY garbage")
        open("img.jpg", "wb").write(b"\xff\xd8\xff")
    finally:
        os.chdir(old)
    return root


ERRORS = [
    (["evaluate", "missing.safetensors"], r"load\('missing\.safetensors'\): expected a checkpoint file, got a path "
                                          r"that does not exist\."),
    (["evaluate", "spiral"], r"load\('spiral'\): expected a \.safetensors file, got a directory\."),
    (["evaluate", "garbage.safetensors"], r"load\('garbage\.safetensors'\): expected a safetensors file, got one "
                                          r"that is truncated or corrupt \(.*\)\."),
    (["evaluate", "truncated.safetensors"], r"load\('truncated\.safetensors'\): expected a safetensors file, got one "
                                            r"that is truncated or corrupt \(.*\)\."),
    (["evaluate", "corrupt.safetensors"], r"load\('corrupt\.safetensors'\): the file is corrupt: its data does not "
                                          r"match the checksum saved with it\."),
    (["evaluate", "weights.safetensors"], r"weights\.safetensors: expected a model saved by 'lucidnet train' or "
                                          r"lucidnet\.save\(model, path\), got weights only \(a state dict\)\."),
    (["evaluate", "tree.safetensors"], r"tree\.safetensors: expected a model saved by 'lucidnet train' or "
                                       r"lucidnet\.save\(model, path\), got saved values that are not a model\."),
    (["evaluate", "python.safetensors"], r"python\.safetensors: expected a model file that records its dataset \(one "
                                         r"written by lucidnet train\), got one without; pass --dataset\."),
    (["evaluate", "spiral/model.safetensors", "--dataset", "fashion-mnist"],
     r"spiral/model\.safetensors: expected a model for fashion-mnist inputs of shape \(28, 28\), got one for inputs "
     r"of shape \(2,\) \(trained on spiral\)\."),
    (["evaluate", "spiral/model.safetensors", "--dataset", "moons"],
     r"spiral/model\.safetensors: expected a model with 2 outputs for moons \(2 classes\), got one with 3 \(trained "
     r"on spiral\)\."),
    (["evaluate", "adaline/model.safetensors", "--dataset", "fashion-mnist"],
     r"adaline/model\.safetensors: expected a model for fashion-mnist inputs of shape \(28, 28\), got an Adaline of 2 "
     r"features \(trained on moons\)\."),
    (["evaluate", "python.safetensors", "--dataset", "spiral"],
     r"python\.safetensors: expected a model for spiral inputs of shape \(2,\), got one that fails on them: "
     r"Linear\(in_features=784, out_features=10, bias=True\): expected input of shape \(\*, 784\), got \(2, 2\)\."),
    (["predict", "fm/model.safetensors", "small.png"], r"small\.png: expected a 28x28 image for this model, got "
                                                       r"16x16\. Resize it to 28x28 first\."),
    (["predict", "fm/model.safetensors", "broken.png"], r"read_png\('broken\.png'\): the file is truncated: .*"),
    (["predict", "fm/model.safetensors", "nothere.png"], r"read_png\('nothere\.png'\): expected a PNG file, got a "
                                                         r"path that does not exist\."),
    (["predict", "fm/model.safetensors", "img.jpg"], r"img\.jpg: expected a \.png or \.npy file, got 'img\.jpg'\."),
    (["predict", "fm/model.safetensors", "wrong.npy"], r"wrong\.npy: expected an array of shape \(28, 28\) or a batch "
                                                       r"\(N, 28, 28\) for this model, got \(4, 28, 27\)\."),
    (["predict", "fm/model.safetensors", "bright.npy"], r"bright\.npy: expected float pixels in \[0, 1\] \(or uint8 "
                                                        r"pixels 0\.\.255\), got values from 255 to 255\. Divide by "
                                                        r"255, or save uint8\."),
    (["predict", "fm/model.safetensors", "strings.npy"], r"strings\.npy: expected the array to hold numbers, got an "
                                                         r"array of dtype <U1\."),
    (["predict", "fm/model.safetensors", "bad.npy"], r"bad\.npy: expected a \.npy array file, got one that NumPy "
                                                     r"cannot read \(.*\)\."),
    (["predict", "spiral/model.safetensors", "ok.png"], r"ok\.png: expected a \.npy file of points of shape \(N, 2\) "
                                                        r"for this model, got a PNG image\."),
    (["predict", "spiral/model.safetensors", "nan.npy"], r"nan\.npy: expected finite values in the array, got nan in "
                                                         r"sample 0\. Remove or impute the bad samples first.*"),
    (["predict", "spiral/model.safetensors", "nan.npy", "--invert"], r"nan\.npy: expected finite values in the array, "
                                                                     r"got nan in sample 0\. Remove or impute the bad "
                                                                     r"samples first.*"),
    (["predict", "python.safetensors", "ok.png"], r"python\.safetensors: expected a model file that records its "
                                                  r"dataset \(one written by lucidnet train\), got one without; pass "
                                                  r"--dataset\."),
    (["train", "--dataset", "sine", "--model", "perceptron"], r"--model perceptron: expected a classification "
                                                              r"dataset, got sine \(a regression\)\. Use --model mlp "
                                                              r"or linear\."),
    (["train", "--model", "linear", "--hidden", "8"], r"--hidden: expected --model mlp, got --model linear \(it has "
                                                      r"no hidden layers\)\."),
    (["train", "--dataset", "xor", "--model", "adaline", "--batch-size", "8"],
     r"--batch-size: expected --model mlp, linear, cnn, cnn-bn or gpt, got --model adaline \(it learns by its own "
     r"rule, one sample "
     r"or one full batch at a time, at a constant rate\)\."),
    (["train", "--dataset", "xor", "--limit", "1", "--val-split", "0.5"],
     r"--val-split 0\.5: expected a fraction that leaves samples both to train and to validate on, got 0 of 1 to "
     r"train on\."),
    (["predict", "spiral/model.safetensors", "points.npy", "--dataset", "moons"],
     r"spiral/model\.safetensors: expected a model with 2 outputs for moons \(2 classes\), got one with 3 \(trained "
     r"on spiral\)\."),
    (["predict", "adaline/model.safetensors", "points.npy", "--dataset", "spiral"],
     r"adaline/model\.safetensors: expected a model of 3 classes for spiral, got an Adaline of 2 \(trained on moons\)\."),
    (["evaluate", "adaline/model.safetensors", "--dataset", "spiral"],
     r"adaline/model\.safetensors: expected a model of 3 classes for spiral, got an Adaline of 2 \(trained on moons\)\."),
    (["train", "--dataset", "xor", "--out", "ok.png/run"], r"--out 'ok\.png/run': cannot create the output "
                                                           r"directory \(Not a directory\)\."),
]


@pytest.mark.parametrize("argv, pattern", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors(capsys, monkeypatch, saved, argv, pattern):
    monkeypatch.chdir(saved)
    before = snapshot(saved)
    rc, out, err = run(capsys, *argv)
    assert rc == 1
    assert re.fullmatch(f"lucidnet: error: {pattern}\n", err), err
    assert snapshot(saved) == before                       # nothing written, nothing overwritten


def test_evaluate_and_predict_a_model_saved_from_python_with_dataset(capsys, monkeypatch, saved, fashion_test):
    monkeypatch.chdir(saved)
    out = ok(capsys, "evaluate", "python.safetensors", "--dataset", "fashion-mnist")
    assert re.fullmatch(r"python\.safetensors on the 10,000 images of the Fashion-MNIST test set: loss \d+\.\d{4} - "
                        r"accuracy 0\.\d{4}\n", out)
    out = ok(capsys, "predict", "python.safetensors", "ok.png", "--dataset", "fashion-mnist")
    assert re.fullmatch(r"ok\.png: (" + "|".join(map(re.escape, FASHION_MNIST_CLASSES)) + r") \(0\.\d{3}\)\n", out)


def test_a_missing_dataset_is_the_data_packages_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", os.fspath(tmp_path / "cache"))
    monkeypatch.delenv("LUCIDNET_DATA", raising=False)
    for spec in datasets._DATASETS.values():
        monkeypatch.setattr(spec, "system_dirs", [os.fspath(tmp_path / "system" / spec.name)])
    rc, out, err = run(capsys, "train", "--dataset", "mnist", "--data-dir", tmp_path / "empty")
    assert rc == 1 and out == "" and err.count("\n") == 1
    assert err.startswith(f"lucidnet: error: mnist(): MNIST not found in {tmp_path / 'empty'}, ")
    assert "the download failed: " in err and "network disabled in tests" in err
    rc, out, err = run(capsys, "train", "--data-dir", tmp_path / "empty", "--quiet")
    assert rc == 1 and err.startswith("lucidnet: error: fashion_mnist(): Fashion-MNIST not found in ")
    assert "sudo apt-get install dataset-fashion-mnist" in err


def test_an_os_error_while_writing_is_one_line_and_leaves_the_old_files(capsys, monkeypatch):
    ok(capsys, "train", "--dataset", "xor", "--epochs", 2, "--out", "run")
    before = {name: open(os.path.join("run", name), "rb").read() for name in os.listdir("run")}
    os.makedirs("dir/model.safetensors")                    # a directory where the model file should go
    rc, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", 2, "--no-plots", "--out", "dir")
    assert rc == 1 and err == (f"lucidnet: error: {os.path.join('dir', 'model.safetensors')}: Is a directory.\n")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", full_disk)
        rc, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", 3, "--out", "run")
    assert rc == 1 and re.fullmatch(r"lucidnet: error: run/\S+: No space left on device\.\n", err), err
    assert {name: open(os.path.join("run", name), "rb").read() for name in os.listdir("run")} == before


def test_bugs_are_not_swallowed(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    mlp = cli.registry.model("mlp")
    monkeypatch.setitem(cli.registry._MODELS, "mlp", dataclasses.replace(mlp, build=broken))
    with pytest.raises(ZeroDivisionError, match="a bug"):
        cli.main(["train", "--dataset", "xor", "--no-plots"])


# ------------------------------------------------------------------------------------------------ recipes

def test_a_model_recipe_is_all_it_takes_to_add_a_model(capsys, monkeypatch):
    """The README's example: one ModelRecipe registered, and train / evaluate / predict / --help know the model,
    its defaults, its own option and the options it refuses."""
    registry = cli.registry
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))          # registered for this test only

    def build(d, settings):
        model = lucidnet.Sequential([nn.Linear(2, settings["width"]), nn.Tanh(), nn.Linear(settings["width"], 3)])
        return model, f"wide MLP 2-{settings['width']}-3"
    registry.register_model(registry.ModelRecipe(
        name="wide", help="wide (one wide hidden layer)", build=build, kinds=("points",), tasks=("classification",),
        defaults={"points": dict(epochs=3, batch_size=64, lr=1e-2, width=32)},
        options=(registry.Option("--width", type=cli.args.int_at_least(1), metavar="N", help="hidden units"),)))
    out = ok(capsys, "train", "--dataset", "spiral", "--model", "wide", "--width", 48, "--no-plots", "--out", "w")
    assert out.startswith("lucidnet train: spiral (450 samples to train on, 150 samples to test on), wide MLP 2-48-3, "
                          "Adam lr 0.01 with a cosine decay, batch 64, 3 epochs, seed 0\n")
    assert lucidnet.io.load_checkpoint("w/model.safetensors").extra["lucidnet_cli"]["train"]["width"] == 48
    assert re.fullmatch(r"w/model\.safetensors on the 150 samples of the spiral test set: loss \d\.\d{4} - accuracy "
                        r"\d\.\d{4}\n", ok(capsys, "evaluate", "w/model.safetensors"))
    assert "wide (one wide hidden layer)" in ok(capsys, "train", "--help")
    assert run(capsys, "train", "--dataset", "sine", "--model", "wide")[2] == (
        "lucidnet: error: --model wide: expected a classification dataset, got sine (a regression). Use --model mlp "
        "or linear.\n")
    assert run(capsys, "train", "--model", "wide")[2] == (
        "lucidnet: error: --model wide: expected a dataset of points, got fashion-mnist (images). Use --model mlp, "
        "linear, cnn, cnn-bn, perceptron or adaline.\n")
    assert run(capsys, "train", "--dataset", "xor", "--model", "mlp", "--width", 8)[2] == (
        "lucidnet: error: --width: expected --model wide, got --model mlp (it does not take --width).\n")
    with pytest.raises(ValueError, match=r"register_model\(\): expected a new model name, got 'wide' twice\."):
        registry.register_model(registry.model("wide"))


def test_a_dataset_recipe_with_its_own_option(capsys, monkeypatch):
    registry = cli.registry
    monkeypatch.setattr(registry, "_DATASETS", dict(registry._DATASETS))
    seen = []

    def load(data_dir, progress, noise=0.1):
        seen.append(noise)
        X, y = lucidnet.data.xor(100, noise=noise, seed=0)
        return cli.data.Data("noisy-xor", X[:300], y[:300], X[300:], y[300:], ["0", "1"], None)
    registry.register_dataset(registry.DatasetRecipe(
        name="noisy-xor", title="noisy XOR", kind="points", task="classification", load=load, input_shape=(2,),
        options=(registry.Option("--noise", type=cli.args.fraction, metavar="F", help="noise of the points"),)))
    out = ok(capsys, "train", "--dataset", "noisy-xor", "--noise", "0.3", "--epochs", 2, "--no-plots", "--quiet")
    assert seen == [0.3] and out.startswith("Test accuracy ")
    assert run(capsys, "train", "--dataset", "spiral", "--noise", "0.3")[2] == (
        "lucidnet: error: --noise: expected --dataset noisy-xor, got --dataset spiral (it does not take --noise).\n")
