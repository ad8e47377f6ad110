"""PyTorch's type promotion, as a table against torch 2.13.0: every binary op over every pair of lucidnet's
nine dtypes, as dimensioned tensors, 0-d tensors and Python numbers on either side. For each entry the
result's dtype and values must be torch's, or both must refuse."""
import numpy as np
import pytest
import torch

import lucidnet

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

# Values that every op is defined on in every dtype: no zero divisors, no negative exponents, nothing that
# overflows int8 (3 ** 3 = 27).
DIM_A, DIM_B, ZERO_D = [3, 1, 2], [2, 1, 3], 2
SCALARS = [True, 2, 2.5]

OPS = {
    "add": lambda t, a, b: a + b, "sub": lambda t, a, b: a - b, "mul": lambda t, a, b: a * b,
    "truediv": lambda t, a, b: a / b, "floordiv": lambda t, a, b: a // b, "mod": lambda t, a, b: a % b,
    "pow": lambda t, a, b: a ** b, "eq": lambda t, a, b: a == b, "lt": lambda t, a, b: a < b,
    "and": lambda t, a, b: a & b, "or": lambda t, a, b: a | b, "xor": lambda t, a, b: a ^ b,
    "maximum": lambda t, a, b: t.maximum(a, b), "minimum": lambda t, a, b: t.minimum(a, b),
    "atan2": lambda t, a, b: t.atan2(a, b), "fmod": lambda t, a, b: t.fmod(a, b),
    "remainder": lambda t, a, b: t.remainder(a, b), "div-floor": lambda t, a, b: t.div(a, b, rounding_mode="floor"),
    "div-trunc": lambda t, a, b: t.div(a, b, rounding_mode="trunc"), "add-alpha": lambda t, a, b: t.add(a, b, alpha=2),
    "mul-function": lambda t, a, b: t.mul(a, b), "where": lambda t, a, b: t.where(t.tensor([True, False, True]), a, b),
    "cat": lambda t, a, b: t.cat([a.reshape(-1), b.reshape(-1)]),
}
TENSOR_ONLY = {"maximum", "minimum", "atan2", "cat", "where"}   # PyTorch requires tensors on both sides


def _make(lib, kind, dtype, values):
    d = getattr(lib, dtype)
    if kind == "dim":
        return lib.tensor([bool(v) for v in values] if dtype == "bool" else values, dtype=d)
    return lib.tensor(bool(ZERO_D) if dtype == "bool" else ZERO_D, dtype=d)


def _cases():
    for da in DTYPES:
        for db in DTYPES:
            for ka, kb in [("dim", "dim"), ("dim", "0d"), ("0d", "dim"), ("0d", "0d")]:
                yield f"{da}-{ka} {db}-{kb}", (lambda lib, da=da, db=db, ka=ka, kb=kb:
                                               (_make(lib, ka, da, DIM_A), _make(lib, kb, db, DIM_B)))
        for s in SCALARS:
            yield f"{da}-dim {s!r}", lambda lib, da=da, s=s: (_make(lib, "dim", da, DIM_A), s)
            yield f"{s!r} {da}-dim", lambda lib, da=da, s=s: (s, _make(lib, "dim", da, DIM_B))


def _run(lib, op, make):
    try:
        a, b = make(lib)
        if op in TENSOR_ONLY:
            a, b = (v if isinstance(v, (torch.Tensor, lucidnet.Tensor)) else lib.tensor(v) for v in (a, b))
        return OPS[op](lib, a, b), None
    except Exception as e:                                   # noqa: BLE001  (the table compares refusals too)
        return None, e


@pytest.mark.parametrize("op", list(OPS))
def test_binary_op_promotes_as_pytorch_over_every_dtype_pair(op):
    mismatches = []
    with np.errstate(all="ignore"):
        for name, make in _cases():
            theirs, their_error = _run(torch, op, make)
            ours, our_error = _run(lucidnet, op, make)
            if their_error is not None:
                if our_error is None:
                    mismatches.append(f"{name}: torch refuses ({their_error}), lucidnet gives {ours.dtype}")
                continue
            if our_error is not None:
                mismatches.append(f"{name}: torch gives {theirs.dtype}, lucidnet raises {our_error!r}")
                continue
            if str(ours.dtype).removeprefix("lucidnet.") != str(theirs.dtype).removeprefix("torch."):
                mismatches.append(f"{name}: dtype {ours.dtype}, torch {theirs.dtype}")
            elif not np.allclose(ours.array.astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-3,
                                 equal_nan=True):
                mismatches.append(f"{name}: values {ours.tolist()}, torch {theirs.tolist()}")
    assert not mismatches, f"{len(mismatches)} entries differ from torch:\n" + "\n".join(mismatches[:40])


