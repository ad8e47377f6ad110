"""Model: Keras's training front (compile, fit, evaluate, predict, summary) on lucidnet modules.

A :class:`Model` is an ``nn.Module``: subclass it and write ``forward`` (PyTorch's way), or wrap any module
with ``Model(module)``. :class:`Sequential` is both Keras's ``Sequential([...])`` and PyTorch's
``nn.Sequential(...)``, with the same state-dict keys as PyTorch's (in :mod:`~lucidnet.train.sequential`).
Either way::

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=128, validation_split=0.1)

This module holds the model itself: wrapping and configs, ``compile``, building at the first batch, the
per-batch steps, and the hooks saving and loading go through (``get_compile_config`` /
``compile_from_config``, ``get_build_config`` / ``build_from_config``, ``get_training_state`` /
``set_training_state``). The loops are in :mod:`~lucidnet.train.trainer`, the data handling in
:mod:`~lucidnet.train.data_adapter`, compile's resolution in :mod:`~lucidnet.train.compile_utils`, the training
state in :mod:`~lucidnet.train.checkpoint`, the summary table in :mod:`~lucidnet.train.summary`.
"""
import collections
import numbers

import numpy as np

from .. import dtypes, io
from ..autograd import no_grad
from ..nn.module import Module, module_from_config
from ..tensor import Tensor
from . import checkpoint
from .compile_utils import Compiled, compile_arguments
from .distribution import distribution
from .summary import summary_lines
from .trainer import Trainer

__all__ = ["Model"]


def _shape(out):
    if isinstance(out, (tuple, list)):
        return [_shape(o) for o in out]
    return tuple(getattr(out, "shape", ()))



