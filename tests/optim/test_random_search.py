"""optim.RandomSearch: keeps a step only when the loss falls; fits the easy `vertical` data but not `spiral`,
where gradient descent on the same network does; PyTorch's closure protocol; state_dict round trip; errors."""
import re

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.data import spiral, vertical
from lucidnet.optim import Adam, RandomSearch


def accuracy_after(data, optimizer, steps, seed=0):
    lucidnet.manual_seed(seed)
    X, y = (lucidnet.tensor(a) for a in data(100, 3, seed=seed))
    model, loss_fn = nn.MLP([2, 64, 3]), nn.CrossEntropyLoss()
    opt = optimizer(model.parameters())

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()                       # RandomSearch ignores gradients; Adam needs them
        return loss

    for _ in range(steps):
        opt.step(closure)
    with lucidnet.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def test_random_search_fits_vertical_but_not_spiral_where_gradients_do():
    random = lambda params: RandomSearch(params, scale=0.05)          # noqa: E731
    adam = lambda params: Adam(params, lr=0.05)                        # noqa: E731
    assert accuracy_after(vertical, random, 300) > 0.8
    assert accuracy_after(spiral, random, 300) < 0.6
    assert accuracy_after(spiral, adam, 300) > 0.8


def test_only_improvements_are_kept():
    lucidnet.manual_seed(0)
    w = lucidnet.tensor([2.0, -1.0])
    opt = RandomSearch([w], scale=1.0)
    seen = []

    def closure():
        loss = float((w.array ** 2).sum())
        seen.append((w.array.copy(), loss))
        return loss
    results = [opt.step(closure) for _ in range(50)]
    assert results == sorted(results, reverse=True)                    # never up
    best_w, best_loss = min(seen, key=lambda s: s[1])
    np.testing.assert_array_equal(w.array, best_w)                      # the weights of the best loss are kept
    assert opt.best_loss == best_loss == results[-1]
    assert opt.tried == 50 and 0 < opt.accepted < 50


def test_nan_is_never_better_and_state_round_trips():
    w = lucidnet.tensor([1.0])
    opt = RandomSearch([w], scale=0.1, generator=lucidnet.Generator().manual_seed(0))
    opt.step(lambda: (w * w).sum())
    before = w.array.copy()
    opt.step(lambda: float("nan"))
    np.testing.assert_array_equal(w.array, before)
    fresh = RandomSearch([w], scale=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert (fresh.best_loss, fresh.tried, fresh.accepted) == (opt.best_loss, opt.tried, opt.accepted)
    assert fresh.param_groups[0]["scale"] == 0.1


@pytest.mark.parametrize("call, error, message", [
    (lambda w: RandomSearch([w], scale=0), ValueError, "RandomSearch: expected a positive step scale, got 0."),
    (lambda w: RandomSearch([w], generator=0), TypeError,
     "RandomSearch: expected generator to be a lucidnet.Generator, got int."),
    (lambda w: RandomSearch([w]).step(), RuntimeError,
     "RandomSearch.step(): expected a closure that returns the loss, got none;"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call(lucidnet.zeros(2, requires_grad=True))
