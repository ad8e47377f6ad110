"""All-reduce through shared memory, for ranks that run on one machine.

MPI's Allreduce between processes of one node passes the data through the library's small shared-memory cells,
copying and synchronising many times per megabyte. When every rank of the group is on one machine (MPI-3's
``Split_type(COMM_TYPE_SHARED)`` says so), the ranks can instead share one window of memory with a slot per rank
and sum there:

    1. each rank copies its array into its own slot;                              barrier
    2. rank r sums its 1/N of the positions over all the slots, in rank order 0, 1, ..., N-1, into slot 0;   barrier
    3. each rank copies the whole result out of slot 0.

Every position is summed by one rank in one fixed order, so every rank gets bit-identical results (as MPI's
do), and the sum is the one a single process would compute in rank order. Two sets of slots are used in turn,
so a rank may start the next call while another is still copying out of this one. (Each rank summing every
position itself, after one barrier, was measured too: for two ranks it saves the second barrier but reads twice
the data, and was slower.) Measured on this project's 2-core machine for the MLP's 0.94 MB of gradients: see
bench/distributed.py. Set ``LUCIDNET_SHM_ALLREDUCE=0`` before the process group starts to use MPI's Allreduce
for everything.
"""
import os

import numpy as np

__all__ = ["SharedSlots", "usable"]

MIN_BYTES = 64 << 10          # below this MPI's own latency-optimised path is as fast
MAX_WINDOW = 256 << 20        # the most shared memory the slots may take; larger sums go through MPI


def _room_for(nbytes):
    """Whether /dev/shm, where MPI keeps shared windows, has twice ``nbytes`` free. Containers often give it
    64 MB, and touching a window past that kills the process with SIGBUS instead of failing the allocation."""
    try:
        st = os.statvfs("/dev/shm")
    except OSError:                   # no /dev/shm (not Linux): leave it to MPI
        return True
    return st.f_bavail * st.f_frsize >= 2 * nbytes


def usable(g, arr, sum_like):
    """True when ``arr`` should be summed through shared memory in the group ``g``: an MPI group whose ranks
    are not known to be on several machines (nor started with LUCIDNET_SHM_ALLREDUCE=0), a sum (or average) of at
    least MIN_BYTES of numbers.

    Example:
        >>> import numpy as np, lucidnet.distributed as dist
        >>> from lucidnet.distributed.group import default_group
        >>> dist.init_process_group()
        >>> usable(default_group("example"), np.zeros(1 << 16), True)     # one process: no MPI at all
        False
        >>> dist.destroy_process_group()
    """
    return (g.comm is not None and sum_like and arr.nbytes >= MIN_BYTES and arr.dtype.kind in "fiu"
            and g.shared is not False)


class SharedSlots:
    """Two sets of one slot per rank in a window of shared memory, on a communicator of one node's ranks; the
    window grows (collectively: every rank asks for the same sizes in the same order) to the largest array.

    Example, on every rank of ``mpiexec -n 2`` (``all_reduce`` does this by itself; tested in
    tests/distributed/mpi_worker.py, since a doctest runs in one process without MPI)::

        from mpi4py import MPI
        slots = SharedSlots.for_group(MPI, MPI.COMM_WORLD)
        x = np.ones(100_000); slots.all_reduce_sum(x)                  # x[0] == 2.0 on both ranks
    """

    def __init__(self, MPI, comm):
        self.MPI, self.comm = MPI, comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        self.win, self.capacity, self.turn = None, 0, 0
        self.views = {}                  # (turn, n, dtype) -> the slots: a training step asks for the same few

    @classmethod
    def for_group(cls, MPI, comm):
        """SharedSlots for ``comm`` if all its ranks are on one machine, else None (a collective call)."""
        node = comm.Split_type(MPI.COMM_TYPE_SHARED)
        if node.Get_size() != comm.Get_size():
            node.Free()
            return None
        return cls(MPI, node)

    def _reserve(self, nbytes):
        """Make the slots hold ``nbytes``; False if there is no room for them (then MPI sums this array)."""
        if nbytes <= self.capacity:
            return True
        capacity = max(1 << 20, -(-2 * nbytes // 4096) * 4096)           # room to grow, in whole pages
        total = 2 * self.size * capacity
        fits = total <= MAX_WINDOW and _room_for(total)
        if not self.comm.allreduce(fits, op=self.MPI.LAND):                # the same answer on every rank
            return False
        self._free_window()
        self.views, self.capacity = {}, capacity
        self.win = self.MPI.Win.Allocate_shared(total if self.rank == 0 else 0, 1, comm=self.comm)
        buf, _ = self.win.Shared_query(0)
        self.memory = np.frombuffer(buf, dtype=np.uint8, count=total)
        self.win.Lock_all(self.MPI.MODE_NOCHECK)     # one passive epoch: Sync() orders the loads and stores
        return True

    def _sync(self):
        self.win.Sync()
        self.comm.Barrier()
        self.win.Sync()

    def fits(self, nbytes):
        """Whether the slots hold ``nbytes`` already (then :meth:`next_slot` is not a collective call)."""
        return nbytes <= self.capacity

    def _slots(self, n, dtype):
        """The (size, n) slots of this call's turn."""
        key = (self.turn, n, dtype)
        slots = self.views.get(key)
        if slots is None:
            if len(self.views) >= 64:                # many shapes: keep the cache small
                self.views.clear()
            half = self.size * self.capacity
            slots = self.memory[self.turn * half:(self.turn + 1) * half]
            slots = self.views[key] = slots.view(dtype).reshape(self.size, -1)[:, :n]
        return slots

    def next_slot(self, n, dtype):
        """This rank's slot in the next sum of ``n`` numbers of ``dtype``, to write its numbers into before calling
        :meth:`sum_slots`; None when there is no room (a collective call when the window grows: every rank calls
        it with the same n and dtype)."""
        dtype = np.dtype(dtype)
        if not self._reserve(n * dtype.itemsize):
            return None
        return self._slots(n, dtype)[self.rank]

    def sum_slots(self, n, dtype):
        """The sum over the ranks of what each wrote into its :meth:`next_slot`: a flat array of ``n`` numbers in
        shared memory, to read before this rank's next sum (after which the other ranks may write there again)."""
        slots = self._slots(n, np.dtype(dtype))
        self.turn ^= 1
        self._sync()
        lo, hi = n * self.rank // self.size, n * (self.rank + 1) // self.size
        total = slots[0, lo:hi]
        with np.errstate(all="ignore"):          # as MPI's sum: an overflow gives inf, without a warning
            for r in range(1, self.size):        # rank order, the same for every position
                total += slots[r, lo:hi]
        self._sync()
        return slots[0]

    def all_reduce_sum(self, buf):
        """Sum the contiguous array ``buf`` over the ranks, in place (every rank calls it with the same shape and
        dtype), and return it; False, with ``buf`` untouched, when the shared memory has no room for it."""
        slot = self.next_slot(buf.size, buf.dtype)
        if slot is None:
            return False
        flat = buf.reshape(-1)
        slot[...] = flat
        flat[...] = self.sum_slots(buf.size, buf.dtype)
        return buf

    def _free_window(self):
        if self.win is not None:
            self.memory, self.views = None, {}
            self.win.Unlock_all()
            self.win.Free()
            self.win = None

    def free(self):
        """Release the window and the node communicator."""
        self._free_window()
        self.comm.Free()
