"""What ``compile`` resolves: optimizers by name.

Example:
    >>> OPTIMIZERS["adam"]
    (<class 'lucidnet.optim.adam.Adam'>, 0.001)
"""
from .. import optim

__all__ = ["OPTIMIZERS"]

# name -> (class, learning rate when compile() is given none: Keras's default for that optimizer; PyTorch's
# RMSprop/Adagrad would start at 1e-2). A new optimizer is one file in lucidnet.optim plus one line here.
OPTIMIZERS = {
    "adam": (optim.Adam, 0.001),
    "sgd": (optim.SGD, 0.01),
    "adamw": (optim.AdamW, 0.001),
    "rmsprop": (optim.RMSprop, 0.001),
    "adagrad": (optim.Adagrad, 0.001),
}
