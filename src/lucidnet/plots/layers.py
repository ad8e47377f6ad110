"""Inside the layers: histograms of each layer's activations and of the gradients flowing back into them, and
per-layer statistics over training (from :class:`lucidnet.train.inspect.LayerStatistics`). Vanishing
gradients show as gradient histograms squeezed to zero in the first layers; a too-high learning rate as
update-to-weight ratios far above 1e-3; dead ReLUs as a growing dead fraction."""
import numpy as np

from ._figure import _figure, _save

__all__ = ["plot_layer_histograms", "plot_layer_stats"]

STATS = (("activation_std", "activation std", False), ("dead_fraction", "fraction of dead ReLUs", False),
         ("grad_norm", "parameter gradient norm", True), ("update_ratio", "update / weight ratio", True))


def _named_arrays(where, what, values):
    if not isinstance(values, dict) or not values:
        raise ValueError(f"{where}: expected {what} as a non-empty dict of layer name -> array, got "
                         f"{type(values).__name__}{' (empty)' if isinstance(values, dict) else ''}.")
    return {str(k): np.asarray(getattr(v, "array", v), dtype=np.float64).ravel() for k, v in values.items()}


def plot_layer_histograms(activations, gradients=None, path=None, *, bins=50, title=None):
    """Histograms of each layer's outputs (top row) and of the gradients of the loss with respect to them
    (bottom row), one column per layer, each titled with its mean and standard deviation.

    Args:
        activations: a dict of layer name -> output array, or a :class:`LayerStatistics` callback (its
            ``last_activations`` and ``last_gradients``).
        gradients: a dict of layer name -> gradient array (the same names). Default: none (one row).
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        bins: histogram bins. Default: 50.
        title: a title over the panels.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> acts = {"0 Linear": rng.normal(size=100), "1 Tanh": np.tanh(rng.normal(size=100))}
        >>> path = os.path.join(tempfile.mkdtemp(), "hist.png")
        >>> _ = plot_layer_histograms(acts, {k: 0.01 * v for k, v in acts.items()}, path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_layer_histograms()"
    if hasattr(activations, "last_activations"):
        activations, gradients = activations.last_activations, gradients or activations.last_gradients
    acts = _named_arrays(where, "activations", activations)
    grads = _named_arrays(where, "gradients", gradients) if gradients else {}
    names = list(acts)
    rows = 2 if grads else 1
    fig = _figure(where, figsize=(2.8 * len(names), 2.4 * rows + 0.4), dpi=100, layout="constrained")
    axes = fig.subplots(rows, len(names), squeeze=False)
    for c, name in enumerate(names):
        for r, (kind, values) in enumerate((("activation", acts.get(name)), ("gradient", grads.get(name)))[:rows]):
            ax = axes[r, c]
            if values is None or values.size == 0:
                ax.set_axis_off()
                continue
            finite = values[np.isfinite(values)]
            ax.hist(finite, bins=bins, color="C0" if kind == "activation" else "C3")
            ax.set_title(f"{name}\n{kind}: mean {finite.mean():.2g}, std {finite.std():.2g}", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(title or "Activations and their gradients, layer by layer")
    return _save(fig, path)


def plot_layer_stats(stats, path=None, *, title=None):
    """Per-layer statistics over training, one panel each: activation std, fraction of dead ReLUs,
    parameter gradient norm and update-to-weight ratio (log scales for the last two; a dotted line at the
    rule-of-thumb ratio 1e-3).

    Args:
        stats: a :class:`LayerStatistics` callback after ``fit``, or a dict ``{"steps": [...], "history":
            {layer: {stat: [...]}}}`` of the same shape.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        title: a title over the panels.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> history = {"0 Linear": {"activation_std": [1.0, 0.8], "grad_norm": [0.5, 0.2],
        ...                         "update_ratio": [1e-3, 5e-4]}, "1 ReLU": {"dead_fraction": [0.0, 0.1]}}
        >>> path = os.path.join(tempfile.mkdtemp(), "stats.png")
        >>> _ = plot_layer_stats({"steps": [0, 100], "history": history}, path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_layer_stats()"
    if isinstance(stats, dict):
        steps, history = stats.get("steps"), stats.get("history")
    else:
        steps, history = getattr(stats, "steps", None), getattr(stats, "history", None)
    if not isinstance(history, dict) or not steps:
        raise ValueError(f"{where}: expected a LayerStatistics callback that has recorded something, or a dict with "
                         f"'steps' and 'history', got {type(stats).__name__} with no steps.")
    panels = [s for s in STATS if any(s[0] in layer for layer in history.values())]
    fig = _figure(where, figsize=(4.2 * len(panels), 3.4), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (key, label, log) in zip(axes, panels):
        for name, layer in history.items():
            values = layer.get(key)
            if values:
                ax.plot(steps[:len(values)], values, "-o", markersize=2, label=name)
        if log:
            ax.set_yscale("log")
        if key == "update_ratio":
            ax.axhline(1e-3, color="black", linestyle=":", linewidth=1)
        ax.set_xlabel("training step")
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title or "Inside the layers during training")
    return _save(fig, path)
