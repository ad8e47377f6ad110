"""Every optimizer against torch.optim: 20 steps on the same small MLP from the same weights, with gradients
from lucidnet's autograd on one side and torch's on the other. Also: parameter groups, params without
grad, validation messages, state_dict round trips (bitwise resume), dtypes and in-place updates."""
import json

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import optim

SHAPES = [(8, 5), (8,), (3, 8), (3,)]          # a 5-8-3 tanh MLP


def initial_weights(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) * 0.5 for s in SHAPES]


def batch(step, dtype=np.float64):
    """The data of step ``step``: a fresh batch each step, the same in every run."""
    rng = np.random.default_rng(1000 + step)
    return rng.standard_normal((16, 5)).astype(dtype), rng.standard_normal((16, 3)).astype(dtype)


def lucid_loss(ps, x, y):
    w1, b1, w2, b2 = ps
    h = lucidnet.tanh(lucidnet.tensor(x) @ w1.T + b1)
    d = h @ w2.T + b2 - lucidnet.tensor(y)
    return (d * d).mean()


def torch_loss(ps, x, y):
    w1, b1, w2, b2 = ps
    h = torch.tanh(torch.from_numpy(x) @ w1.T + b1)
    d = h @ w2.T + b2 - torch.from_numpy(y)
    return (d * d).mean()


def make_groups(params, groups):
    """``groups`` None: one list of all params; else a list of (indices, options) parameter groups."""
    if groups is None:
        return params
    return [dict(params=[params[i] for i in idx], **opts) for idx, opts in groups]


def run_lucid(cls, kwargs, steps, groups=None, dtype=np.float64, start=0, weights=None, opt_state=None):
    ps = [lucidnet.tensor(w.copy(), requires_grad=True) for w in (weights or initial_weights(dtype))]
    opt = cls(make_groups(ps, groups), **kwargs)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    history = []
    for t in range(start, start + steps):
        opt.zero_grad()
        lucid_loss(ps, *batch(t, dtype)).backward()
        opt.step()
        history.append([p.array.copy() for p in ps])
    return ps, opt, history


def run_torch(cls, kwargs, steps, groups=None):
    ps = [torch.tensor(w.copy(), requires_grad=True) for w in initial_weights()]
    opt = cls(make_groups(ps, groups), **kwargs)
    history = []
    for t in range(steps):
        opt.zero_grad()
        torch_loss(ps, *batch(t)).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in ps])
    return history


def assert_same_trajectory(ours, theirs):
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (pa, pb) in enumerate(zip(a, b)):
            np.testing.assert_allclose(pa, pb, rtol=1e-6, atol=1e-12, err_msg=f"step {step + 1}, parameter {i}")


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3, "amsgrad": True, "weight_decay": 0.1,
              "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.2, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.2, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3, "maximize": True}),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_matches_torch_for_20_steps(name, kwargs):
    ours = run_lucid(getattr(optim, name), kwargs, 20)[2]
    theirs = run_torch(getattr(torch.optim, name), kwargs, 20)
    assert_same_trajectory(ours, theirs)


GROUP_CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}, [([0, 1], {"lr": 0.02}), ([2, 3], {"momentum": 0.5, "nesterov": True})]),
    ("Adam", {"lr": 0.01}, [([0, 1], {"lr": 0.03, "amsgrad": True}), ([2, 3], {"betas": (0.8, 0.99)})]),
    ("AdamW", {"lr": 0.01}, [([0, 2], {"weight_decay": 0.5}), ([1, 3], {"lr": 0.001})]),
    ("RMSprop", {"lr": 0.01}, [([0, 1], {"centered": True}), ([2, 3], {"lr": 0.003, "momentum": 0.9})]),
    ("Adagrad", {"lr": 0.1}, [([0, 1], {"lr_decay": 0.1}), ([2, 3], {"lr": 0.3})]),
]


