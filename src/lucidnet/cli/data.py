"""A dataset as the command uses it: its train and test splits plus what a model needs to know about it.

Example:
    >>> import lucidnet.cli
    >>> d = load_data("xor")
    >>> d.title, d.x_train.shape, d.describe(len(d.x_test)), d.classes
    ('XOR', (450, 2), '150 samples', ['0', '1'])
"""
from . import registry
from .args import CLIError, one_line

__all__ = ["Data", "add_dataset_options", "chosen_dataset", "load_data", "option_values"]


class Data:
    """A dataset's splits (``x_train, y_train, x_test, y_test``), its recipe, class names and input scaling.

    Args:
        name: the dataset's registered name.
        x_train, y_train, x_test, y_test: the splits, as arrays.
        classes: the class names (empty for a regression).
        scale: raw values are divided by it (255 for images), or None.
    """

    def __init__(self, name, x_train, y_train, x_test, y_test, classes, scale):
        self.recipe = registry.dataset(name)
        self.name, self.title, self.kind, self.task = name, self.recipe.title, self.recipe.kind, self.recipe.task
        self.x_train, self.y_train, self.x_test, self.y_test = x_train, y_train, x_test, y_test
        self.classes = list(classes)
        self.scale = scale

    @property
    def input_shape(self):
        """One sample's shape."""
        return tuple(self.x_test.shape[1:])

    def describe(self, n):
        """``"60,000 images"``: n samples in the dataset's words."""
        return f"{n:,} {self.recipe.unit}"


def load_data(name, data_dir=None, progress=True, **options):
    """The dataset's train and test splits (``options``: its recipe's own options, e.g. a file to read); a missing
    or broken dataset is a CLIError (the data package's line)."""
    try:
        return registry.dataset(name).load(data_dir, progress, **options)
    except (OSError, ValueError) as e:        # not found (FileNotFoundError), corrupt files, failed download
        raise CLIError(one_line(e)) from None


def add_dataset_options(p):
    """Add every dataset recipe's own options (``--text FILE``) to a subcommand's parser."""
    for r in registry.datasets():
        for o in r.options:
            o.add_to(p)


def chosen_dataset(args, default):
    """The dataset the command line names: ``--dataset``, else the dataset whose own option is given (``--text
    FILE`` selects ``text``), else ``default``."""
    chosen = [r.name for r in registry.datasets() for o in r.options if getattr(args, o.dest, None) is not None]
    return args.dataset or (chosen[0] if chosen else default)


def option_values(args, name):
    """The values given on the command line for dataset ``name``'s own options (``{"text": path}``), for
    :func:`load_data`."""
    return {o.dest: getattr(args, o.dest) for o in registry.dataset(name).options
            if getattr(args, o.dest, None) is not None}
