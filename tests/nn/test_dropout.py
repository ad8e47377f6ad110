"""Dropout: the fraction zeroed, the scale of the survivors, expectation preserved, identity in eval mode,
seeding through lucidnet's generator, gradients through the same mask, p validation."""
import re

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
import lucidnet.nn.functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_statistics(p):
    lucidnet.manual_seed(0)
    x = lucidnet.ones(200, 500)
    y = nn.Dropout(p)(x).array
    n = y.size
    zeroed = np.mean(y == 0)
    assert abs(zeroed - p) < 4 * np.sqrt(p * (1 - p) / n)          # binomial: within 4 standard errors
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)    # survivors scaled up
    assert abs(y.mean() - 1) < 4 * np.sqrt(p / (1 - p) / n)          # expectation preserved


def test_eval_mode_is_the_identity():
    drop = nn.Dropout(0.5).eval()
    x = lucidnet.randn(3, 4)
    assert drop(x) is x
    assert F.dropout(x, 0.5, training=False) is x


def test_p_zero_and_one():
    x = lucidnet.randn(3, 4, requires_grad=True)
    assert nn.Dropout(0.0)(x) is x
    y = nn.Dropout(1.0)(x)
    assert not y.array.any()
    y.sum().backward()
    assert not x.grad.array.any()


def test_seeded_by_manual_seed_and_generator():
    x = lucidnet.ones(50)
    lucidnet.manual_seed(3)
    a = nn.Dropout()(x)
    lucidnet.manual_seed(3)
    b = nn.Dropout()(x)
    np.testing.assert_array_equal(a.array, b.array)
    c, d = F.dropout(x, generator=lucidnet.Generator().manual_seed(1)), F.dropout(x, generator=1)
    np.testing.assert_array_equal(c.array, d.array)
    assert not np.array_equal(F.dropout(x).array, F.dropout(x).array)   # fresh masks each call


def test_gradient_uses_the_same_mask():
    x = lucidnet.randn(10, 10, requires_grad=True)
    y = F.dropout(x, 0.3)
    y.backward(lucidnet.ones_like(y))
    np.testing.assert_allclose(x.grad.array, (y.array != 0) / 0.7, rtol=1e-6)


def test_keeps_the_dtype():
    assert F.dropout(lucidnet.ones(4, dtype=lucidnet.float64), 0.5).dtype == np.float64
    assert F.dropout(lucidnet.ones(4), 0.5).dtype == np.float32


def test_bad_p():
    with pytest.raises(ValueError, match=re.escape("dropout: expected p in [0, 1], got 2.")):
        F.dropout(lucidnet.ones(2), 2)
    with pytest.raises(ValueError, match=re.escape("Dropout: expected p, the probability of zeroing an element, "
                                                   "in [0, 1], got '0.5'.")):
        nn.Dropout("0.5")


def test_sequential_train_and_eval_switch_dropout():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    x = lucidnet.randn(8, 4)
    model.eval()
    np.testing.assert_array_equal(model(x).array, model(x).array)
    model.train()
    assert (model(x).array == 0).any()
