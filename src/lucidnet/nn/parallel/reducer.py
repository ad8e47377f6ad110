"""Reducer: averages the gradients of a set of parameters across ranks as backward stores them.

The parameters are laid out in flat buffers ("buckets", one NumPy array per up to ``bucket_cap_mb`` of
gradients of one dtype, filled from the last layer back, the order backward reaches them). Each parameter has
a post-accumulate-grad hook; when every parameter of a bucket has its gradient, the bucket is filled and one
non-blocking Allreduce sums it across ranks, in bucket order on every rank; as each is done its sums are divided
and copied back into ``.grad``. :class:`DistributedDataParallel` and data-parallel ``fit``
both use one: call :meth:`prepare_for_backward` before each backward whose gradients should be averaged.

The average is over samples: each rank's gradient is weighted by the number of samples it counted
(:meth:`add_samples`) since the last average, so shards of different sizes (a global batch of 10 on 3 ranks:
4, 3, 3) give exactly the gradient of the global batch's mean loss. ``average="ranks"`` divides the plain sum
by the world size instead, as PyTorch does (the two agree for equal shards).
"""
import functools
import weakref

import numpy as np

from ... import distributed as dist
from ...distributed.collectives import _slot_for_sum, _sum_slots
from ...tensor import Tensor

__all__ = ["Reducer"]


class _Bucket:
    """One flat buffer: the gradients of ``params`` (one dtype) side by side, plus ``extra`` trailing slots;
    ``first``: the position of its first parameter among all the buckets' parameters."""

    def __init__(self, params, dtype, extra, first):
        self.params, self.first = params, first
        self.offsets = np.cumsum([0] + [p.array.size for p in params]).tolist()
        self.size = self.offsets[-1]
        self.buffer = np.zeros(self.size + extra, dtype=dtype)
        self.views = [self._part(self.buffer, i) for i in range(len(params))]   # the same objects every step
        self.pending = len(params)          # parameters whose gradient has not arrived yet this iteration
        self.work = None

    def _part(self, arr, i):
        return arr[self.offsets[i]:self.offsets[i + 1]].reshape(self.params[i].array.shape)

    def view(self, i, of=None):
        """Parameter i's part of the buffer (always the same view), or of ``of``, an array laid out like it, in
        the parameter's shape."""
        return self.views[i] if of is None else self._part(of, i)


def leaves_reached(outputs):
    """ids of the leaf tensors that backward from ``outputs`` (tensors in any nesting) would reach.

    Example:
        >>> import lucidnet
        >>> a, b = lucidnet.ones(2, requires_grad=True), lucidnet.ones(2, requires_grad=True)
        >>> leaves_reached(a * 2) == {id(a)}
        True
    """
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


