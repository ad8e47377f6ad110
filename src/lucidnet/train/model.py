"""Model and Sequential: Keras's training front (compile, fit, evaluate, predict, summary) on lucidnet modules.

A :class:`Model` is an ``nn.Module``: subclass it and write ``forward`` (PyTorch's way), or wrap any module
with ``Model(module)``. :class:`Sequential` is both Keras's ``Sequential([...])`` and PyTorch's
``nn.Sequential(...)``, with the same state-dict keys as PyTorch's. Either way::

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=128, validation_split=0.1)

How ``fit`` spends its time: per batch one forward, one backward, one optimizer step, and cheap bookkeeping
(the loss added as a float, accuracy as one argmax and a count); no Python loop over samples, no copy of
the data beyond the one gather that forms a shuffled batch; the progress bar redraws a few times a second.
"""
import collections
import math
import numbers
import sys
import warnings

import numpy as np

from .. import dtypes, io, optim
from ..autograd import no_grad
from ..creation import Generator, default_generator
from ..nn.container import Sequential as _TorchSequential
from ..nn.module import MODULES, Module, module_from_config
from ..tensor import Tensor
from . import callbacks as callbacks_module
from . import losses as losses_module
from . import metrics as metrics_module
from .compile_utils import OPTIMIZERS
from .progress import EpochProgress, format_logs

__all__ = ["Model", "Sequential"]



class _Compiled:
    """What compile() was given (a plain object, so Module's attribute walk never finds the loss module)."""

    def __init__(self, optimizer, loss, metrics, lr):
        self.optimizer, self.loss, self.metrics, self.lr = optimizer, loss, metrics, lr
        self.loss_fn = None                      # resolved at the first batch (needs the output layer)
        self.metric_objects = None


def _shape(out):
    if isinstance(out, (tuple, list)):
        return [_shape(o) for o in out]
    return tuple(getattr(out, "shape", ()))


def _output_kind(module):
    """What a module's output is: 'probabilities' after softmax / sigmoid, 'log_probabilities' after
    log-softmax, else 'logits'."""
    name = type(module).__name__
    act = None
    if hasattr(module, "_activation_name"):      # Dense(units, activation=...)
        act = module._activation_name()
    act = act or {"Softmax": "softmax", "Sigmoid": "sigmoid", "LogSoftmax": "log_softmax"}.get(name)
    return {"softmax": "probabilities", "sigmoid": "probabilities", "log_softmax": "log_probabilities"}.get(
        act, "logits")


def _array(v, where, name):
    """A NumPy array from an array, a Tensor or nested lists; floats in the default float dtype."""
    if isinstance(v, Tensor):
        v = v.array
    elif not isinstance(v, np.ndarray):
        try:
            v = np.asarray(v)
        except (ValueError, TypeError):
            raise TypeError(f"{where}: expected {name} to be an array or a Tensor, got {type(v).__name__}.") from None
    if v.dtype == object or v.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected {name} to hold numbers, got an array of dtype {v.dtype}.")
    if v.ndim == 0:
        raise ValueError(f"{where}: expected {name} with one row per sample, got a 0-d array.")
    default = dtypes.get_default_dtype()
    if v.dtype.kind == "f" and v.dtype != default:
        v = v.astype(default)
    return v


