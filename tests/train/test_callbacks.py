"""Callbacks inside fit: the order of hooks, History, EarlyStopping (stops, restores the best weights),
ModelCheckpoint (save_best_only, never a nan checkpoint), ReduceLROnPlateau, LearningRateScheduler,
CSVLogger, TerminateOnNaN. Monitored values are scripted (a callback writes them into the logs) so each
test knows exactly which epoch must stop, save or reduce."""
import csv
import math
import os

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.data import blobs
from lucidnet.train import callbacks as C

X, Y = blobs(40, centers=[[-2, -2], [2, 2], [2, -2]], std=0.5, seed=0)


def make_model(lr=0.05, metrics=("accuracy",)):
    lucidnet.manual_seed(0)
    model = lucidnet.Sequential([nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=list(metrics), lr=lr)
    return model


class Script(C.Callback):
    """Writes values[epoch] into the logs as ``key`` (a monitored value we control)."""

    def __init__(self, key, values):
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Snapshots(C.Callback):
    """The weights at the end of every epoch."""

    def __init__(self):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append({k: v.array.copy() for k, v in self.model.state_dict().items()})


def weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_hooks_are_called_in_keras_order():
    events = []

    class Recorder(C.Callback):
        def on_train_begin(self, logs=None): events.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): events.append(f"epoch_begin {epoch}")
        def on_train_batch_begin(self, batch, logs=None): events.append(f"batch_begin {batch}")
        def on_train_batch_end(self, batch, logs=None): events.append(f"batch_end {batch}")
        def on_test_begin(self, logs=None): events.append("test_begin")
        def on_test_end(self, logs=None): events.append("test_end")
        def on_epoch_end(self, epoch, logs=None): events.append(f"epoch_end {epoch}")
        def on_train_end(self, logs=None): events.append("train_end")

    make_model().fit(X[:10], Y[:10], batch_size=4, epochs=2, verbose=0, validation_data=(X[10:], Y[10:]),
                     callbacks=[Recorder()])
    epoch = lambda e: [f"epoch_begin {e}", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1",  # noqa
                       "batch_begin 2", "batch_end 2", "test_begin", "test_end", f"epoch_end {e}"]
    assert events == ["train_begin"] + epoch(0) + epoch(1) + ["train_end"]


def test_history_keys_and_values():
    model = make_model(metrics=["accuracy", "mae"])
    onehot = np.eye(3, dtype=np.float32)[Y]
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy", "mse"], lr=0.05)
    h = model.fit(X, onehot, epochs=3, batch_size=16, verbose=0, validation_data=(X[:8], onehot[:8]))
    assert list(h.history) == ["loss", "accuracy", "mse", "val_loss", "val_accuracy", "val_mse", "lr"]
    assert h.epoch == [0, 1, 2] and all(len(v) == 3 for v in h.history.values())
    assert h.history["lr"] == [0.05] * 3 and model.history is h
    assert all(isinstance(v, float) for vs in h.history.values() for v in vs)
    assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(X[:8], onehot[:8], return_dict=True)["loss"],
                                                      rel=1e-6)


