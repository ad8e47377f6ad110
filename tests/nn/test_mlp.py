"""nn.MLP: the same network as the Sequential written out (layers, keys, outputs), every activation spelling,
trained with fit and with a plain loop, saved and loaded by architecture, and the errors for bad sizes."""
import collections
import re

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.data import spiral


def test_mlp_equals_the_explicit_sequential():
    lucidnet.manual_seed(0)
    mlp = nn.MLP([784, 128, 64, 10])
    lucidnet.manual_seed(0)
    explicit = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    assert list(mlp.state_dict()) == list(explicit.state_dict()) == [
        "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    for a, b in zip(mlp.parameters(), explicit.parameters()):          # same init stream: same weights
        np.testing.assert_array_equal(a.array, b.array)
    x = lucidnet.randn(5, 784)
    np.testing.assert_array_equal(mlp(x).array, explicit(x).array)
    assert repr(mlp).split("\n", 1)[1] == repr(explicit).split("\n", 1)[1]
    assert mlp.num_parameters() == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    explicit.load_state_dict(mlp.state_dict())                           # weights move both ways


@pytest.mark.parametrize("activation, output_activation, layers", [
    ("tanh", "softmax", ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Softmax"]),
    (nn.Sigmoid, None, ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]),
    ("LeakyReLU", "log_softmax", ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear", "LogSoftmax"]),
    (None, "sigmoid", ["Linear", "Linear", "Linear", "Sigmoid"]),
])
def test_activation_spellings(activation, output_activation, layers):
    model = nn.MLP([3, 5, 4, 2], activation=activation, output_activation=output_activation)
    assert [type(m).__name__ for m in model] == layers
    assert model(lucidnet.ones(2, 3)).shape == (2, 2)


def test_dropout_bias_and_slicing():
    model = nn.MLP([3, 5, 2], dropout=0.5, bias=False)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Dropout", "Linear"]
    assert model[0].bias is None and model[2].p == 0.5
    assert type(model[:2]) is nn.Sequential and len(model[:2]) == 2


def test_fit_save_and_load(tmp_path):
    lucidnet.manual_seed(0)
    X, y = spiral(100, 3, seed=0)
    model = lucidnet.Model(nn.MLP([2, 64, 3]))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.02)
    history = model.fit(X, y, epochs=300, batch_size=300, verbose=0)
    assert history.history["accuracy"][-1] > 0.8
    path = tmp_path / "mlp.safetensors"
    lucidnet.save(model, path)
    restored = lucidnet.load(path)
    assert type(restored.module) is nn.MLP and restored.module.layer_sizes == [2, 64, 3]
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    lucidnet.save(model.module, tmp_path / "bare.safetensors")        # the bare module saves too
    bare = lucidnet.load(tmp_path / "bare.safetensors")
    assert bare.to_config() == {"class": "MLP", "config": {"layer_sizes": [2, 64, 3], "activation": "relu",
                                                           "output_activation": None, "bias": True, "dropout": 0.0}}


def test_a_plain_training_loop():
    lucidnet.manual_seed(1)
    X, y = (lucidnet.tensor(a) for a in spiral(60, 2, seed=1))
    model, loss_fn = nn.MLP([2, 32, 32, 2], activation="tanh"), nn.CrossEntropyLoss()
    opt = lucidnet.optim.Adam(model.parameters(), lr=0.02)
    first = loss_fn(model(X), y).item()
    for _ in range(200):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
    assert loss.item() < first / 3


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(layer_sizes=[784]), ValueError, "MLP: expected layer_sizes with at least two sizes (input and output), got "
                                          "[784]."),
    (dict(layer_sizes=[784, 0, 10]), ValueError, "MLP: expected layer_sizes[1] to be a positive integer, got 0."),
    (dict(layer_sizes=784), TypeError, "MLP: expected layer_sizes to be a list of integers, got int."),
    (dict(layer_sizes=[2, 2], activation="swishy"), ValueError, "MLP: expected activation to be an activation name"),
    (dict(layer_sizes=[2, 2, 2], activation=nn.ReLU()), TypeError, "MLP: expected activation as a name or a layer "
                                                                   "class (e.g. 'relu' or nn.ReLU), got an instance"),
    (dict(layer_sizes=[2, 2], dropout=1.0), ValueError, "MLP: expected dropout, a probability, in [0, 1), got 1.0."),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        nn.MLP(**kwargs)


def test_wrong_input_names_the_first_layer():
    with pytest.raises(ValueError, match=re.escape("Linear(in_features=784, out_features=10, bias=True): expected "
                                                   "input of shape (*, 784), got (32, 28, 28). Did you forget a "
                                                   "Flatten()?")):
        nn.MLP([784, 10])(lucidnet.zeros(32, 28, 28))
