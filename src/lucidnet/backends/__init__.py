"""``lucidnet.backends``: PyTorch's backend switches as CPU-only PyTorch reports them (no MPS, no cuDNN).

Example:
    >>> import lucidnet as torch
    >>> torch.backends.mps.is_available(), torch.backends.cudnn.is_available()
    (False, False)
"""
from . import cuda, cudnn, mps  # noqa: F401
