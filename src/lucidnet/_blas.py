"""Let OpenBLAS's worker threads sleep soon after a matrix product, so they do not slow the NumPy work after it.

After each multithreaded product, OpenBLAS keeps its worker threads spinning for the next call: by default for
2**28 CPU cycles, about 0.1 s. That suits a program of back-to-back products, but a training step also runs
long stretches of other work between them (im2col, col2im, pooling, activations), which lucidnet spreads over
the cores with its own threads: for the first 0.1 s after each product they share the cores with a spinning
OpenBLAS thread. Measured on a 2-core machine: col2im of the Fashion-MNIST CNN's second layer took 36-42 ms
right after a product instead of 20 ms. OpenBLAS reads the timeout, 2**n cycles, from the environment variable
``OPENBLAS_THREAD_TIMEOUT`` when it starts its threads; lucidnet sets n = 4, OpenBLAS's smallest (its threads
sleep at once and the next product wakes them: measured on the GPT's training step, 89-94 ms against 97-99 with
n = 20 and about the same for the MLP and the CNN), and restarts the idle thread pool so it takes effect even
when NumPy was imported first. A value the user set in the environment is left as it is; so is any BLAS other
than OpenBLAS.
"""
import ctypes
import os
import sys

import numpy  # noqa: F401  (loads NumPy's BLAS, whose threads this module configures)

__all__ = ["openblas_num_threads", "openblas_thread_timeout"]

TIMEOUT = 4


def _openblas_libraries():
    """The OpenBLAS libraries loaded in this process (NumPy's own build among them), by path."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.rsplit("/", 1)[-1].lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/") and ".so" in p)


def openblas_thread_timeout(n=TIMEOUT):
    """Make the loaded OpenBLAS spin for 2**n cycles after a product before its threads sleep; the number of
    libraries changed (0 where there is none, on other systems, or when ``OPENBLAS_THREAD_TIMEOUT`` was set).

    Example:
        >>> openblas_thread_timeout() >= 0
        True
    """
    if not sys.platform.startswith("linux") or os.environ.get("OPENBLAS_THREAD_TIMEOUT", str(n)) != str(n):
        return 0
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(n)
    changed = 0
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
            read_env, shutdown = lib.openblas_read_env, lib.blas_thread_shutdown_
        except (OSError, AttributeError):               # not a build that exports them
            continue
        read_env()                                      # takes the new timeout from the environment...
        shutdown()                                      # ...and the next product starts threads that use it
        changed += 1
    return changed


def openblas_num_threads(n=None):
    """The number of threads each loaded OpenBLAS uses for a product (a list: empty where there is none, or for
    a build that does not say); with ``n``, make them use ``n`` first (as threadpoolctl does, by the library's
    own ``openblas_set_num_threads``, under the name NumPy's build gives it).

    Example:
        >>> all(n >= 1 for n in openblas_num_threads())
        True
    """
    counts = []
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in (("openblas_get_num_threads", "openblas_set_num_threads"),
                          ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                          ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads")):
            if hasattr(lib, get) and hasattr(lib, set_):
                if n is not None:
                    getattr(lib, set_)(ctypes.c_int(int(n)))
                counts.append(int(getattr(lib, get)()))
                break
    return counts


openblas_thread_timeout()
