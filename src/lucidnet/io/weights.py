"""State dicts: weights saved as plain safetensors (PyTorch reads them, and lucidnet reads PyTorch's), and loaded
into a model only after every name and shape was checked against it."""
import collections
import copy

import numpy as np

from ..nn.module import Module
from ..random import default_generator
from ..tensor import Tensor
from .file import call_name, is_weight, read_file, write_file

__all__ = ["build_from_meta", "fit_weights", "load_state_dict", "load_weights", "save_state_dict", "save_weights"]


def save_state_dict(state_dict, path, metadata=None):
    """Save a state dict (names to tensors or arrays) as a safetensors file, atomically.

    The file is a plain safetensors state dict: ``safetensors.torch.load_file(path)`` reads it as a PyTorch
    state dict.

    Args:
        state_dict: a mapping of names to lucidnet tensors or NumPy arrays (``model.state_dict()``).
        path: the file to write (its directory is created if needed).
        metadata: optional JSON-able dict, stored in the file's header as ``lucidnet.metadata``.

    Example:
        >>> import os, tempfile
        >>> from lucidnet import nn
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_state_dict(nn.Linear(2, 3).state_dict(), path)
        >>> {k: v.shape for k, v in load_state_dict(path).items()}
        {'weight': lucidnet.Size([3, 2]), 'bias': lucidnet.Size([3])}
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save_state_dict(): expected a mapping of names to tensors, got "
                        f"{type(state_dict).__name__}.")
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save_state_dict(): expected string keys, got {key!r}.")
        if not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(f"save_state_dict(): expected tensors or arrays as values, got "
                            f"{type(value).__name__} for {key!r}.")
    write_file(path, dict(state_dict), {"lucidnet.metadata": metadata}, "state_dict")


def load_state_dict(path):
    """Load the model weights of a safetensors file as an ordered dict of names to tensors.

    Reads files written by :func:`save_state_dict`, :func:`save`, ``safetensors.torch.save_file`` or
    ``safetensors.numpy.save_file``; a full checkpoint's optimizer arrays are left out. Weights of other tools
    in float16 or bfloat16 (as many published models are) are converted to float32; float8 and other dtypes
    NumPy cannot hold are a ValueError naming the file, the tensor and its dtype.

    Args:
        path: the file to read.

    Returns:
        An ``OrderedDict`` of names to lucidnet tensors, ready for ``model.load_state_dict``.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_state_dict({"w": np.ones(2, np.float32)}, path)
        >>> dict(load_state_dict(path))
        {'w': tensor([1., 1.])}
    """
    tensors, _ = read_file(path, call_name("load_state_dict", path))
    return collections.OrderedDict((k, Tensor._wrap(v)) for k, v in tensors.items() if is_weight(k))


def fit_weights(model, tensors, where):
    """Check that the weights fit the model (names and shapes) before anything is copied, then copy them.

    Module.load_state_dict copies layer by layer, so a mismatch found late would leave the model half
    overwritten; checking first means a file of another architecture changes nothing.
    """
    weights = {k: v for k, v in tensors.items() if is_weight(k)}
    rng = default_generator.get_state()           # building lazy layers draws initial weights: loading must not
    try:
        target = model
        if any(getattr(m, "built", True) is False for m in list(model.modules())[1:]):
            # Lazy layers take their shapes from the weights as they load: try on a copy first.
            target = copy.deepcopy(model)
            try:
                target.load_state_dict(weights, strict=False)
            except (ValueError, TypeError):
                pass
        _check_fits(target, weights, where)
        model.load_state_dict(weights)
    finally:
        default_generator.set_state(rng)


def _check_fits(model, weights, where):
    own = model.state_dict()
    missing = [k for k in own if k not in weights]
    unexpected = [k for k in weights if k not in own]
    # A lazy layer not built yet holds empty placeholders: it takes its shape from the file.
    wrong = [f"{k} has shape {tuple(weights[k].shape)} in the file but {tuple(own[k].shape)} in the model"
             for k in own if k in weights and own[k].array.size and tuple(weights[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or wrong:
        parts = wrong[:3] + ([f"{len(wrong) - 3} more shapes differ"] if len(wrong) > 3 else [])
        if missing:
            parts.append("missing from the file: " + ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else ""))
        if unexpected:
            parts.append("not in the model: " + ", ".join(unexpected[:4]) + (", ..." if len(unexpected) > 4 else ""))
        raise ValueError(f"{where}: expected weights for {type(model).__name__} ({len(own)} tensors), got a file "
                         f"of another architecture: " + "; ".join(parts) + ". Nothing was loaded.")


def save_weights(model, path):
    """Save a model's weights only (its state dict), atomically; same as ``save_state_dict(model.state_dict())``.

    Args:
        model: the module whose parameters and buffers to save.
        path: the ``.safetensors`` file to write.

    Example:
        >>> import os, tempfile
        >>> from lucidnet import nn
        >>> a, b = nn.Linear(2, 3), nn.Linear(2, 3)
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_weights(a, path); load_weights(b, path)
        >>> bool((a.weight == b.weight).all())
        True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save_weights(): expected a Module, got {type(model).__name__}.")
    save_state_dict(model.state_dict(), path)


def load_weights(model, path):
    """Load weights saved by :func:`save_weights`, :func:`save` or PyTorch (safetensors) into ``model``.

    Names and shapes are checked first: a file of another architecture raises one clear error and leaves
    the model as it was.

    Args:
        model: the module to load into (its architecture must match the file's weights).
        path: the ``.safetensors`` file to read.

    Example:
        >>> import os, tempfile
        >>> from lucidnet import nn
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_weights(nn.Linear(2, 3), path)
        >>> load_weights(nn.Linear(2, 4), path)
        Traceback (most recent call last):
        ...
        ValueError: load_weights('...'): expected weights for Linear (2 tensors), got a file of another architecture:
        weight has shape (3, 2) in the file but (4, 2) in the model; ... Nothing was loaded.
    """
    if not isinstance(model, Module):
        raise TypeError(f"load_weights(): expected a Module, got {type(model).__name__}.")
    where = call_name("load_weights", path)
    tensors, meta = read_file(path, where)
    build_from_meta(model, meta)
    fit_weights(model, tensors, where)


def build_from_meta(model, meta):
    """Build a model's lazy layers from the saved input shape, without drawing from the default generator."""
    model_meta = meta.get("lucidnet.model") or {}
    shape = model_meta.get("input_shape")
    if shape is not None and hasattr(model, "build_from_config") and not getattr(model, "built", True):
        state = default_generator.get_state()
        try:
            model.build_from_config({"input_shape": shape, "input_dtype": model_meta.get("input_dtype")})
        finally:
            default_generator.set_state(state)