@pytest.mark.parametrize("name,expr", [
    ("float32 ** int64 tensor stays float32", lambda t: t.ones(2) ** t.tensor([2, 3])),
    ("int / int is the default float", lambda t: t.tensor([1, 2]) / t.tensor([2, 2])),
    ("float32 with a float64 0-d tensor stays float32", lambda t: t.ones(2) * t.tensor(2.0, dtype=t.float64)),
    ("int32 with an int64 0-d tensor stays int32", lambda t: t.tensor([1], dtype=t.int32) + t.tensor(5)),
    ("uint8 with int8 widens to int16", lambda t: t.tensor([1], dtype=t.uint8) + t.tensor([1], dtype=t.int8)),
    ("int64 with float16 is float16", lambda t: t.tensor([1]) + t.tensor([1.0], dtype=t.float16)),
    ("bool with a Python int is int64", lambda t: t.tensor([True]) + 1),
    ("an int8 tensor plus 1000 wraps", lambda t: t.tensor([1, 2], dtype=t.int8) + 1000),
    ("sum of int32 is int64", lambda t: t.tensor([1, 2], dtype=t.int32).sum()),
    ("sum of bool is int64", lambda t: t.tensor([True, True]).sum()),
    ("sum of uint8 is int64", lambda t: t.tensor([200, 100], dtype=t.uint8).sum()),
    ("prod of int32 is int64", lambda t: t.tensor([2, 3], dtype=t.int32).prod()),
    ("cumsum of bool is int64", lambda t: t.tensor([True, True]).cumsum(0)),
    ("sin of an int tensor is float32", lambda t: t.tensor([1, 2]).sin()),
    ("atan2 of ints is float32", lambda t: t.atan2(t.tensor([1]), t.tensor([2]))),
    ("floor keeps an int tensor", lambda t: t.tensor([1, 2]).floor()),
    ("sign keeps bools", lambda t: t.tensor([True, False]).sign()),
    ("int pow with negative tensor exponents", lambda t: t.tensor([2, 1, -1, 3]) ** t.tensor([-1, -1, -3, 2])),
    ("result_type", lambda t: t.zeros(1, dtype=t.result_type(t.tensor([1], dtype=t.int32), 1.0))),
    ("promote_types", lambda t: t.zeros(1, dtype=t.promote_types(t.uint8, t.int8))),
])
def test_named_promotion_rules_match_pytorch(name, expr):
    ours, theirs = expr(lucidnet), expr(torch)
    assert str(ours.dtype).removeprefix("lucidnet.") == str(theirs.dtype).removeprefix("torch."), name
    np.testing.assert_allclose(ours.array.astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("expr", [
    lambda t: t.tensor([1, 2]).__iadd__(1.5),                              # a float result in an int tensor
    lambda t: t.tensor([1, 2]).mul_(t.tensor([0.5, 0.5])),
    lambda t: t.tensor([True]).add_(1),
    lambda t: t.tensor([1, 2]).div_(2),
    lambda t: t.tensor([1, 2]).sin_(),
    lambda t: t.ones(2).matmul(t.ones(2, dtype=t.float64)),              # matmul needs one dtype
    lambda t: t.ones(1, 2) @ t.ones(2, 1, dtype=t.int64),
    lambda t: t.nn.functional.linear(t.ones(1, 2, dtype=t.float64), t.ones(3, 2)),
    lambda t: t.nn.Linear(2, 3)(t.ones(1, 2, dtype=t.float64)),          # a float32 layer refuses float64 input
    lambda t: t.tensor([1.5]) & 1,                                         # bitwise ops need integers
    lambda t: t.tensor([True]) - t.tensor([False]),                        # bool subtraction
    lambda t: -t.tensor([True]),
    lambda t: t.tensor([2]) ** -1,                                         # integers to negative powers
    lambda t: t.einsum("i,i->", t.tensor([1, 2]), t.tensor([1.5, 2.0])),   # einsum needs one dtype
], ids=lambda f: "")
def test_what_pytorch_refuses_lucidnet_refuses(expr):
    with pytest.raises(Exception):
        expr(torch)
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        expr(lucidnet)


@pytest.mark.parametrize("expr", [
    lambda t: t.ones(2).__iadd__(t.tensor([1.0, 2.0], dtype=t.float64)),   # float64 into float32 is fine
    lambda t: t.tensor([1, 2], dtype=t.int8).__iadd__(t.tensor([1, 2])),   # int64 into int8 wraps
    lambda t: t.tensor([1, 2], dtype=t.int32).mul_(3),
    lambda t: t.ones(2).div_(t.tensor([2, 4])),
    lambda t: t.tensor([1., 2.]).add_(t.tensor(1, dtype=t.int64), alpha=3),
], ids=lambda f: "")
def test_in_place_keeps_the_tensors_dtype_as_pytorch(expr):
    ours, theirs = expr(lucidnet), expr(torch)
    assert str(ours.dtype).removeprefix("lucidnet.") == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.array, theirs.numpy())


def test_a_keras_dense_layer_casts_its_input_as_keras_does():
    from lucidnet import nn
    layer = nn.Dense(3)
    out = layer(lucidnet.ones(2, 4, dtype=lucidnet.float64))
    assert out.dtype == lucidnet.float32 and layer(np.ones((2, 4))).dtype == lucidnet.float32
    assert layer(lucidnet.ones(2, 4, dtype=lucidnet.int64)).dtype == lucidnet.float32
    with pytest.raises(TypeError, match=r"Linear\(in_features=4, out_features=3, bias=True\): expected input of "
                                        r"dtype float32 \(the layer's\), got float64"):
        nn.Linear(4, 3)(lucidnet.ones(2, 4, dtype=lucidnet.float64))
