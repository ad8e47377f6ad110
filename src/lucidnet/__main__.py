"""``python -m lucidnet``: the same command line as the ``lucidnet`` script (see :mod:`lucidnet.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
