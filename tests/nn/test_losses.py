"""Losses on bad input: wrong target shapes, class ids out of range, float targets where ids are needed and
integer targets where probabilities are, mismatched regression shapes (an error, not a broadcast), BCE inputs
outside [0, 1]; and the reductions."""
import re

import numpy as np
import pytest

import lucidnet
from lucidnet import nn
import lucidnet.nn.functional as F

from helpers import raises


@pytest.mark.parametrize("loss, name", [(nn.MSELoss(), "mse_loss"), (nn.L1Loss(), "l1_loss"),
                                        (nn.HuberLoss(), "huber_loss"), (nn.BCELoss(), "binary_cross_entropy"),
                                        (nn.BCEWithLogitsLoss(), "binary_cross_entropy_with_logits")])
def test_regression_shapes_must_match(loss, name):
    pred, target = lucidnet.rand(32, 1) * 0.5, lucidnet.rand(32) * 0.5
    with raises(ValueError, f"{name}: expected target of the input's shape (32, 1), got (32,). Broadcasting them "
                            f"would compare every prediction with every target; make the shapes equal, e.g. with "
                            f".view(-1) or .squeeze()."):
        loss(pred, target)
    with raises(ValueError, f"{name}: expected target of the input's shape (32, 2), got (32, 3)."):
        loss(lucidnet.rand(32, 2) * 0.5, lucidnet.rand(32, 3))


def test_integer_and_bool_targets_become_floats_for_regression():
    x = lucidnet.tensor([0.2, 0.8])
    assert nn.MSELoss()(x, lucidnet.tensor([0, 1])).item() == pytest.approx(0.04)
    assert nn.BCELoss()(x, lucidnet.tensor([False, True])).item() == pytest.approx(-np.log(0.8))
    assert nn.MSELoss()(x, np.array([0.0, 1.0])).item() == pytest.approx(0.04)


@pytest.mark.parametrize("loss", [nn.CrossEntropyLoss(), nn.NLLLoss()])
def test_class_ids_out_of_range(loss):
    name = "cross_entropy" if isinstance(loss, nn.CrossEntropyLoss) else "nll_loss"
    with pytest.raises(ValueError, match=re.escape(f"{name}: expected ") + r".*\[0, 10\), got a value of 11\."):
        loss(lucidnet.randn(4, 10), lucidnet.tensor([1, 2, 11, 3]))
    with pytest.raises(ValueError, match=re.escape(f"{name}: expected ") + r".*got a value of -1\."):
        loss(lucidnet.randn(4, 10), lucidnet.tensor([1, 2, -1, 3]))


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint64", ">i8", "<i4"])
def test_class_ids_are_range_checked_in_every_integer_dtype(dtype):
    """The range check reads signed ids as unsigned ones (one pass for both ends): every width and byte order
    must still catch a negative id, an id of C, and accept ids in [0, C)."""
    logits = lucidnet.randn(3, 10)
    ok = F.cross_entropy(logits, np.array([0, 9, 4], dtype=dtype))
    assert ok.item() == pytest.approx(F.cross_entropy(logits, lucidnet.tensor([0, 9, 4])).item())
    with pytest.raises(ValueError, match=r"class ids in \[0, 10\), got a value of 10\."):
        F.cross_entropy(logits, np.array([0, 10, 4], dtype=dtype))
    if np.dtype(dtype).kind == "i":
        with pytest.raises(ValueError, match=r"got a value of -1\."):
            F.cross_entropy(logits, np.array([0, -1, 4], dtype=dtype))
        ignored = F.cross_entropy(logits, np.array([-100, 9, 4], dtype=dtype))   # ignore_index=-100
        assert ignored.item() == pytest.approx(F.cross_entropy(logits[1:], lucidnet.tensor([9, 4])).item())


def test_wrong_target_shapes_for_classification():
    with raises(ValueError, "nll_loss: expected target of shape (4,) for input of shape (4, 10), got (4, 1)."):
        nn.NLLLoss()(lucidnet.randn(4, 10), lucidnet.tensor([[1], [2], [3], [4]]))
    with raises(ValueError, "cross_entropy: expected target of shape (4,) for logits of shape (4, 10), got (4, 1)."):
        nn.CrossEntropyLoss()(lucidnet.randn(4, 10), lucidnet.tensor([[1], [2], [3], [4]]))


def test_float_targets_where_ids_are_needed():
    with raises(TypeError, "nll_loss: expected integer class ids as target, got dtype float32. Convert them with "
                           ".long()."):
        nn.NLLLoss()(lucidnet.randn(3, 4), lucidnet.tensor([0.0, 1.0, 2.0]))
    with raises(ValueError, "cross_entropy: expected probability targets of shape (3, 4), got (3,). Class ids must be "
                            "integers: use target.long()."):
        nn.CrossEntropyLoss()(lucidnet.randn(3, 4), lucidnet.tensor([0.0, 1.0, 2.0]))


