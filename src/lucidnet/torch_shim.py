"""Run an unmodified PyTorch script on lucidnet (``lucidnet run script.py``): while it runs, ``import torch`` and
every ``torch.X`` submodule resolve to lucidnet's modules, through an import hook.

``run_script("train.py", ["--epochs", "2"])`` runs the file as ``python train.py --epochs 2`` would (as
``__main__``, with ``sys.argv`` set and the script's folder first on ``sys.path``), inside
:func:`torch_imports`. The hook lives on ``sys.meta_path`` only for that time: ``import lucidnet`` never
installs it, and a real PyTorch imported before is put back afterwards.

How names map: ``torch`` is ``lucidnet``, and ``torch.a.b`` is found by walking lucidnet's modules: attribute
``a`` of lucidnet when it is a module (``torch.utils.data`` is ``lucidnet.data``), else the submodule
``lucidnet.a``. These are the real modules, so a script renamed by hand (``import lucidnet.nn as nn``,
``from lucidnet.utils.data import DataLoader``) works the same. A name lucidnet lacks fails with an error
that says so: ``ModuleNotFoundError: lucidnet does not provide torch.distributions`` for a module, and for an
attribute (through each public module's ``__getattr__``, see :mod:`lucidnet.torch_names`)
``AttributeError: lucidnet does not provide torch.nn.Transformer ...``.

Example:
    >>> import sys
    >>> with torch_imports():
    ...     import torch.nn as nn
    ...     from torch.utils.data import DataLoader
    >>> import lucidnet
    >>> nn is lucidnet.nn, DataLoader is lucidnet.data.DataLoader, sys.modules.get("torch.nn") is nn
    (True, True, False)
"""
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import runpy
import sys
import types

from .torch_names import add_missing_name_errors, torch_name

__all__ = ["run_script", "torch_imports"]

def _resolve(fullname):
    """The lucidnet module for ``torch.a.b``: walk from lucidnet, by attribute if it is a module, else import."""
    module = importlib.import_module("lucidnet")
    for part in fullname.split(".")[1:]:
        child = vars(module).get(part)
        if not isinstance(child, types.ModuleType):
            wanted = f"{module.__name__}.{part}"
            try:
                child = importlib.import_module(wanted)
            except ModuleNotFoundError as e:
                if e.name != wanted:           # the module exists but fails to import something it needs
                    raise
                raise ModuleNotFoundError(f"lucidnet does not provide {fullname} (no module {wanted!r})",
                                          name=fullname) from None
        module = child
    return module


class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` as the existing lucidnet module objects (no second copy is loaded)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        module = _resolve(fullname)
        add_missing_name_errors(module)
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(module, "__path__"))
        spec.loader_state = module
        return spec

    def create_module(self, spec):
        spec.loader_state.__dict__.setdefault("_original_spec", spec.loader_state.__spec__)
        return spec.loader_state

    def exec_module(self, module):
        # the import system has just stamped our alias spec on the module: give it back its own
        module.__spec__ = vars(module).pop("_original_spec")


@contextlib.contextmanager
def _printing_as_torch():
    """Printed dtypes and sizes say ``torch.float64`` and ``torch.Size`` while a script runs (where lucidnet's
    printing has that option); print options the script sets are put back afterwards."""
    if importlib.util.find_spec("lucidnet.printing") is None:
        yield
        return
    printing = importlib.import_module("lucidnet.printing")
    saved = printing.get_printoptions()
    printing.set_printoptions(namespace="torch")
    try:
        yield
    finally:
        printing.set_printoptions(**saved)


@contextlib.contextmanager
def torch_imports():
    """Within this block ``import torch`` (and ``torch.nn``, ``torch.utils.data``, ...) gives lucidnet.

    Any real ``torch`` modules already imported are set aside and restored on exit, and the hook is removed,
    so code after the block sees the same modules as before. Inside, printed dtypes and sizes use PyTorch's
    names (``torch.float32``, ``torch.Size``), as the script expects.

    Example:
        >>> with torch_imports():
        ...     import torch
        >>> torch.__name__
        'lucidnet'
    """
    finder = _TorchFinder()
    is_torch = lambda name: name == "torch" or name.startswith("torch.")      # noqa: E731
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if is_torch(name)}
    sys.meta_path.insert(0, finder)
    try:
        with _printing_as_torch():
            yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if is_torch(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _explain_missing_name(e):
    """Reword the import system's own messages about a torch name lucidnet lacks ("cannot import name 'X' from
    'lucidnet.nn'", "No module named 'torch.nn.utils.rnn'; 'torch.nn.utils' is not a package") as "lucidnet does
    not provide torch.nn.X"."""
    found = re.match(r"cannot import name '([^']+)' from '(lucidnet[\w.]*)'", e.msg or "")
    if found:
        name, module = found.groups()
        e.msg = f"lucidnet does not provide {torch_name(module)}.{name} ({e.msg})"
    elif re.match(r"No module named 'torch\.[\w.]+'; 'torch[\w.]*' is not a package", e.msg or ""):
        e.msg = f"lucidnet does not provide {e.name} ({e.msg})"


def run_script(path, argv=()):
    """Run the PyTorch script ``path`` on lucidnet, as ``python path *argv`` runs it on PyTorch.

    The script runs as ``__main__`` with ``sys.argv == [path, *argv]`` and its folder first on ``sys.path``;
    ``torch`` imports resolve to lucidnet (:func:`torch_imports`). Returns the script's globals. Exceptions,
    ``SystemExit`` included, propagate as they would from ``python``.

    Example:
        >>> import pathlib, tempfile
        >>> script = pathlib.Path(tempfile.mkdtemp()) / "hello.py"
        >>> _ = script.write_text("import sys, torch\\nprint(torch.ones(2).sum().item(), sys.argv[1:])\\n")
        >>> _ = run_script(script, ["--fast"])
        2.0 ['--fast']
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"run_script: expected a Python script, got {path!r}, which is not a file.")
    saved_argv, saved_path = sys.argv, sys.path[:]
    sys.argv = [path, *map(str, argv)]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with torch_imports():
            return runpy.run_path(path, run_name="__main__")
    except ImportError as e:
        _explain_missing_name(e)
        raise
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
