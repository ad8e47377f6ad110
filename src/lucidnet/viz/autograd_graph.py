"""The autograd graph of a result: the operations that computed it (each a ``grad_fn`` node), the tensors
they read, their shapes, and after ``backward()`` the gradients that reached the leaves."""
import numpy as np

from ..tensor import Tensor
from ._graphviz import digraph, write

__all__ = ["graph"]

_LEAF, _CONSTANT, _OUTPUT = "lightblue", "lightgrey", "darkolivegreen1"


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _values(a, limit):
    a = np.asarray(a)
    if a.size > limit:
        return f"norm {float(np.linalg.norm(a.astype(np.float64))):.4g}"
    with np.printoptions(precision=3, suppress=True):
        return np.array2string(a, separator=", ").replace("\n", "")


def graph(tensor, params=None, path=None, *, show_grads=True, show_values=6):
    """Draw the graph that autograd recorded for ``tensor``: one ellipse per operation (its grad_fn's name and
    the shape it produced), one box per tensor it read (blue: leaves that require grad; grey: constants),
    arrows in the direction of the forward pass, and the result at the bottom (green).

    Args:
        tensor: the result, e.g. a loss.
        params: a dict of name -> tensor to label leaves with (``dict(model.named_parameters())``).
        path: a file to write: .dot/.gv (DOT text, always possible), or .svg/.png/.pdf (rendered by Graphviz's
            ``dot`` program, Debian package ``graphviz``). Default: none.
        show_grads: after backward(), show each leaf's gradient (and the result's, if it kept one).
        show_values: show a tensor's values when it has at most this many elements (else its norm).

    Returns:
        a ``graphviz.Digraph`` (its ``.source`` is the DOT text; in a notebook it displays itself).

    Example:
        >>> import lucidnet
        >>> w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
        >>> loss = (w * 3).sum()
        >>> loss.backward()
        >>> print(graph(loss, params={"w": w}).source)              # doctest: +ELLIPSIS
        digraph {
        ...
            t... [label="output ()\\n9." fillcolor=darkolivegreen1]
            n... -> t...
            n... [label="SumBackward0\\n()" fillcolor=white shape=ellipse]
            n... -> n...
            n... [label="MulBackward0\\n(2,)" fillcolor=white shape=ellipse]
            t... [label="w (2,)\\n[1., 2.]\\ngrad [3., 3.]" fillcolor=lightblue]
            t... -> n...
        }
    """
    where = "graph()"
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a Tensor (the result to draw the graph of), got {type(tensor).__name__}.")
    names = {id(t): n for n, t in (params or {}).items()}
    dot = digraph(where, node_attr={"style": "filled", "shape": "box", "align": "left", "fontsize": "10",
                                    "height": "0.2", "fontname": "monospace"}, graph_attr={"size": "12,12"})
    drawn = set()

    def tensor_node(t, kind):
        key = f"t{id(t)}"
        if key in drawn:
            return key
        drawn.add(key)
        name = names.get(id(t), "output" if kind == _OUTPUT else ("tensor" if kind == _LEAF else "constant"))
        label = f"{name} {_shape_text(t.shape)}"
        if t.array.size <= show_values:
            label += f"\\n{_values(t.array, show_values)}"
        if show_grads and t.grad is not None:
            label += f"\\ngrad {_values(t.grad.array, show_values)}"
        dot.node(key, label, fillcolor=kind)
        return key

    root = tensor.grad_fn
    out_key = tensor_node(tensor, _OUTPUT if root is not None else (_LEAF if tensor.requires_grad else _CONSTANT))
    if root is None:
        return _finish(dot, path)
    stack = [root]
    dot.edge(f"n{id(root)}", out_key)
    while stack:
        node = stack.pop()
        key = f"n{id(node)}"
        if key in drawn:
            continue
        drawn.add(key)
        out = getattr(node, "out_data", None)          # the array the op produced: show its shape
        name = node.name() if callable(node.name) else node.name
        label = name if out is None else f"{name}\\n{_shape_text(np.shape(out))}"
        dot.node(key, label, shape="ellipse", fillcolor="white")
        for t in node.inputs:
            if not isinstance(t, Tensor):
                continue                       # numbers and static arguments are not drawn
            if t.grad_fn is not None:
                dot.edge(f"n{id(t.grad_fn)}", key)
                stack.append(t.grad_fn)
            else:
                dot.edge(tensor_node(t, _LEAF if t.requires_grad else _CONSTANT), key)
    return _finish(dot, path)


def _finish(dot, path):
    if path is not None:
        write("graph()", dot, path)
    return dot
