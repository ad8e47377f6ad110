"""DistributedDataParallel: the same model on every rank, kept equal by averaging gradients.

At wrap time rank 0's parameters and buffers are copied to every rank. In each step every rank runs forward
and backward on its own shard of the global batch; as backward stores each parameter's gradient (a
post-accumulate-grad hook), the gradient is copied into a few large flat buffers ("buckets", one NumPy array
per up to ``bucket_cap_mb`` of gradients of one dtype, filled from the last layer back); each full bucket is
summed across ranks by one non-blocking Allreduce, in bucket order on every rank; when the last one is done
the averaged gradients are copied back into ``.grad``, so ``optimizer.step()`` takes the same step everywhere.

The average is over samples: each rank's gradient is weighted by the number of samples it ran forward on
since the last average (the leading axis of the first tensor argument), so shards of different sizes (a
global batch of 10 on 3 ranks: 4, 3, 3) give exactly the gradient of the global batch's mean loss.
``average="ranks"`` divides the plain sum by the world size instead, as PyTorch does (the two agree for equal
shards).
"""
import contextlib
import functools
import weakref

import numpy as np

from ... import distributed as dist
from ...autograd import is_grad_enabled
from ...tensor import Tensor
from ..module import Module

__all__ = ["DistributedDataParallel"]


class _Bucket:
    """One flat buffer: the gradients of ``params`` (one dtype) side by side, plus ``extra`` trailing slots."""

    def __init__(self, params, dtype, extra):
        self.params = params
        self.dtype = dtype
        self.offsets = np.cumsum([0] + [p.array.size for p in params]).tolist()
        self.size = self.offsets[-1]
        self.buffer = np.zeros(self.size + extra, dtype=dtype)
        self.pending = len(params)          # parameters whose gradient has not arrived yet this iteration
        self.work = None

    def view(self, i):
        p = self.params[i]
        return self.buffer[self.offsets[i]:self.offsets[i + 1]].reshape(p.array.shape)


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


