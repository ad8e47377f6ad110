"""DataLoader: iterate over a dataset in (shuffled) batches of Tensors, as ``torch.utils.data.DataLoader`` does.

Two paths give the same batches. The fast path serves a :class:`TensorDataset`, a bare array or tensor, and
any :class:`Subset` of those: each batch is one ``array[indices]`` per array, so loading costs what
hand-written NumPy costs. Every other dataset goes through the general path: ``dataset[i]`` per sample, then
``collate_fn`` (by default :func:`default_collate`) turns the list of samples into a batch.
"""
import collections.abc
import math
import numbers

import numpy as np

from .. import dtypes
from ..random import Generator, numpy_generator
from ..tensor import Tensor
from ..validation import check_int
from .dataset import Subset, TensorDataset

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure.

    Tensors and arrays are stacked along a new first axis (their dtype kept); Python ints become int64,
    floats the default float dtype (float32), bools bool; tuples, lists, named tuples and dicts are collated
    field by field and keep their type; strings are returned as a list.

    Args:
        batch: a list of samples, all with the same structure.

    Returns:
        The batch: Tensors in the samples' structure.

    Example:
        >>> import numpy as np
        >>> x, y = default_collate([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)])
        >>> x.shape, y
        (lucidnet.Size([2, 2]), tensor([1, 0]))
        >>> default_collate([{"x": 1.5}, {"x": 2.0}])
        {'x': tensor([1.5000, 2.0000])}
    """
    if not isinstance(batch, collections.abc.Sequence) or isinstance(batch, (str, bytes)) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of samples, got {type(batch).__name__}"
                        f"{' (empty)' if isinstance(batch, collections.abc.Sized) and not len(batch) else ''}.")
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray, np.generic)):
        arrays = [b.array if isinstance(b, Tensor) else np.asarray(b) for b in batch]
        if arrays[0].dtype == object:
            raise TypeError("default_collate: expected samples of numbers, got arrays of dtype object. Pass "
                            "collate_fn= to batch them yourself.")
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            a, b = sorted(shapes, key=str)[:2]
            raise ValueError(f"default_collate: expected samples of the same shape to stack, got {a} and {b}. "
                             f"Pass collate_fn= to batch them yourself (e.g. to pad sequences).")
        return Tensor._wrap(np.stack(arrays))
    if isinstance(elem, (bool, numbers.Number)) and not isinstance(elem, complex):
        arr = np.asarray(batch)
        kind = arr.dtype.kind
        if kind not in "biuf":
            raise TypeError(f"default_collate: expected numbers of one kind, got {arr.dtype} from "
                            f"{sorted({type(b).__name__ for b in batch})}.")
        dt = {"b": dtypes.bool_, "i": dtypes.int64, "u": dtypes.int64}.get(kind) or dtypes.get_default_dtype()
        return Tensor._wrap(arr.astype(dt, copy=False))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(out)
        except TypeError:
            return out
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(b) for b in batch}
        if len(sizes) > 1:
            raise ValueError(f"default_collate: expected samples with the same number of fields, got sizes "
                             f"{sorted(sizes)}.")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # namedtuple
            return type(elem)(*fields)
        if isinstance(elem, tuple):
            return tuple(fields)
        return fields
    raise TypeError(f"default_collate: expected samples made of tensors, arrays, numbers, tuples, lists or "
                    f"dicts, got {type(elem).__name__}. Pass collate_fn= to batch them yourself.")


def _fast_source(dataset):
    """(arrays, single, base) when batches can be cut with ``array[indices]``, else None.

    ``base`` maps loader positions to rows of the arrays (composed through nested Subsets), None for identity.
    """
    base = None
    while isinstance(dataset, Subset):
        base = dataset.indices if base is None else dataset.indices[base]
        dataset = dataset.dataset
    if isinstance(dataset, TensorDataset):
        return dataset.arrays, False, base
    if isinstance(dataset, (np.ndarray, Tensor)) and dataset.ndim > 0:
        return (dataset.array if isinstance(dataset, Tensor) else dataset,), True, base
    return None


def _part(start, end, cut):
    """Positions ``start:end`` of a batch, or, with ``cut = (rank, parts)``, array_split's slice ``rank`` of them."""
    if cut is None:
        return start, end
    rank, parts = cut
    base, extra = divmod(end - start, parts)
    lo = start + rank * base + min(rank, extra)
    return lo, lo + base + (rank < extra)


