"""Every layer: output shape, parameter count, repr, the error text for a wrong input, config round trip
(Keras run_layer_test style, via layer_testing.run_layer_test); plus constructor argument errors."""

import numpy as np
import pytest

import lucidnet
from lucidnet import nn

from helpers import raises
from layer_testing import run_layer_test

L784 = "Linear(in_features=784, out_features=10, bias=True)"
BN = "BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"

CASES = [
    # layer, input shape, output shape, parameters, repr, wrong input shape, error text
    (lambda: nn.Linear(784, 10), (32, 784), (32, 10), 7850, L784, (32, 28, 28),
     f"{L784}: expected input of shape (*, 784), got (32, 28, 28). Did you forget a Flatten()?"),
    (lambda: nn.Linear(784, 10), (2, 5, 784), (2, 5, 10), 7850, L784, (32, 100),
     f"{L784}: expected input of shape (*, 784), got (32, 100)."),
    (lambda: nn.Linear(784, 10), (1, 784), (1, 10), 7850, L784, (784, 32),
     f"{L784}: expected input of shape (*, 784), got (784, 32). Is the input transposed? Rows are samples."),
    (lambda: nn.Linear(4, 3, bias=False), (5, 4), (5, 3), 12, "Linear(in_features=4, out_features=3, bias=False)",
     (5, 3), "Linear(in_features=4, out_features=3, bias=False): expected input of shape (*, 4), got (5, 3)."),
    (lambda: nn.Dense(10, activation="relu", in_features=784), (32, 784), (32, 10), 7850,
     "Dense(units=10, activation='relu', in_features=784)", (32, 1, 28, 28),
     "Dense(units=10, activation='relu', in_features=784): expected input of shape (*, 784), got (32, 1, 28, 28). "
     "Did you forget a Flatten()?"),
    (lambda: nn.Dense(3, use_bias=False, weight_bounds=(-0.5, 0.5)), (4, 6), (4, 3), 18,
     "Dense(units=3, use_bias=False, weight_bounds=(-0.5, 0.5), in_features=6)", (4, 5),
     "Dense(units=3, use_bias=False, weight_bounds=(-0.5, 0.5), in_features=6): expected input of shape (*, 6), "
     "got (4, 5)."),
    (lambda: nn.Identity(54, unused="ok"), (3, 4), (3, 4), 0, "Identity()", None, None),
    (lambda: nn.Flatten(), (32, 1, 28, 28), (32, 784), 0, "Flatten(start_dim=1, end_dim=-1)", (5,),
     "Flatten(start_dim=1, end_dim=-1): expected input with at least 2 dimensions, got shape (5,)."),
    (lambda: nn.Flatten(0, 1), (2, 3, 4), (6, 4), 0, "Flatten(start_dim=0, end_dim=1)", (5,),
     "Flatten(start_dim=0, end_dim=1): expected input with at least 2 dimensions, got shape (5,)."),
    (lambda: nn.ReLU(), (3, 4), (3, 4), 0, "ReLU()", None, None),
    (lambda: nn.ReLU(inplace=True), (3, 4), (3, 4), 0, "ReLU(inplace=True)", None, None),
    (lambda: nn.LeakyReLU(0.2), (3, 4), (3, 4), 0, "LeakyReLU(negative_slope=0.2)", None, None),
    (lambda: nn.ELU(alpha=0.5), (3, 4), (3, 4), 0, "ELU(alpha=0.5)", None, None),
    (lambda: nn.Sigmoid(), (3, 4), (3, 4), 0, "Sigmoid()", None, None),
    (lambda: nn.Tanh(), (3,), (3,), 0, "Tanh()", None, None),
    (lambda: nn.Softmax(dim=1), (3, 4), (3, 4), 0, "Softmax(dim=1)", (4,),
     "Softmax(dim=1): expected input with at least 2 dimensions, got shape (4,)."),
    (lambda: nn.LogSoftmax(dim=-2), (3, 4), (3, 4), 0, "LogSoftmax(dim=-2)", (4,),
     "LogSoftmax(dim=-2): expected input with at least 2 dimensions, got shape (4,)."),
    (lambda: nn.GELU(), (3, 4), (3, 4), 0, "GELU(approximate='none')", None, None),
    (lambda: nn.GELU("tanh"), (3, 4), (3, 4), 0, "GELU(approximate='tanh')", None, None),
    (lambda: nn.SiLU(), (3, 4), (3, 4), 0, "SiLU()", None, None),
    (lambda: nn.Dropout(0.2), (3, 4), (3, 4), 0, "Dropout(p=0.2, inplace=False)", None, None),
    (lambda: nn.BatchNorm1d(8), (16, 8), (16, 8), 16, BN, (16, 4),
     f"{BN}: expected input of shape (N, 8) or (N, 8, L), got (16, 4)."),
    (lambda: nn.BatchNorm1d(8), (4, 8, 5), (4, 8, 5), 16, BN, (4, 5, 8),
     f"{BN}: expected input of shape (N, 8) or (N, 8, L), got (4, 5, 8). Channels come first: for (N, L, 8) "
     f"inputs, use x.transpose(1, 2)."),
    (lambda: nn.BatchNorm1d(3, momentum=None, affine=False), (4, 3), (4, 3), 0,
     "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)", (2, 3, 4, 4),
     "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True): expected input of shape "
     "(N, 3) or (N, 3, L), got (2, 3, 4, 4). 4-d inputs (N, C, H, W) need a BatchNorm2d."),
    (lambda: nn.LayerNorm(384), (2, 5, 384), (2, 5, 384), 768,
     "LayerNorm((384,), eps=1e-05, elementwise_affine=True)", (2, 384, 5),
     "LayerNorm((384,), eps=1e-05, elementwise_affine=True): expected input of shape (*, 384), got (2, 384, 5)."),
    (lambda: nn.LayerNorm((3, 4), bias=False), (2, 3, 4), (2, 3, 4), 12,
     "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)", (3,),
     "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True): expected input of shape (*, 3, 4), got (3,)."),
    (lambda: nn.LayerNorm(4, eps=1e-3, elementwise_affine=False), (2, 4), (2, 4), 0,
     "LayerNorm((4,), eps=0.001, elementwise_affine=False)", None, None),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[4])
