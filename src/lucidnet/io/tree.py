"""Nests of values (dicts, lists, tuples, numbers, strings, arrays, tensors) as JSON with every array moved into
the file's tensors: how optimizer and callback states and ``save({...})`` trees are stored."""
import numpy as np

from ..tensor import Tensor
from .file import contiguous

__all__ = ["decode", "encode"]


def encode(obj, key, tensors):
    """A JSON-able copy of ``obj`` with every array moved into ``tensors`` (replaced by a reference)."""
    if isinstance(obj, Tensor):
        tensors[key] = contiguous(obj)
        return {"__tensor__": key}
    if isinstance(obj, np.ndarray):
        tensors[key] = contiguous(obj)
        return {"__array__": key}
    if isinstance(obj, np.generic):
        tensors[key] = np.asarray(obj)
        return {"__scalar__": key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: encode(v, f"{key}/{k}", tensors) for k, v in obj.items()}
        return {"__items__": [[k, encode(v, f"{key}/{k}", tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v, f"{key}/{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode(v, f"{key}/{i}", tensors) for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"save: expected arrays, numbers, strings, lists and dicts in the state, got "
                    f"{type(obj).__name__} at {key!r}.")


def decode(obj, tensors, where):
    """Undo :func:`_encode`."""
    if isinstance(obj, list):
        return [decode(v, tensors, where) for v in obj]
    if not isinstance(obj, dict):
        return obj
    for tag in ("__array__", "__scalar__", "__tensor__"):
        if tag in obj:
            if obj[tag] not in tensors:
                raise ValueError(f"{where}: the file is corrupt: the state refers to a missing tensor {obj[tag]!r}.")
            arr = tensors[obj[tag]]
            return arr[()] if tag == "__scalar__" else Tensor._wrap(arr) if tag == "__tensor__" else arr
    if "__tuple__" in obj:
        return tuple(decode(v, tensors, where) for v in obj["__tuple__"])
    if "__items__" in obj:
        return {(tuple(k) if isinstance(k, list) else k): decode(v, tensors, where) for k, v in obj["__items__"]}
    return {k: decode(v, tensors, where) for k, v in obj.items()}
