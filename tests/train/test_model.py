"""The training front: compile/fit/evaluate/predict/summary on small problems, fit against a plain PyTorch-style
loop (bitwise) and that loop against PyTorch, loss forms for softmax/sigmoid outputs, the progress display,
every bad input's message, and the nnfs book's spiral run as an end-to-end anchor."""
import collections
import math
import re
import time

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn, optim
from lucidnet.data import DataLoader, TensorDataset, blobs, spiral
from lucidnet.train import callbacks as C

from helpers import Terminal, terminal

X, Y = blobs(40, centers=[[-2, -2], [2, 2], [2, -2]], std=0.5, seed=0)


def mlp(seed=0, out=3, last=()):
    lucidnet.manual_seed(seed)
    return lucidnet.Sequential([nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, out), *last])


def weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


# ------------------------------------------------------------------------------------------------ training

def test_loss_goes_down_and_accuracy_up_on_a_small_problem():
    Xs, ys = spiral(50, 3, seed=1)
    lucidnet.manual_seed(0)
    model = lucidnet.Sequential([nn.Dense(32, activation="relu"), nn.Dense(3)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
    h = model.fit(Xs, ys, epochs=100, batch_size=30, verbose=0, seed=0)
    assert h.history["loss"][-1] < 0.6 * h.history["loss"][0]
    assert h.history["accuracy"][-1] > h.history["accuracy"][0] + 0.2


def test_fit_is_a_plain_pytorch_style_loop_bitwise():
    a, b = mlp(), mlp()
    a.compile(optim.SGD(a.parameters(), lr=0.1, momentum=0.9), "cross_entropy")
    a.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    opt, loss_fn = optim.SGD(b.parameters(), lr=0.1, momentum=0.9), nn.CrossEntropyLoss()
    for _ in range(3):
        for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=16):
            opt.zero_grad()
            loss = loss_fn(b(xb), yb)
            loss.backward()
            opt.step()
    wa, wb = weights(a), weights(b)
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)


def test_a_pytorch_style_loop_matches_pytorch():
    model = mlp()
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tmodel.load_state_dict({k: torch.from_numpy(v) for k, v in weights(model).items()})
    opt, topt = optim.Adam(model.parameters(), lr=0.01), torch.optim.Adam(tmodel.parameters(), lr=0.01)
    loss_fn, tloss_fn = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    order = np.random.default_rng(0).permutation(len(X))
    for epoch in range(5):
        for xb, yb in DataLoader(TensorDataset(X[order], Y[order]), batch_size=8):
            opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); opt.step()          # noqa: E702
            topt.zero_grad()
            tloss = tloss_fn(tmodel(torch.from_numpy(xb.numpy())), torch.from_numpy(yb.numpy()))
            tloss.backward(); topt.step()                                                       # noqa: E702
            assert loss.item() == pytest.approx(tloss.item(), rel=1e-4, abs=1e-6)
    for k, v in weights(model).items():
        np.testing.assert_allclose(v, tmodel.state_dict()[k].numpy(), rtol=1e-4, atol=1e-5)


def test_fit_with_data_loaders_and_the_generator_it_was_given():
    def run():
        model = mlp()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
        loader = DataLoader(TensorDataset(X, Y), batch_size=8, shuffle=True, generator=3)
        return model.fit(loader, epochs=3, verbose=0, validation_data=DataLoader(TensorDataset(X, Y), 16)), model
    (h1, m1), (h2, m2) = run(), run()
    assert h1.history == h2.history and list(h1.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    w1, w2 = weights(m1), weights(m2)
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)
    assert h1.history["val_loss"][-1] == pytest.approx(m1.evaluate(X, Y, return_dict=True)["loss"], rel=1e-6)


def test_shuffling_draws_from_the_default_generator_or_the_one_given():
    def run(**kw):
        model = mlp()
        model.compile("sgd", "cross_entropy", lr=0.1)
        return model.fit(X, Y, epochs=2, batch_size=8, verbose=0, **kw).history["loss"]
    lucidnet.manual_seed(5)
    a = run()
    lucidnet.manual_seed(5)
    assert run() == a                                  # mlp() reseeds too, so the default stream is the same
    assert run(seed=1) == run(generator=lucidnet.Generator().manual_seed(1)) != run(seed=2)
    assert run(shuffle=False) == run(shuffle=False)


