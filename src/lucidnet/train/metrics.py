"""Metrics: how good predictions are, as plain functions and as running accumulators for ``fit``.

Every function takes ``(y_pred, y_true)``, PyTorch's order for losses (input, target), as NumPy arrays or
tensors, and returns a float (or, for :func:`confusion_matrix`, an array). Predictions may be logits or
probabilities: multi-class accuracy only compares argmaxes, which are the same for both.

The classes (:class:`Accuracy`, :class:`TopKAccuracy`, :class:`MeanSquaredError`, ...) follow Keras's
``update_state`` / ``result`` / ``reset_state``: ``fit`` updates them once per batch with cheap sums (one
argmax and one count for accuracy; nothing per sample in Python) and reads ``result()`` when it reports.
:func:`get` turns the names given to ``compile(metrics=[...])`` into them.

Example:
    >>> import numpy as np
    >>> logits = np.array([[2.0, 0.1, 0.3], [0.2, 0.1, 3.0], [1.0, 2.0, 0.0]])
    >>> accuracy(logits, np.array([0, 2, 0]))
    0.6666666666666666
    >>> confusion_matrix(logits, np.array([0, 2, 0]))
    array([[1, 1, 0],
           [0, 0, 0],
           [0, 0, 1]])
"""
import copy
import math

import numpy as np

from ..tensor import Tensor
from ..validation import check_int

__all__ = ["Accuracy", "Mean", "MeanAbsoluteError", "MeanMetricWrapper", "MeanSquaredError", "Metric",
           "TopKAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy", "confusion_matrix", "get", "mae",
           "mean_absolute_error", "mean_squared_error", "mse", "top_k_accuracy"]


def _np(x):
    if isinstance(x, Tensor):
        return x.array
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _class_ids(y_pred, y_true, where):
    """The true class id per row, from ids (N,) or one-hot / probabilities (N, C), for scores (N, C)."""
    if y_true.shape == y_pred.shape:
        return y_true.argmax(axis=-1)
    if y_true.shape == y_pred.shape[:-1]:
        return y_true
    if y_true.shape == y_pred.shape[:-1] + (1,):
        return y_true[..., 0]
    raise ValueError(f"{where}: expected targets of shape {y_pred.shape[:-1]} (class ids) or {tuple(y_pred.shape)} "
                     f"(one-hot) for predictions of shape {tuple(y_pred.shape)}, got {tuple(y_true.shape)}.")


def _binary_counts(y_pred, y_true, threshold, where):
    if y_true.size != y_pred.size:
        raise ValueError(f"{where}: expected targets with one value per prediction {tuple(y_pred.shape)}, got "
                         f"{tuple(y_true.shape)}.")
    pred = y_pred.reshape(-1) > threshold
    true = y_true.reshape(-1) > 0.5 if y_true.dtype.kind == "f" else y_true.reshape(-1).astype(bool)
    return int(np.count_nonzero(pred == true)), pred.size


def _categorical_counts(y_pred, y_true, where):
    true = _class_ids(y_pred, y_true, where)
    return int(np.count_nonzero(y_pred.argmax(axis=-1) == true)), true.size


def _accuracy_counts(y_pred, y_true, threshold, where, mode="auto"):
    """(correct, total): categorical when predictions have a class axis of size > 1, else thresholded."""
    if mode == "binary" or (mode == "auto" and (y_pred.ndim < 2 or y_pred.shape[-1] == 1)):
        return _binary_counts(y_pred, y_true, threshold, where)
    if y_pred.ndim < 1:
        raise ValueError(f"{where}: expected predictions of shape (N, C) or (N,), got {tuple(y_pred.shape)}.")
    return _categorical_counts(y_pred, y_true, where)


def _ratio(correct, total):
    return correct / total if total else math.nan


def accuracy(y_pred, y_true, threshold=0.5):
    """The fraction of correct predictions.

    Multi-class predictions (N, C), logits or probabilities, are compared by argmax with class ids (N,) or
    one-hot targets (N, C). Binary predictions (N,) or (N, 1) count as class 1 above ``threshold``.

    Args:
        y_pred: predictions: scores (N, C), or one score per sample (N,) / (N, 1).
        y_true: class ids (N,), one-hot (N, C), or 0/1 labels for binary predictions.
        threshold: the decision threshold for binary predictions (0.5 for probabilities; 0 for logits).

    Returns:
        A float in [0, 1] (nan for no samples).

    Example:
        >>> import numpy as np
        >>> accuracy(np.array([[0.9, 0.1], [0.3, 0.7]]), np.array([0, 0]))
        0.5
        >>> accuracy(np.array([0.8, 0.2, 0.6]), np.array([1, 0, 0]))
        0.6666666666666666
    """
    return _ratio(*_accuracy_counts(_np(y_pred), _np(y_true), threshold, "accuracy"))


