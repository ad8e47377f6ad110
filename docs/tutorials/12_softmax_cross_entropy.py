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
# # 12. Softmax with cross-entropy, and the gradient p - y
#
# The softmax turns scores into probabilities, $p_i = e^{s_i} / \sum_j e^{s_j}$, and the cross-entropy
# charges $-\log p_y$ for the right class y. Each has a messy derivative of its own. Composed, they
# simplify to almost nothing:
#
# $$ \frac{\partial L}{\partial s_i} = p_i - y_i \qquad (y \text{ one-hot}). $$
#
# Why: the softmax's Jacobian is $\partial p_i / \partial s_j = p_i(\delta_{ij} - p_j)$, and
# $\partial L / \partial p_i = -y_i / p_i$. By the chain rule,
# $\partial L / \partial s_j = \sum_i -\frac{y_i}{p_i}\, p_i (\delta_{ij} - p_j) = -y_j + p_j \sum_i y_i = p_j - y_j$.
#
# That is why libraries fuse the two into one operation (`nn.CrossEntropyLoss` takes scores): the fused
# backward is a subtraction, cheaper and numerically safer than going through $1/p$, which blows up when a
# probability underflows to zero.

# %%
# %matplotlib inline
import os

import numpy as np
from matplotlib.figure import Figure

import lucidnet
from lucidnet import nn
from lucidnet.autograd.functional import jacobian

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings
F64 = lucidnet.float64

# %% [markdown]
# ## The softmax's Jacobian is diag(p) - p pᵀ

# %%
s = lucidnet.tensor([2.0, 1.0, 0.1], dtype=F64)
p = s.softmax(dim=0).numpy()
J = jacobian(lambda s: s.softmax(dim=0), s).numpy()
J, np.diag(p) - np.outer(p, p)

# %% [markdown]
# ## The fused gradient
#
# For a batch of N samples the loss is the mean, so each row's gradient is divided by N.

# %%
rng = np.random.default_rng(0)
scores = lucidnet.tensor(rng.normal(size=(4, 3)) * 2, dtype=F64, requires_grad=True)
targets = np.array([0, 2, 1, 2])
loss = nn.CrossEntropyLoss()(scores, lucidnet.tensor(targets))
loss.backward()

P = scores.detach().softmax(dim=1).numpy()
Y = np.eye(3)[targets]
p_minus_y = (P - Y) / len(targets)
scores.grad.numpy(), p_minus_y

# %% [markdown]
# The same gradient, going the long way: softmax as its own step, then the log and the mean, with
# `backward()` through each. Equal, but it needs $\log p$ of a probability that may round to 0:

# %%
scores2 = lucidnet.tensor(scores.detach().numpy(), requires_grad=True)
long_way = -(scores2.softmax(dim=1).log() * lucidnet.tensor(Y)).sum(dim=1).mean()
long_way.backward()
far = lucidnet.tensor([[0.0, 120.0, -120.0]], dtype=lucidnet.float32, requires_grad=True)
with np.errstate(divide="ignore"):
    unfused = -(far.softmax(dim=1).log())[0, 2]          # p = e^-240 underflows in float32: log(0) = -inf
fused = nn.CrossEntropyLoss()(far, lucidnet.tensor([2]))
unfused.item(), fused.item()

# %% [markdown]
# ## What the gradient says
#
# p - y pushes the right class's score up by (1 - p) and every other score down by its probability: a
# confident mistake gets the largest push. For one sample:

# %%
fig = Figure(figsize=(7, 3), layout="constrained")
ax1, ax2 = fig.subplots(1, 2)
one = P[1]
ax1.bar(range(3), one, color=["C0", "C0", "C2"])
ax1.set_title(f"p (right class: {targets[1]})")
ax1.set_ylim(0, 1)
ax2.bar(range(3), one - Y[1], color=["C3" if v > 0 else "C2" for v in one - Y[1]])
ax2.axhline(0, color="black", linewidth=0.5)
ax2.set_title("dL/ds = p - y")
for ax in (ax1, ax2):
    ax.set_xticks(range(3))
fig

# %% [markdown]
# ## Check

# %%
assert np.allclose(J, np.diag(p) - np.outer(p, p), atol=1e-12)
assert np.allclose(scores.grad.numpy(), p_minus_y, atol=1e-6)
assert np.allclose(scores2.grad.numpy(), p_minus_y, atol=1e-6)
assert not np.isfinite(unfused.item()) and abs(fused.item() - 240.0) < 1e-3
print("dL/ds == (softmax(s) - onehot(y)) / N; the fused loss stays finite where the long way overflows")
