"""The activations' numerics: erf against math.erf on a dense grid with the tails, GELU (exact and tanh)
against torch to 1e-10 in float64 over a wide range, the subgradients at 0 of the kinked ones, and no
overflow for large inputs."""
import math

import numpy as np
import pytest
import torch

import lucidnet
import lucidnet.nn.functional as F

GRID = np.concatenate([np.linspace(-12, 12, 240001),                 # step 1e-4, every branch of Cody's erf
                       np.linspace(-1e-6, 1e-6, 2001),               # near 0: relative accuracy
                       [0.46875, -0.46875, 4.0, -4.0, 5.9, 6.0, 6.1, 26.0, -40.0, 1e300, -1e300, 5e-324, -0.0]])


def test_erf_float64_against_math_erf():
    ref = np.array([math.erf(v) for v in GRID])
    got = F.erf(lucidnet.tensor(GRID)).array
    assert np.max(np.abs(got - ref)) <= 2.3e-16
    small = np.abs(GRID) < 0.5
    assert np.max(np.abs(got[small] - ref[small]) / np.maximum(np.abs(ref[small]), 1e-300)) < 5e-16
    assert math.copysign(1.0, got[-1]) == -1.0                      # erf(-0.0) = -0.0


def test_erf_float32_against_math_erf():
    x = GRID[np.abs(GRID) < 1e30].astype(np.float32)
    ref = np.array([math.erf(float(v)) for v in x])
    got = F.erf(lucidnet.tensor(x)).array
    assert got.dtype == np.float32
    assert np.max(np.abs(got - ref)) < 2.5e-7


def test_erf_special_values_and_shapes():
    out = F.erf(lucidnet.tensor([np.inf, -np.inf, np.nan])).array
    assert out[0] == 1 and out[1] == -1 and np.isnan(out[2])
    assert F.erf(lucidnet.tensor(0.5, dtype=lucidnet.float64)).item() == pytest.approx(math.erf(0.5), abs=1e-16)
    assert F.erf(lucidnet.zeros(2, 0)).shape == (2, 0)
    assert F.erf(lucidnet.tensor([1, 2])).dtype == np.float32           # integers become floats


def test_erf_gradient_against_torch():
    x = np.linspace(-5, 5, 101)
    a, b = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.erf(a).sum().backward()
    torch.erf(b).sum().backward()
    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float64_matches_torch_to_1e_10(approximate):
    x = np.concatenate([np.linspace(-40, 40, 80001), [-1e4, 1e4, -0.0]])
    a, b = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = F.gelu(a, approximate=approximate)
    yb = torch.nn.functional.gelu(b, approximate=approximate)
    np.testing.assert_allclose(ya.array, yb.detach().numpy(), rtol=1e-10, atol=1e-10)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float32_matches_torch(approximate):
    x = np.linspace(-12, 12, 24001).astype(np.float32)
    a, b = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = F.gelu(a, approximate=approximate), torch.nn.functional.gelu(b, approximate=approximate)
    assert ya.dtype == np.float32
    np.testing.assert_allclose(ya.array, yb.detach().numpy(), rtol=1e-5, atol=1e-6)
    ya.sum().backward(), yb.sum().backward()
    # atol 1e-5: near x = -5.4 NumPy's float32 tanh is one ulp short of -1 where torch's rounds to -1, so
    # 1 - tanh^2 is 1.2e-7 instead of 0 (the true value is 8e-9): a gradient 1.2e-6 off, at float32's precision.
    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-5, atol=1e-5)


