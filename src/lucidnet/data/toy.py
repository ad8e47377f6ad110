"""Toy datasets of the tutorials: small, generated, each drawn by its published algorithm.

``spiral``, ``vertical`` and ``sine`` are the datasets of *Neural Networks from Scratch in Python* (the nnfs
package: ``spiral_data``, ``vertical_data``, ``sine_data``); ``blobs`` and ``moons`` follow scikit-learn's
``make_blobs`` and ``make_moons``; ``xor`` is the truth table; ``linear_regression`` returns its true weights.
Every function returns NumPy arrays ``X`` (float32) and ``y`` (int64 class ids, or float32 regression targets)
and draws from ``seed`` or ``generator`` (a :class:`lucidnet.Generator`, a NumPy ``Generator``, or a legacy
``np.random.RandomState``: ``spiral(100, 3, generator=np.random.RandomState(0))`` gives exactly the points
of the book, whose ``nnfs.init()`` calls ``np.random.seed(0)``). Samples are ordered by class.
"""
import math
import numbers

import numpy as np

from ..random import numpy_generator
from ..validation import check_int

__all__ = ["blobs", "linear_regression", "moons", "sine", "spiral", "vertical", "xor"]


def _random(where, seed, generator):
    """The NumPy generator to draw from (legacy RandomState accepted, for the book's exact streams)."""
    if seed is not None and generator is not None:
        raise ValueError(f"{where}: expected seed or generator, got both.")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"{where}: expected seed to be an int, got {type(seed).__name__}.")
        return np.random.default_rng(int(seed))
    if isinstance(generator, np.random.RandomState):
        return generator
    try:
        return numpy_generator(generator)
    except TypeError:
        raise TypeError(f"{where}: expected generator to be a lucidnet.Generator, a numpy Generator or "
                        f"RandomState, or an int seed, got {type(generator).__name__}.") from None


