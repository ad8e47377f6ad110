"""Data-parallel training over MPI: samples/s with 1 and 2 ranks, time in gradient averaging, and a cost model.

Each job is `mpiexec -n N python bench/distributed.py --worker MODEL` with one BLAS thread per rank; jobs with
1 and 2 ranks take turns (--rounds of each), so a drifting machine slows both alike. Per rank the batch is fixed
(weak scaling, as Horovod and PyTorch report it): the MLP and the CNN take 128 Fashion-MNIST images per rank
per step, so 2 ranks train on a global batch of 256. Each worker trains through DistributedDataParallel,
DistributedSampler and Adam ("mlp-fit": the same MLP through Keras's fit, which adds gathering each step's
loss and outputs for exact logs), and reports samples/s over all ranks and the time per step spent averaging
gradients (copying into the flat buckets, the Allreduce itself including waiting for the slower rank, and
copying back). The 2-rank job also times bare Allreduces of 8 B and 16 MB to fit the ring model's latency and
bandwidth on this machine, and predicts from them the MLP's averaging time, checked against the measurement.

The cost model (ring allreduce, no overlap with backward): a step on N ranks takes the 1-rank compute time
plus 2(N-1)/N x gradient bytes / bandwidth + 2(N-1) x latency; efficiency is compute / (compute + that).
It is evaluated at 8, 64 and 512 ranks for the MLP, the CNN and the GPT of issues 10 and 11 (float32
gradients) on 10 and 100 Gbit/s networks. Compute times per step come from lucidnet for the MLP (and the CNN
once nn.Conv2d exists), and from PyTorch (one thread) in the same run as a stand-in for the others (the GPT:
nanoGPT's CPU recipe, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, tied head, no biases).

    python bench/distributed.py [--quick] [--rounds 3] [--steps 200]

Target: >= 1.7x samples/s with 2 ranks vs 1. Run it on a quiet machine (check `uptime` first).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 128                        # per rank, MLP and CNN
GPT_PARAMS = 795_904 + 64 * 128    # issue 11: 795,904 without the position table (block 64 x n_embd 128)
CNN_PARAMS = 83_466                # issue 10
NETWORKS = {"10 Gbit/s": (10e9 / 8, 25e-6), "100 Gbit/s": (100e9 / 8, 5e-6)}   # bytes/s, latency per message
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ----------------------------------------------------------------------------------------------- a worker rank

def build(kind):
    import lucidnet
    from lucidnet import nn
    lucidnet.manual_seed(0)
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 10))


def time_allreduce(dist, nbytes, reps):
    buf = np.zeros(max(nbytes // 4, 1), dtype=np.float32)
    for _ in range(3):
        dist.all_reduce(buf)
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(reps):
        dist.all_reduce(buf)
    return (time.perf_counter() - t0) / reps


def fit_worker(steps):
    """The MLP through Keras's fit: under mpiexec it trains data-parallel by itself (global batch 128 x ranks)."""
    import lucidnet
    import lucidnet.distributed as dist
    from lucidnet import nn
    from lucidnet.data import fashion_mnist

    dist.init_process_group()
    size = dist.get_world_size()
    (x, y), _ = fashion_mnist(normalize=True, flatten=True)
    model = lucidnet.Sequential(list(build("mlp")))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    batch = BATCH * size
    model.fit(x[:10 * batch], y[:10 * batch], batch_size=batch, epochs=1, verbose=0, shuffle=True)    # warm-up
    n = steps * batch
    dist.barrier()
    t0 = time.perf_counter()
    model.fit(x[:n], y[:n], batch_size=batch, epochs=1, verbose=0, shuffle=True)
    elapsed = time.perf_counter() - t0
    if dist.get_rank() == 0:
        print("RESULT " + json.dumps({"ranks": size, "samples_per_s": n / elapsed, "step_ms": 1e3 * elapsed / steps,
                                      "averaging_ms": float("nan")}), flush=True)
    dist.destroy_process_group()


