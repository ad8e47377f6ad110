"""Keep freed memory for reuse, instead of handing it back to the OS after every training step.

NumPy allocates each temporary array with malloc. glibc serves blocks over 128 KiB (a (768, 128) float32
activation is 384 KiB) with fresh mmap'ed pages, and gives freed memory at the top of the heap back to the
OS; so each step of a training loop page-faults its way through new zeroed pages, about 10% of a GPT
step measured here. Raising the two thresholds (``mallopt``, the same as setting ``MALLOC_MMAP_THRESHOLD_``
and ``MALLOC_TRIM_THRESHOLD_``) lets malloc reuse the step's own freed blocks. The cost: the process keeps
its peak memory until it exits. lucidnet does this on import on Linux with glibc; set the environment
variable ``LUCIDNET_KEEP_FREED_MEMORY=0`` before importing it to leave malloc as it is.
"""
import ctypes
import os
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3          # glibc's <malloc.h> parameter numbers


def keep_freed_memory(mmap_threshold=32 << 20, trim_threshold=256 << 20):
    """Ask glibc to serve blocks up to ``mmap_threshold`` bytes from its heap and to keep up to
    ``trim_threshold`` bytes of freed memory; True if it did (False elsewhere: another OS or C library).

    Example:
        >>> keep_freed_memory() in (True, False)
        True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):                   # no mallopt: musl, or a static build
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))


if os.environ.get("LUCIDNET_KEEP_FREED_MEMORY", "1") != "0":
    keep_freed_memory()
