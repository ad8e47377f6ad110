"""lucidnet.distributed: many processes training one model, in ``torch.distributed``'s names.

Start N copies of a script with an MPI launcher (``mpiexec -n 4 python train.py``); in the script,
:func:`init_process_group` joins them into a group of N ranks, and the collectives (:func:`all_reduce`,
:func:`broadcast`, :func:`all_gather`, :func:`barrier`) move NumPy arrays between them through MPI (mpi4py,
installed by ``pip install 'lucidnet[mpi]'``). Data-parallel training is built on these:
:class:`lucidnet.nn.parallel.DistributedDataParallel` keeps the ranks' models equal by averaging gradients,
and :class:`lucidnet.utils.data.DistributedSampler` gives each rank its share of the data.

The same script runs as one process with plain ``python`` (MPI not needed): the group is then rank 0 of 1 and
every collective returns at once.

If one rank raises, its traceback is printed and all ranks are aborted; if one dies or hangs, the others'
watchdog aborts them after the group's ``timeout``. A run never hangs on a lost rank. A rank that must stop
alone calls :func:`abort` (not ``sys.exit``, which would leave the others waiting until the timeout).

Example:
    >>> import lucidnet, lucidnet.distributed as dist
    >>> dist.init_process_group()
    >>> t = lucidnet.tensor([float(dist.get_rank() + 1)])
    >>> dist.all_reduce(t)                 # the sum over ranks: 1 + 2 + ... + world size
    >>> t
    tensor([1.])
    >>> dist.destroy_process_group()
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_object, all_reduce, barrier, broadcast,
                          broadcast_object_list)
from .group import (abort, destroy_process_group, get_backend, get_rank, get_world_size, init_process_group, is_available,
                    is_initialized, is_mpi_available, launched_by_mpi)

__all__ = ["ReduceOp", "Work", "abort", "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast",
           "broadcast_object_list", "destroy_process_group", "get_backend", "get_rank", "get_world_size",
           "init_process_group", "is_available", "is_initialized", "is_mpi_available", "launched_by_mpi"]
