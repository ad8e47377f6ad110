"""The command line's plumbing: its error types, an argparse parser whose errors are one line, a help formatter
that keeps examples as written, and the argument types (each rejects bad text with the reason).

Example:
    >>> int_at_least(1)("3"), positive_float("1e-3"), fraction("0.1"), sizes("256,128")
    (3, 0.001, 0.1, (256, 128))
    >>> choice(("adam", "sgd"))("SGD")
    'sgd'
"""
import argparse
import math
import textwrap

__all__ = ["CLIError", "Formatter", "Parser", "UsageError", "choice", "fraction", "int_at_least", "non_negative_float",
           "one_line", "positive_float", "probability", "sizes"]


class CLIError(Exception):
    """A user error: printed as one line ``lucidnet: error: <message>``, exit status 1."""


class UsageError(CLIError):
    """A command-line usage error (argparse's), exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors raise (one line, printed by main) instead of printing the usage and exiting."""

    def error(self, message):
        raise UsageError(message if message.endswith(".") else message + ".")


class Formatter(argparse.HelpFormatter):
    """Wrap each paragraph of a description to the terminal; keep indented lines (the examples) as written."""

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line if not line or line.startswith(" ") else
                         textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
                         for line in text.splitlines())


def one_line(e):
    """An exception's message on one line (whitespace runs, newlines included, become one space)."""
    return " ".join(str(e).split())


def int_at_least(minimum):
    """An argument type: an integer >= ``minimum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    parse.__name__ = "integer"
    return parse


def _number(text):
    try:
        return float(text)
    except ValueError:
        return math.nan                   # fails every check below


def positive_float(text):
    """An argument type: a finite number > 0."""
    value = _number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def fraction(text):
    """An argument type: a number in [0, 1)."""
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {text!r}")
    return value


def non_negative_float(text):
    """An argument type: a finite number >= 0."""
    value = _number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def probability(text):
    """An argument type: a number in (0, 1]."""
    value = _number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1], got {text!r}")
    return value


def sizes(text):
    """An argument type: positive integers separated by commas (layer sizes)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        values = ()
    if not values or any(s <= 0 for s in values):
        raise argparse.ArgumentTypeError(f"expected positive layer sizes separated by commas (e.g. 256,128), got "
                                         f"{text!r}")
    return values


def choice(options, aliases=None):
    """An argument type: one of ``options`` (case-insensitive), or an alias of one."""
    aliases = aliases or {}

    def parse(text):
        key = text.strip().lower()
        key = aliases.get(key, key)
        if key not in options:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(options)}, got {text!r}")
        return key
    parse.__name__ = "choice"
    return parse
