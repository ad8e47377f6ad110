"""Preparing arrays for training: one-hot targets, standardised features, a train/test split.

These work on NumPy arrays (and accept Tensors or lists) and return NumPy arrays; they check what would
silently go wrong later: labels out of range, NaN or inf in the data, inputs and targets of different lengths.
"""
import math
import numbers

import numpy as np

from .. import dtypes
from ..random import numpy_generator
from ..tensor import Tensor
from ..validation import check_all_finite, check_int, numeric_array

__all__ = ["Standardizer", "one_hot", "standardize", "train_test_split"]


def one_hot(labels, num_classes=None, dtype=dtypes.float32):
    """One-hot encode integer class ids: row i is all zeros but a 1 at column ``labels[i]``.

    Args:
        labels: integer class ids of any shape (integral floats such as 3.0 are accepted).
        num_classes: the number of columns; default ``max(labels) + 1``.
        dtype: the result's dtype. Default: float32 (ready for a loss).

    Returns:
        A NumPy array of shape ``labels.shape + (num_classes,)``.

    Example:
        >>> one_hot([0, 2, 1], 3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    y = numeric_array(labels, "one_hot()", "labels")
    if y.dtype.kind == "f":
        check_all_finite(y, "one_hot()", "labels")
        if not (y == np.round(y)).all():
            bad = y[y != np.round(y)].flat[0]
            raise ValueError(f"one_hot(): expected integer class ids, got {bad}.")
    y = y.astype(np.int64, copy=False)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    else:
        num_classes = check_int("one_hot()", "num_classes", num_classes)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot(): expected labels in [0, {num_classes}), got values from {y.min()} to "
                         f"{y.max()}.")
    out = np.zeros(y.shape + (int(num_classes),), dtype=dtypes.to_dtype(dtype))
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


class Standardizer:
    """Shift and scale features to mean 0 and standard deviation 1, with statistics learned by :meth:`fit`.

    Fit on the training set only, then transform every split with the same statistics. Features with zero
    variance (the border pixels of MNIST) are only centred: their scale is set to 1, as scikit-learn does.

    Args:
        axis: the axis (or axes) statistics are computed over. Default: 0 (one mean and std per feature).
        eps: a standard deviation at or below ``eps`` counts as zero. Default: 1e-12.

    Attributes:
        mean_, std_: the fitted statistics (float arrays, with ``axis`` kept as size 1 for broadcasting).

    Example:
        >>> import numpy as np
        >>> x = np.array([[1., 10.], [3., 10.]])
        >>> s = Standardizer().fit(x)
        >>> s.transform(x)
        array([[-1.,  0.],
               [ 1.,  0.]])
        >>> s.inverse_transform(s.transform(x))
        array([[ 1., 10.],
               [ 3., 10.]])
    """

    def __init__(self, axis=0, eps=1e-12):
        self.axis, self.eps = axis, eps
        self.mean_ = self.std_ = None

    def fit(self, X):
        """Learn the mean and standard deviation of ``X``; returns self."""
        x = numeric_array(X, "Standardizer.fit()", "X")
        if x.size == 0:
            raise ValueError(f"Standardizer.fit(): expected at least one sample, got shape {tuple(x.shape)}.")
        check_all_finite(x, "Standardizer.fit()", "data")
        x = x if x.dtype.kind == "f" else x.astype(np.float64)
        try:
            mean = x.mean(axis=self.axis, keepdims=True, dtype=np.float64)
            std = x.std(axis=self.axis, keepdims=True, dtype=np.float64)
        except ValueError:                                # numpy AxisError
            raise ValueError(f"Standardizer.fit(): axis {self.axis} is out of range for data of shape "
                             f"{tuple(x.shape)}.") from None
        std[std <= self.eps] = 1.0
        self.mean_, self.std_ = mean.astype(x.dtype), std.astype(x.dtype)
        return self

    def _check(self, X, where):
        if self.mean_ is None:
            raise RuntimeError(f"{where}: call fit() before transform().")
        x = numeric_array(X, where, "X")
        check_all_finite(x, where, "data")
        try:
            np.broadcast_shapes(x.shape, self.mean_.shape)
        except ValueError:
            raise ValueError(f"{where}: expected data shaped like the data fitted (statistics of shape "
                             f"{tuple(self.mean_.shape)}), got {tuple(x.shape)}.") from None
        return x if x.dtype.kind == "f" else x.astype(self.mean_.dtype)

    def transform(self, X):
        """``(X - mean_) / std_``, in X's float dtype."""
        x = self._check(X, "Standardizer.transform()")
        return ((x - self.mean_) / self.std_).astype(x.dtype, copy=False)

    def fit_transform(self, X):
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """``X * std_ + mean_``: undo :meth:`transform`."""
        x = self._check(X, "Standardizer.inverse_transform()")
        return (x * self.std_ + self.mean_).astype(x.dtype, copy=False)

    def __repr__(self):
        return f"Standardizer(axis={self.axis}{', fitted' if self.mean_ is not None else ''})"


