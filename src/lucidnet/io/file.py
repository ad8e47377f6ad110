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

FORMAT_VERSION = 2      # 2: the checksum covers the header's metadata too (1: the tensors only; still read)
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


def digest(tensors, metadata=None):
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order, then (format version 2) over every
    metadata entry of the header, in key order: its values as the file stores them, except the ``lucidnet``
    entry, which holds the checksum itself and is digested as canonical JSON without it."""
    h = hashlib.sha256()
    for key in sorted(tensors):
        arr = tensors[key]
        h.update(f"{key}\0{arr.dtype.str}\0{tuple(arr.shape)}\0".encode())
        h.update(contiguous(arr).data)
    if metadata is not None:
        for key in sorted(metadata):
            value = metadata[key]
            if key == "lucidnet":
                value = json.dumps({k: v for k, v in json.loads(value).items() if k != "sha256"}, sort_keys=True)
            h.update(f"\1{key}\0{value}\0".encode())
    return h.hexdigest()


def write_file(path, tensors, meta, kind):
    """Write tensors + metadata as one safetensors file, atomically (temp file, fsync, rename)."""
    from .. import __version__
    tensors = {k: contiguous(v) for k, v in tensors.items()}
    for key, arr in tensors.items():
        numeric_array(arr, "save()", f"tensor {key!r}")
    info = {"format_version": FORMAT_VERSION, "lucidnet_version": __version__, "kind": kind, "order": list(tensors)}
    header = {"format": "pt", "lucidnet": json.dumps(info)}
    header.update({k: json.dumps(v, allow_nan=True) for k, v in meta.items() if v is not None})
    info["sha256"] = digest(tensors, header)              # every tensor and every metadata entry
    header["lucidnet"] = json.dumps(info)
    data = safetensors.numpy.save(tensors, metadata=header)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_write(path) as f:
        f.write(data)


def _near(a, b):
    """Whether ``a`` differs from ``b`` in exactly one character (a flipped bit changes one byte)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def read_file(path, where):
    """(tensors, metadata) of a safetensors file; every way it can be wrong is one clear ValueError naming the file.

    Tensors in float16 or bfloat16 from other tools (a file without lucidnet's header entry) come back as
    float32; float8 and other dtypes NumPy cannot hold are refused, naming the tensor and its dtype."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{where}: expected a checkpoint file, got a path that does not exist.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: expected a .safetensors file, got a directory.")
    try:
        with safetensors.safe_open(path, framework="np") as f:
            raw_meta = f.metadata() or {}
            dtypes = _dtypes(path)
            unsupported = {k: dtypes.get(k) for k in f.keys() if dtypes.get(k) not in NUMPY_DTYPES | {"BF16"}}
            tensors = collections.OrderedDict(
                (k, _bfloat16(path, k) if dtypes[k] == "BF16" else f.get_tensor(k)) for k in f.keys()
                if k not in unsupported)
    except (safetensors.SafetensorError, OSError, ValueError) as e:
        raise ValueError(f"{where}: expected a safetensors file, got one that is truncated or corrupt ({e}).") \
            from None
    if unsupported:
        key, dtype = next(iter(unsupported.items()))
        more = f" (and {len(unsupported) - 1} more)" if len(unsupported) > 1 else ""
        raise ValueError(f"{where}: expected tensors of a dtype lucidnet reads (float16, bfloat16, float32, float64, "
                         f"integers, bool), got {key!r} of dtype {dtype}{more}. Convert the file first, e.g. in "
                         f"PyTorch: {{k: v.float() for k, v in state_dict.items()}}.")
    meta = {}
    for key, value in raw_meta.items():
        if key == "lucidnet" or key.startswith("lucidnet."):
            try:
                meta[key] = json.loads(value)
            except ValueError:
                raise ValueError(f"{where}: the file is corrupt: its {key!r} metadata is not valid JSON.") from None
    info = meta.get("lucidnet")
    if info is None and any(_near(key, "lucidnet") or key.startswith("lucidnet.") for key in raw_meta):
        # lucidnet's own entries without the one holding the checksum: its name was damaged
        raise ValueError(f"{where}: the file is corrupt: its header lost the 'lucidnet' entry that holds the "
                         f"checksum.")
    if info is not None:
        version = info.get("format_version") if isinstance(info, dict) else None
        if version not in (1, FORMAT_VERSION):
            raise ValueError(f"{where}: expected a lucidnet file of format version 1 to {FORMAT_VERSION}, got "
                             f"{version if isinstance(info, dict) else info!r} (a file of a newer lucidnet, or a "
                             f"corrupt one).")
        # Version 1 files digest their tensors only; version 2 every tensor and every metadata entry.
        if info.get("sha256") != digest(tensors, raw_meta if version >= 2 else None):
            raise ValueError(f"{where}: the file is corrupt: its data does not match the checksum saved with it.")
        order = info.get("order")
        if isinstance(order, list) and sorted(order) == sorted(tensors):     # safetensors sorts; keep saved order
            tensors = collections.OrderedDict((k, tensors[k]) for k in order)
    # Writable arrays that own their memory (the module and optimizer keep them). Half precision from other tools
    # comes in as float32 (lucidnet computes in float32; NumPy has no bfloat16); lucidnet's own files keep the
    # dtypes they were saved with.
    foreign = info is None
    tensors = collections.OrderedDict(
        (k, v.astype(np.float32) if foreign and dtypes[k] in ("F16", "BF16") else np.array(v))
        for k, v in tensors.items())
    return tensors, meta


# The safetensors dtypes NumPy reads as they are; BF16 is widened to float32 here; others (float8, ...) are refused.
NUMPY_DTYPES = frozenset({"BOOL", "U8", "I8", "U16", "I16", "F16", "U32", "I32", "F32", "U64", "I64", "F64"})


def _header(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(n)), 8 + n


def _dtypes(path):
    """Each tensor's safetensors dtype name ("F32", "BF16", ...), from the header safe_open has validated."""
    header, _ = _header(path)
    return {k: v.get("dtype") for k, v in header.items() if k != "__metadata__"}


def _bfloat16(path, key):
    """A BF16 tensor as float32: bfloat16 is the top half of a float32, so shifting its bits up is exact."""
    header, start = _header(path)
    entry = header[key]
    a, b = entry["data_offsets"]
    with open(path, "rb") as f:
        f.seek(start + a)
        raw = np.frombuffer(f.read(b - a), dtype="<u2")
    return (raw.astype(np.uint32) << 16).view(np.float32).reshape(entry["shape"])