def _leaves_reached(outputs):
    """ids of the leaf tensors that backward from ``outputs`` (tensors in any nesting) would reach."""
    seen_nodes, leaves, stack = set(), set(), [outputs]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            if o.grad_fn is None:
                leaves.add(id(o))
            elif id(o.grad_fn) not in seen_nodes:
                seen_nodes.add(id(o.grad_fn))
                stack.extend(o.grad_fn.inputs)
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
    return leaves


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
        (2, 4)
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
        self._names = {id(p): n for n, p in module.named_parameters()}
        if self.world_size > 1:
            self._check_same_model()
            self._broadcast_state(list(module.parameters()) + list(module.buffers()))
        self._buckets = self._build_buckets(cap * 2 ** 20)
        self._slot = {id(p): (b, i) for b in self._buckets for i, p in enumerate(b.params)}
        self._hooks = []
        if self.world_size > 1:
            hook = functools.partial(DistributedDataParallel._grad_ready, weakref.ref(self))
            self._hooks = [p.register_post_accumulate_grad_hook(hook) for b in self._buckets for p in b.params]
        self._armed = False                  # a forward prepared a reduction that backward has not finished
        self._ready = set()                  # ids of parameters whose gradient arrived this iteration
        self._next = 0                       # index of the next bucket to launch
        self._samples = 0                    # samples this rank ran forward on since the last average
        self._reached = set()                # with find_unused_parameters: ids of the parameters the output uses

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

    @staticmethod
    def _broadcast_state(tensors):
        """Copy rank 0's values of ``tensors`` to every rank: one flat broadcast per dtype."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t.array.dtype, []).append(t)
        for dtype, group in by_dtype.items():
            flat = np.concatenate([t.array.ravel() for t in group]) if group else np.zeros(0, dtype)
            dist.broadcast(flat, src=0)
            if dist.get_rank() != 0:
                start = 0
                for t in group:
                    t.array[...] = flat[start:start + t.array.size].reshape(t.array.shape)
                    t._bump()
                    start += t.array.size

    def _build_buckets(self, cap_bytes):
        """Buckets of trainable parameters, last layer first (the order backward reaches them), one dtype each."""
        params = [p for p in self.module.parameters() if p.requires_grad]
        buckets, open_ = [], {}                 # dtype -> params of the bucket being filled
        for p in reversed(params):
            group = open_.setdefault(p.array.dtype, [])
            if group and sum(q.array.nbytes for q in group) + p.array.nbytes > cap_bytes:
                buckets.append(group)
                group = open_[p.array.dtype] = []
            group.append(p)
        buckets += [g for g in open_.values() if g]
        extra = [0] * len(buckets)
        if buckets:
            extra[0] = (self.average == "samples") + (len(params) if self.find_unused_parameters else 0)
        return [_Bucket(g, g[0].array.dtype, e) for g, e in zip(buckets, extra)]

    # ------------------------------------------------------------------------------------ each step

    def forward(self, *inputs, **kwargs):
        syncing = self.world_size > 1 and is_grad_enabled()
        if syncing:
            if self._armed and self._ready:
                missing = [n for n, p in self.module.named_parameters() if id(p) in self._slot and
                           id(p) not in self._ready]
                raise RuntimeError(f"DistributedDataParallel: expected the previous backward to give every parameter "
                                   f"a gradient, got none for {', '.join(missing[:5])}"
                                   f"{' ...' if len(missing) > 5 else ''}, so the gradients were not averaged. Pass "
                                   f"find_unused_parameters=True if some parameters do not take part in every step.")
            if self.broadcast_buffers and self.module.training:
                buffers = list(self.module.buffers())
                if buffers:
                    self._broadcast_state(buffers)
            if self.average == "samples":
                n = _batch_size(inputs, kwargs)
                if n is None:
                    raise ValueError("DistributedDataParallel: expected a tensor or array among the forward's "
                                     "arguments to count this rank's samples, got none. Pass average='ranks' to "
                                     "average gradients over ranks instead.")
                self._samples += n
            self._armed = False
        out = self.module(*inputs, **kwargs)
        if syncing and self.require_backward_grad_sync:
            self._prepare_for_backward(out)
        return out

    def _prepare_for_backward(self, out):
        self._armed, self._ready, self._next = True, set(), 0
        for b in self._buckets:
            b.pending = len(b.params)
        if self.find_unused_parameters:
            self._reached = _leaves_reached(out)
            for b in self._buckets:
                for p in b.params:
                    if id(p) not in self._reached:
                        self._mark_ready(p)

    @staticmethod
    def _grad_ready(ref, p):
        """The post-accumulate-grad hook of each trainable parameter."""
        self = ref()
        if self is not None and self._armed:
            if id(p) in self._ready:
                raise RuntimeError(f"DistributedDataParallel: parameter {self._names.get(id(p), '?')} got a gradient "
                                   f"twice in one step (two backward passes after one forward); its average was "
                                   f"already started. Run forward again before each backward.")
            self._mark_ready(p)

    def _mark_ready(self, p):
        self._ready.add(id(p))
        bucket, _ = self._slot[id(p)]
        bucket.pending -= 1
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            self._launch(self._buckets[self._next])       # in bucket order on every rank: the Allreduces pair up
            self._next += 1
        if self._next == len(self._buckets):
            self._finish()

    def _launch(self, bucket):
        """Copy the weighted gradients into the bucket and start summing it across ranks."""
        weight = self._samples if self.average == "samples" else 1
        for i, p in enumerate(bucket.params):
            view = bucket.view(i)
            if p.grad is None or weight == 0:            # no gradient here (unused, or no samples on this rank)
                view[...] = 0
            elif weight == 1:
                if p.grad.array is not view:
                    np.copyto(view, p.grad.array)
            else:
                np.multiply(p.grad.array, weight, out=view)
        if bucket is self._buckets[0]:
            extra = bucket.buffer[bucket.size:]
            if self.average == "samples":
                extra[-1] = self._samples
            if self.find_unused_parameters:
                for j, p in enumerate(q for b in self._buckets for q in b.params):
                    extra[j] = id(p) in self._reached or p.grad is not None
        bucket.work = dist.all_reduce(bucket.buffer, async_op=True)

    def _finish(self):
        """Wait for every bucket, divide, and give each parameter its averaged gradient."""
        for b in self._buckets:
            b.work.wait()
            b.work = None
        first = self._buckets[0]
        total = first.buffer[-1] if self.average == "samples" else self.world_size
        used = None
        if self.find_unused_parameters:
            used = iter(first.buffer[first.size:first.size + len(self._slot)])
        for b in self._buckets:
            flat = b.buffer[:b.size]
            if total:
                flat /= total
            for i, p in enumerate(b.params):
                if used is not None and not next(used):
                    continue                     # no rank used it: its .grad stays as it was, as in PyTorch
                view = b.view(i)
                if self.gradient_as_bucket_view:
                    if p.grad is None or p.grad.array is not view:
                        p.grad = Tensor._wrap(view)
                elif p.grad is None:
                    p.grad = Tensor._wrap(view.copy())
                else:
                    np.copyto(p.grad.array, view)
        self._armed, self._ready, self._samples = False, set(), 0

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
        return f"world_size={self.world_size}, buckets={len(self._buckets)}, average={self.average!r}"
