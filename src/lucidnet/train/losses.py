"""Losses by name for ``compile(loss=...)``: Keras's names, mapped onto lucidnet's (PyTorch's) loss functions.

Keras's cross-entropies expect probabilities by default, PyTorch's take logits. The form is an explicit
argument, ``from_logits`` (of ``compile`` and :func:`get`): True for raw scores, False for probabilities.
Left as None, ``compile`` reads it from the model's last layer: a model ending in ``Softmax`` / ``Sigmoid`` (or
a Dense with that activation) gets the probability form, one ending in ``LogSoftmax`` the log-probability
form, any other the (numerically stable) logit form. Targets are adapted as Keras does: class ids given as
floats or as (N, 1) become (N,) ids; (N,) regression / binary targets meet (N, 1) outputs; integer 0/1
labels become floats for binary cross-entropy.

The class axis follows the name: Keras's names (``sparse_categorical_crossentropy``,
``categorical_crossentropy``) take the classes on the last axis, as Keras does, so (N, T, V) sequence scores
with (N, T) ids work; PyTorch's spelling (``cross_entropy``) keeps PyTorch's class axis 1 ((N, C, d1, ...)).

A loss module (``nn.CrossEntropyLoss()``) or any function ``fn(y_pred, y_true) -> scalar tensor`` can be
given instead of a name; it is called as it is (PyTorch's argument order: prediction, then target).
"""
import numpy as np

from ..nn import functional as F
from ..tensor import Tensor

__all__ = ["Loss", "get", "names"]

_EPS = 1e-7                               # Keras's epsilon: probabilities are clipped to [eps, 1 - eps]

_KERAS_CROSS_ENTROPY = ("sparse_categorical_crossentropy", "categorical_crossentropy")    # classes: last axis
_CROSS_ENTROPY = _KERAS_CROSS_ENTROPY + ("cross_entropy", "crossentropy")                  # ... PyTorch's: axis 1
_BINARY = ("binary_crossentropy", "binary_cross_entropy", "bce")
_REGRESSION = {"mse": F.mse_loss, "mean_squared_error": F.mse_loss, "mae": F.l1_loss, "mean_absolute_error": F.l1_loss,
               "l1": F.l1_loss, "huber": F.huber_loss}


def names():
    """Every loss name ``compile`` understands.

    Example:
        >>> "sparse_categorical_crossentropy" in names()
        True
    """
    return sorted(_CROSS_ENTROPY + _BINARY + tuple(_REGRESSION))


def _array(t):
    return t.array if isinstance(t, Tensor) else np.asarray(t)


def _class_targets(y_pred, y_true):
    """Class ids (N,) as int64, or probabilities / one-hot (N, C) as they are."""
    t = _array(y_true)
    n_pred = y_pred.shape
    if t.ndim == len(n_pred) and t.shape == n_pred and t.dtype.kind == "f":
        return Tensor._wrap(t.astype(y_pred.dtype, copy=False))            # one-hot or soft labels
    if t.ndim == len(n_pred) and t.shape[-1:] == (1,):
        t = t.reshape(t.shape[:-1])                                       # (N, 1) ids
    if t.dtype.kind == "f":
        ids = t.astype(np.int64)
        if np.any(ids != t):
            raise ValueError(f"cross_entropy: expected class ids (whole numbers) or one-hot targets of shape "
                             f"{n_pred}, got non-integer values of shape {tuple(t.shape)}.")
        t = ids
    elif t.dtype.kind == "b":
        t = t.astype(np.int64)
    return Tensor._wrap(t)


def _like(y_pred, y_true):
    """Targets shaped and typed like the predictions, where only a trailing axis of 1 differs."""
    t = _array(y_true)
    if t.shape != y_pred.shape and t.size == y_pred.array.size and (
            t.shape + (1,) == y_pred.shape or t.shape == y_pred.shape + (1,)):
        t = t.reshape(y_pred.shape)
    if t.dtype != y_pred.dtype:
        t = t.astype(y_pred.dtype)
    return Tensor._wrap(t)


def _ce_from_logits(y_pred, y_true):
    return F.cross_entropy(y_pred, _class_targets(y_pred, y_true))


def _ce_from_log_probabilities(logp, y_true):
    t = _class_targets(logp, y_true)
    if t.dtype.kind == "f":
        return -(logp * t).sum(axis=1).mean()
    return F.nll_loss(logp, t)


def _ce_from_probabilities(p, y_true):
    return _ce_from_log_probabilities(p.clamp(_EPS, 1 - _EPS).log(), y_true)


