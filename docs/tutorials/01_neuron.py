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
# # 1. A neuron
#
# A neuron takes a few numbers, multiplies each by a weight, adds them up, adds a bias, and passes the total
# through an *activation function*. That is all. Everything a network learns is stored in those weights and
# biases; everything it computes is built from this one step, repeated.
#
# $$ z = w_1 x_1 + w_2 x_2 + w_3 x_3 + b = \mathbf{w} \cdot \mathbf{x} + b, \qquad y = f(z) $$
#
# This tutorial computes a neuron by hand, then with lucidnet, and looks at the activation functions
# a neuron can use.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import nn, plots

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
lucidnet.manual_seed(0)

# %% [markdown]
# ## The weighted sum, by hand
#
# Three inputs (say, three measurements of one sample), three weights, one bias.

# %%
inputs = [1.0, 2.0, 3.0]
weights = [0.2, 0.8, -0.5]
bias = 2.0

z = inputs[0] * weights[0] + inputs[1] * weights[1] + inputs[2] * weights[2] + bias
z

# %% [markdown]
# The weights say how much each input matters and in which direction: the third input pushes the output
# down. The bias moves the result regardless of the inputs, so the neuron can output something other than
# zero when every input is zero.
#
# The sum of products is a *dot product*, which NumPy and lucidnet compute in one call:

# %%
x = lucidnet.tensor(inputs)
w = lucidnet.tensor(weights)
z_dot = (x @ w + bias).item()
z_dot

# %% [markdown]
# ## The same neuron as a layer
#
# `nn.Linear(3, 1)` is a neuron with three inputs: its `weight` has shape (1, 3) (one row per neuron) and
# its `bias` shape (1,). We copy our numbers into it and ask it for its output.

# %%
neuron = nn.Linear(3, 1)
with lucidnet.no_grad():
    neuron.weight.array[...] = [weights]
    neuron.bias.array[...] = [bias]
z_layer = neuron(x).item()
z_layer

# %% [markdown]
# ## Activation functions
#
# If neurons only added things up, any stack of them would still be one weighted sum: a straight line (a
# flat plane in more dimensions). The activation function bends it. The dashed lines are the derivatives,
# which matter later: backpropagation multiplies by them, so where a derivative is near zero (sigmoid and
# tanh far from 0, ReLU below 0) almost no learning signal gets through.

# %%
plots.plot_activations()

# %% [markdown]
# The most used one today is ReLU, `max(0, z)`: cheap, and its derivative is exactly 1 for positive inputs.
# Our neuron with a ReLU outputs:

# %%
relu_out = nn.ReLU()(neuron(x)).item()
step_out = float(z > 0)              # the Perceptron's original step function
sigmoid_out = lucidnet.tensor(z).sigmoid().item()
relu_out, step_out, sigmoid_out

# %% [markdown]
# ## Check
#
# By hand, with a dot product, and with `nn.Linear`, the neuron gives the same number; the ReLU passes a
# positive net input through unchanged.

# %%
assert abs(z - z_dot) < 1e-6 and abs(z - z_layer) < 1e-6, (z, z_dot, z_layer)
assert relu_out == z_layer > 0
print(f"z = {z:.3f} by hand, {z_dot:.3f} with a dot product, {z_layer:.3f} with nn.Linear")
