"""lucidnet.transforms: image transforms in torchvision's names (``torchvision.transforms``), per sample and per
batch; they live in :mod:`lucidnet.data.transforms`.

Example:
    >>> from lucidnet import transforms
    >>> transforms.RandomCrop(28, padding=2)
    RandomCrop(size=(28, 28), padding=(2, 2, 2, 2))
"""
from .data.transforms import *  # noqa: F401,F403
from .data.transforms import __all__  # noqa: F401
