"""The default process group: which process this is, how many there are, and how they talk.

Launched by ``mpiexec -n N``, the processes (ranks) talk through MPI (mpi4py, the ``mpi`` extra); started as a
plain ``python``, the group is one process and nothing is imported. Two safety nets keep a failed run from
hanging: an exception that reaches the top of any rank aborts them all (MPI_Abort, after the traceback is
printed), and a watchdog thread aborts them all when one collective waits longer than the group's timeout (a
rank that died without a word, or is stuck).
"""
import contextlib
import datetime
import itertools
import numbers
import os
import signal
import sys
import threading
import time

__all__ = ["abort", "destroy_process_group", "get_backend", "get_rank", "get_world_size", "init_process_group",
           "is_available", "is_initialized", "is_mpi_available", "launched_by_mpi"]

DEFAULT_TIMEOUT = 600.0          # seconds a collective may wait for the others (PyTorch: 30 min gloo, 10 min NCCL)
_INSTALL = "pip install 'lucidnet[mpi]'"

# Variables that MPI launchers set in each process they start, and the world size they hold (None: not told).
_LAUNCHER_SIZE_VARS = ("PMI_SIZE",                   # MPICH's hydra, Intel MPI
                       "OMPI_COMM_WORLD_SIZE",       # Open MPI's mpirun
                       "MV2_COMM_WORLD_SIZE",        # MVAPICH
                       "PMIX_RANK")                  # PMIx launchers (srun --mpi=pmix)

_group = None                    # the default process group while initialized


def launched_by_mpi():
    """True when this process was started by an MPI launcher (``mpiexec``, ``mpirun``, ``srun --mpi``).

    Found from the variables the launcher sets, without importing MPI.

    Example:
        >>> launched_by_mpi()          # pytest is not started by mpiexec
        False
    """
    return any(v in os.environ for v in _LAUNCHER_SIZE_VARS)


def is_available():
    """True: ``lucidnet.distributed`` is always there (it runs one process without MPI).

    Example:
        >>> is_available()
        True
    """
    return True


def is_mpi_available():
    """True when mpi4py can be imported (the ``mpi`` extra is installed).

    Example:
        >>> isinstance(is_mpi_available(), bool)
        True
    """
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def import_mpi(why):
    """The ``mpi4py.MPI`` module, or a RuntimeError that says to install the ``mpi`` extra."""
    try:
        import mpi4py
    except ImportError:
        raise RuntimeError(f"lucidnet.distributed: {why}, so it needs MPI, but mpi4py is not installed. Install "
                           f"the MPI extra: {_INSTALL}.") from None
    if "mpi4py.MPI" not in sys.modules:
        mpi4py.rc.thread_level = "multiple"   # the watchdog thread may call MPI_Abort while the main thread waits
    from mpi4py import MPI
    return MPI


class _Group:
    """The default process group: backend name, communicator (None for one process), rank, size, watchdog."""

    def __init__(self, backend, comm, rank, size, timeout):
        self.backend, self.comm, self.rank, self.size, self.timeout = backend, comm, rank, size, timeout
        self.watchdog = _Watchdog(self) if comm is not None else None
        self.previous_excepthook = None
        # distributed.shared.SharedSlots once known usable; False if not, or if LUCIDNET_SHM_ALLREDUCE=0 at the start
        self.shared = False if os.environ.get("LUCIDNET_SHM_ALLREDUCE", "1") == "0" else None