def worker(kind, steps):
    if kind == "mlp-fit":
        return fit_worker(steps)
    import lucidnet
    import lucidnet.distributed as dist
    from lucidnet import nn
    from lucidnet.data import DataLoader, DistributedSampler, TensorDataset, fashion_mnist
    from lucidnet.nn.parallel import DistributedDataParallel as DDP, Reducer

    dist.init_process_group()
    rank, size = dist.get_rank(), dist.get_world_size()
    (x, y), _ = fashion_mnist(normalize=True, flatten=(kind == "mlp"))
    if kind == "cnn":
        x = x.reshape(-1, 1, 28, 28)
    averaging = [0.0]
    ready = Reducer._grad_ready               # time the hooks: bucket copies, Allreduce and waiting, copy back

    def timed(ref, p):
        t0 = time.perf_counter()
        ready(ref, p)
        averaging[0] += time.perf_counter() - t0
    Reducer._grad_ready = staticmethod(timed)
    model = DDP(build(kind))
    opt = lucidnet.optim.Adam(model.parameters(), lr=1e-3)
    sampler = DistributedSampler(TensorDataset(x, y), seed=0)
    loader = DataLoader(TensorDataset(x, y), batch_size=BATCH, sampler=sampler, drop_last=True)
    warmup = 10
    batches = iter(loader)
    for i in range(warmup + steps):
        if i == warmup:
            dist.barrier()
            averaging[0] = 0.0
            t0 = time.perf_counter()
        xb, yb = next(batches)
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    elapsed = np.array([time.perf_counter() - t0, averaging[0]])
    dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
    out = {"ranks": size, "samples_per_s": size * BATCH * steps / elapsed[0], "step_ms": 1e3 * elapsed[0] / steps,
           "averaging_ms": 1e3 * elapsed[1] / steps, "grad_bytes": 4 * model.module.num_parameters(),
           "loss": float(loss.item())}
    if size > 1:                             # the ring model's two constants on this machine
        out["latency_s"] = time_allreduce(dist, 8, 200) / (2 * (size - 1))
        big = 16 * 2 ** 20
        t_big = time_allreduce(dist, big, 10)
        out["bandwidth_Bps"] = 2 * (size - 1) / size * big / max(t_big - 2 * (size - 1) * out["latency_s"], 1e-9)
        out["mlp_size_allreduce_ms"] = 1e3 * time_allreduce(dist, out["grad_bytes"], 50)
    if rank == 0:
        print("RESULT " + json.dumps(out), flush=True)
    dist.destroy_process_group()


# ----------------------------------------------------------------------------------------------- PyTorch stand-ins

