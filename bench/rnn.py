"""Recurrent layers: forward + backward of nn.LSTM and nn.GRU through lucidnet vs PyTorch (CPU), and lucidnet's
one-primitive-per-layer LSTM vs the same LSTM composed step by step from lucidnet ops (T * ~12 graph nodes), the
design choice this benchmark measures.

float32, batch 32, 2 layers, input 64, hidden 128, sequence 50 (--quick: 10 repeats). Runs are interleaved so
machine noise hits every contender alike; prints milliseconds per forward + backward and ratios. Both libraries
run their BLAS on one thread (OPENBLAS_NUM_THREADS=1 unless set, torch.set_num_threads(1)): the per-step GEMMs
are small, and on a loaded 2-core machine a threaded BLAS made them 40x slower (3.3 ms instead of 76 us for
(32, 128) @ (128, 512)).

    python bench/rnn.py [--repeats 30] [--steps 50] [--batch 32] [--hidden 128] [--quick]
"""
import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # before NumPy loads its BLAS
import numpy as np  # noqa: E402
import torch  # noqa: E402

import lucidnet  # noqa: E402
from lucidnet import nn  # noqa: E402


def composed_lstm(x, layers):
    """The LSTM written with lucidnet ops per step (PyTorch's equations), no fused primitive."""
    for w_ih, w_hh, b_ih, b_hh in layers:
        size = w_hh.shape[1]
        h = c = lucidnet.zeros(x.shape[1], size)
        xw = lucidnet.functional.linear(x, w_ih, b_ih + b_hh)
        outs = []
        for t in range(x.shape[0]):
            gates = xw[t] + h @ w_hh.T
            i, f, g, o = gates.chunk(4, 1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            outs.append(h)
        x = lucidnet.stack(outs)
    return x


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--quick", action="store_true", help="10 repeats (a smoke run)")
    args = p.parse_args(argv)
    repeats = 10 if args.quick else args.repeats
    torch.set_num_threads(1)                   # like-for-like with NumPy's BLAS on a shared machine
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.steps, args.batch, 64)).astype(np.float32)

    contenders = {}
    for kind in ("LSTM", "GRU"):
        ours = getattr(nn, kind)(64, args.hidden, num_layers=2)
        theirs = getattr(torch.nn, kind)(64, args.hidden, num_layers=2)
        theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})

        def run_ours(m=ours):
            out, _ = m(lucidnet.tensor(x))
            out.sum().backward()

        def run_torch(m=theirs):
            out, _ = m(torch.from_numpy(x))
            out.sum().backward()
        contenders[f"lucidnet {kind}"], contenders[f"torch {kind}"] = run_ours, run_torch
        if kind == "LSTM":
            layers = [ours.all_weights[k] for k in range(2)]

            def run_composed(layers=layers):
                composed_lstm(lucidnet.tensor(x), layers).sum().backward()
            contenders["lucidnet LSTM composed per step"] = run_composed

    times = {name: [] for name in contenders}
    for name, fn in contenders.items():          # warm up
        fn()
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    ms = {name: 1000 * float(np.median(t)) for name, t in times.items()}
    print(f"forward + backward, float32, T={args.steps} N={args.batch} in=64 hidden={args.hidden}, 2 layers, "
          f"median of {repeats}")
    for name, value in ms.items():
        print(f"  {name:34s} {value:8.2f} ms")
    for kind in ("LSTM", "GRU"):
        print(f"  ratio lucidnet / torch {kind}:{'':9s} {ms[f'lucidnet {kind}'] / ms[f'torch {kind}']:.2f}")
    print(f"  ratio composed / fused LSTM:{'':7s} {ms['lucidnet LSTM composed per step'] / ms['lucidnet LSTM']:.2f}")


if __name__ == "__main__":
    main()
