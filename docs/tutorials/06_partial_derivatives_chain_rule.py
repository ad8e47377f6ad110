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
# # 6. Partial derivatives and the chain rule
#
# A loss depends on many weights at once. Its *partial derivative* with respect to one weight is the
# ordinary derivative when all the others are held fixed: how the loss moves when only that weight moves.
# Together they form the *gradient*, a vector pointing uphill; minus the gradient points downhill.
#
# The loss is a chain of functions (a weighted sum, an activation, the next layer, the loss). The *chain
# rule* says the derivative of a chain is the product of the derivatives of its links:
#
# $$ \frac{d}{dx} f(g(x)) = f'(g(x)) \cdot g'(x). $$

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import plots, viz
from lucidnet.autograd import numerical_derivative
from lucidnet.autograd.functional import jacobian

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
F64 = lucidnet.float64

# %% [markdown]
# ## Partial derivatives
#
# f(x, y) = 2x² + 3y. Holding y fixed, df/dx = 4x; holding x fixed, df/dy = 3. The slice of f along x, at
# y = 1, is an ordinary curve, and its tangent's slope is the partial derivative:

# %%
def f(x, y):
    return 2 * x ** 2 + 3 * y

plots.plot_derivative(lambda x: f(x, 1.0), x_range=(-2, 2), at=[-1.0, 0.5],
                      title="f(x, y=1): the slope along x is the partial derivative df/dx")

# %%
x, y = 0.5, 1.0
df_dx, df_dy = numerical_derivative(f, (x, y))
df_dx.item(), df_dy.item()

# %% [markdown]
# ## The chain rule on one neuron
#
# A ReLU neuron with three inputs: z = w·x + b, out = relu(z). By the chain rule, for each weight,
#
# $$ \frac{\partial\,\text{out}}{\partial w_i} = \underbrace{\text{relu}'(z)}_{1 \text{ if } z > 0}
#    \cdot \underbrace{\frac{\partial z}{\partial w_i}}_{x_i}, \qquad
#    \frac{\partial\,\text{out}}{\partial b} = \text{relu}'(z) \cdot 1. $$

# %%
xs = np.array([1.0, -2.0, 3.0])
w = np.array([-3.0, -1.0, 2.0])
b = 1.0
z = xs @ w + b
relu_slope = 1.0 if z > 0 else 0.0
by_hand_w = relu_slope * xs
by_hand_b = relu_slope
z, by_hand_w, by_hand_b

# %% [markdown]
# lucidnet applies the same rule, link by link from the output back to the weights, when we call
# `backward()`. The graph it recorded during the forward pass (the links it will run backward through):

# %%
wt = lucidnet.tensor(w, requires_grad=True)
bt = lucidnet.tensor(b, dtype=F64, requires_grad=True)
out = (lucidnet.tensor(xs) @ wt + bt).relu()
out.backward()
viz.graph(out, params={"w": wt, "b": bt})

# %%
numerical_w, numerical_b = numerical_derivative(lambda w, b: (lucidnet.tensor(xs) @ w + b).relu(), (w, b))
wt.grad, bt.grad, numerical_w, numerical_b

# %% [markdown]
# ## Many outputs: the Jacobian
#
# A layer has many outputs, each with partial derivatives with respect to each input: a matrix, the
# *Jacobian*. For a linear layer y = W x + b, output i is sum_j W_ij x_j + b_i, so dy_i/dx_j = W_ij: the
# Jacobian of a linear map is its matrix.

# %%
W = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
J = jacobian(lambda v: lucidnet.tensor(W) @ v + 1.0, lucidnet.tensor([0.3, -0.2, 0.9], dtype=F64))
J

# %% [markdown]
# ## Check
#
# By hand, by `backward()` and numerically, the chain rule gives the same partial derivatives.

# %%
assert abs(df_dx.item() - 4 * x) < 1e-6 and abs(df_dy.item() - 3) < 1e-6
assert np.allclose(wt.grad.numpy(), by_hand_w, atol=1e-6) and abs(bt.grad.item() - by_hand_b) < 1e-6
assert np.allclose(numerical_w.numpy(), by_hand_w, atol=1e-6) and abs(numerical_b.item() - by_hand_b) < 1e-6
assert np.allclose(J.numpy(), W)
print("chain rule by hand == backward() == numerical; the Jacobian of W x + b is W")