def _nonneg(where, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: expected {name} to be a finite number >= 0, got {value!r}.")
    return float(value)


def spiral(samples=100, classes=3, *, seed=None, generator=None):
    """Interleaved spiral arms, one per class: the nnfs book's ``spiral_data``.

    For class c: r = linspace(0, 1, samples), t = linspace(4c, 4(c + 1), samples) + 0.2 N(0, 1),
    X = (r sin(2.5 t), r cos(2.5 t)). Points lie in the unit disc; not linearly separable.

    Args:
        samples: points per class.
        classes: number of classes (arms).
        seed, generator: where the noise comes from (see the module docstring).

    Returns:
        ``X`` float32 of shape (samples * classes, 2) and ``y`` int64 of shape (samples * classes,).

    Example:
        >>> X, y = spiral(100, 3, seed=0)
        >>> X.shape, X.dtype, y.shape, y.dtype, sorted(set(y.tolist()))
        ((300, 2), dtype('float32'), (300,), dtype('int64'), [0, 1, 2])
    """
    samples = check_int("spiral()", "samples", samples)
    classes = check_int("spiral()", "classes", classes)
    rng = _random("spiral()", seed, generator)
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype=np.int64)
    for c in range(classes):
        ix = slice(samples * c, samples * (c + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + rng.standard_normal(samples) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[ix] = c
    return X.astype(np.float32), y


def vertical(samples=100, classes=3, *, seed=None, generator=None):
    """Vertical stripes of Gaussian points, one per class: the nnfs book's ``vertical_data``.

    For class c: X = (0.1 N(0, 1) + c / 3, 0.1 N(0, 1) + 0.5). Nearly linearly separable along x.

    Args:
        samples: points per class.
        classes: number of classes (stripes).
        seed, generator: where the noise comes from (see the module docstring).

    Returns:
        ``X`` float32 of shape (samples * classes, 2) and ``y`` int64 of shape (samples * classes,).

    Example:
        >>> X, y = vertical(50, 2, seed=0)
        >>> X.shape, y.shape, abs(float(X[y == 1, 0].mean()) - 1 / 3) < 0.05
        ((100, 2), (100,), True)
    """
    samples = check_int("vertical()", "samples", samples)
    classes = check_int("vertical()", "classes", classes)
    rng = _random("vertical()", seed, generator)
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype=np.int64)
    for c in range(classes):
        ix = slice(samples * c, samples * (c + 1))
        X[ix] = np.c_[rng.standard_normal(samples) * 0.1 + c / 3, rng.standard_normal(samples) * 0.1 + 0.5]
        y[ix] = c
    return X.astype(np.float32), y


def sine(samples=1000, *, noise=0.0, seed=None, generator=None):
    """One period of a sine wave, a regression problem: the nnfs book's ``sine_data``.

    X = arange(samples) / samples (in [0, 1)), y = sin(2 pi X), plus ``noise`` N(0, 1) on y if asked.

    Args:
        samples: number of points.
        noise: standard deviation of Gaussian noise added to y. Default: 0 (the book's data, no randomness).
        seed, generator: where the noise comes from, when ``noise > 0``.

    Returns:
        ``X`` and ``y``, both float32 of shape (samples, 1).

    Example:
        >>> X, y = sine(4)
        >>> X.ravel().tolist(), y.round(3).ravel().tolist()
        ([0.0, 0.25, 0.5, 0.75], [0.0, 1.0, 0.0, -1.0])
    """
    samples = check_int("sine()", "samples", samples)
    noise = _nonneg("sine()", "noise", noise)
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    if noise:
        y = y + noise * _random("sine()", seed, generator).standard_normal(y.shape)
    return X.astype(np.float32), y.astype(np.float32)


def xor(repeats=1, *, noise=0.0, seed=None, generator=None):
    """The XOR truth table: X in {0, 1}^2, y = x1 xor x2; the smallest problem a linear model cannot solve.

    Args:
        repeats: copies of the four points.
        noise: standard deviation of Gaussian noise added to X. Default: 0 (exact corners).
        seed, generator: where the noise comes from, when ``noise > 0``.

    Returns:
        ``X`` float32 of shape (4 * repeats, 2) and ``y`` int64 of shape (4 * repeats,).

    Example:
        >>> X, y = xor()
        >>> X.tolist(), y.tolist()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    repeats = check_int("xor()", "repeats", repeats)
    noise = _nonneg("xor()", "noise", noise)
    X = np.tile(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64), (repeats, 1))
    y = np.tile(np.array([0, 1, 1, 0], dtype=np.int64), repeats)
    if noise:
        X = X + noise * _random("xor()", seed, generator).standard_normal(X.shape)
    return X.astype(np.float32), y


def blobs(samples=100, centers=3, std=1.0, *, features=2, center_box=(-10.0, 10.0), seed=None, generator=None):
    """Isotropic Gaussian clusters, one per class, as scikit-learn's ``make_blobs``.

    Args:
        samples: total number of points, shared evenly (the first clusters get one more when it does not
            divide).
        centers: number of clusters, drawn uniformly in ``center_box``; or their coordinates, shape
            (clusters, features).
        std: standard deviation of each cluster: one number, or one per cluster.
        features: dimensions of a point (ignored when ``centers`` gives coordinates).
        center_box: (low, high) bounds for random centers.
        seed, generator: where the centers and points come from.

    Returns:
        ``X`` float32 of shape (samples, features) and ``y`` int64 of shape (samples,).

    Example:
        >>> X, y = blobs(7, centers=[[0, 0], [5, 5]], std=0.1, seed=0)
        >>> X.shape, y.tolist(), bool(abs(X[y == 1] - 5).max() < 1)
        ((7, 2), [0, 0, 0, 0, 1, 1, 1], True)
    """
    samples = check_int("blobs()", "samples", samples)
    rng = _random("blobs()", seed, generator)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = check_int("blobs()", "centers", centers)
        features = check_int("blobs()", "features", features)
        lo, hi = center_box
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"blobs(): expected center_box (low, high) with low < high, got {center_box!r}.")
        C = rng.uniform(lo, hi, size=(k, features))
    else:
        try:
            C = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError):
            C = np.full(0, np.nan)
        if C.ndim != 2 or len(C) == 0 or C.shape[1] == 0 or not np.isfinite(C).all():
            raise ValueError(f"blobs(): expected centers to be a count or finite coordinates of shape "
                             f"(clusters, features), got {centers!r}.")
        k, features = C.shape
    try:
        stds = np.asarray(std, dtype=np.float64)
    except (TypeError, ValueError):
        stds = np.full(0, np.nan)
    if stds.ndim > 1 or stds.size not in (1, k) or not (np.isfinite(stds).all() and (stds > 0).all()):
        raise ValueError(f"blobs(): expected std to be a positive number or one per cluster ({k}), got {std!r}.")
    stds = np.broadcast_to(stds.reshape(-1), (k,))
    counts = [samples // k + (i < samples % k) for i in range(k)]
    X = np.concatenate([C[i] + stds[i] * rng.standard_normal((counts[i], features)) for i in range(k)])
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    return X.astype(np.float32), y


def moons(samples=100, noise=0.0, *, seed=None, generator=None):
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    The upper moon (class 0) is (cos s, sin s), the lower one (class 1) is (1 - cos s, 0.5 - sin s), for s
    evenly spaced in [0, pi]; then Gaussian noise of standard deviation ``noise``.

    Args:
        samples: total number of points (the upper moon gets ``samples // 2``).
        noise: standard deviation of the Gaussian noise added to X.
        seed, generator: where the noise comes from, when ``noise > 0``.

    Returns:
        ``X`` float32 of shape (samples, 2) and ``y`` int64 of shape (samples,).

    Example:
        >>> X, y = moons(6)
        >>> X.round(2).tolist()[:3], y.tolist()
        ([[1.0, 0.0], [-0.0, 1.0], [-1.0, 0.0]], [0, 0, 0, 1, 1, 1])
    """
    samples = check_int("moons()", "samples", samples, 2)
    noise = _nonneg("moons()", "noise", noise)
    n_out = samples // 2
    n_in = samples - n_out
    s_out, s_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.c_[np.cos(s_out), np.sin(s_out)], np.c_[1 - np.cos(s_in), 1 - np.sin(s_in) - 0.5]])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if noise:
        X = X + noise * _random("moons()", seed, generator).standard_normal(X.shape)
    return X.astype(np.float32), y


