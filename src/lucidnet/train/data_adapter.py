"""Data adapters: what ``fit``, ``evaluate`` and ``predict`` accept as data, judged at the door and served as
batches of NumPy arrays.

Two kinds of data come in:

- **arrays** (NumPy arrays, Tensors, nested lists): checked once (numbers, one row per sample, x and y of the
  same length, finite), floats converted once to the default dtype, then batched by a
  ``DataLoader(TensorDataset(x, y))``: one permutation per epoch when shuffling, one gather per batch, never a
  copy of the whole;
- **a loader** (a DataLoader, or any iterable of ``(x, y)`` / ``(x,)`` / ``x`` batches): used as it is.

Data is judged by its kind, not by whether it can be iterated: an array of another library (a ``torch.Tensor``,
anything with ``__array__``) is arrays, never a loader; a list or tuple of arrays is refused (a lucidnet model
takes one input: ``np.stack`` them if each is a sample). The first axis of x is always samples, so a 1-D x is
N samples of one value each: right for a model of one id per sample (an Embedding), refused with the fix for a
model built for vectors (a single sample needs its batch axis: ``x[None]``; N one-feature samples:
``x.reshape(-1, 1)``).

:func:`adapt` picks the adapter by the kind of ``x``; both give ``(x_batch, y_batch or None)`` array pairs.

Example:
    >>> import numpy as np
    >>> adapter = adapt("fit()", np.arange(10.0).reshape(5, 2), np.arange(5), batch_size=2)
    >>> len(adapter), [xb.shape for xb, _ in adapter], adapter.x.dtype
    (3, [(2, 2), (2, 2), (1, 2)], dtype('float32'))
"""
import math

import numpy as np

from .. import dtypes
from ..data.dataloader import DataLoader
from ..data.dataset import TensorDataset
from ..data.transforms import Transform
from ..tensor import Tensor
from ..validation import check_finite, check_int, numeric_array

__all__ = ["ArrayDataAdapter", "AugmentedData", "LoaderDataAdapter", "PeekedEpoch", "adapt", "as_array",
           "augment_generators", "has_len", "is_array_like", "is_loader", "split_validation"]


def is_array_like(v):
    """An array of another library (a torch.Tensor, a pandas frame, a JAX array): it converts by ``__array__``."""
    return isinstance(v, (np.ndarray, Tensor)) or hasattr(v, "__array__") or hasattr(v, "__array_interface__")


def as_array(v, where, name):
    """A NumPy array of numbers from an array, a Tensor (lucidnet's or another library's) or nested lists, one row
    per sample; floats in the default float dtype. A list of arrays is refused: a lucidnet model takes one input,
    and stacking them silently would make each array one sample."""
    if isinstance(v, (list, tuple)) and v and all(is_array_like(e) and np.ndim(_plain(e)) >= 1 for e in v):
        raise TypeError(f"{where}: expected {name} to be one array (or Tensor) with one row per sample, got a "
                        f"{type(v).__name__} of {len(v)} arrays. Pass np.stack({name}) if each is one sample, "
                        f"np.concatenate({name}) if each is a batch.")
    v = numeric_array(_plain(v), where, name)
    if v.ndim == 0:
        raise ValueError(f"{where}: expected {name} with one row per sample, got a 0-d array.")
    default = dtypes.get_default_dtype()
    if v.dtype.kind == "f" and v.dtype != default:
        v = v.astype(default)
    return v


def _plain(v):
    """Another library's tensor as a NumPy array (``detach()``, ``cpu()`` where it has them), else ``v``."""
    if isinstance(v, (np.ndarray, Tensor, list, tuple)) or not hasattr(v, "__array__"):
        return v
    for step in ("detach", "cpu"):
        fn = getattr(v, step, None)
        if callable(fn):
            try:
                v = fn()
            except (TypeError, ValueError, RuntimeError):
                break
    return v


def is_loader(x):
    """Whether ``x`` is a loader (an iterable of batches) rather than arrays: never an array of another library
    (a torch.Tensor iterates over its rows, but it is data, not batches), a list or a tuple."""
    return not isinstance(x, (list, tuple)) and not is_array_like(x) and hasattr(x, "__iter__")


def _same_length(xa, ya, where):
    if ya is not None and len(ya) != len(xa):
        raise ValueError(f"{where}: expected x and y with the same number of samples, got {len(xa)} and {len(ya)}.")


def split_validation(x, y, validation_split, where):
    """``(x_train, y_train), (x_val, y_val)``: the last ``validation_split`` of the arrays held out, as Keras does
    (taken before any shuffling)."""
    if is_loader(x):
        raise ValueError(f"{where}: validation_split needs arrays; with a DataLoader pass validation_data.")
    xa, ya = as_array(x, where, "x"), None if y is None else as_array(y, where, "y")
    _same_length(xa, ya, where)
    split = int(math.floor(len(xa) * (1.0 - validation_split)))
    if split == 0 or split == len(xa):
        raise ValueError(f"{where}: validation_split={validation_split} of {len(xa)} samples leaves {split} to train "
                         f"on and {len(xa) - split} to validate on; expected both > 0.")
    return (xa[:split], None if ya is None else ya[:split]), (xa[split:], None if ya is None else ya[split:])


