"""Models and training runs: ``save`` a model with its architecture, optimizer and training state, ``load`` it
back rebuilt (compiled again and given its run, through the model's public hooks), ``load_checkpoint`` for
PyTorch-style loops."""
import collections
import collections.abc
import dataclasses
import json

import numpy as np

from ..nn.module import Module, module_from_config
from ..optim.optimizer import match_state_dict
from ..random import default_generator, get_state, set_state
from ..tensor import Tensor
from .file import CALLBACKS_PREFIX, OPTIMIZER_PREFIX, call_name, is_weight, read_file, write_file
from .tree import decode, encode
from .weights import build_from_meta, fit_weights, save_state_dict

__all__ = ["Checkpoint", "load", "load_checkpoint", "save"]


def _optimizer_meta(model, optimizer, tensors):
    """The optimizer's class, state dict (arrays into ``tensors``) and, per parameter index, the model's
    name for that parameter, so the state goes back to the right tensors even in another order."""
    names = {id(p): n for n, p in model.named_parameters()}
    order = [p for g in optimizer.param_groups for p in g["params"]]
    return {"class": type(optimizer).__name__,
            "param_names": [names.get(id(p)) for p in order],
            "state_dict": encode(optimizer.state_dict(), "optimizer", tensors)}


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
        if not is_weight(key):
            raise ValueError(f"save(): expected state-dict keys that do not start with {OPTIMIZER_PREFIX!r} or {CALLBACKS_PREFIX!r}, "
                             f"got {key!r}.")

    model_meta = None
    try:
        arch = model.to_config()
    except NotImplementedError:
        arch = None
    if arch is not None:
        build = model.get_build_config() if hasattr(model, "get_build_config") else {}
        model_meta = {"architecture": arch, "input_shape": build.get("input_shape"),
                      "input_dtype": build.get("input_dtype"),
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
                "callbacks": encode(fit_state.get("callbacks"), "callbacks", tensors),
                "extra": extra}
    if fit_state.get("data"):                     # with steps_per_epoch: the pass over the data an epoch ended inside
        training["data"] = fit_state["data"]
    try:
        json.dumps(training)
    except (TypeError, ValueError) as e:
        raise TypeError(f"save(): expected JSON-able training state (epoch, history, extra), got {e}.") from None
    write_file(path, tensors, {"lucidnet.model": model_meta, "lucidnet.optimizer": opt_meta,
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
    tree = encode(obj, "tree", tensors)
    write_file(path, tensors, {"lucidnet.tree": tree}, "tree")


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
    where = call_name("load_checkpoint", path)
    tensors, meta = read_file(path, where)
    model = _model_from(path, tensors, meta, model, where)
    opt_meta = meta.get("lucidnet.optimizer")
    training = meta.get("lucidnet.training") or {}
    ckpt = Checkpoint(model=model, epoch=training.get("epoch"), history=training.get("history"),
                      extra=training.get("extra"), generators=training.get("generators") or {},
                      callbacks=decode(training.get("callbacks"), tensors, where))
    if opt_meta is not None:
        ckpt.optimizer_class = opt_meta.get("class")
        ckpt.optimizer_state = decode(opt_meta.get("state_dict"), tensors, where)
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
    build_from_meta(model, meta)
    fit_weights(model, tensors, where)
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
    where = call_name("load", path)
    tensors, meta = read_file(path, where)
    if model is None:
        if "lucidnet.tree" in meta:
            return decode(meta["lucidnet.tree"], tensors, where)
        model_meta = meta.get("lucidnet.model")
        if not model_meta or not model_meta.get("architecture"):
            if (meta.get("lucidnet") or {}).get("kind") == "checkpoint":
                raise ValueError(f"{where}: expected a file with a saved architecture, got weights only (the model "
                                 f"has no get_config()); build the model and pass it: load(path, model=model).")
            return collections.OrderedDict((k, Tensor._wrap(v)) for k, v in tensors.items() if is_weight(k))
    model = _model_from(path, tensors, meta, model, where)
    if hasattr(model, "set_training_state"):         # a lucidnet.Model: compile it again, give it its run back
        compile_config = (meta.get("lucidnet.model") or {}).get("compile")
        if compile_config:
            model.compile_from_config(compile_config)
        training = meta.get("lucidnet.training") or {}
        opt_meta = meta.get("lucidnet.optimizer")
        model.set_training_state({
            "epoch": training.get("epoch"), "history": training.get("history"), "data": training.get("data"),
            "generators": training.get("generators") or {},
            "callbacks": decode(training.get("callbacks"), tensors, where),
            "optimizer": None if opt_meta is None else {
                "class": opt_meta.get("class"), "param_names": opt_meta.get("param_names"),
                "state_dict": decode(opt_meta.get("state_dict"), tensors, where)}})
    return model
