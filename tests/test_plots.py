"""lucidnet.plots: each plot is a valid PNG of the expected size (or a Figure without a path); the decision
boundary and the regression curve ask the model about the right points; tangent lines have the numerical slope;
the boundary animation has one GIF frame per recorded frame; image grids colour right and wrong predictions;
without matplotlib, a one-line ImportError with the install hint, and ``import lucidnet`` never imports
matplotlib."""
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


def test_derivative_tangents_have_the_numerical_slope(tmp_path):
    import lucidnet
    from lucidnet.autograd import numerical_derivative
    f = lambda x: x ** 3 - 2 * x                                        # noqa: E731
    fig = plots.plot_derivative(f, at=[-1.0, 0.5, 2.0], x_range=(-2, 3))
    top, bottom = fig.axes
    tangents = [line for line in top.lines if line.get_linestyle() == "--"]
    assert len(tangents) == 3
    for line, a in zip(tangents, [-1.0, 0.5, 2.0]):
        (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
        assert (y1 - y0) / (x1 - x0) == pytest.approx(numerical_derivative(f, a).item(), rel=1e-6)
        assert (y0 + y1) / 2 == pytest.approx(f(lucidnet.tensor(a, dtype=lucidnet.float64)).item())  # through (a, f(a))
    curve = [line for line in bottom.lines if line.get_label().startswith("f'")][0]
    np.testing.assert_allclose(curve.get_ydata(), 3 * curve.get_xdata() ** 2 - 2, rtol=1e-12, atol=1e-12)
    assert png(plots.plot_derivative(lucidnet.tanh, os.fspath(tmp_path / "d.png"))).shape[:2] == (600, 600)


def test_activations_and_their_derivatives(tmp_path):
    fig = plots.plot_activations(["relu", "sigmoid"])
    relu, sigmoid = fig.axes[:2]
    f, df = relu.lines[:2]
    np.testing.assert_array_equal(f.get_ydata(), np.maximum(f.get_xdata(), 0))
    np.testing.assert_array_equal(df.get_ydata(), (df.get_xdata() > 0).astype(float))
    s = 1 / (1 + np.exp(-sigmoid.lines[0].get_xdata()))
    np.testing.assert_allclose(sigmoid.lines[1].get_ydata(), s * (1 - s), rtol=1e-12)
    assert [ax.get_title() for ax in plots.plot_activations().axes if ax.get_visible()] == [
        "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu"]
    assert png(plots.plot_activations(["tanh", "gelu"], os.fspath(tmp_path / "a.png"))).shape[:2] == (280, 640)


def test_decision_boundary_animation_has_a_frame_per_record(tmp_path):
    from PIL import Image
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    movie = plots.DecisionBoundaryAnimation(X, np.array([0, 1, 1, 0]), resolution=10)
    for cut in (0.2, 0.4, 0.6, 0.8):
        movie.add_frame(lambda p: (p[:, 0] > cut).astype(int))
    path = movie.save(os.fspath(tmp_path / "b.gif"), fps=2)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
        durations = []
        for i in range(4):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert durations == [500, 500, 500, 1500]                               # the last frame held a second longer
    with pytest.raises(ValueError, match="one class id or one row of scores per point, 100 in all, got shape"):
        movie.add_frame(lambda p: np.zeros(3))
    with pytest.raises(RuntimeError, match="expected at least one frame, got none"):
        plots.DecisionBoundaryAnimation(X, np.zeros(4)).save(os.fspath(tmp_path / "c.gif"))


def test_image_grid_colours_right_and_wrong(tmp_path):
    images = np.random.default_rng(0).random((5, 1, 8, 8))                   # channels-first, as PyTorch's
    fig = plots.plot_images(images, labels=[0, 1, 2, 1, 0], predictions=np.eye(3)[[0, 1, 1, 1, 2]],
                            class_names=["a", "b", "c"], cols=3)
    titles = [(ax.get_title(), ax.title.get_color()) for ax in fig.axes if ax.images]
    assert titles == [("a (a)", "green"), ("b (b)", "green"), ("b (c)", "red"), ("b (b)", "green"),
                      ("c (a)", "red")]
    assert png(plots.plot_images(np.zeros((3, 784)), labels=[1, 2, 3], path=os.fspath(tmp_path / "g.png"))).size


def test_first_layer_weights_as_images(tmp_path):
    from lucidnet import nn
    fig = plots.plot_weights(nn.Linear(784, 10))
    assert [ax.images[0].get_array().shape for ax in fig.axes if ax.images] == [(28, 28)] * 10
    fig = plots.plot_weights(np.ones((4, 12)), image_shape=(3, 4), max_units=2)
    assert len([ax for ax in fig.axes if ax.images]) == 2
    conv = np.random.default_rng(0).standard_normal((6, 3, 5, 5))
    assert png(plots.plot_weights(conv, path=os.fspath(tmp_path / "w.png"))).size


def test_feature_maps_a_row_per_layer_after_the_input(tmp_path):
    maps = {"conv1": np.random.default_rng(0).random((1, 32, 28, 28)), "pool2": np.ones((64, 7, 7))}
    fig = plots.plot_feature_maps(maps, image=np.zeros((1, 28, 28)), max_maps=8)
    drawn = [ax.images[0].get_array().shape for ax in fig.axes if ax.images]
    assert drawn == [(28, 28)] + [(28, 28)] * 8 + [(7, 7)] * 8
    assert [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()] == ["input\n28x28", "conv1\n28x28", "pool2\n7x7"]
    assert png(plots.plot_feature_maps(np.ones((3, 5, 5)), os.fspath(tmp_path / "f.png"))).size


def test_layer_histograms_and_stats(tmp_path):
    acts = {"0 Linear": np.arange(10.0), "1 ReLU": np.maximum(np.arange(10.0) - 5, 0)}
    fig = plots.plot_layer_histograms(acts, {"0 Linear": np.ones(10), "1 ReLU": np.zeros(10)})
    assert len([ax for ax in fig.axes if ax.patches]) == 4
    assert fig.axes[0].get_title() == "0 Linear\nactivation: mean 4.5, std 2.9"
    assert png(plots.plot_layer_histograms(acts, path=os.fspath(tmp_path / "h.png"))).shape[:2] == (280, 560)
    stats = {"steps": [0, 10, 20], "history": {"0 Linear": {"grad_norm": [1.0, 0.5, 0.1], "update_ratio": [1e-2,
                                                                                                          1e-3, 1e-4]}}}
    fig = plots.plot_layer_stats(stats)
    assert [ax.get_title() for ax in fig.axes] == ["parameter gradient norm", "update / weight ratio"]
    assert png(plots.plot_layer_stats(stats, os.fspath(tmp_path / "s.png"))).size


def test_no_path_gives_a_figure_for_every_plot():
    from matplotlib.figure import Figure
    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1])
    assert isinstance(plots.plot_history({"loss": [1.0, 0.5]}), Figure)
    assert isinstance(plots.plot_confusion_matrix(np.eye(2)), Figure)
    assert isinstance(plots.plot_decision_boundary(lambda p: p[:, 0] > 0.5, X, y, resolution=5), Figure)
    assert isinstance(plots.plot_regression(X[:, 0], y, lambda x: x), Figure)


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
    (lambda p: plots.plot_derivative(lambda x: x.sum(), p), "plot_derivative(): expected f to map a tensor of shape "
     "(400,) to one of the same shape (an elementwise function of tensors), got shape ()."),
    (lambda p: plots.plot_derivative(lambda x: x, p, x_range=(1, 1)), "plot_derivative(): expected x_range with "
     "low < high, got (1, 1)."),
    (lambda p: plots.plot_activations(["nope"], p), "plot_activations(): expected an activation name (elu, gelu, "
     "leaky_relu, linear, log_softmax, relu, sigmoid, silu, softmax, swish, tanh), a callable or None, got 'nope'."),
    (lambda p: plots.plot_images(np.zeros((2, 5)), path=p), "plot_images(): expected images of shape (N, H, W), "
     "(N, H, W, C), (N, C, H, W) or flat (N, side*side), got (2, 5)."),
    (lambda p: plots.plot_images(np.zeros((2, 4, 4)), labels=[1], path=p), "plot_images(): expected one entry of "
     "labels per image (2), got shape (1,)."),
    (lambda p: plots.plot_weights(np.zeros((3, 10)), path=p), "plot_weights(): expected weights of shape (units, "
     "H*W) with a square H*W, got (3, 10); pass image_shape=(H, W)."),
    (lambda p: plots.plot_feature_maps({"conv": np.zeros((2, 3, 4, 4))}, p), "plot_feature_maps(): expected one "
     "input's output of shape (C, H, W) for 'conv', got (2, 3, 4, 4)."),
    (lambda p: plots.plot_layer_histograms({}, path=p), "plot_layer_histograms(): expected activations as a "
     "non-empty dict of layer name -> array, got dict (empty)."),
    (lambda p: plots.plot_layer_stats({"steps": []}, p), "plot_layer_stats(): expected a LayerStatistics callback "
     "that has recorded something, or a dict with 'steps' and 'history', got dict with no steps."),
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


def test_plots_are_written_atomically(tmp_path, monkeypatch):
    import errno
    path = str(tmp_path / "h.png")
    plots.plot_history({"loss": [1.0, 0.5]}, path=path)
    good = open(path, "rb").read()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        plots.plot_history({"loss": [1.0, 0.5, 0.25]}, path=path)
    assert open(path, "rb").read() == good and os.listdir(tmp_path) == ["h.png"]
    monkeypatch.undo()
    assert plots.plot_history({"loss": [1.0]}, path=str(tmp_path / "h.svg")).endswith("h.svg")
    assert open(tmp_path / "h.svg").read().lstrip().startswith("<?xml")
