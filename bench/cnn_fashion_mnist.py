"""CNN on Fashion-MNIST: lucidnet against PyTorch 2.13.0 CPU, the same network from the same initial weights.

The network (issue 10): conv5x5(1->32, pad 2)-ReLU-maxpool2 -> conv5x5(32->64, pad 2)-ReLU-maxpool2 -> Flatten
-> Linear(3136, 10), 83,466 parameters; cross-entropy, Adam lr 1e-3, batch 128, pixels scaled to [0, 1], float32.
lucidnet's initial weights are copied into PyTorch's by state dict, and both see the same batches (one
permutation per epoch, shared). Each framework trains in its own process, so its peak RSS is its own; the
epochs are interleaved (one of each in turn, alternating which goes first), so a drifting machine slows both
alike. Printed: seconds per epoch (the median over the epochs), test accuracy, peak RSS, the ratios
lucidnet / PyTorch; then conv2d forward+backward GFLOP/s for each conv layer of the network at batch 128 (both
frameworks), next to this machine's float32 GEMM speed (np.matmul on the im2col GEMM's size of the second
layer, and a square 1024).
Targets: lucidnet's epoch <= 1.3x PyTorch's (aim: parity); peak RSS <= 2 GB; test accuracy about 0.91 after 3
epochs (>= 0.925 needs the CLI's 10-epoch recipe).

    python3 bench/cnn_fashion_mnist.py                # 3 epochs of each (~30 s per epoch each, quiet 2-core CPU)
    python3 bench/cnn_fashion_mnist.py --epochs 10
    python3 bench/cnn_fashion_mnist.py --quick        # a smoke run: 1 epoch of 30 batches, a small test

Run it on a quiet machine (check `uptime` first).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

BATCH, LR, SEED = 128, 1e-3, 0
CONVS = ((1, 32, 28), (32, 64, 14))        # (in channels, out channels, input side) of the two 5x5 convolutions


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=None, help="epochs of each framework (default: 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 1 epoch of 30 batches, 2,000 test images")
    p.add_argument("--batches", type=int, default=None, help="batches per epoch (default: all 469; 30 with --quick)")
    p.add_argument("--threads", type=int, default=None, help="threads for both (default: each library's own)")
    p.add_argument("--data-dir", default=None, help="where fashion-mnist is (default: lucidnet's search)")
    p.add_argument("--worker", choices=["lucidnet", "torch"], help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.epochs = args.epochs or (1 if args.quick else 3)
    if args.quick:
        args.batches = args.batches or 30
    return args


def peak_rss_mb():
    """This process's peak resident memory (Linux VmHWM: ru_maxrss could include the parent's at the fork)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def order(epoch, n):
    """The shuffled sample order of an epoch: the same for both frameworks."""
    return np.random.default_rng(SEED + 1 + epoch).permutation(n)


def conv_flops(cin, cout, side, n=BATCH, k=5, input_grad=True):
    """FLOPs of one 'same' 5x5 convolution's forward and backward (weights; and input when it needs a gradient)."""
    forward = 2 * n * cout * side * side * cin * k * k
    return forward * (3 if input_grad else 2)


def median_time(fn, reps):
    fn()                                                         # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ----------------------------------------------------------------------------------------------- workers

