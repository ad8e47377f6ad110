"""Look inside a network while it trains: per-layer statistics that show vanishing or exploding gradients,
dead ReLUs and a learning rate too high, as ``fit`` runs (a callback) or on one batch by hand.

The statistics, for each layer without sub-layers (its name in the model, then its class):

- ``activation_mean``, ``activation_std``: of the layer's output over the batch. Standard deviations that
  shrink layer after layer mean the signal is dying out (and so will the gradients).
- ``dead_fraction``: after a ReLU, the share of units that output 0 for every sample of the batch. A dead
  unit passes no gradient, so it never recovers.
- ``grad_norm``: the L2 norm of the gradient of the loss with respect to the layer's parameters.
- ``update_ratio``: ||change of the weights in one step|| / ||weights||. Around 1e-3 is healthy (a rule of
  thumb from Karpathy's CS231n notes); 1e-1 and up means the learning rate is too high, 1e-5 too low.
"""
import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor
from .callbacks import Callback

__all__ = ["LayerStatistics", "layer_statistics"]


def _leaf_layers(model):
    named = []
    for name, m in model.named_modules():
        if m is model and any(True for _ in m.children()):
            continue
        if not any(True for _ in m.children()):
            if name.startswith("module."):     # a wrapping Model: the wrapped module's own names
                name = name[len("module."):]
            named.append((f"{name} {type(m).__name__}" if name else type(m).__name__, m))
    return named


def _is_relu(module):
    if type(module).__name__ == "ReLU":
        return True
    name = getattr(module, "_activation_name", None)             # Dense(activation="relu")
    return callable(name) and name() == "relu"


class _Probe:
    """Forward hooks on every leaf layer for one batch: keeps each output (asking autograd to keep its
    gradient too) and a copy of the weights before the step."""

    def __init__(self, model, snapshot_weights):
        self.layers = _leaf_layers(model)
        self.outputs, self.handles = {}, []
        for label, m in self.layers:
            def hook(mod, args, out, label=label):
                if isinstance(out, Tensor) and label not in self.outputs:
                    if out.requires_grad:
                        out.retain_grad()
                    self.outputs[label] = out
            self.handles.append(m.register_forward_hook(hook))
        self.before = {label: [p.array.copy() for p in m.parameters()] for label, m in self.layers} \
            if snapshot_weights else None

    def remove(self):
        for h in self.handles:
            h.remove()

    def statistics(self):
        """{label: {stat: value}}, and the activations and their gradients (float64 arrays) by label."""
        stats, acts, grads = {}, {}, {}
        for label, m in self.layers:
            s = {}
            out = self.outputs.get(label)
            if out is not None and out.array.dtype.kind == "f":
                a = out.array.astype(np.float64)
                s["activation_mean"], s["activation_std"] = float(a.mean()), float(a.std())
                acts[label] = a
                if out.grad is not None:
                    grads[label] = out.grad.array.astype(np.float64)
                if _is_relu(m) and a.ndim >= 1 and len(a):
                    s["dead_fraction"] = float(np.mean(np.all(a.reshape(len(a), -1) <= 0, axis=0)))
            params = list(m.parameters())
            if params:
                gs = [p.grad.array for p in params if p.grad is not None]
                if gs:
                    s["grad_norm"] = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in gs)))
                if self.before is not None:
                    change = sum(float(np.sum(np.square(p.array.astype(np.float64) - old)))
                                 for p, old in zip(params, self.before[label]))
                    size = sum(float(np.sum(np.square(old, dtype=np.float64))) for old in self.before[label])
                    if size > 0:
                        s["update_ratio"] = float(np.sqrt(change / size))
            if s:
                stats[label] = s
        return stats, acts, grads