def _check_finite(a, where, name):
    """One clear line for nan or inf in the data, naming the first bad sample (checked in chunks: no big copy)."""
    if a.dtype.kind != "f":
        return
    rows = max(1, (1 << 20) // max(1, a[0].size))
    for start in range(0, len(a), rows):
        ok = np.isfinite(a[start:start + rows]).reshape(min(rows, len(a) - start), -1).all(axis=1)
        if not ok.all():
            i = start + int(np.argmin(ok))
            bad = a[i][~np.isfinite(a[i])].ravel()[0]
            raise ValueError(f"{where}: expected finite values in {name}, got {bad} in sample {i}. Remove or impute "
                             f"the bad samples first (e.g. x[np.isfinite(x).all(axis=1)]).")


class _Arrays:
    """Batches of (x, y) arrays: shuffled each epoch with one permutation, one gather per batch."""

    def __init__(self, x, y, batch_size, shuffle, rng):
        self.x, self.y, self.batch_size, self.shuffle, self.rng = x, y, batch_size, shuffle, rng
        self.n = len(x)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __iter__(self):
        x, y, bs = self.x, self.y, self.batch_size
        if self.shuffle:
            order = self.rng().permutation(self.n)
            for start in range(0, self.n, bs):
                idx = order[start:start + bs]
                yield x[idx], (None if y is None else y[idx])
        else:
            for start in range(0, self.n, bs):
                yield x[start:start + bs], (None if y is None else y[start:start + bs])


class _Batches:
    """Batches from a DataLoader (or any iterable of (x, y) batches), as arrays."""

    def __init__(self, loader, where):
        self.loader, self.where = loader, where

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            if isinstance(batch, (tuple, list)):
                if len(batch) == 2:
                    x, y = batch
                elif len(batch) == 1:
                    x, y = batch[0], None
                else:
                    raise ValueError(f"{self.where}: expected the data to yield (x, y) batches, got a "
                                     f"{type(batch).__name__} of {len(batch)} items.")
            else:
                x, y = batch, None
            x = x.array if isinstance(x, Tensor) else np.asarray(x)
            y = y.array if isinstance(y, Tensor) else (None if y is None else np.asarray(y))
            yield x, y


def _is_loader(x):
    return not isinstance(x, (np.ndarray, Tensor, list, tuple)) and hasattr(x, "__iter__")


def _int_arg(value, where, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{where}: expected {name} to be {what}, got {value!r}.")
    return int(value)


class Model(Module):
    """A trainable model with Keras's training API: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.

    Subclass it and write ``forward`` (PyTorch's way; call ``super().__init__()`` first), or wrap an existing
    module: ``Model(module)`` (its state dict keeps the module's own keys). ``train_step`` / ``test_step`` /
    ``predict_step`` are the per-batch hooks ``fit``, ``evaluate`` and ``predict`` call; override them to
    customize a step.

    Args:
        module: a module to wrap. Default: None (a subclass defines ``forward``).

    Attributes:
        optimizer: the optimizer (created from a name or class when the model is built at the first batch).
        history: the :class:`History` of the last ``fit``.
        stop_training: set True (e.g. by a callback) to stop ``fit`` after the current batch.

    Example:
        >>> import numpy as np
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> class Net(lucidnet.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(2, 16)
        ...         self.out = nn.Linear(16, 2)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> _ = lucidnet.manual_seed(0)
        >>> x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32); y = (x[:, 0] > 0).astype(int)
        >>> model = Net()
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
        >>> history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
        >>> history.history["accuracy"][-1] > 0.9
        True
        >>> model.predict(x[:3]).shape
        (3, 2)
    """
    _wraps = False
    _compiled = None
    _probe_info = None
    _input_shape = None
    _fit_state = None
    _resume = None
    _pending_optimizer = None
    optimizer = None
    history = None
    stop_training = False
    built = False

    def __init__(self, module=None):
        super().__init__()
        if module is not None:
            if not isinstance(module, Module):
                raise TypeError(f"Model(): expected a Module to wrap, got {type(module).__name__}.")
            self.module = module
            self._wraps = True

    @classmethod
    def from_module(cls, module):
        """A trainable Model for ``module``: itself if it is one, a :class:`Sequential` with the same layers (and
        keys) for an ``nn.Sequential``, else ``Model(module)``.

        Example:
            >>> from lucidnet import nn
            >>> model = Model.from_module(nn.Sequential(nn.Linear(2, 3)))
            >>> type(model).__name__, list(model.state_dict())
            ('Sequential', ['0.weight', '0.bias'])
        """
        if isinstance(module, Model):
            return module
        if type(module) is _TorchSequential:
            return Sequential(collections.OrderedDict(module.named_children()))
        return cls(module)

    def forward(self, *args, **kwargs):
        """The wrapped module's forward (a subclass writes its own)."""
        if not self._wraps:
            raise NotImplementedError(f"{type(self).__name__}: a Model subclass must define forward(), or wrap a "
                                      f"module: Model(module).")
        return self.module(*args, **kwargs)

    # A wrapping Model is transparent: its weights keep the wrapped module's names (PyTorch interop).
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """As ``Module.state_dict``; a wrapping Model gives the wrapped module's (same keys as without it)."""
        if self._wraps:
            return self.module.state_dict(destination, prefix, keep_vars)
        return super().state_dict(destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict=True):
        """As ``Module.load_state_dict``; a wrapping Model loads into the wrapped module."""
        if self._wraps:
            return self.module.load_state_dict(state_dict, strict)
        return super().load_state_dict(state_dict, strict)

    def get_config(self):
        """``{"module": <the wrapped module's config>}``; a subclass defines its own to be saved by architecture."""
        if self._wraps:
            return {"module": self.module.to_config()}
        return super().get_config()

    @classmethod
    def from_config(cls, config):
        """Rebuild from :meth:`get_config`'s output."""
        if "module" in config and len(config) == 1:
            return cls(module_from_config(config["module"]))
        return super().from_config(config)

    # ------------------------------------------------------------------------------------ compile

    def compile(self, optimizer="adam", loss=None, metrics=None, *, lr=None, learning_rate=None):
        """Choose the optimizer, the loss and the metrics that ``fit`` and ``evaluate`` use.

        Args:
            optimizer: a name ('adam', 'sgd', 'adamw', 'rmsprop', 'adagrad'), an optimizer class (created
                over the model's parameters once the model is built, at the first batch: lazy layers such as
                Dense have their parameters by then), or an optimizer object. Default: 'adam'.
            loss: a name ('sparse_categorical_crossentropy', 'categorical_crossentropy', 'cross_entropy',
                'binary_crossentropy', 'mse', 'mae', 'huber'), a loss module (``nn.CrossEntropyLoss()``) or a
                function ``fn(y_pred, y_true)``. Names adapt to the model's last layer: softmax / sigmoid
                outputs get the probability form, others the logit form (see ``lucidnet.train.losses``).
            metrics: a list of names ('accuracy', 'top_k_accuracy', 'mse', 'mae', ...), Metric objects or
                functions ``fn(y_pred, y_true)``; each appears in the logs under its name.
            lr, learning_rate: the learning rate of an optimizer given by name or class (Keras's default
                for a name: 0.01 for SGD, 0.001 for the others).

        Example:
            >>> from lucidnet import nn
            >>> model = Sequential([nn.Dense(3)])
            >>> model.compile("sgd", "mse", metrics=["mae"], lr=0.1)
            >>> model.compile("adamax", "mse")
            Traceback (most recent call last):
            ...
            ValueError: compile(): expected optimizer to be one of adagrad, adam, adamw, rmsprop, sgd, an optimizer
            class or object, got 'adamax'.
        """
        if lr is not None and learning_rate is not None and lr != learning_rate:
            raise ValueError(f"compile(): expected lr or learning_rate, got both ({lr} and {learning_rate}).")
        lr = learning_rate if lr is None else lr
        if lr is not None and (isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr >= 0):
            raise ValueError(f"compile(): expected lr to be a number >= 0, got {lr!r}.")
        if isinstance(optimizer, str):
            if optimizer.lower() not in OPTIMIZERS:
                raise ValueError(f"compile(): expected optimizer to be one of {', '.join(sorted(OPTIMIZERS))}, an "
                                 f"optimizer class or object, got {optimizer!r}.")
        elif isinstance(optimizer, type):
            if not issubclass(optimizer, optim.Optimizer):
                raise TypeError(f"compile(): expected an optimizer class (a subclass of lucidnet.optim.Optimizer), "
                                f"got {optimizer.__name__}.")
        elif hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad"):
            if lr is not None:
                raise ValueError("compile(): lr applies to an optimizer given by name or class; this optimizer "
                                 "object has its own (set it when creating it).")
        else:
            raise TypeError(f"compile(): expected optimizer to be a name, an optimizer class or object, got "
                            f"{type(optimizer).__name__}.")
        if loss is not None:
            losses_module.get(loss)              # fail now on an unknown name
        if metrics is None:
            metrics = []
        elif isinstance(metrics, (str, metrics_module.Metric)) or callable(metrics):
            metrics = [metrics]
        metrics = list(metrics)
        for m in metrics:
            metrics_module.get(m)
        names = [metrics_module.get(m).name for m in metrics]
        dup = {n for n in names if names.count(n) > 1 or n == "loss"}
        if dup:
            raise ValueError(f"compile(): expected metrics with distinct names (other than 'loss'), got "
                             f"{sorted(dup)} more than once.")
        self._compiled = _Compiled(optimizer, loss, metrics, lr)
        self.optimizer = optimizer if not isinstance(optimizer, (str, type)) else None

    @property
    def loss(self):
        """The loss compile() resolved (a :class:`lucidnet.train.losses.Loss` for a name), or what it was given."""
        c = self._compiled
        return None if c is None else (c.loss_fn or c.loss)

    @property
    def metrics_names(self):
        """The keys fit and evaluate report: 'loss', then the metrics' names (Keras's order).

        Example:
            >>> from lucidnet import nn
            >>> model = Sequential([nn.Dense(2)]); model.compile(loss="mse", metrics=["mae"])
            >>> model.metrics_names
            ['loss', 'mae']
        """
        c = self._compiled
        return ["loss"] + ([metrics_module.get(m).name for m in c.metrics] if c else [])

    # ------------------------------------------------------------------------------------ building

    def _modes(self):
        return [(m, m.training) for m in self.modules()]

    @staticmethod
    def _restore_modes(modes):
        for m, training in modes:
            m.training = training

    def _probe(self, x):
        """One forward of a small batch (eval mode, no grad): builds lazy layers, records every module's output
        shape (for summary) and the output layer (for choosing a loss's form). Consumes no randomness beyond
        the initialization of layers built now."""
        rows, handles = [], []
        for name, m in self.named_modules():
            if m is self:
                continue
            if self._wraps and name.startswith("module."):
                name = name[len("module."):]

            def hook(mod, inputs, out, name=name):
                rows.append((name, mod, _shape(out)))
            handles.append(m.register_forward_hook(hook))
        modes = self._modes()
        self.eval()
        try:
            with no_grad():
                out = self(Tensor._wrap(x))
        finally:
            for h in handles:
                h.remove()
            self._restore_modes(modes)
        leaves = [r for r in rows if not any(True for _ in r[1].children())]
        self._probe_info = {"rows": rows, "output": _shape(out), "last": leaves[-1][1] if leaves else None}
        self._input_shape = tuple(x.shape[1:])
        self.built = True
        return out

    def build(self, input_shape, dtype=None):
        """Build the model for inputs of ``input_shape`` (one sample's shape, without the batch axis; a leading
        None, as Keras writes it, is dropped): lazy layers create their parameters.

        Example:
            >>> from lucidnet import nn
            >>> model = Sequential([nn.Dense(4), nn.ReLU(), nn.Dense(2)])
            >>> model.build((3,)); model[0].weight.shape
            (4, 3)
        """
        shape = tuple(input_shape)
        if shape and shape[0] is None:
            shape = shape[1:]
        if not all(isinstance(s, numbers.Integral) and s >= 0 for s in shape):
            raise ValueError(f"build(): expected the shape of one sample, e.g. (784,), got {tuple(input_shape)}.")
        self._probe(np.zeros((1,) + shape, dtype=dtypes.to_dtype(dtype) or dtypes.get_default_dtype()))

    def _make_optimizer(self):
        c = self._compiled
        spec = c.optimizer
        if not isinstance(spec, (str, type)):
            return spec
        cls = OPTIMIZERS[spec.lower()][0] if isinstance(spec, str) else spec
        lr = c.lr if c.lr is not None else (OPTIMIZERS[spec.lower()][1] if isinstance(spec, str) else None)
        kwargs = {} if lr is None else {"lr": lr}
        params = list(self.parameters())
        pending = self._pending_optimizer
        if pending is not None and pending.get("class") == cls.__name__:
            params = self._groups_like(pending) or params
        if not params:
            raise ValueError(f"compile(): expected a model with parameters to optimize, got "
                             f"{type(self).__name__} with none.")
        return cls(params, **kwargs)

    def _groups_like(self, pending):
        """Parameter groups shaped as the saved optimizer's (matched by parameter name), or None."""
        named = dict(self.named_parameters())
        names = pending.get("param_names") or []
        groups = pending["state_dict"].get("param_groups", [])
        if len(groups) < 2 or any(n not in named for n in names):
            return None
        return [{"params": [named[names[int(i)]] for i in g["params"]]} for g in groups]

    def _check_optimizer(self, where):
        opt = self.optimizer
        if not hasattr(opt, "param_groups"):
            return
        held = {id(p) for g in opt.param_groups for p in g["params"]}
        own = [p for p in self.parameters() if p.requires_grad]
        if own and not any(id(p) in held for p in own):
            raise ValueError(f"{where}: expected the optimizer to update the model's parameters, got one holding none "
                             f"of them. Was it created before the model was built? Lazy layers (Dense) get their "
                             f"parameters at the first batch: pass the optimizer by name or class "
                             f"(compile(optimizer='adam') or optim.Adam), or call model.build(input_shape) first.")

    def _prepare(self, x, where, need_optimizer):
        """At the first batch: build, resolve the loss and metrics for the output layer, create the optimizer."""
        c = self._compiled
        if self._probe_info is None:
            self._probe(x)
        if c.loss_fn is None and c.loss is not None:
            kind = _output_kind(self._probe_info["last"]) if self._probe_info["last"] is not None else "logits"
            c.loss_fn = losses_module.get(c.loss, outputs=kind)
            binary = getattr(c.loss_fn, "kind", None) == "binary"
            threshold = 0.0 if getattr(c.loss_fn, "outputs", "probabilities") == "logits" else 0.5
            c.metric_objects = [metrics_module.get(m, threshold=threshold, binary=binary) for m in c.metrics]
        elif c.metric_objects is None:
            c.metric_objects = [metrics_module.get(m) for m in c.metrics]
        if need_optimizer:
            if self.optimizer is None:
                self.optimizer = self._make_optimizer()
            self._check_optimizer(where)
            pending, self._pending_optimizer = self._pending_optimizer, None
            if pending is not None:
                if pending.get("class") != type(self.optimizer).__name__:
                    warnings.warn(f"{where}: the loaded checkpoint holds the state of {pending.get('class')}, but "
                                  f"the model is compiled with {type(self.optimizer).__name__}; starting that "
                                  f"optimizer fresh.", stacklevel=3)
                else:
                    state = io._remap_optimizer_state(pending["state_dict"], pending.get("param_names") or [],
                                                      self.optimizer, self, where)
                    self.optimizer.load_state_dict(state)

    def _check_labels(self, y, where, name):
        """Class ids outside [0, C) for a cross-entropy loss: one line naming the bad value."""
        loss = self._compiled.loss_fn
        out = self._probe_info["output"] if self._probe_info else None
        if y is None or getattr(loss, "kind", None) != "categorical" or not isinstance(out, tuple) or len(out) < 2:
            return
        if y.dtype.kind not in "iu" or y.ndim != 1 or not y.size:
            return
        c = out[-1]
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= c:
            bad = hi if hi >= c else lo
            raise ValueError(f"{where}: expected {name} to hold class ids in [0, {c}) for a model with {c} outputs, "
                             f"got {bad} (at sample {int(np.argmax(y == bad))}).")

    # ------------------------------------------------------------------------------------ steps

    def train_step(self, x, y):
        """One optimization step on a batch: forward, loss, backward, optimizer step.

        Args:
            x: the batch's inputs (a Tensor).
            y: its targets (a Tensor).

        Returns:
            ``(loss, y_pred)``: the loss tensor and the model's output, for the logs and metrics.
        """
        y_pred = self(x)
        loss = self._compiled.loss_fn(y_pred, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss, y_pred

    def test_step(self, x, y):
        """The loss and output on a batch, without training (called under no_grad, in eval mode).

        Returns:
            ``(loss, y_pred)``.
        """
        y_pred = self(x)
        return self._compiled.loss_fn(y_pred, y), y_pred

    def predict_step(self, x):
        """The model's output on a batch (called under no_grad, in eval mode)."""
        return self(x)

    # ------------------------------------------------------------------------------------ data

    def _data(self, where, x, y, batch_size, shuffle=False, rng=None):
        """(batches, number of samples or None, x array or None, y array or None) for arrays or a loader."""
        if x is None:
            raise ValueError(f"{where}: expected data x (arrays or a DataLoader), got None.")
        if _is_loader(x):
            if y is not None:
                raise ValueError(f"{where}: expected y=None when x is a DataLoader (it yields (x, y) batches), got "
                                 f"y of type {type(y).__name__}.")
            if batch_size is not None:
                raise ValueError(f"{where}: expected batch_size=None with a DataLoader (it makes its own batches), "
                                 f"got {batch_size}.")
            return _Batches(x, where), None, None, None
        batch_size = 32 if batch_size is None else _int_arg(batch_size, where, "batch_size", 1)
        xa = _array(x, where, "x")
        ya = None if y is None else _array(y, where, "y")
        if ya is not None and len(ya) != len(xa):
            raise ValueError(f"{where}: expected x and y with the same number of samples, got {len(xa)} and "
                             f"{len(ya)}.")
        if not len(xa):
            raise ValueError(f"{where}: expected at least one sample, got x of shape {xa.shape}.")
        _check_finite(xa, where, "x")
        if ya is not None:
            _check_finite(ya, where, "y")
        return _Arrays(xa, ya, batch_size, shuffle, rng), len(xa), xa, ya

    # ------------------------------------------------------------------------------------ fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, initial_epoch=None, *, generator=None, seed=None):
        """Train the model for ``epochs`` passes over the data.

        Arrays are used as they are (batches are gathered from them, never a copy of the whole), except that
        floating point data in another dtype is converted once to the default (float32), as Keras does.

        Args:
            x: inputs (an array or Tensor, one row per sample), or a DataLoader yielding (x, y) batches.
            y: targets (with arrays): class ids, one-hot rows or values.
            batch_size: samples per batch with arrays. Default: 32.
            epochs: the epoch to train up to (with ``initial_epoch``, the number of the last one).
            verbose: 0 silent, 1 a progress bar per epoch (a line per epoch when the output is not a terminal
                or CI is set), 2 one line per epoch.
            callbacks: a list of :mod:`lucidnet.train.callbacks` (EarlyStopping, ModelCheckpoint, ...).
            validation_split: the fraction of the arrays, taken from the end before shuffling, to validate on.
            validation_data: ``(x_val, y_val)`` arrays, or a DataLoader, evaluated after each epoch.
            shuffle: reshuffle the arrays every epoch (a DataLoader shuffles as it was made to).
            initial_epoch: the epoch to start from. Default: 0, or for a model returned by ``lucidnet.load``,
                the epoch its checkpoint was saved at (the run then continues exactly: same batches and
                random draws, optimizer and callback states, history).
            generator: where shuffling draws from: a lucidnet Generator, a NumPy Generator, or None for the
                default generator (``lucidnet.manual_seed``).
            seed: shorthand for ``generator=lucidnet.Generator().manual_seed(seed)``.

        Returns:
            A :class:`History`: ``history.history`` maps 'loss', the metrics, 'val_loss', 'val_<metric>' and
            'lr' to one value per epoch.

        Raises:
            RuntimeError: before compile(), or when the loss becomes nan or inf (naming the epoch and batch;
                add ``TerminateOnNaN()`` to stop without an error).
            ValueError: for mismatched, non-finite or out-of-range data.
        """
        where = "fit()"
        if self._compiled is None:
            raise RuntimeError("fit(): call compile() before fit().")
        c = self._compiled
        if c.loss is None and type(self).train_step is Model.train_step:
            raise RuntimeError("fit(): expected a loss; pass loss= to compile(), or override train_step().")
        epochs = _int_arg(epochs, where, "epochs", 0)
        if verbose == "auto":
            verbose = 1
        if seed is not None and generator is not None:
            raise ValueError("fit(): expected seed or generator, got both.")
        if seed is not None:
            generator = Generator().manual_seed(_int_arg(seed, where, "seed", 0))
        if generator is not None and not isinstance(generator, (Generator, np.random.Generator)):
            raise TypeError(f"fit(): expected generator to be a lucidnet.Generator or a numpy Generator, got "
                            f"{type(generator).__name__}.")
        rng = (lambda: generator.np) if isinstance(generator, Generator) else \
            (lambda: generator) if generator is not None else (lambda: default_generator.np)

        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"fit(): expected validation_split in [0, 1), got {validation_split}.")
        if validation_split and validation_data is not None:
            raise ValueError("fit(): expected validation_split or validation_data, got both.")
        if validation_split:
            if _is_loader(x):
                raise ValueError("fit(): validation_split needs arrays; with a DataLoader pass validation_data.")
            xa, ya = _array(x, where, "x"), None if y is None else _array(y, where, "y")
            if ya is not None and len(ya) != len(xa):
                raise ValueError(f"fit(): expected x and y with the same number of samples, got {len(xa)} and "
                                 f"{len(ya)}.")
            split = int(math.floor(len(xa) * (1.0 - validation_split)))
            if split == 0 or split == len(xa):
                raise ValueError(f"fit(): validation_split={validation_split} of {len(xa)} samples leaves "
                                 f"{split} to train on and {len(xa) - split} to validate on; expected both > 0.")
            x, y = xa[:split], None if ya is None else ya[:split]
            validation_data = (xa[split:], None if ya is None else ya[split:])
        batches, n_samples, xa, ya = self._data(where, x, y, batch_size, shuffle, rng)
        if xa is not None and ya is None and c.loss is not None:
            raise ValueError("fit(): expected targets y for the loss, got None.")
        val = None
        if validation_data is not None:
            if _is_loader(validation_data):
                val = self._data(where, validation_data, None, None)
            elif isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
                bs = batches.batch_size if isinstance(batches, _Arrays) else batch_size
                val = self._data(where, validation_data[0], validation_data[1], bs)
            else:
                items = f" of {len(validation_data)} items" if isinstance(validation_data, (tuple, list)) else ""
                raise ValueError(f"fit(): expected validation_data to be (x_val, y_val) or a DataLoader, got "
                                 f"{type(validation_data).__name__}{items}.")

        # Resuming a loaded checkpoint: continue from its epoch with its states (unless told otherwise).
        resume, self._resume = self._resume, None
        if resume is not None and initial_epoch is not None and initial_epoch != resume.get("epoch"):
            resume = None
        if initial_epoch is None:
            initial_epoch = (resume.get("epoch") or 0) if resume else 0
        initial_epoch = _int_arg(initial_epoch, where, "initial_epoch", 0)

        history = callbacks_module.History()
        if resume and resume.get("history"):
            history.history = {k: list(v) for k, v in resume["history"].items()}
            done = len(next(iter(history.history.values()), []))
            history.epoch = list(range(initial_epoch - done, initial_epoch))
        self.history = history
        user = list(callbacks or [])
        ordered = [history] + [cb for cb in user if not isinstance(cb, callbacks_module.ModelCheckpoint)] + \
            [cb for cb in user if isinstance(cb, callbacks_module.ModelCheckpoint)]
        steps = len(batches) if _has_len(batches) else None
        cbs = callbacks_module.CallbackList(ordered, model=self, params={"epochs": epochs, "steps": steps,
                                                                           "verbose": verbose})
        loader = batches.loader if isinstance(batches, _Batches) else None
        gens = {"fit": generator} if generator is not None else {}
        if loader is not None and hasattr(loader, "state_dict") and hasattr(loader, "load_state_dict"):
            gens["loader"] = loader
        self._fit_state = {"epoch": initial_epoch, "generators": gens, "callbacks": cbs}
        if resume:
            cbs.set_states(resume.get("callbacks"))
            saved = resume.get("generators") or {}
            for name, g in (("default", default_generator),) + tuple(gens.items()):
                if name in saved:
                    io._set_generator(g, saved[name], where)

        self.stop_training = False
        logs = {}
        first_epoch = batches
        if initial_epoch < epochs:
            # The first batch builds the model (lazy layers), resolves the loss for its output layer and creates
            # the optimizer, before any callback runs; the epoch then goes on with the same iterator, so nothing
            # is drawn twice from the shuffling generator.
            it = iter(batches)
            first = next(it, None)
            if first is None:
                raise ValueError("fit(): expected data with at least one batch, got none.")
            self._prepare(first[0], where, need_optimizer=True)      # errors then show the user's batch shape
            self._check_labels(ya, where, "y")
            if val is not None:
                self._check_labels(val[3], where, "the validation y")
            first_epoch = _Resumed(first, it, batches)
        modes = self._modes()                    # restored at the end; also the list of modules, walked once
        try:
            cbs.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                for m, _ in modes:               # model.train(), without walking the modules every epoch
                    m.training = True
                data = first_epoch if epoch == initial_epoch else batches
                logs = self._fit_epoch(epoch, epochs, data, xa, ya, val, cbs, verbose, where, modes)
                self._fit_state["epoch"] = epoch + 1
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            cbs.on_train_end(logs)
        finally:
            self._restore_modes(modes)
        return history

    def _fit_epoch(self, epoch, epochs, batches, xa, ya, val, cbs, verbose, where, modes):
        """One epoch of training (and validation): returns its logs."""
        c = self._compiled
        cbs.on_epoch_begin(epoch)
        progress = EpochProgress(epoch, epochs, len(batches) if _has_len(batches) else None, verbose)
        metric_objects = c.metric_objects or []
        for m in metric_objects:
            m.reset_state()
        total, seen = 0.0, 0
        hooks = cbs.has_batch_hooks

        def running():
            out = {"loss": total / seen if seen else math.nan}
            for m in metric_objects:
                out[m.name] = m.result()
            return out

        stopped_on_nan = False
        try:
            for step, (xb, yb) in enumerate(batches):
                if hooks:
                    cbs.on_train_batch_begin(step)
                loss, y_pred = self.train_step(Tensor._wrap(xb), None if yb is None else Tensor._wrap(yb))
                value = float(loss.array) if isinstance(loss, Tensor) else float(loss)
                n = len(xb)
                total += value * n
                seen += n
                if metric_objects and yb is not None:
                    out = y_pred.array if isinstance(y_pred, Tensor) else y_pred
                    for m in metric_objects:
                        m.update_state(out, yb)
                if hooks:
                    cbs.on_train_batch_end(step, running())
                progress.update(n, running)
                if not math.isfinite(value):
                    if self.stop_training:
                        stopped_on_nan = True
                        break
                    raise RuntimeError(self._nan_message(value, epoch, epochs, step, batches, xb, yb, cbs))
                if self.stop_training:
                    break
            logs = running()
            if val is not None and not stopped_on_nan:
                val_logs = self._test_loop(val[0], where, cbs, modes)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            if self.optimizer is not None and hasattr(self.optimizer, "param_groups"):
                logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        except BaseException:
            if progress.bar is not None:
                progress.bar.close()
            raise
        progress.close(logs)
        return logs

    def _nan_message(self, value, epoch, epochs, step, batches, xb, yb, cbs):
        where = f"fit(): expected a finite loss, got {value} at epoch {epoch + 1}/{epochs}, batch {step + 1}"
        if _has_len(batches):
            where += f"/{len(batches)}"
        bad_x = xb.dtype.kind == "f" and not np.isfinite(xb).all()
        bad_y = yb is not None and yb.dtype.kind == "f" and not np.isfinite(yb).all()
        if bad_x or bad_y:
            hint = f"The batch's {'inputs' if bad_x else 'targets'} contain nan or inf: clean the data."
        else:
            lr = self.optimizer.param_groups[0]["lr"] if hasattr(self.optimizer, "param_groups") else None
            hint = "The weights diverged: lower the learning rate" + (f" (now {lr:g})" if lr is not None else "") + \
                   " or clip gradients."
        saved = [cb.last_saved for cb in cbs.callbacks
                 if isinstance(cb, callbacks_module.ModelCheckpoint) and cb.last_saved]
        keep = f" The last good checkpoint, {saved[-1]}, is kept." if saved else ""
        return (f"{where}; training stopped. {hint}{keep} Add TerminateOnNaN() to the callbacks to stop without an "
                f"error.")

    def _test_loop(self, batches, where, cbs=None, modes=None):
        """Loss and metrics over batches, in eval mode under no_grad: the logs of a validation pass."""
        c = self._compiled
        metric_objects = [m.fresh() for m in (c.metric_objects or [])]
        total, seen = 0.0, 0
        modes = [(m, m.training) for m, _ in modes] if modes is not None else self._modes()
        for m, _ in modes:
            m.training = False
        if cbs is not None:
            cbs.on_test_begin()
        try:
            with no_grad():
                for xb, yb in batches:
                    if c.metric_objects is None:
                        self._prepare(xb, where, need_optimizer=False)
                        metric_objects = [m.fresh() for m in c.metric_objects]
                    loss, y_pred = self.test_step(Tensor._wrap(xb), None if yb is None else Tensor._wrap(yb))
                    n = len(xb)
                    total += float(loss.array if isinstance(loss, Tensor) else loss) * n
                    seen += n
                    out = y_pred.array if isinstance(y_pred, Tensor) else y_pred
                    for m in metric_objects:
                        m.update_state(out, yb)
        finally:
            self._restore_modes(modes)
        logs = {"loss": total / seen if seen else math.nan}
        logs.update({m.name: m.result() for m in metric_objects})
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    # ------------------------------------------------------------------------------------ evaluate / predict

    def evaluate(self, x=None, y=None, batch_size=None, verbose=0, return_dict=False):
        """The loss and metrics on data, in eval mode (Dropout off, BatchNorm on its running statistics).

        Args:
            x, y: arrays, or a DataLoader of (x, y) batches as x.
            batch_size: samples per batch with arrays. Default: 32.
            verbose: 1 or 2 print one line with the results.
            return_dict: return ``{"loss": ..., metric: ...}`` instead of Keras's list.

        Returns:
            The loss alone when there are no metrics, else ``[loss, metric, ...]`` in ``metrics_names``
            order; or the dict.

        Example:
            >>> import numpy as np
            >>> import lucidnet
            >>> from lucidnet import nn
            >>> model = Sequential([nn.Linear(2, 1)]); model.compile("sgd", "mse", metrics=["mae"])
            >>> with lucidnet.no_grad():
            ...     _ = model[0].weight.fill_(1.0); _ = model[0].bias.fill_(0.0)
            >>> model.evaluate(np.array([[1.0, 2.0]]), np.array([4.0]), return_dict=True)
            {'loss': 1.0, 'mae': 1.0}
        """
        where = "evaluate()"
        if self._compiled is None:
            raise RuntimeError("evaluate(): call compile() before evaluate().")
        if self._compiled.loss is None and type(self).test_step is Model.test_step:
            raise RuntimeError("evaluate(): expected a loss; pass loss= to compile().")
        batches, _, _, ya = self._data(where, x, y, batch_size)
        if self._compiled.metric_objects is None and ya is not None:
            self._prepare(batches.x[:batches.batch_size], where, need_optimizer=False)
        if ya is not None:
            self._check_labels(ya, where, "y")
        logs = self._test_loop(batches, where)
        if verbose:
            print(format_logs(logs), file=sys.stdout)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0):
        """The model's outputs for ``x``, in batches, in eval mode under no_grad, as one NumPy array.

        Args:
            x: inputs (an array or Tensor), or a DataLoader (of x batches, or (x, y) whose y is ignored).
            batch_size: samples per batch with arrays. Default: 32.
            verbose: 1 or 2 print a line when done.

        Returns:
            An array with one row per sample (a list of arrays for a model with several outputs).

        Example:
            >>> import numpy as np
            >>> from lucidnet import nn
            >>> model = Sequential([nn.Dense(3, activation="softmax")])
            >>> p = model.predict(np.ones((5, 4), np.float32), batch_size=2)
            >>> p.shape, bool(np.allclose(p.sum(axis=1), 1))
            ((5, 3), True)
        """
        where = "predict()"
        batches, n, _, _ = self._data(where, x, None, batch_size)
        out = None
        filled = 0
        chunks = []
        modes = self._modes()
        self.eval()
        try:
            with no_grad():
                for xb, _ in batches:
                    if not self.built and type(self).predict_step is Model.predict_step:
                        y = self._probe(xb)              # the first batch's forward also builds the model
                    else:
                        y = self.predict_step(Tensor._wrap(xb))
                    if isinstance(y, (tuple, list)):
                        chunks.append([t.array if isinstance(t, Tensor) else np.asarray(t) for t in y])
                        continue
                    y = y.array if isinstance(y, Tensor) else np.asarray(y)
                    if n is None:
                        chunks.append(y)
                        continue
                    if out is None:                      # one output array, filled in place: no final concat
                        out = np.empty((n,) + y.shape[1:], dtype=y.dtype)
                    out[filled:filled + len(y)] = y
                    filled += len(y)
        finally:
            self._restore_modes(modes)
        if verbose:
            print(f"predict(): {filled or sum(len(c[0]) if isinstance(c, list) else len(c) for c in chunks)} "
                  f"samples", file=sys.stdout)
        if out is not None:
            return out
        if chunks and isinstance(chunks[0], list):
            return [np.concatenate(parts) for parts in zip(*chunks)]
        return np.concatenate(chunks) if chunks else np.empty((0,))

    # ------------------------------------------------------------------------------------ summary

    def summary(self, input_shape=None, print_fn=None):
        """Print the layers with their output shapes and parameter counts, and the totals (Keras's table).

        Output shapes come from one small forward pass, so the input shape must be known: from the data the
        model was built with (fit, predict, build) or from ``input_shape`` (one sample's shape).

        Args:
            input_shape: the shape of one sample, e.g. (784,). Default: the shape the model was built with.
            print_fn: where lines go. Default: print.

        Example:
            >>> from lucidnet import nn
            >>> Sequential([nn.Dense(64, activation="relu"), nn.Dense(3)]).summary(input_shape=(2,))
            Model: "Sequential"
            ____________________________________________________________________
             Layer (type)                  Output Shape                  Param #
            ====================================================================
             0 (Dense)                     (None, 64)                        192
             1 (Dense)                     (None, 3)                         195
            ====================================================================
            Total params: 387 (1.51 KB)
            Trainable params: 387 (1.51 KB)
            Non-trainable params: 0 (0.00 B)
            ____________________________________________________________________
        """
        print_fn = print if print_fn is None else print_fn
        if input_shape is not None:
            self.build(input_shape)
        elif self._probe_info is None:
            if self._input_shape is None:
                raise ValueError("summary(): expected a known input shape, got a model that has not seen data. "
                                 "Pass summary(input_shape=(784,)), call build((784,)), or fit/predict first.")
            self.build(self._input_shape)
        rows = self._probe_info["rows"]
        width = 68
        lines = [f'Model: "{type(self).__name__}"', "_" * width,
                 f" {'Layer (type)':<30}{'Output Shape':<22}{'Param #':>15}", "=" * width]
        seen = set()
        for name, module, shape in rows:
            if any(True for _ in module.children()) or id(module) in seen:
                continue                          # leaves only, each once (a shared layer is listed once)
            seen.add(id(module))
            count = _weights_count(module, recurse=False)
            shape_text = _shape_text(shape)
            lines.append(f" {name + ' (' + type(module).__name__ + ')':<30}{shape_text:<22}{count:>15,}")
        trainable = sum(p.numel() for p in self.parameters() if p.requires_grad)
        total = _weights_count(self, recurse=True)
        fixed = total - trainable
        lines += ["=" * width, f"Total params: {total:,} ({_bytes(self, None)})",
                  f"Trainable params: {trainable:,} ({_bytes(self, True)})",
                  f"Non-trainable params: {fixed:,} ({_bytes(self, False)})", "_" * width]
        for line in lines:
            print_fn(line)

    # ------------------------------------------------------------------------------------ saving

    def save(self, path, include_optimizer=True):
        """Save the model (architecture, weights, optimizer and training state): see :func:`lucidnet.save`."""
        io.save(self, path, include_optimizer=include_optimizer)

    def save_weights(self, path):
        """Save the weights only (a plain safetensors state dict): see :func:`lucidnet.io.save_weights`."""
        io.save_weights(self, path)

    def load_weights(self, path):
        """Load weights saved by save_weights, save or PyTorch; a file of another architecture changes nothing."""
        io.load_weights(self, path)

    def _compile_config(self):
        """compile()'s arguments as JSON, for those given by name (a callable loss or metric cannot be saved)."""
        c = self._compiled
        if c is None:
            return None
        opt = c.optimizer
        if isinstance(opt, str):
            opt_cfg = {"name": opt.lower()}
        else:
            cls = opt if isinstance(opt, type) else type(opt)
            opt_cfg = {"class": cls.__name__} if getattr(optim, cls.__name__, None) is cls else None
        if isinstance(c.loss, str) or c.loss is None:
            loss_cfg = c.loss
        else:
            try:
                loss_cfg = {"module": c.loss.to_config()} if isinstance(c.loss, Module) else None
            except (NotImplementedError, ValueError):
                loss_cfg = None
        return {"optimizer": opt_cfg, "loss": loss_cfg, "loss_saved": c.loss is None or loss_cfg is not None,
                "metrics": [m for m in c.metrics if isinstance(m, str)], "lr": c.lr}

    def _training_state(self):
        """Where the last fit is, for a checkpoint: epochs done, history, generators, callbacks."""
        st = self._fit_state
        if st is None:
            return {}
        return {"epoch": st["epoch"], "history": self.history.history if self.history is not None else None,
                "generators": st["generators"], "callbacks": st["callbacks"].states()}

    def _restore_training(self, compile_cfg, optimizer_state, training, where):
        """After io.load: compile as saved, and remember the run so the next fit continues it."""
        if compile_cfg and compile_cfg.get("optimizer") and compile_cfg.get("loss_saved"):
            opt = compile_cfg["optimizer"]
            spec = opt.get("name") or getattr(optim, opt.get("class", ""), None)
            loss = compile_cfg.get("loss")
            if isinstance(loss, dict):
                loss = module_from_config(loss["module"])
            if spec is not None:
                self.compile(spec, loss, compile_cfg.get("metrics") or [], lr=compile_cfg.get("lr"))
        self._pending_optimizer = optimizer_state
        self._resume = {k: training.get(k) for k in ("epoch", "history", "generators", "callbacks")}
        if self._resume.get("epoch") is None:
            self._resume = None


class _Resumed:
    """An epoch's batches whose first one was already taken: that batch, then the rest of the same iterator."""

    def __init__(self, first, rest, batches):
        self.first, self.rest, self.batches = first, rest, batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        yield self.first
        yield from self.rest


def _has_len(obj):
    try:
        len(obj)
        return True
    except TypeError:
        return False


def _weights_count(module, recurse):
    """Parameters plus floating buffers (BatchNorm's running statistics count as non-trainable, as in Keras)."""
    n = sum(p.numel() for p in module.parameters(recurse=recurse))
    n += sum(b.numel() for b in module.buffers(recurse=recurse) if b is not None and b.dtype.kind == "f")
    return n


def _bytes(model, trainable):
    total = 0
    for p in model.parameters():
        if trainable is None or p.requires_grad == trainable:
            total += p.array.nbytes
    if trainable is not True:
        total += sum(b.array.nbytes for b in model.buffers() if b is not None and b.dtype.kind == "f")
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.2f} {unit}"
        total /= 1024


