"""``lucidnet train``: train a model recipe on a dataset recipe, and save the model, its history and plots.

The command knows no dataset or model by name: it checks the model supports the dataset and takes the options
given, fills the settings left out from the recipe's defaults, loads the data and hands a
:class:`lucidnet.cli.run.TrainRun` to the recipe's trainer (``fit`` for networks, or the recipe's own).
"""
import math
import os
import time

from .. import registry
from ..args import CLIError, choice, fraction, int_at_least, positive_float
from ..data import chosen_dataset, load_data
from ..files import FORMAT
from ..fitting import SCHEDULES, train_with_fit
from ..recipes.datasets import DATA_SEED
from ..run import TrainRun
from ... import distributed as dist
from ...train.compile_utils import OPTIMIZERS

# Options only models trained by fit take: (flag, dest), in the order their refusal is reported.
FIT_OPTIONS = (("--batch-size", "batch_size"), ("--val-split", "val_split"), ("--optimizer", "optimizer"),
               ("--schedule", "schedule"))


def dataset_type():
    """The argparse type of ``--dataset``: a registered name or alias."""
    return choice(tuple(r.name for r in registry.datasets()), registry.dataset_aliases())


def _description():
    about = " ".join(r.about for r in registry.models() if r.about)
    return ("Train a model on a dataset, report its test accuracy (MSE and R^2 for sine), and write the "
            "model, history.json and plots into the output directory.\n\n"
            "With no options: the main job. Fashion-MNIST, MLP 784-256-128-10 with ReLU, inputs scaled to "
            "[0, 1] and standardized per pixel inside the model, Adam lr 1e-3 with a per-epoch cosine "
            "decay, batch 128, 10 epochs, seed 0 (test accuracy about 0.897).\n"
            f"{about} The model is saved after the first epoch, then at most once a second and at the end: a run "
            "that diverges (nan) keeps its last good model.")


def arguments(p):
    names = [r.name for r in registry.datasets()]
    p.add_argument("--dataset", metavar="NAME", type=dataset_type(),
                   help=f"one of {', '.join(names)} (default: fashion-mnist; the model's own for gpt)")
    recipes = registry.models()
    p.add_argument("--model", metavar="NAME", type=choice(tuple(r.name for r in recipes)), default="mlp",
                   help=f"{registry.either([r.help for r in recipes])} (default: mlp)")
    seen = set()
    for option in [o for r in recipes for o in r.options] + [o for r in registry.datasets() for o in r.options]:
        if option.dest not in seen:
            seen.add(option.dest)
            option.add_to(p)
    p.add_argument("--epochs", metavar="N", type=int_at_least(1), help="passes over the training set")
    p.add_argument("--batch-size", metavar="N", type=int_at_least(1),
                   help="samples per step (default: 128; 32 for the toy datasets)")
    p.add_argument("--lr", metavar="LR", type=positive_float, help="learning rate (default: 0.001; see above)")
    p.add_argument("--optimizer", metavar="NAME", type=choice(tuple(OPTIMIZERS)),
                   help=f"one of {', '.join(OPTIMIZERS)} (default: adam)")
    p.add_argument("--schedule", metavar="NAME", type=choice(tuple(SCHEDULES)),
                   help="learning rate per epoch: cosine (lr * (1 + cos(pi * epoch / epochs)) / 2) or "
                        "constant (default: cosine)")
    p.add_argument("--seed", metavar="N", type=int_at_least(0), default=0,
                   help="seed of the initial weights and of shuffling (default: 0)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: runs/<dataset>-<model>)")
    p.add_argument("--data-dir", metavar="DIR", help="where to look for (or download) fashion-mnist/mnist first")
    p.add_argument("--val-split", type=fraction, default=0.0, metavar="F",
                   help="fraction of the training set held out to validate on after each epoch (default: 0)")
    p.add_argument("--limit", type=int_at_least(1), metavar="N",
                   help="train on the first N training samples only (quick runs)")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")


