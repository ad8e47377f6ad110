"""Every scheduler against torch.optim.lr_scheduler: the learning rates (and momenta) of 20+ steps are equal,
value for value; state_dict round trips; bad arguments."""
import json

import pytest
import torch

import lucidnet
from lucidnet import optim
from lucidnet.optim import lr_scheduler as sched


def decay(t):
    """The Neural Networks from Scratch decay: lr / (1 + 0.1 t)."""
    return 1.0 / (1.0 + 0.1 * t)


def warmup(t):
    return min(1.0, (t + 1) / 5)


CASES = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 7, 7, 12], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 5}),                    # past T_max: up again, through the special branch
    ("CosineAnnealingLR", {"T_max": 20, "eta_min": 0.001}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 8}),
    ("LambdaLR", {"lr_lambda": decay}),
    ("LambdaLR", {"lr_lambda": [decay, warmup]}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25}),
    ("OneCycleLR", {"max_lr": [0.5, 0.2], "epochs": 5, "steps_per_epoch": 5, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "three_phase": True, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "cycle_momentum": False, "div_factor": 10.0}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "base_momentum": [0.8, 0.7], "max_momentum": 0.9,
                    "final_div_factor": 100.0}),
]


def optimizers(opt_name):
    """The same two-group optimizer in lucidnet and in torch."""
    a = [lucidnet.zeros(2, requires_grad=True), lucidnet.zeros(3, requires_grad=True)]
    b = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    extra = {"momentum": 0.9} if opt_name == "SGD" else {}
    ours = getattr(optim, opt_name)([{"params": a[:1]}, {"params": a[1:], "lr": 0.05}], lr=0.1, **extra)
    theirs = getattr(torch.optim, opt_name)([{"params": b[:1]}, {"params": b[1:], "lr": 0.05}], lr=0.1, **extra)
    return ours, theirs


def momenta(opt):
    return [g["betas"] if "betas" in g else g.get("momentum") for g in opt.param_groups]


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_learning_rates_equal_torch(name, kwargs, opt_name):
    ours, theirs = optimizers(opt_name)
    s, t = getattr(sched, name)(ours, **kwargs), getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs)
    steps = 24 if name == "OneCycleLR" else 30
    for step in range(steps):
        assert s.get_last_lr() == t.get_last_lr(), f"step {step}"           # exactly equal
        assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in theirs.param_groups]
        assert momenta(ours) == [tuple(m) if isinstance(m, tuple) else m for m in momenta(theirs)]
        assert s.last_epoch == t.last_epoch
        ours.step()
        theirs.step()
        s.step()
        t.step()


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_state_dict_round_trip_continues_the_schedule(name, kwargs):
    cls = getattr(sched, name)
    ours, _ = optimizers("SGD")
    s = cls(ours, **kwargs)
    for _ in range(7):
        ours.step()
        s.step()
    opt_state = ours.state_dict()
    state = json.loads(json.dumps(s.state_dict()))            # JSON-able
    expected = []
    for _ in range(10):
        ours.step()
        s.step()
        expected.append(s.get_last_lr())

    fresh, _ = optimizers("SGD")
    resumed = cls(fresh, **kwargs)
    fresh.load_state_dict(opt_state)
    resumed.load_state_dict(state)
    got = []
    for _ in range(10):
        fresh.step()
        resumed.step()
        got.append(resumed.get_last_lr())
    assert got == expected


def test_chained_schedulers_match_torch():
    """A warmup followed by decay, both stepping the same optimizer (the recursive forms compose)."""
    ours, theirs = optimizers("SGD")
    a = [sched.LinearLR(ours, start_factor=0.2, total_iters=4), sched.ExponentialLR(ours, gamma=0.9)]
    b = [torch.optim.lr_scheduler.LinearLR(theirs, start_factor=0.2, total_iters=4),
         torch.optim.lr_scheduler.ExponentialLR(theirs, gamma=0.9)]
    for _ in range(12):
        assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in theirs.param_groups]
        ours.step()
        theirs.step()
        for s in a + b:
            s.step()


