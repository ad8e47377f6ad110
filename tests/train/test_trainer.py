"""The trainer's seams: gradient clipping as a compile option (against a hand-written loop, bitwise), the loss
form as an explicit argument, Keras's last class axis for (N, T, V) sequence scores, validation_freq, the
progress display as a callback, the distribution hooks a data-parallel backend plugs into, and the training
state as a public getter/setter that a failed fit leaves in place."""
import numpy as np
import pytest

import lucidnet
from lucidnet import nn, optim
from lucidnet.data import DataLoader, TensorDataset, blobs
from lucidnet.train import callbacks as C
from lucidnet.train import distribution as D
from lucidnet.train.progress import ProgbarLogger

from helpers import terminal

X, Y = blobs(40, centers=[[-2, -2], [2, 2], [2, -2]], std=0.5, seed=0)


def mlp(seed=0, last=()):
    lucidnet.manual_seed(seed)
    return lucidnet.Sequential([nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3), *last])


def weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("clip", [{"clipnorm": 0.05}, {"clipvalue": 0.01}, {"clipnorm": 0.05, "clipvalue": 0.01}])
def test_clipping_is_the_hand_written_loop_with_torchs_clip_functions(clip):
    a, b = mlp(), mlp()
    a.compile("sgd", "cross_entropy", lr=0.5, **clip)
    a.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    opt = optim.SGD(b.parameters(), lr=0.5)
    for _ in range(2):
        for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=16):
            opt.zero_grad()
            nn.functional.cross_entropy(b(xb), yb).backward()
            if "clipvalue" in clip:
                nn.utils.clip_grad_value_(b.parameters(), clip["clipvalue"])
            if "clipnorm" in clip:
                nn.utils.clip_grad_norm_(b.parameters(), clip["clipnorm"])
            opt.step()
    assert same(weights(a), weights(b))
    unclipped = mlp()
    unclipped.compile("sgd", "cross_entropy", lr=0.5)
    unclipped.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert not same(weights(a), weights(unclipped))                # the clipping did something
    assert a.get_compile_config()["clipnorm" if "clipnorm" in clip else "clipvalue"] > 0


def test_clipping_arguments_are_checked_and_saved(tmp_path):
    with pytest.raises(ValueError, match=r"^compile\(\): expected clipnorm to be a positive number, got 0\.$"):
        mlp().compile("sgd", "mse", clipnorm=0)
    with pytest.raises(ValueError, match=r"^compile\(\): expected clipvalue to be a positive number, got -1\.$"):
        mlp().compile("sgd", "mse", clipvalue=-1)
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", clipnorm=1.0, from_logits=True)
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.safetensors")
    back = lucidnet.load(tmp_path / "m.safetensors")
    assert back.get_compile_config() == model.get_compile_config()
    assert back.get_compile_config()["clipnorm"] == 1.0 and back.get_compile_config()["from_logits"] is True


def test_from_logits_overrides_what_the_last_layer_says():
    model = mlp(last=[nn.Softmax(dim=-1)])
    model.compile("adam", "sparse_categorical_crossentropy", from_logits=True)
    model.evaluate(X, Y)
    assert model.loss.outputs == "logits"          # softmax outputs scored as logits: the user said so
    model.compile("adam", "sparse_categorical_crossentropy")
    model.evaluate(X, Y)
    assert model.loss.outputs == "probabilities"
    unit = lucidnet.Sequential([nn.Linear(2, 1), nn.Sigmoid()])
    unit.compile("adam", "binary_crossentropy", from_logits=True)
    unit.evaluate(X, (Y == 1).astype(np.float32))
    assert unit.loss.outputs == "logits"
    with pytest.raises(ValueError, match=r"^compile\(\): from_logits applies to a loss given by name, got "
                                         r"CrossEntropyLoss; such a loss takes the outputs as they are\.$"):
        mlp().compile("adam", nn.CrossEntropyLoss(), from_logits=True)
    with pytest.raises(TypeError, match=r"^compile\(\): expected from_logits to be True, False or None, got 'yes'\.$"):
        mlp().compile("adam", "mse", from_logits="yes")


class Tokens(lucidnet.Model):
    """(N, T) token ids -> (N, T, V) scores: the shape of a language model's output."""

    def __init__(self, vocab=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, 8)
        self.head = nn.Linear(8, vocab)

    def forward(self, ids):
        return self.head(self.embed(ids))


def test_keras_names_take_the_classes_on_the_last_axis_for_sequences():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, (12, 6))
    targets = (ids + 1) % 5                         # learn to predict the next token id
    lucidnet.manual_seed(0)
    model = Tokens()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
    h = model.fit(ids, targets, epochs=40, batch_size=4, verbose=0, seed=0)
    assert h.history["loss"][-1] < 0.2 * h.history["loss"][0] and h.history["accuracy"][-1] == 1.0
    scores = model.predict(ids)
    expected = nn.functional.cross_entropy(lucidnet.tensor(scores.reshape(-1, 5)), lucidnet.tensor(targets.ravel()))
    assert model.evaluate(ids, targets)[0] == pytest.approx(expected.item(), rel=1e-5)
    onehot = np.eye(5, dtype=np.float32)[targets]
    model.compile("adam", "categorical_crossentropy")
    assert model.evaluate(ids, onehot) == pytest.approx(expected.item(), rel=1e-5)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"^fit\(\): expected y to hold class ids in \[0, 5\) for a model with 5 "
                                         r"outputs, got 7 \(at sample 2\)\.$"):
        bad = targets.copy()
        bad[2, 3] = 7
        model.fit(ids, bad, verbose=0)