def test_layer(case):
    make, shape, out_shape, params, text, bad, error = case
    run_layer_test(make(), shape, out_shape, params, text, bad, error)


def test_embedding_layer():
    run_layer_test(nn.Embedding(1000, 64), (8, 12), (8, 12, 64), 64000, "Embedding(1000, 64)", ids_high=1000)
    run_layer_test(nn.Embedding(10, 3, padding_idx=-1), (4,), (4, 3), 30, "Embedding(10, 3, padding_idx=9)",
                   ids_high=10)


def test_dense_built_on_first_call():
    run_layer_test(nn.Dense(5, activation="tanh"), (4, 7), (4, 5), 40,
                   "Dense(units=5, activation='tanh', in_features=7)")


@pytest.mark.parametrize("make, bad, error, kind", [
    (lambda: nn.Embedding(1000, 64), np.array([[3, 1000]]), "Embedding(1000, 64): expected indices in [0, 1000), "
     "got a value of 1000.", ValueError),
    (lambda: nn.Embedding(1000, 64), np.array([-1, 3]), "Embedding(1000, 64): expected indices in [0, 1000), "
     "got a value of -1.", ValueError),
    (lambda: nn.Embedding(10, 4), np.array([1.0, 2.0], dtype=np.float32), "Embedding(10, 4): expected integer "
     "indices, got dtype float32. Convert them with .long().", TypeError),
    (lambda: nn.Linear(3, 2), [[1.0, 2.0, 3.0]], "Linear(in_features=3, out_features=2, bias=True): expected a "
     "lucidnet Tensor as input, got list.", TypeError),
    (lambda: nn.Dense(3), lucidnet.tensor(2.0), "Dense(units=3): expected input of shape (*, in_features), got a "
     "0-d tensor.", ValueError),
])
def test_wrong_inputs(make, bad, error, kind):
    layer = make()
    with raises(kind, error):
        layer(lucidnet.tensor(bad) if isinstance(bad, np.ndarray) else bad)


