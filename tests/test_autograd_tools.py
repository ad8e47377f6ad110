"""The learner's derivative tools, each on a case with a known answer: numerical_derivative (central,
forward and backward differences), gradcheck (passes a right backward, flags a wrong one), and
lucidnet.autograd.functional (the Jacobian of a linear map is its matrix, the Hessian of a quadratic form
x^T A x is A + A^T), with PyTorch's torch.autograd.functional as the oracle on a nonlinear function."""
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import autograd
from lucidnet.autograd import GradcheckError, gradcheck, numerical_derivative
from lucidnet.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

F64 = lucidnet.float64


def t64(a, requires_grad=False):
    return lucidnet.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


@pytest.fixture
def wrong_cube():
    @autograd.primitive
    def wrong_cube(x):
        return x ** 3, lambda g: (g * 2 * x ** 2,)          # should be 3 x^2
    yield wrong_cube
    del autograd.PRIMITIVES["wrong_cube"]


# ------------------------------------------------------------------------------------------ numerical_derivative

def test_central_differences_are_second_order_and_forward_first_order():
    f, x0, exact = (lambda x: x.exp()), 0.5, np.exp(0.5)
    for eps in (1e-2, 1e-3):
        central = numerical_derivative(f, x0, eps=eps).item()
        forward = numerical_derivative(f, x0, eps=eps, method="forward").item()
        backward = numerical_derivative(f, x0, eps=eps, method="backward").item()
        assert central - exact == pytest.approx(exact * eps ** 2 / 6, rel=0.01)      # Taylor: f''' eps^2 / 6
        assert forward - exact == pytest.approx(exact * eps / 2, rel=0.01)           # f'' eps / 2, too steep
        assert backward - exact == pytest.approx(-exact * eps / 2, rel=0.01)         # too shallow by as much


def test_numerical_jacobian_layout_is_output_axes_then_input_axes():
    A = np.arange(6.0).reshape(3, 2)
    J = numerical_derivative(lambda x: t64(A) @ x, t64([1.0, -2.0]))
    assert J.shape == (3, 2) and J.dtype == F64
    np.testing.assert_allclose(J.array, A, atol=1e-8)
    X = np.random.default_rng(0).standard_normal((2, 3))
    J = numerical_derivative(lambda x: x * 2, X)                               # (2, 3) -> (2, 3): (2, 3, 2, 3)
    np.testing.assert_allclose(J.array, 2 * np.eye(6).reshape(2, 3, 2, 3), atol=1e-8)


def test_numerical_derivative_nests_like_jacobian_and_leaves_inputs_alone():
    x = lucidnet.tensor([1.0, 2.0])                                             # float32: upcast to a float64 copy
    w = lucidnet.tensor(3.0)
    (dsum_dx, dsum_dw), (dprod_dx, dprod_dw) = numerical_derivative(lambda x, w: ((x * w).sum(), x * w), (x, w))
    np.testing.assert_allclose(dsum_dx.array, [3, 3], rtol=1e-7)
    np.testing.assert_allclose(dsum_dw.array, 3, rtol=1e-7)
    np.testing.assert_allclose(dprod_dx.array, 3 * np.eye(2), atol=1e-7)
    np.testing.assert_allclose(dprod_dw.array, [1, 2], rtol=1e-7)
    assert x.tolist() == [1.0, 2.0] and x.dtype == lucidnet.float32
    kept = numerical_derivative(lambda x: x * x, x, eps=1e-2, dtype=None)      # dtype=None: float32 as given
    seen = []
    numerical_derivative(lambda x: seen.append(x.dtype) or x, x, dtype=None)
    assert seen[0] == lucidnet.float32 and kept.dtype == F64


