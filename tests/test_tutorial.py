"""The classic first PyTorch exercise: learn f(x) = w * x from X = [1, 2, 3, 4], Y = [2, 4, 6, 8] by
gradient descent on the mean squared error (w = 0, lr = 0.01). Once with the gradient derived by hand,
dL/dw = mean(2 x (w x - y)), and once with autograd; both must print f(5) = 10.000."""
import numpy as np
import pytest

import lucidnet

LR, STEPS = 0.01, 100


def train_by_hand():
    X = lucidnet.tensor([1.0, 2.0, 3.0, 4.0])
    Y = lucidnet.tensor([2.0, 4.0, 6.0, 8.0])
    w = 0.0
    print(f"Prediction before training: f(5) = {w * 5:.3f}")
    for epoch in range(STEPS):
        y_pred = w * X
        loss = ((y_pred - Y) ** 2).mean()
        dw = (2 * X * (y_pred - Y)).mean()                  # d/dw mean((w x - y)^2)
        w -= LR * dw.item()
        if epoch % 10 == 0:
            print(f"epoch {epoch + 1}: w = {w:.3f}, loss = {loss.item():.8f}")
    print(f"Prediction after training: f(5) = {w * 5:.3f}")
    return w


def train_with_autograd():
    X = lucidnet.tensor([1.0, 2.0, 3.0, 4.0])
    Y = lucidnet.tensor([2.0, 4.0, 6.0, 8.0])
    w = lucidnet.tensor(0.0, requires_grad=True)
    print(f"Prediction before training: f(5) = {(w * 5).item():.3f}")
    for epoch in range(STEPS):
        loss = ((w * X - Y) ** 2).mean()
        loss.backward()                                     # dL/dw lands in w.grad
        with lucidnet.no_grad():
            w -= LR * w.grad
        w.grad.zero_()
        if epoch % 10 == 0:
            print(f"epoch {epoch + 1}: w = {w.item():.3f}, loss = {loss.item():.8f}")
    print(f"Prediction after training: f(5) = {(w * 5).item():.3f}")
    return w.item()


@pytest.mark.parametrize("train", [train_by_hand, train_with_autograd], ids=["by-hand", "autograd"])
def test_fit_y_equals_2x(train, capsys):
    w = train()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Prediction before training: f(5) = 0.000"
    assert out[-1] == "Prediction after training: f(5) = 10.000"
    assert w == pytest.approx(2.0, abs=1e-4)


def test_both_ways_take_the_same_steps(capsys):
    train_by_hand()
    by_hand = capsys.readouterr().out.splitlines()
    train_with_autograd()
    with_autograd = capsys.readouterr().out.splitlines()
    # The same w at every printed epoch; the losses agree to float32 precision (w by hand is a Python float).
    assert [line.split(", loss")[0] for line in by_hand] == [line.split(", loss")[0] for line in with_autograd]
    losses = [[float(line.split("loss = ")[1]) for line in out if "loss = " in line] for out in (by_hand,
                                                                                                 with_autograd)]
    np.testing.assert_allclose(*losses, rtol=1e-5, atol=1e-8)


def test_the_hand_derived_gradient_is_autograds():
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])
    for w0 in (0.0, 0.7, 3.0):
        w = lucidnet.tensor(w0, dtype=lucidnet.float64, requires_grad=True)
        ((w * lucidnet.tensor(x) - lucidnet.tensor(y)) ** 2).mean().backward()
        assert w.grad.item() == pytest.approx(np.mean(2 * x * (w0 * x - y)), rel=1e-12)


def test_the_readme_example_runs_unchanged():
    """README's 'Autograd in ten lines'."""
    x = lucidnet.linspace(-1, 1, 50)
    y = 2 * x
    w = lucidnet.tensor(0.0, requires_grad=True)
    for epoch in range(40):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        with lucidnet.no_grad():
            w -= 0.5 * w.grad
        w.grad.zero_()
    assert f"f(5) = {(w * 5).item():.3f}" == "f(5) = 10.000"
