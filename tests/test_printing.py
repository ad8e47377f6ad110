"""Printing as PyTorch prints (issue 12, item 5): tensors of many shapes and dtypes (summarized when large),
Parameters, format(), print options, Size and dtype objects; with ``namespace="torch"`` the text is torch's."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn

_rng = np.random.default_rng(7)


def _same_text(expr):
    with lucidnet.printoptions(namespace="torch"):
        ours = repr(expr(lucidnet))
    assert ours == repr(expr(torch))
    return ours


ARRAYS = [
    np.arange(24.0).reshape(2, 3, 4) / 7, np.arange(120).reshape(2, 3, 4, 5), _rng.standard_normal((2, 2, 2, 2, 2)),
    _rng.standard_normal((7, 11)) * 1e5, _rng.standard_normal((3, 3)) * 1e-5, np.array([1e-10, 1.0, 1e10]),
    np.zeros((0, 3)), np.zeros((2, 0, 1)), np.array(3.5), np.array([[True, False], [False, True]]),
    np.arange(-5, 5).astype(np.int8), np.array([250, 1], dtype=np.uint8), np.array([1.5, -2.25], dtype=np.float16),
    np.array([[np.nan, np.inf], [-np.inf, 0.0]]), _rng.standard_normal(1001), _rng.standard_normal((40, 40)),
    np.arange(30000).reshape(10, 3000), _rng.standard_normal((3, 500, 2)), np.arange(2000).reshape(2, 1000) % 7 == 0,
    _rng.integers(-10**9, 10**9, (4, 5)), np.full((3,), 123456789.0), np.array([0.1, 0.2, 0.30000001]),
    _rng.standard_normal(30), np.linspace(-1, 1, 11, dtype=np.float32), np.array([-0.0, 5.0]),
]


@pytest.mark.parametrize("dtype", [None, "float32"])
@pytest.mark.parametrize("i", range(len(ARRAYS)))
def test_repr_of_many_shapes_and_dtypes_is_pytorchs(i, dtype):
    a = ARRAYS[i] if dtype is None or ARRAYS[i].dtype.kind != "f" else ARRAYS[i].astype(dtype)
    _same_text(lambda t: t.tensor(a))


@pytest.mark.parametrize("expr", [
    lambda t: t.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda t: t.tensor([[1.0, 2.0]], dtype=t.float64, requires_grad=True).sum(),
    lambda t: t.arange(300.0, requires_grad=True).reshape(30, 10) * 1.5,
    lambda t: t.nn.Parameter(t.tensor([[0.5, -1.0], [2.0, 3.0]])),
    lambda t: t.nn.Parameter(t.zeros(2, dtype=t.float64), requires_grad=False),
    lambda t: t.tensor([1, 2], dtype=t.int32),
    lambda t: t.zeros(0, dtype=t.int64),
    lambda t: t.zeros(3, 0, dtype=t.float16),
    lambda t: t.zeros(2, 3).shape, lambda t: t.zeros(0).size(), lambda t: t.Size([]), lambda t: t.zeros(2).dtype,
    lambda t: [t.float16, t.int8, t.bool, t.uint8, t.long, t.double],
    lambda t: t.device("cpu"), lambda t: t.LongTensor,
    lambda t: t.finfo(t.float32), lambda t: t.iinfo(t.int16),
], ids=lambda f: "")
def test_repr_of_other_objects_is_pytorchs(expr):
    _same_text(expr)


@pytest.mark.parametrize("options", [
    dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=10), dict(linewidth=40), dict(sci_mode=True),
    dict(sci_mode=False), dict(profile="short"), dict(profile="full"), dict(precision=6, linewidth=120),
])
def test_print_options_are_pytorchs(options):
    a = np.arange(60.0).reshape(6, 10) / 7 - 3
    torch.set_printoptions(**options)
    lucidnet.set_printoptions(**options)
    try:
        for arr in (a, a[0], a * 1e6, np.arange(12).reshape(3, 4)):
            _same_text(lambda t: t.tensor(arr))
    finally:
        torch.set_printoptions(profile="default")
        lucidnet.set_printoptions(profile="default")


def test_print_options_round_trip():
    before = lucidnet.get_printoptions()
    with lucidnet.printoptions(precision=1, namespace="torch"):
        assert repr(lucidnet.tensor([1.25], dtype=lucidnet.float64)) == "tensor([1.2], dtype=torch.float64)"
    assert lucidnet.get_printoptions() == before
    assert repr(lucidnet.float64) == "lucidnet.float64" and repr(lucidnet.zeros(1).shape) == "lucidnet.Size([1])"


@pytest.mark.parametrize("spec", ["", ".3f", "8.2e", ">10", "+.1f"])
def test_format_as_pytorch(spec):
    for v in (0.123456, -3.0, 7):
        assert format(lucidnet.tensor(v), spec) == format(torch.tensor(v), spec)
    assert format(lucidnet.tensor([1.0, 2.0]), "") == format(torch.tensor([1.0, 2.0]), "")
    if spec:
        with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
            format(lucidnet.ones(2), spec)


def test_tutorial_style_prints():
    script = """
x = torch.tensor([[1, 2], [3, 4]])
print(f"Shape of tensor: {x.shape}")
print(f"Datatype of tensor: {x.float().dtype}")
print(f"Device tensor is stored on: {x.device}")
print(x.size(), x.shape[0], x.dtype, torch.ones(2, 3).mean(0))
print(torch.nn.Linear(2, 2).weight.shape, torch.float64, torch.Size([2, 3]) + (4,))
"""
    import contextlib
    import io
    outs = []
    for mod in (lucidnet, torch):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), lucidnet.printoptions(namespace="torch"):
            exec(script, {"torch": mod})
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]


def test_size_is_a_tuple_with_pytorchs_methods():
    s = lucidnet.zeros(2, 3, 4).shape
    assert isinstance(s, tuple) and s == (2, 3, 4) and s.numel() == 24 and isinstance(s[1:], lucidnet.Size)
    assert isinstance(s + (5,), lucidnet.Size) and isinstance((1,) + s, lucidnet.Size) and s[0] == 2
    assert lucidnet.zeros(s).shape == s and lucidnet.Size([2, 3]) == torch.Size([2, 3])
    with pytest.raises(TypeError, match=r"Size\(\): expected an iterable of ints, got float at position 0"):
        lucidnet.Size([2.5])
    assert nn.Linear(3, 2).weight.size() == (2, 3)


def test_dtype_objects_are_pytorchs_and_numpys():
    d = lucidnet.float32
    assert d.is_floating_point and not d.is_complex and d.is_signed and d.itemsize == 4
    assert d == np.float32 and d == np.dtype("float32") and lucidnet.zeros(1).numpy().dtype == d
    assert np.zeros(2, dtype=d).dtype == np.float32 and {np.dtype("float32"): 1}[d] == 1
    assert d != lucidnet.float64 and d != None and not lucidnet.uint8.is_signed      # noqa: E711
    assert lucidnet.float == lucidnet.float32 and lucidnet.long == lucidnet.int64
    import pickle
    assert pickle.loads(pickle.dumps(lucidnet.int16)) is lucidnet.int16
    assert lucidnet.finfo(lucidnet.float16).eps == torch.finfo(torch.float16).eps
    assert lucidnet.iinfo(lucidnet.int32).max == torch.iinfo(torch.int32).max
