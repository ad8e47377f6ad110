"""PyTorch's autograd API (issue 12, item 3), each checked against torch: custom Functions (both styles),
Variable, autograd.grad and backward(inputs=...), tensor hooks and retain_grad, next_functions, gradcheck,
autograd.functional."""
import numpy as np
import pytest
import torch

import lucidnet

X0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])


def both(fn):
    """fn(lib) for lucidnet and torch."""
    return fn(lucidnet), fn(torch)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a),
                               np.asarray(b.detach().numpy() if hasattr(b, "detach") else b), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------- Function

def _functions(t):
    """The same custom Functions written against lucidnet's or torch's autograd."""
    class MyReLU(t.autograd.Function):                       # the tutorial's, old style: ctx in forward
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            g = grad_output.clone()
            g[x < 0] = 0
            return g

    class Scale(t.autograd.Function):                        # new style: setup_context; a non-tensor argument
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            assert ctx.needs_input_grad == (True, False)
            return g * ctx.k, None

    class SplitMax(t.autograd.Function):                     # two outputs, one of them indices
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax(1)
            ctx.save_for_backward(x, idx)
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            x, idx = ctx.saved_tensors
            return g * 2

    class Pair(t.autograd.Function):                         # two differentiable outputs
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            return g1 * y + g2, g1 * x + g2

    return MyReLU, Scale, SplitMax, Pair


@pytest.mark.parametrize("use", [
    lambda F, x, y: F[0].apply(x * 3 - 1),
    lambda F, x, y: F[1].apply(x, 2.5) + F[1].apply(y, -1.0),
    lambda F, x, y: F[2].apply(x)[0] * y,
    lambda F, x, y: F[3].apply(x, y)[0] + F[3].apply(x, y)[1].exp(),
    lambda F, x, y: F[3].apply(x, y)[1],                    # only the second output is used
    lambda F, x, y: F[0].apply(F[1].apply(x, -2.0)) * F[0].apply(y),
], ids=["relu", "new-style", "non-differentiable-output", "two-outputs", "second-output-only", "nested"])
def test_custom_functions_match_pytorch(use):
    results = []
    for t in (lucidnet, torch):
        x = t.tensor(X0, requires_grad=True)
        y = t.tensor(X0[::-1].copy(), requires_grad=True)
        out = use(_functions(t), x, y)
        out.sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), y.grad))
    (o1, gx1, gy1), (o2, gx2, gy2) = results
    close(o1, o2), close(gx1, gx2)
    assert (gy1 is None) == (gy2 is None)
    if gy1 is not None:
        close(gy1, gy2)


def test_a_function_node_is_named_and_is_the_ctx():
    MyReLU, Scale, SplitMax, _ = _functions(lucidnet)
    x = lucidnet.tensor([1.0, -2.0], requires_grad=True)
    y = MyReLU.apply(x)
    assert type(y.grad_fn).__name__ == "MyReLUBackward" and repr(y).endswith("grad_fn=<MyReLUBackward>)")
    assert y.grad_fn.saved_tensors[0] is x and y.grad_fn.needs_input_grad == (True,)
    out, idx = SplitMax.apply(lucidnet.tensor([[1.0, 3.0]], requires_grad=True))
    assert out.requires_grad and not idx.requires_grad and idx.grad_fn is None
    with lucidnet.no_grad():
        assert not MyReLU.apply(x).requires_grad                     # not recorded under no_grad
    assert not MyReLU.apply(lucidnet.tensor([1.0])).requires_grad    # nor when nothing needs a gradient