def test_validation_split_takes_the_last_samples_before_shuffling():
    steps = []
    model = mlp()
    model.compile("adam", "cross_entropy", metrics=["accuracy"])
    h = model.fit(X, Y, epochs=2, batch_size=10, validation_split=0.25, verbose=0,
                  callbacks=[C.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))])
    assert steps == [0, 1, 2, 0, 1, 2]                 # 30 samples to train on
    assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(X[30:], Y[30:], return_dict=True)["loss"],
                                                      rel=1e-6)


def test_initial_epoch_and_stop_training():
    model = mlp()
    model.compile("adam", "cross_entropy")
    assert model.fit(X, Y, epochs=5, initial_epoch=3, verbose=0).epoch == [3, 4]
    stop = C.LambdaCallback(on_train_batch_end=lambda b, logs: setattr(model, "stop_training", b == 1))
    steps = []
    h = model.fit(X, Y, epochs=5, batch_size=8, verbose=0,
                  callbacks=[stop, C.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))])
    assert h.epoch == [0] and steps == [0, 1]


def test_evaluate_and_predict():
    model = mlp(last=[nn.Dropout(0.5)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", "top_k_accuracy"])
    assert isinstance(model.evaluate(X, Y), list) and len(model.evaluate(X, Y)) == 3
    logs = model.evaluate(X, Y, batch_size=7, return_dict=True)
    assert list(logs) == model.metrics_names == ["loss", "accuracy", "top_k_accuracy"]
    assert logs == model.evaluate(X, Y, batch_size=40, return_dict=True) or \
        all(logs[k] == pytest.approx(v, rel=1e-6) for k, v in model.evaluate(X, Y, return_dict=True).items())
    model.train()
    p = model.predict(X, batch_size=7)
    assert p.shape == (40, 3) and p.dtype == np.float32 and model.training and model[3].training
    np.testing.assert_array_equal(p, model.predict(X, batch_size=40))       # eval mode: Dropout off
    np.testing.assert_array_equal(p, model.predict(lucidnet.tensor(X)))
    np.testing.assert_array_equal(p, model.predict(DataLoader(TensorDataset(X, Y), batch_size=9)))
    with lucidnet.no_grad():
        model.eval()
        np.testing.assert_allclose(p, model(lucidnet.tensor(X)).numpy(), rtol=1e-6)
    assert logs["accuracy"] == lucidnet.train.metrics.accuracy(p, Y)
    only_loss = mlp()
    only_loss.compile("adam", "mse")
    assert isinstance(only_loss.evaluate(X, np.eye(3, dtype=np.float32)[Y]), float)


@pytest.mark.parametrize("last, outputs", [((), "logits"), ((nn.Softmax(dim=-1),), "probabilities"),
                                           ((nn.LogSoftmax(dim=-1),), "log_probabilities")])
def test_cross_entropy_by_name_follows_the_output_layer(last, outputs):
    model = mlp(last=last)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.evaluate(X, Y, return_dict=True)
    ref = mlp()
    ref.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.loss.outputs == outputs
    assert logs["loss"] == pytest.approx(ref.evaluate(X, Y, return_dict=True)["loss"], rel=1e-5)
    assert logs["accuracy"] == ref.evaluate(X, Y, return_dict=True)["accuracy"]
    onehot = np.eye(3, dtype=np.float32)[Y]
    model.compile("adam", "categorical_crossentropy")
    assert model.evaluate(X, onehot) == pytest.approx(logs["loss"], rel=1e-5)


def test_dense_softmax_and_sigmoid_outputs():
    model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
    h = model.fit(X, Y, epochs=30, batch_size=8, verbose=0)
    assert model.loss.outputs == "probabilities" and h.history["accuracy"][-1] == 1.0
    yb = (Y == 1).astype(np.int64)
    logit = mlp(out=1)
    prob = lucidnet.Sequential([logit[0], logit[1], logit[2], nn.Sigmoid()])   # the same weights, then a sigmoid
    for m in (logit, prob):
        m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    a, b = logit.evaluate(X, yb, return_dict=True), prob.evaluate(X, yb, return_dict=True)
    assert (logit.loss.outputs, prob.loss.outputs) == ("logits", "probabilities")
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-4) and a["accuracy"] == b["accuracy"]


def test_a_sigmoid_unit_separates_separable_blobs():
    Xb, yb = blobs(60, centers=[[-3, 0], [3, 0]], std=0.5, seed=2)
    model = lucidnet.Sequential([nn.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"], lr=0.5)
    h = model.fit(Xb, yb, epochs=20, batch_size=10, verbose=0, seed=0)
    assert h.history["accuracy"][-1] == 1.0
    assert ((model.predict(Xb)[:, 0] > 0.5) == yb).all()


def test_regression_with_n_by_1_outputs_and_n_targets():
    Xr = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
    yr = 3 * Xr[:, 0] + 1                                   # (N,) targets for (N, 1) outputs, as Keras allows
    model = lucidnet.Sequential([nn.Linear(1, 1)])
    model.compile("sgd", "mse", metrics=["mae"], lr=0.3)
    h = model.fit(Xr, yr, epochs=40, batch_size=16, verbose=0, seed=0)
    assert h.history["loss"][-1] < 1e-4 and h.history["mae"][-1] < 1e-2
    assert model[0].weight.item() == pytest.approx(3, abs=1e-2)


def test_train_step_can_be_overridden():
    class Custom(lucidnet.Model):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 3)
            self.calls = 0

        def forward(self, x):
            return self.lin(x)

        def train_step(self, x, y):
            self.calls += 1
            return super().train_step(x, y)
    model = Custom()
    model.compile("adam", "cross_entropy")
    model.fit(X, Y, epochs=2, batch_size=20, verbose=0)
    assert model.calls == 4


# ------------------------------------------------------------------------------------------------ compile

def test_compile_optimizer_forms_and_learning_rates():
    model = mlp()
    for spec, cls, lr in (("sgd", optim.SGD, 0.01), ("Adam", optim.Adam, 0.001), ("rmsprop", optim.RMSprop, 0.001),
                          ("adagrad", optim.Adagrad, 0.001), ("adamw", optim.AdamW, 0.001),
                          (optim.SGD, optim.SGD, 1e-3)):                       # a class: its own default lr
        model.compile(spec, "cross_entropy")
        model.fit(X, Y, epochs=1, verbose=0)
        assert type(model.optimizer) is cls and model.optimizer.param_groups[0]["lr"] == lr
    model.compile(optim.RMSprop, "cross_entropy", learning_rate=0.3)
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.optimizer.param_groups[0]["lr"] == 0.3
    opt = optim.SGD(model.parameters(), lr=0.2)
    model.compile(opt, nn.CrossEntropyLoss(), metrics="accuracy")
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.optimizer is opt and model.metrics_names == ["loss", "accuracy"]


def test_lazy_dense_model_builds_before_the_optimizer_is_made():
    model = lucidnet.Sequential([nn.Dense(4, activation="relu"), nn.Dense(3)])
    assert list(model.parameters()) == []
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    held = {id(p) for g in model.optimizer.param_groups for p in g["params"]}
    assert held == {id(p) for p in model.parameters()} and len(held) == 4


def test_compile_errors():
    model = mlp()
    with pytest.raises(ValueError, match=r"compile\(\): expected optimizer to be one of adagrad, adam, adamw, rmsprop, "
                                         r"sgd, an optimizer class or object, got 'adamax'\."):
        model.compile("adamax", "mse")
    with pytest.raises(ValueError, match=r"compile\(\): expected loss to be one of .*, got 'hinge'\."):
        model.compile("adam", "hinge")
    with pytest.raises(ValueError, match=r"metrics: expected one of .*, got 'acuracy'\."):
        model.compile("adam", "mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match=r"compile\(\): expected metrics with distinct names \(other than 'loss'\), "
                                         r"got \['mae'\] more than once\."):
        model.compile("adam", "mse", metrics=["mae", "mae"])
    with pytest.raises(ValueError, match=r"compile\(\): lr applies to an optimizer given by name or class"):
        model.compile(optim.SGD(model.parameters(), lr=0.1), "mse", lr=0.2)
    with pytest.raises(TypeError, match=r"compile\(\): expected an optimizer class \(a subclass of "
                                        r"lucidnet.optim.Optimizer\), got dict\."):
        model.compile(dict, "mse")
    with pytest.raises(ValueError, match=r"compile\(\): expected lr to be a number >= 0, got -1\."):
        model.compile("sgd", "mse", lr=-1)
    other = mlp(seed=1)
    model.compile(optim.Adam(other.parameters()), "cross_entropy")
    with pytest.raises(ValueError, match=r"fit\(\): expected the optimizer to update the model's parameters, got one "
                                         r"holding none of them\. Was it created before the model was built\?"):
        model.fit(X, Y, verbose=0)


# ------------------------------------------------------------------------------------------------ bad input

def compiled(**kw):
    model = mlp(**kw)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match=r"^fit\(\): call compile\(\) before fit\(\)\.$"):
        mlp().fit(X, Y)
    with pytest.raises(RuntimeError, match=r"^evaluate\(\): call compile\(\) before evaluate\(\)\.$"):
        mlp().evaluate(X, Y)


def test_data_errors_are_one_clear_line():
    model = compiled()
    cases = [
        ((X, Y[:-1]), {}, ValueError, r"fit\(\): expected x and y with the same number of samples, got 40 and 39\."),
        ((X, np.r_[Y[:-1], 3]), {}, ValueError,
         r"fit\(\): expected y to hold class ids in \[0, 3\) for a model with 3 outputs, got 3 \(at sample 39\)\."),
        ((X, np.r_[-1, Y[1:]]), {}, ValueError, r"fit\(\): expected y to hold class ids in \[0, 3\) .* got -1 \(at "
                                                r"sample 0\)\."),
        ((X, Y), {"validation_data": (X, Y + 1)}, ValueError,
         r"fit\(\): expected the validation y to hold class ids in \[0, 3\)"),
        ((np.where(np.arange(80).reshape(40, 2) == 7, np.nan, X), Y), {}, ValueError,
         r"fit\(\): expected finite values in x, got nan in sample 3\. Remove or impute the bad samples first"),
        ((X, Y), {"validation_data": (X, Y, Y)}, ValueError,
         r"fit\(\): expected validation_data to be \(x_val, y_val\) or a DataLoader, got tuple of 3 items\."),
        ((X, None), {}, ValueError, r"fit\(\): expected targets y for the loss, got None\."),
        ((X[:0], Y[:0]), {}, ValueError, r"fit\(\): expected at least one sample, got x of shape \(0, 2\)\."),
        ((X, Y), {"batch_size": 0}, ValueError, r"fit\(\): expected batch_size to be a positive integer, got 0\."),
        ((X, Y), {"validation_split": 1.0}, ValueError, r"fit\(\): expected validation_split in \[0, 1\), got 1\.0\."),
        ((X[:1], Y[:1]), {"validation_split": 0.5}, ValueError,
         r"fit\(\): validation_split=0\.5 of 1 samples leaves 0 to train on and 1 to validate on; expected both > 0\."),
        ((DataLoader(TensorDataset(X, Y)), Y), {}, ValueError, r"fit\(\): expected y=None when x is a DataLoader"),
        ((X, Y), {"epochs": -1}, ValueError, r"fit\(\): expected epochs to be an integer >= 0, got -1\."),
        ((np.array(["a"] * 40), Y), {}, TypeError, r"fit\(\): expected x to hold numbers, got an array of dtype <U1\."),
    ]
    for args, kw, error, message in cases:
        before = weights(model)
        with pytest.raises(error, match=message):
            model.fit(*args, verbose=0, **kw)
        after = weights(model)
        assert all(np.array_equal(before[k], after[k]) for k in before), message
    bad_y = np.eye(3, dtype=np.float32)[Y]
    bad_y[5, 1] = np.inf
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"fit\(\): expected finite values in y, got inf in sample 5\."):
        model.fit(X, bad_y, verbose=0)


