"""Which layer feeds which: one forward pass with a hook on every layer, and the autograd graph between the
layers' outputs to find each layer's producers (so a residual add or a functional ``x.relu()`` between two
layers still links them). Used by :func:`lucidnet.viz.plot_model` and ``SummaryWriter.add_graph``."""
import dataclasses

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["LayerCall", "trace_layers"]


@dataclasses.dataclass
class LayerCall:
    """One call of a layer during the traced forward pass.

    Attributes:
        name: the layer's dotted name in the model (``"0"``, ``"encoder.fc1"``), numbered ``#2`` when a layer
            is called again.
        module: the layer.
        inputs: the names of the calls whose outputs reached this call's input (``"input"`` for the model's).
        input_shapes: the shapes of its tensor inputs.
        output_shape: the shape of its output (a list of shapes for several outputs).
        dtype: its output's dtype.
    """
    name: str
    module: object
    inputs: list
    input_shapes: list
    output_shape: object
    dtype: str


def _tensors(value):
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []


def _shape(value):
    ts = _tensors(value)
    return tuple(ts[0].shape) if len(ts) == 1 else [tuple(t.shape) for t in ts]


def _producers(tensor, made_by, input_ids):
    """Names of the recorded calls (or "input") whose outputs this tensor was computed from, nearest first."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        if id(t) in made_by:
            name = made_by[id(t)]
        elif id(t) in input_ids:
            name = "input"
        else:
            name = None
        if name is not None:
            if name not in found:
                found.append(name)
            continue
        node = t.grad_fn
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(reversed([i for i in node.inputs if isinstance(i, Tensor)]))
    return found


def trace_layers(model, *inputs):
    """Run ``model(*inputs)`` once (eval mode) and record every leaf layer's call, in order.

    Args:
        model: a Module.
        *inputs: example inputs (tensors or arrays); a batch of one is enough.

    Returns:
        ``(calls, output)``: a list of :class:`LayerCall` and the model's output.

    Example:
        >>> import lucidnet
        >>> from lucidnet import nn
        >>> calls, _ = trace_layers(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), lucidnet.zeros(1, 4))
        >>> [(c.name, c.inputs, c.output_shape) for c in calls]
        [('0', ['input'], (1, 3)), ('1', ['0'], (1, 3))]
    """
    xs = [x if isinstance(x, Tensor) else Tensor(np.asarray(x)) for x in inputs]
    xs = [Tensor._wrap(x.array).requires_grad_() if x.array.dtype.kind == "f" else x for x in xs]
    input_ids = {id(x) for x in xs}
    calls, made_by, handles, counts = [], {}, [], {}
    for name, m in model.named_modules():
        if any(True for _ in m.children()):
            continue

        # A leaf model is its own only layer, named "" by named_modules(): name it by its class (the default is
        # evaluated here, where the layer is ``m``).
        def hook(mod, args, out, name=name or type(m).__name__):
            counts[name] = counts.get(name, 0) + 1
            call_name = name if counts[name] == 1 else f"{name}#{counts[name]}"
            ins = []
            for t in _tensors(list(args)):
                ins += [p for p in _producers(t, made_by, input_ids) if p not in ins]
            outs = _tensors(out)
            calls.append(LayerCall(call_name, mod, ins or ["input"], [tuple(t.shape) for t in _tensors(list(args))],
                                   _shape(out), np.dtype(outs[0].dtype).name if outs else ""))
            for t in outs:
                made_by[id(t)] = call_name
            keep.append(out)                     # ids stay unique while the pass runs
        handles.append(m.register_forward_hook(hook))
    keep = []
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with enable_grad():
            out = model(*xs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.training = mode
    return calls, out
