"""Helpers shared by the tests (the tests folder is on sys.path: ``from helpers import raises``)."""
import re

import pytest


def raises(exc, message):
    """pytest.raises matching the whole message literally (the house's messages are API: tests match them)."""
    return pytest.raises(exc, match="^" + re.escape(message) + "$")