def _check_recipe(args, recipe, data_recipe):
    """The model supports the dataset and takes every option given: else a CLIError saying what to use."""
    if not recipe.supports(data_recipe):
        able = [r.name for r in registry.models() if r.supports(data_recipe)]
        if data_recipe.task not in recipe.tasks:
            got = f"a {registry.either(recipe.tasks)} dataset, got {data_recipe.name} (a {data_recipe.task})"
        else:
            got = f"a dataset of {registry.either(recipe.kinds)}, got {data_recipe.name} ({data_recipe.kind})"
        raise CLIError(f"--model {recipe.name}: expected {got}. Use --model {registry.either(able)}.")
    own = {o.dest for o in recipe.options}
    given = [(flag, dest, None) for flag, dest in FIT_OPTIONS if not recipe.takes(dest)] + \
        [(o.flag, o.dest, o.refusal) for r in registry.models() for o in r.options if o.dest not in own]
    for flag, dest, refusal in given:
        value = getattr(args, dest, None)
        if value is None or (dest == "val_split" and not value):
            continue
        takers = [r.name for r in registry.models() if (r.takes(dest) if (flag, dest) in FIT_OPTIONS else
                                                         any(o.dest == dest for o in r.options))]
        why = refusal or recipe.refusal or f"it does not take {flag}"
        raise CLIError(f"{flag}: expected --model {registry.either(takers)}, got --model {recipe.name} ({why}).")
    own = {o.dest for o in data_recipe.options}
    for o in (o for r in registry.datasets() for o in r.options if o.dest not in own):
        if getattr(args, o.dest, None) is not None:
            takers = [r.name for r in registry.datasets() if any(q.dest == o.dest for q in r.options)]
            raise CLIError(f"{o.flag}: expected --dataset {registry.either(takers)}, got --dataset {data_recipe.name} "
                           f"({o.refusal or f'it does not take {o.flag}'}).")


def _join_mpi_job(recipe):
    """Under mpiexec: join the job (fit then trains data-parallel); the number of ranks, 1 without MPI."""
    if not dist.is_initialized() and dist.launched_by_mpi():
        dist.init_process_group()
    ranks = dist.get_world_size() if dist.is_initialized() else 1
    if ranks > 1 and not recipe.uses_fit:
        raise CLIError(f"--model {recipe.name}: expected one process, got {ranks} MPI ranks; it trains by its own "
                       f"rule, not with fit, so it cannot train data-parallel. Run it without mpiexec.")
    return ranks


def run(args):
    recipe = registry.model(args.model)
    args.dataset = chosen_dataset(args, recipe.dataset)
    data_recipe = registry.dataset(args.dataset)
    _check_recipe(args, recipe, data_recipe)
    settings = recipe.defaults_for(data_recipe.kind)
    names = ["epochs", "lr"] + [d for d in ("batch_size", "optimizer", "schedule") if recipe.takes(d)] + \
        [o.dest for o in recipe.options]
    settings = {k: getattr(args, k) if getattr(args, k, None) is not None else settings.get(k) for k in names}
    out = args.out or os.path.join("runs", f"{args.dataset}-{args.model}")
    ranks = _join_mpi_job(recipe)
    quiet = args.quiet or dist.is_initialized() and dist.get_rank() != 0        # under mpiexec rank 0 reports
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))

    started = time.perf_counter()
    if ranks > 1 and dist.get_rank() != 0:
        dist.barrier()                            # rank 0 loads first: a download happens once
    d = load_data(args.dataset, args.data_dir, progress=not quiet,
                  **{o.dest: getattr(args, o.dest) for o in data_recipe.options if getattr(args, o.dest) is not None})
    if ranks > 1 and dist.get_rank() == 0:
        dist.barrier()
    if args.limit is not None:
        d.x_train, d.y_train = d.x_train[:args.limit], d.y_train[:args.limit]
    n = len(d.x_train)
    n_fit = math.floor(n * (1 - args.val_split)) if args.val_split else n
    if not 0 < n_fit < n and args.val_split:
        raise CLIError(f"--val-split {args.val_split:g}: expected a fraction that leaves samples both to train and "
                       f"to validate on, got {n_fit} of {n} to train on.")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise CLIError(f"--out {out!r}: cannot create the output directory ({e.strerror or e}).") from None
    meta = {"format": FORMAT, "dataset": args.dataset, "model": args.model, "task": d.task, "classes": d.classes,
            "input_shape": list(d.input_shape), "input_scale": d.scale, "data_seed": DATA_SEED,
            "train": {"epochs": settings["epochs"], "lr": settings["lr"], "seed": args.seed, "limit": args.limit,
                      "samples": len(d.x_train)}}
    trainer = recipe.train or train_with_fit
    return trainer(TrainRun(args, d, recipe, settings, meta, out, os.path.join(out, "model.safetensors"), say,
                            started))


registry.register_command(registry.Command(
    name="train", help="train a model and save it, its history and plots",
    description=_description,
    epilog="examples:\n"
           "  lucidnet train\n"
           "  lucidnet train --epochs 20 --hidden 512,256 --val-split 0.1\n"
           "  lucidnet train --limit 5000 --epochs 2          # a quick run on 5,000 images\n"
           "  lucidnet train --dataset moons --model perceptron\n"
           "  lucidnet train --dataset sine --optimizer adam --lr 0.005\n"
           "  lucidnet train --dataset mnist --data-dir ~/data --out runs/digits",
    arguments=arguments, run=run,
    examples=("lucidnet train                          # MLP on Fashion-MNIST (about 0.897 test accuracy)",
              "lucidnet train --dataset spiral         # a 2-D toy problem, with its decision boundary")))
