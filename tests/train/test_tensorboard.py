"""SummaryWriter and the TensorBoard callback: TensorBoard's own reader (EventAccumulator) loads exactly the
scalars, histograms, images, text and graph written; the callback lays fit's logs out as Keras does
(train/ and validation/ runs, epoch_* and batch_* tags); errors name the fix."""
import os
import re
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import lucidnet
from lucidnet import nn
from lucidnet.data import blobs
from lucidnet.data.png import read_png
from lucidnet.train import TensorBoard
from lucidnet.utils.tensorboard import SummaryWriter


def read(logdir):
    acc = EventAccumulator(os.fspath(logdir), size_guidance={"tensors": 0, "scalars": 0, "images": 0,
                                                             "histograms": 0})
    acc.Reload()
    return acc


def scalars(acc, tag):
    return [(e.step, round(e.value, 6)) for e in acc.Scalars(tag)]


def test_tensorboards_reader_loads_what_the_writer_wrote(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=1000)
    with SummaryWriter(tmp_path) as w:
        for step, loss in enumerate([1.0, 0.5, 0.25]):
            w.add_scalar("loss/train", lucidnet.tensor(loss), step)
        w.add_histogram("weights", values, 3)
        w.add_histogram("weights_10", lucidnet.tensor(values), 3, bins=10)
        image = np.zeros((3, 4, 5))
        image[0] = 1.0                                                  # a red CHW image
        w.add_image("red", image, 0)
        w.add_images("batch", rng.random((3, 6, 6, 1)), 0, dataformats="NHWC")
        w.add_text("notes", "lr **0.1**", 1)
    acc = read(tmp_path)
    assert scalars(acc, "loss/train") == [(0, 1.0), (1, 0.5), (2, 0.25)]
    (h,) = acc.Histograms("weights")
    assert h.step == 3 and h.histogram_value.num == 1000 and sum(h.histogram_value.bucket) == 1000
    assert h.histogram_value.min == values.min() and h.histogram_value.max == values.max()
    assert h.histogram_value.sum == pytest.approx(values.sum()) and h.histogram_value.sum_squares == pytest.approx(
        (values ** 2).sum())
    ten = acc.Histograms("weights_10")[0].histogram_value
    assert list(ten.bucket) == np.histogram(values, 10)[0].tolist()
    (red,) = acc.Images("red")
    assert (red.width, red.height) == (5, 4)
    path = tmp_path / "red.png"
    path.write_bytes(red.encoded_image_string)
    np.testing.assert_array_equal(read_png(path)[0, 0], [255, 0, 0])
    assert acc.Images("batch")[0].width == 3 * 8
    assert acc.Tensors("notes/text_summary")[0].tensor_proto.string_val == [b"lr **0.1**"]


def test_add_scalars_add_figure_and_add_graph(tmp_path):
    from lucidnet import plots
    w = SummaryWriter(tmp_path, flush_secs=1)
    w.add_scalars("acc", {"train": 0.9, "val": 0.8}, 5)
    w.add_figure("curve", plots.plot_history({"loss": [1.0, 0.5]}), 0)
    w.add_graph(nn.Sequential(nn.Flatten(), nn.MLP([4, 3, 2])), np.zeros((1, 2, 2), np.float32))
    w.close()
    w.close()                                                            # closing twice is fine
    assert scalars(read(tmp_path / "acc_train"), "acc") == [(5, 0.9)]
    assert scalars(read(tmp_path / "acc_val"), "acc") == [(5, 0.8)]
    acc = read(tmp_path)
    assert acc.Images("curve")[0].width == 500
    graph = acc.Graph()
    assert [(n.name, n.op, list(n.input)) for n in graph.node] == [
        ("input", "Input", []), ("0", "Flatten", ["input"]), ("1/0", "Linear", ["0"]), ("1/1", "ReLU", ["1/0"]),
        ("1/2", "Linear", ["1/1"])]
    assert [d.size for d in graph.node[2].attr["_output_shapes"].list.shape[0].dim] == [1, 3]


