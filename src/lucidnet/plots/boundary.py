"""Decision boundaries of a 2-D classifier: one picture, or an animated GIF of how they move during training."""
import numpy as np

from ._figure import _figure, _save

__all__ = ["DecisionBoundaryAnimation", "plot_decision_boundary"]


def _check_points(where, X, y):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{where}: expected points of shape (N, 2), got {tuple(X.shape)}.")
    if y.shape != (len(X),):
        raise ValueError(f"{where}: expected one class id per point, shape ({len(X)},), got {tuple(y.shape)}.")
    return X, y


def _grid(X, resolution):
    """A resolution x resolution grid around the points (10% margin): (gx, gy, points (R*R, 2))."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-6)
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    return gx, gy, np.c_[gx.ravel(), gy.ravel()].astype(X.dtype if X.dtype.kind == "f" else np.float32)


def _class_ids(out):
    """Class ids from what predict returned: ids, scores (N, C), or one score column (thresholded)."""
    out = np.asarray(getattr(out, "array", out))
    labels = out.argmax(axis=1) if out.ndim == 2 and out.shape[1] > 1 else out.reshape(-1)
    if labels.dtype.kind == "f":
        labels = (labels > (0.0 if labels.min() < 0 else 0.5)).astype(np.int64)
    return labels.astype(np.int64)


def _draw(fig, ax, gx, gy, labels, X, y, class_names, title, legend="best"):
    import matplotlib.colors
    n = int(max(labels.max(initial=0), y.max(initial=0))) + 1
    colors = [f"C{k % 10}" for k in range(n)]
    ax.contourf(gx, gy, labels.reshape(gx.shape), levels=np.arange(n + 1) - 0.5,
                cmap=matplotlib.colors.ListedColormap(colors), alpha=0.3)
    for k in np.unique(y).astype(np.int64):
        name = class_names[k] if class_names is not None and k < len(class_names) else str(k)
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=12, color=colors[k], edgecolors="black", linewidths=0.3, label=name)
    ax.set_xlim(gx.min(), gx.max())
    ax.set_ylim(gy.min(), gy.max())
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc=legend, fontsize=8)
    ax.set_title(title)


def plot_decision_boundary(predict, X, y, path=None, class_names=None, title=None, resolution=200):
    """The regions a classifier assigns to each class over the plane, with the data points on top.

    Args:
        predict: a function from points (N, 2) to class ids (N,) or scores (N, C), e.g. ``model.predict``.
        X: the points to show, (N, 2).
        y: their class ids, (N,).
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        class_names: labels for the legend. Default: the class ids.
        title: the plot's title.
        resolution: grid points per axis. Default: 200.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1, 1, 0])
        >>> path = os.path.join(tempfile.mkdtemp(), "boundary.png")
        >>> _ = plot_decision_boundary(lambda p: (p[:, 1] > 0.5).astype(int), X, y, path, resolution=20)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    X, y = _check_points("plot_decision_boundary()", X, y)
    gx, gy, grid = _grid(X, resolution)
    labels = _class_ids(predict(grid))
    fig = _figure("plot_decision_boundary()", figsize=(5.5, 4.8), dpi=100, layout="constrained")
    _draw(fig, fig.add_subplot(), gx, gy, labels, X, y, class_names, title or "Decision boundary")
    return _save(fig, path)



class DecisionBoundaryAnimation:
    """The decision boundary of a 2-D classifier as it moves during training, saved as an animated GIF.

    Call :meth:`add_frame` with the model's predict function whenever you want a picture (each epoch, say:
    from a training loop, or from ``fit`` through a ``LambdaCallback``); the class regions are computed then,
    so later training does not change earlier frames. :meth:`save` writes the GIF with matplotlib's Pillow
    writer.

    Args:
        X: the points to show, (N, 2).
        y: their class ids, (N,).
        resolution: grid points per axis. Default: 100.
        class_names: labels for the legend. Default: the class ids.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]); y = np.array([0, 1, 1, 0])
        >>> movie = DecisionBoundaryAnimation(X, y, resolution=20)
        >>> for step, cut in enumerate([0.2, 0.5, 0.8]):
        ...     movie.add_frame(lambda p: (p[:, 1] > cut).astype(int), title=f"step {step}")
        >>> path = movie.save(os.path.join(tempfile.mkdtemp(), "boundary.gif"), fps=2)
        >>> open(path, "rb").read(6), len(movie)
        (b'GIF89a', 3)
    """

    def __init__(self, X, y, resolution=100, class_names=None):
        self.X, self.y = _check_points("DecisionBoundaryAnimation", X, y)
        self.gx, self.gy, self.grid = _grid(self.X, resolution)
        self.class_names = class_names
        self.frames = []                       # (class id per grid point, title)

    def __len__(self):
        return len(self.frames)

    def add_frame(self, predict, title=None):
        """Record the class regions ``predict`` gives now (a function from points (M, 2) to ids or scores)."""
        labels = _class_ids(predict(self.grid))
        if labels.shape != (len(self.grid),):
            raise ValueError(f"DecisionBoundaryAnimation.add_frame(): expected predict to give one class id or one "
                             f"row of scores per point, {len(self.grid)} in all, got shape {tuple(labels.shape)}.")
        self.frames.append((labels, title if title is not None else f"frame {len(self.frames) + 1}"))

    def save(self, path, fps=4):
        """Write the frames as an animated GIF (the last one held a little longer); returns ``path``."""
        if not self.frames:
            raise RuntimeError("DecisionBoundaryAnimation.save(): expected at least one frame, got none; call "
                               "add_frame(predict) during training first.")
        fig = _figure("DecisionBoundaryAnimation.save()", figsize=(5.5, 4.8), dpi=80)
        from matplotlib.animation import FuncAnimation, PillowWriter
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.11, top=0.93)   # fixed: no layout pass per frame
        order = list(range(len(self.frames))) + [len(self.frames) - 1] * max(1, int(fps))

        def show(i):
            ax.clear()
            labels, title = self.frames[order[i]]
            _draw(fig, ax, self.gx, self.gy, labels, self.X, self.y, self.class_names, title, legend="upper right")
            return []

        FuncAnimation(fig, show, frames=len(order), blit=False).save(path, writer=PillowWriter(fps=fps))
        self.path = path
        return path

    path = None                                # the last GIF written

    def _repr_html_(self):
        """In a notebook, the last GIF saved, inline (an <img> with the file's bytes)."""
        if self.path is None:
            return f"<pre>DecisionBoundaryAnimation: {len(self)} frames, not saved yet</pre>"
        import base64
        with open(self.path, "rb") as f:
            data = base64.b64encode(f.read()).decode()
        return f'<img src="data:image/gif;base64,{data}" alt="decision boundary during training">'
