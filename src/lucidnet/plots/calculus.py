"""Calculus pictures: a function with its derivative and tangent lines at chosen points; the activation
functions and their derivatives. Derivatives come from lucidnet's own backward(), so the picture shows what
autograd computes."""
import numpy as np

from ._figure import _figure, _save

__all__ = ["plot_activations", "plot_derivative"]

DEFAULT_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")


def _check_range(where, x_range):
    try:
        lo, hi = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected x_range to be a pair (low, high), got {x_range!r}.") from None
    if not lo < hi:
        raise ValueError(f"{where}: expected x_range with low < high, got {x_range!r}.")
    return lo, hi


def _values_and_slopes(where, f, x):
    """f(x) and f'(x) elementwise at the float64 points x, the slope from backward()."""
    import lucidnet
    t = lucidnet.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = f(t)
    if not isinstance(y, lucidnet.Tensor) or y.shape != t.shape:
        got = f"shape {tuple(y.shape)}" if isinstance(y, lucidnet.Tensor) else type(y).__name__
        raise ValueError(f"{where}: expected f to map a tensor of shape {tuple(t.shape)} to one of the same shape "
                         f"(an elementwise function of tensors), got {got}.")
    if y.requires_grad:
        y.sum().backward()                     # elementwise f: d sum(f(x)) / d x_i = f'(x_i)
    slopes = t.grad.array if t.grad is not None else np.zeros_like(t.array)
    return y.detach().array.astype(np.float64), slopes.astype(np.float64)


def plot_derivative(f, path=None, *, x_range=(-3.0, 3.0), at=(), title=None, points=400):
    """A function, its tangent lines at chosen points (top), and its derivative (bottom).

    The tangent at a is the line through (a, f(a)) with slope f'(a): near a, the function and the line
    agree, which is what a derivative means. Slopes come from backward().

    Args:
        f: an elementwise function of a tensor (``lambda x: x ** 2``, ``lucidnet.tanh``).
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        x_range: the interval (low, high) to draw. Default: (-3, 3).
        at: the points where tangent lines are drawn, each labelled with its slope.
        title: a title over the panels. Default: the function's name.
        points: how many points draw each curve. Default: 400.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "square.png")
        >>> _ = plot_derivative(lambda x: x ** 2, path, at=[-1.0, 2.0])
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    where = "plot_derivative()"
    lo, hi = _check_range(where, x_range)
    at = np.atleast_1d(np.asarray(at, dtype=np.float64))
    if at.ndim != 1:
        raise ValueError(f"{where}: expected the tangent points as a list of numbers, got shape {tuple(at.shape)}.")
    x = np.linspace(lo, hi, int(points))
    y, dy = _values_and_slopes(where, f, x)
    ya, slopes = _values_and_slopes(where, f, at) if at.size else (at, at)
    fig = _figure(where, figsize=(6, 6), dpi=100, layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(x, y, color="C0", linewidth=2, label="f(x)")
    half = (hi - lo) / 8
    for i, (a, fa, s) in enumerate(zip(at, ya, slopes)):
        seg = np.array([a - half, a + half])
        top.plot(seg, fa + s * (seg - a), "--", color=f"C{i + 1}", label=f"tangent at {a:g}: slope {s:.3g}")
        top.plot([a], [fa], "o", color=f"C{i + 1}")
        bottom.plot([a], [s], "o", color=f"C{i + 1}")
    top.set_ylabel("f(x)")
    top.grid(alpha=0.3)
    top.legend(fontsize=8)
    bottom.plot(x, dy, color="C0", linewidth=2, label="f'(x), from backward()")
    bottom.axhline(0, color="black", linewidth=0.5)
    bottom.set_xlabel("x")
    bottom.set_ylabel("f'(x)")
    bottom.grid(alpha=0.3)
    bottom.legend(fontsize=8)
    name = getattr(f, "__name__", "f")
    fig.suptitle(title or (f"{name} and its derivative" if name != "<lambda>" else "f and its derivative"))
    return _save(fig, path)


def plot_activations(names=DEFAULT_ACTIVATIONS, path=None, *, x_range=(-4.0, 4.0), points=400):
    """Activation functions (solid) and their derivatives (dashed), one panel each.

    The derivative is what backward multiplies the incoming gradient by: where it is near zero (sigmoid and
    tanh far from 0, ReLU below 0), little gradient flows back.

    Args:
        names: activation names as ``Dense(activation=...)`` takes them, or functions of a tensor.
            Default: sigmoid, tanh, relu, leaky_relu, elu, gelu, silu.
        path: the PNG file to write; None returns the matplotlib Figure (shown inline in a notebook).
        x_range: the interval (low, high) to draw. Default: (-4, 4).
        points: how many points draw each curve. Default: 400.

    Returns:
        ``path``, or the Figure.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "activations.png")
        >>> _ = plot_activations(["relu", "tanh"], path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    from ..nn.activation import get_activation
    where = "plot_activations()"
    lo, hi = _check_range(where, x_range)
    names = [names] if isinstance(names, str) or callable(names) else list(names)
    if not names:
        raise ValueError(f"{where}: expected at least one activation, got none.")
    functions = [get_activation(n, where) for n in names]
    cols = min(4, len(names))
    rows = -(-len(names) // cols)
    fig = _figure(where, figsize=(3.2 * cols, 2.8 * rows), dpi=100, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    x = np.linspace(lo, hi, int(points))
    for ax, name, fn in zip(axes, names, functions):
        y, dy = _values_and_slopes(where, fn, x)
        ax.plot(x, y, color="C0", linewidth=2, label="f(x)")
        ax.plot(x, dy, "--", color="C3", linewidth=1.5, label="f'(x)")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.axvline(0, color="black", linewidth=0.5)
        ax.set_title(name if isinstance(name, str) else getattr(name, "__name__", "f"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return _save(fig, path)
