"""Saving and loading: models, optimizers and the state of a training run, as safetensors + JSON.

Nothing here uses pickle, so loading a file can never run code: arrays go through safetensors, everything
else is JSON, and architectures are rebuilt only from registered layer classes (an unknown class is an
error).

On disk, a checkpoint is **one** ``.safetensors`` file, so a single ``os.replace`` commits it atomically
(a crash mid-save leaves the previous file untouched; there is no moment where half of a checkpoint is new):

- tensors: the model's state dict under PyTorch's keys (``"0.weight"``, ``"0.bias"``, ...), and, in a
  full checkpoint, the optimizer's arrays under ``"optimizer/state/<i>/<name>"`` (a ``/`` never appears in
  a state-dict key, so the two cannot collide);
- the safetensors header's metadata (a string-to-string map), each value JSON:

  ========================  ======================================================================
  ``format``                ``"pt"``: the tensors are a PyTorch-style state dict
  ``lucidnet``              ``{"format_version": 1, "kind": ..., "sha256": ...}``: a checksum of all
                            tensors, so a corrupted file is detected (safetensors only checks sizes)
  ``lucidnet.model``        ``{"architecture": model.to_config(), "input_shape": [...],
                            "compile": {...}}`` (absent for weights saved by :func:`save_state_dict`)
  ``lucidnet.optimizer``    ``{"class": "Adam", "param_names": [...], "state_dict": {...}}`` with each
                            array replaced by a reference to its tensor
  ``lucidnet.training``     ``{"epoch": 3, "history": {...}, "generators": {...}, "callbacks": {...},
                            "extra": ...}``: what a resumed run needs to continue exactly
  ========================  ======================================================================

A file saved without an optimizer (:func:`save_weights`, :func:`save_state_dict`, or :func:`save` with
``include_optimizer=False``) holds exactly the model's state dict, so ``safetensors.torch.load_file`` gives
a state dict the equivalent PyTorch model loads with ``load_state_dict``; and a PyTorch state dict saved
with ``safetensors.torch.save_file`` loads into lucidnet with :func:`load_state_dict` / :func:`load_weights`.

Example:
    >>> import os, tempfile
    >>> import lucidnet
    >>> from lucidnet import nn
    >>> model = nn.Sequential(nn.Linear(2, 3))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> restored = load(path)
    >>> bool((restored[0].weight == model[0].weight).all())
    True
"""
import collections
import collections.abc
import copy
import dataclasses
import hashlib
import json
import os

import numpy as np
import safetensors
import safetensors.numpy

from .data._files import atomic_write
from .nn.module import Module, module_from_config
from .optim.optimizer import match_state_dict
from .random import default_generator, get_state, set_state
from .tensor import Tensor

__all__ = ["Checkpoint", "load", "load_checkpoint", "load_state_dict", "load_weights", "save", "save_state_dict",
           "save_weights"]

FORMAT_VERSION = 1
_OPT = "optimizer/"                      # prefix of the optimizer's tensors in a checkpoint
_CALLBACKS = "callbacks/"                # ... and of the callbacks' (EarlyStopping's best weights)


def _is_weight(key):
    return not key.startswith((_OPT, _CALLBACKS))


# ------------------------------------------------------------------------------------------------ the file

def _where(fn, path):
    return f"{fn}({os.fspath(path)!r})"


def _array(value):
    """A C-contiguous array of the same shape (np.ascontiguousarray would make a 0-d array 1-d)."""
    if isinstance(value, Tensor):
        value = value.array
    value = np.asarray(value)
    return value if value.flags.c_contiguous else np.ascontiguousarray(value).reshape(value.shape)


def _digest(tensors):
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for key in sorted(tensors):
        arr = tensors[key]
        h.update(f"{key}\0{arr.dtype.str}\0{arr.shape}\0".encode())
        h.update(_array(arr).data)
    return h.hexdigest()


def _write(path, tensors, meta, kind):
    """Write tensors + metadata as one safetensors file, atomically (temp file, fsync, rename)."""
    from . import __version__
    tensors = {k: _array(v) for k, v in tensors.items()}
    for key, arr in tensors.items():
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(f"save: expected numeric arrays, got {key!r} of dtype {arr.dtype}.")
    header = {"format": "pt",
              "lucidnet": json.dumps({"format_version": FORMAT_VERSION, "lucidnet_version": __version__,
                                      "kind": kind, "sha256": _digest(tensors), "order": list(tensors)})}
    header.update({k: json.dumps(v, allow_nan=True) for k, v in meta.items() if v is not None})
    data = safetensors.numpy.save(tensors, metadata=header)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with atomic_write(path) as f:
        f.write(data)


