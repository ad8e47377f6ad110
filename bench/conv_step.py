"""One training step of the issue-10 CNN (conv5x5 1->32 pad 2, ReLU, maxpool 2, conv5x5 32->64 pad 2, ReLU, maxpool 2,
Linear(3136, 10); Adam; batch 128 of 1x28x28) in lucidnet and in PyTorch from the same weights, steps interleaved
(one of each in turn) so a loaded machine slows both alike. Prints the median seconds per step and the ratio;
``--profile`` adds cProfile's top functions for lucidnet's steps.

    python bench/conv_step.py [--steps 20] [--profile]
"""
import argparse
import cProfile
import pstats
import time

import numpy as np
import torch

import lucidnet
from lucidnet import nn


def models():
    lucidnet.manual_seed(0)
    ours = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 10))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(3136, 10))
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    ours, theirs = models()
    opt_l = lucidnet.optim.Adam(ours.parameters(), lr=1e-3)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, args.batch)
    xl, yl, xt, yt = lucidnet.tensor(x), lucidnet.tensor(y), torch.from_numpy(x), torch.from_numpy(y)

    def step_l():
        opt_l.zero_grad()
        loss = nn.functional.cross_entropy(ours(xl), yl)
        loss.backward()
        opt_l.step()
        return loss.item()

    def step_t():
        opt_t.zero_grad()
        loss = torch.nn.functional.cross_entropy(theirs(xt), yt)
        loss.backward()
        opt_t.step()
        return loss.item()

    first = step_l(), step_t()
    print(f"first-step loss: lucidnet {first[0]:.6f}  torch {first[1]:.6f}")
    times_l, times_t = [], []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.steps):
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        step_l()
        if profiler:
            profiler.disable()
        t1 = time.perf_counter()
        step_t()
        t2 = time.perf_counter()
        times_l.append(t1 - t0)
        times_t.append(t2 - t1)
    ml, mt = np.median(times_l), np.median(times_t)
    print(f"threads: torch {torch.get_num_threads()}, lucidnet {lucidnet._threads.get_num_threads()}")
    print(f"median step: lucidnet {ml * 1000:.1f} ms  torch {mt * 1000:.1f} ms  ratio {ml / mt:.2f}  "
          f"(min: {min(times_l) * 1000:.1f} / {min(times_t) * 1000:.1f} ms)")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
