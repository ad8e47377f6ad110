"""fit / evaluate / predict judge every input at the door: a failed call changes nothing (exact resume survives
mistakes), data from other libraries is never taken for a loader, 1-D x has one rule, argument types are named,
and shape errors quote the user's shapes."""
import re
import warnings

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
from lucidnet.data import DataLoader, TensorDataset, spiral
from lucidnet.train import callbacks as C

X, Y = spiral(40, 3, seed=0)


def make():
    lucidnet.manual_seed(0)
    model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.Dropout(0.2), nn.Dense(3)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    return model


def weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


MISTAKES = {
    "feature count": ({"x": np.hstack([X, X]), "y": Y}, ValueError, r"expected input of shape \(\*, 2\), got \(16, 4\)\. "
                      r"\(fit\(\) got x of shape \(120, 4\) and y of shape \(120,\), given to the model in batches "
                      r"of 16\.\)"),
    "labels out of range": ({"x": X, "y": Y + 1}, ValueError, r"class ids in \[0, 3\)"),
    "target shape": ({"x": X, "y": np.eye(3)[Y][:, :, None]}, ValueError, r"cross_entropy: expected target"),
    "validation features": ({"x": X, "y": Y, "validation_data": (X[:, :1], Y)}, ValueError,
                            r"got the validation x of shape \(120, 1\)"),
    "validation_split type": ({"x": X, "y": Y, "validation_split": "0.2"}, TypeError,
                              r"^fit\(\): expected validation_split to be a number in \[0, 1\), got '0\.2' \(a str\)\.$"),
    "loader of wrong features": ({"x": DataLoader(TensorDataset(np.hstack([X, X]), Y), batch_size=16, shuffle=True,
                                                  generator=lucidnet.Generator().manual_seed(5))},
                                 ValueError, r"expected input of shape \(\*, 2\), got \(16, 4\)"),
    "loader without targets": ({"x": DataLoader(TensorDataset(X), batch_size=16, shuffle=True)}, ValueError,
                               r"^fit\(\): expected the data to yield \(x, y\) batches for the loss, got batches of x "
                               r"alone \(shape \(16, 2\)\)\.$"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_failed_fit_after_loading_a_checkpoint_changes_nothing(tmp_path, mistake):
    whole = make()
    h = whole.fit(X, Y, epochs=4, batch_size=16, verbose=0)
    part = make()
    part.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    part.save(tmp_path / "p.safetensors")
    resumed = lucidnet.load(tmp_path / "p.safetensors")          # epoch 2 of 4
    kwargs, error, message = MISTAKES[mistake]
    kwargs = dict(kwargs)
    if "x" in kwargs and not isinstance(kwargs["x"], DataLoader):
        kwargs["batch_size"] = 16
    with pytest.raises(error, match=message):
        resumed.fit(epochs=4, verbose=0, **kwargs)
    assert resumed.get_training_state()["epoch"] == 2
    h2 = resumed.fit(X, Y, epochs=4, batch_size=16, verbose=0)
    assert h2.epoch == [0, 1, 2, 3] and h2.history == h.history
    assert all(np.array_equal(a, b) for a, b in zip(weights(resumed).values(), weights(whole).values()))


def test_a_failed_fit_puts_a_loaders_shuffling_back():
    lucidnet.manual_seed(0)
    gen = lucidnet.Generator().manual_seed(3)
    loader = DataLoader(TensorDataset(np.hstack([X, X]), Y), batch_size=16, shuffle=True, generator=gen)
    before = gen.get_state()
    model = make()
    model.build((2,))
    state = lucidnet.default_generator.get_state()
    with pytest.raises(ValueError, match=r"expected input of shape \(\*, 2\), got \(16, 4\)"):
        model.fit(loader, epochs=1, verbose=0)
    assert gen.get_state() == before and lucidnet.default_generator.get_state() == state


def test_arguments_are_judged_by_type():
    model = make()
    for kwargs, message in [
            ({"validation_split": "0.2"}, r"validation_split to be a number in \[0, 1\), got '0\.2' \(a str\)"),
            ({"shuffle": "False"}, r"shuffle to be True or False, got 'False' \(a str\)"),
            ({"callbacks": C.History()}, r"callbacks to be a list of callbacks, got one History; pass \[History\(\.\.\.\)\]"),
            ({"callbacks": 3}, r"callbacks to be a list of callbacks, got int"),
            ({"verbose": "1"}, r"verbose to be 0, 1, 2 or 'auto', got '1'")]:
        with pytest.raises(TypeError, match=r"^fit\(\): expected " + message):
            model.fit(X, Y, **{"verbose": 0, **kwargs})
    assert not model.built


def test_tensors_of_other_libraries_are_data_not_loaders():
    model = make()
    model.fit(torch.tensor(X, requires_grad=True), torch.tensor(Y), epochs=1, batch_size=16, verbose=0)
    p = model.predict(torch.tensor(X))
    assert p.shape == (120, 3) and np.array_equal(p, model.predict(X))
    assert model.evaluate(torch.tensor(X), torch.tensor(Y)) == model.evaluate(X, Y)


def test_a_list_of_arrays_is_refused_not_stacked():
    model = make()
    with pytest.raises(TypeError, match=re.escape("predict(): expected x to be one array (or Tensor) with one row per "
                                                  "sample, got a list of 2 arrays. Pass np.stack(x) if each is one "
                                                  "sample, np.concatenate(x) if each is a batch.")):
        model.predict([X, X])
    assert model.predict([list(r) for r in X[:3]]).shape == (3, 3)          # nested lists of numbers are arrays


def test_one_d_x_is_samples_of_one_value():
    model = make()
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=re.escape("predict(): expected x of shape (N, 2) (the first axis is samples), "
                                                   "got (2,). For one sample, pass x[None] (shape (1, 2)); for 2 "
                                                   "samples of one feature, x.reshape(-1, 1) (shape (2, 1)).")):
        model.predict(X[0])
    assert model.predict(X[0][None]).shape == (1, 3)
    fresh = lucidnet.Sequential([nn.Dense(1)])
    fresh.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"^fit\(\): expected x with one row per sample .* got x of shape \(40,\), "
                                         r"whose batches of 32 the model takes as one sample\."):
        fresh.fit(np.linspace(0, 1, 40), np.zeros(40), verbose=0)
    assert not fresh.built                                     # the mistake did not build it for 32 features
    fresh.fit(np.linspace(0, 1, 40).reshape(-1, 1), np.zeros(40), verbose=0)
    ids = lucidnet.Sequential([nn.Embedding(10, 3)])           # a model of one id per sample takes 1-D x
    assert ids.predict(np.arange(10)).shape == (10, 3)