def standardize(X, mean=None, std=None, axis=0):
    """Standardise features to mean 0 and std 1, returning the statistics to reuse on other splits.

    Args:
        X: the data.
        mean, std: statistics to apply (from an earlier call on the training set); computed from ``X`` over
            ``axis`` when None. Zero standard deviations are replaced by 1.
        axis: the axis statistics are computed over. Default: 0 (per feature).

    Returns:
        ``(X_standardized, mean, std)``.

    Example:
        >>> import numpy as np
        >>> x_train, x_test = np.array([[0.], [2.]]), np.array([[4.]])
        >>> z, mean, std = standardize(x_train)
        >>> z.ravel().tolist(), standardize(x_test, mean, std)[0].ravel().tolist()
        ([-1.0, 1.0], [3.0])
    """
    if (mean is None) != (std is None):
        raise ValueError("standardize(): expected both mean and std, or neither, got only "
                         f"{'mean' if std is None else 'std'}.")
    s = Standardizer(axis=axis)
    if mean is None:
        s.fit(X)
    else:
        m, d = numeric_array(mean, "standardize()", "mean"), numeric_array(std, "standardize()", "std")
        check_all_finite(m, "standardize()", "mean")
        check_all_finite(d, "standardize()", "std")
        if (d <= 0).any():
            raise ValueError(f"standardize(): expected std > 0, got {d[d <= 0].flat[0]}.")
        dt = m.dtype if m.dtype.kind == "f" else np.float64
        s.mean_, s.std_ = m.astype(dt), d.astype(dt)
    return s.transform(X), s.mean_, s.std_


def train_test_split(*arrays, test_size=0.25, shuffle=True, stratify=None, seed=None, generator=None):
    """Split arrays of samples (inputs, targets, ...) into a training and a test part, as scikit-learn does.

    Args:
        *arrays: arrays or tensors with the same first dimension.
        test_size: a fraction in (0, 1) of the samples, or a count. Default: 0.25.
        shuffle: shuffle before splitting. Default: True.
        stratify: class labels; each class gets the same share of the test part (needs ``shuffle``).
        seed, generator: where the shuffle comes from (a :class:`lucidnet.Generator`, a NumPy generator or
            an int); the default generator when both are None.

    Returns:
        ``train_0, test_0, train_1, test_1, ...``: NumPy arrays.

    Example:
        >>> import numpy as np
        >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
        >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
        >>> X_tr.shape, X_te.shape, bool((X_te[:, 0] == 2 * y_te).all())
        ((8, 2), (2, 2), True)
    """
    if not arrays:
        raise ValueError("train_test_split(): expected at least one array, got none.")
    if seed is not None and generator is not None:
        raise ValueError("train_test_split(): expected seed or generator, got both.")
    arrays = [a.array if isinstance(a, Tensor) else np.asarray(a) for a in arrays]
    if any(a.ndim == 0 for a in arrays):
        raise ValueError("train_test_split(): expected arrays of samples, got a scalar.")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"train_test_split(): expected arrays with the same number of samples, got lengths "
                         f"{lengths} (shapes {', '.join(str(a.shape) for a in arrays)}).")
    n = lengths[0]
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, numbers.Real) and math.isfinite(test_size) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split(): expected test_size to be a fraction in (0, 1) or a count, got "
                         f"{test_size!r}.")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split(): expected a test part of 1 to {n - 1} samples, got {n_test} of "
                         f"{n} (test_size={test_size!r}).")
    rng = numpy_generator(seed if seed is not None else generator)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split(): stratify needs shuffle=True.")
        labels = np.asarray(stratify.array if isinstance(stratify, Tensor) else stratify)
        if labels.shape[:1] != (n,):
            raise ValueError(f"train_test_split(): expected stratify labels of shape ({n},), got {tuple(labels.shape)}.")
        test = []
        classes, inverse = np.unique(labels, return_inverse=True)
        for c in range(len(classes)):
            members = rng.permutation(np.flatnonzero(inverse == c))
            test.append(members[:int(round(n_test * len(members) / n))])
        test = np.concatenate(test)
        train = np.setdiff1d(np.arange(n), test)
        train, test = rng.permutation(train), rng.permutation(test)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[:n - n_test], order[n - n_test:]
    out = []
    for a in arrays:
        out += [a[train], a[test]]
    return out