def test_integer_one_hot_targets_where_probabilities_are_needed():
    with raises(ValueError, "cross_entropy: expected target of shape (3,) for logits of shape (3, 4), got (3, 4)."):
        nn.CrossEntropyLoss()(lucidnet.randn(3, 4), F.one_hot(lucidnet.tensor([0, 1, 3]), 4))
    probs = F.one_hot(lucidnet.tensor([0, 1, 3]), 4).float()            # as floats they are probabilities
    logits = lucidnet.randn(3, 4)
    assert nn.CrossEntropyLoss()(logits, probs).item() == pytest.approx(
        nn.CrossEntropyLoss()(logits, lucidnet.tensor([0, 1, 3])).item(), rel=1e-6)


def test_bce_inputs_outside_zero_one():
    with raises(ValueError, "binary_cross_entropy: expected input probabilities in [0, 1], got values from -0.5 to "
                            "2. Apply sigmoid first, or use binary_cross_entropy_with_logits (BCEWithLogitsLoss) on "
                            "the raw scores."):
        nn.BCELoss()(lucidnet.tensor([-0.5, 2.0]), lucidnet.tensor([0.0, 1.0]))
    with raises(ValueError, "binary_cross_entropy: expected input probabilities in [0, 1], got values from nan to "
                            "nan. Apply sigmoid first, or use binary_cross_entropy_with_logits (BCEWithLogitsLoss) on "
                            "the raw scores."):
        nn.BCELoss()(lucidnet.tensor([float("nan")]), lucidnet.tensor([0.0]))
    with raises(ValueError, "binary_cross_entropy: expected targets in [0, 1], got values from 0 to 2."):
        nn.BCELoss()(lucidnet.tensor([0.5, 0.5]), lucidnet.tensor([0, 2]))


def test_bad_weights():
    with raises(ValueError, "nll_loss: expected weight of shape (4,), got (3,)."):
        F.nll_loss(lucidnet.randn(2, 4), lucidnet.tensor([0, 1]), weight=lucidnet.ones(3))
    with raises(ValueError, "binary_cross_entropy_with_logits: expected pos_weight broadcastable to the input's shape "
                            "(2, 4), got (3,)."):
        nn.BCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0])(lucidnet.randn(2, 4), lucidnet.zeros(2, 4))


def test_bad_reduction_in_the_functions():
    for fn in (F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        with raises(ValueError, f"{fn.__name__}: expected reduction 'mean', 'sum' or 'none', got 'avg'."):
            fn(lucidnet.rand(2), lucidnet.rand(2), reduction="avg")
    with raises(ValueError, "nll_loss: expected reduction 'mean', 'sum' or 'none', got 'avg'."):
        F.nll_loss(lucidnet.randn(2, 3), lucidnet.tensor([0, 1]), reduction="avg")


@pytest.mark.parametrize("make", [nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss])
def test_reductions_agree(make):
    x, y = lucidnet.rand(3, 4), lucidnet.rand(3, 4)
    none = make(reduction="none")(x, y)
    assert none.shape == (3, 4)
    assert make(reduction="sum")(x, y).item() == pytest.approx(none.sum().item(), rel=1e-6)
    assert make()(x, y).item() == pytest.approx(none.mean().item(), rel=1e-6)


def test_nll_of_log_softmax_is_cross_entropy():
    z, y = lucidnet.randn(5, 3, dtype=lucidnet.float64), lucidnet.tensor([0, 2, 1, 1, 0])
    assert F.nll_loss(F.log_softmax(z, dim=1), y).item() == pytest.approx(F.cross_entropy(z, y).item(), rel=1e-12)


def test_nll_ignoring_every_target_gives_nan_like_torch():
    loss = F.nll_loss(lucidnet.randn(2, 3), lucidnet.tensor([1, 1]), ignore_index=1)
    assert np.isnan(loss.item())


def test_nll_unbatched():
    logp = lucidnet.tensor([-0.5, -1.0, -2.0])
    assert F.nll_loss(logp, lucidnet.tensor(2)).item() == pytest.approx(2.0)
    assert F.nll_loss(logp, lucidnet.tensor(1), reduction="none").shape == ()


def test_losses_have_configs():
    for loss in [nn.MSELoss(reduction="sum"), nn.HuberLoss(delta=2.0),
                 nn.CrossEntropyLoss(weight=[1.0, 2.0], label_smoothing=0.1), nn.NLLLoss(ignore_index=3), nn.BCELoss(),
                 nn.BCEWithLogitsLoss(pos_weight=[2.0])]:
        twin = nn.module_from_config(loss.to_config())
        assert twin.get_config() == loss.get_config()
        assert repr(twin) == repr(loss) == f"{type(loss).__name__}()"
