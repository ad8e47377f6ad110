"""Tensor.register_post_accumulate_grad_hook: runs after backward stored a leaf's .grad (as in PyTorch)."""
import gc

import pytest
import torch

import lucidnet
from lucidnet import autograd, nn


def test_hook_sees_the_accumulated_gradient_every_backward_until_removed():
    w = lucidnet.ones(2, requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * 3).sum().backward()
    (w * 2).sum().backward()                              # accumulates: the hook sees the sum
    assert seen == [[3.0, 3.0], [5.0, 5.0]]
    handle.remove()
    (w * 2).sum().backward()
    assert len(seen) == 2


def test_same_calls_as_pytorch():
    ours, theirs = [], []
    for lib, log in ((lucidnet, ours), (torch, theirs)):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        w.register_post_accumulate_grad_hook(lambda t, log=log: log.append(t.grad.tolist()))
        (w * w).sum().backward()
        w.sum().backward()                                  # backward from the leaf's own sum
        w.backward(lib.tensor([1.0, 1.0]))                  # backward on the leaf itself
    assert ours == theirs


def test_hooks_run_last_layer_first_after_every_gradient_is_stored():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    order, all_stored = [], []
    names = {id(p): n for n, p in model.named_parameters()}
    for p in model.parameters():
        p.register_post_accumulate_grad_hook(lambda t: (order.append(names[id(t)]),
                                                        all_stored.append(all(q.grad is not None
                                                                              for q in model.parameters()))))
    model(lucidnet.ones(5, 3)).sum().backward()
    assert set(order) == set(names.values()) and order[0].startswith("2.")
    assert all(all_stored)


def test_only_leaves_that_require_grad_take_the_hook():
    x = lucidnet.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="expected a leaf tensor that requires grad, got a computed tensor"):
        (x * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="got one that does not require grad"):
        lucidnet.ones(2).register_post_accumulate_grad_hook(print)
    with pytest.raises(TypeError, match="expected a callable hook, got int"):
        x.register_post_accumulate_grad_hook(3)


def test_a_dead_tensor_takes_its_hooks_along():
    gc.collect()
    before = autograd._hooked[0]
    w = lucidnet.ones(2, requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: print(w))      # a hook that refers to its own tensor
    w.register_post_accumulate_grad_hook(print)
    assert autograd._hooked[0] == before + 1
    del w
    gc.collect()
    assert autograd._hooked[0] == before
