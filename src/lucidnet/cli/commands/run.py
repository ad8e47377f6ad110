"""``lucidnet run script.py [args...]``: run an unmodified PyTorch script on lucidnet, as ``python script.py`` runs
it on PyTorch (``import torch`` and its submodules resolve to lucidnet: :mod:`lucidnet.torch_shim`).

The script's own arguments follow its name untouched. Exit status: the script's (``sys.exit``), 0 when it ends,
1 with Python's traceback (from the script's frames on) when it raises.
"""
import argparse
import os
import sys
import traceback

from ... import torch_shim
from .. import registry
from ..args import CLIError


def arguments(p):
    p.add_argument("script", metavar="SCRIPT", help="a Python file written for PyTorch")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's own arguments")


def _from_script(tb, script):
    """The traceback from the script's first frame on: the runner's frames are no part of the user's story."""
    path = os.path.abspath(script)
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != path:
        tb = tb.tb_next
    return tb


def run(args):
    if not os.path.isfile(args.script):
        raise CLIError(f"run: expected a Python script, got {args.script!r}, which is not a file.")
    try:
        torch_shim.run_script(args.script, args.args)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except Exception as e:                     # noqa: BLE001  (the script's error, reported as python reports it)
        traceback.print_exception(type(e), e, _from_script(e.__traceback__, args.script) or e.__traceback__)
        return 1
    return 0


registry.register_command(registry.Command(
    name="run", help="run a PyTorch script unchanged, with lucidnet as torch",
    description="Run a Python script written for PyTorch, unmodified: while it runs, 'import torch' (and "
                "torch.nn, torch.nn.functional, torch.optim, torch.utils.data, ...) gives lucidnet's modules. A "
                "name lucidnet does not have fails with 'lucidnet does not provide torch.X'.",
    epilog="examples:\n"
           "  lucidnet run polynomial_nn.py\n"
           "  lucidnet run train.py --epochs 2 --lr 0.01      # arguments after the script are the script's",
    arguments=arguments, run=run,
    examples=("lucidnet run my_pytorch_script.py",)))
