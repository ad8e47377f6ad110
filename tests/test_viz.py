"""lucidnet.viz: the autograd graph of a small expression has exactly the expected nodes and edges (and the
gradients after backward); plot_model links layers through functional ops and residual connections;
files are DOT text always, PNG/SVG through Graphviz's dot; clear errors without graphviz or dot."""
import os
import re
import sys

import numpy as np

import pytest

import lucidnet
from lucidnet import nn, viz

NODE = re.compile(r'^\s*(\w+) \[label=("(?:[^"\\]|\\.)*"|\w+)')
EDGE = re.compile(r"^\s*(\w+) -> (\w+)")


def structure(dot):
    """{node id: label} and [(from label, to label)] of a Digraph."""
    labels, edges = {}, []
    for line in dot.body:
        if (m := EDGE.match(line)):
            edges.append(m.groups())
        elif (m := NODE.match(line)):
            labels[m.group(1)] = m.group(2).strip('"')
    first = lambda label: label.strip("{}").split("|")[0].split("\\n")[0]          # noqa: E731
    return labels, sorted((first(labels[a]), first(labels[b])) for a, b in edges)


def test_graph_of_a_small_expression():
    w = lucidnet.tensor([1.0, -2.0], requires_grad=True)
    b = lucidnet.tensor(0.5, requires_grad=True)
    x = lucidnet.tensor([3.0, 4.0])
    loss = (w * x + b).sum()
    labels, edges = structure(viz.graph(loss, params={"w": w, "b": b}))
    assert sorted(label.split("\\n")[0] for label in labels.values()) == [
        "AddBackward0", "MulBackward0", "SumBackward0", "b ()", "constant (2,)", "output ()", "w (2,)"]
    assert edges == [("AddBackward0", "SumBackward0"), ("MulBackward0", "AddBackward0"), ("SumBackward0", "output ()"),
                     ("b ()", "AddBackward0"), ("constant (2,)", "MulBackward0"), ("w (2,)", "MulBackward0")]
    assert not any("grad" in label for label in labels.values())
    loss.backward()
    labels, _ = structure(viz.graph(loss, params={"w": w, "b": b}))
    assert "w (2,)\\n[ 1., -2.]\\ngrad [3., 4.]" in labels.values()
    assert "b ()\\n0.5\\ngrad 2." in labels.values()                  # b was broadcast to both elements


def test_graph_of_a_leaf_and_of_shared_inputs():
    x = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    labels, edges = structure(viz.graph(x))
    assert list(labels.values()) == ["tensor (2,)\\n[1., 2.]"] and edges == []
    labels, edges = structure(viz.graph((x * x).sum(), show_values=0))
    assert edges.count(("tensor (2,)", "MulBackward0")) == 2               # one node, used twice
    big = lucidnet.ones(10, requires_grad=True)
    labels, _ = structure(viz.graph(big.sum()))
    assert "tensor (10,)" in labels.values()
    with pytest.raises(TypeError, match=r"^graph\(\): expected a Tensor \(the result to draw the graph of\), got "
                                        r"float\.$"):
        viz.graph(1.0)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.head = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 2)

    def forward(self, x):
        h = self.fc2(self.fc1(x).relu()) + x                # a functional relu and a skip connection
        return self.head(h)


def test_plot_model_follows_functional_ops_and_skips():
    labels, edges = structure(viz.plot_model(Residual(), input_shape=(4,), show_shapes=False))
    assert sorted(label.strip("{}") for label in labels.values()) == ["fc1 (Linear)", "fc2 (Linear)", "head (Linear)",
                                                                      "input"]
    assert edges == [("fc1 (Linear)", "fc2 (Linear)"), ("fc2 (Linear)", "head (Linear)"),
                     ("input", "fc1 (Linear)"), ("input", "head (Linear)")]


def test_plot_model_shapes_names_and_nesting():
    model = lucidnet.Sequential([nn.Flatten(), nn.Dense(16, activation="relu"), nn.Dense(10)])
    dot = viz.plot_model(model, input_shape=(28, 28), show_layer_activations=True, show_dtype=True,
                         show_trainable=True)
    labels, edges = structure(dot)
    assert labels["1"] == ("{1 (Dense)\\nactivation: relu\\ntrainable: True|{input:|output:}|{(None, 784)|(None, 16)}"
                           "|dtype: float32}")
    assert labels["input"] == "input\\n(None, 28, 28)"
    assert [e for e in edges if e[0] == "input"] == [("input", "0 (Flatten)")]
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(3, 1))
    source = viz.plot_model(nested, input_shape=(2,), expand_nested=True).source
    assert "subgraph cluster_0 {" in source and "label=0" in source
    with pytest.raises(ValueError, match=r"^plot_model\(\): expected input_shape, the shape of one sample"):
        viz.plot_model(nested)


def test_files(tmp_path):
    viz.plot_model(nn.MLP([3, 2]), tmp_path / "m.dot", input_shape=(3,))
    assert open(tmp_path / "m.dot").read().startswith("digraph {")
    if not viz.can_render():
        assert not os.environ.get("CI"), "CI installs Graphviz's dot (.ci/run): this test must run there"
        pytest.skip("Graphviz's dot is not installed (Debian package graphviz)")
    png = viz.graph((lucidnet.ones(2, requires_grad=True) * 2).sum(), path=tmp_path / "g.png")
    assert open(tmp_path / "g.png", "rb").read(4) == b"\x89PNG" and png is not None
    viz.plot_model(nn.MLP([3, 2]), tmp_path / "m.svg", input_shape=(3,))
    assert "<svg" in open(tmp_path / "m.svg").read()


def test_errors_without_dot_or_graphviz(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match=r"expected a file name ending in \.dot, \.gv, \.svg, \.png or \.pdf, got "
                                         r"'m\.jpg'"):
        viz.plot_model(nn.MLP([3, 2]), tmp_path / "m.jpg", input_shape=(3,))
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"^plot_model\(\): expected Graphviz's dot program to render 'm\.png', got "
                                           r"none on PATH\. Install it \(Debian/Ubuntu: apt-get install graphviz\)"):
        viz.plot_model(nn.MLP([3, 2]), tmp_path / "m.png", input_shape=(3,))
    assert not (tmp_path / "m.png").exists()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r"^graph\(\): expected the graphviz package to draw graphs, got none "
                                          r"installed\. Install it with: pip install 'lucidnet\[viz\]'$"):
        viz.graph(lucidnet.ones(1))


def test_trace_layers_restores_modes_and_counts_repeated_calls():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.Dropout(0.5), shared)
    model.train()
    calls, out = viz.trace_layers(model, np.ones((1, 2), np.float32))
    assert [c.name for c in calls] == ["0", "1", "0#2"] and [c.inputs for c in calls] == [["input"], ["0"], ["1"]]
    assert all(m.training for m in model.modules()) and out.shape == (1, 2)


def test_trace_layers_of_a_leaf_model_names_it_by_its_class():
    # The model itself is the only leaf (named "" by named_modules()): the hook's default name once raised
    # NameError here.
    calls, out = viz.trace_layers(nn.Linear(4, 3), np.ones((1, 4), np.float32))
    assert [(c.name, c.inputs, c.output_shape) for c in calls] == [("Linear", ["input"], (1, 3))]
    assert out.shape == (1, 3)


def test_importing_lucidnet_imports_no_extra():
    import subprocess
    code = ("import sys, lucidnet, lucidnet.viz, lucidnet.plots, lucidnet.train, lucidnet.utils.tensorboard; "
            "print([m for m in ('graphviz', 'tensorboard', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