@pytest.mark.parametrize("name, kwargs", [("Adam", {"lr": 0.01}), ("SGD", {"lr": 0.1, "momentum": 0.9})])
def test_float32_matches_torch(name, kwargs):
    ps = [lucidnet.tensor(w, requires_grad=True) for w in initial_weights(np.float32)]
    tps = [torch.tensor(w, requires_grad=True) for w in initial_weights(np.float32)]
    ours, theirs = getattr(optim, name)(ps, **kwargs), getattr(torch.optim, name)(tps, **kwargs)
    for t in range(20):
        for p, q in zip(ps, tps):            # the same float32 gradients on both sides
            g = np.random.default_rng(t).standard_normal(p.shape).astype(np.float32)
            p.grad, q.grad = lucidnet.tensor(g), torch.from_numpy(g.copy())
        ours.step()
        theirs.step()
    for p, q in zip(ps, tps):
        np.testing.assert_allclose(p.array, q.detach().numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name, kwargs, groups", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_match_torch(name, kwargs, groups):
    ours = run_lucid(getattr(optim, name), kwargs, 20, groups)[2]
    theirs = run_torch(getattr(torch.optim, name), kwargs, 20, groups)
    assert_same_trajectory(ours, theirs)


def test_defaults_match_torch():
    p, q = lucidnet.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]:
        ours = getattr(optim, name)([p]).param_groups[0]
        theirs = getattr(torch.optim, name)([q]).param_groups[0]
        for key, value in ours.items():
            if key != "params":
                assert theirs[key] == value, (name, key)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_params_without_grad_are_untouched(name):
    used = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    unused = lucidnet.tensor([3.0, 4.0], requires_grad=True)
    opt = getattr(optim, name)([used, unused], lr=0.1, weight_decay=0.1)
    (used * used).sum().backward()
    before = unused.array
    opt.step()
    assert unused.array is before and unused.array.tolist() == [3.0, 4.0]
    assert unused not in opt.state
    assert not np.array_equal(used.array, [1.0, 2.0])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_updates_in_place_in_float32_without_touching_the_grad(name):
    w = lucidnet.tensor(initial_weights(np.float32)[0], requires_grad=True)
    data = w.array
    opt = getattr(optim, name)([w], lr=0.01, momentum=0.9, weight_decay=0.1, maximize=True) \
        if name in ("SGD", "RMSprop") else getattr(optim, name)([w], lr=0.01, weight_decay=0.1, maximize=True)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        grad = w.grad.array.copy()
        opt.step()
        np.testing.assert_array_equal(w.grad.array, grad)     # the user's gradient is not modified
    assert w.array is data and w.dtype == np.float32
    for key, value in opt.state[w].items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key


def test_step_bumps_the_version_so_stale_graphs_are_caught():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_zero_grad_set_to_none_false_keeps_zeroed_arrays():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w])
    w.sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_closure_returns_the_loss_and_runs_with_grad_enabled():
    w = lucidnet.tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with lucidnet.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0 and w.tolist() == [0.0]