class Model(Trainer, Module):
    """A trainable model with Keras's training API: ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.

    Subclass it and write ``forward`` (PyTorch's way; call ``super().__init__()`` first), or wrap an existing
    module: ``Model(module)`` (its state dict keeps the module's own keys). ``train_step`` / ``test_step`` /
    ``predict_step`` are the per-batch hooks ``fit``, ``evaluate`` and ``predict`` call; override them to
    customize a step (``train_step`` calls ``compute_loss`` and ``optimizer_step``: override those to change
    only the loss or the update).

    Args:
        module: a module to wrap. Default: None (a subclass defines ``forward``).

    Attributes:
        optimizer: the optimizer (created from a name or class when the model is built at the first batch).
        history: the :class:`History` of the last ``fit``.
        built: whether the model has seen data (or ``build``): lazy layers have their parameters.
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
    _input_dtype = None
    _run = None                  # the training state: see lucidnet.train.checkpoint
    _pending_optimizer = None    # an optimizer state given by set_training_state before there was an optimizer
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
            >>> from lucidnet import Sequential, nn
            >>> model = Model.from_module(nn.Sequential(nn.Linear(2, 3)))
            >>> type(model).__name__, list(model.state_dict())
            ('Sequential', ['0.weight', '0.bias'])
        """
        from ..nn.container import Sequential as TorchSequential
        from .sequential import Sequential      # below Model: it subclasses it
        if isinstance(module, Model):
            return module
        if type(module) is TorchSequential:
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

    def compile(self, optimizer="adam", loss=None, metrics=None, *, lr=None, learning_rate=None, from_logits=None,
                clipnorm=None, clipvalue=None):
        """Choose the optimizer, the loss and the metrics that ``fit`` and ``evaluate`` use.

        Args:
            optimizer: a name ('adam', 'sgd', 'adamw', 'rmsprop', 'adagrad'), an optimizer class (created
                over the model's parameters once the model is built, at the first batch: lazy layers such as
                Dense have their parameters by then), or an optimizer object. Default: 'adam'.
            loss: a name ('sparse_categorical_crossentropy', 'categorical_crossentropy', 'cross_entropy',
                'binary_crossentropy', 'mse', 'mae', 'huber'), a loss module (``nn.CrossEntropyLoss()``) or a
                function ``fn(y_pred, y_true)``. See ``lucidnet.train.losses`` for the forms and class axes.
            metrics: a list of names ('accuracy', 'top_k_accuracy', 'mse', 'mae', ...), Metric objects or
                functions ``fn(y_pred, y_true)``; each appears in the logs under its name.
            lr, learning_rate: the learning rate of an optimizer given by name or class (Keras's default
                for a name: 0.01 for SGD, 0.001 for the others).
            from_logits: the form of a loss given by name: True for raw scores, False for probabilities.
                Default: None, read from the model's last layer (softmax / sigmoid outputs are probabilities,
                log-softmax ones log-probabilities, others logits).
            clipnorm: clip the gradients' global L2 norm to this before each update (Keras's
                ``global_clipnorm``, PyTorch's ``clip_grad_norm_``). Default: no clipping.
            clipvalue: clip each gradient value to [-clipvalue, clipvalue] before each update.

        Example:
            >>> from lucidnet import Sequential, nn
            >>> model = Sequential([nn.Dense(3)])
            >>> model.compile("sgd", "mse", metrics=["mae"], lr=0.1, clipnorm=1.0)
            >>> model.compile("adamax", "mse")
            Traceback (most recent call last):
            ...
            ValueError: compile(): expected optimizer to be one of adagrad, adam, adamw, rmsprop, sgd, an optimizer
            class or object, got 'adamax'.
        """
        self._compiled = Compiled(optimizer, loss, metrics, lr, learning_rate, from_logits, clipnorm, clipvalue)
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
            >>> from lucidnet import Sequential, nn
            >>> model = Sequential([nn.Dense(2)]); model.compile(loss="mse", metrics=["mae"])
            >>> model.metrics_names
            ['loss', 'mae']
        """
        c = self._compiled
        return ["loss"] + (c.metrics_names if c else [])

    def _overrides(self, name):
        """Whether this model's class overrides Model's method ``name`` (a custom train_step, ...)."""
        return getattr(type(self), name) is not getattr(Model, name)

    # ------------------------------------------------------------------------------------ building

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
        self._input_dtype = np.dtype(x.dtype).name
        self.built = True
        return out

    def build(self, input_shape, dtype=None):
        """Build the model for inputs of ``input_shape`` (one sample's shape, without the batch axis; a leading
        None, as Keras writes it, is dropped): lazy layers create their parameters.

        Example:
            >>> from lucidnet import Sequential, nn
            >>> model = Sequential([nn.Dense(4), nn.ReLU(), nn.Dense(2)])
            >>> model.build((3,)); model[0].weight.shape
            lucidnet.Size([4, 3])
        """
        shape = tuple(input_shape)
        if shape and shape[0] is None:
            shape = shape[1:]
        if not all(isinstance(s, numbers.Integral) and s >= 0 for s in shape):
            raise ValueError(f"build(): expected the shape of one sample, e.g. (784,), got {tuple(input_shape)}.")
        self._probe(np.zeros((1,) + shape, dtype=dtypes.to_dtype(dtype) or dtypes.get_default_dtype()))

    def get_build_config(self):
        """``{"input_shape": [...], "input_dtype": "float32"}``: the shape of one sample the model was built with
        (None before) and its dtype (integer ids for a model starting with an Embedding), what
        ``build_from_config`` needs to create lazy layers' parameters again (Keras's name)."""
        return {"input_shape": list(self._input_shape) if self._input_shape is not None else None,
                "input_dtype": self._input_dtype}

    def build_from_config(self, config):
        """Build from :meth:`get_build_config`'s output (nothing to do for a shape of None)."""
        if config.get("input_shape") is not None:
            self.build(tuple(config["input_shape"]), config.get("input_dtype"))

    def _make_optimizer(self):
        c = self._compiled
        if not isinstance(c.optimizer, (str, type)):
            return c.optimizer
        params = list(self.parameters())
        pending = self._pending_optimizer
        if pending is not None and pending.get("class") == c.optimizer_class().__name__:
            params = checkpoint.groups_like(self, pending) or params
        if not params:
            raise ValueError(f"compile(): expected a model with parameters to optimize, got "
                             f"{type(self).__name__} with none.")
        return c.make_optimizer(params)

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
        if self._probe_info is None:
            self._probe(x)
        self._compiled.resolve(self._probe_info["last"])
        if need_optimizer:
            if self.optimizer is None:
                self.optimizer = self._make_optimizer()
            self._check_optimizer(where)
            pending, self._pending_optimizer = self._pending_optimizer, None
            if pending is not None:
                checkpoint.apply_optimizer_state(self, self.optimizer, pending, where)

    def _check_labels(self, y, where, name):
        """Class ids outside [0, C) for a cross-entropy loss: one line naming the bad value."""
        loss = self._compiled.loss_fn
        out = self._probe_info["output"] if self._probe_info else None
        if y is None or getattr(loss, "kind", None) != "categorical" or not isinstance(out, tuple) or len(out) < 2:
            return
        if y.dtype.kind not in "iu" or y.ndim != len(out) - 1 or not y.size:
            return
        c = out[getattr(loss, "axis", 1)]
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= c:
            bad = hi if hi >= c else lo
            raise ValueError(f"{where}: expected {name} to hold class ids in [0, {c}) for a model with {c} outputs, "
                             f"got {bad} (at sample {int(np.argwhere(y == bad)[0][0])}).")

    # ------------------------------------------------------------------------------------ steps

    def train_step(self, x, y):
        """One optimization step on a batch: forward, ``compute_loss``, backward, ``optimizer_step``.

        Args:
            x: the batch's inputs (a Tensor).
            y: its targets (a Tensor).

        Returns:
            ``(loss, y_pred)``: the loss tensor and the model's output, for the logs and metrics.
        """
        y_pred = self(x)
        loss = self.compute_loss(x, y, y_pred)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer_step()
        return loss, y_pred

    def compute_loss(self, x, y, y_pred):
        """The loss of a batch (Keras's hook): the compiled loss of ``y_pred`` against ``y``. Override it to add
        terms (e.g. a penalty on the weights); ``train_step`` and ``test_step`` call it."""
        return self._compiled.loss_fn(y_pred, y)

    def optimizer_step(self):
        """Update the weights from their gradients: average them over processes (a data-parallel
        :mod:`~lucidnet.train.distribution`), clip them as compiled (``clipvalue``, ``clipnorm``), then
        ``optimizer.step()``."""
        c, dist = self._compiled, distribution()
        if dist is not None or c.clipnorm is not None or c.clipvalue is not None:
            opt = self.optimizer
            params = [p for g in opt.param_groups for p in g["params"]] if hasattr(opt, "param_groups") else \
                list(self.parameters())
            if dist is not None:
                dist.reduce_gradients(params)
            c.clip(params)
        self.optimizer.step()

    def test_step(self, x, y):
        """The loss and output on a batch, without training (called under no_grad, in eval mode).

        Returns:
            ``(loss, y_pred)``.
        """
        y_pred = self(x)
        return self.compute_loss(x, y, y_pred), y_pred

    def predict_step(self, x):
        """The model's output on a batch (called under no_grad, in eval mode)."""
        return self(x)

    # ------------------------------------------------------------------------------------ summary

    def summary(self, input_shape=None, print_fn=None):
        """Print the layers with their output shapes and parameter counts, and the totals (Keras's table).

        Output shapes come from one small forward pass, so the input shape must be known: from the data the
        model was built with (fit, predict, build) or from ``input_shape`` (one sample's shape).

        Args:
            input_shape: the shape of one sample, e.g. (784,). Default: the shape the model was built with.
            print_fn: where lines go. Default: print.

        Example:
            >>> from lucidnet import Sequential, nn
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
        for line in summary_lines(self, self._probe_info["rows"]):
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

    def get_compile_config(self):
        """compile()'s arguments as JSON (None before compile), for what was given by name or class: a callable
        loss or metric cannot be saved. ``compile_from_config`` compiles from it again.

        Example:
            >>> from lucidnet import Sequential, nn
            >>> model = Sequential([nn.Dense(2)]); model.compile("sgd", "mse", lr=0.1)
            >>> model.get_compile_config()["optimizer"], model.get_compile_config()["lr"]
            ({'name': 'sgd'}, 0.1)
        """
        return None if self._compiled is None else self._compiled.get_config()

    def compile_from_config(self, config):
        """Compile as :meth:`get_compile_config` saved; returns whether it could (a loss saved as a function, or
        an optimizer object of a class lucidnet does not have, cannot be restored: the model stays as it is)."""
        kwargs = compile_arguments(config)
        if kwargs is None:
            return False
        self.compile(**kwargs)
        return True

    def get_training_state(self):
        """Where the model's training run is, as plain values a checkpoint saves: ``{"epoch", "history",
        "generators", "callbacks"}`` and, mid-pass with ``steps_per_epoch``, ``"data"`` ({} before any). See :mod:`lucidnet.train.checkpoint`."""
        return checkpoint.training_state(self._run, self.history)

    def set_training_state(self, state):
        """Give the model a run to continue (``lucidnet.load`` does, from a checkpoint): the next ``fit`` starts
        at ``state["epoch"]`` with its history, generator and callback states, unless given another
        ``initial_epoch``. ``state["optimizer"]`` (``{"class", "param_names", "state_dict"}``), if any, is
        loaded into the optimizer now if the model has one, else when ``fit`` creates it.

        Example:
            >>> from lucidnet import Sequential, nn
            >>> model = Sequential([nn.Linear(2, 1)])
            >>> model.set_training_state({"epoch": 3, "history": {"loss": [0.9, 0.5, 0.4]}})
            >>> model.get_training_state()["epoch"]
            3
        """
        where = f"{type(self).__name__}.set_training_state()"
        run = checkpoint.restored_run(state, where)
        optimizer = state.get("optimizer")
        if optimizer is not None and hasattr(self.optimizer, "param_groups"):
            checkpoint.apply_optimizer_state(self, self.optimizer, optimizer, where)
            optimizer = None
        self._pending_optimizer = optimizer
        self._run = run