def test_predict_with_a_wrong_input_shape_gives_the_layers_message():
    with pytest.raises(ValueError, match=re.escape("Linear(in_features=2, out_features=8, bias=True): expected input "
                                                   "of shape (*, 2), got (4, 5).")):
        mlp().predict(np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError, match=r"^Linear\(in_features=2, .*\): expected input of shape \(\*, 2\), got "
                                         r"\(3, 2, 1\)\. Did you forget a Flatten\(\)\?$"):
        compiled().fit(np.zeros((3, 2, 1), np.float32), np.zeros(3, np.int64), verbose=0)


def nan_at(call):
    count = [0]

    def loss(y_pred, y_true):
        count[0] += 1
        value = nn.functional.cross_entropy(y_pred, y_true)
        return value * math.nan if count[0] == call else value
    return loss


def test_a_nan_loss_stops_with_epoch_and_batch_and_keeps_the_last_good_checkpoint(tmp_path):
    model = mlp()
    model.compile("adam", nan_at(5), lr=0.05)
    path = str(tmp_path / "ckpt.safetensors")
    snaps = []
    keep = C.LambdaCallback(on_epoch_end=lambda e, logs: snaps.append(weights(model)))
    with pytest.raises(RuntimeError, match=re.escape(
            f"fit(): expected a finite loss, got nan at epoch 2/4, batch 2/3; training stopped. The weights diverged: "
            f"lower the learning rate (now 0.05) or clip gradients. The last good checkpoint, {path}, is kept. Add "
            f"TerminateOnNaN() to the callbacks to stop without an error.")):
        model.fit(X, Y, epochs=4, batch_size=16, verbose=0, callbacks=[C.ModelCheckpoint(path), keep])
    saved = lucidnet.load(path)
    assert len(snaps) == 1 and all(np.array_equal(v.array, snaps[0][k]) for k, v in saved.state_dict().items())


