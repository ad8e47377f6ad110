"""The subcommands: one module each, registering itself with :func:`lucidnet.cli.registry.register_command`.

A new subcommand is a new module here plus its import line below (the order of the lines is the order
``lucidnet --help`` lists them in).
"""
from . import train  # noqa: F401
from . import evaluate  # noqa: F401
from . import predict  # noqa: F401
from . import generate  # noqa: F401
from . import run  # noqa: F401
from . import embed  # noqa: F401
from . import search  # noqa: F401
