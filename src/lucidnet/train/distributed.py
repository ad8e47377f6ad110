"""Data-parallel fit over MPI: the :class:`~lucidnet.train.distribution.Distribution` that ``fit`` uses when the
process was started by ``mpiexec -n N`` (or that ``set_distribution(MPIDistribution())`` installs).

``fit`` trains as one process would on the same data, only faster: ``batch_size`` stays the *global* batch (as
Keras's distribution strategies read it: nothing is scaled silently), every global batch is cut into N
contiguous slices, rank r trains on slice r, and the gradients are averaged across ranks, weighted by slice
size, before clipping and the optimizer step. The shuffled order is rank 0's (its shuffling generator's state
is copied to every rank before each epoch), so all ranks cut the same batches. Each step, every rank's loss sum
and metric sums over its slice (accuracy, top-k, mse, mae: metrics whose state adds up over samples) are
gathered, a few numbers per rank, and added in rank order, so the loss, the metrics, the progress bar and the
callbacks see exactly the global batch's values and every rank takes the same decisions (EarlyStopping, nan);
for metrics of whole batches (a MeanMetricWrapper of a function) the step's outputs and targets are gathered
instead. Validation data is evaluated whole on every rank (the same weights give the same logs). Only rank 0
prints and writes files: the other ranks run fit silently and without the callbacks that write
(ModelCheckpoint, CSVLogger, ProgbarLogger); ``fit`` returns on every rank once rank 0 has written. Every rank
must hold the same arrays, and gathers only its slice's rows of each batch
(:meth:`DataLoader.shard <lucidnet.data.DataLoader.shard>`). A DataLoader with a
:class:`~lucidnet.data.DistributedSampler` already yields this rank's share: its batches are used as they are
(its batch size is per rank); any other loader's batches (and augmented batches, augmented whole) are sliced.

Checkpoints hold the global state (weights, optimizer, generators, epoch), so a run saved on N ranks resumes
exactly on any number of ranks, one included. Layers that draw random numbers while training (Dropout) draw
on each rank from its own generator, so such a model's run is statistically, not bitwise, one process's.
``evaluate`` and ``predict`` are not distributed: they run on the rank that calls them, over all the data.
"""
import numpy as np

from .. import distributed as dist
from ..data.distributed import DistributedSampler
from ..nn.parallel import Reducer, broadcast_tensors
from ..random import numpy_generator
from .callbacks import CSVLogger, ModelCheckpoint
from .data_adapter import ArrayDataAdapter
from .distribution import Distribution
from .progress import ProgbarLogger

__all__ = ["MPIDistribution", "WRITERS"]

WRITERS = (ModelCheckpoint, CSVLogger, ProgbarLogger)      # callbacks that write files or print: rank 0 only


