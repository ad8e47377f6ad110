"""Atomic file writes: the file at ``path`` is either the old one or the complete new one, never a part.

Write to a temporary file in the same directory, flush and fsync it, then ``os.replace`` it over ``path``
(atomic on POSIX and Windows when both are on one filesystem, which the same directory guarantees).
"""
import contextlib
import os
import tempfile

__all__ = ["atomic_write", "read_bytes"]


@contextlib.contextmanager
def atomic_write(path, mode="wb", encoding=None, newline=None):
    """Open a temporary file (``f.name``) to write; on success it replaces ``path``, on error it is removed.

    Every file lucidnet writes goes through here (checkpoints, images, plots, logs, the CLI's outputs), so a
    crash, a full disk or a kill leaves the previous file whole. The temporary file is named after the target
    and the writing process (``.<name>.<pid>.<random>.part``): one left behind by a process killed while
    writing (kill -9 cannot be cleaned up after) is removed by the next successful write of the same file.

    Args:
        path: the file to write.
        mode: "wb" (bytes) or "w" (text).
        encoding, newline: for text, as ``open``'s (default encoding: UTF-8).

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
        >>> with atomic_write(p) as f:
        ...     _ = f.write(b"hello")
        >>> open(p, "rb").read()
        b'hello'
        >>> with atomic_write(p, "w") as f:
        ...     _ = f.write("text")
        >>> open(p).read(), os.listdir(os.path.dirname(p))
        ('text', ['a.bin'])
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write(): expected mode 'w' or 'wb', got {mode!r}.")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = f".{os.path.basename(path)}."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{prefix}{os.getpid()}.", suffix=".part")
    os.close(fd)
    try:
        text = {"encoding": encoding or "utf-8", "newline": newline} if mode == "w" else {}
        with open(tmp, mode, **text) as f:                  # f.name is the temporary path
            yield f
            f.flush()
            os.fsync(f.fileno())
        try:
            mode_bits = os.stat(path).st_mode & 0o777      # keep an existing file's permissions
        except FileNotFoundError:
            mode_bits = 0o644                               # mkstemp makes 0600; a data file is world-readable
        os.chmod(tmp, mode_bits)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename != path:
            # Name the file the user asked for, not the temporary one (e.g. a directory where the file should be).
            raise type(e)(e.errno, e.strerror, path) from None
        raise
    _fsync_dir(directory)
    _remove_strays(directory, prefix)


def _remove_strays(directory, prefix):
    """Remove temporary files of the same target left by writers that no longer run (killed while writing)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".part")):
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, name))


def _running(pid):
    """Whether process ``pid`` exists (so its temporary file may still be being written)."""
    if os.name == "nt":
        return True                                          # no cheap check: leave the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True                                          # exists, owned by someone else
    return True


def read_bytes(path, where, what):
    """The bytes of the file at ``path``; a missing file or a directory is an error saying ``where`` and that a
    ``what`` ("a PNG file") was expected.

    Example:
        >>> import tempfile
        >>> read_bytes(tempfile.mkdtemp(), "read_bytes()", "a data file")
        Traceback (most recent call last):
        IsADirectoryError: read_bytes(): expected a data file, got a directory.
    """
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: expected {what}, got a path that does not exist.") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{where}: expected {what}, got a directory.") from None


def _fsync_dir(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
