"""Data-parallel fit: what ``Model.fit`` does differently when it runs on several MPI ranks.

Launched by ``mpiexec -n N``, ``fit`` joins the process group by itself and trains as one process would on
the same data, only faster: ``batch_size`` stays the *global* batch (as Keras's distribution strategies read
it: nothing is scaled silently), every global batch is cut into N contiguous slices, rank r trains on slice
r, and a :class:`~lucidnet.nn.parallel.Reducer` averages the gradients, weighted by slice size, before each
optimizer step. The shuffled order is rank 0's, broadcast every epoch, so all ranks cut the same batches.
Each step's loss, outputs and targets are gathered, so the loss, the metrics, the progress bar and the
callbacks see exactly the global batch, and every rank takes the same decisions (EarlyStopping, nan).
Validation arrays are sliced the same way. Only rank 0 prints and writes files: the other ranks run fit
silently and without the callbacks that write (ModelCheckpoint, CSVLogger). Every rank must hold the same
arrays; a DataLoader with a :class:`~lucidnet.data.DistributedSampler` already yields this rank's share, so
its batches are used as they are (its batch size is per rank), and any other DataLoader's batches are sliced.

Checkpoints hold the global state (weights, optimizer, generators, epoch), so a run saved on N ranks resumes
exactly on any number of ranks, one included. Layers that draw random numbers while training (Dropout) draw
on each rank from its own generator, so such a model's run is statistically, not bitwise, one process's.
``evaluate`` and ``predict`` are not distributed: they run on the rank that calls them, over all the data.
"""
import numpy as np

from .. import distributed as dist
from ..data.distributed import DistributedSampler
from ..nn.parallel import Reducer, broadcast_tensors
from .callbacks import CSVLogger, ModelCheckpoint

__all__ = ["DataParallelFit", "WRITERS"]

WRITERS = (ModelCheckpoint, CSVLogger)         # callbacks that write files: rank 0 only


class DataParallelFit:
    """The data-parallel side of one ``fit`` call; :meth:`start` gives None for a single process.

    Example:
        >>> DataParallelFit.start("fit()") is None          # not launched by mpiexec: one process, as always
        True
    """

    @classmethod
    def start(cls, where):
        """Join the MPI job if this process was launched in one; a DataParallelFit when it has several ranks."""
        if not dist.is_initialized():
            if not dist.launched_by_mpi():
                return None
            dist.init_process_group()
        if dist.get_world_size() == 1:
            return None
        return cls(where)

    def __init__(self, where):
        self.where = where
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.reducer = None

    # ------------------------------------------------------------------------------------ before training

    def attach(self, batches, val, n_samples, batch_size):
        """Mark the training and validation batches to be sliced; check every rank holds the same data."""
        sizes = [None] * self.size
        dist.all_gather_object(sizes, n_samples)
        other = next((r for r, s in enumerate(sizes) if s != sizes[0]), None)
        if other is not None:
            raise ValueError(f"{self.where}: expected the same data on every rank (each rank trains on its slice of "
                             f"every global batch), got {sizes[0]} samples on rank 0 and {sizes[other]} on rank "
                             f"{other}.")
        if batch_size is not None and batch_size < self.size:
            raise ValueError(f"{self.where}: expected batch_size >= the number of ranks ({self.size}): it is the "
                             f"global batch, cut into one slice per rank; got {batch_size}.")
        for b in (batches, None if val is None else val[0]):
            if b is not None:
                sampler = getattr(getattr(b, "loader", None), "sampler", None)
                b.part = None if isinstance(sampler, DistributedSampler) else self

    def verbose(self, verbose):
        """Rank 0 reports; the others are silent."""
        return verbose if self.rank == 0 else 0

    def callbacks(self, callbacks):
        """Rank 0 keeps every callback; the others drop those that write files."""
        return callbacks if self.rank == 0 else [cb for cb in callbacks if not isinstance(cb, WRITERS)]

    def sync(self, model):
        """Once the model is built: copy rank 0's weights and buffers everywhere, and start averaging gradients."""
        if self.reducer is None:
            broadcast_tensors(list(model.parameters()) + list(model.buffers()))
            self.reducer = Reducer(model.named_parameters())

    def finish(self):
        """The end of a fit that went well: wait until every rank (rank 0 writing its files) is done."""
        dist.barrier()

    def close(self):
        if self.reducer is not None:
            self.reducer.close()
            self.reducer = None

    # ------------------------------------------------------------------------------------ each batch

    def same_order(self, order):
        """Rank 0's shuffled order, for every rank."""
        dist.broadcast(order, src=0)
        return order

    def local(self, n):
        """The slice of a global batch of ``n`` samples that this rank trains on (numpy's array_split)."""
        base, extra = divmod(n, self.size)
        start = self.rank * base + min(self.rank, extra)
        return slice(start, start + base + (self.rank < extra))

    def before_step(self, n):
        """This rank's ``n`` samples count in the next backward's gradient average."""
        self.reducer.check_finished(self.where)
        self.reducer.add_samples(n)
        self.reducer.prepare_for_backward()

    def combine(self, loss, n, outputs, targets):
        """Every rank's loss, count, outputs and targets of one step, joined in rank order: the global batch's."""
        parts = [None] * self.size
        dist.all_gather_object(parts, (loss, n, outputs, targets))
        parts = [p for p in parts if p[1]]
        total = sum(p[1] for p in parts)
        loss = sum(p[0] * p[1] for p in parts) / total
        if outputs is None:
            return loss, total, None, None
        if isinstance(outputs, (list, tuple)):
            outputs = type(outputs)(np.concatenate(o) for o in zip(*(p[2] for p in parts)))
        else:
            outputs = np.concatenate([p[2] for p in parts])
        targets = None if targets is None else np.concatenate([p[3] for p in parts])
        return loss, total, outputs, targets