def linear_regression(samples=100, features=1, noise=0.1, *, bias=0.0, seed=None, generator=None):
    """A linear regression problem with known answer: y = X @ w + bias + noise N(0, 1).

    X and the true weights w are drawn from N(0, 1).

    Args:
        samples: number of points.
        features: number of input features.
        noise: standard deviation of the Gaussian noise on y.
        bias: the true intercept.
        seed, generator: where X, w and the noise come from.

    Returns:
        ``X`` float32 of shape (samples, features), ``y`` float32 of shape (samples, 1) and the true weights
        ``w`` float32 of shape (features, 1).

    Example:
        >>> X, y, w = linear_regression(200, 3, noise=0.0, bias=2.0, seed=0)
        >>> X.shape, y.shape, w.shape, bool(abs(X @ w + 2.0 - y).max() < 1e-5)
        ((200, 3), (200, 1), (3, 1), True)
    """
    samples = check_int("linear_regression()", "samples", samples)
    features = check_int("linear_regression()", "features", features)
    noise = _nonneg("linear_regression()", "noise", noise)
    if isinstance(bias, bool) or not isinstance(bias, numbers.Real) or not math.isfinite(bias):
        raise ValueError(f"linear_regression(): expected bias to be a finite number, got {bias!r}.")
    rng = _random("linear_regression()", seed, generator)
    X = rng.standard_normal((samples, features))
    w = rng.standard_normal((features, 1))
    y = X @ w + bias + noise * rng.standard_normal((samples, 1))
    return X.astype(np.float32), y.astype(np.float32), w.astype(np.float32)