def fit_erfc_rational(m=4, n=4, top=4.0, nodes=4000, iterations=60):
    """The fit behind ops/activation.py's float32 GELU: P(y) / Q(y) ~ exp(y^2) erfc(y) on [0, top], Q(0) = 1, by
    weighted linear least squares on |P - f Q| / (f |Q_prev|) (Sanathanan-Koerner), reweighted by |error|^(1/2)
    (Lawson) towards the minimax fit. Returns (max relative error, P's coefficients, Q's), lowest degree first."""
    y = top * (0.5 + 0.5 * np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes))          # Chebyshev nodes
    f = np.array([math.exp(v * v) * math.erfc(v) for v in y])
    w, q, best = np.ones_like(y), np.ones_like(y), None
    for it in range(iterations):
        a = np.hstack([y[:, None] ** np.arange(m + 1), -f[:, None] * y[:, None] ** np.arange(1, n + 1)])
        scale = w / np.abs(q) / f
        coef = np.linalg.lstsq(a * scale[:, None], f * scale, rcond=None)[0]
        p, b = coef[:m + 1], np.concatenate([[1.0], coef[m + 1:]])
        q = np.polyval(b[::-1], y)
        err = (np.polyval(p[::-1], y) / q - f) / f
        if it > 5:
            w = w * np.sqrt(np.abs(err))
            w /= w.max()
        if best is None or np.abs(err).max() < best[0]:
            best = (np.abs(err).max(), p, b)
    return best


def test_gelu_rational_is_the_fit_it_claims():
    from lucidnet.ops import activation
    err, p, q = fit_erfc_rational()
    assert err < 1.2e-8
    # The refit's last digits depend on the LAPACK underneath lstsq (1e-9 apart across NumPy builds), so the
    # shipped coefficients are held to the fit's own accuracy on a dense grid, and to the refit to 1e-6.
    np.testing.assert_allclose(np.array(activation._GELU_NUM) * 2, p, rtol=1e-6)     # shipped halved
    np.testing.assert_allclose(activation._GELU_DEN, q, rtol=1e-6)
    y = np.linspace(0, 4, 20001)
    shipped = 2 * np.polyval(activation._GELU_NUM[::-1], y) / np.polyval(activation._GELU_DEN[::-1], y)
    exact = np.array([math.exp(v * v) * math.erfc(v) for v in y])
    assert np.abs(shipped / exact - 1).max() < 1.2e-8


def test_gelu_float32_against_the_exact_formula():
    """float32 GELU has its own formula (relu(x) - |x| erfc(|x|/sqrt2) / 2, no erf): within 1 ulp of the exact
    value everywhere, gradient too; the limits at +-inf, nan passed through, and no overflow warnings."""
    x = np.concatenate([np.linspace(-20, 20, 400001), [0.0, 1e-30, -1e-30, 1e4, -1e4, 3e38, -3e38]]).astype(np.float32)
    exact = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(np.float64)])
    slope = np.array([0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                      for v in x.astype(np.float64)])
    a = lucidnet.tensor(x, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):          # (exp underflowing to 0 is fine)
        y = F.gelu(a)
        y.sum().backward()
    assert y.dtype == np.float32
    assert np.all(np.abs(y.array - exact) <= np.maximum(2.5e-7, np.spacing(np.abs(exact).astype(np.float32))))
    assert np.max(np.abs(a.grad.array - slope)) < 2e-7
    special = F.gelu(lucidnet.tensor([np.inf, -np.inf, np.nan])).array
    assert special[0] == np.inf and special[1] == 0 and np.isnan(special[2])


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: F.relu(x), lambda x: torch.relu(x)),
    (lambda x: F.leaky_relu(x, 0.1), lambda x: torch.nn.functional.leaky_relu(x, 0.1)),
    (lambda x: F.elu(x, 0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
    (lambda x: F.silu(x), lambda x: torch.nn.functional.silu(x)),
], ids=["relu", "leaky_relu", "elu", "silu"])
def test_kinks_and_extremes_match_torch(ours, theirs):
    """At exactly 0 the subgradient is PyTorch's; at +-1000 nothing overflows into inf or nan."""
    x = np.array([-1000.0, -30.0, -1.0, -1e-8, -0.0, 0.0, 1e-8, 1.0, 30.0, 1000.0])
    a, b = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    np.testing.assert_allclose(ya.array, yb.detach().numpy(), rtol=1e-12, atol=1e-300)
    ya.sum().backward(), yb.sum().backward()
    np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(a.grad.array))


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match=r"^gelu: expected approximate 'none' or 'tanh', got 'exact'\.$"):
        F.gelu(lucidnet.zeros(2), approximate="exact")
