"""lucidnet.viz: graph views. :func:`graph` draws the autograd graph of a result (operations, shapes, and
gradients after backward); :func:`plot_model` draws a model's layers with their shapes, as Keras's.

Both return a ``graphviz.Digraph`` (the ``graphviz`` package: ``pip install 'lucidnet[viz]'``, imported only
when a graph is drawn). Its DOT text is always available (``.source``, or a .dot file); SVG, PNG and PDF
files are rendered by Graphviz's ``dot`` program (Debian/Ubuntu package ``graphviz``).
"""
from ._graphviz import INSTALL_HINT, can_render
from .autograd_graph import graph
from .model_graph import plot_model
from .trace import LayerCall, trace_layers

__all__ = ["INSTALL_HINT", "LayerCall", "can_render", "graph", "plot_model", "trace_layers"]
