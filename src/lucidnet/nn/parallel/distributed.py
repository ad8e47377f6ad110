"""DistributedDataParallel: the same model on every rank, kept equal by averaging gradients.

At wrap time rank 0's parameters and buffers are copied to every rank. In each step every rank runs forward
and backward on its own shard of the global batch; a :class:`~lucidnet.nn.parallel.reducer.Reducer` averages
the gradients across ranks in a few flat buffers as backward stores them, weighted by each rank's number of
samples (the leading axis of the forward's first tensor argument), so ``optimizer.step()`` takes the same step
everywhere.
"""
import contextlib

import numpy as np

from ... import distributed as dist
from ...autograd import is_grad_enabled
from ...tensor import Tensor
from ..module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel", "broadcast_tensors"]


def _batch_size(args, kwargs):
    """The leading-axis length of the first tensor or array among the forward's arguments, or None."""
    stack = list(args) + list(kwargs.values())
    while stack:
        a = stack.pop(0)
        if isinstance(a, (Tensor, np.ndarray)):
            return a.shape[0] if a.ndim else 1
        if isinstance(a, (list, tuple)):
            stack[:0] = list(a)
        elif isinstance(a, dict):
            stack[:0] = list(a.values())
    return None


class DistributedDataParallel(Module):
    """Data-parallel training: wrap the model on every rank, then train as usual; the ranks stay in step.

    Each rank feeds its own shard of the data (a :class:`lucidnet.utils.data.DistributedSampler`, or a slice
    of each global batch) through the wrapped model; after ``loss.backward()`` every rank holds the gradient
    of the whole global batch, so the same ``optimizer.step()`` keeps the copies equal.

    Args:
        module: the model (the same architecture on every rank; rank 0's weights are copied to the others).
        device_ids, output_device, dim: accepted so PyTorch code runs (lucidnet runs on the CPU); leave as None/0.
        broadcast_buffers: copy rank 0's buffers (BatchNorm's running statistics) to every rank before each
            training forward. Default: True.
        process_group: None (the default group).
        bucket_cap_mb: the most megabytes of gradients per flat buffer (one Allreduce each). Default: 25.
        find_unused_parameters: before backward, find the parameters the output does not depend on, so their
            missing gradient does not hold up the average. Default: False (every parameter must get a gradient
            in every step, else the next forward raises).
        gradient_as_bucket_view: leave each ``.grad`` as a view into its bucket instead of copying back
            (saves a copy; the next step overwrites it). Default: False.
        average: ``"samples"`` (weight each rank's gradient by its number of samples, so uneven shards give the
            global batch's mean) or ``"ranks"`` (the sum divided by the world size, as PyTorch). Default: samples.
        static_graph: accepted for PyTorch code; ignored.

    Shape:
        as the wrapped module's.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> from lucidnet import nn
        >>> dist.init_process_group()
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))
        >>> model(lucidnet.ones(3, 4)).sum().backward()
        >>> model.module.weight.grad.shape
        lucidnet.Size([2, 4])
        >>> dist.destroy_process_group()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, average="samples"):
        super().__init__()
        where = "DistributedDataParallel"
        if not isinstance(module, Module):
            raise TypeError(f"{where}(): expected a Module to wrap, got {type(module).__name__}.")
        if not dist.is_initialized():
            raise RuntimeError(f"{where}(): expected an initialized process group, got none. Call "
                               f"lucidnet.distributed.init_process_group() first.")
        if process_group is not None:
            raise ValueError(f"{where}(): expected process_group=None (the default group), got {process_group!r}.")
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value not in (None, "cpu") and value != ["cpu"]:
                raise ValueError(f"{where}(): lucidnet runs on the CPU, expected {name}=None, got {value!r}.")
        if dim != 0:
            raise ValueError(f"{where}(): expected dim=0 (batches split along their first axis), got {dim!r}.")
        if average not in ("samples", "ranks"):
            raise ValueError(f"{where}(): expected average='samples' or 'ranks', got {average!r}.")
        cap = 25.0 if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap > 0:
            raise ValueError(f"{where}(): expected bucket_cap_mb to be a positive number, got {bucket_cap_mb!r}.")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.average = average
        self.bucket_cap_mb = cap
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size()
        if self.world_size > 1:
            self._check_same_model()
            broadcast_tensors(list(module.parameters()) + list(module.buffers()))
        self.reducer = Reducer(module.named_parameters(), cap, average, find_unused_parameters,
                               gradient_as_bucket_view)

    # ------------------------------------------------------------------------------------ at wrap time

    def _check_same_model(self):
        mine = [(n, tuple(t.shape), str(t.array.dtype))
                for n, t in list(self.module.named_parameters()) + list(self.module.named_buffers())]
        everyone = [None] * self.world_size
        dist.all_gather_object(everyone, mine)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                diff = next((a, b) for a, b in zip(everyone[0] + [None], theirs + [None]) if a != b)
                raise ValueError(f"DistributedDataParallel(): expected the same model on every rank, got "
                                 f"{diff[0]} on rank 0 and {diff[1]} on rank {rank}.")

    # ------------------------------------------------------------------------------------ each step

    def forward(self, *inputs, **kwargs):
        syncing = self.world_size > 1 and is_grad_enabled()
        if syncing:
            self.reducer.check_finished("DistributedDataParallel")
            if self.broadcast_buffers and self.module.training:
                buffers = list(self.module.buffers())
                if buffers:
                    broadcast_tensors(buffers)
            if self.average == "samples":
                n = _batch_size(inputs, kwargs)
                if n is None:
                    raise ValueError("DistributedDataParallel: expected a tensor or array among the forward's "
                                     "arguments to count this rank's samples, got none. Pass average='ranks' to "
                                     "average gradients over ranks instead.")
                self.reducer.add_samples(n)
            self.reducer.disarm()
        out = self.module(*inputs, **kwargs)
        if syncing and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward(out)
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block backward only accumulates gradients locally; the first backward after it averages
        what was accumulated (gradient accumulation with one Allreduce per global step).

        Example:
            >>> import lucidnet, lucidnet.distributed as dist
            >>> from lucidnet import nn
            >>> dist.init_process_group()
            >>> model = nn.parallel.DistributedDataParallel(nn.Linear(2, 1))
            >>> with model.no_sync():
            ...     model(lucidnet.ones(4, 2)).sum().backward()       # accumulated, not averaged
            >>> model(lucidnet.ones(4, 2)).sum().backward()           # averaged, with what came before
            >>> dist.destroy_process_group()
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def extra_repr(self):
        return f"world_size={self.world_size}, buckets={len(self.reducer.buckets)}, average={self.average!r}"


def broadcast_tensors(tensors, src=0):
    """Copy rank ``src``'s values of ``tensors`` to every rank, in place: one flat broadcast per dtype.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> dist.init_process_group()
        >>> w = lucidnet.ones(2); broadcast_tensors([w]); w
        tensor([1., 1.])
        >>> dist.destroy_process_group()
    """
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.array.dtype, []).append(t)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([t.array.ravel() for t in group])
        dist.broadcast(flat, src=src)
        if dist.get_rank() != src:
            start = 0
            for t in group:
                t.array[...] = flat[start:start + t.array.size].reshape(t.array.shape)
                t._bump()
                start += t.array.size