def _read(path, where):
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
        if info.get("sha256") != _digest(tensors):
            raise ValueError(f"{where}: the file is corrupt: its data does not match the checksum saved with it.")
        order = info.get("order")
        if isinstance(order, list) and sorted(order) == sorted(tensors):     # safetensors sorts; keep saved order
            tensors = collections.OrderedDict((k, tensors[k]) for k in order)
    # Writable arrays that own their memory (the module and optimizer keep them).
    tensors = collections.OrderedDict((k, np.array(v)) for k, v in tensors.items())
    return tensors, meta


# ------------------------------------------------------------------------------------------------ state dicts

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
    _write(path, dict(state_dict), {"lucidnet.metadata": metadata}, "state_dict")


def load_state_dict(path):
    """Load the model weights of a safetensors file as an ordered dict of names to tensors.

    Reads files written by :func:`save_state_dict`, :func:`save`, ``safetensors.torch.save_file`` or
    ``safetensors.numpy.save_file``; a full checkpoint's optimizer arrays are left out.

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
    tensors, _ = _read(path, _where("load_state_dict", path))
    return collections.OrderedDict((k, Tensor._wrap(v)) for k, v in tensors.items() if _is_weight(k))


def _fit_weights(model, tensors, where):
    """Check that the weights fit the model (names and shapes) before anything is copied, then copy them.

    Module.load_state_dict copies layer by layer, so a mismatch found late would leave the model half
    overwritten; checking first means a file of another architecture changes nothing.
    """
    weights = {k: v for k, v in tensors.items() if _is_weight(k)}
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
    where = _where("load_weights", path)
    tensors, meta = _read(path, where)
    _build_from_meta(model, meta)
    _fit_weights(model, tensors, where)


# ------------------------------------------------------------------------------------------------ trees

def _encode(obj, key, tensors):
    """A JSON-able copy of ``obj`` with every array moved into ``tensors`` (replaced by a reference)."""
    if isinstance(obj, Tensor):
        tensors[key] = _array(obj)
        return {"__tensor__": key}
    if isinstance(obj, np.ndarray):
        tensors[key] = _array(obj)
        return {"__array__": key}
    if isinstance(obj, np.generic):
        tensors[key] = np.asarray(obj)
        return {"__scalar__": key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: _encode(v, f"{key}/{k}", tensors) for k, v in obj.items()}
        return {"__items__": [[k, _encode(v, f"{key}/{k}", tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, f"{key}/{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, f"{key}/{i}", tensors) for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"save: expected arrays, numbers, strings, lists and dicts in the state, got "
                    f"{type(obj).__name__} at {key!r}.")


def _decode(obj, tensors, where):
    """Undo :func:`_encode`."""
    if isinstance(obj, list):
        return [_decode(v, tensors, where) for v in obj]
    if not isinstance(obj, dict):
        return obj
    for tag in ("__array__", "__scalar__", "__tensor__"):
        if tag in obj:
            if obj[tag] not in tensors:
                raise ValueError(f"{where}: the file is corrupt: the state refers to a missing tensor {obj[tag]!r}.")
            arr = tensors[obj[tag]]
            return arr[()] if tag == "__scalar__" else Tensor._wrap(arr) if tag == "__tensor__" else arr
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors, where) for v in obj["__tuple__"])
    if "__items__" in obj:
        return {(tuple(k) if isinstance(k, list) else k): _decode(v, tensors, where) for k, v in obj["__items__"]}
    return {k: _decode(v, tensors, where) for k, v in obj.items()}


# ------------------------------------------------------------------------------------------------ checkpoints

def _optimizer_meta(model, optimizer, tensors):
    """The optimizer's class, state dict (arrays into ``tensors``) and, per parameter index, the model's
    name for that parameter, so the state goes back to the right tensors even in another order."""
    names = {id(p): n for n, p in model.named_parameters()}
    order = [p for g in optimizer.param_groups for p in g["params"]]
    return {"class": type(optimizer).__name__,
            "param_names": [names.get(id(p)) for p in order],
            "state_dict": _encode(optimizer.state_dict(), "optimizer", tensors)}


def save(model, path, optimizer=None, *, epoch=None, history=None, generator=None, extra=None,
         include_optimizer=True):
    """Save a model (architecture, weights) with, optionally, what resuming its training needs. Atomic.

    ``save(model.state_dict(), path)`` and ``save({"epoch": 3, "model": model.state_dict(), ...}, path)`` work
    too, as ``torch.save`` does in PyTorch code: a state dict becomes a plain safetensors state dict, any
    other nesting of dicts, lists, tensors, arrays, numbers and strings is kept as it is (``load`` returns it).

    The file is one ``.safetensors`` (see the module docstring for the layout). What is saved for a model:

    - the architecture, from ``model.to_config()`` (a module without ``get_config`` saves its weights only:
      reload those into a model you build with ``load(path, model=...)``);
    - the weights (state dict);
    - the optimizer's state: ``optimizer``, or the compiled optimizer of a :class:`lucidnet.Model`;
    - the training state: ``epoch`` (epochs completed), ``history``, the states of the default random
      generator and of ``generator``, callbacks' states, and ``extra`` (any JSON-able value). For a
      :class:`lucidnet.Model` these default to its ``get_training_state()``: where its last ``fit`` is (or the
      run it was loaded with), and its compile arguments come from ``get_compile_config()``.

    Args:
        model: the module to save (or a state dict, or a nest of dicts and lists of tensors and values).
        path: the file to write; its directory is created if needed.
        optimizer: an optimizer to save the state of. Default: the model's compiled optimizer, if any.
        epoch: how many epochs are complete.
        history: a dict of lists (``History.history``).
        generator: a Generator (or a DataLoader, whose shuffling state is saved), or a dict of name -> one.
        extra: anything JSON-able, returned by :func:`load_checkpoint`.
        include_optimizer: save the optimizer's state. Default: True.

    Example:
        >>> import os, tempfile
        >>> import lucidnet
        >>> from lucidnet import nn, optim
        >>> model = nn.Sequential(nn.Linear(2, 1))
        >>> opt = optim.Adam(model.parameters())
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> save(model, path, opt, epoch=3, extra={"note": "hi"})
        >>> ckpt = load_checkpoint(path)
        >>> ckpt.epoch, ckpt.extra, type(ckpt.model).__name__
        (3, {'note': 'hi'}, 'Sequential')
    """
    if not isinstance(model, Module):
        _save_object(model, path)
        return
    fit_state = model.get_training_state() if hasattr(model, "get_training_state") else {}
    if optimizer is None:
        optimizer = getattr(model, "optimizer", None)       # a compiled lucidnet.Model's
    if optimizer is not None and not hasattr(optimizer, "state_dict"):
        raise TypeError(f"save(): expected an optimizer with state_dict(), got {type(optimizer).__name__}.")
    tensors = dict(model.state_dict())
    for key in tensors:
        if not _is_weight(key):
            raise ValueError(f"save(): expected state-dict keys that do not start with {_OPT!r} or {_CALLBACKS!r}, "
                             f"got {key!r}.")

    model_meta = None
    try:
        arch = model.to_config()
    except NotImplementedError:
        arch = None
    if arch is not None:
        build = model.get_build_config() if hasattr(model, "get_build_config") else {}
        model_meta = {"architecture": arch, "input_shape": build.get("input_shape"),
                      "compile": model.get_compile_config() if hasattr(model, "get_compile_config") else None}
        try:
            json.dumps(model_meta)
        except (TypeError, ValueError) as e:
            raise TypeError(f"save(): expected {type(model).__name__}.to_config() to give JSON data, got {e}. "
                            f"Fix the layer's get_config(), or use save_weights().") from None

    opt_meta = None
    if include_optimizer and optimizer is not None:
        opt_meta = _optimizer_meta(model, optimizer, tensors)

    generators = {"default": default_generator.get_state()}
    if isinstance(generator, dict):
        generators.update({name: get_state(g, "save()") for name, g in generator.items() if g is not None})
    elif generator is not None:
        generators["generator"] = get_state(generator, "save()")
    else:
        generators.update(fit_state.get("generators") or {})      # already states
    if history is None:
        history = fit_state.get("history")
    training = {"epoch": epoch if epoch is not None else fit_state.get("epoch"),
                "history": {k: [float(v) for v in vs] for k, vs in history.items()} if history else None,
                "generators": generators,
                "callbacks": _encode(fit_state.get("callbacks"), "callbacks", tensors),
                "extra": extra}
    try:
        json.dumps(training)
    except (TypeError, ValueError) as e:
        raise TypeError(f"save(): expected JSON-able training state (epoch, history, extra), got {e}.") from None
    _write(path, tensors, {"lucidnet.model": model_meta, "lucidnet.optimizer": opt_meta,
                           "lucidnet.training": training}, "checkpoint")


def _save_object(obj, path):
    """save() of a state dict (a plain safetensors file) or of any other nest of values (a tree)."""
    if isinstance(obj, collections.abc.Mapping) and obj and all(
            isinstance(k, str) and isinstance(v, (Tensor, np.ndarray)) for k, v in obj.items()):
        save_state_dict(obj, path)
        return
    if not isinstance(obj, (dict, list, tuple)):
        raise TypeError(f"save(): expected a Module, a state dict, or dicts / lists of tensors and values, got "
                        f"{type(obj).__name__}.")
    tensors = {}
    tree = _encode(obj, "tree", tensors)
    _write(path, tensors, {"lucidnet.tree": tree}, "tree")


def _build_from_meta(model, meta):
    """Build a model's lazy layers from the saved input shape, without drawing from the default generator."""
    shape = (meta.get("lucidnet.model") or {}).get("input_shape")
    if shape is not None and hasattr(model, "build_from_config") and not getattr(model, "built", True):
        state = default_generator.get_state()
        try:
            model.build_from_config({"input_shape": shape})
        finally:
            default_generator.set_state(state)


