"""Module and Parameter: the base of every layer and model.

A Module finds its parameters, buffers and sub-modules by walking its own attributes (in the order they
were assigned), so a layer only assigns ``self.weight = Parameter(...)`` and never lists its parameters by
hand. Names, state-dict keys and behaviour follow PyTorch, so weights move between the two.
"""
import collections
import itertools

import numpy as np

from .. import dtypes
from ..device import check_device, to_args
from ..tensor import Tensor
from .parameter import Parameter, UnbuiltParameter  # noqa: F401  (lucidnet.nn.module.Parameter as before)

MODULES = {}     # config name -> class, for rebuilding a model from its JSON config (see config_name)

_IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class _Handle:
    """Returned by register_*_hook; ``remove()`` unregisters the hook."""
    _ids = itertools.count()

    def __init__(self, hooks):
        self.hooks, self.id = hooks, next(self._ids)

    def remove(self):
        self.hooks.pop(self.id, None)


class Module:
    """Base class of layers and models: subclass it, assign parameters and sub-modules, write ``forward``.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> model = TwoLayer()
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> model(lucidnet.ones(3, 4)).shape
        lucidnet.Size([3, 2])
    """
    training = True
    _forward_hooks = _forward_pre_hooks = {}          # replaced per instance on first registration

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def __init__(self):
        self.training = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Module must define forward().")

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward; it may return a replacement output."""
        if "_forward_hooks" not in self.__dict__:
            self._forward_hooks = {}
        handle = _Handle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, inputs)`` before every forward; it may return replacement inputs."""
        if "_forward_pre_hooks" not in self.__dict__:
            self._forward_pre_hooks = {}
        handle = _Handle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------------------------ registration

    def register_buffer(self, name, tensor, persistent=True):
        """Keep a tensor that is state but not a parameter (e.g. BatchNorm's ``running_mean``).

        Persistent buffers are saved in the state dict.
        """
        if "_buffers" not in self.__dict__:
            self._buffers = {}
        self._buffers[name] = persistent
        setattr(self, name, tensor)

    def register_parameter(self, name, param):
        """Add a parameter (or ``None``, for an optional one such as a missing bias) under ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"{type(self).__name__}.register_parameter({name!r}): expected a Parameter or None, "
                            f"got {type(param).__name__}.")
        setattr(self, name, param)

    def add_module(self, name, module):
        """Add a sub-module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.add_module({name!r}): expected a Module, "
                            f"got {type(module).__name__}.")
        setattr(self, str(name), module)

    # ------------------------------------------------------------------------------------ walking

    def _own(self):
        """This module's own (name, value) attributes, in assignment order."""
        return vars(self).items()

    def named_children(self):
        """(name, module) for each direct sub-module."""
        for name, value in self._own():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        """Each direct sub-module."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo=None, prefix=""):
        """(dotted name, module) for this module and every module inside it, each once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every module inside it."""
        for _, m in self.named_modules():
            yield m

    def _named_members(self, pick, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in pick(module):
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))           # a shared parameter is listed once, as in PyTorch
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) for every parameter, each once.

        Example:
            >>> from lucidnet import nn
            >>> [n for n, _ in nn.Sequential(nn.Linear(2, 3), nn.ReLU()).named_parameters()]
            ['0.weight', '0.bias']
        """
        return self._named_members(lambda m: ((n, v) for n, v in m._own() if isinstance(v, Parameter)),
                                   prefix, recurse)

    def parameters(self, recurse=True):
        """Every parameter, each once (what an optimizer updates)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        """(dotted name, tensor) for every buffer."""
        return self._named_members(lambda m: ((n, getattr(m, n)) for n in m.__dict__.get("_buffers", {})),
                                   prefix, recurse)

    def buffers(self, recurse=True):
        """Every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def num_parameters(self, trainable_only=False):
        """How many numbers the parameters hold.

        Example:
            >>> from lucidnet import nn
            >>> nn.Linear(784, 10).num_parameters()
            7850
        """
        return sum(p.array.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # ------------------------------------------------------------------------------------ modes

    def train(self, mode=True):
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on this module and all inside it."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self):
        """Set evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking of every parameter on or off (e.g. to freeze layers)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear the gradients of every parameter."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module (children first) and on this module; returns self.

        Example:
            >>> from lucidnet import nn
            >>> names = []
            >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU()).apply(lambda m: names.append(type(m).__name__))
            >>> names
            ['Linear', 'ReLU', 'Sequential']
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        """Convert every floating parameter and buffer to ``dtype``, in place, as PyTorch's ``Module.to``:
        ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``. Only the CPU computes.

        Example:
            >>> import lucidnet
            >>> from lucidnet import nn
            >>> nn.Linear(2, 2).to("cpu", lucidnet.float64).weight.dtype
            lucidnet.float64
        """
        dtype, device, non_blocking = to_args(args, dtype, device, non_blocking)
        check_device(device, f"{type(self).__name__}.to()")
        if dtype is None:
            return self
        d = dtypes.to_dtype(dtype)
        if d.kind != "f":
            raise TypeError(f"{type(self).__name__}.to(): expected a floating dtype, got {d}.")
        for t in itertools.chain(self.parameters(), self.buffers()):
            if t.array.dtype.kind == "f":
                t.array = t.array.astype(d)
                if t.grad is not None:
                    t.grad = None
        return self

    def float(self):
        """Convert floating parameters and buffers to float32."""
        return self.to(dtypes.float32)

    def double(self):
        """Convert floating parameters and buffers to float64."""
        return self.to(dtypes.float64)

    def cpu(self):
        """This module (lucidnet is CPU-only)."""
        return self

    def cuda(self, device=None):
        """A clear error: lucidnet has no GPU."""
        check_device("cuda", f"{type(self).__name__}.cuda()")

    def half(self):
        """Convert floating parameters and buffers to float16."""
        return self.to(dtypes.float16)

    def type(self, dst_type):
        """Convert floating parameters and buffers to ``dst_type``."""
        return self.to(dst_type)

    # ------------------------------------------------------------------------------------ state

    def _state_items(self):
        """This module's own state: parameters, then persistent buffers (PyTorch's order)."""
        for name, value in self._own():
            if isinstance(value, Parameter):
                yield name, value
        persistent = self.__dict__.get("_buffers", {})
        for name, keep in persistent.items():
            value = getattr(self, name)
            if keep and value is not None:
                yield name, value

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict of every parameter and persistent buffer, under PyTorch's key names.

        Values are tensors sharing memory with the module (``keep_vars=False`` detaches them).

        Example:
            >>> from lucidnet import nn
            >>> list(nn.Sequential(nn.Linear(2, 3)).state_dict())
            ['0.weight', '0.bias']
        """
        destination = collections.OrderedDict() if destination is None else destination
        for name, value in self._state_items():
            destination[prefix + name] = value if keep_vars else value.detach()
        for name, child in self.named_children():
            child.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _load_from_state_dict(self, state, prefix, missing, errors, copies):
        """Check this module's own entries in ``state`` (a flat dict) and list the (target, array) copies to make;
        subclasses may adapt (e.g. lazy shapes). Nothing is copied until every module has been checked."""
        for name, target in self._state_items():
            key = prefix + name
            if key not in state:
                missing.append(key)
                continue
            value = state[key]
            arr = value.array if isinstance(value, Tensor) else np.asarray(value)
            if arr.shape != target.shape:
                errors.append(f"{key}: expected shape {tuple(target.shape)}, got {tuple(arr.shape)}")
                continue
            copies.append((target, arr))

    def load_state_dict(self, state_dict, strict=True):
        """Copy parameters and buffers from ``state_dict`` (lucidnet tensors or NumPy arrays) into this module.

        With ``strict`` (the default), a missing or unexpected key is an error; a shape mismatch always is.
        Returns ``(missing_keys, unexpected_keys)``.

        Example:
            >>> from lucidnet import nn
            >>> a, b = nn.Linear(2, 3), nn.Linear(2, 3)
            >>> b.load_state_dict(a.state_dict())
            IncompatibleKeys(missing_keys=[], unexpected_keys=[])
            >>> bool((a.weight == b.weight).all())
            True
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"{type(self).__name__}.load_state_dict(): expected a mapping of names to tensors or "
                            f"arrays, got {type(state_dict).__name__}.")
        missing, errors, copies, used = [], [], [], set()
        for prefix_name, module in self.named_modules():
            prefix = prefix_name + "." if prefix_name else ""
            module._load_from_state_dict(state_dict, prefix, missing, errors, copies)
            used.update(prefix + n for n, _ in module._state_items())
        unexpected = [k for k in state_dict.keys() if k not in used]
        problems = list(errors)
        if strict and missing:
            problems.append(f"missing keys: {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {', '.join(unexpected)}")
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict(): the state dict does not fit this model: "
                             + "; ".join(problems) + ".")
        for target, arr in copies:              # all checked: now copy, so a bad dict never half-loads a model
            target.array[...] = arr              # in place: optimizers keep pointing at the same arrays
            target._bump()
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments that rebuild this module (JSON-able), for saving architectures.

        Layers override this; a Module without one cannot be saved by architecture (save its state_dict).
        """
        raise NotImplementedError(f"{type(self).__name__}: does not define get_config(), so it cannot be rebuilt "
                                  f"from a config; save and load its state_dict() instead.")

    @classmethod
    def from_config(cls, config):
        """Build a module from :meth:`get_config`'s output."""
        return cls(**config)

    def to_config(self):
        """``{"class": name, "config": get_config()}``: this module's architecture as JSON-able data, ``name``
        being :func:`config_name`'s.

        Example:
            >>> from lucidnet import nn
            >>> nn.Linear(2, 3).to_config()
            {'class': 'Linear', 'config': {'in_features': 2, 'out_features': 3, 'bias': True}}
        """
        return {"class": config_name(type(self)), "config": self.get_config()}

    # ------------------------------------------------------------------------------------ printing

    def extra_repr(self):
        """The text between the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self):
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        total = self.num_parameters()
        lines = [head + (f"  # {total:,} parameters" if total else "")]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            n = child.num_parameters()
            if n and "\n" not in text:
                text += f"  # {n:,}"
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"



def _builtin(cls):
    return cls.__module__ == "lucidnet" or cls.__module__.startswith("lucidnet.")


def config_name(cls):
    """The name a Module class has in saved configs: lucidnet's own layers go by their class name ("Linear"), or
    the fixed name they set in their body as ``config_name``; any other class by its module and qualified name
    ("my_project.layers.Linear"), so a user's class never takes the place of a built-in one.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> config_name(nn.Linear), config_name(lucidnet.Sequential), MODULES["Linear"] is nn.Linear
        ('Linear', 'lucidnet.Sequential', True)
    """
    own = cls.__dict__.get("config_name")
    if own:
        return own
    return cls.__name__ if _builtin(cls) else f"{cls.__module__}.{cls.__qualname__}"


def _register(cls):
    """Add a Module class to MODULES under its config name. Two classes claiming one name is an error; the same
    class defined again (a re-run notebook cell, a reloaded module) replaces its earlier definition."""
    key = config_name(cls)
    old = MODULES.get(key)
    if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ValueError(f"{cls.__module__}.{cls.__qualname__}: expected a config name of its own, got {key!r}, "
                         f"already the name of {old.__module__}.{old.__qualname__}. Rename the class, or set "
                         f"config_name = '...' in its body.")
    MODULES[key] = cls


def module_from_config(spec):
    """Rebuild a module from ``Module.to_config()`` output. Only registered Module classes are built, from
    plain JSON values, so a config can never run arbitrary code. (A class name without a module, as files
    from before names had modules saved user classes, finds the one user class of that name.)

    Example:
        >>> from lucidnet import nn
        >>> module_from_config({"class": "Linear", "config": {"in_features": 2, "out_features": 3}})
        Linear(in_features=2, out_features=3, bias=True)
    """
    if not isinstance(spec, dict) or "class" not in spec:
        raise ValueError(f"module_from_config: expected a dict with 'class' and 'config', got {spec!r:.80}.")
    cls = MODULES.get(spec["class"])
    if cls is None and isinstance(spec["class"], str) and "." not in spec["class"]:
        named = [c for key, c in MODULES.items() if "." in key and c.__name__ == spec["class"]]
        cls = named[0] if len(named) == 1 else None
    if cls is None:
        raise ValueError(f"module_from_config: unknown layer class {spec['class']!r}; expected one of lucidnet's "
                         f"layers or a Module subclass defined before loading.")
    return cls.from_config(spec.get("config", {}))
