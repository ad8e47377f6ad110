"""Looking inside the layers, on cases with known answers: units made dead are counted dead; a deep sigmoid
network's first layers get vanishing gradients; SGD's update-to-weight ratio is lr * ||g|| / ||w||, and a
too-high learning rate shows as a ratio far above 1e-3; statistics go to TensorBoard; nothing is left hooked."""
import numpy as np
import pytest

import lucidnet
from lucidnet import nn
from lucidnet.train import LayerStatistics, layer_statistics
from lucidnet.utils.tensorboard import SummaryWriter

X = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.int64)


def test_dead_relus_are_counted():
    lucidnet.manual_seed(0)
    model = nn.MLP([4, 10, 2])
    with lucidnet.no_grad():
        model[0].bias.array[:3] = -100.0                   # three units can never fire on this data
    stats, acts, grads = layer_statistics(model, X, Y, nn.CrossEntropyLoss())
    assert stats["1 ReLU"]["dead_fraction"] == pytest.approx(0.3)
    assert (acts["1 ReLU"][:, :3] == 0).all() and grads["1 ReLU"].shape == (64, 10)
    assert "update_ratio" not in stats["0 Linear"] and model[0].weight.grad is None    # by hand: nothing changed


def test_vanishing_gradients_in_a_deep_sigmoid_network():
    lucidnet.manual_seed(0)
    model = nn.MLP([4] + [32] * 8 + [2], activation="sigmoid")
    stats, _, _ = layer_statistics(model, X, Y, nn.CrossEntropyLoss())
    first, last = stats["0 Linear"]["grad_norm"], stats["16 Linear"]["grad_norm"]
    assert first < last / 100                             # each sigmoid multiplies the gradient by <= 1/4


def test_a_too_high_learning_rate_shows_in_the_update_ratio():
    ratios = {}
    for lr in (1e-3, 10.0):
        lucidnet.manual_seed(0)
        model = lucidnet.Model(nn.MLP([4, 8, 2]))
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", lr=lr)
        inside = LayerStatistics(every=2)
        model.fit(X, Y, epochs=2, batch_size=16, verbose=0, shuffle=False, callbacks=[inside])
        assert inside.steps == [0, 2, 4, 6]                  # 4 batches an epoch, every second one sampled
        layer = inside.history["0 Linear"]
        assert len(layer["update_ratio"]) == len(layer["grad_norm"]) == 4
        ratios[lr] = max(layer["update_ratio"])
    assert ratios[1e-3] < 1e-2 and ratios[10.0] > 0.1


def test_update_ratio_exactly():
    lucidnet.manual_seed(0)
    model = lucidnet.Model(nn.MLP([4, 3, 2]))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", lr=0.5)
    inside = LayerStatistics()
    weights = {}
    snap = lucidnet.train.LambdaCallback(on_train_batch_begin=lambda b, logs: weights.setdefault(
        b, [p.array.astype(np.float64).copy() for p in model.module[0].parameters()]))
    model.fit(X, Y, epochs=1, batch_size=64, verbose=0, callbacks=[snap, inside])
    w = np.sqrt(sum((a ** 2).sum() for a in weights[0]))
    (ratio,), (grad_norm,) = inside.history["0 Linear"]["update_ratio"], inside.history["0 Linear"]["grad_norm"]
    assert ratio == pytest.approx(0.5 * grad_norm / w, rel=1e-5)


def test_written_to_tensorboard_and_nothing_left_hooked(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    lucidnet.manual_seed(0)
    model = lucidnet.Model(nn.MLP([4, 8, 2]))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with SummaryWriter(tmp_path) as writer:
        inside = LayerStatistics(writer=writer)
        model.fit(X, Y, epochs=2, batch_size=32, verbose=0, callbacks=[inside])
    assert all(not m._forward_hooks for m in model.modules())
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [e.step for e in acc.Scalars("dead_fraction/1 ReLU")] == [0, 2]
    assert "activations/0 Linear" in acc.Tags()["histograms"] and "gradients/2 Linear" in acc.Tags()["histograms"]
    assert set(inside.last_activations) == {"0 Linear", "1 ReLU", "2 Linear"}
    with pytest.raises(ValueError, match="expected every to be a positive integer or None, got 0"):
        LayerStatistics(every=0)
