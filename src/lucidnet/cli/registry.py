"""The recipe registry: what the ``lucidnet`` command knows, one declarative entry per dataset, model, model-file
format and subcommand.

A recipe says *what* a thing is (its builder, defaults, help text, the datasets and tasks it supports, its
plots); the subcommands (:mod:`lucidnet.cli.commands`) read the registry and never name a dataset or a model
themselves. Adding ``--model cnn`` is one file in :mod:`lucidnet.cli.recipes` that calls
:func:`register_model`, plus its import line in ``recipes/__init__.py``; a new subcommand is one file in
:mod:`lucidnet.cli.commands` that calls :func:`register_command`, plus its import line there.

Example:
    >>> import lucidnet.cli
    >>> [r.name for r in models()][:2], model("mlp").tasks
    (['mlp', 'linear'], ('classification', 'regression'))
    >>> dataset("fashion_mnist").name, dataset("spiral").kind
    ('fashion-mnist', 'points')
"""
import dataclasses
from typing import Callable, Optional

__all__ = ["Command", "DatasetRecipe", "ModelRecipe", "Option", "command", "commands", "dataset", "dataset_aliases",
           "datasets", "either", "file_formats", "model", "models", "register_command", "register_dataset",
           "register_file_format", "register_model"]

_DATASETS = {}          # name -> DatasetRecipe, in registration order (the order help and errors list them)
_ALIASES = {}           # alias -> name
_MODELS = {}            # name -> ModelRecipe
_COMMANDS = {}          # name -> Command
_FILE_FORMATS = []      # model-file formats other than a saved lucidnet model (e.g. the classic models')


@dataclasses.dataclass(frozen=True)
class Option:
    """A command-line option that only some models take (e.g. the MLP's ``--hidden``).

    Args:
        flag: the option, e.g. ``"--hidden"``; its value lands in ``settings[dest]``.
        dest: the settings key. Default: the flag without dashes, ``-`` as ``_``.
        type: parses the text (an argparse type: raise ``argparse.ArgumentTypeError`` with the reason).
        metavar, help: as in argparse.
        refusal: why a model that does not declare this option refuses it, e.g. "it has no hidden layers"
            (default: the model's own :attr:`ModelRecipe.refusal`).
        flag_only: a switch that takes no value (``--resume``): True when given, else None.

    Example:
        >>> Option("--hidden", type=int).dest
        'hidden'
    """
    flag: str
    type: Callable = str
    metavar: Optional[str] = None
    help: str = ""
    dest: Optional[str] = None
    refusal: Optional[str] = None
    flag_only: bool = False

    def __post_init__(self):
        if self.dest is None:
            object.__setattr__(self, "dest", self.flag.lstrip("-").replace("-", "_"))

    def add_to(self, parser):
        """Add this option to an argparse parser (left out, its value is None)."""
        if self.flag_only:
            parser.add_argument(self.flag, dest=self.dest, action="store_true", default=None, help=self.help)
        else:
            parser.add_argument(self.flag, dest=self.dest, metavar=self.metavar, type=self.type, help=self.help)


@dataclasses.dataclass(frozen=True)
class DatasetRecipe:
    """A dataset ``lucidnet train --dataset NAME`` can train on.

    Args:
        name: what ``--dataset`` takes (lowercase, words joined by ``-``).
        title: how output names it ("Fashion-MNIST").
        kind: what a sample is: "images" (28x28 pixels), "points" (2-D), "curve" (1-D); models declare the
            kinds they take, and default settings are chosen per kind.
        task: "classification" or "regression".
        load: ``load(data_dir, progress, **options) -> lucidnet.cli.data.Data``, the train and test splits
            (``options``: the values of its own options given on the command line); raise OSError or ValueError
            with a one-line reason when it cannot.
        aliases: other spellings ``--dataset`` accepts.
        input_shape, input_scale, classes: what a model saved from Python (without the run's record) is
            assumed to take: one sample's shape, the integer value that scales to 1.0 (255 for pixels), the
            class names.
        unit: what the output calls a sample ("images", "samples").
        plots: extra plots for runs on it: functions ``plot(report) -> path`` (see :mod:`lucidnet.cli.run`).
        options: its own command-line :class:`Option` s for ``train`` (e.g. ``--text FILE``), passed to ``load``; giving
            one selects the dataset (``--text FILE`` means ``--dataset text``).
    """
    name: str
    title: str
    kind: str
    task: str
    load: Callable
    aliases: tuple = ()
    input_shape: Optional[tuple] = None
    input_scale: Optional[int] = None
    classes: tuple = ()
    unit: str = "samples"
    plots: tuple = ()
    options: tuple = ()