@pytest.mark.parametrize("call, error, message", [
    (lambda: numerical_derivative(lambda x: x, 1.0, method="symmetric"), ValueError,
     "numerical_derivative(): expected method to be one of 'central', 'forward', 'backward', got 'symmetric'."),
    (lambda: numerical_derivative(lambda x: x, 1.0, eps=0), ValueError,
     "numerical_derivative(): expected a positive step eps, got 0."),
    (lambda: numerical_derivative(lambda x: "no", 1.0), TypeError,
     "numerical_derivative(): expected the function to return a tensor, a number or a tuple of them, got str for "
     "output 0."),
    (lambda: numerical_derivative(lambda x: x, "1"), TypeError,
     "numerical_derivative(): expected inputs to be tensors, arrays or numbers, got str for input 0."),
])
def test_numerical_derivative_bad_input(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


# ------------------------------------------------------------------------------------------ gradcheck

def test_gradcheck_passes_right_backwards():
    rng = np.random.default_rng(1)
    x, w, b = (t64(rng.standard_normal(s), requires_grad=True) for s in ((4, 3), (3, 2), (2,)))
    assert gradcheck(lambda x, w, b: (x @ w + b).tanh(), (x, w, b)) is True
    assert gradcheck(lambda x, w: ((x @ w).relu().sum(), x.exp()), (x, w)) is True         # two outputs
    assert gradcheck(lambda x, n: x ** n, (x, 3)) is True                                    # a non-tensor passes
    assert gradcheck(lambda x, w: x @ w, (x, w), fast_mode=True) is True
    assert x.grad is None and w.grad is None                                                # .grad left alone


def test_gradcheck_flags_a_wrong_backward(wrong_cube):
    x = t64([0.5, -1.0, 2.0], requires_grad=True)
    with pytest.raises(GradcheckError, match=r"^gradcheck\(\): Jacobian mismatch for output 0 with respect to input "
                                             r"1: the largest difference is 8 at index \(2, 2\) \(numerical 24, "
                                             r"analytical 16\)\.\nnumerical:\n"):
        gradcheck(lambda c, x: wrong_cube(x) * c, (2.0, x))
    assert gradcheck(wrong_cube, x, raise_exception=False) is False
    assert gradcheck(wrong_cube, x, fast_mode=True, raise_exception=False) is False
    # only inputs that require grad are checked: here the wrong one does not
    assert gradcheck(lambda x, y: wrong_cube(x) + y, (x.detach(), t64([1.0, 2.0, 3.0], requires_grad=True)))


def test_gradcheck_flags_a_backward_of_the_wrong_shape_and_a_nondeterministic_one():
    @autograd.primitive
    def bad_shape(x):
        return x * 2, lambda g: (g.sum(),)
    calls = []

    @autograd.primitive
    def noisy(x):
        calls.append(1)
        return x * 1, lambda g: (g * (1 + 1e-3 * len(calls)),)
    try:
        x = t64([1.0, 2.0], requires_grad=True)
        with pytest.raises(GradcheckError, match=r"backward gave input 0 a gradient of shape \(\), expected \(2,\)"):
            gradcheck(bad_shape, x)
        with pytest.raises(GradcheckError, match="Backward is not reentrant"):
            gradcheck(lambda x: noisy(x) * 1, x, atol=1e-2)
    finally:
        del autograd.PRIMITIVES["bad_shape"], autograd.PRIMITIVES["noisy"]


def test_gradcheck_warns_on_float32_and_needs_an_input_that_requires_grad():
    with pytest.warns(UserWarning, match="input 0 requires gradient and is not a double precision"):
        gradcheck(lambda x: x * 2, lucidnet.tensor([1.0, 2.0], requires_grad=True), eps=1e-2, atol=1e-2)
    with pytest.raises(ValueError, match="none of them have requires_grad=True"):
        gradcheck(lambda x: x * 2, t64([1.0]))


def test_the_op_tables_checker_is_the_librarys():
    """tests/test_gradcheck.py differentiates with lucidnet.autograd.numerical_derivative."""
    import test_gradcheck
    assert "numerical_derivative" in test_gradcheck.numerical_gradients.__code__.co_names


# ------------------------------------------------------------------------------------------ functional

def test_the_jacobian_of_a_linear_map_is_its_matrix():
    A = np.random.default_rng(2).standard_normal((4, 3))
    J = jacobian(lambda x: t64(A) @ x, t64([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(J.array, A)
    assert not J.requires_grad


def test_jacobian_nesting_strictness_and_isolation():
    x, y = t64([1.0, 2.0], requires_grad=True), t64([[3.0, 4.0, 5.0]])
    J = jacobian(lambda x, y: (x.sum() * y, x * 2), (x, y))
    assert [[j.shape for j in row] for row in J] == [[(1, 3, 2), (1, 3, 1, 3)], [(2, 2), (2, 1, 3)]]
    np.testing.assert_array_equal(J[1][0].array, 2 * np.eye(2))
    np.testing.assert_array_equal(J[1][1].array, 0)
    with pytest.raises(RuntimeError, match=r"^jacobian\(\): output 1 is independent of input 1; with strict=True"):
        jacobian(lambda x, y: (x.sum() * y, x * 2), (x, y), strict=True)
    assert x.grad is None and y.grad is None and y.grad_fn is None
    with lucidnet.no_grad():                                   # as PyTorch: grad mode is turned on inside
        np.testing.assert_array_equal(jacobian(lambda x: x * 3, x).array, 3 * np.eye(2))
    with pytest.raises(TypeError, match=r"^jacobian\(\): expected floating-point inputs, got dtype int64 for input 0"):
        jacobian(lambda x: x, lucidnet.tensor([1, 2]))
    with pytest.raises(ValueError, match="expected strategy to be 'reverse-mode' or 'forward-mode'"):
        jacobian(lambda x: x, x, strategy="sideways")


def nonlinear(t):
    return lambda x, w: (t.tanh(x @ w) * x.sum(), (w ** 2).sum())


def test_jacobian_hessian_and_products_agree_with_pytorch():
    rng = np.random.default_rng(3)
    xa, wa = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    ours = jacobian(nonlinear(lucidnet), (t64(xa), t64(wa)))
    theirs = torch.autograd.functional.jacobian(nonlinear(torch), (torch.tensor(xa), torch.tensor(wa)))
    for row, trow in zip(ours, theirs):
        for j, tj in zip(row, trow):
            np.testing.assert_allclose(j.array, tj.numpy(), rtol=1e-12, atol=1e-12)

    def scalar(t):
        return lambda x, w: (t.tanh(x @ w) ** 2).sum() + (x ** 3).sum()
    ours = hessian(scalar(lucidnet), (t64(xa), t64(wa)))
    theirs = torch.autograd.functional.hessian(scalar(torch), (torch.tensor(xa), torch.tensor(wa)))
    for row, trow in zip(ours, theirs):
        for h, th in zip(row, trow):
            np.testing.assert_allclose(h.array, th.numpy(), rtol=1e-6, atol=1e-8)
    v = (t64(rng.standard_normal((2, 3))), t64(rng.standard_normal((3, 2))))
    tv = tuple(torch.tensor(a.array) for a in v)
    targs = (torch.tensor(xa), torch.tensor(wa))
    for ours_fn, torch_fn in ((hvp, torch.autograd.functional.hvp), (vhp, torch.autograd.functional.vhp)):
        value, prod = ours_fn(scalar(lucidnet), (t64(xa), t64(wa)), v)
        tvalue, tprod = torch_fn(scalar(torch), targs, tv)
        assert value.item() == pytest.approx(tvalue.item(), rel=1e-12)
        for p, tp in zip(prod, tprod):
            np.testing.assert_allclose(p.array, tp.numpy(), rtol=1e-6, atol=1e-8)
    out_v = (t64(rng.standard_normal((2, 2))), t64(1.0))
    for (ours_out, ours_prod), (t_out, t_prod) in (
            (vjp(nonlinear(lucidnet), (t64(xa), t64(wa)), out_v),
             torch.autograd.functional.vjp(nonlinear(torch), targs, tuple(torch.tensor(a.array) for a in out_v))),
            (jvp(nonlinear(lucidnet), (t64(xa), t64(wa)), v),
             torch.autograd.functional.jvp(nonlinear(torch), targs, tv))):
        for a, b in zip(ours_out, t_out):
            np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-12)
        for a, b in zip(ours_prod, t_prod):
            np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-10, atol=1e-12)


def test_the_hessian_of_a_quadratic_form_is_a_plus_a_transposed():
    A = np.random.default_rng(4).standard_normal((3, 3))
    x = lucidnet.tensor([0.5, -1.0, 2.0])                                    # float32 in, float32 out
    H = hessian(lambda x: x @ lucidnet.tensor(A, dtype=x.dtype) @ x, x)      # matmul needs one dtype
    assert H.dtype == lucidnet.float32 and H.shape == (3, 3)
    np.testing.assert_allclose(H.array, A + A.T, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"^hessian\(\): expected func to return a single-element tensor, got a "
                                         r"tensor of shape \(3,\)\.$"):
        hessian(lambda x: x * 2, x)


def test_import_path_as_pytorch():
    code = "import lucidnet.autograd.functional as F; from lucidnet.autograd import gradcheck; print(F.jacobian)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("<function jacobian")