def _shape_text(shape):
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join(["None"] + [str(s) for s in shape[1:]]) + ("," if len(shape) == 1 else "") + ")"


class Sequential(Model, _TorchSequential):
    """Layers applied in order, with the training API: Keras's ``Sequential([...])`` and PyTorch's
    ``nn.Sequential(...)`` in one. State-dict keys are PyTorch's ("0.weight", ...).

    Args:
        *layers: the layers in order: as one list (Keras), as arguments (PyTorch), or an OrderedDict of
            name -> layer.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> model = lucidnet.Sequential([nn.Dense(8, activation="relu"), nn.Dense(2)])
        >>> model.add(nn.Softmax(dim=-1))
        >>> model(lucidnet.ones(4, 3)).shape, len(model)
        ((4, 2), 3)
    """

    def __init__(self, *layers):
        if len(layers) == 1 and layers[0] is None:
            layers = ()
        _TorchSequential.__init__(self, *layers)

    def add(self, layer):
        """Append a layer (Keras's name for ``append``)."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add(): expected a layer (a Module), got {type(layer).__name__}.")
        self.append(layer)
        self.built, self._probe_info = False, None

    def pop(self):
        """Remove and return the last layer."""
        items = list(self.named_children())
        if not items:
            raise IndexError("Sequential.pop(): expected a model with layers, got an empty one.")
        name, layer = items[-1]
        delattr(self, name)
        self.built, self._probe_info = False, None
        return layer

    def forward(self, x):
        """Each layer in turn."""
        return _TorchSequential.forward(self, x)

    def to_config(self):
        """``{"class": "lucidnet.Sequential", "config": {"layers": [...]}}`` (PyTorch's container is "Sequential")."""
        return {"class": _CONFIG_NAME if type(self) is Sequential else type(self).__name__,
                "config": self.get_config()}

    def get_config(self):
        """``{"layers": [each layer's to_config()]}``."""
        return _TorchSequential.get_config(self)

    @classmethod
    def from_config(cls, config):
        """Rebuild from :meth:`get_config`'s output."""
        return cls(*[module_from_config(spec) for spec in config["layers"]])


# In architecture configs, "Sequential" stays PyTorch's container; the trainable one has its own name.
_CONFIG_NAME = "lucidnet.Sequential"
MODULES["Sequential"] = _TorchSequential
MODULES[_CONFIG_NAME] = Sequential