def test_a_loader_without_targets_says_so():
    model = make()
    loader = DataLoader(TensorDataset(X), batch_size=16)
    for call in (model.fit, model.evaluate):
        with pytest.raises(ValueError, match=r"expected the data to yield \(x, y\) batches for the loss, got batches "
                                             r"of x alone \(shape \(16, 2\)\)\."):
            call(loader, verbose=0)
    assert model.predict(loader).shape == (120, 3)


def test_an_unbuilt_layer_names_itself():
    layer = nn.Dense(4, activation="relu")
    with pytest.raises(RuntimeError, match=r"^Dense\(units=4, activation='relu'\): weight is not created yet: the "
                                           r"layer gets its parameters at its first call"):
        layer.weight.shape
    with pytest.raises(RuntimeError, match=r"^Dense\(units=4, activation='relu'\): bias is not created yet"):
        lucidnet.ones(4) + layer.bias
    assert list(layer.parameters()) == [] and layer.state_dict() == {}
    layer(lucidnet.ones(2, 3))
    assert layer.weight.shape == (4, 3)


@pytest.mark.parametrize("layers, loss, target", [
    ([nn.Dense(64, activation="relu"), nn.Dense(3)], "sparse_categorical_crossentropy", Y),
    ([nn.Dense(64, activation="elu"), nn.Dense(1)], "huber", Y.astype(np.float32)),
    ([nn.Dense(64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dense(1)], "mse", Y.astype(np.float32)),
])
def test_a_diverging_fit_says_so_once_without_numpy_warnings(layers, loss, target):
    lucidnet.manual_seed(0)
    model = lucidnet.Sequential(layers)
    model.compile("sgd", loss, lr=1e30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # a RuntimeWarning from inside lucidnet fails here
        with pytest.raises(RuntimeError, match=r"^fit\(\): expected a finite loss, got (nan|inf) at epoch \d+/20, "
                                               r"batch \d/4; training stopped\. The weights diverged"):
            model.fit(X, target, epochs=20, verbose=0)


def test_sequence_targets_are_judged_in_the_users_shapes():
    model = lucidnet.Sequential([nn.Embedding(10, 5)])        # (N, T) ids -> (N, T, 5) scores
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.zeros((8, 3), np.int64)
    with pytest.raises(ValueError, match=re.escape("cross_entropy: expected target of shape (8, 3) (class ids) or "
                                                   "(8, 3, 5) (one-hot) for outputs of shape (8, 3, 5) (classes on "
                                                   "the last axis), got (8, 4).")):
        model.fit(x, np.zeros((8, 4), np.int64), verbose=0)
    model.fit(x, np.zeros((8, 3), np.int64), verbose=0)


def test_diverged_probabilities_give_a_nan_loss_not_a_blame_on_the_inputs():
    from lucidnet.train import losses
    bce = losses.get("binary_crossentropy", outputs="probabilities")
    assert np.isnan(bce(lucidnet.tensor([[np.nan], [0.5]]), np.array([[1.0], [0.0]])).item())


def test_a_validation_loader_is_checked_before_training():
    model = make()
    model.build((2,))
    before = weights(model)
    bad = DataLoader(TensorDataset(X[:, :1], Y), batch_size=16)
    with pytest.raises(ValueError, match=r"expected input of shape \(\*, 2\), got \(16, 1\)"):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=bad)
    assert all(np.array_equal(a, b) for a, b in zip(weights(model).values(), before.values()))
    with pytest.raises(ValueError, match=r"^fit\(\): expected validation_data to yield \(x, y\) batches for the loss"):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=DataLoader(TensorDataset(X), batch_size=16))
    good = DataLoader(TensorDataset(X, Y), batch_size=16, shuffle=True, generator=lucidnet.Generator().manual_seed(1))
    h = model.fit(X, Y, epochs=1, verbose=0, validation_data=good)
    assert "val_loss" in h.history