def test_named_parameters_and_add_param_group():
    a, b = lucidnet.zeros(2, requires_grad=True), lucidnet.zeros(3, requires_grad=True)
    opt = optim.SGD([("a", a)], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["a"] and opt.param_groups[0]["params"][0] is a
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["params"] == [b]
    assert (opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"]) == (0.01, 0.9)
    assert "Parameter Group 1" in repr(opt) and "lr: 0.01" in repr(opt)


# ----------------------------------------------------------------------------------------- bad input

W = lucidnet.zeros(2, requires_grad=True)


@pytest.mark.parametrize("make, error, message", [
    (lambda: optim.Adam([W], lr=-0.001), ValueError, "Adam: invalid learning rate: -0.001"),
    (lambda: optim.SGD([W], lr=-1), ValueError, "SGD: invalid learning rate: -1"),
    (lambda: optim.Adam([W], betas=(1.0, 0.999)), ValueError,
     r"Adam: invalid beta parameter at index 0: 1.0; expected 0 <= beta < 1."),
    (lambda: optim.AdamW([W], betas=(0.9, -0.1)), ValueError, "AdamW: invalid beta parameter at index 1: -0.1"),
    (lambda: optim.Adam([W], eps=-1e-8), ValueError, "Adam: invalid epsilon value: -1e-08"),
    (lambda: optim.Adam([W], weight_decay=-0.1), ValueError, "Adam: invalid weight_decay value: -0.1"),
    (lambda: optim.SGD([W], momentum=-0.9), ValueError, "SGD: invalid momentum value: -0.9"),
    (lambda: optim.RMSprop([W], alpha=-0.5), ValueError, "RMSprop: invalid alpha value: -0.5"),
    (lambda: optim.Adagrad([W], lr_decay=-1.0), ValueError, "Adagrad: invalid lr_decay value: -1.0"),
    (lambda: optim.Adam([W], lr=float("nan")), ValueError, "Adam: invalid learning rate: nan"),
    (lambda: optim.SGD([W], lr="0.1"), TypeError, "SGD: expected lr to be a number, got str."),
    (lambda: optim.SGD([W], nesterov=True), ValueError,
     r"SGD: nesterov momentum requires a momentum and zero dampening, got momentum=0, dampening=0."),
    (lambda: optim.SGD([W], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.Adam([]), ValueError, "Adam: expected at least one parameter, got an empty parameter list."),
    (lambda: optim.Adam(W), TypeError, r"Adam: expected params to be an iterable of tensors or of dicts, got a "
                                       r"single tensor. Wrap it in a list: \[tensor\]."),
    (lambda: optim.Adam([W, 3.0]), TypeError, "Adam: expected parameters to be Tensors, got float."),
    (lambda: optim.Adam([W * 2]), ValueError, r"Adam: can't optimize a non-leaf tensor"),
    (lambda: optim.Adam({W}), TypeError, "Adam: expected params in a fixed order"),
    (lambda: optim.Adam([W, W]), ValueError, "Adam: a parameter appears twice in the same group"),
    (lambda: optim.Adam([{"params": [W]}, {"params": [W]}]), ValueError,
     "Adam: some parameters appear in more than one parameter group"),
    (lambda: optim.Adam([{"params": [W]}, {"params": [lucidnet.zeros(1, requires_grad=True)], "lr": -1.0}]),
     ValueError, "Adam: invalid learning rate: -1.0"),
    (lambda: optim.Adam([{"lr": 0.1}]), ValueError, "Adam: expected a parameter group with a 'params' key"),
])
def test_bad_input_messages(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_wrong_gradient_shape_is_reported():
    w = lucidnet.zeros(2, 3, requires_grad=True)
    w.grad = lucidnet.zeros(3, 2)
    with pytest.raises(ValueError, match=r"Adam.step\(\): expected a gradient of shape \(2, 3\) \(the parameter's\), "
                                         r"got \(3, 2\)."):
        optim.Adam([w]).step()


# ----------------------------------------------------------------------------------------- state_dict

def through_json(state_dict):
    """What saving does: arrays apart (safetensors), everything else through JSON (int keys become
    strings, tuples lists)."""
    arrays = {}
    plain = {"param_groups": state_dict["param_groups"], "state": {}}
    for i, s in state_dict["state"].items():
        plain["state"][i] = {}
        for k, v in s.items():
            if isinstance(v, np.ndarray):
                arrays[f"{i}.{k}"] = v.copy()
                plain["state"][i][k] = {"array": f"{i}.{k}"}
            else:
                plain["state"][i][k] = v
    plain = json.loads(json.dumps(plain))
    for s in plain["state"].values():
        for k, v in s.items():
            if isinstance(v, dict):
                s[k] = arrays[v["array"]]
    return plain


ROUND_TRIP = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, None),
    ("SGD", {"lr": 0.1}, None),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}, None),
    ("Adam", {"lr": 0.01}, [([0, 1], {"lr": 0.03}), ([2, 3], {"betas": (0.8, 0.99)})]),
    ("AdamW", {"lr": 0.01}, None),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}, None),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}, None),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, kwargs, groups", ROUND_TRIP, ids=[f"{c[0]}-{'-'.join(c[1])}" for c in ROUND_TRIP])
