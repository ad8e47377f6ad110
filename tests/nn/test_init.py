"""nn.init: bounds and moments of every initializer, fans and gains equal to PyTorch's, in place under
no_grad, generator= reproducibility; Linear's default init has PyTorch's bounds."""
import math
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
from lucidnet.nn import init


@pytest.mark.parametrize("shape", [(10, 20), (16, 3, 5, 5), (4, 2, 7), (1, 1)])
def test_fans_equal_torchs(shape):
    assert init._calculate_fan_in_and_fan_out(lucidnet.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match=re.escape("init: fan in and fan out can only be computed for a tensor with "
                                                   "at least 2 dimensions, got shape (5,).")):
        init.xavier_uniform_(lucidnet.empty(5))


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                                 ("tanh", None), ("relu", None), ("leaky_relu", None),
                                                 ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_gains_equal_torchs(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param),
                                                                     rel=1e-15)


def test_unknown_gain():
    with pytest.raises(ValueError, match=re.escape("calculate_gain: expected one of linear")):
        init.calculate_gain("swish")


def sample(fn, shape=(400, 500), **kwargs):
    lucidnet.manual_seed(0)
    return fn(lucidnet.empty(*shape), **kwargs).array.astype(np.float64)


@pytest.mark.parametrize("fn, kwargs, bound", [
    (init.uniform_, {"a": -0.3, "b": 0.7}, None),
    (init.xavier_uniform_, {}, math.sqrt(6 / 900)),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / 900)),
    (init.kaiming_uniform_, {}, math.sqrt(2 / (1 + 0.0)) * math.sqrt(3 / 500)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(500)),
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(6 / 400)),
])
def test_uniform_bounds_and_spread(fn, kwargs, bound):
    w = sample(fn, **kwargs)
    lo, hi = (kwargs["a"], kwargs["b"]) if fn is init.uniform_ else (-bound, bound)
    assert w.min() >= lo and w.max() <= hi
    assert w.min() < lo + 0.01 * (hi - lo) and w.max() > hi - 0.01 * (hi - lo)     # the range is used
    assert abs(w.std() / ((hi - lo) / math.sqrt(12)) - 1) < 0.01


@pytest.mark.parametrize("fn, kwargs, mean, std", [
    (init.normal_, {}, 0.0, 1.0),
    (init.normal_, {"mean": 0.0, "std": 0.01}, 0.0, 0.01),             # the tutorials' 0.01 * randn
    (init.normal_, {"mean": 3.0, "std": 2.0}, 3.0, 2.0),
    (init.xavier_normal_, {}, 0.0, math.sqrt(2 / 900)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, 0.0, math.sqrt(2 / 500)),
    (init.kaiming_normal_, {"mode": "fan_out"}, 0.0, math.sqrt(2 / 400)),
    (init.trunc_normal_, {"std": 0.5}, 0.0, None),
])
def test_normal_moments(fn, kwargs, mean, std):
    w = sample(fn, **kwargs)
    if std is None:                                         # N(0, 0.5^2) cut at +-2, 4 standard deviations:
        assert np.abs(w).max() <= 2
        std = 0.5 * 0.99946                                 # the spread shrinks by 0.05%
    assert abs(w.mean() - mean) < 5 * std / math.sqrt(w.size)
    assert abs(w.std() / std - 1) < 0.01


def test_trunc_normal_respects_the_bounds():
    w = sample(init.trunc_normal_, mean=0.0, std=1.0, a=-0.5, b=1.0)
    assert w.min() >= -0.5 and w.max() <= 1.0 and w.min() < -0.49 and w.max() > 0.99


def test_constants():
    t = lucidnet.empty(3, 2)
    assert (init.zeros_(t).array == 0).all()
    assert (init.ones_(t).array == 1).all()
    assert (init.constant_(t, 0.25).array == 0.25).all()
    assert init.eye_(lucidnet.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_in_place_on_parameters_without_recording():
    layer = nn.Linear(3, 2)
    w = layer.weight
    arr = w.array
    out = init.normal_(w)
    assert out is w and w.array is arr and w.requires_grad and w.grad_fn is None
    version = w._version[0]
    init.zeros_(w)
    assert w._version[0] == version + 1


def test_generator_makes_it_reproducible():
    a = init.kaiming_uniform_(lucidnet.empty(5, 5), generator=lucidnet.Generator().manual_seed(7))
    b = init.kaiming_uniform_(lucidnet.empty(5, 5), generator=7)
    np.testing.assert_array_equal(a.array, b.array)
    lucidnet.manual_seed(7)
    c = init.kaiming_uniform_(lucidnet.empty(5, 5))
    lucidnet.manual_seed(7)
    np.testing.assert_array_equal(c.array, init.kaiming_uniform_(lucidnet.empty(5, 5)).array)


def test_bad_arguments():
    with pytest.raises(ValueError, match=re.escape("init: expected mode 'fan_in' or 'fan_out', got 'fan_avg'.")):
        init.kaiming_normal_(lucidnet.empty(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match=re.escape("normal_: expected std >= 0, got -1.")):
        init.normal_(lucidnet.empty(2), std=-1)
    with pytest.raises(ValueError, match=re.escape("uniform_: expected a <= b, got a=1, b=0.")):
        init.uniform_(lucidnet.empty(2), 1, 0)


def test_zero_element_tensors_are_left_alone():
    assert init.kaiming_uniform_(lucidnet.empty(0, 3)).shape == (0, 3)


def test_linear_default_init_has_pytorchs_bounds():
    """PyTorch's Linear: weight and bias both U(-1/sqrt(in_features), 1/sqrt(in_features))."""
    lucidnet.manual_seed(0)
    ours = nn.Linear(300, 400)
    theirs = torch.nn.Linear(300, 400)
    bound = 1 / math.sqrt(300)
    for name in ("weight", "bias"):
        w, t = getattr(ours, name).array, getattr(theirs, name).detach().numpy()
        assert np.abs(w).max() <= bound and np.abs(t).max() <= bound
        assert np.abs(w).max() > 0.98 * bound
        if name == "weight":                     # 120,000 samples: the spreads agree closely
            assert abs(w.std() - t.std()) < 0.01 * bound
            assert abs(w.std() / (2 * bound / math.sqrt(12)) - 1) < 0.01
    assert ours.weight.dtype == np.float32 and ours.bias.dtype == np.float32


def test_reset_parameters_draws_again():
    layer = nn.Linear(4, 4)
    before = layer.weight.array.copy()
    layer.reset_parameters()
    assert not np.array_equal(before, layer.weight.array)


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    lucidnet.manual_seed(0)
    emb = nn.Embedding(1000, 100, padding_idx=3)
    w = emb.weight.array
    assert not w[3].any()
    assert abs(w.std() - 1) < 0.01 and abs(w.mean()) < 0.01
