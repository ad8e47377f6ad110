"""lucidnet.plots: each plot is a valid PNG of the expected size; the decision boundary and the regression curve
ask the model about the right points; without matplotlib, a one-line ImportError with the install hint, and
``import lucidnet`` never imports matplotlib."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from lucidnet import plots
from lucidnet.data.png import read_png
from lucidnet.train import History

from helpers import raises


def png(path):
    image = read_png(path)
    assert image.dtype == np.uint8 and image.shape[2] in (3, 4)
    return image


def test_history_from_a_dict_and_from_a_history(tmp_path):
    logs = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8], "val_loss": [1.1, 0.8, 0.7],
            "val_accuracy": [0.45, 0.6, 0.7], "lr": [1e-3, 5e-4, 1e-4]}
    path = os.fspath(tmp_path / "h.png")
    assert plots.plot_history(logs, path, title="run") == path
    assert png(path).shape[:2] == (380, 1000)                  # two panels (loss, accuracy): lr is not plotted
    h = History()
    h.history = {"errors": [5, 3, 0]}
    assert png(plots.plot_history(h, os.fspath(tmp_path / "e.png"))).shape[:2] == (380, 500)


def test_confusion_matrix(tmp_path):
    m = np.array([[50, 2, 0], [3, 40, 7], [0, 0, 0]])          # a class that never occurs: no division by zero
    path = plots.plot_confusion_matrix(m, os.fspath(tmp_path / "cm.png"), class_names=["a", "b", "c"])
    height, width = png(path).shape[:2]
    assert (height, width) == (415, 515)


def test_decision_boundary_asks_the_model_about_a_grid_around_the_data(tmp_path):
    X = np.array([[0.0, 0.0], [2.0, 1.0], [1.0, 3.0]], dtype=np.float32)
    y = np.array([0, 1, 2])
    seen = []

    def predict(points):
        seen.append(points)
        return np.stack([-points[:, 0], points[:, 0] - 1, points[:, 1] - 2], axis=1)     # scores (N, 3)

    path = plots.plot_decision_boundary(predict, X, y, os.fspath(tmp_path / "b.png"), ["r", "g", "b"], resolution=30)
    assert png(path).shape[:2] == (480, 550)
    (grid,) = seen
    assert grid.shape == (900, 2) and grid.dtype == np.float32
    np.testing.assert_allclose(grid.min(axis=0), [-0.2, -0.3], rtol=1e-6)
    np.testing.assert_allclose(grid.max(axis=0), [2.2, 3.3], rtol=1e-6)
    # class ids, or one score column (thresholded), work too
    plots.plot_decision_boundary(lambda p: (p[:, 0] > 1).astype(int), X, y, path, resolution=10)
    plots.plot_decision_boundary(lambda p: p[:, :1] - 1.0, X, y % 2, path, resolution=10)


def test_regression_curve(tmp_path):
    X = np.linspace(-1, 2, 50).reshape(-1, 1)
    seen = []

    def predict(x):
        seen.append(x)
        return x ** 2

    path = plots.plot_regression(X, X[:, 0] ** 2, predict, os.fspath(tmp_path / "r.png"))
    assert png(path).shape[:2] == (400, 600)
    assert seen[0].shape == (400, 1) and seen[0][0, 0] == -1 and seen[0][-1, 0] == 2


@pytest.mark.parametrize("call, message", [
    (lambda p: plots.plot_history({}, p), "plot_history(): expected a History or a dict of per-epoch lists, got dict "
                                         "(empty)."),
    (lambda p: plots.plot_confusion_matrix(np.zeros((2, 3)), p),
     "plot_confusion_matrix(): expected a square matrix of counts, got shape (2, 3)."),
    (lambda p: plots.plot_confusion_matrix(np.eye(2), p, class_names=["a"]),
     "plot_confusion_matrix(): expected 2 class names, got 1."),
    (lambda p: plots.plot_decision_boundary(lambda x: x, np.zeros((4, 3)), np.zeros(4), p),
     "plot_decision_boundary(): expected points of shape (N, 2), got (4, 3)."),
    (lambda p: plots.plot_decision_boundary(lambda x: x, np.zeros((4, 2)), np.zeros(3), p),
     "plot_decision_boundary(): expected one class id per point, shape (4,), got (3,)."),
    (lambda p: plots.plot_regression(np.zeros((4, 2)), np.zeros(4), lambda x: x, p),
     "plot_regression(): expected one input and one target per sample, shapes (N,) or (N, 1), got (4, 2) and (4,)."),
])
def test_bad_input(tmp_path, call, message):
    path = os.fspath(tmp_path / "x.png")
    with raises(ValueError, message):
        call(path)
    assert not os.path.exists(path)


def test_without_matplotlib(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)           # import matplotlib -> ImportError
    assert plots.available() is False
    with pytest.raises(ImportError, match="^" + re.escape("plot_history(): expected matplotlib to draw plots, got no "
                                                          "matplotlib installed. Install it with: pip install "
                                                          "'lucidnet[plot]'") + "$"):
        plots.plot_history({"loss": [1.0]}, os.fspath(tmp_path / "h.png"))


def test_importing_lucidnet_does_not_import_matplotlib():
    code = ("import sys, lucidnet, lucidnet.cli, lucidnet.plots, lucidnet.data.png; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
