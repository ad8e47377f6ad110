"""Losses by name for ``compile(loss=...)``: Keras's names, mapped onto lucidnet's (PyTorch's) loss functions.

Keras's cross-entropies expect probabilities by default, PyTorch's take logits. ``compile`` resolves a name
against the model's last layer: a model ending in ``Softmax`` / ``Sigmoid`` (or a Dense with that
activation) gets the probability form, one ending in ``LogSoftmax`` the log-probability form, any other the
(numerically stable) logit form. Targets are adapted as Keras does: class ids given as floats or as
(N, 1) become (N,) ids; (N,) regression / binary targets meet (N, 1) outputs; integer 0/1 labels become
floats for binary cross-entropy.

A loss module (``nn.CrossEntropyLoss()``) or any function ``fn(y_pred, y_true) -> scalar tensor`` can be
given instead of a name; it is called as it is (PyTorch's argument order: prediction, then target).
"""
import numpy as np

from ..functional import cross_entropy
from ..nn import functional as F
from ..tensor import Tensor

__all__ = ["Loss", "get", "names"]

_EPS = 1e-7                               # Keras's epsilon: probabilities are clipped to [eps, 1 - eps]

_CROSS_ENTROPY = ("sparse_categorical_crossentropy", "categorical_crossentropy", "cross_entropy", "crossentropy")
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
                             f"{n_pred}, got non-integer values of shape {t.shape}.")
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
    return cross_entropy(y_pred, _class_targets(y_pred, y_true))


def _ce_from_log_probabilities(logp, y_true):
    t = _class_targets(logp, y_true)
    if t.dtype.kind == "f":
        return -(logp * t).sum(axis=-1).mean()
    return F.nll_loss(logp, t)


def _ce_from_probabilities(p, y_true):
    return _ce_from_log_probabilities(p.clamp(_EPS, 1 - _EPS).log(), y_true)


def _bce_from_logits(y_pred, y_true):
    return F.binary_cross_entropy_with_logits(y_pred, _like(y_pred, y_true))


def _bce_from_probabilities(y_pred, y_true):
    return F.binary_cross_entropy(y_pred.clamp(_EPS, 1 - _EPS), _like(y_pred, y_true))


class Loss:
    """A loss chosen by name: ``loss(y_pred, y_true)`` gives a scalar tensor.

    Args:
        name: the name it was asked by.
        fn: the function computing it.
        outputs: what the model outputs, as it was resolved: "logits", "probabilities" or "log_probabilities".
        kind: "categorical", "binary" or "regression".

    Example:
        >>> import lucidnet
        >>> loss = get("sparse_categorical_crossentropy")
        >>> loss, loss(lucidnet.tensor([[2.0, 0.0]]), lucidnet.tensor([0]))
        (Loss('sparse_categorical_crossentropy', outputs='logits'), tensor(0.1269))
    """

    def __init__(self, name, fn, outputs, kind):
        self.name, self.fn, self.outputs, self.kind = name, fn, outputs, kind

    def __call__(self, y_pred, y_true):
        return self.fn(y_pred, y_true)

    def __repr__(self):
        return f"Loss({self.name!r}, outputs={self.outputs!r})"


def get(identifier, outputs="logits"):
    """The loss for a name (a :class:`Loss`), or a loss module / function given as it is.

    Args:
        identifier: a name (see :func:`names`), a loss module, or a function ``fn(y_pred, y_true)``.
        outputs: what the model outputs: "logits" (default), "probabilities" or "log_probabilities".

    Example:
        >>> get("binary_crossentropy", outputs="probabilities")
        Loss('binary_crossentropy', outputs='probabilities')
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _CROSS_ENTROPY:
            fn = {"logits": _ce_from_logits, "probabilities": _ce_from_probabilities,
                  "log_probabilities": _ce_from_log_probabilities}[outputs]
            return Loss(identifier, fn, outputs, "categorical")
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
