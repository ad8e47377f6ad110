"""Dense (Keras spelling): the input size inferred on the first call, build(), activations by name or
callable, weight_bounds and Keras initializers, get_config round trips, loading a state dict into an
unbuilt Dense, and weights that move to and from torch.nn.Linear."""
import json
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
import lucidnet.nn.functional as F


def test_lazy_build_on_first_call():
    layer = nn.Dense(4, activation="sigmoid")
    assert not layer.built and list(layer.parameters()) == []
    with pytest.raises(RuntimeError, match=r"^Dense\(units=4, activation='sigmoid'\): weight is not created yet"):
        layer.weight.shape
    assert layer.state_dict() == {}
    y = layer(lucidnet.randn(3, 7))
    assert layer.built and layer.in_features == 7
    assert layer.weight.shape == (4, 7) and layer.bias.shape == (4,)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert ((y.array > 0) & (y.array < 1)).all()
    with pytest.raises(ValueError, match=re.escape("Dense(units=4, activation='sigmoid', in_features=7): expected "
                                                   "input of shape (*, 7), got (3, 8).")):
        layer(lucidnet.randn(3, 8))


def test_build_and_in_features():
    assert nn.Dense(3).build(5).weight.shape == (3, 5)
    assert nn.Dense(3, in_features=5).num_parameters() == 18
    assert nn.Dense(3, input_dim=5).in_features == nn.Dense(3, input_shape=(5,)).in_features == 5   # Keras's
    model = nn.Sequential(nn.Dense(8, "relu"), nn.Dense(2))
    model(lucidnet.randn(4, 3))
    assert model.num_parameters() == 3 * 8 + 8 + 8 * 2 + 2


@pytest.mark.parametrize("name, fn", [("relu", F.relu), ("sigmoid", F.sigmoid), ("tanh", F.tanh),
                                      ("softmax", F.softmax), ("leaky_relu", F.leaky_relu), ("gelu", F.gelu),
                                      ("linear", lambda z: z), (None, lambda z: z), ("ELU", F.elu),
                                      ("swish", F.silu)])
def test_activation_by_name(name, fn):
    layer = nn.Dense(5, activation=name, in_features=3)
    x = lucidnet.randn(4, 3)
    np.testing.assert_array_equal(layer(x).array, fn(F.linear(x, layer.weight, layer.bias)).array)


def test_activation_callable_and_config():
    layer = nn.Dense(2, activation=F.relu, in_features=3)
    assert repr(layer) == "Dense(units=2, activation='relu', in_features=3)"
    assert layer.get_config()["activation"] == "relu"
    custom = nn.Dense(2, activation=lambda z: z * 2, in_features=3)
    assert repr(custom) == "Dense(units=2, activation='<lambda>', in_features=3)"
    with pytest.raises(ValueError, match=re.escape("Dense(units=2, activation='<lambda>', in_features=3): cannot "
                                                   "save a custom activation function in a config")):
        custom.get_config()


def test_weight_bounds_are_the_tutorials_uniform_init():
    lucidnet.manual_seed(0)
    layer = nn.Dense(100, weight_bounds=(-0.1, 0.3), in_features=200)
    w = layer.weight.array
    assert w.min() >= -0.1 and w.max() <= 0.3
    assert abs(w.mean() - 0.1) < 0.005 and abs(w.std() - 0.4 / np.sqrt(12)) < 0.003
    assert not layer.bias.array.any()


@pytest.mark.parametrize("name, std", [
    ("glorot_uniform", np.sqrt(2 / (300 + 200))), ("glorot_normal", np.sqrt(2 / (300 + 200))),
    ("he_uniform", np.sqrt(2 / 300)), ("he_normal", np.sqrt(2 / 300)), ("lecun_uniform", np.sqrt(1 / 300)),
    ("lecun_normal", np.sqrt(1 / 300)), ("random_normal", 0.05), ("random_uniform", 0.1 / np.sqrt(12) * 1.0),
])
def test_keras_initializers_have_kerass_variance(name, std):
    lucidnet.manual_seed(1)
    w = nn.Dense(200, kernel_initializer=name, in_features=300).weight.array
    expected = std if name != "random_uniform" else 0.1 / np.sqrt(12)
    assert abs(w.std() / expected - 1) < 0.02, (w.std(), expected)
    if name.endswith("_normal") and name != "random_normal":       # Keras truncates at two standard deviations
        assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6
    if name.endswith("_uniform") and name != "random_uniform":
        assert np.abs(w).max() <= np.sqrt(3) * std + 1e-6


def test_kernel_initializer_function():
    layer = nn.Dense(3, kernel_initializer=nn.init.ones_, in_features=2)
    assert (layer.weight.array == 1).all()


def test_get_config_round_trip_through_json():
    layer = nn.Dense(6, activation="tanh", use_bias=False, weight_bounds=(-1, 1), kernel_initializer="he_normal")
    config = json.loads(json.dumps(layer.to_config()))
    assert config == {"class": "Dense", "config": {"units": 6, "activation": "tanh", "use_bias": False,
                                                   "weight_bounds": [-1.0, 1.0], "kernel_initializer": "he_normal",
                                                   "in_features": None}}
    twin = nn.module_from_config(config)
    assert repr(twin) == repr(layer) and not twin.built
    layer(lucidnet.randn(2, 4))
    twin = nn.module_from_config(json.loads(json.dumps(layer.to_config())))
    assert twin.built and twin.weight.shape == (6, 4)
    twin.load_state_dict(layer.state_dict())
    x = lucidnet.randn(3, 4)
    np.testing.assert_array_equal(twin(x).array, layer(x).array)


def test_load_state_dict_builds_an_unbuilt_dense():
    a = nn.Sequential(nn.Dense(5, "relu"), nn.Dense(2))
    a(lucidnet.randn(1, 3))
    b = nn.Sequential(nn.Dense(5, "relu"), nn.Dense(2))
    b.load_state_dict(a.state_dict())
    assert b[0].in_features == 3 and b[1].in_features == 5
    x = lucidnet.randn(4, 3)
    np.testing.assert_array_equal(a(x).array, b(x).array)
    c = nn.Sequential(nn.Dense(4, "relu"), nn.Dense(2))         # wrong units: a shape error, not a silent build
    with pytest.raises(ValueError, match=re.escape("0.weight: expected shape (4, 3), got (5, 3)")):
        c.load_state_dict(a.state_dict())


def test_weights_move_to_and_from_torch_linear():
    ours = nn.Sequential(nn.Dense(8, "relu"), nn.Dense(3))
    ours(lucidnet.randn(1, 4))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    state = {k.replace("2.", "1."): v for k, v in theirs.state_dict().items()}   # torch's ReLU takes index 1
    ours.load_state_dict({k: v.numpy() for k, v in state.items()})
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(lucidnet.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    back = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    back.load_state_dict({k.replace("1.", "2."): torch.from_numpy(v.array.copy())
                          for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(back(torch.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy())