def _classes_last(fn):
    """``fn`` with the classes on the last axis: (N, T, V) scores and (N, T) ids (or (N, T, V) one-hot) are
    flattened to (N * T, V) rows first, so each position is one sample."""
    def loss(y_pred, y_true):
        if y_pred.ndim > 2:
            shape, v = tuple(y_pred.shape), y_pred.shape[-1]
            t = _array(y_true)
            if t.shape == shape:
                t = t.reshape(-1, v)
            elif t.shape in (shape[:-1], shape[:-1] + (1,)):
                t = t.reshape(-1)
            else:                                # said in the caller's shapes, not the flattened ones
                raise ValueError(f"cross_entropy: expected target of shape {shape[:-1]} (class ids) or {shape} "
                                 f"(one-hot) for outputs of shape {shape} (classes on the last axis), got "
                                 f"{tuple(t.shape)}.")
            return fn(y_pred.reshape(-1, v), t)
        return fn(y_pred, y_true)
    return loss


def _bce_from_logits(y_pred, y_true):
    return F.binary_cross_entropy_with_logits(y_pred, _like(y_pred, y_true))


def _bce_from_probabilities(y_pred, y_true):
    if not np.isfinite(y_pred.array).all():
        # Diverged weights (a sigmoid of nan is nan): a non-finite loss, so fit reports the divergence as such
        # rather than binary_cross_entropy blaming the inputs for not being probabilities.
        return y_pred.mean()
    return F.binary_cross_entropy(y_pred.clamp(_EPS, 1 - _EPS), _like(y_pred, y_true))


class Loss:
    """A loss chosen by name: ``loss(y_pred, y_true)`` gives a scalar tensor.

    Args:
        name: the name it was asked by.
        fn: the function computing it.
        outputs: what the model outputs, as it was resolved: "logits", "probabilities" or "log_probabilities".
        kind: "categorical", "binary" or "regression".
        axis: the class axis of a categorical loss: -1 for Keras's names, 1 for PyTorch's.

    Example:
        >>> import lucidnet
        >>> loss = get("sparse_categorical_crossentropy")
        >>> loss, loss(lucidnet.tensor([[2.0, 0.0]]), lucidnet.tensor([0]))
        (Loss('sparse_categorical_crossentropy', outputs='logits'), tensor(0.1269))
    """

    def __init__(self, name, fn, outputs, kind, axis=-1):
        self.name, self.fn, self.outputs, self.kind, self.axis = name, fn, outputs, kind, axis

    def __call__(self, y_pred, y_true):
        return self.fn(y_pred, y_true)

    def __repr__(self):
        return f"Loss({self.name!r}, outputs={self.outputs!r})"


def get(identifier, outputs="logits", from_logits=None):
    """The loss for a name (a :class:`Loss`), or a loss module / function given as it is.

    Args:
        identifier: a name (see :func:`names`), a loss module, or a function ``fn(y_pred, y_true)``.
        outputs: what the model outputs: "logits" (default), "probabilities" or "log_probabilities".
        from_logits: True or False fixes the form (raw scores or probabilities) whatever ``outputs`` says.

    Example:
        >>> get("binary_crossentropy", outputs="probabilities")
        Loss('binary_crossentropy', outputs='probabilities')
        >>> get("sparse_categorical_crossentropy", outputs="probabilities", from_logits=True)
        Loss('sparse_categorical_crossentropy', outputs='logits')
    """
    if from_logits is not None:
        outputs = "logits" if from_logits else "probabilities"
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _CROSS_ENTROPY:
            fn = {"logits": _ce_from_logits, "probabilities": _ce_from_probabilities,
                  "log_probabilities": _ce_from_log_probabilities}[outputs]
            if key in _KERAS_CROSS_ENTROPY:
                return Loss(identifier, _classes_last(fn), outputs, "categorical", axis=-1)
            return Loss(identifier, fn, outputs, "categorical", axis=1)
        if key in _BINARY:
            if outputs == "log_probabilities":
                raise ValueError(f"compile(): expected a model ending in Sigmoid or with raw outputs for "
                                 f"{identifier!r}, got one ending in LogSoftmax.")
            fn = _bce_from_probabilities if outputs == "probabilities" else _bce_from_logits
            return Loss(identifier, fn, outputs, "binary")
        if key in _REGRESSION:
            f = _REGRESSION[key]
            return Loss(identifier, lambda y_pred, y_true: f(y_pred, _like(y_pred, y_true)), outputs, "regression")
        raise ValueError(f"compile(): expected loss to be one of {', '.join(names())}, a loss module or a function "
                         f"fn(y_pred, y_true), got {identifier!r}.")
    if callable(identifier):
        return identifier
    raise TypeError(f"compile(): expected loss to be a name, a loss module or a function fn(y_pred, y_true), got "
                    f"{type(identifier).__name__}.")
