"""Reading a checkpoint's tensors: safetensors files (one, or shards listed in an index), any float dtype.

Checkpoints on the Hugging Face Hub are stored in float32, float16 or bfloat16. NumPy has no bfloat16 (and
``safetensors.numpy`` cannot read it), so the file is read here: a safetensors file is an 8-byte little-endian
header length, a JSON header (name -> dtype, shape, byte offsets) and the raw bytes, which are mapped from
the file (``np.memmap``), not read into memory at once. Floats come back as float32; bfloat16 is the top half
of a float32, so it widens exactly by a 16-bit shift.
"""
import json
import math
import os

import numpy as np

__all__ = ["read_checkpoint", "read_safetensors"]

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U8": "u1", "BOOL": "?"}
_MAX_HEADER = 100 << 20                    # safetensors' own limit on the JSON header (100 MB)


def _float32(raw, dtype):
    """An array of a file's dtype as float32 (integers are returned as they are)."""
    if dtype == "BF16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if dtype in ("F64", "F32", "F16"):
        return raw.astype(np.float32)      # copies out of the mapped file, also for float32
    return np.array(raw)


def read_safetensors(path, where=None):
    """The tensors of one .safetensors file as a dict of NumPy arrays: floats as float32, integers as stored.

    Args:
        path: the file.
        where: how error messages name the caller. Default: ``read_safetensors('<path>')``.

    Example:
        >>> import os, tempfile
        >>> import numpy as np, safetensors.numpy
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> safetensors.numpy.save_file({"w": np.ones((2, 3), np.float16)}, path)
        >>> t = read_safetensors(path); t["w"].dtype, t["w"].shape
        (dtype('float32'), (2, 3))
    """
    where = where or f"read_safetensors({str(path)!r})"
    name = os.path.basename(str(path))
    size = os.path.getsize(path)

    def corrupt(what):
        return ValueError(f"{where}: expected a safetensors file, got {name} {what}.")
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise corrupt(f"of {size} bytes (too short for a header)")
        n = int.from_bytes(head, "little")
        if n > min(_MAX_HEADER, size - 8):
            raise corrupt(f"whose header claims {n} bytes in a file of {size} (truncated or not safetensors)")
        try:
            header = json.loads(f.read(n))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise corrupt(f"with an unreadable header ({e})") from None
    if not isinstance(header, dict):
        raise corrupt("whose header is not a JSON object")
    header.pop("__metadata__", None)
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n) if size > 8 + n else np.zeros(0, np.uint8)
    out = {}
    for key, info in header.items():
        try:
            dtype, shape, (begin, end) = info["dtype"], [int(s) for s in info["shape"]], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise corrupt(f"with a malformed header entry for {key!r}") from None
        if dtype not in _DTYPES:
            raise ValueError(f"{where}: expected tensors of dtype {', '.join(_DTYPES)}, got {key} of dtype "
                             f"{dtype} in {name}.")
        np_dtype = np.dtype(_DTYPES[dtype])
        if end - begin != math.prod(shape) * np_dtype.itemsize or not 0 <= begin <= end <= data.size:
            raise corrupt(f"whose tensor {key} (shape {tuple(shape)}, {dtype}) does not fit in bytes "
                          f"[{begin}, {end}) of {data.size} (truncated?)")
        raw = data[begin:end].view(np_dtype).reshape(shape)
        out[key] = _float32(raw, dtype)
    del data
    return out


def read_checkpoint(directory, where):
    """Every tensor of a model directory's weights: model.safetensors, or the shards that
    model.safetensors.index.json lists. A directory with only pickle weights (pytorch_model.bin) is an
    error that says so: lucidnet never unpickles."""
    single = os.path.join(directory, "model.safetensors")
    index = single + ".index.json"
    if os.path.isfile(single):
        return read_safetensors(single, where)
    if os.path.isfile(index):
        try:
            with open(index, encoding="utf-8") as f:
                files = sorted(set(json.load(f)["weight_map"].values()))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{where}: expected model.safetensors.index.json to map tensor names to files "
                             f"(weight_map), got an unreadable index ({e!r}).") from None
        tensors = {}
        for shard in files:
            path = os.path.join(directory, shard)
            if not os.path.isfile(path):
                raise ValueError(f"{where}: expected the weight shard {shard} listed in "
                                 f"model.safetensors.index.json, got no such file.")
            tensors.update(read_safetensors(path, where))
        return tensors
    pickled = [f for f in ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")
               if os.path.isfile(os.path.join(directory, f))]
    hint = (f" It has {', '.join(pickled)}, which lucidnet does not read (a pickle can run code); convert it to "
            f"safetensors first, e.g. with transformers: AutoModel.from_pretrained(dir).save_pretrained(dir, "
            f"safe_serialization=True).") if pickled else ""
    raise ValueError(f"{where}: expected weights in model.safetensors, got a directory without them.{hint}")