class LucidnetWorker:
    def __init__(self, data, weights_path):
        import lucidnet
        from lucidnet import nn
        self.lucidnet, self.nn = lucidnet, nn
        lucidnet.manual_seed(SEED)
        self.model = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 10))
        params = sum(p.numel() for p in self.model.parameters())
        assert params == 83466, params
        np.savez(weights_path, **{k: v.array for k, v in self.model.state_dict().items()})
        self.opt = lucidnet.optim.Adam(self.model.parameters(), lr=LR)
        self.data = data

    def step(self, x, y):
        F = self.nn.functional
        loss = F.cross_entropy(self.model(self.lucidnet.tensor(x)), self.lucidnet.tensor(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()

    def predict(self, x):
        self.model.eval()
        with self.lucidnet.no_grad():
            out = np.concatenate([self.model(self.lucidnet.tensor(x[i:i + 1000])).array for i in range(0, len(x), 1000)])
        self.model.train()
        return out

    def conv_seconds(self, cin, cout, side, reps):
        lt = self.lucidnet
        g = lt.Generator().manual_seed(0)
        x = lt.randn(BATCH, cin, side, side, generator=g, requires_grad=cin > 1)
        w = lt.randn(cout, cin, 5, 5, generator=g, requires_grad=True)
        b = lt.zeros(cout, requires_grad=True)
        grad = lt.randn(BATCH, cout, side, side, generator=g)

        def run():
            self.nn.functional.conv2d(x, w, b, padding=2).backward(grad)
        return median_time(run, reps)


class TorchWorker:
    def __init__(self, data, weights_path, threads):
        import torch
        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        nn = torch.nn
        self.model = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 10))
        with np.load(weights_path) as w:
            self.model.load_state_dict({k: torch.from_numpy(w[k].copy()) for k in w.files})
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.loss = nn.CrossEntropyLoss()
        self.data = data

    def step(self, x, y):
        loss = self.loss(self.model(self.torch.from_numpy(x)), self.torch.from_numpy(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()

    def predict(self, x):
        self.model.eval()
        with self.torch.no_grad():
            out = np.concatenate([self.model(self.torch.from_numpy(x[i:i + 1000])).numpy()
                                  for i in range(0, len(x), 1000)])
        self.model.train()
        return out

    def conv_seconds(self, cin, cout, side, reps):
        torch = self.torch
        g = torch.Generator().manual_seed(0)
        x = torch.randn(BATCH, cin, side, side, generator=g, requires_grad=cin > 1)
        w = torch.randn(cout, cin, 5, 5, generator=g, requires_grad=True)
        b = torch.zeros(cout, requires_grad=True)
        grad = torch.randn(BATCH, cout, side, side, generator=g)

        def run():
            torch.nn.functional.conv2d(x, w, b, padding=2).backward(grad)
        return median_time(run, reps)


def serve(args):
    """A worker: build the model, then answer the driver's commands (one JSON line each) until 'quit'."""
    d = np.load(os.path.join(args.dir, "data.npz"))
    data = {k: d[k] for k in d.files}
    weights = os.path.join(args.dir, "weights.npz")
    worker = LucidnetWorker(data, weights) if args.worker == "lucidnet" else TorchWorker(data, weights, args.threads)
    reply({"ready": True, "rss_mb": peak_rss_mb()})
    x, y = data["x_train"], data["y_train"]
    for line in sys.stdin:
        cmd, *rest = line.split()
        if cmd == "epoch":
            idx = order(int(rest[0]), len(x))
            stop = len(x) if args.batches is None else min(len(x), args.batches * BATCH)
            t0 = time.perf_counter()
            total = 0.0
            for start in range(0, stop, BATCH):
                b = idx[start:start + BATCH]
                total += worker.step(x[b], y[b]) * len(b)
            reply({"seconds": time.perf_counter() - t0, "loss": total / stop})
        elif cmd == "test":
            pred = worker.predict(data["x_test"]).argmax(1)
            reply({"test_acc": float((pred == data["y_test"]).mean()), "peak_rss_mb": peak_rss_mb()})
        elif cmd == "conv":
            reps = int(rest[0])
            reply({"seconds": [worker.conv_seconds(cin, cout, side, reps) for cin, cout, side in CONVS]})
        elif cmd == "quit":
            return


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


# ----------------------------------------------------------------------------------------------- driver

class Worker:
    def __init__(self, name, args, directory, env):
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", name, "--dir", directory]
        if args.batches is not None:
            cmd += ["--batches", str(args.batches)]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.ready = self.read()

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read()

    def read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            sys.exit(f"bench: the {self.name} worker failed (exit status {self.proc.returncode}); see above.")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait()


def gemm_gflops(m, k, n, reps):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    out = np.empty((m, n), np.float32)
    return 2 * m * k * n / median_time(lambda: np.matmul(a, b, out=out), reps) / 1e9


def main():
    args = parse_args()
    if args.worker:
        serve(args)
        return
    env = dict(os.environ)
    if args.threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(args.threads)
    from lucidnet.data import fashion_mnist
    (x_tr, y_tr), (x_te, y_te) = fashion_mnist(args.data_dir, normalize=True)
    if args.quick:
        x_te, y_te = x_te[:2000], y_te[:2000]
    with tempfile.TemporaryDirectory(prefix="cnn-bench-") as directory:
        np.savez(os.path.join(directory, "data.npz"), x_train=x_tr.reshape(-1, 1, 28, 28), y_train=y_tr.astype(np.int64),
                 x_test=x_te.reshape(-1, 1, 28, 28), y_test=y_te.astype(np.int64))
        del x_tr, x_te
        workers = [Worker("lucidnet", args, directory, env)]      # first: it writes the initial weights
        workers.append(Worker("torch", args, directory, env))
        try:
            results = run(args, workers)
        finally:
            for w in workers:
                w.close()
    report(args, results)


def run(args, workers):
    n_batches = args.batches or -(-60000 // BATCH)
    print(f"Fashion-MNIST CNN (83,466 parameters), Adam lr {LR}, batch {BATCH}, {args.epochs} epoch(s) of "
          f"{n_batches} batches each, interleaved; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    results = {w.name: {"epoch_s": [], "loss": []} for w in workers}
    for epoch in range(args.epochs):
        for w in (workers if epoch % 2 == 0 else workers[::-1]):
            r = w.ask(f"epoch {epoch}")
            results[w.name]["epoch_s"].append(r["seconds"])
            results[w.name]["loss"].append(r["loss"])
        print("epoch {:2d}: ".format(epoch + 1) + "   ".join(
            f"{w.name} {results[w.name]['epoch_s'][-1]:.2f} s (loss {results[w.name]['loss'][-1]:.4f})"
            for w in workers), flush=True)
    for w in workers:
        results[w.name].update(w.ask("test"))
    reps = 3 if args.quick else 10
    for w in workers:
        results[w.name]["conv_s"] = w.ask(f"conv {reps}")["seconds"]
    results["gemm"] = {"im2col": gemm_gflops(BATCH * 14 * 14, 32 * 25, 64, reps),
                       "square": gemm_gflops(1024, 1024, 1024, reps)}
    return results


def report(args, results):
    lu, th = results["lucidnet"], results["torch"]
    e_lu, e_th = statistics.median(lu["epoch_s"]), statistics.median(th["epoch_s"])
    print("\n" + "=" * 72)
    print(f"{'':26s}{'lucidnet':>12s}{'PyTorch':>12s}{'ratio':>10s}")
    print(f"{'s/epoch (median)':26s}{e_lu:12.2f}{e_th:12.2f}{e_lu / e_th:10.2f}   (target <= 1.3)")
    print(f"{'test accuracy':26s}{lu['test_acc']:12.4f}{th['test_acc']:12.4f}{lu['test_acc'] - th['test_acc']:+10.4f}")
    print(f"{'peak RSS (MB)':26s}{lu['peak_rss_mb']:12.0f}{th['peak_rss_mb']:12.0f}"
          f"{lu['peak_rss_mb'] / th['peak_rss_mb']:10.2f}   (target <= 2048 MB)")
    print("\nconv2d forward+backward at batch 128, GFLOP/s (weights' and bias' gradients; the input's for conv2):")
    for (cin, cout, side), s_lu, s_th in zip(CONVS, lu["conv_s"], th["conv_s"]):
        flops = conv_flops(cin, cout, side, input_grad=cin > 1)
        name = f"5x5 {cin}->{cout} on {side}x{side}"
        print(f"  {name:24s}{flops / s_lu / 1e9:12.1f}{flops / s_th / 1e9:12.1f}{s_lu / s_th:10.2f}   "
              f"({s_lu * 1e3:.1f} vs {s_th * 1e3:.1f} ms)")
    g = results["gemm"]
    print(f"float32 GEMM (np.matmul): {g['im2col']:.1f} GFLOP/s at {BATCH * 14 * 14}x800 @ 800x64 (conv2's im2col), "
          f"{g['square']:.1f} GFLOP/s at 1024^3")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (timings on a loaded machine are noisy)")


if __name__ == "__main__":
    main()
