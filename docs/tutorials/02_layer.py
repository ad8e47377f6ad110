# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. A layer
#
# A layer is several neurons that read the same inputs. Each has its own weights and bias, so a layer of
# three neurons over four inputs holds a 3 x 4 weight matrix (one row per neuron) and three biases. Feeding
# it a *batch* of samples at once turns the whole computation into one matrix product:
#
# $$ Z = X W^\top + \mathbf{b}, \qquad X: (\text{samples}, \text{inputs}),\; W: (\text{neurons}, \text{inputs}) $$
#
# We compute a layer three ways: neuron by neuron, as a matrix product, and with `nn.Linear`.

# %%
# %matplotlib inline
import os

import numpy as np
from matplotlib.figure import Figure

import lucidnet
from lucidnet import nn

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

# %% [markdown]
# ## Neuron by neuron

# %%
X = np.array([[1.0, 2.0, 3.0, 2.5],             # a batch of three samples, four features each
              [2.0, 5.0, -1.0, 2.0],
              [-1.5, 2.7, 3.3, -0.8]])
W = np.array([[0.2, 0.8, -0.5, 1.0],            # three neurons: one row of weights each
              [0.5, -0.91, 0.26, -0.5],
              [-0.26, -0.27, 0.17, 0.87]])
b = np.array([2.0, 3.0, 0.5])

by_hand = np.zeros((3, 3))
for s, sample in enumerate(X):
    for n, (neuron_weights, neuron_bias) in enumerate(zip(W, b)):
        by_hand[s, n] = sum(x * w for x, w in zip(sample, neuron_weights)) + neuron_bias
by_hand

# %% [markdown]
# ## As a matrix product
#
# Row `s` of `X @ W.T` holds, for sample `s`, the dot product with every neuron's weights. Adding `b`
# broadcasts the biases over the rows. One line, and NumPy runs it as a single optimised matrix multiply
# (a GEMM), which is why networks are fast.

# %%
as_matrix = X @ W.T + b
as_matrix

# %% [markdown]
# ## With nn.Linear
#
# `nn.Linear(in_features=4, out_features=3)` stores the weight as (out, in), exactly as above, and computes
# `x @ weight.T + bias`.

# %%
layer = nn.Linear(4, 3, dtype=lucidnet.float64)
with lucidnet.no_grad():
    layer.weight.array[...] = W
    layer.bias.array[...] = b
with_linear = layer(lucidnet.tensor(X)).detach().numpy()
with_linear

# %% [markdown]
# ## What a layer does to its input space
#
# A layer with two inputs and two neurons maps the plane to the plane. The weighted sums alone give a
# *linear* map: straight lines stay straight, the grid is only stretched and sheared. The ReLU then folds
# everything negative onto the axes. That fold is what lets stacked layers carve curved regions.

# %%
square = nn.Linear(2, 2)
with lucidnet.no_grad():
    square.weight.array[...] = [[1.0, 0.6], [-0.4, 1.2]]
    square.bias.array[...] = [-0.3, 0.2]
lines = np.linspace(-1, 1, 11)
fig = Figure(figsize=(10, 3.4), layout="constrained")
panels = fig.subplots(1, 3)
for ax, title, f in zip(panels, ["input", "after Linear", "after Linear + ReLU"],
                        [lambda p: p, lambda p: square(lucidnet.tensor(p)).detach().numpy(),
                         lambda p: square(lucidnet.tensor(p)).relu().detach().numpy()]):
    for i, c in enumerate(lines):
        t = np.linspace(-1, 1, 50, dtype=np.float32)
        for pts in (np.stack([t, np.full_like(t, c)], 1), np.stack([np.full_like(t, c), t], 1)):
            out = f(pts)
            ax.plot(out[:, 0], out[:, 1], color="C0" if pts[0, 1] == pts[-1, 1] else "C1", linewidth=0.8)
    ax.set_title(title)
    ax.set_aspect("equal")
fig

# %% [markdown]
# ## Check
#
# The three ways agree, to the last digit of float64.

# %%
assert np.allclose(by_hand, as_matrix, atol=1e-12) and np.allclose(as_matrix, with_linear, atol=1e-12)
assert with_linear.shape == (3, 3)                    # (samples, neurons)
print("neuron by neuron == X @ W.T + b == nn.Linear")
