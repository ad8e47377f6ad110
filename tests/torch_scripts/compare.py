"""Compare what a script printed under lucidnet with what it printed under PyTorch.

Two ways, chosen per script in test_tutorial_scripts.py:

* ``values``: the same text token by token, every number within a relative tolerance (float32 results that
  differ in the last digits, because the two libraries sum in a different order);
* ``structure``: the same text with every number masked (for output drawn from a random generator, which
  lucidnet does not share with PyTorch): the same lines, the same words, the same shapes of printed tensors.

Both mask memory addresses (``object at 0x7f...``) and collapse runs of spaces (a printed tensor pads its
columns to the widest number, which differs with the values).
"""
import math
import re

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])[-+]?(?:nan|inf)\b")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def normalize(line, masks=()):
    """One printed line with addresses masked, the script's own masks applied (regex -> replacement) and
    whitespace collapsed (also next to brackets, which padding moves)."""
    line = ADDRESS.sub("0x?", line)
    for pattern, replacement in masks:
        line = re.sub(pattern, replacement, line)
    line = re.sub(r"\s+", " ", line).strip()
    return re.sub(r"([\[(]) | ([\])])", r"\1\2", line)


def split_numbers(line):
    """(text with each number replaced by '#', [the numbers])."""
    numbers = [float(m) for m in NUMBER.findall(line)]
    return NUMBER.sub("#", line), numbers


def _close(a, b, rtol, atol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def differences(ours, theirs, mode, rtol=1e-4, atol=1e-6, masks=(), structure_lines=()):
    """The lines where ``ours`` (lucidnet's output) departs from ``theirs`` (PyTorch's), as readable strings;
    an empty list when they agree. ``mode`` is 'values' or 'structure'; the line numbers (from 1) in
    ``structure_lines`` are compared by structure whatever the mode."""
    if mode not in ("values", "structure"):
        raise ValueError(f"differences: expected mode 'values' or 'structure', got {mode!r}.")
    ours, theirs = ours.splitlines(), theirs.splitlines()
    found = []
    if len(ours) != len(theirs):
        found.append(f"{len(ours)} lines printed, PyTorch printed {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs), 1):
        text_a, nums_a = split_numbers(normalize(a, masks))
        text_b, nums_b = split_numbers(normalize(b, masks))
        same = text_a == text_b and len(nums_a) == len(nums_b)
        if same and mode == "values" and i not in structure_lines:
            same = all(_close(x, y, rtol, atol) for x, y in zip(nums_a, nums_b))
        if not same:
            found.append(f"line {i}:\n  lucidnet: {a}\n  PyTorch:  {b}")
    return found


def losses(text):
    """The loss column of a training loop's ``step loss`` lines (the tutorials' ``print(t, loss.item())``)."""
    return [float(m.group(2)) for m in re.finditer(r"^(\d+) ([-+\d.eE]+|nan|inf)$", text, re.M)]
