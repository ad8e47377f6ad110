"""Preprocessing layers: statistics learned from the data once (``adapt``), then applied inside the model.

Putting the preprocessing in the model means a saved model takes raw inputs: whoever loads it (``lucidnet
evaluate``, ``lucidnet predict``, a script) needs no separate scaler that could get lost or mismatched.
"""
import numbers

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ..validation import all_finite, numeric_array
from ._checks import check_last_axis, fail, shape_of, where
from .module import Module

__all__ = ["Normalization"]


def _axes(axis, where_):
    """``axis`` as a tuple of ints (the feature axes), or () for None (one mean and variance for everything)."""
    if axis is None:
        return ()
    items = (axis,) if isinstance(axis, numbers.Integral) and not isinstance(axis, bool) else axis
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if not items or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in items) \
            or len(set(items)) != len(items):
        raise ValueError(f"{where_}: expected axis to be an int, a tuple of distinct ints or None, got {axis!r}.")
    return tuple(int(a) for a in items)


class Normalization(Module):
    """Standardize features with statistics learned from the data: ``(x - mean) / sqrt(var)``, Keras's
    ``Normalization`` layer.

    Call :meth:`adapt` once on the training data (before training, or pass ``mean`` and ``variance``): it
    computes one mean and one (population) variance per feature, in float64, over every axis but ``axis``.
    They are buffers (``mean``, ``var``), so they are saved with the model and restored by ``lucidnet.load``,
    and no optimizer changes them. A feature whose standard deviation is at most ``eps`` (a pixel that is
    always 0 in the training set) is only centred, as ``lucidnet.data.Standardizer`` does, so it cannot
    blow up at test time.

    Args:
        num_features: the shape of the statistics (an int, or a tuple for several feature axes), when known
            before ``adapt``; None to take it from the data. Default: None.
        axis: the feature axis (or axes) that get their own mean and variance; the others (always the batch
            axis 0) are averaged over. None: one mean and variance for all values. Default: -1.
        mean, variance: statistics to use instead of :meth:`adapt` (numbers or arrays of the features' shape).
        invert: apply the inverse, ``x * sqrt(var) + mean`` (e.g. to turn standardized predictions back).
            Default: False.
        eps: a standard deviation at or below it counts as zero. Default: 1e-12.

    Shape:
        input (N, *) with the feature axes of sizes ``num_features`` -> output, same shape

    Example:
        >>> import numpy as np
        >>> import lucidnet
        >>> x = np.array([[0.0, 10.0], [2.0, 30.0]], dtype=np.float32)
        >>> norm = Normalization()
        >>> norm.adapt(x)
        >>> norm.mean, norm.var
        (tensor([ 1., 20.]), tensor([  1., 100.]))
        >>> norm(lucidnet.tensor(x))
        tensor([[-1., -1.],
                [ 1.,  1.]])
    """

    def __init__(self, num_features=None, axis=-1, mean=None, variance=None, invert=False, eps=1e-12,
                 dtype=None):
        super().__init__()
        self.axis = _axes(axis, "Normalization")
        if any(a == 0 for a in self.axis):
            raise ValueError("Normalization: expected axis to name feature axes, got 0 (the batch axis, which is "
                             "always averaged over).")
        if not (isinstance(eps, numbers.Real) and eps >= 0):
            raise ValueError(f"Normalization: expected eps >= 0, got {eps!r}.")
        self.invert, self.eps = bool(invert), float(eps)
        self._dtype = dtypes.to_dtype(dtype) or dtypes.get_default_dtype()
        shape = None
        if num_features is not None:
            dims = (num_features,) if isinstance(num_features, numbers.Integral) else tuple(num_features)
            if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in dims):
                raise ValueError(f"Normalization: expected num_features to be a positive int or a tuple of them, "
                                 f"got {num_features!r}.")
            shape = tuple(int(d) for d in dims)
            if len(shape) != len(self.axis):
                raise ValueError(f"Normalization: expected num_features with one size per axis in {self.axis}, "
                                 f"got {num_features!r}.")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: expected both mean and variance, or neither, got only "
                             f"{'mean' if variance is None else 'variance'}.")
        if mean is not None:
            m, v = (np.asarray(a.array if isinstance(a, Tensor) else a, dtype=np.float64) for a in (mean, variance))
            try:
                m, v = np.broadcast_arrays(m, v)
            except ValueError:
                raise ValueError(f"Normalization: expected mean and variance of the same shape, got {tuple(m.shape)} and "
                                 f"{tuple(v.shape)}.") from None
            if shape is not None and m.ndim == 0:
                m, v = np.broadcast_to(m, shape), np.broadcast_to(v, shape)
            if shape is not None and m.shape != shape:
                raise ValueError(f"Normalization: expected mean and variance of shape {shape} (num_features), got "
                                 f"{tuple(m.shape)}.")
            self._set(m, v, "Normalization")
        else:
            self.register_buffer("mean", None if shape is None else Tensor._wrap(np.zeros(shape, self._dtype)))
            self.register_buffer("var", None if shape is None else Tensor._wrap(np.ones(shape, self._dtype)))

    @property
    def num_features(self):
        """The shape of the statistics (an int for one feature axis), or None before ``adapt``."""
        if self.mean is None:
            return None
        shape = tuple(self.mean.shape)
        return shape[0] if len(shape) == 1 else shape

    def _set(self, mean, var, where_):
        if not (np.isfinite(mean).all() and np.isfinite(var).all()):
            raise ValueError(f"{where_}: expected finite statistics, got nan or inf (is the data finite?).")
        if (var < 0).any():
            raise ValueError(f"{where_}: expected variances >= 0, got {var[var < 0].flat[0]}.")
        if mean.ndim != len(self.axis):
            raise ValueError(f"{where_}: expected statistics with one axis per feature axis {self.axis}, got shape "
                             f"{tuple(mean.shape)}. Pass num_features= to broadcast a single number.")
        if getattr(self, "mean", None) is not None and tuple(self.mean.shape) != mean.shape:
            raise ValueError(f"{where(self)}: expected data with features of shape {tuple(self.mean.shape)}, got "
                             f"{tuple(mean.shape)}.")
        self.register_buffer("mean", Tensor._wrap(mean.astype(self._dtype)))
        self.register_buffer("var", Tensor._wrap(var.astype(self._dtype)))

    def _positions(self, ndim, where_, shape):
        """The feature axes as positions in an input of ``ndim`` axes."""
        out = []
        for a in self.axis:
            p = a + ndim if a < 0 else a
            if not 0 < p < ndim:
                raise ValueError(f"{where_}: expected input with axis {a} besides the batch axis, got shape "
                                 f"{tuple(shape)}.")
            out.append(p)
        return out

    def adapt(self, data):
        """Learn the mean and variance of each feature from ``data`` (replacing earlier ones).

        Computed in float64 in chunks (Chan et al.'s pairwise update), so a large array is not copied whole.

        Args:
            data: an array or Tensor of samples (N, ...), or an iterable of such batches (a list of arrays, a
                DataLoader; of (x, y) batches, x is used).

        Example:
            >>> import numpy as np
            >>> norm = Normalization(axis=None)
            >>> norm.adapt(np.array([[1.0, 3.0], [5.0, 7.0]]))
            >>> norm.mean.item(), norm.var.item()
            (4.0, 5.0)
        """
        where_ = f"{where(self)}.adapt()"
        batches = isinstance(data, (list, tuple)) and data and isinstance(data[0], (np.ndarray, Tensor))
        if isinstance(data, (np.ndarray, Tensor, list, tuple)) and not batches:
            arr = self._array(data, where_)
            rows = max(1, (1 << 20) // max(1, int(np.prod(arr.shape[1:]))))
            chunks = (arr[i:i + rows] for i in range(0, len(arr), rows))
        elif hasattr(data, "__iter__"):
            chunks = (self._array(b[0] if isinstance(b, (tuple, list)) else b, where_) for b in data)
        else:
            raise TypeError(f"{where_}: expected an array, a Tensor or an iterable of batches, got "
                            f"{type(data).__name__}.")
        n, mean, m2, shape = 0, None, None, None
        for chunk in chunks:
            if shape is None:
                shape = chunk.shape[1:]
                pos = self._positions(chunk.ndim, where_, chunk.shape)
                other = [p for p in range(chunk.ndim) if p not in pos]
            elif chunk.shape[1:] != shape:
                raise ValueError(f"{where_}: expected every batch to have samples of shape {shape}, got "
                                 f"{chunk.shape[1:]}.")
            if not len(chunk):
                continue
            x = np.transpose(chunk, other + pos).astype(np.float64)
            x = x.reshape((-1,) + x.shape[len(other):])
            if not all_finite(x):
                raise ValueError(f"{where_}: expected finite values, got nan or inf.")
            k, mu = len(x), x.mean(axis=0)
            s = ((x - mu) ** 2).sum(axis=0)
            if mean is None:
                n, mean, m2 = k, mu, s
            else:                                # merge two (count, mean, sum of squared deviations)
                delta = mu - mean
                total = n + k
                mean = mean + delta * (k / total)
                m2 = m2 + s + delta ** 2 * (n * k / total)
                n = total
        if mean is None:
            raise ValueError(f"{where_}: expected at least one sample, got none.")
        self._set(np.asarray(mean), np.asarray(m2 / n), where_)

    @staticmethod
    def _array(x, where_):
        a = numeric_array(x, where_, "the data")
        if a.ndim == 0:
            raise ValueError(f"{where_}: expected samples of shape (N, ...), got a scalar.")
        return a

    def forward(self, x):
        if self.mean is None:
            raise RuntimeError(f"{where(self)}: call adapt(data) before using the layer, or pass mean= and "
                               f"variance=.")
        shape = shape_of(self, x)
        mean, var = self.mean.array, self.var.array
        if self.axis == (-1,) and mean.ndim == 1:
            check_last_axis(self, x, mean.shape[0])
        elif self.axis:
            pos = self._positions(len(shape), where(self), shape)
            if tuple(shape[p] for p in pos) != mean.shape:
                fail(self, f"(N, ...) with axes {self.axis} of sizes {tuple(mean.shape)}", x)
            view = [1] * len(shape)
            for p, d in zip(pos, mean.shape):
                view[p] = d
            mean, var = mean.reshape(view), var.reshape(view)
        std = np.sqrt(var)
        std = np.where(std <= self.eps, np.ones((), std.dtype), std)
        mean, std = Tensor._wrap(mean), Tensor._wrap(std)
        if not isinstance(x, Tensor):
            x = Tensor._wrap(np.asarray(x))
        if self.invert:
            return x * std + mean
        return (x - mean) / std

    def extra_repr(self):
        axis = None if not self.axis else self.axis[0] if len(self.axis) == 1 else self.axis
        text = f"num_features={self.num_features}, axis={axis}"
        return text + (", invert=True" if self.invert else "")

    def get_config(self):
        axis = None if not self.axis else self.axis[0] if len(self.axis) == 1 else list(self.axis)
        nf = self.num_features
        return {"num_features": list(nf) if isinstance(nf, tuple) else nf, "axis": axis, "invert": self.invert,
                "eps": self.eps}
