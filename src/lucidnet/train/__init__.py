"""lucidnet.train: Keras's training front on lucidnet modules.

- :class:`Model` (subclass it, or wrap a module) and :class:`Sequential` with ``compile``, ``fit``,
  ``evaluate``, ``predict``, ``summary``, ``save``;
- :mod:`~lucidnet.train.callbacks`: History, EarlyStopping, ModelCheckpoint, TerminateOnNaN,
  LearningRateScheduler, ReduceLROnPlateau, CSVLogger, LambdaCallback; TensorBoard (:mod:`.tensorboard`) and
  LayerStatistics, a look inside the layers (:mod:`.inspect`);
- :mod:`~lucidnet.train.metrics`: accuracy, top-k accuracy, MSE, MAE, confusion matrix, and their running forms;
- :mod:`~lucidnet.train.losses`: the loss names ``compile`` understands;
- :class:`ProgbarLogger`, the progress display (a callback ``fit(verbose=...)`` adds);
- the inside of ``fit``, one module per job: :mod:`~lucidnet.train.trainer` (the loops),
  :mod:`~lucidnet.train.data_adapter` (data in), :mod:`~lucidnet.train.compile_utils` (compile's resolution),
  :mod:`~lucidnet.train.checkpoint` (the training state), :mod:`~lucidnet.train.summary`, and
  :mod:`~lucidnet.train.distribution` (the seam for data-parallel training).

Example:
    >>> import lucidnet
    >>> from lucidnet import nn
    >>> from lucidnet.data import spiral
    >>> _ = lucidnet.manual_seed(0)
    >>> X, y = spiral(100, 3, seed=0)
    >>> model = Sequential([nn.Dense(64, activation="relu"), nn.Dense(3)])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.02)
    >>> history = model.fit(X, y, epochs=300, batch_size=300, verbose=0)
    >>> history.history["accuracy"][-1] > 0.8
    True
"""
from . import callbacks, losses, metrics
from .callbacks import (CSVLogger, Callback, EarlyStopping, History, LambdaCallback, LearningRateScheduler,
                        ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from .distribution import Distribution, set_distribution
from .model import Model
from .sequential import Sequential
from .inspect import LayerStatistics, layer_statistics
from .progress import ProgbarLogger
from .tensorboard import TensorBoard

__all__ = ["CSVLogger", "Callback", "Distribution", "EarlyStopping", "History", "LambdaCallback", "LayerStatistics",
           "LearningRateScheduler", "Model", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau", "Sequential",
           "TensorBoard", "TerminateOnNaN", "callbacks", "layer_statistics", "losses", "metrics", "set_distribution"]
