"""Callbacks: code that ``fit`` runs at fixed points of training, with Keras's names and semantics.

``fit`` calls, in this order: ``on_train_begin``; per epoch ``on_epoch_begin(epoch)``, per batch
``on_train_batch_begin(batch)`` / ``on_train_batch_end(batch, logs)``, then (with validation data)
``on_test_begin`` / ``on_test_end``, then ``on_epoch_end(epoch, logs)``; finally ``on_train_end``. ``logs``
is a dict of the epoch's values (``loss``, metrics, ``val_loss``, ``val_<metric>``, ``lr``). A callback
stops training by setting ``self.model.stop_training = True``.

Callbacks that carry state across epochs (EarlyStopping's patience, ReduceLROnPlateau's cooldown,
ModelCheckpoint's best value) save it with a checkpoint (``get_state`` / ``set_state``), so a resumed run
behaves exactly as an uninterrupted one.

The package: :mod:`~lucidnet.train.callbacks.base` (the protocol, CallbackList, MonitorCallback),
:mod:`~lucidnet.train.callbacks.monitors` (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint),
:mod:`~lucidnet.train.callbacks.simple` (History, CSVLogger, LearningRateScheduler, TerminateOnNaN,
LambdaCallback); the progress display is :class:`lucidnet.train.progress.ProgbarLogger`.
"""
from .base import BatchLogs, Callback, CallbackList, MonitorCallback
from .monitors import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from .simple import CSVLogger, History, LambdaCallback, LearningRateScheduler, TerminateOnNaN

__all__ = ["BatchLogs", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "MonitorCallback", "ReduceLROnPlateau", "TerminateOnNaN"]

from ..inspect import LayerStatistics  # noqa: E402,F401  (own modules; here so keras-style callbacks.X finds them)
from ..tensorboard import TensorBoard  # noqa: E402,F401
