"""How ``fit`` spreads training over processes: the seam a data-parallel backend (MPI) plugs into, named as in
Keras 3 (``keras.distribution.set_distribution``).

By default there is no distribution: one process trains on every batch. A backend subclasses
:class:`Distribution` and installs an instance with :func:`set_distribution`; ``fit`` then calls, per batch,

- :meth:`Distribution.distribute_batch` on each (global) batch, to keep this process's part of it, and
- :meth:`Distribution.reduce_gradients` after the backward pass and before gradient clipping and the optimizer
  step (``Model.optimizer_step``), to average the gradients over the processes,

so every process applies the same update. Logging, checkpointing and the reduction of the logs are the
backend's to arrange (e.g. callbacks that act on rank 0 only).

Example:
    >>> class Halves(Distribution):              # (a toy: every process would see the first half of each batch)
    ...     def distribute_batch(self, x, y):
    ...         return x[:len(x) // 2], (None if y is None else y[:len(y) // 2])
    >>> set_distribution(Halves()); type(distribution()).__name__
    'Halves'
    >>> set_distribution(None); distribution() is None
    True
"""
__all__ = ["Distribution", "distribution", "set_distribution"]

_current = None


class Distribution:
    """Base class: training in one process (every method leaves things as they are)."""

    def distribute_batch(self, x, y):
        """This process's part of a batch of arrays ``x`` (and ``y``, or None): the whole batch by default."""
        return x, y

    def reduce_gradients(self, parameters):
        """Combine the parameters' ``.grad`` over the processes (in place): nothing to do in one process."""


def set_distribution(value):
    """Make ``value`` (a :class:`Distribution`, or None for one process) the one ``fit`` uses."""
    global _current
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution(): expected a Distribution or None, got {type(value).__name__}.")
    _current = value


def distribution():
    """The distribution ``fit`` uses now (None: one process)."""
    return _current
