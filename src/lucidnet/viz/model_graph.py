"""Keras's ``plot_model``: a model's layers as boxes, with their input and output shapes, in the order data
flows through them."""
import numbers

import numpy as np

from .. import dtypes
from ._graphviz import digraph, write
from .trace import trace_layers

__all__ = ["plot_model"]


def _shape_text(shape):
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join(["None"] + [str(s) for s in shape[1:]]) + ("," if len(shape) == 1 else "") + ")"


def _activation(module):
    name = getattr(module, "activation_name", None)            # Dense(activation=...)
    return name() if callable(name) else None


def plot_model(model, to_file=None, input_shape=None, *, show_shapes=True, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96, show_layer_activations=False, show_trainable=False,
               dtype=None):
    """Draw a model's layers with their shapes, as Keras's ``plot_model`` does: one box per layer call, arrows
    from each layer to the layers that read its output (found through the autograd graph, so a residual
    connection shows as two arrows into the add that follows).

    The shapes come from one forward pass of a batch of one zero sample of ``input_shape``.

    Args:
        model: a Module (a Sequential, a Model, any network).
        to_file: a file to write: .dot/.gv (DOT text), or .svg/.png/.pdf (rendered by Graphviz's ``dot``, Debian
            package ``graphviz``). Default: none (use the returned graph; a notebook displays it).
        input_shape: the shape of one sample, without the batch axis, e.g. (784,). Required.
        show_shapes: show input and output shapes. Default: True.
        show_dtype: show the output dtype. Default: False.
        show_layer_names: show each layer's name in the model. Default: True.
        rankdir: "TB" (top to bottom) or "LR" (left to right). Default: "TB".
        expand_nested: draw the layers of each sub-module in a box of their own. Default: False.
        dpi: resolution of a PNG. Default: 96.
        show_layer_activations: show a Dense layer's activation. Default: False.
        show_trainable: show whether each layer's parameters are trainable. Default: False.
        dtype: the input dtype. Default: lucidnet's default float dtype.

    Returns:
        a ``graphviz.Digraph``.

    Example:
        >>> from lucidnet import nn
        >>> dot = plot_model(nn.MLP([784, 128, 10]), input_shape=(784,))
        >>> print("\\n".join(line.strip() for line in dot.body if "->" in line))
        input -> 0
        0 -> 1
        1 -> 2
    """
    where = "plot_model()"
    if input_shape is None:
        raise ValueError(f"{where}: expected input_shape, the shape of one sample (e.g. (784,)), got none.")
    shape = tuple(input_shape)
    if shape and shape[0] is None:
        shape = shape[1:]
    if not all(isinstance(s, numbers.Integral) and s >= 0 for s in shape):
        raise ValueError(f"{where}: expected input_shape to be the shape of one sample, e.g. (784,), got "
                         f"{tuple(input_shape)}.")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"{where}: expected rankdir to be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}.")
    d = dtypes.to_dtype(dtype) or dtypes.get_default_dtype()
    calls, _ = trace_layers(model, np.zeros((1,) + shape, dtype=d))
    dot = digraph(where, graph_attr={"rankdir": rankdir, "dpi": str(dpi), "nodesep": "0.2", "ranksep": "0.3"},
                  node_attr={"shape": "record", "fontsize": "10", "fontname": "Helvetica"})
    dot.node("input", f"input\\n{_shape_text((1,) + shape)}" if show_shapes else "input", shape="box",
             style="rounded")
    clusters = {}
    for call in calls:
        title = type(call.module).__name__
        if show_layer_names:
            title = f"{call.name} ({title})"
        if show_layer_activations and _activation(call.module):
            title += f"\\nactivation: {_activation(call.module)}"
        if show_trainable:
            params = list(call.module.parameters())
            title += "\\ntrainable: " + ("-" if not params else str(all(p.requires_grad for p in params)))
        parts = [title]
        if show_shapes:
            ins = ", ".join(_shape_text(s) for s in call.input_shapes) or "-"
            parts.append(f"{{input:|output:}}|{{{ins}|{_shape_text(call.output_shape)}}}")
        if show_dtype:
            parts.append(f"dtype: {call.dtype}")
        label = "{" + "|".join(_escape(p) if i == 0 else p for i, p in enumerate(parts)) + "}"
        if expand_nested and "." in call.name:
            prefix = call.name.rsplit(".", 1)[0].split("#")[0]
            if prefix not in clusters:
                clusters[prefix] = []
            clusters[prefix].append((call.name, label))
        else:
            dot.node(call.name, label)
        for src in call.inputs:
            dot.edge(src, call.name)
    for prefix, nodes in clusters.items():
        with dot.subgraph(name=f"cluster_{prefix}") as sub:
            sub.attr(label=prefix, style="dashed")
            for name, label in nodes:
                sub.node(name, label)
    if to_file is not None:
        write(where, dot, to_file, dpi=dpi)
    return dot


def _escape(text):
    """Record labels treat {}|<> as structure: escape them in free text (keep the \\n line breaks)."""
    for ch in "{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text
