"""The import hook that runs PyTorch scripts unchanged: torch and its submodules resolve to lucidnet's real
modules only inside torch_imports() / run_script(), missing names say what lucidnet lacks, and the runner
behaves like `python script.py` (argv, __main__, the script's folder on sys.path, exit codes)."""
import importlib
import subprocess
import sys
import textwrap

import pytest

import lucidnet
from lucidnet import torch_shim
from lucidnet.cli import main
from lucidnet.torch_shim import run_script, torch_imports


def _script(tmp_path, text, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("torch_module, lucidnet_module", [
    ("torch", "lucidnet"), ("torch.nn", "lucidnet.nn"), ("torch.nn.functional", "lucidnet.nn.functional"),
    ("torch.nn.init", "lucidnet.nn.init"), ("torch.nn.utils", "lucidnet.nn.utils"), ("torch.optim", "lucidnet.optim"),
    ("torch.optim.lr_scheduler", "lucidnet.optim.lr_scheduler"), ("torch.utils", "lucidnet.utils"),
    ("torch.utils.data", "lucidnet.data"), ("torch.utils.data.dataloader", "lucidnet.data.dataloader"),
    ("torch.autograd", "lucidnet.autograd"),
])
def test_torch_modules_are_lucidnet_modules(torch_module, lucidnet_module):
    with torch_imports():
        got = importlib.import_module(torch_module)
    assert got is importlib.import_module(lucidnet_module)
    assert got.__spec__.name == lucidnet_module          # the alias does not relabel the real module


def test_import_statements_as_scripts_write_them():
    with torch_imports():
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import optim
        from torch.utils.data import DataLoader, TensorDataset
    assert torch is lucidnet and nn is lucidnet.nn and F is lucidnet.nn.functional and optim is lucidnet.optim
    assert DataLoader is lucidnet.data.DataLoader and TensorDataset is lucidnet.data.TensorDataset


def test_renamed_by_hand_imports_are_real_modules():
    import lucidnet.nn as nn
    import lucidnet.nn.functional as F
    import lucidnet.optim.lr_scheduler as sched
    import lucidnet.utils.data
    from lucidnet.utils.data import DataLoader
    assert lucidnet.utils.data is lucidnet.data and DataLoader is lucidnet.data.DataLoader
    assert nn.Linear and F.relu and sched.StepLR


def test_hook_only_while_running(tmp_path, monkeypatch):
    """import lucidnet installs nothing; after the block, `import torch` gives whatever it gave before."""
    assert not any(type(f).__name__ == "_TorchFinder" for f in sys.meta_path)
    before = sys.modules.get("torch")                    # real torch, when another test imported it
    with torch_imports():
        import torch
        assert torch is lucidnet
    assert sys.modules.get("torch") is before and not any(type(f).__name__ == "_TorchFinder" for f in sys.meta_path)
    # and where no torch was imported yet, the one on sys.path (here a stand-in package) comes back afterwards
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("STAND_IN = True\n")
    (tmp_path / "torch" / "nn.py").write_text("")
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    with torch_imports():
        import torch.nn
        assert torch.nn is lucidnet.nn
    import torch.nn
    assert torch.STAND_IN and torch.nn is not lucidnet.nn
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]                           # the stand-in leaves; monkeypatch puts real torch back


def test_missing_attribute_says_lucidnet_does_not_provide_it():
    with pytest.raises(AttributeError, match=r"^lucidnet does not provide torch\.nn\.AdaptiveLogSoftmaxWithLoss "):
        lucidnet.nn.AdaptiveLogSoftmaxWithLoss
    with pytest.raises(AttributeError, match=r"lucidnet does not provide torch\.utils\.data\.Sampler3 "):
        lucidnet.data.Sampler3
    assert not hasattr(lucidnet, "no_such_function") and getattr(lucidnet.optim, "Nope", 7) == 7
    with pytest.raises(AttributeError, match="has no attribute '__wrapped__'"):
        lucidnet.nn.__wrapped__                          # dunder probes keep Python's usual message