def binary_accuracy(y_pred, y_true, threshold=0.5):
    """The fraction of elements where ``y_pred > threshold`` agrees with the 0/1 target (also multi-label).

    Example:
        >>> import numpy as np
        >>> binary_accuracy(np.array([[0.9, 0.2], [0.4, 0.7]]), np.array([[1, 0], [1, 1]]))
        0.75
    """
    return _ratio(*_binary_counts(_np(y_pred), _np(y_true), threshold, "binary_accuracy"))


def categorical_accuracy(y_pred, y_true):
    """The fraction of rows whose argmax is the true class (ids (N,) or one-hot (N, C) targets).

    Example:
        >>> import numpy as np
        >>> categorical_accuracy(np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0, 1], [0, 1]]))
        0.5
    """
    return _ratio(*_categorical_counts(_np(y_pred), _np(y_true), "categorical_accuracy"))


def _top_k_counts(y_pred, y_true, k, where):
    if y_pred.ndim != 2:
        raise ValueError(f"{where}: expected scores of shape (N, C), got {tuple(y_pred.shape)}.")
    true = _class_ids(y_pred, y_true, where)
    if true.size and (true.min() < 0 or true.max() >= y_pred.shape[1]):
        raise ValueError(f"{where}: expected class ids in [0, {y_pred.shape[1]}), got values from {true.min()} "
                         f"to {true.max()}.")
    # Correct when fewer than k classes score strictly higher than the true one: O(N C), no sort.
    true_score = np.take_along_axis(y_pred, true.reshape(-1, 1).astype(np.intp), axis=1)
    higher = np.count_nonzero(y_pred > true_score, axis=1)
    return int(np.count_nonzero(higher < k)), true.size


def top_k_accuracy(y_pred, y_true, k=5):
    """The fraction of rows whose true class is among the ``k`` highest scores (ties count as in the top k).

    Args:
        y_pred: scores (N, C), logits or probabilities.
        y_true: class ids (N,) or one-hot (N, C).
        k: how many of the top scores count.

    Example:
        >>> import numpy as np
        >>> scores = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
        >>> top_k_accuracy(scores, np.array([1, 0]), k=2)
        0.5
    """
    k = check_int("top_k_accuracy", "k", k)
    return _ratio(*_top_k_counts(_np(y_pred), _np(y_true), k, "top_k_accuracy"))


def _pair(y_pred, y_true, where):
    """Targets shaped like the predictions: (N,) against (N, 1) is allowed, other mismatches are not."""
    if y_true.shape != y_pred.shape:
        if y_true.size != y_pred.size:
            raise ValueError(f"{where}: expected targets of shape {tuple(y_pred.shape)} (like the predictions), got "
                             f"{tuple(y_true.shape)}.")
        y_true = y_true.reshape(y_pred.shape)
    return y_pred, y_true


def mean_squared_error(y_pred, y_true):
    """The mean of ``(y_pred - y_true) ** 2`` over all elements.

    Example:
        >>> import numpy as np
        >>> mean_squared_error(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
        2.0
    """
    p, t = _pair(_np(y_pred), _np(y_true), "mean_squared_error")
    d = p - t
    return float(np.vdot(d, d)) / d.size if d.size else math.nan


def mean_absolute_error(y_pred, y_true):
    """The mean of ``|y_pred - y_true|`` over all elements.

    Example:
        >>> import numpy as np
        >>> mean_absolute_error(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
        1.0
    """
    p, t = _pair(_np(y_pred), _np(y_true), "mean_absolute_error")
    return float(np.abs(p - t).sum()) / p.size if p.size else math.nan


mse = mean_squared_error
mae = mean_absolute_error


