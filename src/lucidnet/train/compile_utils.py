"""What ``compile`` takes and resolves: optimizers by name, the arguments' checks, the loss's form and the metrics
chosen for the model's output layer, and gradient clipping.

``compile`` only records its arguments (a :class:`Compiled`); the loss's form (logits, probabilities or
log-probabilities) and the metrics' thresholds are resolved at the first batch, when the output layer is known;
an optimizer given by name or class is created then too, once lazy layers have their parameters.

Example:
    >>> OPTIMIZERS["adam"]
    (<class 'lucidnet.optim.adam.Adam'>, 0.001)
    >>> from lucidnet import nn
    >>> output_kind(nn.Softmax(dim=-1)), output_kind(nn.Linear(2, 3))
    ('probabilities', 'logits')
"""
import numbers

import numpy as np

from .. import optim
from ..nn.module import Module, module_from_config
from ..nn.utils import clip_grad_norm_, clip_grad_value_
from . import losses as losses_module
from . import metrics as metrics_module

__all__ = ["OPTIMIZERS", "Compiled", "output_kind"]

# name -> (class, learning rate when compile() is given none: Keras's default for that optimizer; PyTorch's
# RMSprop/Adagrad would start at 1e-2). A new optimizer is one file in lucidnet.optim plus one line here.
OPTIMIZERS = {
    "adam": (optim.Adam, 0.001),
    "sgd": (optim.SGD, 0.01),
    "adamw": (optim.AdamW, 0.001),
    "rmsprop": (optim.RMSprop, 0.001),
    "adagrad": (optim.Adagrad, 0.001),
}


def output_kind(module):
    """What a module's output is: 'probabilities' after softmax / sigmoid, 'log_probabilities' after
    log-softmax, else 'logits'."""
    name = type(module).__name__
    act = module.activation_name() if hasattr(module, "activation_name") else None    # Dense(activation=...)
    act = act or {"Softmax": "softmax", "Sigmoid": "sigmoid", "LogSoftmax": "log_softmax"}.get(name)
    return {"softmax": "probabilities", "sigmoid": "probabilities", "log_softmax": "log_probabilities"}.get(
        act, "logits")


def _check_clip(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0
                              or not np.isfinite(value)):
        raise ValueError(f"compile(): expected {name} to be a positive number, got {value!r}.")
    return None if value is None else float(value)


class Compiled:
    """What ``compile()`` was given, checked (a plain object, so Module's attribute walk never finds the loss
    module), and what it resolves to at the first batch (``loss_fn``, ``metric_objects``).

    Args: as :meth:`lucidnet.train.Model.compile`.
    """

    def __init__(self, optimizer="adam", loss=None, metrics=None, lr=None, learning_rate=None, from_logits=None,
                 clipnorm=None, clipvalue=None):
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
        if from_logits not in (None, True, False):
            raise TypeError(f"compile(): expected from_logits to be True, False or None, got {from_logits!r}.")
        if from_logits is not None and not isinstance(loss, str):
            raise ValueError(f"compile(): from_logits applies to a loss given by name, got "
                             f"{type(loss).__name__}; such a loss takes the outputs as they are.")
        if loss is not None:
            losses_module.get(loss, from_logits=from_logits)            # fail now on an unknown name
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
        self.optimizer, self.loss, self.metrics, self.lr, self.from_logits = optimizer, loss, metrics, lr, from_logits
        self.clipnorm, self.clipvalue = _check_clip("clipnorm", clipnorm), _check_clip("clipvalue", clipvalue)
        self.loss_fn = None                      # resolved at the first batch (needs the output layer)
        self.metric_objects = None

    @property
    def metrics_names(self):
        return [metrics_module.get(m).name for m in self.metrics]

    def resolve(self, last_layer):
        """Choose the loss's form and the metrics' thresholds for the model's output layer (or None if unknown)."""
        if self.loss_fn is None and self.loss is not None:
            kind = output_kind(last_layer) if last_layer is not None else "logits"
            self.loss_fn = losses_module.get(self.loss, outputs=kind, from_logits=self.from_logits)
            binary = getattr(self.loss_fn, "kind", None) == "binary"
            threshold = 0.0 if getattr(self.loss_fn, "outputs", "probabilities") == "logits" else 0.5
            self.metric_objects = [metrics_module.get(m, threshold=threshold, binary=binary) for m in self.metrics]
        elif self.metric_objects is None:
            self.metric_objects = [metrics_module.get(m) for m in self.metrics]

    def optimizer_class(self):
        """The class of the compiled optimizer (given by name, class or object)."""
        spec = self.optimizer
        return OPTIMIZERS[spec.lower()][0] if isinstance(spec, str) else spec if isinstance(spec, type) else type(spec)

    def make_optimizer(self, params):
        """The optimizer over ``params`` for an optimizer given by name or class (the object itself if one was)."""
        spec = self.optimizer
        if not isinstance(spec, (str, type)):
            return spec
        cls = self.optimizer_class()
        lr = self.lr if self.lr is not None else (OPTIMIZERS[spec.lower()][1] if isinstance(spec, str) else None)
        return cls(params, **({} if lr is None else {"lr": lr}))

    def clip(self, parameters):
        """Clip the parameters' gradients as compiled: each value to [-clipvalue, clipvalue], then their global norm
        to clipnorm (Keras's ``clipvalue`` and ``global_clipnorm``; PyTorch's ``clip_grad_value_`` and
        ``clip_grad_norm_``)."""
        if self.clipvalue is not None:
            clip_grad_value_(parameters, self.clipvalue)
        if self.clipnorm is not None:
            clip_grad_norm_(parameters, self.clipnorm)

    def get_config(self):
        """compile()'s arguments as JSON, for those given by name (a callable loss or metric cannot be saved)."""
        opt = self.optimizer
        if isinstance(opt, str):
            opt_cfg = {"name": opt.lower()}
        else:
            cls = opt if isinstance(opt, type) else type(opt)
            opt_cfg = {"class": cls.__name__} if getattr(optim, cls.__name__, None) is cls else None
        if isinstance(self.loss, str) or self.loss is None:
            loss_cfg = self.loss
        else:
            try:
                loss_cfg = {"module": self.loss.to_config()} if isinstance(self.loss, Module) else None
            except (NotImplementedError, ValueError):
                loss_cfg = None
        config = {"optimizer": opt_cfg, "loss": loss_cfg, "loss_saved": self.loss is None or loss_cfg is not None,
                  "metrics": [m for m in self.metrics if isinstance(m, str)], "lr": self.lr}
        config.update({k: v for k, v in (("from_logits", self.from_logits), ("clipnorm", self.clipnorm),
                                         ("clipvalue", self.clipvalue)) if v is not None})
        return config


def compile_arguments(config):
    """The ``compile()`` keyword arguments :meth:`Compiled.get_config` saved, or None when they cannot be restored
    (an optimizer object of a class lucidnet does not have, a loss given as a function)."""
    if not config or not config.get("optimizer") or not config.get("loss_saved"):
        return None
    opt = config["optimizer"]
    spec = opt.get("name") or getattr(optim, opt.get("class", ""), None)
    if spec is None:
        return None
    loss = config.get("loss")
    if isinstance(loss, dict):
        loss = module_from_config(loss["module"])
    return dict(optimizer=spec, loss=loss, metrics=config.get("metrics") or [], lr=config.get("lr"),
                from_logits=config.get("from_logits"), clipnorm=config.get("clipnorm"),
                clipvalue=config.get("clipvalue"))