def test_resumed_training_equals_uninterrupted_training(name, kwargs, groups, dtype):
    cls = getattr(optim, name)
    straight = run_lucid(cls, kwargs, 20, groups, dtype)[0]
    first, opt, _ = run_lucid(cls, kwargs, 10, groups, dtype)
    saved = through_json(opt.state_dict())
    # a fresh optimizer (defaults differ on purpose: the loaded groups' options win) on copies of the weights
    resumed = run_lucid(cls, {"lr": 0.5}, 10, groups, dtype, start=10,
                        weights=[p.array.copy() for p in first], opt_state=saved)[0]
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.array, b.array)          # bitwise


def test_state_dict_layout_is_pytorchs():
    ps = [lucidnet.tensor(w, requires_grad=True) for w in initial_weights()]
    tps = [torch.tensor(w, requires_grad=True) for w in initial_weights()]
    ours = optim.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.1}], amsgrad=True)
    theirs = torch.optim.Adam([{"params": tps[:2]}, {"params": tps[2:], "lr": 0.1}], amsgrad=True)
    lucid_loss(ps, *batch(0)).backward()
    torch_loss(tps, *batch(0)).backward()
    ours.step()
    theirs.step()
    a, b = ours.state_dict(), theirs.state_dict()
    assert [g["params"] for g in a["param_groups"]] == [g["params"] for g in b["param_groups"]] == [[0, 1], [2, 3]]
    assert sorted(a["state"]) == sorted(b["state"]) == [0, 1, 2, 3]
    for i in range(4):
        assert set(a["state"][i]) == set(b["state"][i])
        for k, v in a["state"][i].items():
            if isinstance(v, np.ndarray):
                np.testing.assert_allclose(v, b["state"][i][k].numpy(), rtol=1e-6, atol=1e-15)
            else:
                assert v == b["state"][i][k].item()


def test_state_dict_is_a_snapshot_and_load_copies():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([w])
    (w * w).sum().backward()
    opt.step()
    sd = opt.state_dict()
    m = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], m)   # later steps do not change the snapshot
    opt.load_state_dict(sd)
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], m)   # nor does training after loading it
    assert opt.state[w]["step"] == 2


def test_load_state_dict_keeps_group_dicts_for_schedulers():
    w = lucidnet.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    group = opt.param_groups[0]
    opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.5, "momentum": 0, "dampening": 0,
                                                        "weight_decay": 0, "nesterov": False, "maximize": False,
                                                        "params": [0]}]})
    assert opt.param_groups[0] is group and group["lr"] == 0.5 and group["params"] == [w]


def test_load_state_dict_errors():
    ps = [lucidnet.zeros(2, 3, requires_grad=True), lucidnet.zeros(3, requires_grad=True)]
    opt = optim.Adam(ps)
    for p in ps:
        p.grad = lucidnet.ones(*p.shape)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match=r"Adam.load_state_dict\(\): expected 2 parameter groups, got 1."):
        optim.Adam([{"params": ps[:1]}, {"params": ps[1:]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="expected parameter group 0 with 1 parameters, got 2."):
        optim.Adam(ps[:1]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"expected state 'exp_avg' of parameter 0 with shape \(3, 2\), got \(2, 3\)."):
        optim.Adam([lucidnet.zeros(3, 2, requires_grad=True), ps[1]]).load_state_dict(sd)
    with pytest.raises(ValueError, match="expected a dict with keys 'state' and 'param_groups'"):
        opt.load_state_dict({"weights": 1})
