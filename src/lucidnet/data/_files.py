"""Atomic file writes: the file at ``path`` is either the old one or the complete new one, never a part.

Write to a temporary file in the same directory, flush and fsync it, then ``os.replace`` it over ``path``
(atomic on POSIX and Windows when both are on one filesystem, which the same directory guarantees).
"""
import contextlib
import os
import tempfile

__all__ = ["atomic_write", "read_bytes"]


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file (``f.name``) to write; on success it replaces ``path``, on error it is removed.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a.bin")
        >>> with atomic_write(p) as f:
        ...     _ = f.write(b"hello")
        >>> open(p, "rb").read()
        b'hello'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part")
    os.close(fd)
    try:
        with open(tmp, mode) as f:                          # f.name is the temporary path
            yield f
            f.flush()
            os.fsync(f.fileno())
        try:
            mode_bits = os.stat(path).st_mode & 0o777      # keep an existing file's permissions
        except FileNotFoundError:
            mode_bits = 0o644                               # mkstemp makes 0600; a data file is world-readable
        os.chmod(tmp, mode_bits)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


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
