"""PyTorch's ``torch.utils`` spelling: ``lucidnet.utils.data`` is :mod:`lucidnet.data`, so tutorial code such as
``torch.utils.data.DataLoader(dataset, batch_size=64)`` runs after ``import lucidnet as torch``.

Example:
    >>> import lucidnet as torch
    >>> torch.utils.data.DataLoader is torch.data.DataLoader
    True
"""
import sys

from .. import data  # noqa: F401

sys.modules[__name__ + ".data"] = data         # a real module: `import lucidnet.utils.data` works too
