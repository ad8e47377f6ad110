"""Argument and data checks shared across lucidnet, each failing with the house's one-line message
``<where>: expected <what>, got <what arrived>.``: integers (sizes, counts, epochs), reductions, arrays of numbers,
finite values.

Example:
    >>> check_int("fit()", "epochs", 3, 0)
    3
    >>> check_int("DataLoader()", "batch_size", 0)
    Traceback (most recent call last):
    ...
    ValueError: DataLoader(): expected batch_size to be a positive integer, got 0.
"""
import numbers

import numpy as np

__all__ = ["REDUCTIONS", "all_finite", "check_all_finite", "check_finite", "check_int", "check_reduction",
           "numeric_array"]

REDUCTIONS = ("mean", "sum", "none")


def check_int(where, name, value, minimum=1):
    """``value`` as an int, if it is an integer (not a bool) >= ``minimum``; else a ValueError naming ``where``
    and the argument ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{where}: expected {name} to be {what}, got {value!r}.")
    return int(value)


def check_reduction(where, reduction):
    """A loss's ``reduction``: 'mean', 'sum' or 'none'; else a ValueError.

    Example:
        >>> check_reduction("mse_loss", "sum")
        'sum'
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: expected reduction 'mean', 'sum' or 'none', got {reduction!r}.")
    return reduction


def numeric_array(value, where, name):
    """A NumPy array of numbers (bool, int or float) from an array, a Tensor (its ``.array``) or nested lists;
    anything else (strings, objects, ragged lists) is a TypeError."""
    array = getattr(value, "array", None)
    if isinstance(array, np.ndarray):
        value = array
    elif not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except (ValueError, TypeError):
            raise TypeError(f"{where}: expected {name} to be an array or a Tensor, got {type(value).__name__}.") \
                from None
    if value.dtype == object or value.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected {name} to hold numbers, got an array of dtype {value.dtype}.")
    return value


def all_finite(a):
    """Whether an array holds no nan or inf (True for integer and bool arrays, which cannot).

    Example:
        >>> all_finite(np.array([1.0, np.inf])), all_finite(np.array([1, 2]))
        (False, True)
    """
    return a.dtype.kind not in "fc" or bool(np.isfinite(a).all())


def check_all_finite(a, where, name):
    """One clear line for nan or inf anywhere in an array that is not a set of samples (labels, statistics),
    naming the first bad element and its index.

    Example:
        >>> check_all_finite(np.array([[1.0, np.nan]]), "standardize()", "mean")
        Traceback (most recent call last):
        ...
        ValueError: standardize(): expected finite mean, got nan at index (0, 1).
    """
    if all_finite(a):
        return
    bad = np.argwhere(~np.isfinite(a))[0]
    at = tuple(int(i) for i in bad) if a.ndim > 1 else int(bad[0]) if a.ndim else ()
    raise ValueError(f"{where}: expected finite {name}, got {a[tuple(bad)]} at index {at}.")


def check_finite(a, where, name):
    """One clear line for nan or inf in an array of samples, naming the first bad sample (checked in chunks of
    rows, so no copy of the whole is made).

    Example:
        >>> check_finite(np.array([[1.0], [np.inf]]), "fit()", "x")           # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: fit(): expected finite values in x, got inf in sample 1. Remove or impute the bad samples ...
    """
    if a.dtype.kind != "f":
        return
    rows = max(1, (1 << 20) // max(1, a[0].size))
    for start in range(0, len(a), rows):
        ok = np.isfinite(a[start:start + rows]).reshape(min(rows, len(a) - start), -1).all(axis=1)
        if not ok.all():
            i = start + int(np.argmin(ok))
            bad = a[i][~np.isfinite(a[i])].ravel()[0]
            raise ValueError(f"{where}: expected finite values in {name}, got {bad} in sample {i}. Remove or impute "
                             f"the bad samples first (e.g. x[np.isfinite(x).all(axis=1)]).")
