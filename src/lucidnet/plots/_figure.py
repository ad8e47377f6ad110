"""What every plot shares: matplotlib imported only when a figure is made, with the install hint when it is
missing; a figure saved to PNG, or handed back to be shown (in a notebook, a Figure displays itself)."""
import os

INSTALL_HINT = "pip install 'lucidnet[plot]'"


def available():
    """Whether matplotlib can be imported (so the plots can be drawn).

    Example:
        >>> isinstance(available(), bool)
        True
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(where, **kwargs):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"{where}: expected matplotlib to draw plots, got no matplotlib installed. Install it "
                          f"with: {INSTALL_HINT}") from None
    return Figure(**kwargs)


def _save(fig, path):
    """Write the figure to ``path`` (atomically: a failed write leaves an older file whole) and return the path;
    with no path, return the figure itself. The format is the file's extension (PNG without one)."""
    if path is None:
        return fig
    from ..data._files import atomic_write
    ext = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    with atomic_write(path) as f:
        fig.savefig(f, dpi=fig.dpi, format=ext or "png")
    return path
