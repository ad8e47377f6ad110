"""Names PyTorch tutorials use that lucidnet added as compositions (lucidnet.arranging, nn.functional's
activations and losses, their layers): values and gradients against torch 2.13.0 in float64, the layers'
reprs, and the missing-names report (scripts/missing_torch_names.py)."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn

rng = np.random.default_rng(7)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((3, 4))
P = rng.uniform(0.1, 0.9, (3, 4))


def lib_F(t):
    return t.nn.functional


# Each: f(t, a, b) with a, b float64 tensors requiring grad (A and B, or P in place of a for probabilities).
EXPRS = {
    "concat": lambda t, a, b: t.concat([a, b], dim=1), "concatenate": lambda t, a, b: t.concatenate([a, b]),
    "swapaxes": lambda t, a, b: t.swapaxes(a, 0, 1) * 2, "moveaxis": lambda t, a, b: t.moveaxis(a[None], 0, -1),
    "movedim": lambda t, a, b: t.movedim(a.reshape(3, 2, 2), (0, 1), (2, 0)), "t": lambda t, a, b: t.t(a) * 1,
    "broadcast_to": lambda t, a, b: t.broadcast_to(a[0], (2, 4)),
    "broadcast_tensors": lambda t, a, b: (lambda u, v: u * v)(*t.broadcast_tensors(a[:, :1], b[0])),
    "vstack": lambda t, a, b: t.vstack([a[0], b]), "hstack": lambda t, a, b: t.hstack([a, b[:, :2]]),
    "hstack-1d": lambda t, a, b: t.hstack([a[0], b[1]]), "dstack": lambda t, a, b: t.dstack([a, b]),
    "column_stack": lambda t, a, b: t.column_stack([a[0], b.T]),
    "atleast_3d": lambda t, a, b: t.atleast_3d(a[0]) * 1,
    "take": lambda t, a, b: t.take(a, t.tensor([[0, 11], [-1, 5]])),
    "take_along_dim": lambda t, a, b: t.take_along_dim(a, b.argmax(dim=1, keepdim=True), dim=1),
    "take_along_dim-broadcast": lambda t, a, b: t.take_along_dim(a, t.tensor([[2], [0], [1]]), dim=1) * 1,
    "take_along_dim-flat": lambda t, a, b: t.take_along_dim(a, t.tensor([3, 7])),
    "repeat_interleave": lambda t, a, b: t.repeat_interleave(a, 2), "repeat_interleave-dim":
        lambda t, a, b: a.repeat_interleave(t.tensor([1, 0, 3]), dim=0) * 1,
    "diff": lambda t, a, b: t.diff(a), "diff-n2-dim0": lambda t, a, b: t.diff(a, n=2, dim=0),
    "diff-prepend": lambda t, a, b: t.diff(a, prepend=b[:, :1], append=b[:, 1:3]),
    "std_mean": lambda t, a, b: t.std_mean(a, dim=1)[0] + t.std_mean(a, dim=1)[1],
    "var_mean": lambda t, a, b: t.var_mean(a, 0, correction=0)[0] * t.var_mean(a, 0, correction=0)[1],
    "nansum": lambda t, a, b: t.nansum(t.where(b > 1, float("nan"), a), dim=1),
    "nanmean": lambda t, a, b: t.nanmean(t.where(b > 1, float("nan"), a)),
    "aminmax": lambda t, a, b: t.aminmax(a, dim=0).max - t.aminmax(a, dim=0).min + t.aminmax(b).max,
    "logit": lambda t, p, b: t.logit(p), "logit-eps": lambda t, p, b: t.logit(p * 2 - 0.5, eps=0.2),
    "erfc": lambda t, a, b: t.erfc(a), "hypot": lambda t, a, b: t.hypot(a, b),
    "fmax": lambda t, a, b: t.fmax(a, t.where(b > 1, float("nan"), b)),
    "fmin": lambda t, a, b: t.fmin(t.where(b > 1, float("nan"), a), b),
    "nan_to_num": lambda t, a, b: t.nan_to_num(a / t.where(b > 0.5, 0.0, 1.0), posinf=7.0, neginf=-7.0),
    "addmm": lambda t, a, b: t.addmm(a[:, :3], a, b.T, beta=0.5, alpha=2),
    "addmv": lambda t, a, b: t.addmv(a[:, 0], a, b[0]), "baddbmm": lambda t, a, b: t.baddbmm(a[None], a[None, :, :2],
                                                                                             b[None, :2], alpha=3),
    "kron": lambda t, a, b: t.kron(a[:2, :2], b[:, :3]), "kron-1d": lambda t, a, b: t.kron(a[0], b[1, :2]),
    "cdist": lambda t, a, b: t.cdist(a, b[:2] + 1), "cdist-p1": lambda t, a, b: t.cdist(a, b + 1, p=1.0),
    "cummax": lambda t, a, b: t.cummax(a.round(), 1).values * t.cummax(a.round(), 1).indices,
    "cummin": lambda t, a, b: t.cummin(a, dim=0).values, "diag_embed": lambda t, a, b: t.diag_embed(a),
    "diag_embed-offset-dims": lambda t, a, b: t.diag_embed(a, offset=-1, dim1=0, dim2=2),
    # nn.functional
    "relu6": lambda t, a, b: lib_F(t).relu6(a * 5), "hardtanh": lambda t, a, b: lib_F(t).hardtanh(a, -0.5, 0.7),
    "selu": lambda t, a, b: lib_F(t).selu(a), "celu": lambda t, a, b: lib_F(t).celu(a, alpha=0.7),
    "mish": lambda t, a, b: lib_F(t).mish(a), "softplus": lambda t, a, b: lib_F(t).softplus(a * 10, beta=2,
                                                                                              threshold=5),
    "softsign": lambda t, a, b: lib_F(t).softsign(a), "softmin": lambda t, a, b: lib_F(t).softmin(a, dim=1),
    "logsigmoid": lambda t, a, b: lib_F(t).logsigmoid(a * 30), "hardswish": lambda t, a, b: lib_F(t).hardswish(a * 4),
    "hardsigmoid": lambda t, a, b: lib_F(t).hardsigmoid(a * 4), "tanhshrink": lambda t, a, b: lib_F(t).tanhshrink(a),
    "threshold": lambda t, a, b: lib_F(t).threshold(a, 0.1, 20.0), "glu": lambda t, a, b: lib_F(t).glu(a),
    "glu-dim0": lambda t, a, b: lib_F(t).glu(a[:2], dim=0),
    "normalize": lambda t, a, b: lib_F(t).normalize(a), "normalize-p1": lambda t, a, b: lib_F(t).normalize(a, p=1,
                                                                                                         dim=0),
    "cosine_similarity": lambda t, a, b: lib_F(t).cosine_similarity(a, b),
    "cosine_similarity-broadcast": lambda t, a, b: lib_F(t).cosine_similarity(a, b[:1], dim=-1),
    "pairwise_distance": lambda t, a, b: lib_F(t).pairwise_distance(a, b),
    "smooth_l1_loss": lambda t, a, b: lib_F(t).smooth_l1_loss(a, b, beta=0.5),
    "smooth_l1_loss-beta0": lambda t, a, b: lib_F(t).smooth_l1_loss(a, b, beta=0.0, reduction="sum"),
    "kl_div": lambda t, a, b: lib_F(t).kl_div(lib_F(t).log_softmax(a, 1), lib_F(t).softmax(b, 1),
                                              reduction="batchmean"),
    "kl_div-log-target": lambda t, a, b: lib_F(t).kl_div(a, b, reduction="none", log_target=True),
    "margin_ranking_loss": lambda t, a, b: lib_F(t).margin_ranking_loss(a[0], b[0], t.tensor([1., -1., 1., -1.],
                                                                        dtype=t.float64), margin=0.3),
    "cosine_embedding_loss": lambda t, a, b: lib_F(t).cosine_embedding_loss(a, b, t.tensor([1., -1., 1.],
                                                                            dtype=t.float64), margin=-0.5),
    "triplet_margin_loss": lambda t, a, b: lib_F(t).triplet_margin_loss(a, b, a.flip(0), swap=True),
    "soft_margin_loss": lambda t, a, b: lib_F(t).soft_margin_loss(a, t.sign(b.detach())),
    # layers
    "nn.Softplus": lambda t, a, b: t.nn.Softplus(beta=0.5)(a), "nn.GLU": lambda t, a, b: t.nn.GLU(0)(a[:2]),
    "nn.CosineSimilarity": lambda t, a, b: t.nn.CosineSimilarity(dim=0)(a, b),
    "nn.KLDivLoss": lambda t, a, b: t.nn.KLDivLoss(reduction="batchmean")(a.log_softmax(1), b.softmax(1)),
    "nn.ZeroPad2d": lambda t, a, b: t.nn.ZeroPad2d((1, 0, 2, 1))(a[None]),
    "nn.ConstantPad1d": lambda t, a, b: t.nn.ConstantPad1d(2, 3.5)(a),
    "nn.TripletMarginLoss": lambda t, a, b: t.nn.TripletMarginLoss(margin=2.0, p=1)(a, b, b.flip(1)),
}


def run(t, name):
    first = P if name.startswith("logit") else A
    a = t.tensor(first, requires_grad=True)
    b = t.tensor(B, requires_grad=True)
    out = EXPRS[name](t, a, b)
    out.sum().backward()
    grads = [None if g is None else g.numpy().copy() for g in (a.grad, b.grad)]
    return out.detach().numpy(), grads


# PyTorch's float64 backward kernels of these use float32 constants (1/6, 1/alpha): ours are exact.
GRAD_RTOL = {"celu": 1e-7, "hardsigmoid": 1e-7}


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("name", EXPRS)
def test_values_and_gradients_match_torch(name):
    ours, ours_g = run(lucidnet, name)
    theirs, theirs_g = run(torch, name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    for g, h in zip(ours_g, theirs_g):
        if h is None or not h.any():
            assert g is None or not np.any(g)
        else:
            np.testing.assert_allclose(g, h, rtol=GRAD_RTOL.get(name, 1e-9), atol=1e-12)


@pytest.mark.parametrize("expr", [
    lambda t: t.bincount(t.tensor([0, 3, 3, 1])), lambda t: t.bincount(t.tensor([0, 2]), minlength=4),
    lambda t: t.bincount(t.tensor([0, 2, 2]), weights=t.tensor([0.5, 1.0, 2.0], dtype=t.float64)),
    lambda t: t.histc(t.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=3),
    lambda t: t.histc(t.tensor([1.0, 2.0, 1.0, 4.0]), bins=3),
    lambda t: t.searchsorted(t.tensor([1, 3, 5, 7]), t.tensor([3, 6, 9])),
    lambda t: t.searchsorted(t.tensor([[1, 3, 5], [2, 4, 6]]), t.tensor([[3], [3]]), right=True),
    lambda t: t.bucketize(t.tensor([0.5, 3.0, 9.0]), t.tensor([1.0, 3.0, 5.0])),
    lambda t: t.bucketize(t.tensor([3.0]), t.tensor([1.0, 3.0]), right=True, out_int32=True),
    lambda t: t.repeat_interleave(t.tensor([2, 0, 1])),
], ids=lambda f: "")
def test_counting_matches_torch(expr):
    ours, theirs = expr(lucidnet), expr(torch)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


def test_layers_print_as_pytorchs():
    for make in [lambda n: n.ReLU6(), lambda n: n.ReLU6(inplace=True), lambda n: n.Hardtanh(), lambda n: n.SELU(),
                 lambda n: n.CELU(), lambda n: n.Mish(), lambda n: n.Softplus(), lambda n: n.Softsign(),
                 lambda n: n.Softmin(1), lambda n: n.LogSigmoid(), lambda n: n.Hardswish(), lambda n: n.Hardsigmoid(),
                 lambda n: n.Tanhshrink(), lambda n: n.Threshold(0.1, 20), lambda n: n.GLU(),
                 lambda n: n.CosineSimilarity(), lambda n: n.PairwiseDistance(), lambda n: n.SmoothL1Loss(),
                 lambda n: n.KLDivLoss(), lambda n: n.MarginRankingLoss(), lambda n: n.CosineEmbeddingLoss(),
                 lambda n: n.TripletMarginLoss(), lambda n: n.SoftMarginLoss(), lambda n: n.ZeroPad2d(2),
                 lambda n: n.ZeroPad1d((1, 2)), lambda n: n.ConstantPad1d((1, 2), 3.5),
                 lambda n: n.ConstantPad2d(1, 0.0),
                 lambda n: n.ConstantPad3d(1, 2.0)]:
        assert repr(make(nn)) == repr(make(torch.nn))
    m = lucidnet.Sequential(nn.Linear(2, 2), nn.Softplus(beta=2.0))
    back = lucidnet.nn.module_from_config(m.to_config())
    assert repr(back) == repr(m)


def test_runtime_switches_take_pytorch_code():
    model = nn.Linear(2, 2)
    assert lucidnet.compile(model) is model and lucidnet.compile(mode="max-autotune")(len) is len
    lucidnet.use_deterministic_algorithms(True)
    before = lucidnet.get_num_threads()
    lucidnet.set_num_threads(1)
    assert lucidnet.get_num_threads() == 1
    lucidnet.set_num_threads(before)


def test_the_missing_names_report_runs():
    script = os.path.join(os.path.dirname(__file__), "..", "scripts", "missing_torch_names.py")
    out = subprocess.run([sys.executable, script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0].endswith("missing:".rjust(8)) or "names present" in out.splitlines()[0]
    assert "concat" not in out and "Softplus" not in out and "cosine_similarity" not in out


@pytest.mark.parametrize("shape", [(4, 4), (3, 6), (6, 3), (4, 2, 3)])
def test_orthogonal_init_is_orthogonal_with_its_gain(shape):
    for lib in (lucidnet, torch):
        w = lib.nn.init.orthogonal_(lib.empty(*shape, dtype=lib.float64), gain=2.0)
        m = w.reshape(shape[0], -1).numpy()
        small = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(small, 4 * np.eye(len(small)), atol=1e-10)
    with pytest.raises(ValueError, match=r"^orthogonal_: expected a tensor of at least 2 dimensions, got shape \(3,\)"):
        lucidnet.nn.init.orthogonal_(lucidnet.empty(3))


def test_weighted_random_sampler_draws_by_weight():
    from lucidnet.data import DataLoader, TensorDataset, WeightedRandomSampler
    s = WeightedRandomSampler([1.0, 0.0, 3.0], 4000, generator=0)
    counts = np.bincount(list(s), minlength=3)
    assert len(s) == 4000 and counts[1] == 0 and 2.7 < counts[2] / counts[0] < 3.3
    assert sorted(WeightedRandomSampler([1.0, 2.0, 3.0], 3, replacement=False, generator=1)) == [0, 1, 2]
    loader = DataLoader(TensorDataset(np.arange(3)), batch_size=2, sampler=WeightedRandomSampler([0, 0, 1], 4))
    assert [b[0].tolist() for b in loader] == [[2, 2], [2, 2]]
    with pytest.raises(ValueError, match=r"^WeightedRandomSampler\(\): expected finite weights >= 0 with a positive "
                                         r"sum, got \[-1\.0, 1\.0\]\.$"):
        WeightedRandomSampler([-1.0, 1.0], 2)
    with pytest.raises(ValueError, match=r"without replacement, expected num_samples <= the 1 nonzero weights"):
        WeightedRandomSampler([0.0, 1.0], 2, replacement=False)
