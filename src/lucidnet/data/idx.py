"""The IDX file format of MNIST and Fashion-MNIST: read and write, gzip-compressed or raw.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values in C order, big-endian. Type codes: 0x08 uint8,
0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64 (http://yann.lecun.com/exdb/mnist/).
Reading checks every part of that and says which one is wrong; writing is atomic.
"""
import gzip
import math
import os
import struct
import sys
import zlib

import numpy as np

from ..tensor import Tensor
from ._files import atomic_write

__all__ = ["load_idx", "save_idx"]

_CODES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(np.int16),
          0x0C: np.dtype(np.int32), 0x0D: np.dtype(np.float32), 0x0E: np.dtype(np.float64)}
_NAMES = {0x08: "ubyte", 0x09: "byte", 0x0B: "short", 0x0C: "int", 0x0D: "float", 0x0E: "double"}
_CODE_OF = {dt: code for code, dt in _CODES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 24


def _where(path):
    return f"load_idx({os.fspath(path)!r})"


def _dims(shape):
    return "x".join(str(d) for d in shape) if shape else "scalar"


def _announced(shape, dtype):
    """What the header promises, in the words of the error messages."""
    nbytes = math.prod(shape) * dtype.itemsize
    if dtype.itemsize == 1:
        return f"{_dims(shape)} bytes"
    return f"{_dims(shape)} {dtype} values ({nbytes} bytes)"


def _read_upto(f, n):
    """Up to n bytes (fewer only at end of file)."""
    parts, got = [], 0
    while got < n:
        b = f.read(n - got)
        if not b:
            break
        parts.append(b)
        got += len(b)
    return b"".join(parts)


def load_idx(path):
    """Read an IDX file (gzip-compressed or raw, told apart by its first bytes) into a NumPy array.

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        A writable array of the file's shape, in native byte order: uint8, int8, int16, int32, float32 or
        float64 as the type code says.

    Raises:
        ValueError: the file is not IDX (bad magic number, unknown type code), is truncated, has trailing
            bytes, or is a broken gzip stream. FileNotFoundError: there is no such file.

    Example:
        >>> import os, tempfile, numpy as np
        >>> p = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
        >>> save_idx(p, np.array([3, 1, 4], dtype=np.uint8))
        >>> load_idx(p)
        array([3, 1, 4], dtype=uint8)
    """
    where = _where(path)
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: no such file.") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{where}: expected a file, got a directory.") from None
    with raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            return _read(raw, where, path, compressed=False, size=os.fstat(raw.fileno()).st_size)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                return _read(f, where, path, compressed=True, size=None)
        except (gzip.BadGzipFile, zlib.error, EOFError) as e:
            if isinstance(e, EOFError):
                raise ValueError(f"{where}: file is truncated: the gzip stream ends before its end marker.") \
                    from None
            raise ValueError(f"{where}: corrupt gzip data ({e}).") from None


