"""Metrics against hand computation (loops over samples, the obvious way) and PyTorch (top-k), running forms
against one-shot forms, name resolution, and bad input."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.train import metrics as M

RNG = np.random.default_rng(0)
SCORES = RNG.normal(size=(50, 7)).astype(np.float32)
IDS = RNG.integers(0, 7, 50)


def hand_accuracy(scores, ids):
    return sum(int(np.argmax(s) == t) for s, t in zip(scores, ids)) / len(ids)


def test_accuracy_matches_hand_count_for_logits_probabilities_and_one_hot():
    expected = hand_accuracy(SCORES, IDS)
    probs = np.exp(SCORES) / np.exp(SCORES).sum(1, keepdims=True)
    one_hot = np.eye(7, dtype=np.float32)[IDS]
    assert M.accuracy(SCORES, IDS) == expected
    assert M.accuracy(probs, IDS) == expected
    assert M.accuracy(SCORES, one_hot) == expected
    assert M.categorical_accuracy(SCORES, one_hot) == expected
    assert M.accuracy(lucidnet.tensor(SCORES), lucidnet.tensor(IDS)) == expected


def test_binary_accuracy_thresholds():
    p = np.array([0.9, 0.4, 0.6, 0.1])
    t = np.array([1, 1, 0, 0])
    assert M.accuracy(p, t) == 0.5                        # (N,) predictions are binary
    assert M.accuracy(p[:, None], t) == 0.5               # (N, 1) too, against (N,) labels
    assert M.accuracy(p - 0.5, t, threshold=0.0) == 0.5   # logits
    assert M.binary_accuracy(np.array([[0.9, 0.2], [0.4, 0.7]]), np.array([[1, 0], [1, 1]])) == 0.75


def test_top_k_accuracy_matches_torch_topk():
    for k in (1, 2, 3, 7):
        top = torch.topk(torch.from_numpy(SCORES), k, dim=1).indices.numpy()
        expected = np.mean([t in row for t, row in zip(IDS, top)])
        assert M.top_k_accuracy(SCORES, IDS, k=k) == pytest.approx(expected)
    assert M.top_k_accuracy(SCORES, IDS, k=1) == hand_accuracy(SCORES, IDS)


def test_mse_and_mae_match_hand_computation():
    p, t = RNG.normal(size=(20, 3)), RNG.normal(size=(20, 3))
    assert M.mean_squared_error(p, t) == pytest.approx(sum(((a - b) ** 2).sum() for a, b in zip(p, t)) / 60)
    assert M.mae(p, t) == pytest.approx(sum(abs(a - b).sum() for a, b in zip(p, t)) / 60)
    assert M.mse(p[:, :1], t[:, 0]) == pytest.approx(np.mean((p[:, 0] - t[:, 0]) ** 2))   # (N, 1) vs (N,)


def test_confusion_matrix_matches_hand_count():
    pred = SCORES.argmax(1)
    expected = np.zeros((7, 7), dtype=np.int64)
    for t, p in zip(IDS, pred):
        expected[t, p] += 1
    cm = M.confusion_matrix(SCORES, IDS)
    np.testing.assert_array_equal(cm, expected)
    np.testing.assert_array_equal(M.confusion_matrix(pred, IDS, num_classes=7), expected)
    assert cm.shape == (7, 7) and cm.dtype == np.int64 and cm.trace() == int(round(M.accuracy(SCORES, IDS) * 50))
    assert M.confusion_matrix(np.array([0, 1]), np.array([1, 1])).tolist() == [[0, 0], [1, 1]]   # rows: true


def test_running_metrics_equal_one_shot_over_uneven_batches():
    acc, top, mse = M.Accuracy(), M.TopKAccuracy(k=3), M.MeanSquaredError()
    onehot = np.eye(7, dtype=np.float32)[IDS]
    for start, stop in ((0, 7), (7, 32), (32, 50)):
        acc.update_state(SCORES[start:stop], IDS[start:stop])
        top.update_state(SCORES[start:stop], IDS[start:stop])
        mse.update_state(SCORES[start:stop], onehot[start:stop])
    assert acc.result() == M.accuracy(SCORES, IDS)
    assert top.result() == M.top_k_accuracy(SCORES, IDS, k=3)
    assert mse.result() == pytest.approx(M.mse(SCORES, onehot))
    acc.reset_state()
    assert np.isnan(acc.result())


def test_wrapper_weighs_batches_by_size():
    m = M.MeanMetricWrapper(lambda p, t: float(np.mean(p == t)), name="eq")
    m.update_state(np.array([1, 1, 1]), np.array([1, 1, 1]))
    m.update_state(np.array([0]), np.array([1]))
    assert m.name == "eq" and m.result() == 0.75


def test_get_resolves_names_and_keeps_them():
    assert isinstance(M.get("accuracy"), M.Accuracy) and M.get("acc").name == "acc"
    assert M.get("accuracy", binary=True).mode == "binary"
    assert M.get("top_k_accuracy").k == 5 and M.get("mean_squared_error").name == "mean_squared_error"
    m = M.Accuracy()
    assert M.get(m) is m
    assert isinstance(M.get(np.mean), M.MeanMetricWrapper)


def test_bad_input_messages():
    with pytest.raises(ValueError, match=r"metrics: expected one of .*, got 'f1_scor'\."):
        M.get("f1_scor")
    with pytest.raises(TypeError, match=r"metrics: expected a name, a Metric or a function"):
        M.get(3)
    with pytest.raises(ValueError, match=r"accuracy: expected targets of shape \(50,\) \(class ids\) or \(50, 7\) "
                                         r"\(one-hot\) for predictions of shape \(50, 7\), got \(49,\)\."):
        M.accuracy(SCORES, IDS[:49])
    with pytest.raises(ValueError, match=r"top_k_accuracy: expected class ids in \[0, 7\), got values from 0 to 9\."):
        M.top_k_accuracy(SCORES, np.r_[IDS[:-1], 9])
    with pytest.raises(ValueError, match=r"top_k_accuracy: expected k to be a positive integer, got 0\."):
        M.top_k_accuracy(SCORES, IDS, k=0)
    with pytest.raises(ValueError, match=r"confusion_matrix: expected true class ids in \[0, 2\), got values from 0 "
                                         r"to 5\."):
        M.confusion_matrix(np.array([0, 1]), np.array([0, 5]), num_classes=2)
    with pytest.raises(ValueError, match=r"mean_squared_error: expected targets of shape \(2,\)"):
        M.mse(np.zeros(2), np.zeros(3))
