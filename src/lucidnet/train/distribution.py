"""How ``fit`` spreads training over processes: the seam a data-parallel backend (MPI) plugs into, named as in
Keras 3 (``keras.distribution.set_distribution``).

By default there is no distribution: one process trains on every batch; a process started by an MPI launcher
(``mpiexec``) gets lucidnet's MPI backend (:class:`lucidnet.train.distributed.MPIDistribution`) when ``fit``
starts (:func:`auto_distribution`). A backend subclasses :class:`Distribution` and installs an instance with
:func:`set_distribution`; ``fit`` then calls

- :meth:`Distribution.distribute_dataset` on the training and the validation data, once,
- :meth:`Distribution.distribute_callbacks` on the callbacks and the verbosity, once (who logs and writes),
- :meth:`Distribution.distribute_model` once the model is built (to start all processes from the same weights),
- per batch, :meth:`Distribution.distribute_batch` on each (global) batch, to keep this process's part of it,
  :meth:`Distribution.reduce_gradients` after the backward pass and before gradient clipping and the optimizer
  step (``Model.optimizer_step``), to average the gradients over the processes, and
  :meth:`Distribution.reduce_logs` on the step's loss and outputs, so the logs are the global batch's,
- :meth:`Distribution.end_fit` when training ends normally,

so every process applies the same update and takes the same decisions.

Example:
    >>> class Halves(Distribution):              # (a toy: every process would see the first half of each batch)
    ...     def distribute_batch(self, x, y):
    ...         return x[:len(x) // 2], (None if y is None else y[:len(y) // 2])
    >>> set_distribution(Halves()); type(distribution()).__name__
    'Halves'
    >>> set_distribution(None); distribution() is None
    True
"""
__all__ = ["Distribution", "auto_distribution", "distribution", "set_distribution"]

_current = None


class Distribution:
    """Base class: training in one process (every method leaves things as they are)."""

    def distribute_batch(self, x, y):
        """This process's part of a batch of arrays ``x`` (and ``y``, or None): the whole batch by default."""
        return x, y

    def reduce_gradients(self, parameters):
        """Combine the parameters' ``.grad`` over the processes (in place): nothing to do in one process."""

    def distribute_dataset(self, data, training=True, initial_epoch=0):
        """The data adapter ``fit`` iterates (training data from ``initial_epoch`` on, or validation data)."""
        return data

    def distribute_callbacks(self, callbacks, verbose):
        """``(callbacks, verbose)`` for this process (e.g. only one process reports and writes files)."""
        return callbacks, verbose

    def distribute_model(self, model):
        """Called once the model is built, before its first step."""

    def reduce_logs(self, loss, n, outputs, targets, metrics=()):
        """A step's ``(loss, number of samples, outputs, targets)`` over all processes (outputs may be None).
        ``metrics``: the metric objects the caller updates with the outputs returned; a distribution may update
        them itself and return None for the outputs."""
        return loss, n, outputs, targets

    def end_fit(self):
        """Called when ``fit`` finishes without an error."""


def set_distribution(value):
    """Make ``value`` (a :class:`Distribution`, or None for one process) the one ``fit`` uses."""
    global _current
    if value is not None and not isinstance(value, Distribution):
        raise TypeError(f"set_distribution(): expected a Distribution or None, got {type(value).__name__}.")
    _current = value


def distribution():
    """The distribution ``fit`` uses now (None: one process)."""
    return _current


def auto_distribution():
    """The distribution ``fit`` starts with: the one set; else, in a process started by an MPI launcher, lucidnet's
    MPI backend (installed, joining the job); else None.

    Example:
        >>> auto_distribution() is None          # a plain process: no distribution
        True
    """
    if _current is None:
        from ..distributed import launched_by_mpi
        if launched_by_mpi():
            from .distributed import MPIDistribution
            set_distribution(MPIDistribution())
    return _current