@pytest.mark.parametrize("call, error, message", [
    (lambda w: w.add_scalar("x", np.ones(3)), ValueError,
     "SummaryWriter.add_scalar('x'): expected a single number, got an array of shape (3,)."),
    (lambda w: w.add_image("x", np.zeros((4, 4))), ValueError,
     "SummaryWriter.add_image('x'): expected an image in the layout dataformats='CHW' (3 axes), got shape (4, 4)."),
    (lambda w: w.add_histogram("x", [np.nan]), ValueError,
     "SummaryWriter.add_histogram('x'): expected at least one finite value to make a histogram, got none."),
    (lambda w: w.add_graph(nn.Linear(2, 2)), ValueError,
     "SummaryWriter.add_graph(): expected input_to_model, an example input to trace the model with, got None."),
    (lambda w: (w.close(), w.add_scalar("x", 1.0)), RuntimeError,
     "SummaryWriter: expected an open writer, got one that was closed; make a new SummaryWriter to write more."),
])
def test_writer_errors(tmp_path, call, error, message):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(error, match="^" + re.escape(message) + "$"):
            call(w)


def test_without_tensorboard(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    with pytest.raises(ImportError, match=re.escape("SummaryWriter: expected the tensorboard package to write event "
                                                    "files, got none installed. Install it with: pip install "
                                                    "'lucidnet[tensorboard]'")):
        SummaryWriter(tmp_path)


X, Y = blobs(40, centers=[[-2, -2], [2, 2], [2, -2]], std=0.5, seed=0)


def fitted(callback, epochs=3, **kwargs):
    lucidnet.manual_seed(0)
    model = lucidnet.Sequential([nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.05)
    return model, model.fit(X, Y, epochs=epochs, batch_size=10, verbose=0, callbacks=[callback], **kwargs)


def test_the_callback_lays_out_fits_logs_as_keras(tmp_path):
    _, history = fitted(TensorBoard(tmp_path, histogram_freq=2, write_grads=True, write_images=True,
                                    update_freq=2, write_steps_per_second=True), validation_split=0.25)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = read(tmp_path / "train"), read(tmp_path / "validation")
    h = history.history
    assert scalars(train, "epoch_loss") == [(e, round(v, 6)) for e, v in enumerate(h["loss"])]
    assert scalars(train, "epoch_accuracy") == [(e, round(v, 6)) for e, v in enumerate(h["accuracy"])]
    assert scalars(val, "epoch_loss") == [(e, round(v, 6)) for e, v in enumerate(h["val_loss"])]
    assert scalars(train, "epoch_learning_rate") == [(0, 0.05), (1, 0.05), (2, 0.05)]
    assert [s for s, _ in scalars(train, "batch_loss")] == [2, 4, 6, 8]                 # 30 samples: 3 batches an epoch
    assert len(scalars(train, "epoch_steps_per_second")) == 3
    assert sorted(train.Tags()["histograms"]) == ["0/bias", "0/bias/gradient", "0/weight", "0/weight/gradient",
                                                  "2/bias", "2/bias/gradient", "2/weight", "2/weight/gradient"]
    assert [e.step for e in train.Histograms("0/weight")] == [1]                         # epochs 2 (0-based 1)
    assert sorted(train.Tags()["images"]) == ["0/weight/image", "2/weight/image"]
    assert [n.op for n in train.Graph().node] == ["Input", "Linear", "ReLU", "Linear"]


def test_the_callback_errors():
    with pytest.raises(ValueError, match="expected update_freq to be 'epoch', 'batch' or a positive integer, got 0"):
        TensorBoard(update_freq=0)
    with pytest.raises(ValueError, match="expected histogram_freq to be an integer >= 0, got -1"):
        TensorBoard(histogram_freq=-1)