def confusion_matrix(y_pred, y_true, num_classes=None):
    """Counts of (true class, predicted class) pairs: row i, column j is how many of class i were predicted j.

    Args:
        y_pred: scores (N, C) (the argmax is the prediction) or predicted class ids (N,).
        y_true: class ids (N,) or one-hot (N, C).
        num_classes: the number of classes C. Default: from the scores' width, else the largest id + 1.

    Returns:
        An int64 array of shape (C, C); its diagonal holds the correct predictions.

    Example:
        >>> import numpy as np
        >>> confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]))
        array([[1, 0, 0],
               [0, 1, 0],
               [0, 1, 1]])
    """
    p, t = _np(y_pred), _np(y_true)
    if p.ndim == 2 and p.shape[1] > 1:
        t = _class_ids(p, t, "confusion_matrix")
        num_classes = p.shape[1] if num_classes is None else num_classes
        p = p.argmax(axis=1)
    elif t.ndim == 2 and t.shape[1] > 1:
        t = t.argmax(axis=1)
    p, t = p.reshape(-1), t.reshape(-1)
    if p.shape != t.shape:
        raise ValueError(f"confusion_matrix: expected one target per prediction, got {p.size} predictions and "
                         f"{t.size} targets.")
    for name, a in (("predicted", p), ("true", t)):
        if a.size and (a.dtype.kind not in "iub" and not np.all(a == np.round(a))):
            raise ValueError(f"confusion_matrix: expected integer {name} class ids, got values like {a[0]}.")
    p, t = p.astype(np.int64), t.astype(np.int64)
    if num_classes is None:
        num_classes = int(max(p.max(initial=-1), t.max(initial=-1))) + 1
    c = int(num_classes)
    for name, a in (("predicted", p), ("true", t)):
        if a.size and (a.min() < 0 or a.max() >= c):
            raise ValueError(f"confusion_matrix: expected {name} class ids in [0, {c}), got values from {a.min()} "
                             f"to {a.max()}.")
    return np.bincount(t * c + p, minlength=c * c).reshape(c, c)


# ------------------------------------------------------------------------------------------------ running metrics