def test_a_nan_batch_from_a_loader_is_named():
    Xn = X.copy()
    Xn[25, 0] = np.nan
    model = compiled()
    with pytest.raises(RuntimeError, match=r"fit\(\): expected a finite loss, got nan at epoch 1/1, batch 2/3; "
                                           r"training stopped\. The batch's inputs contain nan or inf: clean the "
                                           r"data\."):
        model.fit(DataLoader(TensorDataset(Xn, Y), batch_size=16), verbose=0)


# ------------------------------------------------------------------------------------------------ display

def test_verbose_two_prints_one_line_per_epoch(capsys):
    compiled().fit(X, Y, epochs=2, verbose=2, validation_data=(X, Y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"Epoch 2/2 - \d+\.\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
                        r"val_accuracy: \d\.\d{4} - lr: 0\.001 - \d+ samples/s", lines[1])
    compiled().fit(X, Y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_one_draws_a_bar_on_a_terminal_and_lines_elsewhere(monkeypatch, capsys):
    term = terminal(monkeypatch)
    compiled().fit(X, Y, epochs=2, batch_size=8, verbose=1)
    text = term.getvalue()
    assert "\r" in text and "Epoch 1/2: 100%" in text and "Epoch 2/2: 100%" in text and "5/5" in text
    assert re.search(r"loss: \d\.\d{4} - accuracy: \d\.\d{4} - lr: 0\.001 - \d+ samples/s", text)
    monkeypatch.setenv("CI", "true")
    term = Terminal()
    monkeypatch.setattr("sys.stdout", term)
    compiled().fit(X, Y, epochs=2, verbose=1)
    assert "\r" not in term.getvalue() and len(term.getvalue().strip().splitlines()) == 2


def test_summary_text():
    lines = []
    model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.BatchNorm1d(16), nn.Dropout(0.2), nn.Dense(3)])
    model.summary(input_shape=(2,), print_fn=lines.append)
    assert "\n".join(lines) == "\n".join([
        'Model: "Sequential"',
        "_" * 68,
        " Layer (type)                  Output Shape                  Param #",
        "=" * 68,
        " 0 (Dense)                     (None, 16)                         48",
        " 1 (BatchNorm1d)               (None, 16)                         64",
        " 2 (Dropout)                   (None, 16)                          0",
        " 3 (Dense)                     (None, 3)                          51",
        "=" * 68,
        "Total params: 163 (652.00 B)",
        "Trainable params: 131 (524.00 B)",
        "Non-trainable params: 32 (128.00 B)",
        "_" * 68])
    model[0].requires_grad_(False)
    model.summary(print_fn=lines.append)             # the built shape is remembered
    assert lines[-3:-1] == ["Trainable params: 83 (332.00 B)", "Non-trainable params: 80 (320.00 B)"]
    with pytest.raises(ValueError, match=r"summary\(\): expected a known input shape, got a model that has not seen "
                                         r"data\. Pass summary\(input_shape=\(784,\)\), call build\(\(784,\)\), or "
                                         r"fit/predict first\."):
        lucidnet.Sequential([nn.Dense(3)]).summary()


