"""PyTorch's names for lucidnet's modules, and the error for a name lucidnet lacks: each public module gets a
``__getattr__`` (PEP 562) that says "lucidnet does not provide torch.X" instead of a bare AttributeError.

:mod:`lucidnet.torch_shim` (running a script with ``import torch`` resolved to lucidnet) builds on these.
"""
import sys

__all__ = ["PUBLIC_MODULES", "add_missing_name_errors", "torch_name"]

# lucidnet modules that PyTorch spells differently (the rest: "lucidnet" -> "torch" in front)
_TORCH_SPELLING = {"lucidnet.data": "torch.utils.data"}

# the modules a PyTorch script reaches by name; add_missing_name_errors gives each a __getattr__
PUBLIC_MODULES = ("lucidnet", "lucidnet.nn", "lucidnet.nn.functional", "lucidnet.nn.init", "lucidnet.nn.utils",
                  "lucidnet.optim", "lucidnet.optim.lr_scheduler", "lucidnet.data", "lucidnet.utils",
                  "lucidnet.autograd", "lucidnet.linalg", "lucidnet.cuda", "lucidnet.backends", "lucidnet.accelerator",
                  "lucidnet.distributed")


def torch_name(module_name):
    """The name PyTorch gives the lucidnet module ``module_name``.

    Example:
        >>> torch_name("lucidnet.nn.functional"), torch_name("lucidnet.data")
        ('torch.nn.functional', 'torch.utils.data')
    """
    if module_name in _TORCH_SPELLING:
        return _TORCH_SPELLING[module_name]
    return "torch" + module_name[len("lucidnet"):] if module_name.startswith("lucidnet") else module_name


def _missing(module):
    """A module-level ``__getattr__`` (PEP 562) for ``module``: it runs only for names the module lacks."""
    def __getattr__(name):
        if name.startswith("__"):              # probes such as __wrapped__ or __path__: the usual message
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}", name=name, obj=module)
        raise AttributeError(f"lucidnet does not provide {torch_name(module.__name__)}.{name} (module "
                             f"{module.__name__!r} has no attribute {name!r})", name=name, obj=module)
    __getattr__.missing_name_errors = True
    return __getattr__


def add_missing_name_errors(module=None):
    """Give ``module`` (default: every loaded module of :data:`PUBLIC_MODULES`) a ``__getattr__`` that fails
    with "lucidnet does not provide torch.X" for a missing name. Modules with their own ``__getattr__`` keep it.

    Still an AttributeError, so ``hasattr`` and ``getattr(m, name, default)`` behave as usual.

    Example:
        >>> import lucidnet
        >>> lucidnet.nn.AdaptiveLogSoftmaxWithLoss
        Traceback (most recent call last):
            ...
        AttributeError: lucidnet does not provide torch.nn.AdaptiveLogSoftmaxWithLoss (module 'lucidnet.nn' has no ...)
        >>> hasattr(lucidnet.nn, "AdaptiveLogSoftmaxWithLoss")
        False
    """
    modules = [module] if module is not None else [sys.modules[n] for n in PUBLIC_MODULES if n in sys.modules]
    for m in modules:
        if "__getattr__" not in vars(m):
            m.__getattr__ = _missing(m)
