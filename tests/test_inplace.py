"""In-place safety: modifying a tensor that a recorded backward saved raises at backward time (a version
counter, as PyTorch does); modifying one it did not save is fine; leaves that require grad can only be
updated in place under no_grad."""
import numpy as np
import pytest

import lucidnet

SAVED = "MulBackward0: one of the tensors it saved for backward was modified in place"


def graph_saving(x):
    """A loss whose backward needs x's values (mul saves both operands)."""
    w = lucidnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return w, (w * x).sum()


def add_under_no_grad(x):
    with lucidnet.no_grad():
        x += 1


@pytest.mark.parametrize("modify", [
    add_under_no_grad,
    lambda x: x.__iadd__(1),
    lambda x: x.__isub__(1),
    lambda x: x.__imul__(2),
    lambda x: x.__itruediv__(2),
    lambda x: x.__setitem__(0, 5.0),
    lambda x: x.__setitem__(slice(None), lucidnet.ones(3)),
    lambda x: x.zero_(),
    lambda x: x.fill_(2.0),
    lambda x: x.copy_(lucidnet.ones(3)),
    lambda x: x.add_(1.0, alpha=2),
    lambda x: x.sub_(1.0),
    lambda x: x.mul_(2.0),
    lambda x: x.div_(2.0),
    lambda x: x.clamp_(0.0, 1.0),
    lambda x: x.uniform_(),
    lambda x: x.normal_(),
    lambda x: x.detach().add_(1.0),
], ids=["iadd-no_grad", "iadd", "isub", "imul", "idiv", "setitem", "setitem-all", "zero_", "fill_", "copy_",
        "add_", "sub_", "mul_", "div_", "clamp_", "uniform_", "normal_", "detached"])
def test_modifying_a_saved_tensor_raises_at_backward(modify):
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w, loss = graph_saving(x)
    modify(x)
    with pytest.raises(RuntimeError, match=SAVED + r" after it was saved \(its version is now 1\)"):
        loss.backward()


@pytest.mark.parametrize("modify", [
    lambda x: x[0:2].__setitem__(0, 5.0),
    lambda x: x[0:2].__iadd__(5.0),
    lambda x: x[1:].zero_(),
    lambda x: x.reshape(3, 1).__iadd__(1.0),
    lambda x: x.view(1, 3).zero_(),
    lambda x: x.unsqueeze(0).transpose(0, 1).mul_(2.0),
    lambda x: x[None][0][::2].fill_(0.0),
    lambda x: x[:].__setitem__(1, 0.0),
], ids=["slice-setitem", "slice-iadd", "slice-zero_", "reshape-iadd", "view-zero_", "transposed", "chain",
        "full-slice"])
def test_modifying_a_saved_tensor_through_a_view_raises(modify):
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w, loss = graph_saving(x)
    modify(x)
    with pytest.raises(RuntimeError, match=SAVED):
        loss.backward()


def test_a_saved_view_sees_changes_to_its_base():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w = lucidnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (w * x.reshape(3, 1).T).sum()            # mul saved a view of x, not x
    x += 1
    with pytest.raises(RuntimeError, match=SAVED):
        loss.backward()


def test_modifying_a_saved_output_raises():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    y = w.exp()                                      # exp's backward reuses its output
    loss = y.sum()
    with lucidnet.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="ExpBackward0: one of the tensors it saved"):
        loss.backward()


def test_updating_a_leaf_after_forward_invalidates_the_graph():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with lucidnet.no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match=SAVED):
        loss.backward()


def test_the_error_names_the_fix():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w, loss = graph_saving(x)
    x[0] = 0.0
    with pytest.raises(RuntimeError, match=r"Modify a copy instead \(x = x.clone\(\)\), or do the in-place update "
                                           r"after backward\(\)\."):
        loss.backward()