def test_batch_logs_hold_the_running_epoch_values():
    seen = []
    cb = C.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(dict(logs)))
    h = make_model().fit(X, Y, batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    assert [sorted(s) for s in seen] == [["accuracy", "loss"]] * 2          # 40 samples: batches of 32 and 8
    assert seen[-1]["loss"] == pytest.approx(h.history["loss"][0]) and seen[-1]["accuracy"] == h.history["accuracy"][0]


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    snaps = Snapshots()
    es = C.EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    model = make_model()
    h = model.fit(X, Y, epochs=10, batch_size=16, verbose=0,
                  callbacks=[Script("score", [5, 4, 3, 3.5, 3.2, 1, 0, 0, 0, 0]), snaps, es])
    assert h.epoch == [0, 1, 2, 3, 4]                     # best at epoch 2, two epochs without improvement
    assert es.stopped_epoch == 4 and es.best == 3 and es.best_epoch == 2
    assert same(weights(model), snaps.weights[2]) and not same(weights(model), snaps.weights[4])


def test_early_stopping_on_a_real_validation_loss():
    model = make_model(lr=0.5)
    es = C.EarlyStopping(monitor="val_loss", patience=3, min_delta=1e-3, restore_best_weights=True)
    snaps = Snapshots()
    h = model.fit(X, Y, epochs=200, batch_size=40, verbose=0, validation_data=(X, Y), callbacks=[snaps, es])
    assert len(h.epoch) < 200 and es.stopped_epoch == h.epoch[-1] == es.best_epoch + 3
    assert h.history["val_loss"][es.best_epoch] == es.best
    assert es.best - min(h.history["val_loss"]) < 1e-3                          # later gains were below min_delta
    assert same(weights(model), snaps.weights[es.best_epoch])


def test_early_stopping_modes_baseline_and_missing_monitor():
    es = C.EarlyStopping(monitor="val_accuracy")            # 'auto' watches accuracies going up
    assert es.is_better(0.9, 0.8) and not es.is_better(0.8, 0.9)
    h = make_model().fit(X, Y, epochs=4, verbose=0, callbacks=[Script("score", [1, 1, 1, 1]),
                                                               C.EarlyStopping(monitor="score", baseline=0.5,
                                                                               patience=2)])
    assert h.epoch == [0, 1]                              # never beat the baseline: stops after patience
    with pytest.warns(UserWarning, match=r"EarlyStopping: expected 'val_loss' in the logs, got only \['accuracy', "
                                         r"'loss', 'lr'\]; doing nothing\. Pass validation_data"):
        h = make_model().fit(X, Y, epochs=2, verbose=0, callbacks=[C.EarlyStopping()])
    assert h.epoch == [0, 1]


def test_model_checkpoint_save_best_only(tmp_path):
    snaps = Snapshots()
    pattern = str(tmp_path / "e{epoch}-{score:.1f}.safetensors")
    best = C.ModelCheckpoint(str(tmp_path / "best.safetensors"), monitor="score", save_best_only=True)
    model = make_model()
    model.fit(X, Y, epochs=5, batch_size=16, verbose=0,
              callbacks=[C.ModelCheckpoint(pattern, monitor="score", save_best_only=True), best,
                         Script("score", [3.0, 2.0, 2.5, 1.0, 1.5]), snaps])
    assert sorted(os.listdir(tmp_path)) == ["best.safetensors", "e1-3.0.safetensors", "e2-2.0.safetensors",
                                            "e4-1.0.safetensors"]
    assert best.best == 1.0
    assert same(weights(lucidnet.load(tmp_path / "best.safetensors")), snaps.weights[3])


def test_model_checkpoint_weights_only_is_a_plain_state_dict(tmp_path):
    import safetensors.torch
    model = make_model()
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[C.ModelCheckpoint(str(tmp_path / "w{epoch}.safetensors"),
                                                                      save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["w1.safetensors", "w2.safetensors"]
    state = safetensors.torch.load_file(str(tmp_path / "w2.safetensors"))
    assert sorted(state) == sorted(model.state_dict())
    assert all(np.array_equal(state[k].numpy(), v.array) for k, v in model.state_dict().items())


def test_model_checkpoint_runs_after_the_other_callbacks(tmp_path):
    # ReduceLROnPlateau is listed after the checkpoint, yet the checkpoint holds the lr it just lowered.
    path = str(tmp_path / "ckpt.safetensors")
    model = make_model()
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[Script("score", [1.0, 1.0]), C.ModelCheckpoint(path),
                                                    C.ReduceLROnPlateau(monitor="score", patience=1, factor=0.5)])
    assert lucidnet.io.load_checkpoint(path).optimizer_state["param_groups"][0]["lr"] == 0.025


def test_model_checkpoint_never_saves_nan(tmp_path):
    path = str(tmp_path / "ckpt.safetensors")
    model = make_model()
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[C.ModelCheckpoint(path)])
    good = open(path, "rb").read()
    cb = C.ModelCheckpoint(path)
    cb.set_model(model)
    with pytest.warns(UserWarning, match=r"ModelCheckpoint: epoch 2: not saving '.*ckpt.safetensors', loss is nan or "
                                         r"inf; the last good checkpoint stays\."):
        cb.on_epoch_end(1, {"loss": math.nan, "accuracy": 0.5})
    with lucidnet.no_grad():
        model[0].weight[0, 0] = math.inf
    with pytest.warns(UserWarning, match=r"not saving .* the weights is nan or inf"):
        cb.on_epoch_end(1, {"loss": 0.5})
    assert open(path, "rb").read() == good


def test_model_checkpoint_path_names_a_missing_log(tmp_path):
    with pytest.raises(ValueError, match=r"ModelCheckpoint: the filepath '.*e\{epoch\}-\{val_los:.2f\}' names "
                                         r"'val_los', which is not in the logs; expected one of epoch, accuracy, loss, "
                                         r"lr\."):
        make_model().fit(X, Y, epochs=1, verbose=0,
                         callbacks=[C.ModelCheckpoint(str(tmp_path / "e{epoch}-{val_los:.2f}"))])


def test_reduce_lr_on_plateau_patience_cooldown_and_min_lr():
    scores = [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    h = make_model(lr=0.1).fit(X, Y, epochs=8, verbose=0, callbacks=[
        Script("score", scores), C.ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, cooldown=1,
                                                     min_lr=0.02)])
    # lr in effect per epoch. No improvement after epoch 1: reductions at the ends of epochs 3 and 5 (as in
    # Keras, the cooldown epoch that follows a reduction counts towards the next patience).
    assert h.history["lr"] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    h = make_model(lr=0.1).fit(X, Y, epochs=12, verbose=0, callbacks=[
        Script("score", [1.0] * 12), C.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, min_lr=0.02)])
    assert min(h.history["lr"]) == 0.02 and h.history["lr"][-1] == 0.02
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: expected factor in \(0, 1\), got 1\.5\."):
        C.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_sets_lr_each_epoch():
    h = make_model().fit(X, Y, epochs=4, verbose=0,
                         callbacks=[C.LearningRateScheduler(lambda epoch: 0.1 / (1 + epoch))])
    assert h.history["lr"] == pytest.approx([0.1, 0.05, 0.1 / 3, 0.025])
    h = make_model(lr=0.2).fit(X, Y, epochs=3, verbose=0,
                               callbacks=[C.LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    assert h.history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    with pytest.raises(ValueError, match=r"LearningRateScheduler: expected the schedule to return a finite number "
                                         r">= 0, got nan at epoch 0\."):
        make_model().fit(X, Y, epochs=1, verbose=0, callbacks=[C.LearningRateScheduler(lambda e: math.nan)])


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    h = make_model().fit(X, Y, epochs=3, verbose=0, validation_data=(X, Y), callbacks=[C.CSVLogger(path)])
    rows = list(csv.reader(open(path)))
    keys = sorted(h.history)
    assert rows[0] == ["epoch"] + keys
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    for i, row in enumerate(rows[1:]):
        assert [float(v) for v in row[1:]] == [h.history[k][i] for k in keys]       # full precision
    make_model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[C.CSVLogger(path, append=True)])
    assert len(list(csv.reader(open(path)))) == 1 + 3 + 2                          # appended, one header
    make_model().fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[C.CSVLogger(path)])
    assert len(list(csv.reader(open(path)))) == 2                                  # a new file


def nan_at(call):
    """A loss that is cross-entropy, except nan at the given call (1-based)."""
    count = [0]

    def loss(y_pred, y_true):
        count[0] += 1
        value = lucidnet.nn.functional.cross_entropy(y_pred, y_true)
        return value * math.nan if count[0] == call else value
    return loss


def test_terminate_on_nan_stops_without_an_error(capsys):
    model = make_model()
    model.compile("adam", nan_at(6), metrics=["accuracy"])
    h = model.fit(X, Y, epochs=5, batch_size=16, verbose=0, callbacks=[C.TerminateOnNaN()])
    assert h.epoch == [0, 1]                       # 3 batches per epoch: the 6th is the last of epoch 2
    assert math.isnan(h.history["loss"][1]) and math.isfinite(h.history["loss"][0])
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_csv_logger_rewrites_its_file_atomically(tmp_path, monkeypatch):
    import errno
    path = tmp_path / "log.csv"
    cb = C.CSVLogger(path)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"loss": 0.5})
    good = path.read_text()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        cb.on_epoch_end(1, {"loss": 0.25})
    assert path.read_text() == good and os.listdir(tmp_path) == ["log.csv"]      # no torn row, no temp file
