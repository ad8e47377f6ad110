"""Autograd overhead: forward + backward of a 3-layer MLP graph through lucidnet vs the same math by hand.

Batch 128, 784-256-128-10, ReLU, mean softmax cross-entropy. Three lucidnet graphs:

* fused: F.linear and F.cross_entropy, the primitives nn.Linear and nn.CrossEntropyLoss run (6 nodes);
* composed: x @ w.T + b, relu, log_softmax * onehot summed (16 nodes), to show the per-op cost;
* tutorial: a whole SGD step as tutorials write it, weights stored (in, out): relu(x @ W + b),
  -log_softmax(z, dim=1)[range(n), y].mean(), backward(), then under no_grad W -= lr * W.grad and
  W.grad.zero_(). Its peer is the same step by hand in NumPy (forward, backward, update).

Prints milliseconds per step and the ratio lucidnet / NumPy. Target: fused and tutorial ratios <= 1.10.

    python bench/autograd_overhead.py [--steps 2000] [--batch 128] [--cpu-time]

On a busy machine the wall clock mostly measures the neighbours; ``--cpu-time`` times the CPU time of this
thread instead, which is the whole step only when the matrix products run on it too:
``OPENBLAS_NUM_THREADS=1 python bench/autograd_overhead.py --cpu-time``.
"""
import argparse
import time

import numpy as np

import lucidnet
from lucidnet.nn import functional as F      # linear and cross_entropy, as nn.Linear and nn.CrossEntropyLoss run


def init(rng, fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    return (rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
            rng.uniform(-bound, bound, fan_out).astype(np.float32))


def numpy_step(x, labels, params):
    """The same forward and backward, derived by hand (the nnfs book's softmax cross-entropy on class ids)."""
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = x @ w1.T + b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2.T + b2
    a2 = np.maximum(h2, 0)
    z = a2 @ w3.T + b3
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(x))
    loss = -logp[rows, labels].mean()
    g = np.exp(logp)                       # d loss / d z = (softmax - onehot) / batch
    g[rows, labels] -= 1
    g /= len(x)
    gw3, gb3 = g.T @ a2, g.sum(0)
    g = (g @ w3) * (h2 > 0)
    gw2, gb2 = g.T @ a1, g.sum(0)
    g = (g @ w2) * (h1 > 0)
    gw1, gb1 = g.T @ x, g.sum(0)
    return loss, (gw1, gb1, gw2, gb2, gw3, gb3)


def numpy_sgd_step(x, labels, params, lr):
    """The tutorial's step by hand: weights stored (in, out), forward x @ w + b, backward, then w -= lr * gw."""
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = x @ w1 + b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2 + b2
    a2 = np.maximum(h2, 0)
    z = a2 @ w3 + b3
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(x))
    loss = -logp[rows, labels].mean()
    g = np.exp(logp)
    g[rows, labels] -= 1
    g /= len(x)
    gw3, gb3 = a2.T @ g, g.sum(0)
    g = (g @ w3.T) * (h2 > 0)
    gw2, gb2 = a1.T @ g, g.sum(0)
    g = (g @ w2.T) * (h1 > 0)
    gw1, gb1 = x.T @ g, g.sum(0)
    for p, gp in zip((w1, b1, w2, b2, w3, b3), (gw1, gb1, gw2, gb2, gw3, gb3)):
        p -= lr * gp
    return loss


def lucidnet_fused(x, labels, params):
    """Forward through the fused primitives that nn.Linear and nn.CrossEntropyLoss use, then backward()."""
    h = x
    for i, (w, b) in enumerate(params):
        h = F.linear(h, w, b)
        if i < len(params) - 1:
            h = h.relu()
    loss = F.cross_entropy(h, labels)
    for w, b in params:
        w.grad = b.grad = None
    loss.backward()
    return loss


def lucidnet_composed(x, onehot, params):
    """Forward through small primitives (x @ w.T + b, log_softmax, *, sum), then backward()."""
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w.T + b
        if i < len(params) - 1:
            h = h.relu()
    loss = -(h.log_softmax(dim=1) * onehot).sum() * (1.0 / len(x))
    for w, b in params:
        w.grad = b.grad = None
    loss.backward()
    return loss


def lucidnet_tutorial(x, y, params, lr):
    """The training step as the tutorials write it: operators, relu, log_softmax indexed by [range(n), y],
    backward(), and a hand-written SGD update with the gradients zeroed in place."""
    (W1, b1), (W2, b2), (W3, b3) = params
    n = x.shape[0]
    h = F.relu(x @ W1 + b1)
    h = F.relu(h @ W2 + b2)
    logits = h @ W3 + b3
    loss = -F.log_softmax(logits, dim=1)[range(n), y].mean()
    loss.backward()
    with lucidnet.no_grad():
        for W, b in params:
            W -= lr * W.grad
            b -= lr * b.grad
            W.grad.zero_()
            b.grad.zero_()
    return loss


