"""BatchNorm1d's running statistics over several training steps and its eval outputs, against torch;
momentum=None (cumulative average), track_running_stats=False, train/eval switching; LayerNorm's fused op
against the composite formula."""
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
import lucidnet.nn.functional as F

from layer_testing import assert_close, torch_pair

rng = np.random.default_rng(5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (8, 4)),
    ({"momentum": 0.3}, (5, 4, 3)),
    ({"momentum": None}, (6, 4)),                     # cumulative moving average
    ({"affine": False, "eps": 1e-3}, (4, 4, 2)),
])
def test_running_stats_over_training_steps_match_torch(kwargs, shape, dtype):
    ours, theirs = torch_pair(nn.BatchNorm1d(4, **kwargs), torch.nn.BatchNorm1d(4, **kwargs), dtype)
    for step in range(5):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(dtype)
        assert_close(ours(lucidnet.tensor(x)), theirs(torch.tensor(x)), dtype, f"train output, step {step}")
        assert_close(ours.running_mean, theirs.running_mean, dtype, "running_mean")
        assert_close(ours.running_var, theirs.running_var, dtype, "running_var")
        assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == step + 1
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape).astype(dtype)
    assert_close(ours(lucidnet.tensor(x)), theirs(torch.tensor(x)), dtype, "eval output")
    assert int(ours.num_batches_tracked.item()) == 5                      # eval does not count
    assert ours.num_batches_tracked.dtype == np.int64


def test_running_var_is_unbiased_and_normalization_biased():
    bn = nn.BatchNorm1d(1, momentum=1.0)             # running stats = the last batch's
    x = lucidnet.tensor([[1.0], [2.0], [3.0], [6.0]])
    y = bn(x)
    assert bn.running_mean.item() == pytest.approx(3.0)
    assert bn.running_var.item() == pytest.approx(np.var([1, 2, 3, 6], ddof=1))
    np.testing.assert_allclose(y.array[:, 0], (x.array[:, 0] - 3) / np.sqrt(np.var([1, 2, 3, 6]) + 1e-5), rtol=1e-6)


def test_eval_uses_running_stats_and_train_switches_back():
    bn = nn.BatchNorm1d(2)
    with lucidnet.no_grad():
        bn.running_mean.array[...] = [1.0, -1.0]
        bn.running_var.array[...] = [4.0, 0.25]
    x = lucidnet.tensor([[3.0, 0.0], [1.0, -1.0]])
    out = bn.eval()(x)
    np.testing.assert_allclose(out.array, (x.array - [1, -1]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5), rtol=1e-6)
    assert bn.num_batches_tracked.item() == 0
    out = bn.train()(x)
    np.testing.assert_allclose(out.array.mean(axis=0), 0, atol=1e-6)
    assert bn.num_batches_tracked.item() == 1


def test_without_running_stats_eval_uses_the_batch():
    ours, theirs = torch_pair(nn.BatchNorm1d(3, track_running_stats=False),
                              torch.nn.BatchNorm1d(3, track_running_stats=False), np.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    assert ours.running_mean is None and ours.num_batches_tracked is None
    ours.eval(), theirs.eval()
    x = rng.standard_normal((5, 3)) * 3 + 1
    assert_close(ours(lucidnet.tensor(x)), theirs(torch.tensor(x)), np.float64, "eval output")


def test_training_on_one_sample_is_a_clear_error():
    bn = nn.BatchNorm1d(4)
    msg = ("batch_norm: expected more than 1 value per channel when training, got input of shape (1, 4). "
           "Use a batch of at least 2 samples, or call model.eval().")
    with pytest.raises(ValueError, match=re.escape(msg)):
        bn(lucidnet.zeros(1, 4))
    assert bn.num_batches_tracked.item() == 0          # a failed step is not counted
    assert bn.eval()(lucidnet.zeros(1, 4)).shape == (1, 4)


def test_batch_norm_functional_errors():
    x = lucidnet.zeros(4, 3)
    with pytest.raises(ValueError, match=re.escape("batch_norm: expected running_mean of shape (3,) for input of "
                                                   "shape (4, 3), got (4,).")):
        F.batch_norm(x, lucidnet.zeros(4), lucidnet.ones(3), training=True)
    with pytest.raises(ValueError, match=re.escape("batch_norm: expected input of shape (N, C), (N, C, L) or "
                                                   "(N, C, H, W), got (4,).")):
        F.batch_norm(lucidnet.zeros(4), None, None, training=True)
    with pytest.raises(ValueError, match=re.escape("batch_norm: expected running_mean and running_var when "
                                                   "training=False, got None.")):
        F.batch_norm(x, None, None)


def test_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(lucidnet.randn(4, 2) + 3)
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_layer_norm_equals_the_composite_formula(dtype):
    x = lucidnet.tensor(rng.standard_normal((3, 5, 8)).astype(dtype) * 4 + 2, requires_grad=True)
    w = lucidnet.tensor(rng.standard_normal(8).astype(dtype), requires_grad=True)
    b = lucidnet.tensor(rng.standard_normal(8).astype(dtype), requires_grad=True)
    g = lucidnet.tensor(rng.standard_normal((3, 5, 8)).astype(dtype))
    fused = F.layer_norm(x, (8,), w, b)
    fused.backward(g)
    grads = [t.grad.array.copy() for t in (x, w, b)]
    for t in (x, w, b):
        t.grad = None
    mu = x.mean(-1, keepdim=True)
    composite = (x - mu) / ((x - mu).pow(2).mean(-1, keepdim=True) + 1e-5).sqrt() * w + b
    composite.backward(g)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fused.array, composite.array, **tol)
    for got, t in zip(grads, (x, w, b)):
        np.testing.assert_allclose(got, t.grad.array, **tol)


def test_layer_norm_functional_errors():
    with pytest.raises(ValueError, match=re.escape("layer_norm: expected input of shape (*, 4), got (3, 5).")):
        F.layer_norm(lucidnet.zeros(3, 5), (4,))
    with pytest.raises(ValueError, match=re.escape("layer_norm: expected weight of shape (4,), got (5,).")):
        F.layer_norm(lucidnet.zeros(3, 4), 4, lucidnet.ones(5))


def test_layer_norm_is_the_same_in_train_and_eval():
    ln = nn.LayerNorm(6)
    x = lucidnet.randn(4, 6)
    np.testing.assert_array_equal(ln(x).array, ln.eval()(x).array)
