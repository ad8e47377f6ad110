"""tests/distributed: the helpers next to these tests (mpi_run, mpi_worker) are importable by name."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