def timeit(fns, steps, block=10, clock=time.perf_counter):
    """Seconds per step of each function: the median over ``steps`` steps (and the 10th percentile).

    The functions take turns in short blocks (a a a ... b b b ... c c c ..., again and again), so that a
    machine whose speed drifts (a VM's neighbours, turbo, the other core) slows all of them alike, while
    every timed step follows a step of its own kind, as in a training loop; the first step of each block,
    which follows another function, is not counted. The median ignores the steps a hiccup hit."""
    times = [[] for _ in fns]
    for _ in range(-(-steps // block)):
        for fn, ts in zip(fns, times):
            fn()
            for _ in range(block):
                t0 = clock()
                fn()
                ts.append(clock() - t0)
    return [(float(np.median(ts)), float(np.percentile(ts, 10))) for ts in times]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--cpu-time", action="store_true", help="time this thread's CPU time, not the wall clock")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    params = [init(rng, 784, 256), init(rng, 256, 128), init(rng, 128, 10)]
    x = rng.random((args.batch, 784), dtype=np.float32)
    lparams = [(lucidnet.tensor(w, requires_grad=True), lucidnet.tensor(b, requires_grad=True)) for w, b in params]
    labels = rng.integers(0, 10, args.batch)
    onehot = np.eye(10, dtype=np.float32)[labels]
    lx, lonehot, llabels = lucidnet.from_numpy(x), lucidnet.from_numpy(onehot), lucidnet.from_numpy(labels)

    lr = 1e-3
    params_t = [(w.T.copy(), b.copy()) for w, b in params]             # the tutorial's (in, out) weights
    lparams_t = [(lucidnet.tensor(w, requires_grad=True), lucidnet.tensor(b, requires_grad=True)) for w, b in params_t]
    loss_np, grads_np = numpy_step(x, labels, params)
    for step, target in ((lucidnet_fused, llabels), (lucidnet_composed, lonehot)):
        loss = step(lx, target, lparams)
        grads = [t.grad.numpy() for wb in lparams for t in wb]
        assert abs(loss_np - loss.item()) < 1e-5, (loss_np, loss.item())
        assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(grads_np, grads))
    for w, b in lparams_t:                     # the tutorial's first step starts from zeroed gradients
        w.grad, b.grad = lucidnet.zeros_like(w), lucidnet.zeros_like(b)
    loss_sgd = numpy_sgd_step(x, labels, params_t, lr)
    loss = lucidnet_tutorial(lx, llabels, lparams_t, lr)
    assert abs(loss_sgd - loss.item()) < 1e-5, (loss_sgd, loss.item())
    assert all(np.allclose(a, t.array, atol=1e-6) for wb, lwb in zip(params_t, lparams_t) for a, t in zip(wb, lwb))

    (t_np, p_np), (t_fused, p_fused), (t_comp, p_comp), (t_sgd, p_sgd), (t_tut, p_tut) = timeit(
        [lambda: numpy_step(x, labels, params), lambda: lucidnet_fused(lx, llabels, lparams),
         lambda: lucidnet_composed(lx, lonehot, lparams), lambda: numpy_sgd_step(x, labels, params_t, lr),
         lambda: lucidnet_tutorial(lx, llabels, lparams_t, lr)], args.steps,
        clock=time.thread_time if args.cpu_time else time.perf_counter)
    # Both SGD steps ran as often, from the same weights: they must still agree (zero_() and backward swapping
    # the gradients' memory from the second step on change nothing but the time).
    assert all(np.allclose(a, t.array, atol=1e-4) for wb, lwb in zip(params_t, lparams_t) for a, t in zip(wb, lwb))
    print(f"forward+backward, MLP 784-256-128-10, batch {args.batch}, float32 "
          f"(median of {args.steps} steps each, in turns of 10; 10th percentile in brackets"
          f"{'; CPU time of this thread' if args.cpu_time else ''})")
    print(f"  numpy by hand          {t_np * 1e3:7.3f} ms/step  ({p_np * 1e3:.3f})")
    print(f"  lucidnet, fused ops    {t_fused * 1e3:7.3f} ms/step  ({p_fused * 1e3:.3f})   "
          f"ratio {t_fused / t_np:.3f} ({p_fused / p_np:.3f})  (target <= 1.10)")
    print(f"  lucidnet, composed     {t_comp * 1e3:7.3f} ms/step  ({p_comp * 1e3:.3f})   "
          f"ratio {t_comp / t_np:.3f} ({p_comp / p_np:.3f})")
    print(f"SGD step (forward, backward, update), weights (in, out):")
    print(f"  numpy by hand          {t_sgd * 1e3:7.3f} ms/step  ({p_sgd * 1e3:.3f})")
    print(f"  lucidnet, tutorial     {t_tut * 1e3:7.3f} ms/step  ({p_tut * 1e3:.3f})   "
          f"ratio {t_tut / t_sgd:.3f} ({p_tut / p_sgd:.3f})  (target <= 1.10)")


if __name__ == "__main__":
    main()