def test_set_materialize_grads_false_passes_none_for_unused_outputs():
    seen = []

    class Two(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1 is None, g2 is None))
            return g1 if g2 is None else g2

    x = lucidnet.ones(2, requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert seen == [(False, True)] and x.grad.tolist() == [1.0, 1.0]


def test_modifying_a_saved_tensor_before_backward_is_an_error():
    MyReLU = _functions(lucidnet)[0]
    x = lucidnet.tensor([1.0, -2.0], requires_grad=True)
    h = x * 1
    y = MyReLU.apply(h)
    with lucidnet.no_grad():
        h += 1
    with pytest.raises(RuntimeError, match="MyReLUBackward: saved tensor 0 was modified in place"):
        y.sum().backward()


@pytest.mark.parametrize("backward,message", [
    (lambda ctx, g: g[:1], r"returned an invalid gradient at index 0: expected shape compatible with \[3\], got \[1\]"),
    (lambda ctx, g: (g, g), r"returned an incorrect number of gradients \(expected 1, got 2\)"),
])
def test_wrong_gradients_from_backward_are_named(backward, message):
    class Bad(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

    Bad.backward = staticmethod(backward)
    with pytest.raises(RuntimeError, match="function BadBackward " + message):
        Bad.apply(lucidnet.ones(3, requires_grad=True)).sum().backward()


def test_a_gradient_that_broadcasts_is_summed_as_pytorch_does():
    class Broad(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, b):
            return b * 1

        @staticmethod
        def backward(ctx, g):
            return g.expand(4, 3)                       # (4, 3) for an input of shape (3,): summed

    b = lucidnet.ones(3, requires_grad=True)
    Broad.apply(b).sum().backward()
    assert b.grad.tolist() == [4.0, 4.0, 4.0]


def test_calling_a_function_instance_is_refused_as_legacy():
    with pytest.raises(RuntimeError, match="legacy autograd functions with a non-static forward are not supported"):
        _functions(lucidnet)[0]()(lucidnet.ones(1))


def test_variable_is_the_legacy_name_of_a_tensor():
    from lucidnet.autograd import Variable
    v = Variable(lucidnet.ones(2), requires_grad=True)
    assert isinstance(v, lucidnet.Tensor) and v.requires_grad and isinstance(lucidnet.zeros(1), Variable)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]


def test_once_differentiable_and_gradcheck_as_in_the_extending_tutorial():
    from lucidnet.autograd.function import once_differentiable

    class LinearFunction(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            return output + bias.unsqueeze(0).expand_as(output) if bias is not None else output

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    args = (lucidnet.randn(5, 4, dtype=lucidnet.double, requires_grad=True),
            lucidnet.randn(3, 4, dtype=lucidnet.double, requires_grad=True),
            lucidnet.randn(3, dtype=lucidnet.double, requires_grad=True))
    assert lucidnet.autograd.gradcheck(LinearFunction.apply, args, eps=1e-6, atol=1e-4)

    class Wrong(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        lucidnet.autograd.gradcheck(Wrong.apply, (lucidnet.ones(2, dtype=lucidnet.double, requires_grad=True),))
    assert not lucidnet.autograd.gradcheck(Wrong.apply, (lucidnet.ones(2, dtype=lucidnet.double,
                                                                       requires_grad=True),), raise_exception=False)


# ------------------------------------------------------------------------------------------- grad, backward(inputs)

def test_autograd_grad_matches_pytorch_and_leaves_grad_alone():
    def run(t):
        x = t.tensor(X0, requires_grad=True)
        w = t.tensor(X0.T.copy(), requires_grad=True)
        h = (x @ w).tanh()
        loss = (h * h).sum()
        gx, gh = t.autograd.grad(loss, [x, h], retain_graph=True)
        gw, = t.autograd.grad(loss, w, grad_outputs=t.tensor(2.0, dtype=t.float64))
        return gx, gh, gw, x.grad, w.grad
    (gx, gh, gw, xg, wg), (tgx, tgh, tgw, txg, twg) = both(run)
    close(gx, tgx), close(gh, tgh), close(gw, tgw)
    assert xg is None and wg is None and txg is None and twg is None


def test_autograd_grad_runs_only_what_leads_to_the_inputs():
    calls = []

    class Spy(lucidnet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g

    x, w = lucidnet.ones(2, requires_grad=True), lucidnet.ones(2, requires_grad=True)
    loss = (x * 2).sum() + Spy.apply(w).sum()
    lucidnet.autograd.grad(loss, x)
    assert calls == []                                       # w's branch never ran


def test_autograd_grad_of_an_unused_input():
    x, y = lucidnet.ones(2, requires_grad=True), lucidnet.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad\(\): input 1 \(shape \(2,\)\) was not used to compute the outputs"):
        lucidnet.autograd.grad((x * 2).sum(), [x, y])
    assert lucidnet.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)[1] is None
    gy = lucidnet.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)[1]
    assert gy.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("call,kind,message", [
    (lambda x: lucidnet.autograd.grad(x.sum(), lucidnet.ones(2)), RuntimeError, "input 0 does not require grad"),
    (lambda x: lucidnet.autograd.grad(lucidnet.ones(2).sum(), x), RuntimeError,
     "element 0 of the tensors does not require grad"),
    (lambda x: lucidnet.autograd.grad(x * 2, x), RuntimeError, "needs a scalar output or an explicit gradient"),
    (lambda x: lucidnet.autograd.grad(x.sum(), x, create_graph=True), NotImplementedError,
     r"create_graph=True \(gradients of gradients\) is not supported"),
])
def test_autograd_grad_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call(lucidnet.ones(2, requires_grad=True))


def test_backward_with_inputs_fills_only_those_grads():
    def run(t):
        x, w = t.tensor(X0, requires_grad=True), t.tensor(X0 * 2, requires_grad=True)
        h = x * w
        h.retain_grad()
        (h.exp().sum()).backward(inputs=[w, h])
        return x.grad, w.grad, h.grad
    (xg, wg, hg), (txg, twg, thg) = both(run)
    assert xg is None and txg is None
    close(wg, twg), close(hg, thg)


def test_autograd_backward_of_several_tensors():
    def run(t):
        x = t.tensor(X0, requires_grad=True)
        t.autograd.backward([(x * x).sum(), x.exp()], [None, t.ones(2, 3, dtype=t.float64)])
        return x.grad
    close(*both(run))


# ------------------------------------------------------------------------------------------- hooks, retain_grad

def test_tensor_hooks_see_and_replace_gradients_as_pytorchs():
    def run(t):
        seen = []
        x = t.tensor(X0, requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: seen.append(("h", g.sum().item())))
        h.register_hook(lambda g: g * 2)                    # replaces h's gradient from here on
        h.retain_grad()
        handle = x.register_hook(lambda g: seen.append(("x", g.sum().item())))
        x.register_hook(lambda g: g + 1)
        (h * h).sum().backward(retain_graph=True)
        handle.remove()
        (h * h).sum().backward()
        return seen, x.grad, h.grad
    (seen, xg, hg), (tseen, txg, thg) = both(run)
    assert seen == pytest.approx(tseen)
    close(xg, txg), close(hg, thg)


def test_retain_grad_and_retains_grad():
    x = lucidnet.ones(2, requires_grad=True)
    h = x * 2
    assert not h.retains_grad and not x.retains_grad
    h.retain_grad()
    h.retain_grad()                                          # twice is once
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="register_hook"):
        lucidnet.ones(1).register_hook(lambda g: g)


# ------------------------------------------------------------------------------------------- the graph

def test_next_functions_end_in_one_accumulate_grad_per_leaf():
    w = lucidnet.ones(2, requires_grad=True)
    y = w * w
    (a, i), (b, j) = y.grad_fn.next_functions
    assert a is b and a.variable is w and (i, j) == (0, 0) and type(a).__name__ == "AccumulateGrad"
    assert a.next_functions == ()


def test_outputs_of_a_multi_output_op_print_and_walk_as_its_node():
    a = lucidnet.randn(3, 3, requires_grad=True)
    u, s, vh = lucidnet.linalg.svd(a)
    assert type(u.grad_fn).__name__ == type(s.grad_fn).__name__ == "LinalgSvdBackward0"
    assert u.grad_fn.next_functions[0][0].variable is a


def test_functional_jacobian_and_vjp():
    def f(x):
        return x ** 2 * x.sum()
    x0 = X0[0]
    ours = lucidnet.autograd.functional.jacobian(f, lucidnet.tensor(x0))
    theirs = torch.autograd.functional.jacobian(f, torch.tensor(x0))
    close(ours, theirs)
    v = np.array([1.0, -1.0, 0.5])
    close(lucidnet.autograd.functional.vjp(f, lucidnet.tensor(x0), lucidnet.tensor(v))[1],
          torch.autograd.functional.vjp(f, torch.tensor(x0), torch.tensor(v))[1])