@dataclasses.dataclass(frozen=True)
class ModelRecipe:
    """A model ``lucidnet train --model NAME`` can train.

    Args:
        name: what ``--model`` takes.
        help: how ``--model``'s help names it, e.g. "mlp (hidden ReLU layers)".
        defaults: the settings used when the command line leaves them out, per dataset kind ("*" for any
            other kind): ``{"images": {"epochs": 10, "batch_size": 128, "lr": 1e-3, "hidden": (256, 128)}}``.
            Models trained by ``fit`` also default ``optimizer`` ("adam") and ``schedule`` ("cosine").
        build: ``build(data, settings) -> (model, description)`` for models trained by ``fit``: the network
            for the dataset (``settings`` holds epochs, lr, ..., and the model's own options), and the words
            that describe it ("MLP 784-256-128-10 (ReLU)").
        train: for models that learn by their own rule instead of ``fit``: ``train(run) -> exit status``
            (see :mod:`lucidnet.cli.commands.train`). They take no ``fit`` options (batch size, optimizer,
            schedule, validation split).
        tasks: the dataset tasks it supports.
        kinds: the dataset kinds it supports (None: all).
        options: its own command-line :class:`Option` s.
        refusal: why it refuses the options it does not take, e.g. "it has no hidden layers".
        about: a sentence for ``train --help`` about its defaults.
        plots: extra plots for its runs: functions ``plot(report) -> path``.
        dataset: the dataset it trains on when ``--dataset`` is not given. Default: Fashion-MNIST.
        fit_options: which of the options of models trained by fit (``batch_size``, ``val_split``,
            ``optimizer``, ``schedule``) a model with its own ``train`` takes too. Default: none.
        augment: for models trained by fit, ``augment(data, settings) -> transform`` applied to every training
            batch (``fit(augment=...)``, e.g. random crops and flips from :mod:`lucidnet.transforms`), or None.
    """
    name: str
    help: str
    defaults: dict
    build: Optional[Callable] = None
    train: Optional[Callable] = None
    tasks: tuple = ("classification", "regression")
    kinds: Optional[tuple] = None
    options: tuple = ()
    refusal: Optional[str] = None
    about: str = ""
    plots: tuple = ()
    dataset: str = "fashion-mnist"
    fit_options: tuple = ()
    augment: Optional[Callable] = None

    def __post_init__(self):
        if (self.build is None) == (self.train is None):
            raise ValueError(f"ModelRecipe({self.name!r}): expected exactly one of build= (trained by fit) and "
                             f"train= (its own rule), got {'both' if self.build else 'neither'}.")

    @property
    def uses_fit(self):
        """Whether ``fit`` trains it (so it takes the batch size, optimizer, schedule and validation options)."""
        return self.build is not None

    def takes(self, dest):
        """Whether it takes the fit option ``dest`` ("batch_size", "val_split", "optimizer", "schedule")."""
        return self.uses_fit or dest in self.fit_options

    def supports(self, data_recipe):
        """Whether it can train on that dataset (its task and its kind)."""
        return data_recipe.task in self.tasks and (self.kinds is None or data_recipe.kind in self.kinds)

    def defaults_for(self, kind):
        """The default settings for a dataset kind."""
        base = {"optimizer": "adam", "schedule": "cosine"} if self.uses_fit else {}
        return dict(base, **self.defaults.get(kind, self.defaults.get("*", {})))


@dataclasses.dataclass(frozen=True)
class Command:
    """A subcommand: ``lucidnet NAME ...``.

    Args:
        name: the word after ``lucidnet``.
        help: one line for ``lucidnet --help``.
        description, epilog: its own ``--help`` text (the epilog lists examples); the description may be a
            function returning it (read when the parser is built, so it can list the recipes).
        arguments: ``arguments(parser)`` adds its arguments to its argparse parser.
        run: ``run(args) -> exit status``; user errors raise :class:`lucidnet.cli.args.CLIError`.
        examples: lines for the examples of ``lucidnet --help``.
    """
    name: str
    help: str
    description: object
    epilog: str
    arguments: Callable
    run: Callable
    examples: tuple = ()


def _add(table, item, what):
    if not isinstance(item.name, str) or not item.name:
        raise ValueError(f"register_{what}(): expected a non-empty name, got {item.name!r}.")
    if item.name in table or (what == "dataset" and item.name in _ALIASES):
        raise ValueError(f"register_{what}(): expected a new {what} name, got {item.name!r} twice.")
    table[item.name] = item
    return item


def register_dataset(recipe):
    """Add a :class:`DatasetRecipe`; a name (or alias) registered twice is an error. Returns the recipe."""
    for alias in recipe.aliases:
        if alias in _ALIASES or alias in _DATASETS:
            raise ValueError(f"register_dataset(): expected a new dataset alias, got {alias!r} twice.")
    _add(_DATASETS, recipe, "dataset")
    _ALIASES.update({alias: recipe.name for alias in recipe.aliases})
    return recipe


def register_model(recipe):
    """Add a :class:`ModelRecipe`; a name registered twice is an error. Returns the recipe."""
    return _add(_MODELS, recipe, "model")


def register_command(cmd):
    """Add a :class:`Command`; a name registered twice is an error. Returns the command."""
    return _add(_COMMANDS, cmd, "command")


def register_file_format(fmt):
    """Add a model-file format that ``evaluate`` and ``predict`` recognize: a class with ``recognizes(obj)``
    (``obj`` is what ``lucidnet.load`` returned) and ``load(path, obj)`` giving a
    :class:`lucidnet.cli.files.Loaded`. Returns it."""
    _FILE_FORMATS.append(fmt)
    return fmt


def dataset(name):
    """The dataset recipe for a name or alias (KeyError if none)."""
    return _DATASETS[_ALIASES.get(name, name)]


def model(name):
    """The model recipe for a name (KeyError if none)."""
    return _MODELS[name]


def command(name):
    """The subcommand for a name (KeyError if none)."""
    return _COMMANDS[name]


def datasets():
    """Every dataset recipe, in registration order."""
    return list(_DATASETS.values())


def dataset_aliases():
    """``{alias: name}`` of every dataset alias."""
    return dict(_ALIASES)


def models():
    """Every model recipe, in registration order."""
    return list(_MODELS.values())


def commands():
    """Every subcommand, in registration order."""
    return list(_COMMANDS.values())


def file_formats():
    """The registered model-file formats, in registration order."""
    return list(_FILE_FORMATS)


def either(names):
    """``"a"``, ``"a or b"``, ``"a, b or c"``.

    Example:
        >>> either(["mlp", "linear", "cnn"])
        'mlp, linear or cnn'
    """
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

