"""The recipes: one module per family of datasets or models, each registering its entries when imported.

A new model is a new module here that calls :func:`lucidnet.cli.registry.register_model`, plus its import
line below (the order of the lines is the order ``--help`` lists them in).
"""
from . import datasets  # noqa: F401
from . import mlp  # noqa: F401
from . import cnn  # noqa: F401
from . import classic  # noqa: F401
from . import gpt  # noqa: F401
