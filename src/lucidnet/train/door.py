"""Checks at the door of ``fit``, ``evaluate`` and ``predict``: every argument judged by its kind before any state
(random generators, the resumed run, the optimizer) is touched, and errors from the model's first forward pass
told in the shapes the user passed rather than those of an internal batch.

Example:
    >>> check_fraction("fit()", "validation_split", "0.2")
    Traceback (most recent call last):
    ...
    TypeError: fit(): expected validation_split to be a number in [0, 1), got '0.2' (a str).
"""
import contextlib
import functools
import numbers

import numpy as np

__all__ = ["check_callbacks", "check_flag", "check_fraction", "check_verbose", "check_sample_rank", "in_users_shapes", "one_d_hint",
           "quiet_numpy"]


def check_fraction(where, name, value):
    """``value`` as a float in [0, 1); a TypeError for what is not a number (a string, None), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected {name} to be a number in [0, 1), got {value!r} "
                        f"(a {type(value).__name__}).")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: expected {name} in [0, 1), got {value}.")
    return float(value)


def check_flag(where, name, value):
    """``value`` as a bool: True, False (or NumPy's); a TypeError for anything else ("False" is truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: expected {name} to be True or False, got {value!r} (a {type(value).__name__}).")
    return bool(value)


def check_verbose(where, verbose):
    """Keras's ``verbose``: 0, 1, 2 or "auto" (1); a bool counts as 0 or 1."""
    if verbose == "auto" or isinstance(verbose, (bool, np.bool_)):
        return 1 if verbose == "auto" else int(verbose)
    if isinstance(verbose, numbers.Integral) and 0 <= verbose <= 2:
        return int(verbose)
    raise (ValueError if isinstance(verbose, numbers.Integral) else TypeError)(
        f"{where}: expected verbose to be 0, 1, 2 or 'auto', got {verbose!r}.")


def check_callbacks(where, callbacks, base):
    """The callbacks as a list: None, or a list / tuple of ``base`` instances; a TypeError naming what arrived."""
    if callbacks is None:
        return []
    if isinstance(callbacks, base):
        raise TypeError(f"{where}: expected callbacks to be a list of callbacks, got one {type(callbacks).__name__}; "
                        f"pass [{type(callbacks).__name__}(...)].")
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{where}: expected callbacks to be a list of callbacks, got {type(callbacks).__name__}.")
    for cb in callbacks:
        if not isinstance(cb, base):
            raise TypeError(f"{where}: expected callbacks to be Callback instances, got {type(cb).__name__}.")
    return list(callbacks)


def check_sample_rank(where, x, input_shape):
    """A 1-D ``x`` given to a model built for samples of shape ``input_shape`` (not scalars): the first axis of x is
    always samples, so this is one sample without its batch axis, or N values meant as N one-feature samples."""
    if x is None or x.ndim != 1 or not input_shape:
        return
    raise ValueError(f"{where}: expected x of shape (N, {', '.join(map(str, input_shape))}) (the first axis is "
                     f"samples), got {tuple(x.shape)}. {one_d_hint(x)}")


def one_d_hint(x):
    n = len(x)
    return (f"For one sample, pass x[None] (shape (1, {n})); for {n} samples of one feature, x.reshape(-1, 1) "
            f"(shape ({n}, 1)).")


@contextlib.contextmanager
def in_users_shapes(where, batch_shape, shapes):
    """Errors of the model (or its loss) on a batch say what the user passed: ``x of shape (160, 4)``, not only
    the batch's ``(16, 4)`` that the layer saw. ``shapes`` is ``(name of x, x's shape, y's shape or None)``;
    nothing is added when it is None or x is the batch itself."""
    try:
        yield
    except ValueError as e:
        if shapes is None or tuple(shapes[1]) == tuple(batch_shape) or type(e) is not ValueError:
            raise
        name, x_shape, y_shape = shapes
        given = f"{name} of shape {tuple(x_shape)}" + (f" and y of shape {tuple(y_shape)}" if y_shape is not None
                                                       else "")
        note = f" ({where} got {given}, given to the model in batches of {batch_shape[0]}.)"
        if len(x_shape) == 1:
            note += f" The first axis of {name} is samples. " + one_d_hint(np.empty(x_shape[0]))
        raise ValueError(str(e) + note) from None


def quiet_numpy(method):
    """Run ``method`` with NumPy's floating point warnings off: weights that diverge overflow in a matmul long
    before the loss turns inf, and PyTorch computes such values silently; ``fit`` then reports the run once, in its
    own words (the epoch, the batch, the fix), instead of after a screen of RuntimeWarnings from inside lucidnet."""
    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return method(*args, **kwargs)
    return quiet
