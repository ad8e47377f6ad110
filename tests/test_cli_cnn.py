"""``lucidnet train --model cnn`` and ``--model cnn-bn``, then evaluate and predict on what they saved: on a few
hundred real Fashion-MNIST images (the dataset recipe is swapped for one serving a slice, so the test set is
small too), one epoch; the architecture, the files and plots written, the augmentation line, and the errors."""
import dataclasses
import json
import re

import numpy as np
import pytest

import lucidnet
from lucidnet import cli
from lucidnet.data import FASHION_MNIST_CLASSES, fashion_mnist
from lucidnet.data.png import write_png

from test_cli import _offline, accuracy_of, ok, run  # noqa: F401  (the fixture: offline, in a temporary directory)

N_TRAIN, N_TEST = 256, 200


@pytest.fixture(scope="module")
def small():
    (x_tr, y_tr), (x_te, y_te) = fashion_mnist(download=False, normalize=True)
    return x_tr[:N_TRAIN], y_tr[:N_TRAIN], x_te[:N_TEST], y_te[:N_TEST]


@pytest.fixture(autouse=True)
def _small_fashion_mnist(monkeypatch, small):
    """Fashion-MNIST as the command sees it: the first 256 training and 200 test images."""
    registry = cli.registry
    monkeypatch.setattr(registry, "_DATASETS", dict(registry._DATASETS))
    recipe = registry.dataset("fashion-mnist")

    def load(data_dir, progress):
        return cli.data.Data("fashion-mnist", *small, FASHION_MNIST_CLASSES, 255)
    registry._DATASETS["fashion-mnist"] = dataclasses.replace(recipe, load=load)


def test_cnn_trains_then_evaluate_and_predict(capsys, small):
    from lucidnet.data.png import read_png
    out = ok(capsys, "train", "--model", "cnn", "--epochs", 1, "--out", "c")
    assert out.startswith("lucidnet train: Fashion-MNIST (256 images to train on, 200 images to test on), CNN "
                          "conv5x5-ReLU-maxpool 1->32->64, dropout 0.25, Linear(3136, 10), 83,466 parameters, Adam lr "
                          "0.002 with a cosine decay, batch 128, 1 epochs, seed 0\n")
    accuracy = accuracy_of(out)
    assert "Plots: c/history.png, c/confusion_matrix.png, c/filters.png, c/feature_maps.png" in out
    assert json.load(open("c/history.json"))["lr"] == [0.002]
    assert read_png("c/filters.png").ndim == 3 and read_png("c/feature_maps.png").ndim == 3

    model = lucidnet.load("c/model.safetensors")
    assert [type(m).__name__ for m in model] == ["Unflatten", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                                 "MaxPool2d", "Flatten", "Dropout", "Linear"]
    assert sum(p.numel() for p in model.parameters()) == 83466
    x_te, y_te = small[2], small[3]
    assert float((model.predict(x_te).argmax(1) == y_te).mean()) == pytest.approx(accuracy, abs=5e-5)

    out = ok(capsys, "evaluate", "c/model.safetensors")
    assert re.fullmatch(rf"c/model\.safetensors on the 200 images of the Fashion-MNIST test set: loss \d\.\d{{4}} - "
                        rf"accuracy {accuracy:.4f}\n", out)

    pixels = (x_te[:3] * 255).round().astype(np.uint8)
    write_png("boot.png", pixels[0])
    np.save("batch.npy", pixels)
    out = ok(capsys, "predict", "c/model.safetensors", "boot.png", "batch.npy", "--top", 2)
    expected = model.predict(pixels.astype(np.float32) / 255).argmax(1)
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["boot.png", "batch.npy[0]", "batch.npy[1]", "batch.npy[2]"]
    assert [line.split(": ")[1].split(" (")[0] for line in lines] == \
        [FASHION_MNIST_CLASSES[k] for k in [expected[0], *expected]]
    assert all("; top 2: " in line for line in lines)


def test_cnn_bn_augments_its_training_batches(capsys):
    out = ok(capsys, "train", "--model", "cnn-bn", "--epochs", 1, "--out", "b", "--no-plots")
    first = out.splitlines()[0]
    assert "CNN conv5x5-BN-ReLU-maxpool 1->32->64, Linear(3136, 256)-ReLU-Linear(256, 10), dropout 0.3, 857,930 " \
           "parameters" in first
    assert first.endswith("1 epochs, training batches augmented by RandomCrop(size=(28, 28), padding=(1, 1, 1, 1)), "
                          "seed 0")
    model = lucidnet.load("b/model.safetensors")
    record = lucidnet.io.load_checkpoint("b/model.safetensors", restore_rng=False).extra["lucidnet_cli"]
    assert record["train"]["augment"].startswith("Compose(\n    RandomCrop(size=(28, 28)")
    assert [type(m).__name__ for m in model][:5] == ["Unflatten", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert float(model[2].running_var.array.mean()) != 1.0          # trained: running statistics moved
    accuracy = accuracy_of(out)
    assert ok(capsys, "evaluate", "b/model.safetensors").endswith(f" - accuracy {accuracy:.4f}\n")


def test_the_augmentation_is_seeded(small):
    from lucidnet.cli.recipes import cnn
    d = cli.data.Data("fashion-mnist", *small, FASHION_MNIST_CLASSES, 255)
    t = cnn.augmentation(d, {})
    lucidnet.manual_seed(0)
    a = t.batch(small[0][:8])
    lucidnet.manual_seed(0)
    b = t.batch(small[0][:8])
    assert a.shape == (8, 28, 28) and np.array_equal(a, b) and not np.array_equal(a, small[0][:8])


def test_cnns_take_images_only(capsys):
    assert run(capsys, "train", "--model", "cnn", "--dataset", "spiral")[2] == (
        "lucidnet: error: --model cnn: expected a dataset of images, got spiral (points). Use --model mlp, linear, "
        "perceptron or adaline.\n")
    assert run(capsys, "train", "--model", "cnn-bn", "--hidden", "10")[2] == (
        "lucidnet: error: --hidden: expected --model mlp, got --model cnn-bn (it has no hidden layers).\n")


def test_the_recipes_list_in_help(capsys):
    out = " ".join(ok(capsys, "train", "--help").split())
    assert "cnn (two conv layers, 28x28 images)" in out and "cnn-bn (with BatchNorm and augmentation)" in out
    assert cli.registry.model("cnn").augment is None and cli.registry.model("cnn-bn").augment is not None
