"""Samplers: the order in which a DataLoader visits a dataset, as ``torch.utils.data``'s samplers.

A sampler is an iterable of dataset indices with a length; ``DataLoader(dataset, sampler=...)`` cuts what it
yields into batches, and ``DataLoader(dataset, batch_sampler=...)`` takes whole batches of indices from a
batch sampler. ``shuffle=True`` is the same as ``sampler=RandomSampler(dataset)``.
"""
import numbers

import numpy as np

from ..random import Generator, numpy_generator

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
           "WeightedRandomSampler"]


class Sampler:
    """Base class of samplers: subclasses define ``__iter__`` (the indices) and usually ``__len__``.

    Example:
        >>> class Evens(Sampler):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter(range(0, self.n, 2))
        ...     def __len__(self): return (self.n + 1) // 2
        >>> list(Evens(5))
        [0, 2, 4]
    """

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Sampler must define __iter__().")


def _generator(generator, where):
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return Generator().manual_seed(int(generator))
    if generator is not None and not isinstance(generator, (Generator, np.random.Generator)):
        raise TypeError(f"{where}: expected generator to be a lucidnet.Generator, a numpy Generator or an int seed, "
                        f"got {type(generator).__name__}.")
    return generator


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order.

    Example:
        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices in a new random order for every pass (or ``num_samples`` drawn with replacement).

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement. Default: False.
        num_samples: how many indices per pass. Default: len(data_source).
        generator: a lucidnet.Generator, a NumPy Generator or an int seed; None: the default generator.

    Example:
        >>> sorted(RandomSampler(range(4), generator=0))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if num_samples is not None and (isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral)
                                        or num_samples <= 0):
            raise ValueError(f"RandomSampler(): expected num_samples to be a positive integer, got {num_samples!r}.")
        if num_samples is not None and not replacement and num_samples > len(data_source):
            raise ValueError(f"RandomSampler(): expected num_samples <= len(data_source) = {len(data_source)} "
                             f"without replacement, got {num_samples}. Pass replacement=True to draw more.")
        self.data_source, self.replacement = data_source, bool(replacement)
        self._num_samples = num_samples
        self.generator = _generator(generator, "RandomSampler()")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def indices(self):
        """This pass's indices as one NumPy array (what ``__iter__`` yields)."""
        rng, n = numpy_generator(self.generator), len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples)
        return rng.permutation(n)[:self.num_samples]

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order for every pass.

    Example:
        >>> sorted(SubsetRandomSampler([5, 7, 9], generator=0))
        [5, 7, 9]
    """

    def __init__(self, indices, generator=None):
        self.indices = list(indices)
        self.generator = _generator(generator, "SubsetRandomSampler()")

    def __iter__(self):
        order = numpy_generator(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability weights[i] / sum(weights)
    (with replacement by default): for rebalancing classes.

    Example:
        >>> list(WeightedRandomSampler([0.0, 0.0, 1.0], 3, generator=0))
        [2, 2, 2]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        w = np.asarray(getattr(weights, "array", weights), dtype=np.float64).reshape(-1)
        if w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler(): expected finite weights >= 0 with a positive sum, got "
                             f"{w.tolist() if w.size <= 8 else w.shape}.")
        if isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler(): expected num_samples to be a positive integer, got "
                             f"{num_samples!r}.")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler(): without replacement, expected num_samples <= the "
                             f"{np.count_nonzero(w)} nonzero weights, got {num_samples}.")
        self.weights, self.num_samples, self.replacement = w, int(num_samples), bool(replacement)
        self.generator = _generator(generator, "WeightedRandomSampler()")

    def __iter__(self):
        rng = numpy_generator(self.generator)
        return iter(rng.choice(len(self.weights), self.num_samples, replace=self.replacement,
                               p=self.weights / self.weights.sum()).tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter unless ``drop_last``).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"BatchSampler(): expected batch_size to be a positive integer, got {batch_size!r}.")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), bool(drop_last)

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