def test_missing_module_says_lucidnet_does_not_provide_it():
    with torch_imports():
        with pytest.raises(ModuleNotFoundError, match=r"lucidnet does not provide torch\.distributions "):
            import torch.distributions  # noqa: F401
        with pytest.raises(ModuleNotFoundError, match=r"lucidnet does not provide torch\.utils\.cpp_extension "):
            importlib.import_module("torch.utils.cpp_extension")


def test_from_import_of_a_missing_name(tmp_path):
    path = _script(tmp_path, "from torch.nn import AdaptiveLogSoftmaxWithLoss\n")
    with pytest.raises(ImportError,
                       match=r"^lucidnet does not provide torch\.nn\.AdaptiveLogSoftmaxWithLoss \(cannot import"):
        run_script(path)


def test_import_below_a_plain_module(tmp_path):
    path = _script(tmp_path, "from torch.nn.utils.rnn import pad_sequence\n")
    with pytest.raises(ModuleNotFoundError, match=r"^lucidnet does not provide torch\.nn\.utils\.rnn \(No module"):
        run_script(path)


def test_run_script_is_like_python_script(tmp_path, capsys):
    _script(tmp_path, "VALUE = 42\n", name="helper.py")
    path = _script(tmp_path, """
        import sys
        import torch
        from helper import VALUE                  # the script's folder is on sys.path
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        if __name__ == "__main__":
            print(sys.argv[1:], VALUE, x.grad.tolist())
    """)
    before = list(sys.argv), list(sys.path)
    result = run_script(path, ["--epochs", 3])
    assert capsys.readouterr().out == "['--epochs', '3'] 42 [2.0, 4.0]\n"
    assert result["VALUE"] == 42 and (list(sys.argv), list(sys.path)) == before
    assert "torch" not in sys.modules or sys.modules["torch"] is not lucidnet


def test_lucidnet_run_returns_the_exit_status(tmp_path, capsys):
    assert main(["run", str(_script(tmp_path, "import sys; print('ok', sys.argv[1:])\n")), "--lr", "0.1"]) == 0
    assert capsys.readouterr().out == "ok ['--lr', '0.1']\n"
    assert main(["run", str(_script(tmp_path, "import sys; sys.exit(3)\n"))]) == 3
    assert main(["run", str(_script(tmp_path, "import sys; sys.exit('bad input')\n"))]) == 1
    assert "bad input" in capsys.readouterr().err
    assert main(["run", "nope.py"]) == 1
    assert capsys.readouterr().err == ("lucidnet: error: run: expected a Python script, got 'nope.py', which is not "
                                       "a file.\n")


def test_lucidnet_run_prints_the_scripts_traceback(tmp_path, capsys):
    path = _script(tmp_path, "import torch.nn as nn\n\nlayer = nn.AdaptiveLogSoftmaxWithLoss()\n")
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n  File \"" + str(path) + "\", line 3")
    assert err.endswith("AttributeError: lucidnet does not provide torch.nn.AdaptiveLogSoftmaxWithLoss (module "
                        "'lucidnet.nn' has no attribute 'AdaptiveLogSoftmaxWithLoss')\n")
    assert "runpy" not in err and "torch_shim" not in err.split("\n")[1]


def test_python_dash_m_lucidnet_run(tmp_path):
    path = _script(tmp_path, "import torch.nn as nn\nprint(type(nn.Linear(2, 3)).__module__)\n")
    done = subprocess.run([sys.executable, "-m", "lucidnet", "run", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "lucidnet.nn.linear\n" and done.stderr == ""


def test_torch_shim_module_is_importable_without_side_effects():
    assert torch_shim.__all__ == ["run_script", "torch_imports"]
    assert not any(type(f).__name__ == "_TorchFinder" for f in sys.meta_path)
