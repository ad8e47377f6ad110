"""tests/nn: the helpers next to these tests (layer_testing) are importable by name."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