def test_lambda_lr_is_the_nnfs_decay():
    opt = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
    s = sched.LambdaLR(opt, lambda t: 1.0 / (1.0 + 1e-3 * t))
    for t in range(1, 50):
        opt.step()
        s.step()
        assert s.get_last_lr() == [1.0 * (1.0 / (1.0 + 1e-3 * t))]


def test_last_epoch_resume_needs_initial_lr():
    opt = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(KeyError, match=r"StepLR: param_groups\[0\] has no 'initial_lr'"):
        sched.StepLR(opt, step_size=2, last_epoch=5)


def test_cosine_resumed_with_last_epoch_matches_torch():
    ours, theirs = optimizers("SGD")
    for opt in (ours, theirs):
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    s = sched.CosineAnnealingLR(ours, T_max=10, last_epoch=3)
    t = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=10, last_epoch=3)
    for _ in range(8):
        assert s.get_last_lr() == t.get_last_lr()
        ours.step()
        theirs.step()
        s.step()
        t.step()


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    s.step()
    s.step()
    s.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times, but total_steps is 3."):
        s.step()


OPT = optim.SGD([lucidnet.zeros(1, requires_grad=True)], lr=0.1)


@pytest.mark.parametrize("make, error, message", [
    (lambda: sched.StepLR("adam", step_size=2), TypeError, "StepLR: expected a lucidnet.optim optimizer, got str."),
    (lambda: sched.StepLR(torch.optim.SGD([torch.zeros(1)]), 2), TypeError,
     "StepLR: expected a lucidnet.optim optimizer, got SGD."),
    (lambda: sched.StepLR(OPT, step_size=0), ValueError, "StepLR: expected step_size to be a positive integer, got 0."),
    (lambda: sched.CosineAnnealingLR(OPT, T_max=0), ValueError,
     "CosineAnnealingLR: expected T_max to be a positive integer, got 0."),
    (lambda: sched.MultiStepLR(OPT, milestones=[2.5]), TypeError, "MultiStepLR: expected integer milestones, got 2.5."),
    (lambda: sched.LinearLR(OPT, start_factor=0), ValueError, r"LinearLR: expected start_factor in \(0, 1\], got 0."),
    (lambda: sched.LinearLR(OPT, end_factor=1.5), ValueError, r"LinearLR: expected end_factor in \[0, 1\], got 1.5."),
    (lambda: sched.LambdaLR(OPT, [decay, decay]), ValueError,
     r"LambdaLR: expected one lr_lambda per parameter group \(1\), got 2."),
    (lambda: sched.LambdaLR(OPT, 0.5), TypeError,
     "LambdaLR: expected lr_lambda to be a function of the step, got float."),
    (lambda: sched.OneCycleLR(OPT, max_lr=1.0), ValueError,
     "OneCycleLR: expected total_steps, or epochs and steps_per_epoch, got neither."),
    (lambda: sched.OneCycleLR(OPT, max_lr=1.0, total_steps=-5), ValueError,
     "OneCycleLR: expected total_steps to be a positive integer, got -5."),
    (lambda: sched.OneCycleLR(OPT, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError,
     r"OneCycleLR: expected pct_start in \[0, 1\], got 1.5."),
    (lambda: sched.OneCycleLR(OPT, max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     "OneCycleLR: expected anneal_strategy 'cos' or 'linear', got 'exp'."),
    (lambda: sched.OneCycleLR(OPT, max_lr=[1.0, 2.0], total_steps=10), ValueError,
     r"OneCycleLR: expected max_lr to have one value per parameter group \(1\), got 2."),
    (lambda: sched.OneCycleLR(optim.Adagrad([lucidnet.zeros(1, requires_grad=True)]), max_lr=1.0, total_steps=10),
     ValueError, "OneCycleLR: expected an optimizer with momentum or betas for cycle_momentum=True, got Adagrad."),
])
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()
