"""fit(steps_per_epoch=, validation_steps=) with Keras 3's rules: an epoch is that many batches, the next epoch
draws on where the last stopped (arrays and DataLoaders pass after pass, reshuffled at each new pass; a
generator until it ends); data that runs out inside an epoch cuts that epoch with a warning. The progress
display and History count those epochs; resuming a checkpoint mid-pass is in tests/test_io.py."""
import warnings

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.data import DataLoader, TensorDataset
from lucidnet.train import callbacks as C

from helpers import terminal

N = 10                                                     # samples; x's first column is the sample's number
X = np.stack([np.arange(N), np.ones(N)], axis=1).astype(np.float32)
Y = np.arange(N) % 3


class Recorder(lucidnet.Sequential):
    """Records the sample numbers of every training and validation batch."""

    def train_step(self, x, y):
        self.trained.append(x.array[:, 0].astype(int).tolist())
        return super().train_step(x, y)

    def test_step(self, x, y):
        self.tested.append(x.array[:, 0].astype(int).tolist())
        return super().test_step(x, y)


def model():
    lucidnet.manual_seed(0)
    m = Recorder([nn.Linear(2, 3)])
    m.trained, m.tested = [], []
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


class Steps(C.Callback):
    """The params fit gives the callbacks, and the batches of each epoch as the callbacks see them."""

    def on_train_begin(self, logs=None):
        self.steps, self.batches = self.params["steps"], []

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.batches[-1] += 1


def fit(m, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = m.fit(*args, verbose=0, **kwargs)
    return h, [str(w.message) for w in caught]


def test_arrays_are_drawn_on_across_epochs_and_reshuffled_at_each_new_pass():
    m, steps = model(), Steps()                            # 8 samples in batches of 2: 4 batches a pass
    h, caught = fit(m, X[:8], Y[:8], batch_size=2, epochs=4, steps_per_epoch=2, shuffle=False, callbacks=[steps])
    assert m.trained == [[0, 1], [2, 3], [4, 5], [6, 7], [0, 1], [2, 3], [4, 5], [6, 7]]
    assert steps.steps == 2 and steps.batches == [2] * 4 and h.epoch == [0, 1, 2, 3] and not caught
    assert all(len(v) == 4 for v in h.history.values())
    m = model()
    fit(m, X[:8], Y[:8], batch_size=2, epochs=4, steps_per_epoch=2, seed=3)
    first, second = sum(m.trained[:4], []), sum(m.trained[4:], [])
    assert sorted(first) == sorted(second) == list(range(8))   # each pass: every sample once
    assert first != second                                     # a new order for the new pass


def test_arrays_that_run_out_inside_an_epoch_cut_it_with_a_warning_as_keras():
    m, steps = model(), Steps()
    h, caught = fit(m, X, Y, batch_size=4, epochs=3, steps_per_epoch=2, shuffle=False, callbacks=[steps])
    # 3 batches a pass: epoch 2 gets the last one, then is cut; epoch 3 starts a new pass
    assert m.trained == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7]]
    assert steps.batches == [2, 1, 2] and h.epoch == [0, 1, 2] and len(h.history["loss"]) == 3
    assert caught == ["fit(): the data ran out after 1 of the 2 batches of steps_per_epoch; interrupting the epoch. "
                      "Make sure the data can give at least steps_per_epoch * epochs batches (pass a generator "
                      "that loops, or a smaller steps_per_epoch)."]


def test_a_looping_generator_feeds_any_number_of_epochs():
    def forever():
        i = 0
        while True:
            rows = np.arange(i, i + 2) % N
            yield X[rows], Y[rows]
            i += 2
    m, steps = model(), Steps()
    h, caught = fit(m, forever(), epochs=3, steps_per_epoch=4, callbacks=[steps])
    assert m.trained == [[i % N, (i + 1) % N] for i in range(0, 24, 2)] and not caught
    assert steps.steps == 4 and steps.batches == [4, 4, 4] and h.epoch == [0, 1, 2]


def test_a_generator_that_ends_cuts_the_epoch_with_a_warning():
    m = model()
    h, caught = fit(m, ((X[i:i + 2], Y[i:i + 2]) for i in range(0, N, 2)), epochs=2, steps_per_epoch=3)
    assert m.trained == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert caught and caught[0].startswith("fit(): the data ran out after 2 of the 3 batches of steps_per_epoch")


def test_a_dataloader_is_drawn_on_across_epochs():
    m, steps = model(), Steps()
    loader = DataLoader(TensorDataset(X, Y), batch_size=5)
    h, caught = fit(m, loader, epochs=4, steps_per_epoch=1, callbacks=[steps])
    assert m.trained == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]] * 2 and steps.steps == 1 and not caught


def test_validation_steps_validate_on_the_first_batches_every_time():
    m = model()
    h, _ = fit(m, X, Y, batch_size=4, epochs=2, validation_data=(X[:6], Y[:6]), validation_steps=1)
    assert m.tested == [[0, 1, 2, 3], [0, 1, 2, 3]]
    m2 = model()
    m2.fit(X, Y, batch_size=4, epochs=2, validation_data=(X[:4], Y[:4]), verbose=0)
    assert h.history == m2.history.history                    # the same numbers as validating on those 4 alone
    m = model()
    h, caught = fit(m, X, Y, batch_size=4, epochs=1, validation_data=(X[:6], Y[:6]), validation_steps=3)
    assert m.tested == [[0, 1, 2, 3], [4, 5]]
    assert caught == ["fit(): the data ran out after 2 of the 3 batches of validation_steps; interrupting the "
                      "epoch. Make sure the data can give at least validation_steps * epochs batches (pass a "
                      "generator that loops, or a smaller validation_steps)."]


def test_the_progress_bar_counts_the_epochs_batches(monkeypatch):
    term = terminal(monkeypatch)
    model().fit(X[:8], Y[:8], batch_size=2, epochs=2, steps_per_epoch=2, verbose=1)   # 4 batches a pass
    text = term.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "2/2" in text and "/4" not in text


@pytest.mark.parametrize("name", ["steps_per_epoch", "validation_steps"])
@pytest.mark.parametrize("value", [0, -1, 1.5])
def test_bad_steps_are_one_clear_error(name, value):
    with pytest.raises(ValueError, match=rf"^fit\(\): expected {name} to be a positive integer, got {value}\.$"):
        model().fit(X, Y, epochs=1, verbose=0, **{name: value})


def test_evaluate_and_predict_take_keras_steps():
    m = model()
    m.fit(X, Y, epochs=1, verbose=0)
    m.tested.clear()
    first_two = m.evaluate(X, Y, batch_size=4, steps=2, return_dict=True)
    assert first_two == pytest.approx(m.evaluate(X[:8], Y[:8], return_dict=True), rel=1e-6)
    assert m.tested == [[0, 1, 2, 3], [4, 5, 6, 7], list(range(8))]
    np.testing.assert_array_equal(m.predict(X, batch_size=3, steps=2), m.predict(X[:6]))
    with pytest.warns(UserWarning, match=r"^predict\(\): the data ran out after 4 of the 5 batches of steps;"):
        assert m.predict(X, batch_size=3, steps=5).shape == (N, 3)
    with pytest.raises(ValueError, match=r"^evaluate\(\): expected steps to be a positive integer, got 0\.$"):
        m.evaluate(X, Y, steps=0)
