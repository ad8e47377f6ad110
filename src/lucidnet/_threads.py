"""A small pool of threads for the fused kernels, so elementwise work uses every core as BLAS does.

NumPy releases the GIL inside its loops, so the pieces of a kernel (blocks of a GELU, rows of a layer norm,
sequences of an attention) run at the same time on several threads; only the Python between NumPy calls
takes turns. Matrix products are already parallel (OpenBLAS's own threads); without this, everything else in a
training step would use one core. Measured on a 2-core CPU, a GPT training step spends about 45% of its
single-core time outside matrix products.

The number of threads is ``$LUCIDNET_NUM_THREADS``, else ``$OMP_NUM_THREADS``, else ``$OPENBLAS_NUM_THREADS``,
else the cores this process may run on; :func:`set_num_threads` changes it (1 turns the pool off).
"""
import concurrent.futures
import os
import threading

import numpy as np

__all__ = ["by_pieces", "get_num_threads", "parallel", "set_num_threads", "split"]

_state = threading.local()                 # .inside: this thread is one of the pool's (no nested fan-out)
_pool = None
_size = None


# The variables through which a user chooses the number of threads, in the order they are read.
ENV_VARIABLES = ("LUCIDNET_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _default_size():
    for var in ENV_VARIABLES:
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                 # not on Linux
        return os.cpu_count() or 1


def get_num_threads():
    """How many threads the fused kernels use.

    Example:
        >>> get_num_threads() >= 1
        True
    """
    global _size
    if _size is None:
        _size = _default_size()
    return _size


def set_num_threads(n):
    """Use ``n`` threads in the fused kernels from now on (1: run everything on the calling thread).

    Example:
        >>> before = get_num_threads(); set_num_threads(1); get_num_threads()
        1
        >>> set_num_threads(before)
    """
    global _size, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, got {n!r}.")
    if n != _size and _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _size = n


def split(n, min_size):
    """Up to get_num_threads() contiguous slices covering range(n), each at least ``min_size`` long (one
    slice when n is small: splitting costs more than it saves).

    Example:
        >>> pieces = split(10, 3)
        >>> pieces[0].start, pieces[-1].stop, len(split(10, 20))
        (0, 10, 1)
    """
    parts = max(1, min(get_num_threads(), n // max(min_size, 1)))
    bounds = [n * i // parts for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def parallel(fn, items):
    """[fn(item) for item in items], the items shared out over the pool's threads and the calling thread; the
    results in order. Serial with one thread, one item, or when called from inside the pool.

    Every thread takes the next item not yet taken until none is left, so more items than threads (the blocks
    of a GELU) keep them all busy to the end: handing the calling thread the first item and the pool all the
    others left the calling thread waiting through most of the work.

    Example:
        >>> parallel(lambda i: i * i, [1, 2, 3])
        [1, 4, 9]
    """
    global _pool
    items = list(items)
    if len(items) < 2 or get_num_threads() < 2 or getattr(_state, "inside", False):
        return [fn(item) for item in items]
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(get_num_threads() - 1, thread_name_prefix="lucidnet",
                                                      initializer=_mark_inside)
    results = [None] * len(items)
    order, taking = iter(range(len(items))), threading.Lock()

    def work():
        while True:
            with taking:
                i = next(order, None)
            if i is None:
                return
            results[i] = fn(items[i])
    futures = [_pool.submit(work) for _ in range(min(get_num_threads() - 1, len(items) - 1))]
    try:
        work()
    finally:
        concurrent.futures.wait(futures)              # every piece is done before anyone reads the results
    for f in futures:
        f.result()                                    # a piece's exception, raised here
    return results


def by_pieces(fn, x, *more, outputs=1, block_bytes=None, min_piece=1 << 18):
    """fn(x_piece, *more_pieces, *out_pieces), which writes its results into the out pieces, over contiguous pieces
    of x (and of the arrays ``more``, x's shape) on all the threads; returns the ``outputs`` arrays (x's dtype
    and shape). Pieces of ``block_bytes`` keep a formula's many passes over one piece in the CPU cache (GELU);
    without it there is one piece per thread, of at least ``min_piece`` elements (a single pass, as ReLU's).

    Example:
        >>> import numpy as np
        >>> by_pieces(lambda a, out: np.multiply(a, 2, out=out), np.arange(4.0))
        array([0., 2., 4., 6.])
    """
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    n = x.size
    if n <= (min_piece * 2 - 1 if block_bytes is None else block_bytes // x.itemsize) or \
            (block_bytes is None and get_num_threads() < 2):
        # One piece (most calls): no pool, and as little Python as possible (ReLU runs twice per layer and step).
        flat = [a.reshape(-1) if type(a) is np.ndarray else np.ravel(a) for a in more] if more else more
        if outputs == 1:
            out = np.empty(n, dtype=x.dtype)
            fn(x.reshape(-1), *flat, out)
            return out.reshape(x.shape)
        outs = [np.empty(n, dtype=x.dtype) for _ in range(outputs)]
        fn(x.reshape(-1), *flat, *outs)
        return [o.reshape(x.shape) for o in outs]
    flats = [np.ascontiguousarray(a).reshape(-1) for a in (x,) + more]
    outs = [np.empty_like(flats[0]) for _ in range(outputs)]
    if block_bytes is None:
        pieces = split(n, min_piece)
    else:
        block = max(1, block_bytes // flats[0].itemsize)
        pieces = [slice(i, i + block) for i in range(0, n, block)]
    parallel(lambda piece: fn(*(a[piece] for a in flats), *(o[piece] for o in outs)), pieces)
    outs = [o.reshape(np.shape(x)) for o in outs]
    return outs[0] if outputs == 1 else outs


def _mark_inside():
    _state.inside = True


def _forget_pool():
    """In a forked child the pool's threads do not exist: start a new pool when one is needed."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
