"""GPT on tiny Shakespeare: lucidnet against PyTorch 2.13.0 running nanoGPT's own model code, nanoGPT's CPU recipe.

The recipe (nanoGPT's README, "I only have a macbook"): n_layer 4, n_head 4, n_embd 128, block 64, batch 12,
dropout 0, no biases, tied embedding/head, init N(0, 0.02) with residual projections 0.02 / sqrt(2 n_layer),
AdamW lr 1e-3 with 100 warmup steps and a cosine to 1e-4 at 2000, betas (0.9, 0.99), weight decay 0.1 on
matrices, gradient clipping at 1.0, 2000 iterations; 795,904 parameters without the position table.

Both models start from the same weights (lucidnet's, copied into PyTorch's by state dict) and see the same
batches; the iterations are interleaved, one of each in turn (alternating which goes first), so both share
whatever the machine is doing. Printed: ms per iteration (median and mean after 10 warm-up iterations),
the validation loss after training (the same batches for both), the peak RSS of each framework training alone
(a short run in a child process each), and generation speed: 500 new tokens with lucidnet's key/value cache,
without it, and with nanoGPT's generate() in PyTorch (which has no cache), plus a sample.

    python3 bench/gpt_shakespeare.py            # the full run (2000 iterations: ~3 minutes on a quiet 2-core CPU)
    python3 bench/gpt_shakespeare.py --quick    # a smoke run: 60 iterations, short evaluation and generation
"""
import argparse
import math
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIG = dict(n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0, bias=False)
BATCH, LR, MIN_LR, WARMUP, DECAY_ITERS, BETAS, WEIGHT_DECAY, CLIP = 12, 1e-3, 1e-4, 100, 2000, (0.9, 0.99), 0.1, 1.0
SEED = 1337


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a smoke run: 60 iterations, short evaluation and generation")
    p.add_argument("--iters", type=int, default=None, help="training iterations (default 2000; 60 with --quick)")
    p.add_argument("--eval-batches", type=int, default=None, help="validation batches (default 200; 10 with --quick)")
    p.add_argument("--gen-tokens", type=int, default=None, help="tokens to generate (default 500; 60 with --quick)")
    p.add_argument("--threads", type=int, default=None, help="threads for both (default: each library's own)")
    p.add_argument("--data-dir", default=None, help="where tiny Shakespeare is (default: lucidnet's search)")
    p.add_argument("--rss-child", choices=["lucidnet", "torch"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.iters = args.iters or (60 if args.quick else 2000)
    args.eval_batches = args.eval_batches or (10 if args.quick else 200)
    args.gen_tokens = args.gen_tokens or (60 if args.quick else 500)
    return args


ARGS = parse_args()
if ARGS.threads:                                   # before NumPy and PyTorch start their thread pools
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import lucidnet  # noqa: E402
from lucidnet.data import CharTokenizer, TokenWindows, tiny_shakespeare  # noqa: E402
from lucidnet.models import GPT  # noqa: E402

if ARGS.rss_child != "lucidnet":          # lucidnet's peak RSS is measured without PyTorch in the process
    import torch

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import nanogpt_model  # (nanoGPT's model.py, MIT; see that file)

    NANO = nanogpt_model.load("torch")


def get_lr(it):
    """nanoGPT's schedule: linear warmup, cosine decay to MIN_LR at DECAY_ITERS."""
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > DECAY_ITERS:
        return MIN_LR
    ratio = (it - WARMUP) / (DECAY_ITERS - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


def load_data(data_dir):
    if data_dir is None and os.path.isdir(os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare")):
        data_dir = os.path.join(ROOT, "..", "shared", "data")
    text = tiny_shakespeare(data_dir)
    tok = CharTokenizer.from_text(text)
    train, val = TokenWindows.split(tok.encode(text), CONFIG["block_size"])
    return tok, train, val


def build(vocab_size, tok, with_torch=True):
    lucidnet.manual_seed(SEED)
    ours = GPT(vocab_size=vocab_size, tokenizer=tok, **CONFIG)
    if not with_torch:
        return ours, None
    theirs = NANO.GPT(NANO.GPTConfig(vocab_size=vocab_size, **CONFIG))
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


class Lucidnet:
    name = "lucidnet"

    def __init__(self, model):
        self.model = model
        self.opt = model.configure_optimizers(WEIGHT_DECAY, LR, BETAS)

    def step(self, x, y, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr
        _, loss = self.model(lucidnet.tensor(x), lucidnet.tensor(y))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        lucidnet.nn.utils.clip_grad_norm_(self.model.parameters(), CLIP)
        self.opt.step()
        return loss.item()

    def eval_loss(self, batches):
        self.model.eval()
        with lucidnet.no_grad():
            losses = [self.model(lucidnet.tensor(x), lucidnet.tensor(y))[1].item() for x, y in batches]
        self.model.train()
        return float(np.mean(losses))


class Torch:
    name = "torch"

    def __init__(self, model):
        self.model = model
        self.opt = model.configure_optimizers(WEIGHT_DECAY, LR, BETAS, "cpu")

    def step(self, x, y, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr
        _, loss = self.model(torch.from_numpy(x), torch.from_numpy(y))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), CLIP)
        self.opt.step()
        return loss.item()

    def eval_loss(self, batches):
        self.model.eval()
        with torch.no_grad():
            losses = [self.model(torch.from_numpy(x), torch.from_numpy(y))[1].item() for x, y in batches]
        self.model.train()
        return float(np.mean(losses))


def batches(windows, n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x, y = windows[rng.integers(0, len(windows), BATCH)]
        yield np.ascontiguousarray(x), np.ascontiguousarray(y)


def peak_rss_mb():
    """This process's peak resident memory. On Linux VmHWM: getrusage's ru_maxrss would include the parent's memory
    at the fork that started this process (Linux keeps the larger of the two across exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_child(which):
    """Train one framework alone for a few iterations; print its peak RSS (MB)."""
    tok, train, _ = load_data(ARGS.data_dir)
    ours, theirs = build(tok.vocab_size, tok, with_torch=which == "torch")
    runner = Lucidnet(ours) if which == "lucidnet" else Torch(theirs)
    del ours, theirs
    for it, (x, y) in enumerate(batches(train, min(ARGS.iters, 50), SEED)):
        runner.step(x, y, get_lr(it))
    print(f"{peak_rss_mb():.1f}")


def measure_rss(which):
    cmd = [sys.executable, os.path.abspath(__file__), "--rss-child", which, "--iters", "50"]
    if ARGS.data_dir:
        cmd += ["--data-dir", ARGS.data_dir]
    if ARGS.threads:
        cmd += ["--threads", str(ARGS.threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    return float(out[-1])


def train(runners, train_windows):
    times = {r.name: [] for r in runners}
    losses = {r.name: None for r in runners}
    report = max(ARGS.iters // 8, 1)
    for it, (x, y) in enumerate(batches(train_windows, ARGS.iters, SEED)):
        lr = get_lr(it)
        for r in (runners if it % 2 == 0 else runners[::-1]):
            t0 = time.perf_counter()
            losses[r.name] = r.step(x, y, lr)
            times[r.name].append(time.perf_counter() - t0)
        if it % report == 0 or it == ARGS.iters - 1:
            ms = {k: 1e3 * np.median(v[-report:]) for k, v in times.items()}
            print(f"iter {it:5d}  loss lucidnet {losses['lucidnet']:.4f}  torch {losses['torch']:.4f}   "
                  f"ms/iter (recent median) lucidnet {ms['lucidnet']:.1f}  torch {ms['torch']:.1f}", flush=True)
    return {k: 1e3 * np.asarray(v[10:] if len(v) > 20 else v) for k, v in times.items()}


def tokens_per_second(fn, n):
    t0 = time.perf_counter()
    out = fn()
    return n / (time.perf_counter() - t0), out


def main():
    if ARGS.rss_child:
        rss_child(ARGS.rss_child)
        return
    print(f"lucidnet {lucidnet.__version__} (NumPy {np.__version__}), PyTorch {torch.__version__}, "
          f"threads: torch {torch.get_num_threads()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    tok, train_w, val_w = load_data(ARGS.data_dir)
    ours, theirs = build(tok.vocab_size, tok)
    print(f"tiny Shakespeare: {len(train_w.tokens):,} train / {len(val_w.tokens):,} val tokens, vocab "
          f"{tok.vocab_size}; {ours.get_num_params():,} parameters (without the position table); {ARGS.iters} "
          f"iterations of batch {BATCH} x {CONFIG['block_size']}")
    runners = [Lucidnet(ours), Torch(theirs)]
    ms = train(runners, train_w)

    val = list(batches(val_w, ARGS.eval_batches, 2024))
    val_loss = {r.name: r.eval_loss(val) for r in runners}

    n = ARGS.gen_tokens
    prompt = tok.encode("\n")[None]
    ours.eval()
    theirs.eval()
    speed = {}
    speed["lucidnet, cache"], sample = tokens_per_second(
        lambda: ours.generate(lucidnet.tensor(prompt), n, generator=SEED), n)
    speed["lucidnet, no cache"], _ = tokens_per_second(
        lambda: ours.generate(lucidnet.tensor(prompt), n, generator=SEED, use_cache=False), n)
    torch.manual_seed(SEED)
    with torch.no_grad():
        speed["torch (nanoGPT)"], _ = tokens_per_second(lambda: theirs.generate(torch.from_numpy(prompt), n), n)

    rss = {name: measure_rss(name) for name in ("lucidnet", "torch")}

    print("\n" + "=" * 78)
    print(f"{'':24s}{'lucidnet':>14s}{'PyTorch':>14s}{'ratio':>10s}")
    med = {k: float(np.median(v)) for k, v in ms.items()}
    mean = {k: float(np.mean(v)) for k, v in ms.items()}
    print(f"{'ms/iteration (median)':24s}{med['lucidnet']:14.1f}{med['torch']:14.1f}"
          f"{med['lucidnet'] / med['torch']:10.2f}")
    print(f"{'ms/iteration (mean)':24s}{mean['lucidnet']:14.1f}{mean['torch']:14.1f}"
          f"{mean['lucidnet'] / mean['torch']:10.2f}")
    print(f"{'val loss':24s}{val_loss['lucidnet']:14.4f}{val_loss['torch']:14.4f}"
          f"{val_loss['lucidnet'] - val_loss['torch']:+10.4f}")
    print(f"{'peak RSS alone (MB)':24s}{rss['lucidnet']:14.0f}{rss['torch']:14.0f}"
          f"{rss['lucidnet'] / rss['torch']:10.2f}")
    print(f"\ngeneration, {n} new tokens (tokens/s):")
    for k, v in speed.items():
        print(f"  {k:22s}{v:10.0f}")
    print(f"  cache speed-up {speed['lucidnet, cache'] / speed['lucidnet, no cache']:.1f}x; lucidnet with cache vs "
          f"nanoGPT-style PyTorch {speed['lucidnet, cache'] / speed['torch (nanoGPT)']:.1f}x")
    print("\nsample (lucidnet, with cache):\n" + "-" * 78)
    print(tok.decode(sample[0]))


if __name__ == "__main__":
    main()
