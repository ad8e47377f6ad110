"""Samplers and DataLoader(sampler=, batch_sampler=): the same indices as PyTorch's, shard by shard."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.data import (BatchSampler, DataLoader, DistributedSampler, RandomSampler, SequentialSampler,
                           SubsetRandomSampler, TensorDataset)
from lucidnet.data.distributed import torch_randperm


@pytest.mark.parametrize("n, seed", [(0, 0), (1, 3), (2, 0), (10, 0), (97, 41), (1000, 2**32 + 7), (5000, -1)])
def test_torch_randperm_is_pytorchs(n, seed):
    expected = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    assert torch_randperm(n, seed) == expected


@pytest.mark.parametrize("n", [1, 2, 7, 10, 12, 101])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_gives_pytorchs_shards(n, replicas, shuffle, drop_last):
    data = list(range(n))
    for epoch in (0, 3):
        for rank in range(replicas):
            ours = DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=5,
                                      drop_last=drop_last)
            theirs = torch.utils.data.DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle,
                                                         seed=5, drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs)


def test_distributed_sampler_shards_cover_the_epoch_once_and_change_per_epoch():
    shards = [list(DistributedSampler(range(12), num_replicas=3, rank=r, seed=1)) for r in range(3)]
    assert sorted(sum(shards, [])) == list(range(12))
    s = DistributedSampler(range(12), num_replicas=3, rank=0, seed=1)
    first = list(s)
    assert list(s) == first                               # same epoch: same order
    s.set_epoch(1)
    assert list(s) != first


def test_distributed_sampler_needs_a_group_or_explicit_ranks():
    with pytest.raises(RuntimeError, match=r"DistributedSampler\(\): expected an initialized process group .* pass "
                                           r"num_replicas= and rank="):
        DistributedSampler(range(4))
    lucidnet.distributed.init_process_group()
    try:
        s = DistributedSampler(range(4), shuffle=False)
        assert (s.num_replicas, s.rank, list(s)) == (1, 0, [0, 1, 2, 3])
    finally:
        lucidnet.distributed.destroy_process_group()
    with pytest.raises(ValueError, match=r"expected rank in \[0, 1\], got 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="expected num_replicas >= 1, got 0"):
        DistributedSampler(range(4), num_replicas=0, rank=0)


def test_sequential_random_subset_and_batch_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    r = RandomSampler(range(50), generator=3)
    assert sorted(r) == list(range(50)) and list(r) != list(range(50)) and len(r) == 50
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=20, generator=0))
    assert len(drawn) == 20 and set(drawn) <= {0, 1, 2}
    assert sorted(SubsetRandomSampler([4, 8, 9], generator=1)) == [4, 8, 9]
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5]] and len(bs) == 2
    assert len(BatchSampler(range(7), 3, drop_last=False)) == 3
    with pytest.raises(ValueError, match="RandomSampler.*num_samples <= len"):
        RandomSampler(range(3), num_samples=5)


@pytest.mark.parametrize("fast", [True, False])
def test_dataloader_takes_the_samplers_order(fast):
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    ds = TensorDataset(X, y) if fast else [(X[i], int(y[i])) for i in range(10)]
    sampler = DistributedSampler(ds, num_replicas=3, rank=1, seed=2)
    loader = DataLoader(ds, batch_size=2, sampler=sampler)
    got = [int(v) for _, yb in loader for v in yb]
    assert got == list(sampler)
    assert len(loader) == 2 and [len(yb) for _, yb in loader] == [2, 2]
    assert len(DataLoader(ds, batch_size=3, sampler=sampler, drop_last=True)) == 1
    batches = DataLoader(ds, batch_sampler=[[9, 0], [5]])
    assert [yb.tolist() for _, yb in batches] == [[9, 0], [5]]
    xb, _ = next(iter(batches))
    np.testing.assert_array_equal(xb.array, X[[9, 0]])


def test_dataloader_sampler_arguments_are_checked_as_pytorch():
    ds = np.arange(6)
    with pytest.raises(ValueError, match="expected shuffle=False with a sampler"):
        DataLoader(ds, shuffle=True, sampler=SequentialSampler(ds))
    with pytest.raises(ValueError, match="expected batch_sampler alone"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(TypeError, match="expected sampler to be an iterable of indices, got int"):
        DataLoader(ds, sampler=3)
    # PyTorch agrees on what is refused
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(ds, shuffle=True, sampler=torch.utils.data.SequentialSampler(ds))
