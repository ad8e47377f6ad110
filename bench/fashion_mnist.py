"""Fashion-MNIST training benchmark: lucidnet's fit() against PyTorch and against hand-written NumPy.

The same job three ways, each in its own process (so peak memory is each one's own):
MLP 784-256-128-10 with ReLU, softmax cross-entropy, Adam with lr 1e-3 decayed per epoch by a cosine
(lr_e = 1e-3 * (1 + cos(pi e / epochs)) / 2), batch 128, shuffled every epoch, PyTorch's default
initialisation, float32, pixels standardised per pixel with the training set's mean and std (the recipe of
`lucidnet train`). Prints seconds per epoch (the median of the epochs after the first, which also pays for
warm-up), final test accuracy, peak RSS, and ratios.
Targets: test accuracy >= 0.89; lucidnet's epoch <= 1.0x PyTorch's and <= 1.15x NumPy's; peak RSS <= 1 GB.

    python bench/fashion_mnist.py [--epochs 10] [--threads N] [--only lucidnet,torch,numpy]

Run it on a quiet machine (check `uptime` first).
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

from autograd_overhead import init, numpy_step     # bench/ is on sys.path when this script runs

EPOCHS, BATCH, LR, SEED = 10, 128, 1e-3, 0


def load_data():
    from lucidnet.data import Standardizer, fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist(normalize=True, flatten=True)
    scaler = Standardizer().fit(x_train)
    return scaler.transform(x_train), y_train, scaler.transform(x_test), y_test


def lr_at(epoch, epochs):
    """Cosine decay from LR towards 0, one value per epoch."""
    return LR * (1 + math.cos(math.pi * epoch / epochs)) / 2


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------------------------- workers

def run_lucidnet(epochs):
    import lucidnet
    from lucidnet import nn

    x_train, y_train, x_test, y_test = load_data()
    lucidnet.manual_seed(SEED)
    model = lucidnet.Sequential([nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)])
    model.compile(optimizer=lucidnet.optim.Adam(model.parameters(), lr=LR), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    times = []

    class Timer(lucidnet.train.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    schedule = lucidnet.train.callbacks.LearningRateScheduler(lambda epoch: lr_at(epoch, epochs))
    model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH, shuffle=True, verbose=0,
              callbacks=[schedule, Timer()])
    acc = float((model.predict(x_test, batch_size=1000).argmax(1) == y_test).mean())
    return {"epoch_s": times, "test_acc": acc, "peak_rss_mb": peak_rss_mb()}


def run_torch(epochs):
    import torch

    x_train, y_train, x_test, y_test = load_data()
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xt, yt), batch_size=BATCH, shuffle=True)
    times = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr_at(epoch, epochs)
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        acc = float((model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    return {"epoch_s": times, "test_acc": acc, "peak_rss_mb": peak_rss_mb(), "threads": torch.get_num_threads()}


def run_numpy(epochs):
    """The same training written by hand: forward, backward and Adam in NumPy."""
    x_train, y_train, x_test, y_test = load_data()
    rng = np.random.default_rng(SEED)

    params = [init(rng, 784, 256), init(rng, 256, 128), init(rng, 128, 10)]   # PyTorch's default Linear init
    flat = [p for pair in params for p in pair]
    m = [np.zeros_like(p) for p in flat]
    v = [np.zeros_like(p) for p in flat]
    scratch = [np.empty_like(p) for p in flat]
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    n = len(x_train)
    times = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        lr = lr_at(epoch, epochs)
        order = rng.permutation(n)
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            _, grads = numpy_step(x_train[idx], y_train[idx], params)   # the same step autograd_overhead times
            t += 1
            step = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)     # bias corrections folded into the step
            eps_t = eps * np.sqrt(1 - b2 ** t)
            for p, gr, mi, vi, tmp in zip(flat, grads, m, v, scratch):
                mi *= b1                                          # m = b1 m + (1 - b1) g
                mi += np.multiply(gr, 1 - b1, out=tmp)
                vi *= b2                                          # v = b2 v + (1 - b2) g^2
                np.multiply(gr, gr, out=tmp)
                tmp *= 1 - b2
                vi += tmp
                np.sqrt(vi, out=tmp)                              # p -= step m / (sqrt(v) + eps)
                tmp += eps_t
                np.divide(mi, tmp, out=tmp)
                tmp *= step
                p -= tmp
        times.append(time.perf_counter() - t0)
    (w1, c1), (w2, c2), (w3, c3) = params
    z = np.maximum(np.maximum(x_test @ w1.T + c1, 0) @ w2.T + c2, 0) @ w3.T + c3
    acc = float((z.argmax(1) == y_test).mean())
    return {"epoch_s": times, "test_acc": acc, "peak_rss_mb": peak_rss_mb()}


WORKERS = {"lucidnet": run_lucidnet, "torch": run_torch, "numpy": run_numpy}


# ----------------------------------------------------------------------------------------------- driver

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--only", default="lucidnet,torch,numpy")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        if args.worker == "torch":
            import torch
            torch.set_num_threads(args.threads)
        print(json.dumps(WORKERS[args.worker](args.epochs)))
        return

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    results = {}
    for name in args.only.split(","):
        out = subprocess.run([sys.executable, __file__, "--worker", name, "--epochs", str(args.epochs),
                              "--threads", str(args.threads)], env=env, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"bench: the {name} worker failed:\n{out.stderr}")
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[name]
        r["epoch"] = statistics.median(r["epoch_s"][1:] or r["epoch_s"])
        print(f"  {name:9s} done: {r['epoch']:.2f} s/epoch", file=sys.stderr)

    print(f"Fashion-MNIST, MLP 784-256-128-10, Adam lr {LR}, batch {BATCH}, {args.epochs} epochs, "
          f"{args.threads} threads, float32")
    print(f"{'':10s} {'s/epoch':>8s} {'first':>7s} {'test acc':>9s} {'peak RSS':>10s}")
    for name, r in results.items():
        print(f"{name:10s} {r['epoch']:8.2f} {r['epoch_s'][0]:7.2f} {r['test_acc']:9.4f} {r['peak_rss_mb']:7.0f} MB")
    if "lucidnet" in results:
        lu = results["lucidnet"]["epoch"]
        for peer, target in (("torch", 1.0), ("numpy", 1.15)):
            if peer in results:
                print(f"lucidnet / {peer:5s} epoch time: {lu / results[peer]['epoch']:.3f}  (target <= {target})")


if __name__ == "__main__":
    main()
