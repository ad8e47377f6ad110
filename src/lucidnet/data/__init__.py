"""lucidnet.data: datasets and data loading, as ``torch.utils.data``, plus the tutorials' datasets.

- :class:`Dataset`, :class:`TensorDataset`, :class:`Subset`, :class:`ConcatDataset`, :func:`random_split`;
- :class:`DataLoader` (seeded shuffling, ``drop_last``, ``collate_fn``; one NumPy gather per batch for arrays);
- samplers: :class:`Sampler`, :class:`SequentialSampler`, :class:`RandomSampler`, :class:`SubsetRandomSampler`,
  :class:`WeightedRandomSampler`, :class:`BatchSampler`, and :class:`DistributedSampler` (each rank's shard,
  PyTorch's indices);
- toy datasets: :func:`spiral`, :func:`vertical`, :func:`sine` (the nnfs book's), :func:`xor`, :func:`blobs`,
  :func:`moons`, :func:`linear_regression`;
- real ones: :func:`fashion_mnist`, :func:`mnist` (local copies first, else a verified download), and the IDX
  format they are stored in: :func:`load_idx`, :func:`save_idx`;
- text: :class:`CharTokenizer`, :class:`TokenWindows` (random windows of tokens), :func:`read_text` (any
  UTF-8 file), :func:`tiny_shakespeare`;
- preprocessing: :func:`one_hot`, :func:`standardize`, :class:`Standardizer`, :func:`train_test_split`;
- image transforms in torchvision's names, per sample and per batch: :mod:`lucidnet.data.transforms` (also
  ``lucidnet.transforms``).

Example:
    >>> from lucidnet.data import DataLoader, TensorDataset, spiral
    >>> X, y = spiral(100, 3, seed=0)
    >>> xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)))
    >>> xb.shape, yb.dtype
    (lucidnet.Size([32, 2]), lucidnet.int64)
"""
from .dataloader import DataLoader, default_collate
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .datasets import FASHION_MNIST_CLASSES, MNIST_CLASSES, cache_dir, fashion_mnist, mnist
from .idx import load_idx, save_idx
from .preprocessing import Standardizer, one_hot, standardize, train_test_split
from .text import TINY_SHAKESPEARE_SHA256, CharTokenizer, TokenWindows, read_text, tiny_shakespeare
from . import transforms
from .toy import blobs, linear_regression, moons, sine, spiral, vertical, xor

__all__ = [
    "BatchSampler", "CharTokenizer", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "FASHION_MNIST_CLASSES", "MNIST_CLASSES", "RandomSampler", "Sampler", "SequentialSampler", "Standardizer",
    "Subset", "SubsetRandomSampler", "TINY_SHAKESPEARE_SHA256", "TensorDataset", "TokenWindows",
    "WeightedRandomSampler", "blobs", "cache_dir", "default_collate", "fashion_mnist", "linear_regression",
    "load_idx", "mnist", "moons", "one_hot", "random_split",
    "read_text", "save_idx", "sine", "spiral", "standardize", "tiny_shakespeare", "train_test_split", "vertical", "xor",
]
