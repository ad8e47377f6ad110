"""DistributedDataParallel in one process: a transparent wrapper with PyTorch's surface and checks.

The averaging itself runs across real ranks in test_mpi.py.
"""
import numpy as np
import pytest

import lucidnet
import lucidnet.distributed as dist
from lucidnet import nn
from lucidnet.nn.parallel import DistributedDataParallel as DDP


@pytest.fixture(autouse=True)
def group():
    dist.init_process_group()
    yield
    dist.destroy_process_group()


def model():
    lucidnet.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def test_one_rank_trains_exactly_as_the_bare_model():
    bare, wrapped = model(), DDP(model())
    x, y = lucidnet.randn(6, 4), lucidnet.tensor([0, 1, 2, 0, 1, 2])
    for m in (bare, wrapped):
        opt = lucidnet.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            nn.functional.cross_entropy(m(x), y).backward()
            opt.step()
    for a, b in zip(bare.parameters(), wrapped.module.parameters()):
        np.testing.assert_array_equal(a.array, b.array)


def test_surface_as_pytorch():
    ddp = DDP(model(), device_ids=None, broadcast_buffers=False, bucket_cap_mb=1)
    assert list(ddp.state_dict())[:2] == ["module.0.weight", "module.0.bias"]     # PyTorch's keys under DDP
    assert [p is q for p, q in zip(ddp.parameters(), ddp.module.parameters())] == [True] * 4
    assert repr(ddp).startswith("DistributedDataParallel(world_size=1, buckets=1, average='samples'  # 67 parameters\n"
                                "  (module): Sequential(")
    with ddp.no_sync():
        assert not ddp.require_backward_grad_sync
    assert ddp.require_backward_grad_sync


def test_buckets_hold_the_last_layer_first_within_the_cap():
    big = nn.Sequential(nn.Linear(256, 256), nn.Linear(256, 256), nn.Linear(256, 10))
    ddp = DDP(big, bucket_cap_mb=0.26)                 # a 256x256 float32 weight is 0.25 MB
    sizes = [[tuple(p.shape) for p in b.params] for b in ddp.reducer.buckets]
    assert sizes == [[(10,), (10, 256), (256,)], [(256, 256), (256,)], [(256, 256)]]


def test_wrong_arguments_are_refused():
    with pytest.raises(TypeError, match=r"DistributedDataParallel\(\): expected a Module to wrap, got function"):
        DDP(lambda x: x)
    with pytest.raises(ValueError, match="lucidnet runs on the CPU, expected device_ids=None, got \\[0\\]"):
        DDP(model(), device_ids=[0])
    with pytest.raises(ValueError, match="expected average='samples' or 'ranks', got 'mean'"):
        DDP(model(), average="mean")
    with pytest.raises(ValueError, match="expected bucket_cap_mb to be a positive number, got 0"):
        DDP(model(), bucket_cap_mb=0)


def test_needs_a_process_group():
    dist.destroy_process_group()
    try:
        with pytest.raises(RuntimeError, match=r"DistributedDataParallel\(\): expected an initialized process group, "
                                               r"got none. Call lucidnet.distributed.init_process_group\(\) first."):
            DDP(model())
    finally:
        dist.init_process_group()
