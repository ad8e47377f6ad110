"""The ``lucidnet`` command: train a model on a dataset, evaluate a saved one, predict from image files, write
text with a GPT; embed sentences and search a text by meaning with a pretrained sentence encoder.

    lucidnet train                                   # the main job: an MLP on Fashion-MNIST
    lucidnet train --dataset spiral                  # a 2-D toy problem, with its decision boundary
    lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors
    lucidnet predict runs/fashion-mnist-mlp/model.safetensors shoe.png --top 3
    lucidnet train --model gpt                       # a character-level GPT on tiny Shakespeare (or --text FILE)
    lucidnet generate runs/tiny-shakespeare-gpt/model.safetensors --prompt "ROMEO:"
    lucidnet embed all-MiniLM-L6-v2/ "A man is eating food." --out emb.npy
    lucidnet search all-MiniLM-L6-v2/ --corpus input.txt --query "a king fears for his crown"

``train`` writes into its output directory (default ``runs/<dataset>-<model>/``): ``model.safetensors`` (the
model, loadable with ``lucidnet.load``, plus what the run was: dataset, classes, input scaling, test
results), ``history.json`` (``History.history``: the per-epoch logs) and, when matplotlib is installed, PNG
plots. The neural models (``mlp``, ``linear``) standardize their inputs inside the model (a
``Normalization`` layer adapted on the training set), so a saved model takes raw inputs: images with pixels
scaled to [0, 1] (``fashion_mnist(normalize=True)``), or the toy datasets' points as they are.

The classic models (``perceptron``, ``adaline``: :mod:`lucidnet.classic`, trained by their own rules, one
unit per class one-vs-rest) are saved as their weights, classes and feature scaling, in the same
``.safetensors`` format (``lucidnet.load(path)`` gives them as a dict); ``evaluate`` and ``predict`` work
on them too (they have net inputs, not probabilities).

``main(argv)`` runs the command in-process and returns its exit status: 0 on success, 1 on an error, 2 on
a usage error; every user error is one line, ``lucidnet: error: <reason>``, on stderr, and so is any error of
the system while reading or writing a file (a full disk, a directory where a file should be: an OSError).
Unexpected exceptions (bugs) keep their traceback.

The package is laid out by job: :mod:`~lucidnet.cli.registry` (the recipe types and their tables),
:mod:`~lucidnet.cli.recipes` (one module per family of datasets or models), :mod:`~lucidnet.cli.commands`
(one module per subcommand), and what they share: :mod:`~lucidnet.cli.args` (errors, parser, argument
types), :mod:`~lucidnet.cli.data`, :mod:`~lucidnet.cli.files` (model files), :mod:`~lucidnet.cli.fitting`
(training a network with ``fit``), :mod:`~lucidnet.cli.run` (history, plots, summary).
"""
import os
import sys

from .. import __version__
from .. import distributed as dist
from . import recipes  # noqa: F401  (registers the datasets and models)
from . import commands  # noqa: F401  (registers the subcommands)
from . import registry
from .args import CLIError, Formatter, Parser, UsageError, one_line

__all__ = ["CLIError", "main", "parser"]


def parser():
    """The argparse parser of the whole command: one subparser per registered subcommand."""
    top = Parser(
        prog="lucidnet", description="Neural networks from scratch in NumPy: train, evaluate and use models.",
        formatter_class=Formatter,
        epilog="examples:\n" + "".join(f"  {line}\n" for c in registry.commands() for line in c.examples) +
               "\n'lucidnet COMMAND --help' describes each command.")
    top.add_argument("--version", action="version", version=f"lucidnet {__version__}")
    subparsers = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for cmd in registry.commands():
        description = cmd.description() if callable(cmd.description) else cmd.description
        sub = subparsers.add_parser(cmd.name, help=cmd.help, formatter_class=Formatter, description=description,
                                    epilog=cmd.epilog)
        cmd.arguments(sub)
        sub.set_defaults(run=cmd.run)
    return top


def main(argv=None):
    """Run the ``lucidnet`` command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Args:
        argv: the arguments, e.g. ``["train", "--dataset", "spiral"]``.

    Returns:
        0 on success, 1 on an error (one line ``lucidnet: error: ...`` on stderr), 2 on a usage error.

    Example:
        >>> main(["--version"])
        lucidnet 0.1.0
        0
        >>> main(["train", "--epochs", "-3"])
        2
    """
    status = _main(argv)
    if status and dist.is_initialized() and dist.get_world_size() > 1:
        dist.abort(status, "lucidnet stopped with an error")   # the other ranks would wait for this one
    return status


def _main(argv):
    top = parser()
    try:
        args = top.parse_args(argv)
        if args.command is None:
            top.print_help()
            return 0
        return args.run(args) or 0
    except SystemExit as e:                    # --help, --version
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        print(f"lucidnet: error: {one_line(e)}", file=sys.stderr)
        return 2
    except CLIError as e:
        print(f"lucidnet: error: {one_line(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lucidnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:                    # `lucidnet ... | head`: the reader left; stop quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except OSError as e:                       # the system refused a file (full disk, a directory in its place)
        print(f"lucidnet: error: {_os_error(e)}", file=sys.stderr)
        return 1


def _os_error(e):
    """One line for an OSError: the file and the system's reason."""
    if e.filename is not None and e.strerror:
        return f"{os.fspath(e.filename)}: {e.strerror}."
    return one_line(e)
