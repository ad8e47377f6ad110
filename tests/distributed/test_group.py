"""lucidnet.distributed in one process (no MPI needed): the API, the collectives as no-ops, the errors."""
import datetime
import sys

import numpy as np
import pytest

import lucidnet
import lucidnet.distributed as dist


@pytest.fixture
def group():
    dist.init_process_group()
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


@pytest.fixture
def no_mpi4py(monkeypatch):
    """Pretend mpi4py is not installed (an entry of None makes `import mpi4py` raise ImportError)."""
    monkeypatch.setitem(sys.modules, "mpi4py", None)


def test_one_process_group_without_mpi(group, no_mpi4py):
    assert dist.is_initialized() and dist.is_available()
    assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "local")
    assert not dist.is_mpi_available()


def test_collectives_in_one_process_leave_values_as_the_sum_over_one_rank(group):
    for op in dist.ReduceOp:
        t = lucidnet.tensor([1.5, -2.0])
        assert dist.all_reduce(t, op=op) is None
        assert t.tolist() == [1.5, -2.0]
    a = np.arange(3.0, dtype=np.float32)
    dist.broadcast(a, src=0)
    out = [lucidnet.zeros(3)]
    dist.all_gather(out, lucidnet.tensor(a))
    assert out[0].tolist() == [0.0, 1.0, 2.0]
    objs = [None]
    dist.all_gather_object(objs, "x")
    assert objs == ["x"]
    work = dist.barrier(async_op=True)
    assert work.wait() and work.is_completed()


def test_collective_arguments_are_checked(group):
    with pytest.raises(TypeError, match=r"all_reduce\(\): expected a Tensor or a NumPy array, got list"):
        dist.all_reduce([1.0, 2.0])
    with pytest.raises(TypeError, match=r"all_reduce\(\): ReduceOp.AVG needs a floating point tensor, got dtype int64"):
        dist.all_reduce(lucidnet.tensor([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(TypeError, match="expected op to be a lucidnet.distributed.ReduceOp, got 'sum'"):
        dist.all_reduce(lucidnet.ones(2), op="sum")
    with pytest.raises(ValueError, match=r"broadcast\(\): expected src to be a rank in \[0, 1\), got 1"):
        dist.broadcast(lucidnet.ones(2), src=1)
    with pytest.raises(ValueError, match=r"all_gather\(\): expected tensor_list to be a list of 1 tensors"):
        dist.all_gather([lucidnet.ones(2)] * 2, lucidnet.ones(2))
    with pytest.raises(ValueError, match=r"expected every tensor of tensor_list to have shape \(2,\)"):
        dist.all_gather([lucidnet.ones(3)], lucidnet.ones(2))
    with pytest.raises(ValueError, match="expected group=None"):
        dist.get_rank(group="world")


def test_state_errors_name_the_fix():
    with pytest.raises(RuntimeError, match=r"get_rank\(\): expected an initialized process group, got none. Call "
                                           r"lucidnet.distributed.init_process_group\(\) first."):
        dist.get_rank()
    with pytest.raises(RuntimeError, match=r"all_reduce\(\): expected an initialized process group"):
        dist.all_reduce(lucidnet.ones(1))
    dist.init_process_group()
    try:
        with pytest.raises(RuntimeError, match="got a second one"):
            dist.init_process_group()
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()


def test_init_arguments_are_checked():
    with pytest.raises(RuntimeError, match="lucidnet runs on the CPU, got backend 'nccl'"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="expected backend 'mpi', 'gloo' or None, got 'tcp'"):
        dist.init_process_group("tcp")
    with pytest.raises(ValueError, match="expected init_method None or 'env://', got 'tcp://1.2.3.4:5'"):
        dist.init_process_group(init_method="tcp://1.2.3.4:5")
    with pytest.raises(ValueError, match="expected world_size=1 as the launcher started this process, got "
                                         "world_size=4"):
        dist.init_process_group(world_size=4, rank=0)
    with pytest.raises(ValueError, match="expected timeout to be a positive number of seconds"):
        dist.init_process_group(timeout=-1)
    assert not dist.is_initialized()
    dist.init_process_group("gloo", world_size=1, rank=0, timeout=datetime.timedelta(minutes=1))
    dist.destroy_process_group()


def test_launch_is_detected_from_the_launchers_variables(monkeypatch):
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_RANK"):
        monkeypatch.delenv(var, raising=False)
    assert not dist.launched_by_mpi()
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert dist.launched_by_mpi()


def test_mpi_without_mpi4py_says_which_extra_to_install(monkeypatch, no_mpi4py):
    with pytest.raises(RuntimeError, match=r"backend='mpi' was asked for, so it needs MPI, but mpi4py is not "
                                           r"installed. Install the MPI extra: pip install 'lucidnet\[mpi\]'."):
        dist.init_process_group("mpi")
    monkeypatch.setenv("PMI_SIZE", "2")
    with pytest.raises(RuntimeError, match=r"this process was started by an MPI launcher, so it needs MPI.*"
                                           r"lucidnet\[mpi\]"):
        dist.init_process_group()
    assert not dist.is_initialized()


def test_timeout_from_the_environment(monkeypatch):
    monkeypatch.setenv("LUCIDNET_DIST_TIMEOUT", "soon")
    with pytest.raises(ValueError, match=r"expected \$LUCIDNET_DIST_TIMEOUT to be a number of seconds, got 'soon'"):
        dist.init_process_group()
    monkeypatch.setenv("LUCIDNET_DIST_TIMEOUT", "12.5")
    dist.init_process_group()
    try:
        from lucidnet.distributed import group as g
        assert g._group.timeout == 12.5
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("own_handler", [False, True])
def test_an_abort_that_hangs_still_ends_the_process(own_handler):
    # MPI_Abort from the watchdog thread once hung on its way out in CI; the process must end anyway.
    import subprocess
    import textwrap
    import time
    code = textwrap.dedent(f"""
        import signal, threading, time
        from lucidnet.distributed import group
        if {own_handler}:
            signal.signal(signal.SIGALRM, lambda *a: None)     # a program's own handler: the timer thread ends it
        class HangingComm:
            def Abort(self, code):
                time.sleep(60)
        g = group._Group("mpi", None, 0, 2, 5.0)
        g.comm = HangingComm()
        group._ABORT_GRACE = 1
        t = threading.Thread(target=group._abort, args=(g, "test", 3))
        t.start()
        time.sleep(60)
    """)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert time.monotonic() - start < 20
    assert proc.returncode != 0
    assert "lucidnet.distributed: test; aborting all 2 ranks." in proc.stderr