class Metric:
    """A metric accumulated over batches: ``update_state`` per batch, ``result()`` for the value so far.

    Subclasses keep running sums (so a result over an epoch is exact, not an average of batch averages).
    Those whose sums are over single samples set ``additive = True``: the state of a batch is then the sum of
    the states of its parts, so data-parallel ``fit`` adds up the ranks' states instead of gathering their
    outputs (a metric of whole batches, such as a maximum in a MeanMetricWrapper, is not additive).

    Args:
        name: the key of the metric in logs and ``History.history``.

    Example:
        >>> import numpy as np
        >>> m = Accuracy()
        >>> m.update_state(np.array([[1.0, 0.0]]), np.array([0])); m.update_state(np.array([[1.0, 0.0]]), np.array([1]))
        >>> m.result()
        0.5
    """

    additive = False

    def __init__(self, name):
        self.name = name
        self.reset_state()

    def reset_state(self):
        """Forget every batch seen so far."""
        self.total, self.count = 0.0, 0

    def update_state(self, y_pred, y_true):
        """Add one batch of predictions and targets."""
        raise NotImplementedError(f"{type(self).__name__}: a Metric must define update_state().")

    def result(self):
        """The metric over every batch since the last reset (nan before any)."""
        return self.total / self.count if self.count else math.nan

    def fresh(self):
        """A copy with its state reset (fit keeps one for training and one for validation)."""
        m = copy.copy(self)
        m.reset_state()
        return m

    def __call__(self, y_pred, y_true):
        """The metric of one batch alone (the running state is not touched)."""
        m = self.fresh()
        m.update_state(y_pred, y_true)
        return m.result()

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(value, weight=1)``.

    Example:
        >>> m = Mean("loss"); m.update_state(1.0, 3); m.update_state(3.0, 1); m.result()
        1.5
    """

    def __init__(self, name="mean"):
        super().__init__(name)

    def update_state(self, value, weight=1):
        self.total += float(value) * weight
        self.count += weight


class Accuracy(Metric):
    """Running accuracy: see :func:`accuracy`.

    Args:
        name: its key in the logs. Default: "accuracy".
        threshold: the decision threshold of binary predictions: 0.5 for probabilities, 0.0 for logits.
        mode: "auto" (categorical for (N, C) scores, else binary), "categorical" or "binary" (elementwise,
            also for multi-label (N, C) outputs).

    Example:
        >>> import numpy as np
        >>> m = Accuracy(threshold=0.0)          # binary logits
        >>> m.update_state(np.array([[2.0], [-1.0]]), np.array([1, 1])); m.result()
        0.5
    """

    additive = True

    def __init__(self, name="accuracy", threshold=0.5, mode="auto"):
        if mode not in ("auto", "categorical", "binary"):
            raise ValueError(f"Accuracy: expected mode 'auto', 'categorical' or 'binary', got {mode!r}.")
        self.threshold, self.mode = threshold, mode
        super().__init__(name)

    def update_state(self, y_pred, y_true):
        correct, n = _accuracy_counts(_np(y_pred), _np(y_true), self.threshold, self.name, self.mode)
        self.total += correct
        self.count += n


class TopKAccuracy(Metric):
    """Running top-k accuracy: see :func:`top_k_accuracy`.

    Example:
        >>> import numpy as np
        >>> m = TopKAccuracy(k=2); m.update_state(np.array([[0.5, 0.3, 0.2]]), np.array([1])); m.result()
        1.0
    """

    additive = True

    def __init__(self, name="top_k_accuracy", k=5):
        k = check_int("TopKAccuracy", "k", k)
        self.k = int(k)
        super().__init__(name)

    def update_state(self, y_pred, y_true):
        correct, n = _top_k_counts(_np(y_pred), _np(y_true), self.k, self.name)
        self.total += correct
        self.count += n


class MeanSquaredError(Metric):
    """Running mean squared error over all elements.

    Example:
        >>> import numpy as np
        >>> m = MeanSquaredError(); m.update_state(np.array([1.0, 3.0]), np.array([1.0, 1.0])); m.result()
        2.0
    """

    additive = True

    def __init__(self, name="mse"):
        super().__init__(name)

    def update_state(self, y_pred, y_true):
        p, t = _pair(_np(y_pred), _np(y_true), self.name)
        d = p - t
        self.total += float(np.vdot(d, d))
        self.count += d.size


class MeanAbsoluteError(Metric):
    """Running mean absolute error over all elements.

    Example:
        >>> import numpy as np
        >>> m = MeanAbsoluteError(); m.update_state(np.array([1.0, 3.0]), np.array([1.0, 1.0])); m.result()
        1.0
    """

    additive = True

    def __init__(self, name="mae"):
        super().__init__(name)

    def update_state(self, y_pred, y_true):
        p, t = _pair(_np(y_pred), _np(y_true), self.name)
        self.total += float(np.abs(p - t).sum())
        self.count += p.size


class MeanMetricWrapper(Metric):
    """A metric function ``fn(y_pred, y_true) -> number``, averaged over batches weighted by their size.

    Example:
        >>> import numpy as np
        >>> def max_error(y_pred, y_true):
        ...     return float(np.abs(y_pred - y_true).max())
        >>> m = MeanMetricWrapper(max_error)
        >>> m.update_state(np.array([1.0, 2.0]), np.array([0.0, 0.0])); m.name, m.result()
        ('max_error', 2.0)
    """

    def __init__(self, fn, name=None):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: expected a function fn(y_pred, y_true), got {type(fn).__name__}.")
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", type(fn).__name__))

    def update_state(self, y_pred, y_true):
        value = self.fn(y_pred, y_true)
        if isinstance(value, Tensor):
            value = value.array
        n = len(y_pred) if np.ndim(y_pred) else 1
        self.total += float(value) * n
        self.count += n


_FACTORIES = {
    "accuracy": lambda name, t, binary: Accuracy(name, t, "binary" if binary else "auto"),
    "categorical_accuracy": lambda name, t, binary: Accuracy(name, t, "categorical"),
    "sparse_categorical_accuracy": lambda name, t, binary: Accuracy(name, t, "categorical"),
    "binary_accuracy": lambda name, t, binary: Accuracy(name, t, "binary"),
    "top_k_accuracy": lambda name, t, binary: TopKAccuracy(name, 5),
    "top_k_categorical_accuracy": lambda name, t, binary: TopKAccuracy(name, 5),
    "sparse_top_k_categorical_accuracy": lambda name, t, binary: TopKAccuracy(name, 5),
    "mse": lambda name, t, binary: MeanSquaredError(name),
    "mae": lambda name, t, binary: MeanAbsoluteError(name),
}
_ALIASES = {"acc": "accuracy", "top5": "top_k_accuracy", "mean_squared_error": "mse",
            "mean_absolute_error": "mae"}


def get(identifier, threshold=0.5, binary=False):
    """The running :class:`Metric` for a name, a Metric (returned as is) or a function ``fn(y_pred, y_true)``.

    Names: ``accuracy`` (``acc``), ``categorical_accuracy``, ``sparse_categorical_accuracy``,
    ``binary_accuracy``, ``top_k_accuracy`` (``top5``, k=5), ``top_k_categorical_accuracy``, ``mse``
    (``mean_squared_error``), ``mae`` (``mean_absolute_error``). The metric keeps the name it was asked by.

    Args:
        identifier: a name, a Metric, or a function.
        threshold: the binary decision threshold for accuracy (``compile`` passes 0.0 for logit outputs).
        binary: make ``accuracy`` elementwise (``compile`` sets it for binary cross-entropy, as Keras does).

    Example:
        >>> get("acc"), get("top5").k
        (Accuracy(name='acc'), 5)
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        if key not in _FACTORIES:
            raise ValueError(f"metrics: expected one of {sorted(set(_FACTORIES) | set(_ALIASES))}, a Metric or a "
                             f"function fn(y_pred, y_true), got {identifier!r}.")
        return _FACTORIES[key](identifier, threshold, binary)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"metrics: expected a name, a Metric or a function fn(y_pred, y_true), got "
                    f"{type(identifier).__name__}.")