class Reducer:
    """Average the gradients of ``parameters`` across the ranks of the process group during backward.

    Args:
        named_parameters: ``(name, Parameter)`` pairs (``module.named_parameters()``); those that require grad
            are averaged.
        bucket_cap_mb: the most megabytes of gradients per flat buffer (one Allreduce each). Default: 25.
        average: ``"samples"`` or ``"ranks"`` (see the module's docstring). Default: samples.
        find_unused_parameters: :meth:`prepare_for_backward` walks the graph from the outputs and does not wait
            for parameters they do not use.
        gradient_as_bucket_view: leave each ``.grad`` a view into its bucket instead of copying back.
        hooks: average from hooks during backward (after :meth:`prepare_for_backward`); with False, call
            :meth:`reduce_now` after backward instead (what ``fit``'s MPI backend does).

    In a group of one process it registers nothing and every method returns at once.

    Example:
        >>> import lucidnet, lucidnet.distributed as dist
        >>> from lucidnet import nn
        >>> dist.init_process_group()
        >>> layer = nn.Linear(3, 2)
        >>> reducer = Reducer(layer.named_parameters())
        >>> reducer.add_samples(4); reducer.prepare_for_backward()
        >>> layer(lucidnet.ones(4, 3)).sum().backward()        # on N ranks: averaged before this returns
        >>> reducer.close(); dist.destroy_process_group()
    """

    def __init__(self, named_parameters, bucket_cap_mb=25.0, average="samples", find_unused_parameters=False,
                 gradient_as_bucket_view=False, hooks=True):
        named = [(n, p) for n, p in named_parameters if p.requires_grad]
        self.names = {id(p): n for n, p in named}
        self.ids = tuple(id(p) for _, p in named)
        self.average = average
        self.find_unused_parameters = bool(find_unused_parameters)
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.world_size = dist.get_world_size()
        self.buckets = self._build_buckets([p for _, p in named], bucket_cap_mb * 2 ** 20)
        self._slot = {id(p): b for b in self.buckets for p in b.params}
        self._hooks = []
        if self.world_size > 1 and hooks:
            hook = functools.partial(Reducer._grad_ready, weakref.ref(self))
            self._hooks = [p.register_post_accumulate_grad_hook(hook) for b in self.buckets for p in b.params]
        self._armed = False                  # prepared for a backward that has not finished averaging
        self._ready = set()                  # ids of parameters whose gradient arrived this iteration
        self._next = 0                       # index of the next bucket to launch
        self._samples = 0                    # samples this rank counted since the last average
        self._reached = set()                # with find_unused_parameters: ids of the parameters the output uses
        self._total, self._used = 1, None     # from the first bucket's sums: the divisor, which parameters were used

    def _build_buckets(self, params, cap_bytes):
        """Buckets of parameters, last layer first (the order backward reaches them), one dtype each."""
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
        firsts = np.cumsum([0] + [len(g) for g in buckets]).tolist()
        return [_Bucket(g, g[0].array.dtype, e, f) for g, e, f in zip(buckets, extra, firsts)]

    # ------------------------------------------------------------------------------------ each step

    def add_samples(self, n):
        """Count ``n`` more samples on this rank towards the next average's weight."""
        self._samples += int(n)

    def check_finished(self, where):
        """Raise if the last prepared backward gave some parameters their gradient and not others."""
        if self._armed and self._ready:
            missing = [self.names[id(p)] for b in reversed(self.buckets) for p in reversed(b.params)
                       if id(p) not in self._ready]
            raise RuntimeError(f"{where}: expected the previous backward to give every parameter a gradient, got none "
                               f"for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}, so the gradients "
                               f"were not averaged. Pass find_unused_parameters=True if some parameters do not "
                               f"take part in every step.")

    def prepare_for_backward(self, outputs=None):
        """Average the gradients of the next backward (``outputs``: what it starts from, for unused parameters)."""
        if self.world_size == 1:
            return
        self._armed, self._ready, self._next = True, set(), 0
        for b in self.buckets:
            b.pending = len(b.params)
        if self.find_unused_parameters:
            self._reached = leaves_reached(outputs)
            for b in self.buckets:
                for p in b.params:
                    if id(p) not in self._reached:
                        self._mark_ready(p)

    def reduce_now(self):
        """Average the gradients the parameters hold now (after backward), bucket by bucket."""
        if self.world_size == 1:
            return
        self._armed, self._ready = True, set()
        for b in self.buckets:
            self._launch(b)
        self._next = len(self.buckets)
        if self.buckets:
            self._finish()
        else:
            self._armed, self._samples = False, 0

    def disarm(self):
        """The next backward only accumulates gradients locally (``no_sync``)."""
        self._armed = False

    def close(self):
        """Remove the hooks: the parameters' gradients are no longer averaged."""
        for h in self._hooks:
            h.remove()
        self._hooks, self._armed = [], False

    @staticmethod
    def _grad_ready(ref, p):
        """The post-accumulate-grad hook of each parameter."""
        self = ref()
        if self is not None and self._armed:
            if id(p) in self._ready:
                raise RuntimeError(f"DistributedDataParallel: parameter {self.names[id(p)]} got a gradient twice in "
                                   f"one step (two backward passes after one forward); its average was already "
                                   f"started. Run forward again before each backward.")
            self._mark_ready(p)

    def _mark_ready(self, p):
        self._ready.add(id(p))
        self._slot[id(p)].pending -= 1
        while self._next < len(self.buckets) and self.buckets[self._next].pending == 0:
            self._launch(self.buckets[self._next])        # in bucket order on every rank: the Allreduces pair up
            self._next += 1
        if self._next == len(self.buckets):
            self._finish()

    def _launch(self, bucket):
        """Copy the weighted gradients into the bucket and start summing it across ranks.

        When the sum goes through shared memory (every rank on one machine), the gradients are copied straight
        into this rank's slot there instead of into the bucket, and the averages are read out of shared memory
        into ``.grad`` at once: the bucket is not touched, two copies of the gradients fewer per step."""
        weight = self._samples if self.average == "samples" else 1
        slot = _slot_for_sum(bucket.buffer)
        into = bucket.buffer if slot is None else slot
        for i, p in enumerate(bucket.params):
            view = bucket.view(i, into)
            if p.grad is None or weight == 0:            # no gradient here (unused, or no samples on this rank)
                view[...] = 0
            elif weight == 1:
                if p.grad.array is not view:
                    np.copyto(view, p.grad.array)
            else:
                np.multiply(p.grad.array, weight, out=view)
        if bucket is self.buckets[0]:
            extra = into[bucket.size:]
            if self.average == "samples":
                extra[-1] = self._samples
            if self.find_unused_parameters:
                for j, p in enumerate(q for b in self.buckets for q in b.params):
                    extra[j] = id(p) in self._reached or p.grad is not None
        if slot is None:
            bucket.work = dist.all_reduce(bucket.buffer, async_op=True)
        else:
            if bucket is not self.buckets[0]:
                self._wait(self.buckets[0])              # its sums hold the divisor
            self._deliver(bucket, _sum_slots(bucket.buffer))     # now: the next sum may reuse the slots

    def _wait(self, bucket):
        """Wait for a bucket's Allreduce, if it went through MPI, and deliver its averages."""
        if bucket.work is not None:
            bucket.work.wait()
            bucket.work = None
            self._deliver(bucket, bucket.buffer)

    def _deliver(self, bucket, summed):
        """Give each parameter of ``bucket`` its averaged gradient: the sums (an array laid out like the bucket)
        divided by the number of samples (or ranks); the first bucket's sums also say how many."""
        if bucket is self.buckets[0]:
            extra = summed[bucket.size:].copy()
            total = extra[-1] if self.average == "samples" else self.world_size
            self._total = total or 1                 # no samples anywhere: the sums are zeros
            self._used = extra[:len(self._slot)] if self.find_unused_parameters else None
        if self.gradient_as_bucket_view:
            np.divide(summed[:bucket.size], self._total, out=bucket.buffer[:bucket.size])
        for i, p in enumerate(bucket.params):
            if self._used is not None and not self._used[bucket.first + i]:
                continue                         # no rank used it: its .grad stays as it was, as in PyTorch
            if self.gradient_as_bucket_view:
                view = bucket.view(i)
                if p.grad is None or p.grad.array is not view:
                    p.grad = Tensor._wrap(view)
                continue
            if p.grad is None:
                p.grad = Tensor._wrap(bucket.view(i, summed) / self._total)
            else:
                np.divide(bucket.view(i, summed), self._total, out=p.grad.array)   # average and copy back in one pass
                p.grad._bump()

    def _finish(self):
        """Wait for the buckets still summing through MPI and deliver their averages."""
        for b in self.buckets:
            self._wait(b)
        self._armed, self._ready, self._samples = False, set(), 0
