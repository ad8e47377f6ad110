"""Keras's ``TensorBoard`` callback: fit's logs, weight histograms and the model's graph as TensorBoard event
files, through :class:`lucidnet.utils.tensorboard.SummaryWriter` (the ``tensorboard`` extra)."""
import os

from .callbacks import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Write what ``fit`` does to TensorBoard, laid out as Keras lays it out.

    Training values go to ``<log_dir>/train`` and validation values to ``<log_dir>/validation``, under the
    tags ``epoch_loss``, ``epoch_accuracy``, ... (so TensorBoard draws train and validation on one chart),
    and the learning rate as ``epoch_learning_rate``. Then ``tensorboard --logdir <log_dir>``.

    Args:
        log_dir: where to write. Default: "logs".
        histogram_freq: every this many epochs, histograms of every parameter (``<layer>/<name>``) and, when
            ``write_grads``, of their last gradients; 0 writes none. Default: 0.
        write_graph: write the graph of the model's layers (traced on a zero sample shaped as the first
            batch). Default: True.
        write_images: with ``histogram_freq``, also write each 2-D weight as an image. Default: False.
        write_steps_per_second: log training batches per second each epoch. Default: False.
        update_freq: "epoch", "batch" or an integer N: also log the running ``batch_<metric>`` values every N
            batches (a global batch count is the step). Default: "epoch".
        write_grads: with ``histogram_freq``, also histograms of the gradients. Default: False.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32); y = (x[:, 0] > 0).astype(int)
        >>> model = lucidnet.Model(nn.MLP([2, 8, 2]))
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> logs = tempfile.mkdtemp()
        >>> _ = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[TensorBoard(logs)])
        >>> sorted(os.listdir(logs))
        ['train', 'validation']
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", write_grads=False):
        if not (update_freq in ("epoch", "batch") or (isinstance(update_freq, int) and not isinstance(update_freq, bool)
                                                      and update_freq > 0)):
            raise ValueError(f"TensorBoard: expected update_freq to be 'epoch', 'batch' or a positive integer, got "
                             f"{update_freq!r}.")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: expected histogram_freq to be an integer >= 0, got {histogram_freq!r}.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph, self.write_images = histogram_freq, write_graph, write_images
        self.write_steps_per_second, self.write_grads = write_steps_per_second, write_grads
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._batches = 0                     # batches seen in this fit, for batch-level steps
        self._sample_shape = self._hook = None
        self._graph_written = False

    def _writer(self, name):
        if name not in self._writers:
            from ..utils.tensorboard import SummaryWriter
            self._writers[name] = SummaryWriter(os.path.join(self.log_dir, name))
        return self._writers[name]

    # ------------------------------------------------------------------------------------------ hooks

    def on_train_begin(self, logs=None):
        self._writer("train")                  # fails now, not after an epoch, when tensorboard is missing
        self._batches = 0
        if self.write_graph and not self._graph_written:
            def record(module, args):          # the first batch's sample shape, for the graph
                if args and hasattr(args[0], "shape") and self._sample_shape is None:
                    self._sample_shape = (tuple(args[0].shape[1:]), args[0].dtype)
            self._hook = self.model.register_forward_pre_hook(record)

    def on_epoch_begin(self, epoch, logs=None):
        import time
        self._epoch_start, self._epoch_batches = time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        self._epoch_batches += 1
        if self.update_freq != "epoch" and self._batches % self.update_freq == 0:
            w = self._writer("train")
            for key, value in (logs or {}).items():
                w.add_scalar(f"batch_{key}", value, self._batches)

    def on_epoch_end(self, epoch, logs=None):
        import time
        logs = logs or {}
        train, val = self._writer("train"), None
        for key, value in logs.items():
            if key.startswith("val_"):
                val = val or self._writer("validation")
                val.add_scalar(f"epoch_{key[4:]}", value, epoch)
            else:
                train.add_scalar("epoch_learning_rate" if key == "lr" else f"epoch_{key}", value, epoch)
        if self.write_steps_per_second:
            seconds = time.perf_counter() - self._epoch_start
            train.add_scalar("epoch_steps_per_second", self._epoch_batches / max(seconds, 1e-9), epoch)
        if self._hook is not None and self._sample_shape is not None:
            self._write_graph(train)
        if self.histogram_freq and (epoch + 1) % self.histogram_freq == 0:
            self._write_histograms(train, epoch)
        for w in self._writers.values():
            w.flush()

    def on_train_end(self, logs=None):
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        for w in self._writers.values():
            w.close()
        self._writers = {}

    # ------------------------------------------------------------------------------------------ extras

    def _write_graph(self, writer):
        import numpy as np
        self._hook.remove()
        self._hook = None
        shape, dtype = self._sample_shape
        writer.add_graph(self.model, np.zeros((1,) + shape, dtype=dtype if np.dtype(dtype).kind == "f" else
                                              np.float32))
        self._graph_written = True

    def _write_histograms(self, writer, epoch):
        for name, p in self.model.named_parameters():
            tag = name.replace(".", "/")
            writer.add_histogram(tag, p.array, epoch)
            if self.write_grads and p.grad is not None:
                writer.add_histogram(f"{tag}/gradient", p.grad.array, epoch)
            if self.write_images and p.array.ndim == 2:
                a = p.array.astype("float64")
                span = float(abs(a).max()) or 1.0
                writer.add_image(f"{tag}/image", 0.5 + 0.5 * a / span, epoch, dataformats="HW")
