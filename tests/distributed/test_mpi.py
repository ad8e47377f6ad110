"""The MPI tests: real ``mpiexec -n 2`` and ``-n 3`` jobs (mpi_worker.py), each with a hard time limit.

Same numbers (float64 to 1e-10 after 50 steps, uneven shards included), the collectives, unused parameters,
and faults: a rank that raises, is killed or hangs stops the whole job within seconds.
"""
import os

import numpy as np
import pytest

import lucidnet
from mpi_run import needs_mpi, run

WORKER = os.path.join(os.path.dirname(__file__), "mpi_worker.py")

pytestmark = needs_mpi


SCENARIOS = ["collectives", "same_numbers", "same_numbers_shm", "unused_parameters", "buffers", "fit_sampler",
             "fit_metrics"]


@pytest.fixture(scope="module", params=[2, 3], ids=lambda n: f"{n}ranks")
def job(request):
    """One mpiexec job per world size runs every scenario (a launch costs about a second)."""
    return (request.param,) + run(request.param, [WORKER, *SCENARIOS])[:2]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_passes_on_every_rank(job, scenario):
    n, code, out = job
    assert f"OK {scenario} on {n} ranks" in out, out[-4000:]
    assert code == 0, out[-4000:]


@pytest.mark.parametrize("chosen", [None, "3"])
def test_ranks_on_one_machine_share_its_cores_unless_a_thread_count_is_chosen(chosen):
    # Two ranks each starting one thread per core asked twice the cores: 2,100 samples/s instead of 57,800.
    unset = {"OMP_NUM_THREADS": None, "OPENBLAS_NUM_THREADS": None, "MKL_NUM_THREADS": None,
             "LUCIDNET_NUM_THREADS": chosen}
    code, out, _ = run(2, [WORKER, "threads"], env=unset)
    assert code == 0 and "OK threads on 2 ranks" in out, out[-3000:]


def test_different_models_on_the_ranks_are_refused_by_name():
    code, out, _ = run(2, [WORKER, "model_mismatch"])
    assert code != 0
    assert ("DistributedDataParallel(): expected the same model on every rank, got ('weight', (4, 3), 'float32') on "
            "rank 0 and ('weight', (5, 3), 'float32') on rank 1") in out


@pytest.mark.parametrize("kind", ["raise", "kill", "hang", "kill_shm", "hang_shm"])
def test_a_failing_rank_stops_the_job_within_seconds(kind):
    # Without the abort the job would wait for ever (raise, kill) or 120 s (hang): run() fails it after 60 s.
    code, out, _ = run(2, [WORKER, kind], timeout=60, env={"WORKER_TIMEOUT": "3"})
    assert code != 0, out[-3000:]
    assert "the other ranks should have been stopped" not in out
    if kind.startswith("raise"):
        assert "ValueError: rank 1 fails on purpose" in out                       # its traceback
        assert "lucidnet.distributed: rank 1 of 2 stopped with ValueError: rank 1 fails on purpose; aborting all 2 " \
               "ranks." in out
    if kind.startswith("hang"):
        assert "lucidnet.distributed: rank 0 of 2 waited 3.0 s in all_reduce for the other ranks (timeout 3 s): one " \
               "of them has stopped or is stuck; aborting all 2 ranks." in out


def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("n", [2, 3])
def test_fit_on_ranks_is_fit_in_one_process_and_resumes_at_any_world_size(n, tmp_path):
    import mpi_worker
    _, reference = mpi_worker.fit_setup(4, tmp_path)                           # one process, 4 epochs
    code, out, _ = run(n, [WORKER, "fit"], env={"FIT_DIR": str(tmp_path)})
    assert code == 0 and f"OK fit on {n} ranks" in out, out[-4000:]
    got = np.load(tmp_path / "ranks.npz")
    # the first 2 epochs on n ranks: the same logs as one process (uneven slices on 3 ranks: 10 = 4 + 3 + 3)
    for key, ref in (("first_loss", "loss"), ("first_val_loss", "val_loss"), ("first_acc", "accuracy")):
        assert rel(got[key], reference[ref][:2]) < 1e-10, key
    # resumed from the n-rank checkpoint on n ranks, and in this one process: both equal the straight run
    resumed, history = mpi_worker.fit_setup(4, tmp_path, model=lucidnet.load(tmp_path / "ckpt.safetensors"))
    assert rel(got["loss"], reference["loss"]) < 1e-10 and rel(history["loss"], reference["loss"]) < 1e-10
    assert list(got["val_accuracy"]) == list(reference["val_accuracy"])
    for i, p in enumerate(resumed.parameters()):
        assert rel(got[f"w{i}"], p.array) < 1e-10
    # rank 0 alone writes: one header and one row per epoch in the CSV log
    assert len((tmp_path / "log.csv").read_text().strip().splitlines()) == 3


def test_cli_train_under_mpiexec_is_the_same_job_and_rank_0_reports(tmp_path):
    from lucidnet.cli import main
    args = ["train", "--dataset", "moons", "--epochs", "3", "--no-plots", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "one")]) == 0
    code, out, _ = run(2, ["-m", "lucidnet", *args, "--out", str(tmp_path / "two")])
    assert code == 0, out[-3000:]
    assert out.count("Test accuracy") == 1                        # rank 0 alone prints and writes
    one = lucidnet.load(tmp_path / "one" / "model.safetensors")
    two = lucidnet.load(tmp_path / "two" / "model.safetensors")
    for a, b in zip(one.parameters(), two.parameters()):           # float32: summation-order noise only
        np.testing.assert_allclose(a.array, b.array, rtol=1e-4, atol=1e-5)


def test_cli_refuses_models_that_do_not_train_with_fit_on_several_ranks(tmp_path):
    code, out, _ = run(2, ["-m", "lucidnet", "train", "--dataset", "moons", "--model", "perceptron", "--out",
                           str(tmp_path)])
    assert code != 0
    assert ("lucidnet: error: --model perceptron: expected one process, got 2 MPI ranks; it trains by its own rule, "
            "not with fit, so it cannot train data-parallel. Run it without mpiexec.") in out
