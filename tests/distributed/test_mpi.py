"""The MPI tests: real ``mpiexec -n 2`` and ``-n 3`` jobs (mpi_worker.py), each with a hard time limit.

Same numbers (float64 to 1e-10 after 50 steps, uneven shards included), the collectives, unused parameters,
and faults: a rank that raises, is killed or hangs stops the whole job within seconds.
"""
import os

import pytest

from mpi_run import needs_mpi, run

WORKER = os.path.join(os.path.dirname(__file__), "mpi_worker.py")

pytestmark = needs_mpi


SCENARIOS = ["collectives", "same_numbers", "unused_parameters", "buffers"]


@pytest.fixture(scope="module", params=[2, 3], ids=lambda n: f"{n}ranks")
def job(request):
    """One mpiexec job per world size runs every scenario (a launch costs about a second)."""
    return (request.param,) + run(request.param, [WORKER, *SCENARIOS])[:2]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_passes_on_every_rank(job, scenario):
    n, code, out = job
    assert f"OK {scenario} on {n} ranks" in out, out[-4000:]
    assert code == 0, out[-4000:]


def test_different_models_on_the_ranks_are_refused_by_name():
    code, out, _ = run(2, [WORKER, "model_mismatch"])
    assert code != 0
    assert ("DistributedDataParallel(): expected the same model on every rank, got ('weight', (4, 3), 'float32') on "
            "rank 0 and ('weight', (5, 3), 'float32') on rank 1") in out


@pytest.mark.parametrize("kind", ["raise", "kill", "hang"])
def test_a_failing_rank_stops_the_job_within_seconds(kind):
    # Without the abort the job would wait for ever (raise, kill) or 120 s (hang): run() fails it after 60 s.
    code, out, _ = run(2, [WORKER, kind], timeout=60, env={"WORKER_TIMEOUT": "3"})
    assert code != 0, out[-3000:]
    assert "the other ranks should have been stopped" not in out
    if kind == "raise":
        assert "ValueError: rank 1 fails on purpose" in out                       # its traceback
        assert "lucidnet.distributed: rank 1 of 2 stopped with ValueError: rank 1 fails on purpose; aborting all 2 " \
               "ranks." in out
    if kind == "hang":
        assert "lucidnet.distributed: rank 0 of 2 waited 3.0 s in all_reduce for the other ranks (timeout 3 s): one " \
               "of them has stopped or is stuck; aborting all 2 ranks." in out
