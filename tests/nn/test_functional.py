"""lucidnet.nn.functional: every layer's math is there under PyTorch's name, the functions lucidnet.functional
already has are the same objects, and the index functions (one_hot, embedding) check their ids."""
import re

import numpy as np
import pytest
import torch

import lucidnet
import lucidnet.functional as core
import lucidnet.nn.functional as F

REQUIRED = F._activations + F._losses + ["linear", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softmax", "log_softmax",
            "dropout", "batch_norm", "layer_norm", "embedding", "one_hot", "mse_loss", "l1_loss", "huber_loss",
            "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "pad",
            "scaled_dot_product_attention", "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
            "adaptive_avg_pool2d", "dropout2d"]
LUCIDNET_ONLY = {"erf", "packed_self_attention"}


def test_every_function_is_there_with_a_doctest():
    assert sorted(F.__all__) == sorted(set(REQUIRED) | LUCIDNET_ONLY)
    for name in REQUIRED:
        fn = getattr(F, name)
        assert hasattr(torch.nn.functional, name), name
        if not fn.__module__.startswith("lucidnet.ops"):    # primitives keep their terse kernel docstrings
            assert fn.__doc__ and ">>>" in fn.__doc__, name


@pytest.mark.parametrize("name", ["linear", "softmax", "log_softmax", "pad", "sigmoid", "tanh"])
def test_reexports_are_the_same_objects(name):
    assert getattr(F, name) is getattr(core, name)


def test_relu_accepts_pytorchs_inplace_argument():
    x = lucidnet.tensor([-1.0, 1.0])
    assert F.relu(x, inplace=True).tolist() == [0.0, 1.0]
    assert x.tolist() == [-1.0, 1.0]


def test_one_hot_matches_torch():
    ids = np.array([[0, 3], [2, 2]])
    np.testing.assert_array_equal(F.one_hot(lucidnet.tensor(ids)).array,
                                  torch.nn.functional.one_hot(torch.tensor(ids)).numpy())
    out = F.one_hot(lucidnet.tensor([1, 0]), num_classes=5)
    assert out.dtype == np.int64 and out.shape == (2, 5)


def test_one_hot_errors():
    with pytest.raises(ValueError, match=re.escape("one_hot: expected class ids in [0, 3), got a value of 3.")):
        F.one_hot(lucidnet.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match=re.escape("one_hot: expected class ids in [0, 9223372036854775807), got a "
                                                   "value of -1.")):
        F.one_hot(lucidnet.tensor([-1, 2]))
    with pytest.raises(TypeError, match=re.escape("one_hot: expected integer class ids, got dtype float32. Convert "
                                                  "them with .long().")):
        F.one_hot(lucidnet.tensor([1.0]), 3)
    with pytest.raises(ValueError, match=re.escape("one_hot: cannot infer num_classes from an empty tensor; pass "
                                                   "num_classes.")):
        F.one_hot(lucidnet.tensor(np.zeros(0, dtype=np.int64)))


def test_embedding_function():
    w = lucidnet.randn(5, 3, requires_grad=True)
    ids = lucidnet.tensor([[4, 4, -1 + 5]])
    y = F.embedding(ids, w, padding_idx=-1)            # -1 is row 4: no gradient
    y.sum().backward()
    assert not w.grad.array[4].any()
    with pytest.raises(ValueError, match=re.escape("embedding: expected indices in [0, 5), got a value of 5.")):
        F.embedding(lucidnet.tensor([5]), w)
    with pytest.raises(TypeError, match=re.escape("embedding: expected integer indices, got dtype float64.")):
        F.embedding(np.array([1.5]), w)


def test_embedding_gradient_sums_repeated_ids():
    w = lucidnet.zeros(4, 2, requires_grad=True)
    ids = np.array([3, 1, 3, 3, 0])
    g = np.arange(10, dtype=np.float32).reshape(5, 2)
    F.embedding(lucidnet.tensor(ids), w).backward(lucidnet.tensor(g))
    expected = np.zeros((4, 2), np.float32)
    np.add.at(expected, ids, g)
    np.testing.assert_array_equal(w.grad.array, expected)
    empty = F.embedding(lucidnet.tensor(np.zeros((0,), np.int64)), w)
    empty.backward(lucidnet.zeros(0, 2))
    assert empty.shape == (0, 2)


def test_silu_is_composed_and_matches_x_sigmoid_x():
    x = lucidnet.tensor([-2.0, 0.5, 3.0])
    np.testing.assert_allclose(F.silu(x).array, (x * F.sigmoid(x)).array)
