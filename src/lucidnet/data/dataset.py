"""Datasets: the indexable collections a DataLoader draws from, as in ``torch.utils.data``.

A :class:`Dataset` is anything with ``__getitem__(i)`` and ``__len__()``. :class:`TensorDataset` holds
equal-length arrays (inputs, targets, ...) and is what the DataLoader's fast path batches with one
fancy-indexing per array; :class:`Subset` and :func:`random_split` select parts of a dataset without copying it.
"""
import math
import numbers

import numpy as np

from ..random import numpy_generator
from ..tensor import Tensor

__all__ = ["ConcatDataset", "Dataset", "Subset", "TensorDataset", "random_split"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i, i * i
        >>> len(Squares()), Squares()[3]
        (4, (3, 9))
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset must define __getitem__.")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset must define __len__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


def _as_array(data, where):
    if isinstance(data, Tensor):
        return data.array
    if isinstance(data, np.ndarray):
        return data
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected tensors or arrays, got {type(data).__name__} ({e}).") from None
    if arr.dtype == object:
        raise TypeError(f"{where}: expected tensors or arrays of numbers, got {type(data).__name__} that NumPy "
                        f"cannot turn into a numeric array.")
    return arr


class TensorDataset(Dataset):
    """Samples are rows of equal-length tensors or arrays: ``dataset[i] == (a[i], b[i], ...)``.

    Arrays are kept as they are (no copy, dtype unchanged); Python lists become arrays. A DataLoader over a
    TensorDataset builds each batch with one ``array[indices]`` per array.

    Args:
        *tensors: tensors or arrays with the same first dimension (the number of samples).

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0]))
        >>> len(ds), ds[1]
        (3, (tensor([2., 3.], dtype=lucidnet.float64), tensor(1)))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset(): expected at least one tensor or array, got none.")
        arrays = [_as_array(t, "TensorDataset()") for t in tensors]
        for a in arrays:
            if a.ndim == 0:
                raise ValueError(f"TensorDataset(): expected arrays with a first (sample) dimension, got a scalar "
                                 f"of shape {tuple(a.shape)}.")
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"TensorDataset(): expected tensors with the same number of samples (first "
                             f"dimension), got shapes {shapes}.")
        self.arrays = tuple(arrays)
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor._wrap(a) for t, a in zip(tensors, arrays))

    def __getitem__(self, index):
        return tuple(Tensor._wrap(np.asarray(a[index])) for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __repr__(self):
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return f"TensorDataset({shapes})"


def _check_indices(indices, n, where):
    idx = np.asarray(indices)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    if idx.dtype.kind not in "iu" or idx.ndim != 1:
        raise TypeError(f"{where}: expected a 1-D sequence of integer indices, got {idx.dtype} of shape "
                        f"{tuple(idx.shape)}.")
    lo, hi = int(idx.min()), int(idx.max())
    if lo < -n or hi >= n:
        raise IndexError(f"{where}: expected indices in [0, {n}) for a dataset of {n} samples, got values from "
                         f"{lo} to {hi}.")
    return np.where(idx < 0, idx + n, idx).astype(np.int64, copy=False)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (no copy of the data).

    Args:
        dataset: the dataset to select from.
        indices: integer indices into ``dataset``.

    Example:
        >>> import numpy as np
        >>> sub = Subset(TensorDataset(np.arange(10)), [7, 2])
        >>> len(sub), sub[0]
        (2, (tensor(7),))
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = _check_indices(indices, len(dataset), "Subset()")

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[int(self.indices[i])] for i in index]
        return self.dataset[int(self.indices[index])]

    def __len__(self):
        return len(self.indices)

    def __repr__(self):
        return f"Subset({len(self)} of {type(self.dataset).__name__} with {len(self.dataset)} samples)"


class ConcatDataset(Dataset):
    """Several datasets one after the other (``a + b`` for datasets).

    Args:
        datasets: the datasets, in order.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.arange(3)) + TensorDataset(np.arange(10, 12))
        >>> len(ds), ds[3]
        (5, (tensor(10),))
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset(): expected at least one dataset, got none.")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples.")
        if index < 0:
            index += n
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _split_lengths(lengths, n):
    """Integer lengths from counts or fractions, PyTorch's rule: floor each fraction, then hand the remainder
    out one by one from the first split."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split(): expected at least one length, got none.")
    for v in lengths:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v < 0:
            raise ValueError(f"random_split(): expected non-negative lengths or fractions, got {lengths}.")
    if all(isinstance(v, numbers.Integral) for v in lengths):
        if sum(lengths) != n:
            raise ValueError(f"random_split(): expected lengths that sum to the dataset's {n} samples, got "
                             f"{lengths} (sum {sum(lengths)}).")
        return [int(v) for v in lengths]
    if not math.isclose(sum(lengths), 1.0, abs_tol=1e-9) or any(v > 1 for v in lengths):
        raise ValueError(f"random_split(): expected sample counts that sum to {n} or fractions that sum to 1, "
                         f"got {lengths} (sum {sum(lengths):g}).")
    counts = [int(math.floor(n * f)) for f in lengths]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, generator=None):
    """Split a dataset into non-overlapping random subsets of the given lengths.

    Args:
        dataset: the dataset (or anything with ``__len__`` and ``__getitem__``) to split.
        lengths: sample counts that sum to ``len(dataset)``, or fractions that sum to 1 (each split gets
            ``floor(fraction * n)`` samples and the remainder is handed out one per split from the first,
            as in PyTorch).
        generator: a :class:`lucidnet.Generator`, a NumPy generator or an int seed; the default generator
            (``lucidnet.manual_seed``) when None.

    Returns:
        A list of :class:`Subset`, one per length.

    Example:
        >>> import numpy as np
        >>> train, val = random_split(TensorDataset(np.arange(10)), [0.8, 0.2], generator=0)
        >>> len(train), len(val), sorted(train.indices.tolist() + val.indices.tolist()) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    counts = _split_lengths(lengths, n)
    perm = numpy_generator(generator).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
