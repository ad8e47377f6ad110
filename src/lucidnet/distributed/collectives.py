"""Collectives: operations every rank of the group calls together, in the same order.

Each works in place on a Tensor (or a NumPy array) and follows ``torch.distributed``: ``all_reduce`` combines
the ranks' values (sum, product, min, max, average) and gives every rank the result, ``broadcast`` copies
rank ``src``'s values to all, ``all_gather`` gives every rank every rank's tensor, ``barrier`` waits for all.
With ``async_op=True`` a call returns a :class:`Work` at once; ``wait()`` on it before reading the result.
In a group of one process each is a no-op that returns at once.
"""
import enum
import numbers

import numpy as np

from ..tensor import Tensor
from . import shared
from .group import default_group, import_mpi

__all__ = ["ReduceOp", "Work", "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast",
           "broadcast_object_list"]


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` combines the ranks' values, element by element.

    Example:
        >>> ReduceOp.SUM
        <ReduceOp.SUM: 'sum'>
    """
    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"          # the sum divided by the world size (floating point only)


def _mpi_op(MPI, op):
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
            ReduceOp.MAX: MPI.MAX}[op]


class Work:
    """A collective started with ``async_op=True``: ``wait()`` for it before reading its result.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> work = dist.all_reduce(lucidnet.ones(3), async_op=True)
        >>> work.wait(), work.is_completed()
        (True, True)
        >>> dist.destroy_process_group()
    """

    def __init__(self, request=None, finish=None, group=None, token=None):
        self._request, self._finish, self._group, self._token = request, finish, group, token
        self._done = request is None
        if self._done and finish is not None:
            finish()

    def wait(self, timeout=None):
        """Block until the collective has finished on this rank; returns True."""
        if not self._done:
            try:
                self._request.Wait()
            finally:
                self._group.watchdog.done(self._token)
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self):
        """True once the collective has finished (does not block)."""
        if not self._done and self._request.Test():
            self.wait()
        return self._done


def _array_of(tensor, where):
    if isinstance(tensor, Tensor):
        return tensor.array
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"{where}(): expected a Tensor or a NumPy array, got {type(tensor).__name__}.")


def _work_buffer(arr):
    """A C-contiguous, writable array MPI can fill: ``arr`` itself, or a copy to copy back from."""
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr
    if not arr.flags.writeable:
        raise ValueError("collective: expected a writable array, got a read-only one.")
    return np.ascontiguousarray(arr)


def _finisher(tensor, arr, buf, scale=None):
    """What to do when the data has arrived: average, copy back into a non-contiguous target, bump the version."""
    def finish():
        if scale is not None:
            buf[...] *= scale
        if buf is not arr:
            arr[...] = buf
        if isinstance(tensor, Tensor):
            tensor._bump()
    return finish


def _run(g, what, blocking, nonblocking, finish, async_op):
    """Run a collective under the watchdog, blocking or not; returns a Work for async_op, else None."""
    if async_op:
        token = g.watchdog.start(what)
        try:
            request = nonblocking()
        except BaseException:
            g.watchdog.done(token)
            raise
        return Work(request, finish, g, token)
    with g.watchdog.watch(what):
        blocking()
    if finish is not None:
        finish()
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine ``tensor`` across all ranks with ``op``, in place: afterwards every rank holds the result.

    Args:
        tensor: a Tensor or NumPy array, the same shape and dtype on every rank.
        op: a :class:`ReduceOp`. Default: SUM.
        group: None (the default group).
        async_op: return a :class:`Work` to ``wait()`` on instead of blocking.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> t = lucidnet.tensor([1.0, 2.0])
        >>> dist.all_reduce(t, op=dist.ReduceOp.SUM); t          # one process: the sum is its own value
        tensor([1., 2.])
        >>> dist.destroy_process_group()
    """
    g = default_group("all_reduce", group)
    arr = _array_of(tensor, "all_reduce")
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce(): expected op to be a lucidnet.distributed.ReduceOp, got {op!r}.")
    if op is ReduceOp.AVG and arr.dtype.kind != "f":
        raise TypeError(f"all_reduce(): ReduceOp.AVG needs a floating point tensor, got dtype {arr.dtype}.")
    if g.comm is None:
        return Work() if async_op else None
    MPI = import_mpi("all_reduce() runs over MPI")
    buf = _work_buffer(arr)
    finish = _finisher(tensor, arr, buf, 1.0 / g.size if op is ReduceOp.AVG else None)
    if shared.usable(g, arr, op in (ReduceOp.SUM, ReduceOp.AVG)):
        with g.watchdog.watch("all_reduce"):
            slots = _shared_slots(g, MPI)
            done = slots is not False and slots.all_reduce_sum(buf) is not False
        if done:
            return Work(None, finish) if async_op else finish()
    mpi_op = _mpi_op(MPI, op)
    return _run(g, "all_reduce", lambda: g.comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op),
                lambda: g.comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op), finish, async_op)


def _shared_slots(g, MPI):
    """The group's SharedSlots, or False when its ranks are not all on one machine (found out, collectively, at
    the first large sum)."""
    if g.shared is None:
        g.shared = shared.SharedSlots.for_group(MPI, g.comm) or False
    return g.shared


def _slot_for_sum(arr, group=None):
    """Where this rank may write the values of ``arr`` for the next sum over the ranks of an array like it (same
    shape and dtype on every rank, contiguous): its slot in shared memory, an array of ``arr.size`` numbers, when
    that sum goes through shared memory; else None (sum ``arr`` with all_reduce as usual). Then call
    :func:`_sum_slots` and read the sum where it returns it. DistributedDataParallel sums its buckets this way:
    the gradients go into shared memory and the averages come out of it, without passing through the bucket.

    Example:
        >>> import numpy as np, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> _slot_for_sum(np.zeros(1 << 20, np.float32)) is None      # one process: no shared memory
        True
        >>> dist.destroy_process_group()
    """
    g = default_group("all_reduce", group)
    if not shared.usable(g, arr, True):
        return None
    if g.shared and g.shared.fits(arr.nbytes):      # each step of training: nothing collective, nothing to watch
        return g.shared.next_slot(arr.size, arr.dtype)
    MPI = import_mpi("all_reduce() runs over MPI")
    with g.watchdog.watch("all_reduce"):
        slots = _shared_slots(g, MPI)
        return slots.next_slot(arr.size, arr.dtype) if slots else None


def _sum_slots(arr, group=None):
    """The sum over the ranks of the values every rank wrote into its :func:`_slot_for_sum` slot for ``arr``: a flat
    array in shared memory, to read before this rank's next sum. Tested under mpiexec
    (tests/distributed/mpi_worker.py), since in one process there is no slot."""
    g = default_group("all_reduce", group)
    with g.watchdog.watch("all_reduce"):
        return g.shared.sum_slots(arr.size, arr.dtype)


def _check_src(g, src, where):
    if isinstance(src, bool) or not isinstance(src, numbers.Integral) or not 0 <= src < g.size:
        raise ValueError(f"{where}(): expected src to be a rank in [0, {g.size}), got {src!r}.")
    return int(src)


def broadcast(tensor, src=0, group=None, async_op=False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank, in place.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> t = lucidnet.arange(3.0); dist.broadcast(t, src=0); t
        tensor([0., 1., 2.])
        >>> dist.destroy_process_group()
    """
    g = default_group("broadcast", group)
    arr = _array_of(tensor, "broadcast")
    src = _check_src(g, src, "broadcast")
    if g.comm is None:
        return Work() if async_op else None
    buf = _work_buffer(arr)
    finish = _finisher(tensor, arr, buf)
    return _run(g, "broadcast", lambda: g.comm.Bcast(buf, root=src), lambda: g.comm.Ibcast(buf, root=src),
                finish, async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank has called ``barrier()``.

    Example:
        >>> import lucidnet.distributed as dist
        >>> dist.init_process_group(); dist.barrier(); dist.destroy_process_group()
    """
    g = default_group("barrier", group)
    if g.comm is None:
        return Work() if async_op else None
    return _run(g, "barrier", g.comm.Barrier, g.comm.Ibarrier, None, async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` on every rank with rank ``r``'s ``tensor`` (same shape and dtype on all ranks).

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> out = [lucidnet.zeros(2)]
        >>> dist.all_gather(out, lucidnet.tensor([3.0, 4.0])); out
        [tensor([3., 4.])]
        >>> dist.destroy_process_group()
    """
    g = default_group("all_gather", group)
    arr = _array_of(tensor, "all_gather")
    if not isinstance(tensor_list, list) or len(tensor_list) != g.size:
        raise ValueError(f"all_gather(): expected tensor_list to be a list of {g.size} tensors (one per rank), got "
                         f"{len(tensor_list) if isinstance(tensor_list, list) else type(tensor_list).__name__}.")
    targets = [_array_of(t, "all_gather") for t in tensor_list]
    for t in targets:
        if t.shape != arr.shape or t.dtype != arr.dtype:
            raise ValueError(f"all_gather(): expected every tensor of tensor_list to have shape {tuple(arr.shape)} and "
                             f"dtype {arr.dtype} like the input, got {tuple(t.shape)} {t.dtype}.")
    gathered = np.empty((g.size,) + arr.shape, dtype=arr.dtype)

    def finish():
        for out, target, part in zip(tensor_list, targets, gathered):
            target[...] = part
            if isinstance(out, Tensor):
                out._bump()
    if g.comm is None:
        gathered[0] = arr
        return Work(finish=finish) if async_op else finish()
    send = np.ascontiguousarray(arr)
    return _run(g, "all_gather", lambda: g.comm.Allgather(send, gathered), lambda: g.comm.Iallgather(send, gathered),
                finish, async_op)


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[r]`` with rank ``r``'s picklable ``obj`` (for small things: counts, paths, configs).

    Example:
        >>> import lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> out = [None]; dist.all_gather_object(out, {"loss": 0.5}); out
        [{'loss': 0.5}]
        >>> dist.destroy_process_group()
    """
    g = default_group("all_gather_object", group)
    if not isinstance(object_list, list) or len(object_list) != g.size:
        raise ValueError(f"all_gather_object(): expected object_list to be a list of {g.size} entries (one per "
                         f"rank), got {object_list!r:.80}.")
    if g.comm is None:
        object_list[0] = obj
        return
    with g.watchdog.watch("all_gather_object"):
        object_list[:] = g.comm.allgather(obj)


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """Replace the entries of ``object_list`` on every rank by rank ``src``'s (picklable objects).

    Example:
        >>> import lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> objs = ["runs/a"]; dist.broadcast_object_list(objs, src=0); objs
        ['runs/a']
        >>> dist.destroy_process_group()
    """
    g = default_group("broadcast_object_list", group)
    src = _check_src(g, src, "broadcast_object_list")
    if not isinstance(object_list, list):
        raise TypeError(f"broadcast_object_list(): expected a list, got {type(object_list).__name__}.")
    if g.comm is None:
        return
    with g.watchdog.watch("broadcast_object_list"):
        object_list[:] = g.comm.bcast(object_list, root=src)
