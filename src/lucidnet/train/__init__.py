"""lucidnet.train: Keras's training front on lucidnet modules.

- :class:`Model` (subclass it, or wrap a module) and :class:`Sequential` with ``compile``, ``fit``,
  ``evaluate``, ``predict``, ``summary``, ``save``;
- :mod:`~lucidnet.train.callbacks`: History, EarlyStopping, ModelCheckpoint, TerminateOnNaN,
  LearningRateScheduler, ReduceLROnPlateau, CSVLogger, LambdaCallback; TensorBoard (:mod:`.tensorboard`) and
  LayerStatistics, a look inside the layers (:mod:`.inspect`);
- :mod:`~lucidnet.train.metrics`: accuracy, top-k accuracy, MSE, MAE, confusion matrix, and their running forms;
- :mod:`~lucidnet.train.losses`: the loss names ``compile`` understands.

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
from .model import Model, Sequential
from .inspect import LayerStatistics, layer_statistics
from .tensorboard import TensorBoard

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "LambdaCallback", "LearningRateScheduler", "Model",
           "ModelCheckpoint", "ReduceLROnPlateau", "Sequential", "TerminateOnNaN", "callbacks", "losses", "metrics",
           "LayerStatistics", "TensorBoard", "layer_statistics"]
