"""lucidnet._blas: importing lucidnet makes OpenBLAS's threads sleep soon after a product (2**4 cycles instead
of 2**28), even when NumPy was imported first, and leaves a timeout the user set alone."""
import os
import subprocess
import sys

import numpy as np

import lucidnet
from lucidnet import _blas

PROBE = ("import numpy, os; numpy.ones((64, 64)) @ numpy.ones((64, 64)); import lucidnet; "
         "from lucidnet import _blas; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'), len(_blas._openblas_libraries()))")


def probe(env):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"} | env
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_the_timeout_is_set_after_numpy_started_its_threads():
    timeout, libraries = probe({})
    if libraries == "0":                    # NumPy built against another BLAS: nothing to do, nothing done
        assert timeout == "None"
    else:
        assert timeout == str(_blas.TIMEOUT)


def test_a_timeout_the_user_set_is_left_alone():
    assert probe({"OPENBLAS_THREAD_TIMEOUT": "25"})[0] == "25"
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == str(_blas.TIMEOUT)         # this process: lucidnet's
    assert _blas.openblas_thread_timeout(n=7) == 0                                # set already: not changed
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == str(_blas.TIMEOUT)


def test_products_still_work_after_the_pool_restarts():
    before = np.random.default_rng(0).standard_normal((300, 300))
    expect = before @ before
    _blas.openblas_thread_timeout()         # stops OpenBLAS's threads; the next product starts new ones
    np.testing.assert_allclose(before @ before, expect)
    assert lucidnet.tensor(before).matmul(lucidnet.tensor(before)).shape == (300, 300)


def test_the_number_of_openblas_threads_can_be_set_and_read_back():
    before = _blas.openblas_num_threads()
    if not _blas._openblas_libraries():     # NumPy built against another BLAS: nothing to say
        assert before == []
        return
    assert before and all(n >= 1 for n in before), before      # every OpenBLAS NumPy loaded answers
    try:
        assert _blas.openblas_num_threads(1) == [1] * len(before)
        a = np.random.default_rng(1).standard_normal((200, 200))
        np.testing.assert_allclose(a @ np.eye(200), a)
    finally:
        _blas.openblas_num_threads(before[0])
    assert _blas.openblas_num_threads() == before