def layer_statistics(model, x, y=None, loss_fn=None):
    """Per-layer statistics of one forward (and, with a loss, backward) pass, without changing the weights.

    Args:
        model: a Module.
        x: a batch of inputs (a tensor or an array).
        y: its targets, to compute the loss and the gradients.
        loss_fn: a loss function ``loss_fn(output, y)`` (e.g. ``nn.CrossEntropyLoss()``).

    Returns:
        ``(stats, activations, gradients)``: ``stats[layer][stat]`` (see the module's docstring; no
        ``update_ratio``, since nothing is updated), and the outputs of each layer and the gradients of the
        loss with respect to them, as float64 arrays by layer (for :func:`lucidnet.plots.plot_layer_histograms`).
        Parameters' ``.grad`` are left as they were.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = nn.MLP([4, 16, 3])
        >>> stats, acts, grads = layer_statistics(model, lucidnet.randn(32, 4), lucidnet.tensor([0, 1] * 16),
        ...                                       nn.CrossEntropyLoss())
        >>> sorted(stats), sorted(stats["1 ReLU"]), acts["0 Linear"].shape
        (['0 Linear', '1 ReLU', '2 Linear'], ['activation_mean', 'activation_std', 'dead_fraction'], (32, 16))
    """
    params = list(model.parameters())
    saved = [p.grad for p in params]
    for p in params:
        p.grad = None
    probe = _Probe(model, snapshot_weights=False)
    try:
        with enable_grad():
            out = model(x if isinstance(x, Tensor) else Tensor(np.asarray(x)))
            if loss_fn is not None and y is not None:
                loss_fn(out, y if isinstance(y, Tensor) else Tensor(np.asarray(y))).backward()
        return probe.statistics()
    finally:
        probe.remove()
        for p, g in zip(params, saved):
            p.grad = g


class LayerStatistics(Callback):
    """A look-inside callback: per-layer statistics recorded while ``fit`` trains (see the module's docstring).

    On a sampled training batch it hooks every layer, and after the optimizer step it records each layer's
    activation mean and std, the fraction of dead ReLUs, the parameter gradient norm and the
    update-to-weight ratio. Other batches run untouched.

    Args:
        every: sample one batch in this many (counted over the whole run). Default: None, the first batch of
            each epoch.
        writer: an optional :class:`lucidnet.utils.tensorboard.SummaryWriter` to also write every statistic to
            (tags ``<stat>/<layer>``) and, every ``histogram_freq`` samples, the activation and gradient
            histograms.
        histogram_freq: see ``writer``. Default: 1.

    Attributes:
        steps: the global batch numbers sampled.
        history: ``history[layer][stat]``: one value per sample (layers in the model's order).
        last_activations, last_gradients: each layer's output and the gradient of the loss with respect to it,
            at the last sample (for :func:`lucidnet.plots.plot_layer_histograms`).

    Example:
        >>> import numpy as np
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32); y = (x[:, 0] > 0).astype(int)
        >>> model = lucidnet.Model(nn.MLP([2, 8, 2]))
        >>> model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", lr=0.1)
        >>> inside = LayerStatistics()
        >>> _ = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[inside])
        >>> inside.steps, sorted(inside.history["0 Linear"])
        ([0, 4, 8], ['activation_mean', 'activation_std', 'grad_norm', 'update_ratio'])
    """

    def __init__(self, every=None, writer=None, histogram_freq=1):
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"LayerStatistics: expected every to be a positive integer or None, got {every!r}.")
        self.every, self.writer, self.histogram_freq = every, writer, histogram_freq
        self.steps, self.history = [], {}
        self.last_activations, self.last_gradients = {}, {}
        self._probe, self._step, self._epoch_batch = None, 0, 0

    def on_train_begin(self, logs=None):
        self._step = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_batch = 0

    def _sampled(self):
        return self._epoch_batch == 0 if self.every is None else self._step % self.every == 0

    def on_train_batch_begin(self, batch, logs=None):
        if self._sampled():
            self._probe = _Probe(self.model, snapshot_weights=True)

    def on_train_batch_end(self, batch, logs=None):
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.remove()
            stats, self.last_activations, self.last_gradients = probe.statistics()
            self.steps.append(self._step)
            for label, values in stats.items():
                layer = self.history.setdefault(label, {})
                for key, value in values.items():
                    layer.setdefault(key, []).append(value)
            if self.writer is not None:
                self._write(stats)
        self._step += 1
        self._epoch_batch += 1

    def _write(self, stats):
        for label, values in stats.items():
            for key, value in values.items():
                self.writer.add_scalar(f"{key}/{label}", value, self._step)
        if self.histogram_freq and (len(self.steps) - 1) % self.histogram_freq == 0:
            for label, a in self.last_activations.items():
                self.writer.add_histogram(f"activations/{label}", a, self._step)
            for label, g in self.last_gradients.items():
                self.writer.add_histogram(f"gradients/{label}", g, self._step)

    def on_train_end(self, logs=None):
        if self._probe is not None:           # training stopped inside a sampled batch
            self._probe.remove()
            self._probe = None
