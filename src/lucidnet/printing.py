"""Printing tensors exactly as PyTorch prints them (the algorithm of torch/_tensor_str.py), and the options
that change it: ``set_printoptions`` (precision, threshold, edgeitems, linewidth, profile, sci_mode).

One width for every element; 4 decimals, or scientific notation when magnitudes differ widely; integral
floats as ``3.``; ``...`` past ``threshold`` elements, keeping ``edgeitems`` at each end of every axis;
rows wrap at ``linewidth`` columns. Suffixes name what differs from the defaults (dtype, grad_fn,
requires_grad, the size of an empty tensor).
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import dtypes

__all__ = ["get_printoptions", "printoptions", "set_printoptions"]


@dataclasses.dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


OPTIONS = _Options()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None,
                     namespace=None):
    """Set how tensors print, as PyTorch's ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: more elements than this are summarized with ``...`` (default 1000).
        edgeitems: items kept at each end of each axis when summarizing (default 3).
        linewidth: characters per line (default 80).
        profile: 'default', 'short' (2 digits, 2 edge items) or 'full' (never summarize); the other
            arguments override it.
        sci_mode: True or False forces scientific notation on or off; None (default) chooses per tensor.
        namespace: lucidnet only: the module name dtypes and sizes print with ('lucidnet' by default;
            'torch' makes printed text identical to PyTorch's).

    Example:
        >>> import lucidnet
        >>> set_printoptions(precision=2)
        >>> lucidnet.tensor([1.12345])
        tensor([1.12])
        >>> set_printoptions(profile="default")
    """
    if namespace is not None:
        dtypes._namespace[0] = str(namespace)
        if (precision, threshold, edgeitems, linewidth, profile, sci_mode) == (None,) * 6:
            return                               # only the namespace: the other options stay as they are
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions(): expected profile 'default', 'short' or 'full', got {profile!r}.")
        OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems, OPTIONS.linewidth = _PROFILES[profile]
    if precision is not None:
        OPTIONS.precision = precision
    if threshold is not None:
        OPTIONS.threshold = threshold
    if edgeitems is not None:
        OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        OPTIONS.linewidth = linewidth
    OPTIONS.sci_mode = sci_mode                  # as PyTorch: every call sets it (None: chosen per tensor)


def get_printoptions():
    """The current print options (and lucidnet's namespace), as a dict that :func:`set_printoptions` takes back.

    Example:
        >>> get_printoptions()["precision"]
        4
    """
    return dict(dataclasses.asdict(OPTIONS), namespace=dtypes._namespace[0])


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a ``with`` block.

    Example:
        >>> import lucidnet
        >>> with printoptions(precision=1):
        ...     print(lucidnet.tensor([1.25]))
        tensor([1.2])
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ------------------------------------------------------------------------------------------------ elements

class _Formatter:
    """One width and notation for every element, chosen from the nonzero finite values (PyTorch's _Formatter)."""

    def __init__(self, arr):
        self.floating = arr.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = OPTIONS.precision
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in arr.ravel().tolist()])
            return
        flat = arr.ravel()
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absolute = np.abs(vals).astype(np.float64)
        big, small = absolute.max(), absolute.min()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = (big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4) if OPTIONS.sci_mode is None \
            else bool(OPTIONS.sci_mode)
        values = vals.tolist()
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in values)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in values)
        else:
            self.width = max(len(f"{v:.{p}f}") for v in values)

    def format(self, v):
        p = OPTIONS.precision
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:{self.width}.{p}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{p}f}"
        return text.rjust(self.width)


def _summarized(arr):
    """The elements a summarized print shows: the first and last ``edgeitems`` along every axis."""
    edge = OPTIONS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate([arr[:edge], arr[-edge:]]) if arr.shape[0] > 2 * edge else arr
    if not edge:
        return arr[(slice(0, 0),) * arr.ndim]
    rows = list(arr[:edge]) + list(arr[-edge:]) if arr.shape[0] > 2 * edge else list(arr)
    return np.stack([_summarized(r) for r in rows])


def _nested(arr, fmt, indent, summarize):
    """Nested brackets: vectors wrap at ``linewidth``, each further axis adds a line between its slices."""
    edge = OPTIONS.edgeitems
    if arr.ndim == 0:
        return fmt.format(arr.item())
    cut = summarize and arr.shape[0] > 2 * edge
    if arr.ndim == 1:
        if summarize and not edge:
            items = ["..."]
        elif cut:
            items = ([fmt.format(v) for v in arr[:edge].tolist()] + [" ..."]
                     + [fmt.format(v) for v in arr[-edge:].tolist()])
        else:
            items = [fmt.format(v) for v in arr.tolist()]
        per_line = max(1, math.floor((OPTIONS.linewidth - indent) / (fmt.width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(edge)) + [None] + list(range(len(arr) - edge, len(arr))) if cut else range(len(arr))
    parts = ["..." if i is None else _nested(arr[i], fmt, indent + 1, summarize) for i in rows]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def array_str(arr, indent):
    """The bracketed elements of an array as PyTorch prints them, continuation lines indented by ``indent``.

    Example:
        >>> print(array_str(np.arange(4.0).reshape(2, 2) / 3, len("tensor(")))
        [[0.0000, 0.3333],
                [0.6667, 1.0000]]
    """
    if arr.size == 0:
        return "[]"
    summarize = arr.size > OPTIONS.threshold
    return _nested(arr, _Formatter(_summarized(arr) if summarize else arr), indent, summarize)


# ------------------------------------------------------------------------------------------------ tensors

def tensor_repr(t, prefix="tensor("):
    """``repr(t)``: ``tensor([...], dtype=..., grad_fn=<...>)``, laid out as PyTorch lays it out."""
    arr, suffixes = t.array, []
    default = dtypes.get_default_dtype().dtype
    indent = len(prefix)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={arr.shape}")
        if arr.dtype != default:
            suffixes.append(f"dtype={t.dtype}")
        text = "[]"
    else:
        if not OPTIONS.edgeitems:
            suffixes.append(f"size={arr.shape}")
        if arr.dtype not in (default, np.dtype(np.int64), np.dtype(np.bool_)):
            suffixes.append(f"dtype={t.dtype}")
        text = array_str(arr, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + text
    line = len(text) - text.rfind("\n") + 1             # PyTorch's count, off by one on purpose
    for suffix in suffixes:                             # a suffix that would pass the line width starts a line
        if line + len(suffix) + 2 > OPTIONS.linewidth:
            text, line = text + ",\n" + " " * indent + suffix, indent + len(suffix)
        else:
            text, line = text + ", " + suffix, line + len(suffix) + 2
    return text + ")"


def tensor_format(t, spec):
    """``format(t, spec)``: a 0-d tensor formats its value (``f"{loss:.4f}"``), as does a one-element tensor
    (PyTorch refuses those); others take only an empty spec, as in PyTorch."""
    if t.array.size == 1 and (spec or t.array.ndim == 0):
        return format(t.array.item(), spec)
    if spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(t)