@dataclasses.dataclass
class Checkpoint:
    """What :func:`load_checkpoint` read: the model, and the state of the training run it was saved in.

    Attributes:
        model: the model, with its weights loaded.
        optimizer: the optimizer given to :func:`load_checkpoint`, with its state loaded (or None).
        epoch: epochs completed when it was saved (or None).
        history: the ``History.history`` dict up to then (or None).
        extra: the ``extra`` value given to :func:`save`.
        optimizer_state: the optimizer's state dict as saved (PyTorch layout), or None.
        optimizer_class: the saved optimizer's class name, or None.
        optimizer_param_names: the model's name of each parameter the saved optimizer held, in its order.
        generators: the saved generator states, by name ("default", "generator", ...).
        callbacks: the saved callback states (used by ``fit``).
    """
    model: object
    optimizer: object = None
    epoch: object = None
    history: object = None
    extra: object = None
    optimizer_state: object = None
    optimizer_class: object = None
    optimizer_param_names: object = None
    generators: dict = dataclasses.field(default_factory=dict)
    callbacks: object = None


def load_checkpoint(path, model=None, optimizer=None, generator=None, restore_rng=True):
    """Read a checkpoint written by :func:`save`: rebuild (or fill) the model, and restore a training run.

    For a PyTorch-style loop::

        ckpt = lucidnet.io.load_checkpoint(path, model, optimizer, generator=loader)
        for epoch in range(ckpt.epoch, epochs): ...

    continues exactly as the run that saved it (same batches, same dropout masks, same updates).

    Args:
        path: the ``.safetensors`` file.
        model: a module to load the weights into (checked first: another architecture is an error that
            changes nothing). Default: rebuild the model from the saved architecture.
        optimizer: an optimizer over the model's parameters, to load the saved optimizer state into.
        generator: a Generator or DataLoader to restore the state saved as ``generator`` into.
        restore_rng: set the default generator to its saved state. Default: True.

    Returns:
        A :class:`Checkpoint`.

    Example:
        >>> import os, tempfile
        >>> import lucidnet
        >>> from lucidnet import nn, optim
        >>> model = nn.Linear(2, 1); opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> model(lucidnet.ones(4, 2)).sum().backward(); opt.step()
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> save(model, path, opt, epoch=1)
        >>> fresh = nn.Linear(2, 1); opt2 = optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
        >>> ckpt = load_checkpoint(path, fresh, opt2)
        >>> ckpt.epoch, bool((fresh.weight == model.weight).all()), len(opt2.state)
        (1, True, 2)
    """
    where = _where("load_checkpoint", path)
    tensors, meta = _read(path, where)
    model = _model_from(path, tensors, meta, model, where)
    opt_meta = meta.get("lucidnet.optimizer")
    training = meta.get("lucidnet.training") or {}
    ckpt = Checkpoint(model=model, epoch=training.get("epoch"), history=training.get("history"),
                      extra=training.get("extra"), generators=training.get("generators") or {},
                      callbacks=_decode(training.get("callbacks"), tensors, where))
    if opt_meta is not None:
        ckpt.optimizer_class = opt_meta.get("class")
        ckpt.optimizer_state = _decode(opt_meta.get("state_dict"), tensors, where)
        ckpt.optimizer_param_names = opt_meta.get("param_names")
    if optimizer is not None:
        if ckpt.optimizer_state is None:
            raise ValueError(f"{where}: expected a checkpoint with an optimizer state, got one without; save it "
                             f"with save(model, path, optimizer).")
        _load_optimizer(optimizer, ckpt, model, where)
        ckpt.optimizer = optimizer
    if generator is not None and "generator" in ckpt.generators:
        set_state(generator, ckpt.generators["generator"], where)
    if restore_rng and "default" in ckpt.generators:
        set_state(default_generator, ckpt.generators["default"], where)
    return ckpt