@pytest.mark.parametrize("make, error", [
    (lambda: nn.Linear(3.5, 2), "Linear: expected in_features to be an integer >= 0, got 3.5."),
    (lambda: nn.Linear(3, -1), "Linear: expected out_features to be an integer >= 0, got -1."),
    (lambda: nn.Dense(0), "Dense: expected units to be a positive integer, got 0."),
    (lambda: nn.Dense(3, activation="relu6"), "Dense: expected an activation name (elu, gelu, leaky_relu, linear, "
     "log_softmax, relu, sigmoid, silu, softmax, swish, tanh), a callable or None, got 'relu6'."),
    (lambda: nn.Dense(3, weight_bounds=(1, -1)), "Dense: expected weight_bounds (a, b) with a <= b, got (1, -1)."),
    (lambda: nn.Dense(3, kernel_initializer="orthogonal"), "Dense: expected kernel_initializer to be one of "
     "glorot_normal, glorot_uniform, he_normal, he_uniform, kaiming_normal, kaiming_uniform, lecun_normal, "
     "lecun_uniform, ones, random_normal, random_uniform, xavier_normal, xavier_uniform, zeros or a function, "
     "got 'orthogonal'."),
    (lambda: nn.Dropout(1.5), "Dropout: expected p, the probability of zeroing an element, in [0, 1], got 1.5."),
    (lambda: nn.Dropout(-0.1), "Dropout: expected p, the probability of zeroing an element, in [0, 1], got -0.1."),
    (lambda: nn.BatchNorm1d(0), "BatchNorm1d: expected num_features to be a positive integer, got 0."),
    (lambda: nn.BatchNorm1d(4, momentum=1.5), "BatchNorm1d: expected momentum in [0, 1] or None, got 1.5."),
    (lambda: nn.LayerNorm((3, 0)), "LayerNorm: expected normalized_shape to be a positive integer, got 0."),
    (lambda: nn.LayerNorm(3, eps=0), "LayerNorm: expected eps > 0, got 0."),
    (lambda: nn.Embedding(10, 3, padding_idx=10), "Embedding: expected padding_idx in [-10, 10), got 10."),
    (lambda: nn.GELU("fast"), "GELU: expected approximate 'none' or 'tanh', got 'fast'."),
    (lambda: nn.CrossEntropyLoss(reduction="avg"), "CrossEntropyLoss: expected reduction 'mean', 'sum' or 'none', "
     "got 'avg'."),
    (lambda: nn.CrossEntropyLoss(label_smoothing=1.5),
     "CrossEntropyLoss: expected label_smoothing in [0, 1], got 1.5."),
    (lambda: nn.HuberLoss(delta=0), "HuberLoss: expected delta > 0, got 0."),
])
def test_constructor_errors(make, error):
    with raises(ValueError, error):
        make()


def test_layers_in_a_sequential_print_like_pytorch():
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 10))
    assert repr(model) == (
        "Sequential(  # 102,026 parameters\n"
        "  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=128, bias=True)  # 100,480\n"
        "  (2): BatchNorm1d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)  # 256\n"
        "  (3): ReLU()\n"
        "  (4): Dropout(p=0.2, inplace=False)\n"
        "  (5): Linear(in_features=128, out_features=10, bias=True)  # 1,290\n"
        ")")
    assert model(lucidnet.zeros(4, 1, 28, 28)).shape == (4, 10)


def test_every_layer_has_a_docstring_example():
    for name in ["Linear", "Dense", "Identity", "Flatten", "ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Softmax",
                 "LogSoftmax", "GELU", "SiLU", "Dropout", "BatchNorm1d", "LayerNorm", "Embedding", "MSELoss",
                 "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"]:
        doc = getattr(nn, name).__doc__
        assert doc and "Example:" in doc and ">>>" in doc, name


def test_embedding_with_given_weight_draws_nothing():
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    lucidnet.manual_seed(0)
    expected_next = lucidnet.randn(1).item()
    lucidnet.manual_seed(0)
    emb = nn.Embedding(3, 2, _weight=w)
    assert lucidnet.randn(1).item() == expected_next                  # the generator was not used
    assert np.shares_memory(emb.weight.array, w) and emb.weight.requires_grad
    assert not nn.Embedding(3, 2, _weight=w, _freeze=True).weight.requires_grad
    frozen = nn.Embedding.from_pretrained(lucidnet.tensor(w))
    assert not frozen.weight.requires_grad and not np.shares_memory(frozen.weight.array, w)
    with pytest.raises(ValueError, match=r"^Embedding: expected _weight of shape \(4, 2\), got \(3, 2\)\.$"):
        nn.Embedding(4, 2, _weight=w)
