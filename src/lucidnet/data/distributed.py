"""DistributedSampler: each rank's share of a dataset, the same indices as PyTorch's for the same seed."""
import math
import numbers

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler", "torch_randperm"]


def torch_randperm(n, seed):
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()``, computed in NumPy.

    PyTorch's CPU generator is a Mersenne Twister (MT19937) seeded with the low 32 bits of ``seed``, and its
    randperm swaps position i with i + (next 32-bit draw mod (n - i)), for i = 0 .. n - 2 (a Fisher-Yates
    shuffle). NumPy's MT19937 seeded the legacy way gives the same draws, so lucidnet's shards are PyTorch's.

    Example:
        >>> torch_randperm(5, seed=0)
        [4, 0, 1, 3, 2]
    """
    state = np.random.RandomState(seed & 0xffffffff).get_state(legacy=False)
    bits = np.random.MT19937()
    bits.state = state
    order = list(range(n))
    if n > 1:
        draws = (bits.random_raw(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        for i, k in enumerate(draws):
            j = i + k
            order[i], order[j] = order[j], order[i]
    return order


class DistributedSampler(Sampler):
    """The indices of one rank's share of a dataset: every ``num_replicas``-th index of a (shuffled) order.

    With ``shuffle``, every epoch draws a new order from ``seed + epoch`` (call :meth:`set_epoch` at the start
    of each epoch, on every rank), the same on all ranks, and rank r takes positions r, r + num_replicas, ... of
    it. When the dataset does not divide evenly, the order is padded with its first indices so every rank gets
    the same number of samples (a few samples count twice per epoch), or with ``drop_last`` the tail is dropped.
    Indices, padding and shuffling are exactly PyTorch's (``torch.utils.data.DistributedSampler``).

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: how many ranks share it. Default: the process group's world size.
        rank: this rank. Default: the process group's rank.
        shuffle: a new order every epoch. Default: True.
        seed: where the shuffled orders come from; the same on every rank. Default: 0.
        drop_last: drop the tail instead of padding. Default: False.

    Example:
        >>> [list(DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
        [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
        >>> len(DistributedSampler(range(10), num_replicas=3, rank=0, drop_last=True))
        3
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler(): expected an initialized process group to take num_replicas "
                                   "and rank from, got none. Call lucidnet.distributed.init_process_group() first, "
                                   "or pass num_replicas= and rank=.")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        for name, value in (("num_replicas", num_replicas), ("rank", rank), ("seed", seed)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"DistributedSampler(): expected {name} to be an integer, got {value!r}.")
        if num_replicas <= 0:
            raise ValueError(f"DistributedSampler(): expected num_replicas >= 1, got {num_replicas}.")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler(): expected rank in [0, {num_replicas - 1}], got {rank}.")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last, self.epoch = bool(shuffle), int(seed), bool(drop_last), 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)     # PyTorch's formula
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self):
        n = len(self.dataset)
        indices = torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use epoch ``epoch``'s order next (call it on every rank before each epoch, or every epoch repeats one)."""
        self.epoch = int(epoch)