def _timeout_seconds(timeout):
    if timeout is None:
        env = os.environ.get("LUCIDNET_DIST_TIMEOUT")
        if env is None:
            return DEFAULT_TIMEOUT
        try:
            timeout = float(env)
        except ValueError:
            raise ValueError(f"init_process_group(): expected $LUCIDNET_DIST_TIMEOUT to be a number of seconds, "
                             f"got {env!r}.") from None
    if isinstance(timeout, datetime.timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
        raise ValueError(f"init_process_group(): expected timeout to be a positive number of seconds or a "
                         f"datetime.timedelta, got {timeout!r}.")
    return float(timeout)


def _share_cores(MPI, comm):
    """Give each rank its share of its machine's cores, unless the user chose a number of threads; returns the
    number of threads each rank now uses, or None when nothing was changed. A collective call on ``comm``.

    Every rank would otherwise start one thread per core, for OpenBLAS's products and for lucidnet's own
    kernels, and k ranks on one machine would ask k times as many threads as it has cores: measured on this
    project's 2-core machine, ``mpiexec -n 2 lucidnet train`` trained at 2,100 samples/s instead of 62,000. So,
    as PyTorch's torchrun sets OMP_NUM_THREADS=1 for the processes it starts, the k ranks of a machine that may
    run on the same cores (all of them, unless the launcher bound each to its own: ``mpiexec -bind-to core``)
    use (those cores // k) threads each, at least one. ``$LUCIDNET_NUM_THREADS``, ``$OMP_NUM_THREADS`` or
    ``$OPENBLAS_NUM_THREADS``, when set, are kept. Tested under mpiexec (tests/distributed/mpi_worker.py).
    """
    from .. import _blas, _threads
    if any(os.environ.get(v, "").strip() for v in _threads.ENV_VARIABLES):
        return None
    if hasattr(os, "sched_getaffinity"):
        cores = tuple(sorted(os.sched_getaffinity(0)))
    else:
        cores = tuple(range(os.cpu_count() or 1))
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    sharing = sum(c == cores for c in node.allgather(cores))     # the ranks here on exactly these cores
    node.Free()
    if sharing == 1:
        return None
    threads = max(1, len(cores) // sharing)
    _threads.set_num_threads(threads)
    _blas.openblas_num_threads(threads)
    return threads


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default process group: all the processes of this run, each with its rank.

    Under an MPI launcher (``mpiexec -n 4 python train.py``) the group is MPI's world; started as a plain
    ``python``, it is this one process (rank 0 of 1) and MPI is not needed. ``backend="mpi"`` asks for MPI even
    in one process; ``"gloo"`` is accepted (so PyTorch scripts run) and means the same as the default.

    Args:
        backend: None (MPI when launched by one, else a single process), ``"mpi"`` or ``"gloo"``.
        init_method: None or ``"env://"``; MPI's launcher tells each process where the others are.
        timeout: how long one collective may wait for the other ranks before all are aborted: seconds or a
            ``datetime.timedelta``. Default: ``$LUCIDNET_DIST_TIMEOUT`` or 600 s.
        world_size, rank: checked against what the launcher says, when given.
        store, group_name, pg_options, device_id: accepted so PyTorch code runs; must be left at their defaults.

    Example:
        >>> init_process_group()
        >>> get_rank(), get_world_size(), get_backend()
        (0, 1, 'local')
        >>> destroy_process_group()
    """
    global _group
    if _group is not None:
        raise RuntimeError("init_process_group(): expected one call per process, got a second one; the default "
                           "process group is already initialized (call destroy_process_group() first).")
    if backend is not None and str(backend).lower() in ("nccl", "cuda", "xccl", "hccl"):
        raise RuntimeError(f"init_process_group(): lucidnet runs on the CPU, got backend {backend!r}, which needs "
                           f"GPUs. Use backend='mpi' (or leave it out).")
    if backend is not None and str(backend).lower() not in ("mpi", "gloo"):
        raise ValueError(f"init_process_group(): expected backend 'mpi', 'gloo' or None, got {backend!r}.")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group(): expected init_method None or 'env://', got {init_method!r}; "
                         f"lucidnet's processes find each other through the MPI launcher (mpiexec -n N ...).")
    if store is not None or pg_options is not None or group_name:
        raise ValueError("init_process_group(): store, group_name and pg_options are not supported; the MPI "
                         "launcher sets up the group.")
    seconds = _timeout_seconds(timeout)
    use_mpi = str(backend).lower() == "mpi" or launched_by_mpi()
    if use_mpi:
        why = "this process was started by an MPI launcher" if launched_by_mpi() else "backend='mpi' was asked for"
        MPI = import_mpi(why)
        comm = MPI.COMM_WORLD.Dup()             # our own communicator: user code on COMM_WORLD never mixes with ours
        group = _Group("mpi", comm, comm.Get_rank(), comm.Get_size(), seconds)
        _share_cores(MPI, comm)
    else:
        group = _Group("local", None, 0, 1, seconds)
    for name, given, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given not in (-1, None) and given != actual:
            if group.comm is not None:
                group.comm.Free()
            raise ValueError(f"init_process_group(): expected {name}={actual} as the launcher started this process, "
                             f"got {name}={given}.")
    _group = group
    if group.comm is not None:
        group.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def destroy_process_group(group=None):
    """Leave the default process group (collectives are no longer possible until the next init).

    Example:
        >>> init_process_group(); destroy_process_group(); is_initialized()
        False
    """
    global _group
    g = _check_group(group, "destroy_process_group")
    if g.watchdog is not None:
        g.watchdog.stop()
    if g.previous_excepthook is not None and sys.excepthook is _abort_on_uncaught:
        sys.excepthook = g.previous_excepthook
    if g.shared:
        g.shared.free()
    if g.comm is not None:
        g.comm.Free()
    _group = None


def is_initialized():
    """True between :func:`init_process_group` and :func:`destroy_process_group`.

    Example:
        >>> is_initialized()
        False
    """
    return _group is not None


def _check_group(group, where):
    if _group is None:
        raise RuntimeError(f"{where}(): expected an initialized process group, got none. Call "
                           f"lucidnet.distributed.init_process_group() first.")
    if group is not None and group is not _group:
        raise ValueError(f"{where}(): expected group=None (the default group; lucidnet has no sub-groups), "
                         f"got {group!r}.")
    return _group


def default_group(where, group=None):
    """The initialized default group (for the collectives), or a RuntimeError naming ``where``."""
    return _check_group(group, where)


def get_rank(group=None):
    """This process's number in the group, from 0 to ``get_world_size() - 1``.

    Example:
        >>> init_process_group(); get_rank()
        0
        >>> destroy_process_group()
    """
    return _check_group(group, "get_rank").rank


def get_world_size(group=None):
    """How many processes the group has.

    Example:
        >>> init_process_group(); get_world_size()
        1
        >>> destroy_process_group()
    """
    return _check_group(group, "get_world_size").size


def get_backend(group=None):
    """``'mpi'`` when the processes talk through MPI, ``'local'`` for a group of one process without MPI.

    Example:
        >>> init_process_group(); get_backend()
        'local'
        >>> destroy_process_group()
    """
    return _check_group(group, "get_backend").backend


# ----------------------------------------------------------------------------------------------- failures

def _abort_on_uncaught(exc_type, exc, tb):
    """sys.excepthook while in an MPI group: print the traceback, then abort every rank instead of leaving the
    others waiting for this one forever."""
    g = _group
    previous = g.previous_excepthook if g is not None and g.previous_excepthook else sys.__excepthook__
    previous(exc_type, exc, tb)
    if g is None or g.comm is None:
        return
    _abort(g, f"rank {g.rank} of {g.size} stopped with {exc_type.__name__}: {str(exc).rstrip('.')}")


def abort(exit_code=1, reason=None):
    """End every rank of the job now (MPI_Abort), saying why: what a rank that must stop alone calls.

    ``sys.exit(1)`` on one rank would leave the others waiting for it in their next collective (until the
    timeout); ``abort`` ends them all at once, and the launcher exits with ``exit_code``. In a group of one
    process (or none) it is ``sys.exit(exit_code)``.

    Example:
        >>> abort(3)
        Traceback (most recent call last):
        SystemExit: 3
    """
    g = _group
    if g is None or g.comm is None:
        if reason:
            sys.stderr.write(f"lucidnet.distributed: {reason}.\n")
        raise SystemExit(exit_code)
    _abort(g, f"rank {g.rank} of {g.size}: {reason}" if reason else f"rank {g.rank} of {g.size} stopped", exit_code)


_ABORT_GRACE = 10       # seconds MPI_Abort gets to end this process before it is ended the hard way


def _abort(g, reason, code=1):
    """Print ``reason`` and abort every rank of the group (MPI_Abort); the launcher ends the others."""
    sys.stderr.write(f"lucidnet.distributed: {reason}; aborting all {g.size} ranks.\n")
    sys.stderr.flush()
    _end_hard_after(_ABORT_GRACE, code)
    g.comm.Abort(code)


def _end_hard_after(seconds, code):
    """End this process in ``seconds`` whatever it is doing then.

    MPI_Abort called by the watchdog thread, while the main thread waits inside MPI, has been seen to leave the
    process hanging on its way out (once in CI: the other rank slept on, and the job with it). A rank that dies
    is ended by the launcher together with all the others, so a hard end after a grace period finishes the
    abort. SIGALRM's default action ends the process in the kernel, with no help from Python's main thread
    (stuck in C); where the program has its own SIGALRM handler, a timer thread calls os._exit instead.
    """
    if signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None):
        signal.alarm(max(1, int(seconds)))
    else:
        timer = threading.Timer(seconds, os._exit, args=(code,))
        timer.daemon = True
        timer.start()


class _Watchdog:
    """A thread that aborts every rank when a collective waits longer than the group's timeout.

    ``with watchdog.watch("all_reduce"):`` around a blocking call; ``start``/``done`` around a non-blocking one.
    Starting and ending a watch only writes a dict entry: the thread looks at the entries every
    ``period`` seconds (a tenth of the timeout, at most 1 s) instead of being woken for each collective, which
    cost a thread switch, and the GIL, in the middle of every Allreduce (130 us of a 0.94 MB one, measured).
    MPI calls release the GIL, so the thread runs while the main thread waits inside MPI.
    """

    def __init__(self, group):
        self.group = group
        self.period = min(1.0, max(0.01, group.timeout / 10))
        self.cond = threading.Condition()
        self.waiting = {}            # token -> (what, started, deadline)
        self.tokens = itertools.count()
        self.thread = None
        self.stopped = False

    def start(self, what):
        if self.thread is None:
            with self.cond:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._run, name="lucidnet-watchdog", daemon=True)
                    self.thread.start()
        token = next(self.tokens)
        now = time.monotonic()
        self.waiting[token] = (what, now, now + self.group.timeout)      # one dict store: atomic under the GIL
        return token

    def done(self, token):
        self.waiting.pop(token, None)

    @contextlib.contextmanager
    def watch(self, what):
        token = self.start(what)
        try:
            yield
        finally:
            self.done(token)

    def stop(self):
        with self.cond:
            self.stopped = True
            self.waiting.clear()
            self.cond.notify()

    def _run(self):
        with self.cond:
            while not self.stopped:
                self.cond.wait(self.period)
                now = time.monotonic()
                overdue = [w for w in list(self.waiting.values()) if w[2] <= now]
                if self.stopped or not overdue:
                    continue
                what, started, deadline = min(overdue, key=lambda w: w[2])
                g = self.group
                _abort(g, f"rank {g.rank} of {g.size} waited {deadline - started:.1f} s in {what} for the "
                         f"other ranks (timeout {g.timeout:g} s): one of them has stopped or is stuck")
