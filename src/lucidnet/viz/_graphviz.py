"""What both graph views share: the ``graphviz`` package imported lazily (with the extra to install when it
is missing), and a graph written as DOT (always) or rendered by Graphviz's ``dot`` program (SVG, PNG, PDF)."""
import os
import shutil

from ..data._files import atomic_write

INSTALL_HINT = "pip install 'lucidnet[viz]'"
RENDERED = ("svg", "png", "pdf")


def digraph(where, **kwargs):
    """A new ``graphviz.Digraph``, or an ImportError naming the extra."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(f"{where}: expected the graphviz package to draw graphs, got none installed. Install it "
                          f"with: {INSTALL_HINT}") from None
    return graphviz.Digraph(**kwargs)


def can_render():
    """Whether Graphviz's ``dot`` program is on PATH (needed for SVG, PNG and PDF; DOT text never needs it).

    Example:
        >>> isinstance(can_render(), bool)
        True
    """
    return shutil.which("dot") is not None


def write(where, dot, path, dpi=None):
    """Write ``dot`` to ``path``: DOT text for .dot/.gv, else rendered in the format the extension names."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in ("dot", "gv"):
        data = dot.source.encode()
    elif ext in RENDERED:
        if not can_render():
            raise RuntimeError(f"{where}: expected Graphviz's dot program to render {os.path.basename(path)!r}, got "
                               f"none on PATH. Install it (Debian/Ubuntu: apt-get install graphviz), or write a .dot "
                               f"file instead.")
        if dpi is not None and ext == "png":
            dot.graph_attr["dpi"] = str(dpi)
        data = dot.pipe(format=ext)
    else:
        raise ValueError(f"{where}: expected a file name ending in .dot, .gv, .svg, .png or .pdf, got "
                         f"{os.path.basename(path)!r}.")
    with atomic_write(path) as f:
        f.write(data)
    return path