class MPIDistribution(Distribution):
    """Data-parallel training across the ranks of an MPI job (joined on creation); see the module's docstring.

    Example:
        >>> import lucidnet.distributed as dist
        >>> d = MPIDistribution()              # started without mpiexec: a job of one process
        >>> d.distribute_batch([1, 2, 3], None)
        ([1, 2, 3], None)
        >>> dist.destroy_process_group()
    """

    def __init__(self):
        if not dist.is_initialized():
            dist.init_process_group()
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.reducer, self.model, self.sharded, self.where = None, None, False, "fit()"

    # ------------------------------------------------------------------------------------ before training

    def distribute_dataset(self, data, training=True, initial_epoch=0):
        """Check every rank holds the same data; for training, copy rank 0's shuffling state before each epoch
        (or, for a DataLoader with a DistributedSampler, call its ``set_epoch`` with the epoch)."""
        if self.size == 1:
            return data
        sampler = getattr(getattr(data, "loader", None), "sampler", None)
        if not training:
            if isinstance(sampler, DistributedSampler):
                raise ValueError("fit(): expected validation data that every rank evaluates whole (arrays, or a "
                                 "DataLoader without a DistributedSampler), got a DataLoader with a "
                                 "DistributedSampler; each rank would log its own shard's results.")
            return data
        sizes = [None] * self.size
        dist.all_gather_object(sizes, data.num_samples)
        other = next((r for r, s in enumerate(sizes) if s != sizes[0]), None)
        if other is not None:
            raise ValueError(f"fit(): expected the same data on every rank (each rank trains on its slice of every "
                             f"global batch), got {sizes[0]} samples on rank 0 and {sizes[other]} on rank {other}.")
        batch_size = getattr(data, "batch_size", None)
        if batch_size is not None and batch_size < self.size:
            raise ValueError(f"fit(): expected batch_size >= the number of ranks ({self.size}): it is the global "
                             f"batch, cut into one slice per rank; got {batch_size}.")
        by_sampler = isinstance(sampler, DistributedSampler)
        # arrays: each rank gathers its slice of every batch, not the whole batch
        part = (self.rank, self.size) if isinstance(data, ArrayDataAdapter) else None
        self.sharded = by_sampler or part is not None
        return _SameOrder(data, sampler if by_sampler else None, initial_epoch, part)

    def distribute_callbacks(self, callbacks, verbose):
        """Rank 0 keeps every callback and reports; the others drop the callbacks that write files, and are silent."""
        if self.rank == 0:
            return callbacks, verbose
        return [cb for cb in callbacks if not isinstance(cb, WRITERS)], 0

    def distribute_model(self, model):
        """Once the model is built: copy rank 0's weights and buffers to every rank."""
        if self.size > 1:
            broadcast_tensors(list(model.parameters()) + list(model.buffers()))
            if self.model is not model:
                self.model, self.reducer = model, None

    # ------------------------------------------------------------------------------------ each step

    def distribute_batch(self, x, y):
        """This rank's contiguous slice of the global batch (numpy's array_split), counted for the average (a
        batch that is already this rank's share, from the data, is only counted)."""
        if self.size == 1:
            return x, y
        if not self.sharded:
            base, extra = divmod(len(x), self.size)
            start = self.rank * base + min(self.rank, extra)
            mine = slice(start, start + base + (self.rank < extra))
            x, y = x[mine], (None if y is None else y[mine])
        self.samples = len(x)
        return x, y

    def reduce_gradients(self, parameters):
        """Average the gradients over the ranks, each rank's weighted by its slice's size."""
        if self.size == 1:
            return
        if self.reducer is None or self.reducer.ids != tuple(id(p) for p in parameters if p.requires_grad):
            self.reducer = Reducer([(str(i), p) for i, p in enumerate(parameters)], hooks=False)
        self.reducer.add_samples(self.samples)
        self.reducer.reduce_now()

    def reduce_logs(self, loss, n, outputs, targets, metrics=()):
        """The global batch's loss and count, and its metrics: when every metric is additive (its state a sum
        over samples), each rank adds its slice's sums to ``metrics`` and one small gather of numbers joins them
        (outputs come back None: the metrics are up to date); otherwise every rank's outputs and targets are
        gathered and joined in rank order, for the caller to update the metrics with."""
        if self.size == 1:
            return loss, n, outputs, targets
        if outputs is None or all(m.additive for m in metrics):
            return self._sum_logs(loss, n, outputs, targets, metrics)
        parts = [None] * self.size
        dist.all_gather_object(parts, (loss, n, outputs, targets))
        parts = [p for p in parts if p[1]]
        total = sum(p[1] for p in parts)
        loss = sum(p[0] * p[1] for p in parts) / total
        if isinstance(outputs, (list, tuple)):
            outputs = type(outputs)(np.concatenate(o) for o in zip(*(p[2] for p in parts)))
        else:
            outputs = np.concatenate([p[2] for p in parts])
        targets = None if targets is None else np.concatenate([p[3] for p in parts])
        return loss, total, outputs, targets

    def _sum_logs(self, loss, n, outputs, targets, metrics):
        """reduce_logs for additive metrics: each rank's (loss sum, count, each metric's total and count) gathered
        and added in rank order (the same numbers, bit for bit, on every rank)."""
        metrics = metrics if outputs is not None else ()
        mine = [loss * n if n else 0.0, n]           # (a rank with no samples has a nan loss: it counts 0)
        for m in metrics:
            part = m.fresh()
            if n:
                part.update_state(outputs, targets)
            mine += [part.total, part.count]
        parts = [np.empty(len(mine)) for _ in range(self.size)]
        dist.all_gather(parts, np.array(mine, dtype=np.float64))
        sums = [0.0] * len(mine)
        for part in parts:                       # rank order
            for i, v in enumerate(part.tolist()):
                sums[i] += v
        for i, m in enumerate(metrics):
            m.total += sums[2 + 2 * i]
            m.count += int(sums[3 + 2 * i])
        total = int(sums[1])
        return (sums[0] / total if total else float("nan")), total, None, None

    def end_fit(self):
        """The end of a fit that went well: wait until every rank (rank 0 writing its files) is done."""
        if self.size > 1:
            dist.barrier()


class _SameOrder:
    """A training data adapter whose every epoch starts from rank 0's shuffling state (the same batches on all
    ranks), or sets its DistributedSampler's epoch; with ``part = (rank, size)``, an ArrayDataAdapter's epochs
    are of this rank's slices only. Everything else is the adapter's."""

    def __init__(self, data, sampler, epoch, part=None):
        self.data, self.sampler, self.epoch, self.part = data, sampler, epoch, part

    def __getattr__(self, name):
        return getattr(self.data, name)

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        if self.sampler is not None:
            self.sampler.set_epoch(self.epoch)
            self.epoch += 1
            return iter(self.data)
        loader = getattr(self.data, "loader", None)
        generator = getattr(loader, "generator", None)
        if loader is not None and (getattr(loader, "shuffle", False) or generator is not None):
            bits = numpy_generator(generator).bit_generator
            state = [bits.state]
            dist.broadcast_object_list(state, src=0)
            bits.state = state[0]
        return iter(self.data) if self.part is None else self.data.shard(*self.part)