def test_pytorch_names_keep_the_class_axis_one():
    class Channels(lucidnet.Model):             # (N, T) ids -> (N, C, T) scores, PyTorch's layout
        def __init__(self):
            super().__init__()
            self.inner = Tokens()

        def forward(self, ids):
            return self.inner(ids).permute(0, 2, 1)
    lucidnet.manual_seed(0)
    model = Channels()
    ids = np.random.default_rng(1).integers(0, 5, (6, 4))
    model.compile("adam", "cross_entropy")
    scores = model.predict(ids)
    expected = nn.functional.cross_entropy(lucidnet.tensor(scores), lucidnet.tensor(ids))
    assert model.evaluate(ids, ids) == pytest.approx(expected.item(), rel=1e-6)


def test_validation_freq_validates_only_when_asked():
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(X, Y, epochs=4, verbose=0, validation_data=(X, Y), validation_freq=2)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2
    h = model.fit(X, Y, epochs=4, verbose=0, validation_split=0.25, validation_freq=[1, 4])
    assert len(h.history["val_accuracy"]) == 2
    with pytest.raises(ValueError, match=r"^fit\(\): expected validation_freq to be a positive integer, got 0\.$"):
        model.fit(X, Y, verbose=0, validation_freq=0)


def test_progress_is_a_callback_with_a_mode_per_epoch(capsys):
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=30, verbose=0, callbacks=[ProgbarLogger(per="epoch")])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == [f"Epoch {e}/30" for e in range(3, 31, 3)]
    model.fit(X, Y, epochs=2, verbose=1, callbacks=[ProgbarLogger(verbose=2)])       # given: fit adds none
    assert len(capsys.readouterr().out.splitlines()) == 2
    with pytest.raises(ValueError, match=r"^ProgbarLogger: expected per='batch' or 'epoch', got 'step'\.$"):
        ProgbarLogger(per="step")


def test_an_interrupted_epoch_closes_its_bar(monkeypatch):
    term = terminal(monkeypatch)
    stop = C.LambdaCallback(on_train_batch_end=lambda batch, logs: (_ for _ in ()).throw(KeyboardInterrupt))
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy")
    bar = ProgbarLogger()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=2, callbacks=[bar, stop])
    assert bar.progress is None and term.getvalue().endswith("\n")   # closed: the line is finished


class Recorder(D.Distribution):
    """Keeps every other sample of a batch and doubles the gradients: what a backend's hooks would do."""

    def __init__(self):
        self.batches, self.reduced = 0, 0

    def distribute_batch(self, x, y):
        self.batches += 1
        return x[::2], y[::2]

    def reduce_gradients(self, parameters):
        self.reduced += 1
        for p in parameters:
            p.grad.array[...] *= 2


def test_the_distribution_hooks_shard_batches_and_reduce_gradients_before_clipping():
    dist = Recorder()
    a, b = mlp(), mlp()
    a.compile("sgd", "cross_entropy", lr=0.1, clipnorm=0.1)
    D.set_distribution(dist)
    try:
        a.fit(X, Y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    finally:
        D.set_distribution(None)
    assert dist.batches == dist.reduced == 5
    opt = optim.SGD(b.parameters(), lr=0.1)
    for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=8):
        opt.zero_grad()
        nn.functional.cross_entropy(b(xb[::2]), yb[::2]).backward()
        for p in b.parameters():
            p.grad.array[...] *= 2
        nn.utils.clip_grad_norm_(b.parameters(), 0.1)
        opt.step()
    assert same(weights(a), weights(b))
    with pytest.raises(TypeError, match=r"^set_distribution\(\): expected a Distribution or None, got int\.$"):
        D.set_distribution(3)


def test_training_state_is_public_and_a_failed_fit_leaves_it(tmp_path):
    def make():
        lucidnet.manual_seed(0)
        model = lucidnet.Sequential([nn.Dense(16, activation="relu"), nn.Dropout(0.2), nn.Dense(3)])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
        return model
    whole = make()
    h = whole.fit(X, Y, epochs=4, batch_size=16, verbose=0)
    part = make()
    part.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    state = part.get_training_state()
    assert state["epoch"] == 2 and list(state["history"]) == ["loss", "accuracy", "lr"] and state["generators"] == {}
    part.save(tmp_path / "p.safetensors")
    resumed = lucidnet.load(tmp_path / "p.safetensors")
    assert resumed.get_training_state()["epoch"] == 2 and resumed.get_training_state()["history"] == state["history"]
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        resumed.fit(X, Y + 1, epochs=4, batch_size=16, verbose=0)                 # a mistake: nothing consumed
    assert resumed.get_training_state()["epoch"] == 2
    h2 = resumed.fit(X, Y, epochs=4, batch_size=16, verbose=0)
    assert h2.history == h.history and same(weights(resumed), weights(whole))
    again = resumed.fit(X, Y, epochs=1, batch_size=16, verbose=0)                  # its own run: starts over
    assert again.epoch == [0]
    with pytest.raises(ValueError, match=r"set_training_state\(\): expected keys among epoch, history, "
                                         r"generators, callbacks, data, optimizer, got \[.epochs.\]\."):
        resumed.set_training_state({"epochs": 3})