@pytest.mark.parametrize("build", [
    lambda w, x: (w + x).sum(),
    lambda w, x: (w - x).sum(),
    lambda w, x: (x * 2 + w).sum(),
    lambda w, x: (w + x[0]).sum(),
    lambda w, x: lucidnet.where(x > 1.5, w, w * 2).sum(),
    lambda w, x: lucidnet.cat([w, x]).sum(),
], ids=["add", "sub", "add-after-mul-by-constant", "indexed", "where-condition", "cat"])
def test_modifying_an_unsaved_input_is_fine(build):
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w = lucidnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = build(w, x)
    with lucidnet.no_grad():
        x += 100
    loss.backward()
    assert w.grad is not None and w.grad.shape == w.shape


def test_edits_before_the_op_ran_are_fine():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    x += 1                                            # the op below sees version 1: nothing changes after it
    w, loss = graph_saving(x)
    loss.backward()
    np.testing.assert_array_equal(w.grad.array, [2.0, 3.0, 4.0])


def test_edits_of_other_tensors_after_the_op_are_fine():
    """Any in-place edit moves the global edit clock, so backward looks closer at every node recorded before
    it; a node whose own tensors were not edited must still run."""
    x, other = lucidnet.tensor([1.0, 2.0, 3.0]), lucidnet.zeros(3)
    w, loss = graph_saving(x)
    other += 1
    other.zero_()
    loss.backward()
    np.testing.assert_array_equal(w.grad.array, [1.0, 2.0, 3.0])


def test_the_error_gives_the_version_now():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    x += 1
    w, loss = graph_saving(x)
    x += 1
    x[0] = 0.0
    with pytest.raises(RuntimeError, match=SAVED + r" after it was saved \(its version is now 3\)"):
        loss.backward()


def test_only_nodes_recorded_before_an_edit_see_it():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w = lucidnet.tensor([1.0, 1.0, 1.0], requires_grad=True)
    first = (w * x).sum()
    x += 1
    second = (w * x).sum()                            # recorded after the edit: its saved x is current
    second.backward()
    np.testing.assert_array_equal(w.grad.array, [2.0, 3.0, 4.0])
    with pytest.raises(RuntimeError, match=SAVED):
        first.backward()


def test_modifying_after_backward_is_fine():
    x = lucidnet.tensor([1.0, 2.0, 3.0])
    w, loss = graph_saving(x)
    loss.backward()
    x += 1
    np.testing.assert_array_equal(w.grad.array, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("op,symbol", [("__iadd__", r"\+="), ("__isub__", "-="), ("__imul__", r"\*="),
                                       ("__itruediv__", "/=")])
def test_in_place_on_a_leaf_that_requires_grad_raises_while_recording(op, symbol):
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=symbol + r": cannot modify a leaf tensor that requires grad in place "
                                                    r"while recording; wrap the update in `with lucidnet.no_grad\(\):`"
                                                    r" or write x = x . y\."):
        getattr(w, op)(1.0)
    np.testing.assert_array_equal(w.array, [1.0, 2.0])             # untouched


@pytest.mark.parametrize("modify,name", [
    (lambda w: w.__setitem__(0, 1.0), r"x\[\.\.\.\] ="), (lambda w: w.zero_(), "zero_"),
    (lambda w: w.fill_(1.0), "fill_"), (lambda w: w.add_(1.0), "add_"), (lambda w: w.mul_(2.0), "mul_"),
    (lambda w: w.copy_(lucidnet.zeros(2)), "copy_"), (lambda w: w.normal_(), "normal_"),
    (lambda w: w.clamp_(0, 1), "clamp_"),
])
def test_every_in_place_method_refuses_a_leaf_that_requires_grad(modify, name):
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=name + ": cannot modify a leaf tensor that requires grad in place"):
        modify(w)


def _grads_of(lib, build):
    """Gradients of build's leaves after backward, for lucidnet or torch."""
    leaves = [lib.tensor([0.5, -1.0, 2.0], requires_grad=True), lib.tensor([1.5, 0.25, -0.5], requires_grad=True)]
    build(lib, *leaves).sum().backward()
    return [None if w.grad is None else w.grad.numpy().tolist() for w in leaves]


