"""Helpers shared by the tests (the tests folder is on sys.path: ``from helpers import raises``)."""
import io
import re

import pytest


def raises(exc, message):
    """pytest.raises matching the whole message literally (the house's messages are API: tests match them)."""
    return pytest.raises(exc, match="^" + re.escape(message) + "$")


class Terminal(io.StringIO):
    """A captured stdout that says it is a terminal (so progress bars draw)."""

    def isatty(self):
        return True


def terminal(monkeypatch):
    """Make sys.stdout a :class:`Terminal` outside CI for the rest of the test, and return it."""
    monkeypatch.delenv("CI", raising=False)
    term = Terminal()
    monkeypatch.setattr("sys.stdout", term)
    return term
