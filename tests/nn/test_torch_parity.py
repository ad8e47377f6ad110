"""Every layer and loss against PyTorch 2.13.0: the same weights copied in through state dicts, the same
input; outputs and the gradients of the input and of every parameter agree (float64 to 1e-10, float32 to
1e-5)."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn

from layer_testing import TORCH_DTYPES, assert_close, compare_with_torch, torch_pair

DTYPES = [np.float64, np.float32]
rng = np.random.default_rng(2024)


def randomize(layer):
    """Random weights (so the comparison does not rest on ones and zeros) drawn in lucidnet."""
    with lucidnet.no_grad():
        for p in layer.parameters():
            p.array[...] = rng.standard_normal(p.shape)
    return layer


class TorchDenseReLU(torch.nn.Linear):
    """Keras's Dense(activation='relu') in PyTorch: a Linear followed by ReLU, with Linear's keys."""

    def forward(self, x):
        return torch.relu(super().forward(x))


LAYERS = [
    ("Linear", lambda: nn.Linear(5, 3), lambda: torch.nn.Linear(5, 3), (4, 5)),
    ("Linear-3d-no-bias", lambda: nn.Linear(5, 3, bias=False), lambda: torch.nn.Linear(5, 3, bias=False), (2, 4, 5)),
    ("Linear-1d", lambda: nn.Linear(5, 3), lambda: torch.nn.Linear(5, 3), (5,)),
    ("Dense-as-Linear", lambda: nn.Dense(3, in_features=5), lambda: torch.nn.Linear(5, 3), (4, 5)),
    ("Dense-relu", lambda: nn.Dense(3, "relu", in_features=5),
     lambda: TorchDenseReLU(5, 3), (6, 5)),
    ("Identity", lambda: nn.Identity(), lambda: torch.nn.Identity(), (3, 4)),
    ("Flatten", lambda: nn.Flatten(), lambda: torch.nn.Flatten(), (2, 3, 4)),
    ("Flatten-range", lambda: nn.Flatten(0, -2), lambda: torch.nn.Flatten(0, -2), (2, 3, 4)),
    ("ReLU", lambda: nn.ReLU(), lambda: torch.nn.ReLU(), (4, 5)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.3), lambda: torch.nn.LeakyReLU(0.3), (4, 5)),
    ("ELU", lambda: nn.ELU(0.7), lambda: torch.nn.ELU(0.7), (4, 5)),
    ("Sigmoid", lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid(), (4, 5)),
    ("Tanh", lambda: nn.Tanh(), lambda: torch.nn.Tanh(), (4, 5)),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), (3, 4, 2)),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1), (3, 4)),
    ("GELU", lambda: nn.GELU(), lambda: torch.nn.GELU(), (4, 5)),
    ("GELU-tanh", lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh"), (4, 5)),
    ("SiLU", lambda: nn.SiLU(), lambda: torch.nn.SiLU(), (4, 5)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(4), lambda: torch.nn.BatchNorm1d(4), (6, 4)),
    ("BatchNorm1d-3d", lambda: nn.BatchNorm1d(3, eps=1e-3), lambda: torch.nn.BatchNorm1d(3, eps=1e-3), (4, 3, 5)),
    ("BatchNorm1d-plain", lambda: nn.BatchNorm1d(3, affine=False), lambda: torch.nn.BatchNorm1d(3, affine=False),
     (5, 3)),
    ("LayerNorm", lambda: nn.LayerNorm(6), lambda: torch.nn.LayerNorm(6), (2, 3, 6)),
    ("LayerNorm-2d-no-bias", lambda: nn.LayerNorm((3, 4), bias=False), lambda: torch.nn.LayerNorm((3, 4), bias=False),
     (2, 3, 4)),
    ("LayerNorm-plain", lambda: nn.LayerNorm(5, elementwise_affine=False),
     lambda: torch.nn.LayerNorm(5, elementwise_affine=False), (3, 5)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name, ours, theirs, shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, ours, theirs, shape, dtype):
    a, b = torch_pair(randomize(ours()), theirs(), dtype)
    x = rng.standard_normal(shape) * 2
    compare_with_torch(a, b, x, dtype)
    # a second step in eval mode: BatchNorm uses the running statistics both updated
    a.eval(), b.eval()
    compare_with_torch(a, b, rng.standard_normal(shape), dtype)
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(v.array, v2.numpy(), rtol=1e-10 if dtype == np.float64 else 1e-5, err_msg=k)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_embedding_matches_torch(dtype):
    a, b = torch_pair(nn.Embedding(7, 4, padding_idx=2), torch.nn.Embedding(7, 4, padding_idx=2), dtype)
    ids = np.array([[0, 2, 6, 6], [2, 1, 0, 0]])
    yl, _ = compare_with_torch(a, b, ids, dtype)
    assert yl.shape == (2, 4, 4)
    assert_close(a.weight.grad.array[2], np.zeros(4), dtype, "padding row gets no gradient")


def test_dropout_in_eval_mode_matches_torch():
    x = rng.standard_normal((3, 4))
    a, b = nn.Dropout(0.5).eval(), torch.nn.Dropout(0.5).eval()
    compare_with_torch(a, b, x, np.float64)


LOSSES = [
    ("MSELoss", lambda: nn.MSELoss(), lambda: torch.nn.MSELoss(), (4, 3), "float"),
    ("MSELoss-sum", lambda: nn.MSELoss(reduction="sum"), lambda: torch.nn.MSELoss(reduction="sum"), (5,), "float"),
    ("MSELoss-none", lambda: nn.MSELoss(reduction="none"), lambda: torch.nn.MSELoss(reduction="none"), (2, 3), "float"),
    ("L1Loss", lambda: nn.L1Loss(), lambda: torch.nn.L1Loss(), (4, 3), "float"),
    ("L1Loss-none", lambda: nn.L1Loss(reduction="none"), lambda: torch.nn.L1Loss(reduction="none"), (6,), "float"),
    ("HuberLoss", lambda: nn.HuberLoss(), lambda: torch.nn.HuberLoss(), (4, 3), "float"),
    ("HuberLoss-delta-sum", lambda: nn.HuberLoss(reduction="sum", delta=0.5),
     lambda: torch.nn.HuberLoss(reduction="sum", delta=0.5), (8,), "float"),
    ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(), lambda: torch.nn.CrossEntropyLoss(), (6, 4), "ids"),
    ("CrossEntropyLoss-all-options", lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0, 0.5, 1.5], ignore_index=1,
                                                                 label_smoothing=0.1),
     lambda: torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5, 1.5]), ignore_index=1,
                                       label_smoothing=0.1), (6, 4), "ids"),
    ("CrossEntropyLoss-probabilities", lambda: nn.CrossEntropyLoss(reduction="sum"),
     lambda: torch.nn.CrossEntropyLoss(reduction="sum"), (5, 3), "probs"),
    ("CrossEntropyLoss-spatial-none", lambda: nn.CrossEntropyLoss(reduction="none"),
     lambda: torch.nn.CrossEntropyLoss(reduction="none"), (2, 3, 4), "ids"),
    ("NLLLoss", lambda: nn.NLLLoss(), lambda: torch.nn.NLLLoss(), (6, 4), "ids"),
    ("NLLLoss-weight-ignore", lambda: nn.NLLLoss(weight=[1.0, 2.0, 0.5, 1.5], ignore_index=0),
     lambda: torch.nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 0.5, 1.5]), ignore_index=0), (8, 4), "ids"),
    ("NLLLoss-spatial-sum", lambda: nn.NLLLoss(reduction="sum"), lambda: torch.nn.NLLLoss(reduction="sum"),
     (2, 3, 5), "ids"),
    ("BCELoss", lambda: nn.BCELoss(), lambda: torch.nn.BCELoss(), (4, 3), "prob-input"),
    ("BCELoss-weight-none", lambda: nn.BCELoss(weight=[0.5, 1.0, 2.0], reduction="none"),
     lambda: torch.nn.BCELoss(weight=torch.tensor([0.5, 1.0, 2.0]), reduction="none"), (4, 3), "prob-input"),
    ("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss(), lambda: torch.nn.BCEWithLogitsLoss(), (4, 3), "probs"),
    ("BCEWithLogitsLoss-pos-weight", lambda: nn.BCEWithLogitsLoss(weight=[[2.0], [1.0], [0.5], [1.0]],
                                                                  pos_weight=[3.0, 1.0, 0.2], reduction="sum"),
     lambda: torch.nn.BCEWithLogitsLoss(weight=torch.tensor([[2.0], [1.0], [0.5], [1.0]]),
                                        pos_weight=torch.tensor([3.0, 1.0, 0.2]), reduction="sum"), (4, 3), "probs"),
]


def loss_inputs(kind, shape):
    """(input, target, target is differentiable) for a loss of this kind."""
    if kind == "float":
        return rng.standard_normal(shape) * 2, rng.standard_normal(shape), True
    if kind == "ids":
        target = rng.integers(0, shape[1], (shape[0],) + shape[2:])
        return rng.standard_normal(shape) * 2, target, False
    if kind == "probs":                                 # logits and probability targets
        p = rng.random(shape)
        return rng.standard_normal(shape) * 3, p / p.sum(axis=1, keepdims=True), True
    return rng.uniform(0.05, 0.95, shape), rng.random(shape), True       # BCE: probabilities in, targets in [0, 1]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name, ours, theirs, shape, kind", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_matches_torch(name, ours, theirs, shape, kind, dtype):
    x, y, y_grad = loss_inputs(kind, shape)
    if name.startswith("NLLLoss"):
        x = np.log(np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))      # log-probabilities
    y = y.astype(dtype) if y.dtype.kind == "f" else y
    if name.startswith("CrossEntropyLoss"):
        y_grad = False                  # lucidnet's fused cross_entropy gives the target no gradient (by design)
    a, b = ours(), theirs()
    b.to(TORCH_DTYPES[dtype])
    a.to(dtype)
    xl, xt = lucidnet.tensor(x.astype(dtype), requires_grad=True), torch.tensor(x.astype(dtype), requires_grad=True)
    yl, yt = lucidnet.tensor(y, requires_grad=y_grad), torch.tensor(y, requires_grad=y_grad)
    ol, ot = a(xl, yl), b(xt, yt)
    assert_close(ol, ot, dtype, "loss")
    v = np.random.default_rng(3).standard_normal(tuple(ot.shape)).astype(dtype)
    ol.backward(lucidnet.tensor(v))
    ot.backward(torch.tensor(v))
    assert_close(xl.grad, xt.grad, dtype, "input gradient")
    if y_grad:
        assert_close(yl.grad, yt.grad, dtype, "target gradient")
    assert list(a.state_dict()) == list(b.state_dict())


def test_bce_at_the_edges_matches_torch():
    """Probabilities of exactly 0 and 1 (a saturated sigmoid in float32): PyTorch clamps each log to -100
    and floors x (1 - x) at 1e-12 in the gradient; so does lucidnet, with no nan."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.5])
    xl, xt = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ol = nn.BCELoss(reduction="none")(xl, lucidnet.tensor(y))
    ot = torch.nn.BCELoss(reduction="none")(xt, torch.tensor(y))
    assert_close(ol, ot, np.float64, "loss")
    ol.sum().backward(), ot.sum().backward()
    assert_close(xl.grad, xt.grad, np.float64, "gradient")


