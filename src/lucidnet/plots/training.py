"""Plots of a training run: learning curves, a confusion matrix, a fitted curve for 1-D regression."""
import numpy as np

from ._figure import _figure, _save

__all__ = ["plot_confusion_matrix", "plot_history", "plot_regression"]


def plot_history(history, path=None, title=None):
    """Learning curves: one panel for the loss and one per metric, the training values and, when present,
    the validation ones (``val_`` logs), against the epoch.

    Args:
        history: a :class:`lucidnet.train.History` (what ``fit`` returns) or its ``.history`` dict of lists.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        title: a title over the panels.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "history.png")
        >>> _ = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.6, 0.8]}, path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"plot_history(): expected a History or a dict of per-epoch lists, got "
                         f"{type(logs).__name__}{' (empty)' if isinstance(logs, dict) else ''}.")
    names = [k for k in logs if not k.startswith("val_") and k != "lr"]
    names += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in names]
    fig = _figure("plot_history()", figsize=(5 * len(names), 3.8), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, label, style in ((name, "train", "-o"), ("val_" + name, "validation", "-s")):
            values = logs.get(key)
            if values:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, markersize=3 if len(values) <= 50 else 0, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_confusion_matrix(matrix, path=None, class_names=None, title=None):
    """A confusion matrix as a heat map: row = true class, column = predicted class, each cell's count
    written in it, colored by the share of its row (so rare classes show as clearly as common ones).

    Args:
        matrix: (C, C) counts, e.g. from :func:`lucidnet.train.metrics.confusion_matrix`.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        class_names: C labels for the axes. Default: 0 .. C-1.
        title: the plot's title. Default: "Confusion matrix (accuracy ...)".

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "cm.png")
        >>> _ = plot_confusion_matrix([[5, 1], [0, 4]], path, class_names=["no", "yes"])
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.size == 0:
        raise ValueError(f"plot_confusion_matrix(): expected a square matrix of counts, got shape {tuple(m.shape)}.")
    c = len(m)
    names = [str(i) for i in range(c)] if class_names is None else [str(n) for n in class_names]
    if len(names) != c:
        raise ValueError(f"plot_confusion_matrix(): expected {c} class names, got {len(names)}.")
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros(m.shape), where=rows > 0)
    size = 2.5 + 0.55 * c
    fig = _figure("plot_confusion_matrix()", figsize=(size + 1, size), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="share of the true class")
    for i in range(c):
        for j in range(c):
            ax.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=8,
                    color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(c), names, rotation=45, ha="right")
    ax.set_yticks(range(c), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = m.sum()
    ax.set_title(title or f"Confusion matrix (accuracy {np.trace(m) / total if total else 0:.4f})")
    return _save(fig, path)


def plot_regression(X, y, predict, path=None, title=None):
    """A 1-D regression: the data points and the model's curve over the data's range.

    Args:
        X: inputs, shape (N,) or (N, 1).
        y: targets, shape (N,) or (N, 1).
        predict: a function from inputs (M, 1) to outputs (M,) or (M, 1), e.g. ``model.predict``.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        title: the plot's title.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> X = np.linspace(0, 1, 20); y = 2 * X
        >>> path = os.path.join(tempfile.mkdtemp(), "fit.png")
        >>> _ = plot_regression(X, y, lambda x: 2 * x, path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if X.ndim != 1 or y.shape != X.shape:
        raise ValueError(f"plot_regression(): expected one input and one target per sample, shapes (N,) or "
                         f"(N, 1), got {tuple(X.shape)} and {tuple(y.shape)}.")
    grid = np.linspace(X.min(), X.max(), 400).astype(X.dtype if X.dtype.kind == "f" else np.float32)[:, None]
    curve = np.asarray(predict(grid)).reshape(-1)
    fig = _figure("plot_regression()", figsize=(6, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(X, y, s=8, alpha=0.6, label="data")
    ax.plot(grid[:, 0], curve, color="C3", linewidth=2, label="model")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or "Fitted curve")
    return _save(fig, path)
