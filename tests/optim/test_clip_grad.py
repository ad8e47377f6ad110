"""lucidnet.nn.utils: clip_grad_norm_ and clip_grad_value_ against torch.nn.utils, and the vector helpers."""
import math

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters

SHAPES = [(4, 3), (3,), (2, 2, 2)]


def pairs(dtype, scale=1.0, seed=0):
    """The same parameters with the same gradients in lucidnet and in torch; plus one without a gradient."""
    rng = np.random.default_rng(seed)
    grads = [(rng.standard_normal(s) * scale).astype(dtype) for s in SHAPES]
    ours = [lucidnet.zeros(*s, dtype=dtype, requires_grad=True) for s in SHAPES]
    theirs = [torch.zeros(s, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True) for s in SHAPES]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = lucidnet.tensor(g.copy()), torch.from_numpy(g.copy())
    ours.append(lucidnet.zeros(2, dtype=dtype, requires_grad=True))
    theirs.append(torch.zeros(2, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True))
    return ours, theirs


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])           # clipping, and not
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype, tol):
    ours, theirs = pairs(dtype)
    a = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    b = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(a, lucidnet.Tensor) and a.shape == () and a.dtype == dtype
    np.testing.assert_allclose(a.item(), b.item(), rtol=tol)
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            assert p.grad.dtype == dtype
            np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=tol, atol=tol * 1e-3)


def test_clip_grad_norm_in_place_and_direction_kept():
    w = lucidnet.tensor([3.0, 4.0], requires_grad=True)
    w.grad = lucidnet.tensor([30.0, 40.0])
    grad = w.grad.array
    total = clip_grad_norm_(w, 5.0)
    assert total.item() == 50.0 and w.grad.array is grad
    np.testing.assert_allclose(w.grad.array, [3.0, 4.0], rtol=1e-6)


def test_clip_grad_norm_without_grads_and_nonfinite():
    assert clip_grad_norm_([lucidnet.zeros(2, requires_grad=True)], 1.0).item() == 0.0
    ours, theirs = pairs(np.float64)
    ours[0].grad.array[0, 0] = np.inf
    theirs[0].grad[0, 0] = torch.inf
    np.testing.assert_equal(clip_grad_norm_(ours, 1.0).item(), torch.nn.utils.clip_grad_norm_(theirs, 1.0).item())
    ours[0].grad.array[0, 0] = np.nan
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: expected gradients with a finite total norm of order "
                                           r"2.0, got nan. Set error_if_nonfinite=False"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("clip", [0.3, 10.0])
def test_clip_grad_value_matches_torch(clip):
    ours, theirs = pairs(np.float32)
    assert clip_grad_value_(ours, clip) is None
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad.array, q.grad.numpy())


def test_parameters_to_vector_and_back_match_torch():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in SHAPES]
    ours = [lucidnet.tensor(a, requires_grad=True) for a in arrays]
    vec = parameters_to_vector(ours)
    np.testing.assert_array_equal(vec.array, torch.nn.utils.parameters_to_vector([torch.tensor(a) for a in arrays]))
    vec.sum().backward()                               # differentiable, like torch.cat
    assert all(p.grad.tolist() == np.ones(p.shape).tolist() for p in ours)
    datas = [p.array for p in ours]
    vector_to_parameters(lucidnet.tensor(vec.array * 2), ours)
    for p, a, d in zip(ours, arrays, datas):
        assert p.array is d
        np.testing.assert_array_equal(p.array, a * 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: clip_grad_norm_(3.0, 1.0), TypeError,
     r"clip_grad_norm_: expected a tensor or an iterable of tensors \(e.g. model.parameters\(\)\), got float."),
    (lambda: clip_grad_value_([lucidnet.zeros(1), "w"], 1.0), TypeError,
     "clip_grad_value_: expected an iterable of tensors, got an element of type str."),
    (lambda: vector_to_parameters(np.zeros(3), [lucidnet.zeros(3)]), TypeError,
     "vector_to_parameters: expected vec to be a Tensor, got ndarray."),
    (lambda: vector_to_parameters(lucidnet.zeros(4), [lucidnet.zeros(3)]), ValueError,
     r"vector_to_parameters: expected a vector of 3 elements \(the parameters' total\), got 4."),
    (lambda: vector_to_parameters(lucidnet.zeros(2, 2), [lucidnet.zeros(4)]), ValueError,
     r"vector_to_parameters: expected a 1-D vector, got shape \(2, 2\)."),
    (lambda: parameters_to_vector([]), ValueError, "parameters_to_vector: expected at least one tensor, got none."),
])
def test_bad_input_messages(call, error, message):
    with pytest.raises(error, match=message):
        call()
