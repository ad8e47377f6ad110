"""Optimizers and learning-rate schedulers, in PyTorch's names: ``lucidnet.optim.Adam(model.parameters())``.

One file per algorithm, in order of complexity: random_search.py (no gradients), sgd.py, adagrad.py, rmsprop.py,
adam.py (Adam, AdamW);
the shared machinery (parameter groups, state, state_dict) is in optimizer.py, schedulers in lr_scheduler.py.

Example:
    >>> import lucidnet
    >>> w = lucidnet.tensor([2.0], requires_grad=True)
    >>> opt = lucidnet.optim.SGD([w], lr=0.25)
    >>> for _ in range(3):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
    >>> w                           # each step halves w: w - 0.25 * 2w
    tensor([0.2500], requires_grad=True)
"""
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .random_search import RandomSearch
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "RandomSearch", "SGD", "lr_scheduler"]