def torch_step_ms(kind, steps):
    """ms per training step of the CNN (batch 128) or the GPT (batch 12 x 64 tokens) in PyTorch, one thread."""
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if kind == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(3136, 10))
        x, y = torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))
    else:
        layer = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True, bias=False)
        body = nn.TransformerEncoder(layer, 4, norm=nn.LayerNorm(128, bias=False), enable_nested_tensor=False)
        emb, pos, head = nn.Embedding(65, 128), nn.Embedding(64, 128), nn.Linear(128, 65, bias=False)
        head.weight = emb.weight
        mask = nn.Transformer.generate_square_subsequent_mask(64)

        class GPT(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb, self.pos, self.body, self.head = emb, pos, body, head

            def forward(self, idx):
                h = self.emb(idx) + self.pos(torch.arange(64))
                return self.head(self.body(h, mask=mask, is_causal=True)).flatten(0, 1)
        model = GPT()
        x, y = torch.randint(0, 65, (12, 64)), torch.randint(0, 65, (12 * 64,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times[3:]), sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------------------------- the launcher

def mpiexec():
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.path.exists(here) else "mpiexec"


def job(n, kind, steps):
    env = dict(os.environ, **ONE_THREAD)
    src = os.path.join(HERE, "..", "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.abspath(src), env.get("PYTHONPATH")]))
    out = subprocess.run([mpiexec(), "-n", str(n), sys.executable, __file__, "--worker", kind, "--steps", str(steps)],
                         capture_output=True, stdin=subprocess.DEVNULL, text=True, env=env,
                         timeout=900)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"mpiexec -n {n} {kind} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def ring_ms(n, nbytes, bandwidth, latency):
    return 1e3 * (2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * latency)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round of 30 steps")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.steps)
    rounds, steps = (1, 30) if args.quick else (args.rounds, args.steps)
    import lucidnet.nn as lnn
    kinds = ["mlp", "mlp-fit"] + (["cnn"] if hasattr(lnn, "Conv2d") and hasattr(lnn, "MaxPool2d") else [])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; one BLAS thread per rank; "
          f"{rounds} rounds x {steps} steps per job, 1 and 2 ranks in turn")
    results = {(k, n): [] for k in kinds for n in (1, 2)}
    for _ in range(rounds):
        for kind in kinds:
            for n in (1, 2):
                results[kind, n].append(job(n, kind, steps))
    med = {key: {f: statistics.median(r[f] for r in runs) for f in runs[0] if isinstance(runs[0][f], float)}
           for key, runs in results.items()}
    print(f"\n{'model':7} {'ranks':>5} {'samples/s':>10} {'ms/step':>8} {'of which averaging':>19}   speedup  efficiency")
    for kind in kinds:
        one = med[kind, 1]["samples_per_s"]
        for n in (1, 2):
            m = med[kind, n]
            sp = m["samples_per_s"] / one
            avg = f"{m['averaging_ms']:16.2f} ms" if m["averaging_ms"] == m["averaging_ms"] else f"{'-':>19}"
            print(f"{kind:7} {n:5d} {m['samples_per_s']:10.0f} {m['step_ms']:8.2f} {avg}   "
                  f"{sp:6.2f}x  {sp / n:9.0%}")
    if "cnn" not in kinds:
        print("cnn: nn.Conv2d is not in this lucidnet yet; the cost model uses PyTorch's CNN step time")

    two = med["mlp", 2]
    latency, bandwidth = two["latency_s"], two["bandwidth_Bps"]
    mlp_bytes = results["mlp", 1][0]["grad_bytes"]
    predicted = ring_ms(2, mlp_bytes, bandwidth, latency)
    print(f"\nthis machine's ring constants (2 ranks, shared memory): latency {latency * 1e6:.1f} us per message, "
          f"bandwidth {bandwidth / 1e9:.2f} GB/s")
    print(f"MLP gradients ({mlp_bytes / 1e6:.2f} MB): model predicts {predicted:.3f} ms per Allreduce; a bare "
          f"Allreduce of that size took {two['mlp_size_allreduce_ms']:.3f} ms; averaging in the training step took "
          f"{two['averaging_ms']:.3f} ms (with the bucket copies and waiting for the slower rank)")
    c1 = med["mlp", 1]["step_ms"]
    load = os.getloadavg()[0]
    print(f"MLP efficiency at 2 ranks: model {c1 / (c1 + predicted):.0%} (compute {c1:.2f} ms + Allreduce), "
          f"measured {med['mlp', 2]['samples_per_s'] / (2 * med['mlp', 1]['samples_per_s']):.0%} (load average "
          f"{load:.1f} on {os.cpu_count()} cores{': the ranks wait for each other to be scheduled' if load > 1.5 else ''})")

    compute = {"MLP": (c1, mlp_bytes, f"lucidnet, batch {BATCH}")}
    if "cnn" in kinds:
        compute["CNN"] = (med["cnn", 1]["step_ms"], results["cnn", 1][0]["grad_bytes"], f"lucidnet, batch {BATCH}")
    else:
        ms, p = torch_step_ms("cnn", 5 if args.quick else 20)
        assert p == CNN_PARAMS, p
        compute["CNN"] = (ms, 4 * CNN_PARAMS, f"PyTorch 1 thread, batch {BATCH}")
    ms, p = torch_step_ms("gpt", 5 if args.quick else 20)      # lucidnet's GPT is benchmarked by its own bench
    assert p == GPT_PARAMS, p
    compute["GPT"] = (ms, 4 * GPT_PARAMS, "PyTorch 1 thread, batch 12 x 64 tokens")
    print("\nring-allreduce cost model, weak scaling (efficiency = compute / (compute + Allreduce), no overlap):")
    print(f"{'model':5} {'grad MB':>8} {'compute ms':>10}  {'network':11}" + "".join(f"{n:>10}" for n in (8, 64, 512)))
    for name, (ms, nbytes, source) in compute.items():
        for net, (bw, lat) in NETWORKS.items():
            effs = [ms / (ms + ring_ms(n, nbytes, bw, lat)) for n in (8, 64, 512)]
            print(f"{name:5} {nbytes / 1e6:8.2f} {ms:10.1f}  {net:11}" + "".join(f"{e:10.0%}" for e in effs))
        print(f"      compute time per step from {source}")
    print(f"networks: latency {NETWORKS['10 Gbit/s'][1] * 1e6:.0f} us (10 Gbit/s, TCP) and "
          f"{NETWORKS['100 Gbit/s'][1] * 1e6:.0f} us (100 Gbit/s, RDMA) per message, assumed")
    sp = med["mlp", 2]["samples_per_s"] / med["mlp", 1]["samples_per_s"]
    print(f"\nMLP 2 ranks vs 1: {sp:.2f}x samples/s (target >= 1.7x)")


if __name__ == "__main__":
    sys.exit(main())