@pytest.mark.parametrize("build", [
    lambda t, a, b: (lambda h: h.__iadd__(b))(a * 2),                          # a computed tensor, += a leaf
    lambda t, a, b: (lambda h: h.sin_().mul_(b))(a * 1),
    lambda t, a, b: (lambda x: x.add_(a * b))(t.zeros(3)),                     # a plain tensor takes the operand
    lambda t, a, b: (lambda x: (x.__setitem__(1, a[0] * b[2]), x)[1])(t.zeros(3)),
    lambda t, a, b: (lambda h: (h.__setitem__(slice(0, 2), b[:2]), h)[1])(a * 3),
    lambda t, a, b: (lambda h: (lambda c: c * h.clamp_(-1, 1))(h + 1))(a * b),  # c was made before h changed
    lambda t, a, b: (lambda h: h.unsqueeze_(0).squeeze_() * a)(b * 1),
    lambda t, a, b: (lambda h: h.copy_(b).exp_())(a * 1),
    lambda t, a, b: (lambda h: h.fill_(2.0) * b)(a * 1),
    lambda t, a, b: (lambda h: h.zero_() + b)(a * 1),
], ids=["iadd", "sin_-mul_", "plain-add_", "setitem-plain", "setitem-computed", "used-before-edit", "unsqueeze_",
        "copy_-exp_", "fill_", "zero_"])
def test_in_place_ops_in_the_graph_are_recorded_as_in_pytorch(build):
    import torch
    np.testing.assert_allclose(_grads_of(lucidnet, build), _grads_of(torch, build), rtol=1e-6)


def test_in_place_on_a_view_of_a_tensor_in_the_graph_is_refused_clearly():
    h = lucidnet.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"sin_: cannot modify in place a view of a tensor that requires grad"):
        h[0].sin_()


def test_in_place_after_an_op_that_saved_the_tensor_raises_at_backward_as_in_pytorch():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    h = w.exp()
    h.add_(1)                                       # exp's backward needs its result: now changed
    with pytest.raises(RuntimeError, match="ExpBackward0: one of the tensors it saved for backward was modified"):
        h.sum().backward()


def test_sgd_update_under_no_grad():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with lucidnet.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.array, [0.8, 1.6], rtol=1e-6)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    w.grad.zero_()
    (w * w).sum().backward()                                       # the updated leaf works as before
    np.testing.assert_allclose(w.grad.array, [1.6, 3.2], rtol=1e-6)


def test_in_place_keeps_identity_and_bumps_the_version():
    x = lucidnet.zeros(3)
    ident, v = id(x), x._version_now
    x += 1
    x *= 3
    x[1] = 0
    assert id(x) == ident and x._version_now == v + 3
    np.testing.assert_array_equal(x.array, [3.0, 0.0, 3.0])


def test_in_place_on_integer_tensors():
    x = lucidnet.tensor([1, 2, 3])
    x += 1
    x *= 2
    assert x.dtype == lucidnet.int64 and x.tolist() == [4, 6, 8]


def test_grad_can_be_zeroed_and_edited_in_place():
    w = lucidnet.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    w.grad += 1
    assert w.grad.tolist() == [1.0, 1.0]


def test_a_primitive_whose_output_is_a_view_it_saves():
    """A saved output that is a view of an already-modified input starts from that input's current version."""
    from lucidnet import autograd

    @autograd.primitive
    def tail(x):
        out = x[1:]

        def backward(g):
            gx = np.zeros_like(x)
            gx[1:] = g * (out == out)         # reads the saved output
            return (gx,)
        return out, backward
    try:
        w = lucidnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with lucidnet.no_grad():
            w += 1                            # version 1 before the op
        tail(w).sum().backward()
        assert w.grad.tolist() == [0.0, 1.0, 1.0]
        y = tail(w)
        loss = y.sum()
        with lucidnet.no_grad():
            w[2] = 0.0                        # now the saved view really changed
        with pytest.raises(RuntimeError, match="TailBackward0: one of the tensors it saved"):
            loss.backward()
    finally:
        del autograd.PRIMITIVES["tail"]