def test_summary_of_a_subclassed_model_names_nested_layers(capsys):
    class Net(lucidnet.Model):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 5), nn.Tanh())
            self.head = nn.Linear(5, 2)

        def forward(self, x):
            return self.head(self.body(x))
    Net().summary(input_shape=(None, 4))
    out = capsys.readouterr().out
    assert " body.0 (Linear)" in out and " body.1 (Tanh)" in out and " head (Linear)" in out
    assert "Total params: 37 (148.00 B)" in out


# ------------------------------------------------------------------------------------------------ models

def test_sequential_takes_a_list_or_arguments_and_keeps_pytorch_keys():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    a, b = lucidnet.Sequential(layers), lucidnet.Sequential(*layers)
    c = lucidnet.Sequential(collections.OrderedDict([("fc", layers[0])]))
    assert list(a.state_dict()) == list(b.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(c.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(a, nn.Sequential) and isinstance(a[:2], lucidnet.Sequential) and len(a[:2]) == 2
    a.add(nn.Sigmoid())
    assert len(a) == 4 and isinstance(a.pop(), nn.Sigmoid) and len(a) == 3
    with pytest.raises(TypeError, match=r"Sequential.add\(\): expected a layer \(a Module\), got int\."):
        a.add(3)


def test_configs_keep_the_two_sequentials_apart():
    keras_like = lucidnet.Sequential([nn.Linear(2, 3), nn.Sequential(nn.ReLU())])
    spec = keras_like.to_config()
    assert spec["class"] == "lucidnet.Sequential" and spec["config"]["layers"][1]["class"] == "Sequential"
    rebuilt = nn.module_from_config(spec)
    assert type(rebuilt) is lucidnet.Sequential and type(rebuilt[1]) is nn.Sequential
    assert nn.MODULES["Sequential"] is nn.Sequential


def test_model_wraps_a_module_transparently():
    inner = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3))
    model = lucidnet.Model(inner)
    assert list(model.state_dict()) == list(inner.state_dict())
    assert type(lucidnet.Model.from_module(inner)) is lucidnet.Sequential
    assert lucidnet.Model.from_module(model) is model
    model.compile("adam", "cross_entropy", metrics=["accuracy"], lr=0.05)
    h = model.fit(X, Y, epochs=20, verbose=0)
    assert h.history["accuracy"][-1] == 1.0
    rebuilt = nn.module_from_config(model.to_config())
    rebuilt.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(rebuilt.predict(X), model.predict(X))
    with pytest.raises(NotImplementedError, match=r"Model: a Model subclass must define forward\(\), or wrap a module"):
        lucidnet.Model()(lucidnet.ones(1, 2))
    with pytest.raises(TypeError, match=r"Model\(\): expected a Module to wrap, got list\."):
        lucidnet.Model([nn.Linear(2, 2)])


