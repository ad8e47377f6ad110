"""Containers: Sequential, ModuleList, ModuleDict. They hold sub-modules under PyTorch's key names
("0", "1", ... or the given names), so their state dicts match PyTorch's.
"""
import collections

from .module import Module, module_from_config


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: modules numbered "0", "1", ... in order."""

    def __len__(self):
        return sum(1 for _ in self.named_children())

    def __iter__(self):
        return iter(self.children())

    def append(self, module):
        """Add a module at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Add several modules at the end; returns self."""
        for m in modules:
            self.append(m)
        return self


class Sequential(_ModuleSequence):
    """Modules applied one after another: the output of each is the input of the next.

    Args:
        *modules: the modules in order, or one OrderedDict of name -> module.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> model(lucidnet.ones(3, 4)).shape
        lucidnet.Size([3, 2])
        >>> model[0]
        Linear(in_features=4, out_features=8, bias=True)
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], collections.OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
                modules = tuple(modules[0])
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self.children():
            x = m(x)
        return x

    def __getitem__(self, index):
        items = list(self.named_children())
        if isinstance(index, slice):
            return type(self)(collections.OrderedDict(items[index]))
        try:
            return items[index][1]
        except IndexError:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {len(items)} modules.") from None


    def get_config(self):
        return {"layers": [m.to_config() for m in self.children()]}

    @classmethod
    def from_config(cls, config):
        return cls(*[module_from_config(spec) for spec in config["layers"]])


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the parent module sees (a plain Python list would hide them).

    Example:
        >>> from lucidnet import nn
        >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(layers), len(list(layers.parameters()))
        (3, 6)
    """

    def __init__(self, modules=None):
        super().__init__()
        for m in modules or ():
            self.append(m)

    def __getitem__(self, index):
        items = list(self.children())
        if isinstance(index, slice):
            return type(self)(items[index])
        return items[index]


    def get_config(self):
        return {"modules": [m.to_config() for m in self.children()]}

    @classmethod
    def from_config(cls, config):
        return cls([module_from_config(spec) for spec in config["modules"]])


class ModuleDict(Module):
    """A dict of named modules whose parameters the parent module sees.

    Example:
        >>> from lucidnet import nn
        >>> heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 3)})
        >>> list(heads.keys()), heads["b"].out_features
        (['a', 'b'], 3)
    """

    def __init__(self, modules=None):
        super().__init__()
        for name, m in dict(modules or {}).items():
            self.add_module(name, m)

    def __getitem__(self, key):
        m = vars(self).get(key)
        if not isinstance(m, Module):
            raise KeyError(key)
        return m

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __contains__(self, key):
        return isinstance(vars(self).get(key), Module)

    def __len__(self):
        return sum(1 for _ in self.named_children())

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        """The names, in insertion order."""
        return [n for n, _ in self.named_children()]

    def values(self):
        """The modules, in insertion order."""
        return [m for _, m in self.named_children()]

    def items(self):
        """(name, module) pairs, in insertion order."""
        return list(self.named_children())

    def get_config(self):
        return {"modules": {n: m.to_config() for n, m in self.named_children()}}

    @classmethod
    def from_config(cls, config):
        return cls({n: module_from_config(spec) for n, spec in config["modules"].items()})
