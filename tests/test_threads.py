"""The fused kernels give the same results on one thread and on several (lucidnet._threads): GELU by blocks,
layer norm by rows, packed self-attention by sequences, ReLU by halves, forward and backward, on inputs large enough
to split."""
import numpy as np
import pytest

import lucidnet
import lucidnet.nn.functional as F
from lucidnet import _threads


@pytest.fixture
def threads():
    before = _threads.get_num_threads()
    yield _threads.set_num_threads
    _threads.set_num_threads(before)


def run(fn, arrays, seed=0):
    """fn's output and the gradients of its inputs, for a fixed random output gradient."""
    ts = [lucidnet.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(lucidnet.tensor(np.random.default_rng(seed).standard_normal(out.shape).astype(out.dtype)))
    return [out.array] + [t.grad.array for t in ts]


rng = np.random.default_rng(0)
CASES = [
    ("gelu", lambda x: F.gelu(x), [rng.standard_normal((300, 1024)).astype(np.float32)]),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (128,), w, b),
     [rng.standard_normal((12, 64, 128)), rng.standard_normal(128), rng.standard_normal(128)]),
    ("self_attention", lambda qkv: F.packed_self_attention(qkv, 4, is_causal=True),
     [rng.standard_normal((12, 64, 3 * 32)).astype(np.float32)]),
    ("self_attention-mask", lambda qkv, m: F.packed_self_attention(qkv, 2, attn_mask=m),
     [rng.standard_normal((6, 40, 3 * 16)), rng.standard_normal((6, 1, 40, 40))]),
    ("relu", lambda x: F.relu(x), [np.round(rng.standard_normal((40, 32, 28, 28)), 1).astype(np.float32)]),
]


@pytest.mark.parametrize("name, fn, arrays", CASES, ids=[c[0] for c in CASES])
def test_kernels_agree_on_one_and_two_threads(name, fn, arrays, threads):
    threads(1)
    serial = run(fn, arrays)
    threads(2)
    assert len(_threads.split(arrays[0].shape[0] * 64, 1)) == 2
    split = run(fn, arrays)
    for a, b in zip(serial, split):
        np.testing.assert_allclose(a, b, rtol=1e-12 if a.dtype == np.float64 else 1e-6, atol=1e-12)


def test_parallel_propagates_errors_and_keeps_order(threads):
    threads(3)
    assert _threads.parallel(lambda i: -i, range(7)) == [0, -1, -2, -3, -4, -5, -6]

    def fail(i):
        if i == 2:
            raise ValueError("piece 2")
        return i
    with pytest.raises(ValueError, match="piece 2"):
        _threads.parallel(fail, range(4))
    with pytest.raises(ValueError, match="expected a positive integer, got 0"):
        _threads.set_num_threads(0)


def test_parallel_keeps_every_thread_busy_when_items_outnumber_threads(threads):
    import threading
    import time
    threads(2)
    takers = []

    def item(i):
        takers.append(threading.get_ident())
        time.sleep(0.02)                       # (releases the GIL, as NumPy's loops do)
        return i
    assert _threads.parallel(item, range(6)) == list(range(6))
    mine = takers.count(threading.get_ident())
    assert 2 <= mine <= 4                      # about half each; the calling thread once took only the first


def test_a_forked_child_gets_a_pool_of_its_own(threads):
    import os
    threads(2)
    assert _threads.parallel(lambda i: i, range(4)) == [0, 1, 2, 3]          # the parent's pool exists now
    pid = os.fork()
    if pid == 0:                                                             # the child: would hang on the old pool
        os._exit(0 if _threads.parallel(lambda i: i + 1, range(4)) == [1, 2, 3, 4] else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
