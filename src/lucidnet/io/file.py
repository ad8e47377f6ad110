"""The file: tensors and JSON metadata in one safetensors file, written atomically and read back with a
checksum, every way it can be wrong reported as one clear error naming the file."""
import collections
import hashlib
import json
import os

import numpy as np
import safetensors
import safetensors.numpy

from ..data._files import atomic_write
from ..tensor import Tensor
from ..validation import numeric_array

__all__ = ["CALLBACKS_PREFIX", "FORMAT_VERSION", "OPTIMIZER_PREFIX", "call_name", "contiguous", "digest", "is_weight",
           "read_file", "write_file"]

FORMAT_VERSION = 1
OPTIMIZER_PREFIX = "optimizer/"                      # prefix of the optimizer's tensors in a checkpoint
CALLBACKS_PREFIX = "callbacks/"                # ... and of the callbacks' (EarlyStopping's best weights)


def is_weight(key):
    return not key.startswith((OPTIMIZER_PREFIX, CALLBACKS_PREFIX))


def call_name(fn, path):
    return f"{fn}({os.fspath(path)!r})"


def contiguous(value):
    """A C-contiguous array of the same shape (np.ascontiguousarray would make a 0-d array 1-d)."""
    if isinstance(value, Tensor):
        value = value.array
    value = np.asarray(value)
    return value if value.flags.c_contiguous else np.ascontiguousarray(value).reshape(value.shape)


def digest(tensors):
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for key in sorted(tensors):
        arr = tensors[key]
        h.update(f"{key}\0{arr.dtype.str}\0{tuple(arr.shape)}\0".encode())
        h.update(contiguous(arr).data)
    return h.hexdigest()


def write_file(path, tensors, meta, kind):
    """Write tensors + metadata as one safetensors file, atomically (temp file, fsync, rename)."""
    from .. import __version__
    tensors = {k: contiguous(v) for k, v in tensors.items()}
    for key, arr in tensors.items():
        numeric_array(arr, "save()", f"tensor {key!r}")
    header = {"format": "pt",
              "lucidnet": json.dumps({"format_version": FORMAT_VERSION, "lucidnet_version": __version__,
                                      "kind": kind, "sha256": digest(tensors), "order": list(tensors)})}
    header.update({k: json.dumps(v, allow_nan=True) for k, v in meta.items() if v is not None})
    data = safetensors.numpy.save(tensors, metadata=header)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_write(path) as f:
        f.write(data)


def read_file(path, where):
    """(tensors, metadata) of a safetensors file; every way it can be wrong is one clear ValueError."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{where}: expected a checkpoint file, got a path that does not exist.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: expected a .safetensors file, got a directory.")
    try:
        with safetensors.safe_open(path, framework="np") as f:
            raw_meta = f.metadata() or {}
            tensors = collections.OrderedDict((k, f.get_tensor(k)) for k in f.keys())
    except (safetensors.SafetensorError, OSError, ValueError) as e:
        raise ValueError(f"{where}: expected a safetensors file, got one that is truncated or corrupt ({e}).") \
            from None
    meta = {}
    for key, value in raw_meta.items():
        if key == "lucidnet" or key.startswith("lucidnet."):
            try:
                meta[key] = json.loads(value)
            except ValueError:
                raise ValueError(f"{where}: the file is corrupt: its {key!r} metadata is not valid JSON.") from None
    info = meta.get("lucidnet")
    if info is not None:
        if not isinstance(info, dict) or info.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{where}: expected a lucidnet file of format version {FORMAT_VERSION}, got "
                             f"{info.get('format_version') if isinstance(info, dict) else info!r}.")
        if info.get("sha256") != digest(tensors):
            raise ValueError(f"{where}: the file is corrupt: its data does not match the checksum saved with it.")
        order = info.get("order")
        if isinstance(order, list) and sorted(order) == sorted(tensors):     # safetensors sorts; keep saved order
            tensors = collections.OrderedDict((k, tensors[k]) for k in order)
    # Writable arrays that own their memory (the module and optimizer keep them).
    tensors = collections.OrderedDict((k, np.array(v)) for k, v in tensors.items())
    return tensors, meta
