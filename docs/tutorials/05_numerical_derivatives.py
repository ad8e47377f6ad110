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
# # 5. Derivatives, numerically: slopes and tangent lines
#
# To lower the loss we must know which way to move each weight, and by how much the loss changes when we
# do: the *derivative*. The first way to get it needs no calculus at all. Move the input a tiny step `h`
# and measure how much the output moved:
#
# $$ f'(x) \approx \frac{f(x + h) - f(x)}{h}. $$
#
# That is the slope of the line through two close points of the curve (a *secant*). As `h` shrinks, the
# secant turns into the *tangent*: the straight line that touches the curve at x and follows it most
# closely there.

# %%
# %matplotlib inline
import os

import numpy as np

import lucidnet
from lucidnet import plots
from lucidnet.autograd import numerical_derivative

QUICK = os.environ.get("LUCIDNET_QUICK") == "1"     # CI runs every tutorial with small settings

def f(x):
    return 2 * x ** 2

# %% [markdown]
# ## The slope between two close points
#
# For f(x) = 2x², calculus says f'(x) = 4x, so f'(1) = 4. The forward difference gets closer as h shrinks:

# %%
for h in [1.0, 0.1, 0.01, 0.001, 1e-6]:
    slope = (f(1 + h) - f(1)) / h
    print(f"h = {h:<8g} slope = {slope:.8f}   error = {slope - 4:.2e}")

# %% [markdown]
# The error is exactly 2h here: the forward difference is off by a term proportional to h (first order).
# Taking the two points *symmetrically*, at x - h and x + h, cancels that term; the *central difference* is
# off by a term in h², far smaller for the same h. Too small an h brings a different error back: the two
# values differ only in their last digits and floating point loses them (try h = 1e-12 in float32).
#
# `lucidnet.autograd.numerical_derivative` does this for any function of tensors, in float64, with the
# method you choose. For a parabola the central difference is exact (its h² term is zero), so we compare
# the two methods on x³, whose derivative at 1 is 3: dividing h by 10 divides the forward error by 10, and
# the central one by 100.

# %%
def cube(x):
    return x ** 3

for method in ["forward", "central"]:
    for h in [0.1, 0.01]:
        d = numerical_derivative(cube, 1.0, eps=h, method=method).item()
        print(f"{method:8s} h = {h:<5g} f'(1) = {d:.10f}   error = {d - 3:.1e}")

# %% [markdown]
# ## Tangent lines
#
# The tangent at a is y = f(a) + f'(a)(x - a). Drawn at three points of a less friendly function: where the
# curve rises the slope is positive, where it falls negative, at the bottom of a valley zero. The lower panel
# is the derivative itself, each tangent's slope a dot on it. Minimising a loss means walking to where this
# lower curve crosses zero.

# %%
def g(x):
    return x ** 3 - 3 * x

plots.plot_derivative(g, x_range=(-2.5, 2.5), at=[-2.0, 1.0, 1.8])

# %% [markdown]
# The slopes in that picture come from lucidnet's `backward()` (the next tutorials explain how). They
# match the numerical derivative:

# %%
points = [-2.0, 1.0, 1.8]
with_backward, numerical = [], []
for a in points:
    t = lucidnet.tensor(a, dtype=lucidnet.float64, requires_grad=True)
    g(t).backward()
    with_backward.append(t.grad.item())
    numerical.append(numerical_derivative(g, a).item())
list(zip(points, with_backward, numerical))

# %% [markdown]
# ## Check
#
# Every tangent's slope equals the numerical derivative (and calculus: 3a² - 3), and the central difference
# beats the forward one at the same step.

# %%
for a, s, n in zip(points, with_backward, numerical):
    assert abs(s - n) < 1e-6 and abs(s - (3 * a ** 2 - 3)) < 1e-9, (a, s, n)
forward_error = abs(numerical_derivative(cube, 1.0, eps=1e-3, method="forward").item() - 3)
central_error = abs(numerical_derivative(cube, 1.0, eps=1e-3).item() - 3)
assert central_error < forward_error / 100
print("tangent slopes == numerical derivatives; central error", central_error, "forward error", forward_error)