def test_bce_with_logits_is_stable_for_huge_logits():
    x = np.array([-1000.0, -120.0, 0.0, 120.0, 1000.0], dtype=np.float32)
    y = np.array([1.0, 1.0, 0.5, 0.0, 0.0], dtype=np.float32)
    xl, xt = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ol = nn.BCEWithLogitsLoss(reduction="none")(xl, lucidnet.tensor(y))
    ot = torch.nn.BCEWithLogitsLoss(reduction="none")(xt, torch.tensor(y))
    assert np.all(np.isfinite(ol.array))
    assert_close(ol, ot, np.float32, "loss")
    ol.sum().backward(), ot.sum().backward()
    assert_close(xl.grad, xt.grad, np.float32, "gradient")


def test_a_small_model_trains_like_torch():
    """Three SGD steps of Linear-BatchNorm-GELU-Dropout(eval)-LayerNorm-Linear + CrossEntropyLoss."""
    def build(m):
        return m.Sequential(m.Linear(6, 8), m.BatchNorm1d(8), m.GELU(), m.Linear(8, 8), m.LayerNorm(8),
                            m.Tanh(), m.Linear(8, 3))
    ours, theirs = torch_pair(randomize(build(nn)), build(torch.nn), np.float64)
    x, y = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    for _ in range(3):
        ol = nn.CrossEntropyLoss()(ours(lucidnet.tensor(x)), lucidnet.tensor(y))
        ot = torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(y))
        assert_close(ol, ot, np.float64, "loss")
        ours.zero_grad(), theirs.zero_grad()
        ol.backward(), ot.backward()
        with lucidnet.no_grad(), torch.no_grad():
            for p, q in zip(ours.parameters(), theirs.parameters()):
                p -= 0.1 * p.grad
                q -= 0.1 * q.grad
    for (k, v), (k2, v2) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(v.array, v2.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