# ------------------------------------------------------------------------------------------------ the anchor

def test_nnfs_book_spiral_with_adam_reaches_the_books_accuracy():
    """The book's chapter 10 run: its spiral data and 0.01 * randn weights (drawn from NumPy's legacy RNG seeded
    with 0, as nnfs.init() does), Dense(2, 64)-ReLU-Dense(64, 3), softmax cross-entropy, Adam lr 0.05 (eps 1e-7, the
    book's) with 1/(1 + 5e-7 t) decay per step, 10,000 full-batch steps. The book prints acc 0.360 / loss 1.099 at
    epoch 0 and 0.983 at the end; lucidnet's float32 run ends at 0.973 (~4 s through fit)."""
    rs = np.random.RandomState(0)
    Xs, ys = spiral(100, 3, generator=rs)
    w1, w2 = 0.01 * rs.randn(2, 64), 0.01 * rs.randn(64, 3)
    model = lucidnet.Sequential([nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3)])
    with lucidnet.no_grad():
        model[0].weight.copy_(w1.T)
        model[0].bias.zero_()
        model[2].weight.copy_(w2.T)
        model[2].bias.zero_()
    model.compile(optim.Adam(model.parameters(), lr=0.05, eps=1e-7), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    h = model.fit(Xs, ys, epochs=10001, batch_size=300, shuffle=False, verbose=0,
                  callbacks=[C.LearningRateScheduler(lambda step: 0.05 / (1 + 5e-7 * step))])
    print(f"spiral: 10,001 epochs in {time.perf_counter() - start:.1f}s, accuracy {h.history['accuracy'][-1]:.3f}")
    assert round(h.history["accuracy"][0], 3) == 0.360 and round(h.history["loss"][0], 3) == 1.099
    assert h.history["accuracy"][-1] >= 0.95
    assert h.history["lr"][-1] == pytest.approx(0.05 / (1 + 5e-7 * 10000))
