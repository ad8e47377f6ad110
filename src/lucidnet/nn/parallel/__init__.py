"""lucidnet.nn.parallel: data-parallel training across processes (PyTorch's ``torch.nn.parallel``)."""
from .distributed import DistributedDataParallel, broadcast_tensors
from .reducer import Reducer

__all__ = ["DistributedDataParallel", "Reducer", "broadcast_tensors"]