def _load_optimizer(optimizer, ckpt, model, where):
    if ckpt.optimizer_class != type(optimizer).__name__:
        raise ValueError(f"{where}: expected a {type(optimizer).__name__} state, got the state of "
                         f"{ckpt.optimizer_class}.")
    state = match_state_dict(ckpt.optimizer_state, ckpt.optimizer_param_names, optimizer, model, where)
    optimizer.load_state_dict(state)


def _model_from(path, tensors, meta, model, where):
    """The given model with the file's weights, or a model rebuilt from the file's architecture."""
    model_meta = meta.get("lucidnet.model")
    if model is None:
        if not model_meta or not model_meta.get("architecture"):
            raise ValueError(f"{where}: expected a file with a saved architecture, got weights only; build the "
                             f"model yourself and pass it: load(path, model=model).")
        try:
            model = module_from_config(model_meta["architecture"])
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"{where}: cannot rebuild the model from its saved architecture: {e}") from None
    elif not isinstance(model, Module):
        raise TypeError(f"{where}: expected model to be a Module, got {type(model).__name__}.")
    _build_from_meta(model, meta)
    _fit_weights(model, tensors, where)
    return model


def load(path, model=None, map_location=None, weights_only=None):
    """Load what :func:`save` wrote: a model rebuilt from its architecture (no pickle), with its weights.

    A :class:`lucidnet.Model` comes back compiled as it was (optimizer by class, loss and metrics by name)
    with its optimizer's state; calling ``fit`` on it continues the saved run exactly (same batches,
    random draws and updates as if it had never stopped), from the saved epoch. A file holding a state dict
    (from ``save(model.state_dict(), path)``, ``save_state_dict`` or PyTorch's ``safetensors`` files) gives
    that state dict, as tensors; a file of other saved values gives them back, as ``torch.load`` would.

    Args:
        path: the ``.safetensors`` file.
        model: load into this module instead of rebuilding one (for models without ``get_config``, e.g. a
            subclass whose ``__init__`` takes no config). Its architecture is checked against the file.
        map_location, weights_only: accepted for PyTorch code; lucidnet is CPU-only and never unpickles.

    Returns:
        The model (or the state dict, or the saved values).

    Example:
        >>> import os, tempfile
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
        >>> save(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), path)
        >>> load(path)
        Sequential(  # 9 parameters
          (0): Linear(in_features=2, out_features=3, bias=True)  # 9
          (1): ReLU()
        )
        >>> save({"epoch": 2, "w": lucidnet.ones(2)}, path); load(path)
        {'epoch': 2, 'w': tensor([1., 1.])}
    """
    where = _where("load", path)
    tensors, meta = _read(path, where)
    if model is None:
        if "lucidnet.tree" in meta:
            return _decode(meta["lucidnet.tree"], tensors, where)
        model_meta = meta.get("lucidnet.model")
        if not model_meta or not model_meta.get("architecture"):
            if (meta.get("lucidnet") or {}).get("kind") == "checkpoint":
                raise ValueError(f"{where}: expected a file with a saved architecture, got weights only (the model "
                                 f"has no get_config()); build the model and pass it: load(path, model=model).")
            return collections.OrderedDict((k, Tensor._wrap(v)) for k, v in tensors.items() if _is_weight(k))
    model = _model_from(path, tensors, meta, model, where)
    if hasattr(model, "set_training_state"):         # a lucidnet.Model: compile it again, give it its run back
        compile_config = (meta.get("lucidnet.model") or {}).get("compile")
        if compile_config:
            model.compile_from_config(compile_config)
        training = meta.get("lucidnet.training") or {}
        opt_meta = meta.get("lucidnet.optimizer")
        model.set_training_state({
            "epoch": training.get("epoch"), "history": training.get("history"),
            "generators": training.get("generators") or {},
            "callbacks": _decode(training.get("callbacks"), tensors, where),
            "optimizer": None if opt_meta is None else {
                "class": opt_meta.get("class"), "param_names": opt_meta.get("param_names"),
                "state_dict": _decode(opt_meta.get("state_dict"), tensors, where)}})
    return model
