"""What each rank runs in the MPI tests: ``mpiexec -n N python mpi_worker.py SCENARIO [SCENARIO ...]``.

Every scenario checks its own results (an assert fails: the rank's exception aborts the whole job) and rank 0
prints ``OK <scenario>`` at the end; test_mpi.py reads the exit code and the output.
"""
import os
import signal
import sys
import time

import numpy as np

import lucidnet
import lucidnet.distributed as dist
from lucidnet import nn
from lucidnet.data import DataLoader, DistributedSampler, TensorDataset
from lucidnet.nn.parallel import DistributedDataParallel as DDP


def collectives():
    rank, size = dist.get_rank(), dist.get_world_size()
    for dtype in (np.float32, np.float64, np.int64):
        t = lucidnet.tensor(np.array([rank + 1, -rank, 2], dtype=dtype))
        dist.all_reduce(t)
        assert t.tolist() == [size * (size + 1) // 2, -size * (size - 1) // 2, 2 * size], t
        for op, expect in ((dist.ReduceOp.MAX, size), (dist.ReduceOp.MIN, 1), (dist.ReduceOp.PRODUCT,
                                                                                 float(np.prod(range(1, size + 1))))):
            t = lucidnet.tensor(np.array([rank + 1], dtype=dtype))
            dist.all_reduce(t, op=op)
            assert t.item() == expect, (op, t)
    t = lucidnet.tensor([float(rank)], dtype=lucidnet.float64)
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    assert abs(t.item() - (size - 1) / 2) < 1e-15
    grid = np.zeros((3, 4))
    grid[:, 1] = rank                                   # a non-contiguous column, reduced in place
    dist.all_reduce(grid[:, 1])
    assert grid[:, 1].tolist() == [size * (size - 1) / 2] * 3 and grid[:, 0].tolist() == [0, 0, 0]
    b = lucidnet.full((2,), float(rank))
    dist.broadcast(b, src=size - 1)
    assert b.tolist() == [size - 1.0] * 2
    out = [lucidnet.zeros(2) for _ in range(size)]
    dist.all_gather(out, lucidnet.full((2,), float(rank)))
    assert [o.tolist() for o in out] == [[float(r)] * 2 for r in range(size)]
    objs = [None] * size
    dist.all_gather_object(objs, {"rank": rank})
    assert objs == [{"rank": r} for r in range(size)]
    lst = [f"from {rank}"]
    dist.broadcast_object_list(lst, src=0)
    assert lst == ["from 0"]
    work = dist.all_reduce(lucidnet.ones(3), async_op=True)
    assert work.wait() and work.is_completed()
    dist.barrier()
    shared_memory_sums()


def shared_memory_sums():
    """Arrays of 64 KB and more are summed through shared memory (all ranks are on this machine): exact sums in
    rank order, every dtype, AVG, async, non-contiguous, a window that grows, calls in quick succession."""
    rank, size = dist.get_rank(), dist.get_world_size()
    for n in (20_000, 300_000, 20_001):                  # 300,000 float64 outgrow the first window
        for dtype in (np.float32, np.float64, np.int64):
            t = lucidnet.tensor((np.arange(n) % 1000 * (rank + 1)).astype(dtype))
            dist.all_reduce(t)
            assert np.array_equal(t.numpy(), (np.arange(n) % 1000 * (size * (size + 1) // 2)).astype(dtype)), dtype
    x = np.random.default_rng(rank).standard_normal(50_000)
    expect = sum(np.random.default_rng(r).standard_normal(50_000) for r in range(size))     # rank order
    mine = x.copy()
    dist.all_reduce(mine)
    assert np.array_equal(mine, expect)                  # bit for bit: one order, the same on every rank
    everyone = [None] * size
    dist.all_gather_object(everyone, mine.tobytes())
    assert all(e == everyone[0] for e in everyone)
    t = lucidnet.tensor(np.full(40_000, float(rank)))
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    assert work.wait() and np.all(t.numpy() == (size - 1) / 2)
    grid = np.zeros((20_000, 2))
    grid[:, 1] = rank + 1
    dist.all_reduce(grid[:, 1])
    assert np.all(grid[:, 1] == size * (size + 1) / 2) and np.all(grid[:, 0] == 0)
    for i in range(20):                                  # the two sets of slots in turn, no rank waiting
        t = np.full(30_000, float(i + rank))
        dist.all_reduce(t)
        assert np.all(t == size * i + size * (size - 1) / 2), i
    from lucidnet.distributed.group import default_group
    assert default_group("test").shared, "expected the shared-memory path to be used"
    shared = lucidnet.distributed.shared
    big, shared.MAX_WINDOW = shared.MAX_WINDOW, 1 << 20       # no room for a larger window: MPI sums it, exactly
    try:
        t = np.arange(400_000, dtype=np.float64) * (rank + 1)
        dist.all_reduce(t)
        assert np.array_equal(t, np.arange(400_000, dtype=np.float64) * (size * (size + 1) // 2))
        t = np.full(30_000, float(rank))                    # still fits the window it has: shared memory
        dist.all_reduce(t)
        assert np.all(t == size * (size - 1) / 2)
    finally:
        shared.MAX_WINDOW = big


def mlp(seed, dtype):
    lucidnet.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)).to(dtype)


def data(n, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5))
    return X.astype(dtype), (X @ rng.normal(size=(5, 3))).argmax(axis=1)     # a rule the MLP can learn


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def train_reference(X, y, batches, dtype, opt_name, accumulate=1, seed=0):
    """One process, the global batches as given: the loss curve and final weights to match."""
    model = mlp(seed, dtype)
    opt = make_opt(opt_name, model)
    losses = []
    for idx in batches:
        opt.zero_grad()
        parts = np.array_split(idx, accumulate)
        total = 0.0
        for part in parts:               # accumulation: the global mean, summed over micro-batches
            loss = nn.functional.cross_entropy(model(lucidnet.tensor(X[part])), lucidnet.tensor(y[part]))
            (loss * (len(part) / len(idx))).backward()
            total += loss.item() * len(part) / len(idx)
        opt.step()
        losses.append(total)
    return np.array(losses), [p.array.copy() for p in model.parameters()]


def make_opt(name, model):
    if name == "adam":
        return lucidnet.optim.Adam(model.parameters(), lr=0.01)
    return lucidnet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def global_mean(value, count):
    t = np.array([value * count if count else 0.0, count], dtype=np.float64)     # no samples: its nan loss counts 0
    dist.all_reduce(t)
    return t[0] / t[1]


def same_numbers_sliced(dtype, opt_name, B=10, steps=50, **ddp_args):
    """Each global batch of B cut into contiguous slices, one per rank (uneven when B % size != 0)."""
    rank, size = dist.get_rank(), dist.get_world_size()
    X, y = data(200, dtype)
    rng = np.random.default_rng(1)
    batches = [rng.choice(200, B, replace=False) for _ in range(steps)]
    ref_losses, ref_weights = train_reference(X, y, batches, dtype, opt_name, seed=100)
    model = DDP(mlp(100 + rank, dtype), **ddp_args)        # ranks start different: the wrap copies rank 0's
    opt = make_opt(opt_name, model)
    losses = []
    for idx in batches:
        mine = np.array_split(idx, size)[rank]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(lucidnet.tensor(X[mine])), lucidnet.tensor(y[mine]))
        loss.backward()
        opt.step()
        losses.append(global_mean(loss.item(), len(mine)))
    return np.array(losses), ref_losses, [p.array for p in model.module.parameters()], ref_weights


def check_close(losses, ref_losses, weights, ref_weights, tol, what):
    assert rel(losses, ref_losses) < tol, (what, rel(losses, ref_losses))
    for w, r in zip(weights, ref_weights):
        assert rel(w, r) < tol, (what, rel(w, r))
    assert ref_losses[-3:].mean() < ref_losses[:3].mean(), (what, "the loss should go down")


def same_numbers_shm():
    """same_numbers with every all_reduce through shared memory; DDP's gradients go into shared memory and their
    averages come back without passing through its buckets (one bucket, then one per parameter)."""
    lucidnet.distributed.shared.MIN_BYTES = 0
    try:
        same_numbers()
        rank, size = dist.get_rank(), dist.get_world_size()
        for cap in (None, 1e-4):                         # one bucket, then one per parameter
            model = DDP(mlp(0, np.float64), bucket_cap_mb=cap)
            X, y = data(6 * size, np.float64)
            mine = slice(6 * rank, 6 * (rank + 1))
            nn.functional.cross_entropy(model(lucidnet.tensor(X[mine])), lucidnet.tensor(y[mine])).backward()
            grads = [p.grad.numpy().copy() for p in model.module.parameters()]
            reference = mlp(0, np.float64)
            nn.functional.cross_entropy(reference(lucidnet.tensor(X)), lucidnet.tensor(y)).backward()
            for g, p in zip(grads, reference.parameters()):
                assert rel(g, p.grad.numpy()) < 1e-12, (cap, rel(g, p.grad.numpy()))
            assert not any(b.buffer.any() for b in model.reducer.buckets), cap    # shared memory to .grad directly
    finally:
        lucidnet.distributed.shared.MIN_BYTES = 64 << 10


def bucket_views():
    """gradient_as_bucket_view: each .grad is a view into its bucket, the same tensor on the same memory from step
    to step (the bucket is neither copied onto itself nor swapped for a new view)."""
    model = DDP(mlp(0, np.float64), gradient_as_bucket_view=True)
    X, y = data(8, np.float64)
    opt = lucidnet.optim.SGD(model.parameters(), lr=0.1)
    first = None
    for _ in range(3):
        opt.zero_grad(set_to_none=False)
        nn.functional.cross_entropy(model(lucidnet.tensor(X)), lucidnet.tensor(y)).backward()
        grads = [p.grad for p in model.module.parameters()]
        assert all(any(np.shares_memory(g.array, b.buffer) for b in model.reducer.buckets) for g in grads)
        first = first or grads
        assert all(g is f for g, f in zip(grads, first)), "expected .grad to stay the same tensor"
        opt.step()


def same_numbers():
    rank, size = dist.get_rank(), dist.get_world_size()
    # float64: one process's numbers to 1e-10 after 50 steps, uneven shards included (10 = 4 + 3 + 3 on 3 ranks)
    for opt_name in ("sgd", "adam"):
        check_close(*same_numbers_sliced(np.float64, opt_name), 1e-10, f"float64 {opt_name}")
    check_close(*same_numbers_sliced(np.float64, "sgd", bucket_cap_mb=1e-4), 1e-10, "many buckets")
    check_close(*same_numbers_sliced(np.float64, "sgd", gradient_as_bucket_view=True), 1e-10, "bucket views")
    bucket_views()
    # a global batch of 2: on 3 ranks one rank has no sample (its nan gradient must weigh nothing)
    check_close(*same_numbers_sliced(np.float64, "sgd", B=2, steps=10), 1e-10, "a rank without samples")
    # PyTorch's plain average over ranks: the same numbers when the shards are even (12 = 6 + 6 = 4 + 4 + 4)
    check_close(*same_numbers_sliced(np.float64, "sgd", B=12, average="ranks"), 1e-10, "average over ranks")
    # float32: summation-order noise only
    check_close(*same_numbers_sliced(np.float32, "sgd"), 1e-4, "float32")

    # DistributedSampler + DataLoader: rank r's batches of b are the global batches of size * b, shuffled by epoch
    n, b = 12 * size, 4
    X, y = data(n, np.float64)
    single = DistributedSampler(range(n), num_replicas=1, rank=0, seed=3)
    batches = []
    for epoch in range(3):
        single.set_epoch(epoch)
        order = list(single)
        batches += [np.array(order[i:i + b * size]) for i in range(0, n, b * size)]
    ref_losses, ref_weights = train_reference(X, y, batches, np.float64, "sgd", accumulate=1)
    model = DDP(mlp(0, np.float64))
    opt = make_opt("sgd", model)
    sampler = DistributedSampler(TensorDataset(X, y), seed=3)
    loader = DataLoader(TensorDataset(X, y), batch_size=b, sampler=sampler)
    losses = []
    for epoch in range(3):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(global_mean(loss.item(), len(yb)))
    check_close(np.array(losses), ref_losses, [p.array for p in model.module.parameters()], ref_weights, 1e-10,
                "DistributedSampler")

    # no_sync: two micro-batches per rank per step, one average per step
    X, y = data(200, np.float64)
    rng = np.random.default_rng(2)
    batches = [rng.choice(200, 8 * size, replace=False) for _ in range(20)]
    ref_losses, ref_weights = train_reference(X, y, [i for i in batches], np.float64, "sgd")
    model = DDP(mlp(0, np.float64))
    opt = make_opt("sgd", model)
    for idx in batches:
        first, second = np.array_split(np.array_split(idx, size)[rank], 2)
        opt.zero_grad()
        with model.no_sync():
            (nn.functional.cross_entropy(model(lucidnet.tensor(X[first])), lucidnet.tensor(y[first])) / 2).backward()
        (nn.functional.cross_entropy(model(lucidnet.tensor(X[second])), lucidnet.tensor(y[second])) / 2).backward()
        opt.step()
    for w, r in zip(model.module.parameters(), ref_weights):
        assert rel(w.array, r) < 1e-10, ("no_sync", rel(w.array, r))


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.used, self.spare = nn.Linear(3, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x):
        return self.used(self.body(x))


def unused_parameters():
    rank, size = dist.get_rank(), dist.get_world_size()
    inputs = [lucidnet.tensor(np.full((2, 3), r + 1.0)) for r in range(size)]
    lucidnet.manual_seed(0)
    model = DDP(TwoHeads().double(), find_unused_parameters=True)
    model(inputs[rank]).sum().backward()
    assert model.module.spare.weight.grad is None              # no rank used it: left alone, as in PyTorch
    lucidnet.manual_seed(0)
    ref = TwoHeads().double()
    for x in inputs:                                             # every rank's gradient, summed in one process
        ref(x).sum().backward()
    for name in ("body.weight", "body.bias", "used.weight", "used.bias"):
        got = dict(model.module.named_parameters())[name].grad.array
        want = dict(ref.named_parameters())[name].grad.array / size
        assert rel(got, want) < 1e-14, (name, rel(got, want))

    strict = DDP(TwoHeads().double())
    strict(inputs[rank]).sum().backward()
    try:
        strict(inputs[rank])
    except RuntimeError as e:
        assert "got none for spare.weight, spare.bias" in str(e) and "find_unused_parameters=True" in str(e), e
    else:
        raise AssertionError("a parameter without gradient should stop the next forward")


def buffers():
    """Rank 0's buffers reach every rank at wrap time and before each training forward (BatchNorm statistics)."""
    rank = dist.get_rank()
    lucidnet.manual_seed(rank)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    net[1].running_mean.array[...] = rank                      # ranks start with different statistics
    model = DDP(net)
    def everyone(t):
        out = [None] * dist.get_world_size()
        dist.all_gather_object(out, t.array.tolist())
        return out
    assert len({str(v) for v in everyone(net[1].running_mean)}) == 1
    assert everyone(net[1].running_mean)[0] == [0.0] * 4
    x_mine = lucidnet.tensor(np.random.default_rng(rank).normal(size=(5, 3)))
    model(x_mine).sum().backward()                             # each rank updates its statistics from its shard
    assert len({str(v) for v in everyone(net[1].running_mean)}) == dist.get_world_size()
    x_same = lucidnet.tensor(np.ones((5, 3)))
    model(x_same).sum().backward()                             # rank 0's copied in first, then the same update
    assert len({str(v) for v in everyone(net[1].running_mean)}) == 1


def fit_setup(epochs, out_dir, callbacks=(), model=None, **fit_args):
    """The Keras-style run that test_mpi.py also makes in one process: float64, global batch 10, validation."""
    lucidnet.set_default_dtype(lucidnet.float64)
    X, y = data(120, np.float64)
    if model is None:
        lucidnet.manual_seed(dist.get_rank() if dist.is_initialized() else 0)    # ranks differ: fit syncs them
        model = lucidnet.Sequential([nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    history = model.fit(X, y, epochs=epochs, batch_size=10, validation_split=0.25, seed=1, verbose=0,
                        callbacks=list(callbacks), **fit_args)
    return model, history.history


def fit():
    """fit on N ranks: 2 epochs checkpointed, then resumed from the file to 4; rank 0 writes what it got."""
    out = os.environ["FIT_DIR"]
    ckpt = os.path.join(out, "ckpt.safetensors")
    model, first = fit_setup(2, out, [lucidnet.train.ModelCheckpoint(ckpt, monitor="loss"),
                                      lucidnet.train.CSVLogger(os.path.join(out, "log.csv"))])
    assert dist.is_initialized() and lucidnet.distributed.get_world_size() > 1
    resumed, history = fit_setup(4, out, model=lucidnet.load(ckpt))
    if dist.get_rank() == 0:
        np.savez(os.path.join(out, "ranks.npz"), first_loss=first["loss"], first_val_loss=first["val_loss"],
                 first_acc=first["accuracy"], loss=history["loss"], val_accuracy=history["val_accuracy"],
                 **{f"w{i}": p.array for i, p in enumerate(resumed.parameters())})


def fit_sampler():
    """fit on a DataLoader with a DistributedSampler: per-rank batches of 4, the sampler's epoch set by fit."""
    lucidnet.set_default_dtype(lucidnet.float64)
    size = dist.get_world_size()
    n, b = 12 * size, 4
    X, y = data(n, np.float64)
    single = DistributedSampler(range(n), num_replicas=1, rank=0, seed=3)
    batches = []
    for epoch in range(2):
        single.set_epoch(epoch)
        order = list(single)
        batches += [np.array(order[i:i + b * size]) for i in range(0, n, b * size)]
    _, ref_weights = train_reference(X, y, batches, np.float64, "adam", seed=100)
    model = lucidnet.Sequential(list(mlp(100 + dist.get_rank(), np.float64)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", lr=0.01)
    loader = DataLoader(TensorDataset(X, y), batch_size=b, sampler=DistributedSampler(TensorDataset(X, y), seed=3))
    model.fit(loader, epochs=2, verbose=0)
    for w, r in zip(model.parameters(), ref_weights):
        assert rel(w.array, r) < 1e-10, ("fit with a DistributedSampler", rel(w.array, r))


def fit_metrics():
    """fit's logs on N ranks are one process's: additive metrics (accuracy, top-k) added up from each rank's
    slice, with no outputs gathered per step; a metric of whole batches (a max) from the gathered outputs."""
    from lucidnet.train import distribution, metrics
    lucidnet.set_default_dtype(lucidnet.float64)
    X, y = data(60, np.float64)                          # 6 global batches of 10 per epoch: 4 + 3 + 3 on 3 ranks

    def largest(y_pred, y_true):
        return float(np.max(y_pred))

    def run(metric_list):
        lucidnet.manual_seed(0)
        model = lucidnet.Sequential([nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=metric_list, lr=0.01)
        return model.fit(X, y, epochs=2, batch_size=10, verbose=0).history

    additive = lambda: ["accuracy", metrics.TopKAccuracy(k=2)]
    whole = lambda: [metrics.MeanMetricWrapper(largest)]
    gather, calls = dist.all_gather_object, []
    dist.all_gather_object = lambda *a, **k: (calls.append(1), gather(*a, **k))[1]
    shard, parts = DataLoader.shard, []                  # each rank loads only its slice of each batch
    DataLoader.shard = lambda self, rank, n: (parts.append(n), shard(self, rank, n))[1]
    try:
        ranks = run(additive())
        assert len(calls) < 6, f"expected no gather of outputs per step (12 steps), got {len(calls)} gathers"
        assert parts and set(parts) == {dist.get_world_size()}, parts
        del calls[:]
        ranks.update(run(whole()))
        assert len(calls) >= 12, len(calls)
    finally:
        dist.all_gather_object, DataLoader.shard = gather, shard
    previous = distribution.distribution()
    distribution.set_distribution(distribution.Distribution())       # one process, in this rank
    try:
        one = run(additive())
        one.update(run(whole()))
    finally:
        distribution.set_distribution(previous)
    assert ranks["accuracy"] == one["accuracy"] and ranks["top_k_accuracy"] == one["top_k_accuracy"], (ranks, one)
    for key in ("loss", "largest"):
        assert rel(np.array(ranks[key]), np.array(one[key])) < 1e-10, (key, ranks[key], one[key])


def threads():
    """Ranks on one machine share its cores: with no thread count chosen, each of the N ranks here uses
    cores // N threads (at least 1), lucidnet's and OpenBLAS's; a count chosen with LUCIDNET_NUM_THREADS is kept."""
    from lucidnet import _blas
    chosen = os.environ.get("LUCIDNET_NUM_THREADS")
    cores = sorted(os.sched_getaffinity(0))
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, cores)                  # (one machine: the test runs every rank here)
    expect = int(chosen) if chosen else max(1, len(cores) // everyone.count(cores))
    assert lucidnet.get_num_threads() == expect, (lucidnet.get_num_threads(), expect)
    if not chosen:
        blas = _blas.openblas_num_threads()
        assert blas == [expect] * len(blas) and (blas or not _blas._openblas_libraries()), (blas, expect)


def model_mismatch():
    rank = dist.get_rank()
    DDP(nn.Linear(3, 4 + rank))


def fault(kind):
    rank = dist.get_rank()
    if kind.endswith("_shm"):                            # every all_reduce through shared memory
        lucidnet.distributed.shared.MIN_BYTES, kind = 0, kind[:-4]
    model = DDP(mlp(0, np.float32))
    X, y = data(64, np.float32)
    for step in range(1000):
        if rank == 1 and step == 3:
            if kind == "raise":
                raise ValueError("rank 1 fails on purpose")
            if kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if kind == "hang":
                time.sleep(120)
        loss = nn.functional.cross_entropy(model(lucidnet.tensor(X[:8])), lucidnet.tensor(y[:8]))
        loss.backward()
    raise AssertionError("the other ranks should have been stopped")


if __name__ == "__main__":
    scenarios = sys.argv[1:]
    dist.init_process_group(timeout=float(os.environ.get("WORKER_TIMEOUT", 60)))
    for scenario in scenarios:
        if scenario in ("raise", "kill", "hang", "raise_shm", "kill_shm", "hang_shm"):
            fault(scenario)
        else:
            globals()[scenario]()
        dist.barrier()
        if dist.get_rank() == 0:
            print(f"OK {scenario} on {dist.get_world_size()} ranks", flush=True)
    dist.destroy_process_group()
