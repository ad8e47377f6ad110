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
# # 13. Autograd, PyTorch style
#
# Everything so far in one mechanism. A tensor created with `requires_grad=True` makes lucidnet record
# every operation on it; `backward()` runs the chain rule over that record, from the result back to every
# such tensor, and leaves each one's gradient in `.grad`. The code is PyTorch's: `import lucidnet as torch`
# runs it.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet as torch                         # PyTorch's names, lucidnet underneath
from lucidnet import plots, viz
from lucidnet.autograd import gradcheck, primitive
from lucidnet.autograd.functional import hessian, jacobian

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings

# %% [markdown]
# ## Recording and backward()

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
z = (y ** 2).mean()
z, z.grad_fn, z.grad_fn.next_functions

# %%
z.backward()
x.grad                                            # dz/dx = 2 * 2 * (2x) / 3 = 8x / 3

# %% [markdown]
# The record is a graph: each operation a node (its `grad_fn`), pointing at the nodes that made its inputs.

# %%
viz.graph(z, params={"x": x})

# %% [markdown]
# ## Gradients add up; zero_grad resets them
#
# Calling `backward()` again *adds* to `.grad` (useful when one batch is split into pieces). So a training
# loop clears them before each backward: `optimizer.zero_grad()`, or by hand as here.

# %%
w = torch.tensor(1.0, requires_grad=True)
for _ in range(3):
    (w * 3).backward()
accumulated = w.grad.item()
w.grad.zero_()
accumulated, w.grad.item()

# %% [markdown]
# ## Training by hand: no_grad for the update
#
# The weight update itself must not be recorded (it is not part of the model), hence `torch.no_grad()`.
# Learning y = 2x with one weight and a learning rate of 0.01:

# %%
X = torch.tensor([1.0, 2.0, 3.0, 4.0])
Y = torch.tensor([2.0, 4.0, 6.0, 8.0])
w = torch.tensor(0.0, requires_grad=True)
losses = []
for epoch in range(100 if not QUICK else 60):
    loss = ((w * X - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
    losses.append(loss.item())
print(f"f(5) = {(w * 5).item():.3f}")
plots.plot_history({"loss": losses}, title="Learning y = 2x with one weight")

# %% [markdown]
# ## Your own operation, checked
#
# A new operation is a NumPy function that returns its result and the rule for its backward pass.
# `gradcheck` compares that rule with finite differences (in float64): a correct rule passes, a wrong one
# is caught with the largest disagreement named.

# %%
@primitive
def my_softplus(x):
    out = np.log1p(np.exp(x))
    return out, lambda g: (g / (1 + np.exp(-x)),)      # d/dx log(1 + e^x) = sigmoid(x)

@primitive
def my_softplus_wrong(x):
    return np.log1p(np.exp(x)), lambda g: (g / (1 + np.exp(x)),)   # sign mistake

t = torch.randn(5, dtype=torch.float64, requires_grad=True)
right = gradcheck(my_softplus, t)
wrong = gradcheck(my_softplus_wrong, t, raise_exception=False)
right, wrong

# %% [markdown]
# ## Whole derivatives: Jacobian and Hessian
#
# `torch.autograd.functional.jacobian` collects every partial derivative of a function with several
# outputs; `hessian` the second derivatives of a scalar one (the curvature of a loss). For
# f(v) = vᵀ A v the Hessian is A + Aᵀ.

# %%
A = torch.tensor([[2.0, 1.0], [0.0, 3.0]], dtype=torch.float64)
v = torch.tensor([1.0, -1.0], dtype=torch.float64)
H = hessian(lambda v: v @ A @ v, v)
J = jacobian(lambda v: A @ v, v)
H, J

# %% [markdown]
# ## Check

# %%
assert np.allclose(x.grad.numpy(), 8 * np.array([1.0, 2.0, 3.0]) / 3)
assert accumulated == 9.0
assert right is True and wrong is False
assert abs((w * 5).item() - 10.0) < (0.05 if QUICK else 1e-3)
assert np.allclose(H.numpy(), (A + A.T).numpy(), atol=1e-6) and np.allclose(J.numpy(), A.numpy())
print("backward() follows the chain rule; gradcheck catches a wrong backward; the Hessian of vᵀAv is A + Aᵀ")
