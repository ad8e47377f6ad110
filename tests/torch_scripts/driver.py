"""Run one PyTorch tutorial script under real PyTorch or under lucidnet, seeded, optionally stopping after its
first N printed lines (how the suite keeps long training loops short without editing a script).

    python tests/torch_scripts/driver.py {torch|lucidnet} MAX_LINES SCRIPT [ARGS...]

MAX_LINES 0 runs the script to the end. Seeds Python's ``random``, NumPy's global generator and the library's
default generator with 0, so every run of a script prints the same thing. Exit status: the script's.
:func:`run` does the same in-process and returns what the script printed (the test suite's way: no second
interpreter to start per script).
"""
import contextlib
import io
import os
import random
import runpy
import sys


class _Enough(BaseException):
    """Raised from print() once the wanted lines are out: unwinds the script (a BaseException, so a script's
    ``except Exception`` does not swallow it)."""


class _LineLimit:
    """stdout that stops the script after ``limit`` complete lines."""

    def __init__(self, stream, limit):
        self.stream, self.limit, self.lines = stream, limit, 0

    def write(self, text):
        if self.lines >= self.limit:
            raise _Enough
        head, newlines = text, text.count("\n")
        if self.lines + newlines >= self.limit:            # keep only up to the limit-th newline
            cut = -1
            for _ in range(self.limit - self.lines):
                cut = text.index("\n", cut + 1)
            head = text[:cut + 1]
        self.lines += head.count("\n")
        self.stream.write(head)
        if self.lines >= self.limit:
            self.stream.flush()
            raise _Enough
        return len(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _seed(lib):
    random.seed(0)
    import numpy as np
    np.random.seed(0)
    if lib == "torch":
        import torch
        torch.manual_seed(0)
    else:
        import lucidnet
        lucidnet.manual_seed(0)


def _run(lib, script, args):
    if lib == "torch":
        saved_argv, saved_path = sys.argv, sys.path[:]
        sys.argv = [script, *args]
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        try:
            runpy.run_path(script, run_name="__main__")
        finally:
            sys.argv, sys.path[:] = saved_argv, saved_path
    else:
        from lucidnet.torch_shim import run_script
        run_script(script, args)


def run(lib, script, max_lines=0, args=()):
    """Run ``script`` in this process under ``lib`` ('torch' or 'lucidnet'), seeded, stopping after
    ``max_lines`` printed lines (0: no limit). Returns (stdout text, the exception that ended it or None).
    Python's and NumPy's global random states are put back afterwards."""
    import numpy as np
    states = random.getstate(), np.random.get_state()
    out = io.StringIO()
    error = None
    try:
        _seed(lib)
        with contextlib.redirect_stdout(_LineLimit(out, max_lines) if max_lines else out):
            _run(lib, os.fspath(script), list(args))
    except _Enough:
        pass
    except Exception as e:                     # noqa: BLE001  (reported to the caller, with what was printed)
        error = e
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
    return out.getvalue(), error


def main(argv):
    lib, limit, script, args = argv[0], int(argv[1]), argv[2], argv[3:]
    _seed(lib)
    if limit:
        sys.stdout = _LineLimit(sys.stdout, limit)
    try:
        _run(lib, script, args)
    except _Enough:
        pass
    finally:
        sys.stdout = sys.__stdout__
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