class DataLoader:
    """Iterate over a dataset in batches, optionally reshuffled every epoch.

    Each pass (``for xb, yb in loader``) is one epoch; with ``shuffle=True`` every sample appears exactly
    once per epoch, in a new order drawn from ``generator``. Seed it for a reproducible run; to resume one,
    save :meth:`state_dict` with your checkpoint at the end of an epoch and :meth:`load_state_dict` it back.

    Args:
        dataset: a :class:`Dataset` (anything with ``__len__`` and ``__getitem__``), a NumPy array or a
            Tensor (batches are then rows of it).
        batch_size: samples per batch. Default: 1.
        shuffle: draw a new order of the samples for every epoch. Default: False.
        drop_last: drop the last batch when it is smaller than ``batch_size``. Default: False.
        generator: where shuffling draws from: a :class:`lucidnet.Generator`, a NumPy generator or an int
            seed (a new Generator seeded with it); None draws from the default generator
            (``lucidnet.manual_seed``), as in PyTorch.
        collate_fn: turns a list of samples into a batch. Default: :func:`default_collate` (and the
            fast path for a TensorDataset, arrays or tensors).
        sampler: where the order of the indices comes from (a :class:`Sampler`, e.g. a
            :class:`DistributedSampler`, or any iterable of indices with a length); excludes ``shuffle``.
        batch_sampler: yields whole batches (lists of indices); excludes batch_size, shuffle, sampler and
            drop_last.
        num_workers, pin_memory: accepted so PyTorch code runs unchanged; lucidnet loads in the calling
            process (the fast path is one NumPy gather per batch, so workers would not help).

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5))
        >>> loader = DataLoader(ds, batch_size=2, shuffle=True, generator=0)
        >>> len(loader), [tuple(yb.shape) for _, yb in loader]
        (3, [(2,), (2,), (1,)])
        >>> sorted(int(y) for _, yb in loader for y in yb)
        [0, 1, 2, 3, 4]
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, *, drop_last=False, generator=None, collate_fn=None,
                 num_workers=0, pin_memory=False, sampler=None, batch_sampler=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader(): expected a dataset with __len__ and __getitem__ (a Dataset, an array "
                            f"or a Tensor), got {type(dataset).__name__}.")
        batch_size = check_int("DataLoader()", "batch_size", batch_size)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader(): expected collate_fn to be callable, got {type(collate_fn).__name__}.")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(f"DataLoader(): expected num_workers to be a non-negative integer, got {num_workers!r}.")
        if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
            generator = Generator().manual_seed(int(generator))
        elif generator is not None and not isinstance(generator, (Generator, np.random.Generator)):
            raise TypeError(f"DataLoader(): expected generator to be a lucidnet.Generator, a numpy Generator or an "
                            f"int seed, got {type(generator).__name__}.")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader(): expected shuffle=False with a sampler, got shuffle=True; the sampler "
                             "decides the order (RandomSampler shuffles).")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader(): expected batch_sampler alone, got it with batch_size, shuffle, sampler or "
                             "drop_last; the batch sampler decides all of them.")
        for name, s in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if s is not None and not hasattr(s, "__iter__"):
                raise TypeError(f"DataLoader(): expected {name} to be an iterable of indices, got {type(s).__name__}.")
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        return self.shard(0, 1)

    def shard(self, rank, parts):
        """One epoch, as iterating the loader gives it, but of every batch only slice ``rank`` of ``parts``
        contiguous slices (NumPy's array_split: the first ``len % parts`` slices one sample longer), and only
        those samples loaded: what one of ``parts`` data-parallel processes trains on (``fit`` under MPI).
        The order is drawn as for a whole epoch, so the slices of all ranks together are the loader's batches.

        Example:
            >>> loader = DataLoader(np.arange(10), batch_size=5)
            >>> [b.tolist() for b in loader.shard(0, 2)], [b.tolist() for b in loader.shard(1, 2)]
            ([[0, 1, 2], [5, 6, 7]], [[3, 4], [8, 9]])
        """
        parts = check_int("DataLoader.shard()", "parts", parts)
        rank = check_int("DataLoader.shard()", "rank", rank, minimum=0)
        if rank >= parts:
            raise ValueError(f"DataLoader.shard(): expected 0 <= rank < parts, got rank {rank} of {parts} parts.")
        cut = None if parts == 1 else (rank, parts)
        fast = _fast_source(self.dataset) if self.collate_fn is None else None
        if self.batch_sampler is not None:
            return self._sampled_batches(fast, cut)
        if self.sampler is not None:                                             # drawn now: one order per epoch
            order = np.asarray(list(self.sampler), dtype=np.intp).reshape(-1)
        else:
            order = numpy_generator(self.generator).permutation(len(self.dataset)) if self.shuffle else None
        n = len(self.dataset) if order is None else len(order)
        stop = n - n % self.batch_size if self.drop_last else n
        if fast is not None:
            return self._fast_batches(order, stop, cut, *fast)
        return self._batches(order, stop, cut)

    def _sampled_batches(self, fast, cut):
        collate = self.collate_fn or default_collate
        for idx in self.batch_sampler:
            if cut is not None:
                idx = list(idx)
                idx = idx[slice(*_part(0, len(idx), cut))]
            if fast is None:
                yield collate([self.dataset[i] for i in idx])
                continue
            arrays, single, base = fast
            idx = np.asarray(idx, dtype=np.intp)
            if base is not None:
                idx = base[idx]
            batch = [a[idx] for a in arrays]
            yield Tensor._wrap(batch[0]) if single else tuple(Tensor._wrap(b) for b in batch)

    def _fast_batches(self, order, stop, cut, arrays, single, base):
        bs = self.batch_size
        for start in range(0, stop, bs):
            start, end = _part(start, min(start + bs, stop), cut)
            if order is None and base is None:
                batch = [a[start:end].copy() for a in arrays]                # a copy: batches never alias data
            else:
                idx = order[start:end] if order is not None else base[start:end]
                if order is not None and base is not None:
                    idx = base[idx]
                batch = [a[idx] for a in arrays]
            yield Tensor._wrap(batch[0]) if single else tuple(Tensor._wrap(b) for b in batch)

    def _batches(self, order, stop, cut):
        collate = self.collate_fn or default_collate
        dataset, bs = self.dataset, self.batch_size
        for start in range(0, stop, bs):
            start, end = _part(start, min(start + bs, stop), cut)
            idx = range(start, end) if order is None else order[start:end].tolist()
            yield collate([dataset[i] for i in idx])

    # ------------------------------------------------------------------------------------------ resuming

    def _numpy_generator(self):
        return numpy_generator(self.generator)

    def state_dict(self):
        """The shuffling RNG's state, a JSON-able dict; save it with a checkpoint at the end of an epoch.

        With ``generator=None`` this is the default generator's state (which the loader shares).

        Example:
            >>> import numpy as np
            >>> loader = DataLoader(np.arange(6), batch_size=3, shuffle=True, generator=1)
            >>> state = loader.state_dict()
            >>> first = [b.tolist() for b in loader]
            >>> loader.load_state_dict(state)
            >>> [b.tolist() for b in loader] == first
            True
        """
        return {"generator": self._numpy_generator().bit_generator.state}

    def load_state_dict(self, state):
        """Restore a state from :meth:`state_dict`: the next epoch draws the same order as it did then."""
        if not isinstance(state, collections.abc.Mapping) or "generator" not in state:
            raise ValueError(f"DataLoader.load_state_dict(): expected a dict from state_dict() with key "
                             f"'generator', got {type(state).__name__}"
                             f"{' with keys ' + str(sorted(state)) if isinstance(state, dict) else ''}.")
        bit_generator = self._numpy_generator().bit_generator
        try:
            bit_generator.state = state["generator"]
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"DataLoader.load_state_dict(): expected the state of a "
                             f"{type(bit_generator).__name__} generator, got one it cannot load ({e}).") from None

    def __repr__(self):
        data = repr(self.dataset) if isinstance(self.dataset, (TensorDataset, Subset)) else type(self.dataset).__name__
        return (f"DataLoader({data}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
