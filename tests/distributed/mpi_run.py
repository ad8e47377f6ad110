"""Run a script under ``mpiexec -n N`` from a test, with a hard time limit so a bug can never hang the suite."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest


def mpiexec():
    """The mpiexec of this Python environment (pip's mpich wheel) or of the system, or None."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.path.exists(here) else shutil.which("mpiexec")


def have_mpi():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return mpiexec() is not None


needs_mpi = pytest.mark.skipif(not have_mpi(), reason="needs MPI: pip install 'lucidnet[mpi]' (mpi4py and mpich)")


def run(n, args, timeout=120, env=None):
    """``mpiexec -n n python args...``: (exit code, stdout + stderr, seconds); killed (all ranks) after timeout.
    ``env``: variables to set, or to unset where the value is None (one thread per rank unless it says)."""
    full_env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    full_env.update(env or {})
    full_env = {k: v for k, v in full_env.items() if v is not None}
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.abspath(src), full_env.get("PYTHONPATH")]))
    start = time.monotonic()
    proc = subprocess.Popen([mpiexec(), "-n", str(n), sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=full_env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)            # mpiexec and every rank it started
        out, _ = proc.communicate()
        pytest.fail(f"mpiexec -n {n} {' '.join(args)} did not finish in {timeout} s:\n{out[-3000:]}")
    return proc.returncode, out, time.monotonic() - start