class ArrayDataAdapter:
    """Batches of arrays ``x`` (and ``y``), by a DataLoader over a TensorDataset.

    Args:
        x, y: checked arrays (``y`` may be None).
        batch_size: samples per batch.
        shuffle: a new order every epoch, drawn from ``generator`` (None: the default generator).

    Attributes:
        x, y: the arrays; num_samples: their length; batch_size; loader: the DataLoader.
    """

    def __init__(self, x, y, batch_size, shuffle=False, generator=None):
        self.x, self.y, self.batch_size, self.num_samples = x, y, batch_size, len(x)
        dataset = TensorDataset(x) if y is None else TensorDataset(x, y)
        self.loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        return self.shard(0, 1)

    def shard(self, rank, parts):
        """One epoch of slice ``rank`` of ``parts`` of every batch, only those rows gathered (see
        :meth:`DataLoader.shard <lucidnet.data.DataLoader.shard>`): a data-parallel rank's share."""
        for batch in self.loader.shard(rank, parts):
            yield batch[0].array, (batch[1].array if len(batch) == 2 else None)


class LoaderDataAdapter:
    """Batches from a DataLoader (or any iterable of ``(x, y)``, ``(x,)`` or ``x`` batches), as arrays.

    Attributes:
        loader: the loader; x, y, num_samples: None (unknown until iterated).
    """
    x = y = num_samples = None

    def __init__(self, loader, where):
        self.loader, self.where = loader, where

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            if isinstance(batch, (tuple, list)):
                if len(batch) == 2:
                    x, y = batch
                elif len(batch) == 1:
                    x, y = batch[0], None
                else:
                    raise ValueError(f"{self.where}: expected the data to yield (x, y) batches, got a "
                                     f"{type(batch).__name__} of {len(batch)} items.")
            else:
                x, y = batch, None
            x = x.array if isinstance(x, Tensor) else np.asarray(x)
            y = y.array if isinstance(y, Tensor) else (None if y is None else np.asarray(y))
            yield x, y


def adapt(where, x, y=None, batch_size=None, shuffle=False, generator=None):
    """The adapter for data given to ``fit`` / ``evaluate`` / ``predict``: arrays are checked here (types, lengths,
    finite values), a loader is taken as it is (with ``y=None`` and no ``batch_size``).

    Args:
        where: the caller's name, for errors ("fit()").
        x, y: arrays (y may be None), or a loader as ``x``.
        batch_size: samples per batch with arrays. Default: 32.
        shuffle, generator: reshuffle the arrays every epoch, drawing from ``generator`` (None: the default).
    """
    if x is None:
        raise ValueError(f"{where}: expected data x (arrays or a DataLoader), got None.")
    if is_loader(x):
        if y is not None:
            raise ValueError(f"{where}: expected y=None when x is a DataLoader (it yields (x, y) batches), got y of "
                             f"type {type(y).__name__}.")
        if batch_size is not None:
            raise ValueError(f"{where}: expected batch_size=None with a DataLoader (it makes its own batches), got "
                             f"{batch_size}.")
        return LoaderDataAdapter(x, where)
    batch_size = 32 if batch_size is None else check_int(where, "batch_size", batch_size)
    xa = as_array(x, where, "x")
    ya = None if y is None else as_array(y, where, "y")
    _same_length(xa, ya, where)
    if not len(xa):
        raise ValueError(f"{where}: expected at least one sample, got x of shape {tuple(xa.shape)}.")
    check_finite(xa, where, "x")
    if ya is not None:
        check_finite(ya, where, "y")
    return ArrayDataAdapter(xa, ya, batch_size, shuffle, generator)


def has_len(obj):
    """Whether ``len(obj)`` works (a loader over an iterable dataset may not know its length)."""
    try:
        len(obj)
        return True
    except TypeError:
        return False


def augment_generators(augment, where):
    """``{"augment<i>": generator}``: the generators ``augment``'s transforms were given (a checkpoint saves their
    states with the run's, so a resumed run draws what an uninterrupted one would); checks ``augment``."""
    if augment is None:
        return {}
    if not callable(augment):
        raise TypeError(f"{where}: expected augment to be a transform (e.g. lucidnet.transforms.Compose([...])) or "
                        f"a callable taking a batch, got {type(augment).__name__}.")
    own = augment.generators() if isinstance(augment, Transform) else []
    return {f"augment{i}": g for i, g in enumerate(own)}


class AugmentedData:
    """Training batches with ``augment`` applied to each batch's inputs (``augment.batch(x, generator)`` for a
    transform, ``augment(x)`` for another callable); everything else is the wrapped adapter's."""

    def __init__(self, data, augment, generator, where):
        self.data, self.augment, self.generator, self.where = data, augment, generator, where

    def __getattr__(self, name):
        return getattr(self.data, name)

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        for x, y in self.data:
            if isinstance(self.augment, Transform):
                out = self.augment.batch(x, self.generator)
            else:
                out = self.augment(x)
            out = out.array if isinstance(out, Tensor) else np.asarray(out)
            if out.ndim == 0 or len(out) != len(x):
                raise ValueError(f"{self.where}: expected augment to return a batch of {len(x)} samples, got shape "
                                 f"{tuple(out.shape)} from inputs of shape {tuple(x.shape)}.")
            yield out, y


class PeekedEpoch:
    """An epoch's batches whose first one was already taken (to build the model before the epoch starts): that
    batch, then the rest of the same iterator, so nothing is drawn twice."""

    def __init__(self, first, rest, batches):
        self.first, self.rest, self.batches = first, rest, batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        yield self.first
        yield from self.rest
