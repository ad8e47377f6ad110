"""Shared checks for layers, in the spirit of Keras's ``run_layer_test``: one call checks a layer's output
shape, parameter count, repr, the error text for a wrong input, the config round trip and backward; and
``torch_pair`` copies a layer's weights into its PyTorch twin through state dicts."""
import json

import numpy as np
import torch

import lucidnet
from lucidnet import nn

from helpers import raises


def run_layer_test(layer, input_shape, output_shape, num_params, expected_repr, bad_shape=None, error=None,
                   input_dtype=None, ids_high=None):
    """Run ``layer`` on a random input of ``input_shape`` and check everything a layer promises.

    ``ids_high``: make integer ids in [0, ids_high) instead of a float input (Embedding).
    """
    rng = np.random.default_rng(0)

    def make(shape):
        if ids_high is not None:
            return lucidnet.tensor(rng.integers(0, ids_high, shape))
        return lucidnet.tensor(rng.standard_normal(shape).astype(input_dtype or np.float32), requires_grad=True)

    x = make(input_shape)
    out = layer(x)
    assert isinstance(out, lucidnet.Tensor)
    assert out.shape == tuple(output_shape), f"{layer!r}: output shape {out.shape} != {tuple(output_shape)}"
    assert layer.num_parameters() == num_params
    assert sum(p.numel() for p in layer.parameters()) == num_params
    assert repr(layer) == expected_repr

    # backward reaches the input and every parameter, with their shapes
    out.backward(lucidnet.ones_like(out))
    for name, p in layer.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, f"{layer!r}: no gradient for {name}"
    if ids_high is None:
        assert x.grad is not None and x.grad.shape == x.shape

    # the architecture survives JSON, and the weights a state dict
    config = json.loads(json.dumps(layer.to_config()))
    twin = nn.module_from_config(config)
    assert repr(twin) == expected_repr
    twin.load_state_dict(layer.state_dict())
    assert list(twin.state_dict()) == list(layer.state_dict())
    layer.eval(), twin.eval()
    x2 = make(input_shape)
    np.testing.assert_array_equal(twin(x2).array, layer(x2).array)
    layer.train()

    if bad_shape is not None:
        with raises(ValueError, error):
            layer(make(bad_shape))


TORCH_DTYPES = {np.float64: torch.float64, np.float32: torch.float32}
TOLERANCES = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}


def torch_pair(ours, theirs, dtype):
    """Convert both layers to ``dtype`` and copy our weights (and buffers) into torch's via state dicts."""
    ours.to(dtype)
    theirs.to(TORCH_DTYPES[dtype])
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def assert_close(a, b, dtype, what=""):
    """A lucidnet tensor (or array) against a torch tensor, at the dtype's tolerance."""
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
    a = a.array if isinstance(a, lucidnet.Tensor) else np.asarray(a)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, err_msg=what, **TOLERANCES[dtype])


def compare_with_torch(ours, theirs, x, dtype, grad_input=True):
    """Forward the same input through both layers, backward the same random vector, and compare the outputs
    and the gradients of the input and of every parameter."""
    x = np.asarray(x)
    if x.dtype.kind == "f":
        x = x.astype(dtype)
    xl = lucidnet.tensor(x, requires_grad=grad_input and x.dtype.kind == "f")
    xt = torch.tensor(x, requires_grad=grad_input and x.dtype.kind == "f")
    yl, yt = ours(xl), theirs(xt)
    assert_close(yl, yt, dtype, "output")
    v = np.random.default_rng(7).standard_normal(tuple(yt.shape)).astype(dtype)
    yl.backward(lucidnet.tensor(v))
    yt.backward(torch.tensor(v))
    if xt.requires_grad:
        assert_close(xl.grad, xt.grad, dtype, "input gradient")
    named_t = dict(theirs.named_parameters())
    named_l = dict(ours.named_parameters())
    assert list(named_l) == list(named_t)
    for name, p in named_l.items():
        assert_close(p.grad, named_t[name].grad, dtype, f"gradient of {name}")
    return yl, yt