def _read(f, where, path, compressed, size):
    magic = _read_upto(f, 4)
    if len(magic) < 4:
        raise ValueError(f"{where}: file is truncated: expected a 4-byte IDX magic number, got "
                         f"{len(magic)} bytes.")
    if magic[0] != 0 or magic[1] != 0:
        if not compressed and os.fspath(path).endswith(".gz"):
            raise ValueError(f"{where}: expected a gzip or IDX file, got one starting with bytes "
                             f"{magic.hex(' ')} (named .gz but not gzip; an error page saved by a failed "
                             f"download?).")
        raise ValueError(f"{where}: bad magic number 0x{magic.hex()}: expected an IDX file, which starts with "
                         f"two zero bytes, a type code and the number of dimensions.")
    code, ndim = magic[2], magic[3]
    if code not in _CODES:
        known = ", ".join(f"0x{c:02X} ({n})" for c, n in _NAMES.items())
        raise ValueError(f"{where}: unknown dtype code 0x{code:02X} in the magic number; expected one of "
                         f"{known}.")
    if ndim == 0:
        raise ValueError(f"{where}: expected at least 1 dimension in the magic number, got 0.")
    header = _read_upto(f, 4 * ndim)
    if len(header) < 4 * ndim:
        raise ValueError(f"{where}: file is truncated: the header announces {ndim} dimensions but ends after "
                         f"{len(header) // 4}.")
    shape = struct.unpack(f">{ndim}I", header)
    dtype = _CODES[code]
    nbytes = math.prod(shape) * dtype.itemsize
    if size is not None:                                  # raw file: check the length before allocating
        found = size - 4 - 4 * ndim
        if found < nbytes:
            raise ValueError(f"{where}: file is truncated: header says {_announced(shape, dtype)}, found {found}.")
        if found > nbytes:
            raise ValueError(f"{where}: {found - nbytes} trailing bytes after the {_announced(shape, dtype)} "
                             f"the header says.")
    try:
        out = np.empty(shape, dtype=dtype)
    except (MemoryError, ValueError):
        raise ValueError(f"{where}: header says {_announced(shape, dtype)}, too large to load; the file is "
                         f"probably corrupt.") from None
    buf = out.reshape(-1).view(np.uint8)
    got = 0
    while got < nbytes:
        try:
            n = f.readinto(buf[got:got + _CHUNK])
        except EOFError:                                   # gzip stream cut off
            n = 0
        if not n:
            raise ValueError(f"{where}: file is truncated: header says {_announced(shape, dtype)}, found {got}.")
        got += n
    extra = 0
    while True:
        rest = f.read(_CHUNK)
        if not rest:
            break
        extra += len(rest)
    if extra:
        raise ValueError(f"{where}: {extra} trailing bytes after the {_announced(shape, dtype)} the header says.")
    if dtype.itemsize > 1 and sys.byteorder == "little":
        out.byteswap(inplace=True)                         # IDX is big-endian
    return out


def save_idx(path, array):
    """Write an array as an IDX file, gzip-compressed when ``path`` ends with ``.gz``; atomically.

    The file appears complete or not at all: the data goes to a temporary file in the same directory, which
    is flushed, fsynced and renamed over ``path``.

    Args:
        path: where to write.
        array: a NumPy array or Tensor of dtype uint8, int8, int16, int32, float32 or float64 with at least
            one dimension.

    Example:
        >>> import os, tempfile, numpy as np
        >>> p = os.path.join(tempfile.mkdtemp(), "x-idx2-float")
        >>> save_idx(p, np.eye(2, dtype=np.float32))
        >>> load_idx(p)
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """
    where = f"save_idx({os.fspath(path)!r})"
    arr = array.array if isinstance(array, Tensor) else np.asarray(array)
    dtype = arr.dtype.newbyteorder("=") if arr.dtype.byteorder not in "=|" else arr.dtype
    if dtype not in _CODE_OF:
        hint = ""
        if dtype.kind in "iub":
            hint = " Convert it, e.g. array.astype(np.uint8) for labels or array.astype(np.int32)."
        elif dtype.kind == "f":
            hint = " Convert it, e.g. array.astype(np.float32)."
        raise TypeError(f"{where}: expected an array of dtype uint8, int8, int16, int32, float32 or float64 "
                        f"(the IDX types), got {arr.dtype}.{hint}")
    if not 1 <= arr.ndim <= 255:
        raise ValueError(f"{where}: expected an array with 1 to 255 dimensions, got shape {tuple(arr.shape)}.")
    if max(arr.shape) >= 2**32:
        raise ValueError(f"{where}: expected every dimension below 2**32 (IDX stores uint32), got {tuple(arr.shape)}.")
    header = bytes([0, 0, _CODE_OF[dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    data = np.ascontiguousarray(arr, dtype=dtype.newbyteorder(">") if dtype.itemsize > 1 else dtype)
    payload = data.reshape(-1).view(np.uint8)
    with atomic_write(path) as f:
        if os.fspath(path).endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=6, mtime=0) as gz:
                gz.write(header)
                gz.write(payload)
        else:
            f.write(header)
            f.write(payload)
