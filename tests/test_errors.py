"""Bad input: each mistake raises ValueError/TypeError/RuntimeError/IndexError with a message in the house
style (``<where>: expected <what>, got <what arrived>.[ hint]``), matched here word for word."""

import numpy as np
import pytest

import lucidnet
from lucidnet import functional as F

from helpers import raises


# ------------------------------------------------------------------------------------------- shapes

@pytest.mark.parametrize("op,name", [(lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"),
                                     (lambda a, b: a * b, "mul"), (lambda a, b: a / b, "div"),
                                     (lambda a, b: lucidnet.maximum(a, b), "maximum"),
                                     (lambda a, b: lucidnet.minimum(a, b), "minimum"),
                                     (lambda a, b: a ** b, "power")])
def test_broadcast_mismatch(op, name):
    with raises(ValueError, f"{name}: cannot broadcast shapes (2, 3) and (4, 3) together."):
        op(lucidnet.ones(2, 3), lucidnet.ones(4, 3))


def test_broadcast_mismatch_with_an_array_and_in_where():
    with raises(ValueError, "add: cannot broadcast shapes (2, 3) and (4,) together."):
        lucidnet.ones(2, 3) + np.ones(4)
    with raises(ValueError, "where: cannot broadcast shapes (2,) and (2, 3) and (4, 3) together."):
        lucidnet.where(lucidnet.ones(2) > 0, lucidnet.ones(2, 3), lucidnet.ones(4, 3))


def test_matmul_inner_dimensions():
    with raises(ValueError, "matmul: cannot multiply (32, 784) by (256, 10): inner dimensions 784 and 256 differ."):
        lucidnet.ones(32, 784) @ lucidnet.ones(256, 10)
    with raises(ValueError, "matmul: cannot multiply (3,) by (4,): inner dimensions 3 and 4 differ."):
        lucidnet.ones(3) @ lucidnet.ones(4)
    with raises(ValueError, "matmul: cannot multiply (2, 3) by (4,): inner dimensions 3 and 4 differ."):
        lucidnet.matmul(lucidnet.ones(2, 3), lucidnet.ones(4))


def test_matmul_batch_dimensions_and_scalars():
    with raises(ValueError, "matmul: cannot multiply (2, 3, 4) by (3, 4, 5): batch dimensions (2,) and (3,) "
                            "do not broadcast."):
        lucidnet.ones(2, 3, 4) @ lucidnet.ones(3, 4, 5)
    with raises(ValueError, "matmul: expected tensors with at least 1 dimension, got shapes () and (3,)."):
        lucidnet.tensor(1.0) @ lucidnet.ones(3)


def test_linear_input_width():
    with raises(ValueError, "linear: expected input of shape (*, 5), got (2, 3)."):
        F.linear(lucidnet.ones(2, 3), lucidnet.ones(4, 5))


def test_cat_shape_mismatch():
    with raises(ValueError, "cat: expected shapes equal except along dim 0, got [(2, 3), (2, 4)]."):
        lucidnet.cat([lucidnet.ones(2, 3), lucidnet.ones(2, 4)])
    with raises(ValueError, "cat: expected shapes equal except along dim 1, got [(2, 3), (3, 3)]."):
        lucidnet.cat([lucidnet.ones(2, 3), lucidnet.ones(3, 3)], dim=1)
    with raises(ValueError, "cat: expected shapes equal except along dim 0, got [(2, 3), (3,)]."):
        lucidnet.concatenate([lucidnet.ones(2, 3), lucidnet.ones(3)])
    with raises(ValueError, "cat: expected a non-empty sequence of tensors, got an empty one."):
        lucidnet.cat([])
    with raises(IndexError, "cat: expected a dimension in [-2, 1], got 2."):
        lucidnet.cat([lucidnet.ones(2, 3)] * 2, dim=2)


def test_stack_shape_mismatch():
    with raises(ValueError, "stack: expected tensors of one shape, got [(2, 3), (4, 3)]."):
        lucidnet.stack([lucidnet.ones(2, 3), lucidnet.ones(4, 3)])
    with raises(ValueError, "stack: expected a non-empty sequence of tensors, got an empty one."):
        lucidnet.stack([])


def test_reshape_to_an_impossible_shape():
    with raises(ValueError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (4, 2)."):
        lucidnet.ones(2, 3).reshape(4, 2)
    with raises(ValueError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (5,)."):
        lucidnet.ones(2, 3).view(5)
    with raises(ValueError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (-1, -1)."):
        lucidnet.ones(2, 3).reshape(-1, -1)
    with raises(ValueError, "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (4, -1)."):
        lucidnet.ones(2, 3).reshape((4, -1))


@pytest.mark.parametrize("dims,shown", [((0, 0), "(0, 0)"), ((0,), "(0,)"), ((2, 1, 0), "(2, 1, 0)"),
                                        ((0, 2), "(0, 2)")])
def test_bad_permute(dims, shown):
    with raises(ValueError, f"permute: expected an order of all 2 axes, got {shown}."):
        lucidnet.ones(2, 3).permute(*dims)


def test_bad_dimensions():
    x = lucidnet.ones(2, 3)
    for call, where, got in [(lambda: x.transpose(0, 2), "transpose", 2), (lambda: x.squeeze(3), "squeeze", 3),
                             (lambda: x.sum(dim=2), "sum", 2), (lambda: x.mean(-3), "mean", -3),
                             (lambda: x.var(dim=5), "var", 5), (lambda: x.max(dim=2), "max", 2),
                             (lambda: x.min(axis=-5), "min", -5), (lambda: x.argmax(dim=2), "argmax", 2),
                             (lambda: x.logsumexp(2), "logsumexp", 2), (lambda: x.amax(dim=(0, 4)), "amax", 4),
                             (lambda: lucidnet.softmax(x, dim=2), "softmax", 2),
                             (lambda: lucidnet.log_softmax(x, dim=-3), "log_softmax", -3),
                             (lambda: x.flatten(0, 3), "flatten", 3)]:
        with raises(IndexError, f"{where}: expected a dimension in [-2, 1], got {got}."):
            call()
    with raises(IndexError, "unsqueeze: expected a dimension in [-3, 2], got 4."):
        x.unsqueeze(4)
    with raises(TypeError, "sum: got both axis=0 and dim=1; pass one of them."):
        x.sum(dim=1, axis=0)


def test_expand_errors():
    with raises(ValueError, "expand: cannot expand shape (2, 3) to (4, 3): only size-1 axes can grow."):
        lucidnet.ones(2, 3).expand(4, 3)
    with raises(ValueError, "expand: expected at least 2 sizes for a tensor of shape (2, 3), got (3,)."):
        lucidnet.ones(2, 3).expand(3)


def test_split_chunk_pad_clamp_errors():
    x = lucidnet.ones(4, 3)
    with raises(ValueError, "split: expected sizes that add up to 4 (the size of dim 0), got [1, 2]."):
        x.split([1, 2])
    with raises(ValueError, "split: expected a positive piece size, got 0."):
        x.split(0)
    with raises(ValueError, "chunk: expected a positive number of chunks, got 0."):
        x.chunk(0)
    with raises(ValueError, "pad: expected an even number of pads, at most 2 per axis of a 2-d tensor, got (1,)."):
        lucidnet.pad(x, (1,))
    with raises(ValueError, "pad: expected non-negative pads, got [(0, 0), (-1, 0)]."):
        lucidnet.pad(x, (-1, 0))
    with raises(ValueError, "pad: expected mode='constant', got 'reflect'."):
        lucidnet.pad(x, (1, 1), mode="reflect")
    with raises(ValueError, "clamp(): expected at least one of min and max, got neither."):
        x.clamp()


# ------------------------------------------------------------------------------------------- autograd

def test_backward_on_a_non_scalar_without_a_gradient():
    y = lucidnet.ones(32, 10, requires_grad=True) * 2
    with raises(RuntimeError, "backward(): needs a scalar output or an explicit gradient; this tensor has shape "
                              "(32, 10)."):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    y = lucidnet.ones(2, requires_grad=True) * 2
    with raises(ValueError, "backward(): expected a gradient of shape (2,), got (3,)."):
        y.backward(lucidnet.ones(3))


def test_backward_on_a_tensor_without_grad():
    with raises(RuntimeError, "backward(): this tensor does not require grad and has no grad_fn; create its inputs "
                              "with requires_grad=True."):
        lucidnet.tensor([1.0, 2.0]).sum().backward()


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
def test_requires_grad_on_integer_tensors(dtype):
    with raises(RuntimeError, f"requires_grad: only floating point tensors can require gradients, got dtype "
                              f"{dtype}."):
        lucidnet.zeros(2, dtype=dtype, requires_grad=True)
    with raises(RuntimeError, f"requires_grad: only floating point tensors can require gradients, got dtype "
                              f"{dtype}."):
        lucidnet.zeros(2, dtype=dtype).requires_grad_()


# ------------------------------------------------------------------------------------------- dtypes

NAMES = ("['bool', 'double', 'float', 'float16', 'float32', 'float64', 'half', 'int', 'int16', 'int32', 'int64', "
         "'int8', 'long', 'short', 'uint8']")


@pytest.mark.parametrize("bad,shown", [("float33", "'float33'"), ("torch.cfloat", "'torch.cfloat'"),
                                       ("Float32", "'Float32'"), ("float128", "'float128'")])
def test_unknown_dtype_strings(bad, shown):
    with raises(TypeError, f"dtype: expected one of {NAMES}, got {shown}."):
        lucidnet.zeros(2, dtype=bad)
    with raises(TypeError, f"dtype: expected one of {NAMES}, got {shown}."):
        lucidnet.tensor([1.0]).to(bad)


@pytest.mark.parametrize("bad,shown", [(object, "object"), (np.complex64, "complex64"), (np.uint16, "uint16"),
                                       (np.datetime64, "datetime64")])
def test_unsupported_dtype_objects(bad, shown):
    with raises(TypeError, f"dtype: expected one of {NAMES}, got {shown}."):
        lucidnet.tensor([1.0], dtype=bad)


def test_dtype_of_the_wrong_type():
    with raises(TypeError, "dtype: expected a dtype such as lucidnet.float32, got 3."):
        lucidnet.ones(2, dtype=3)
    with raises(TypeError, "set_default_dtype(): expected a floating dtype, got int64."):
        lucidnet.set_default_dtype(lucidnet.int64)


# ------------------------------------------------------------------------------------------- values

def test_item_on_many_elements():
    with raises(ValueError, "item(): expected a tensor with one element, got shape (2, 3)."):
        lucidnet.ones(2, 3).item()
    with raises(ValueError, "item(): expected a tensor with one element, got shape (0,)."):
        lucidnet.zeros(0).item()


def test_truth_value_of_many_elements():
    with raises(RuntimeError, "bool(): the truth value of a tensor with 6 elements is ambiguous; use .any() or "
                              ".all()."):
        bool(lucidnet.ones(2, 3))
    with raises(RuntimeError, "bool(): the truth value of a tensor with 2 elements is ambiguous; use .any() or "
                              ".all()."):
        if lucidnet.ones(2) > 0:
            pass


def test_float_tensor_as_an_index():
    with raises(TypeError, "index: expected an integer tensor with a single element, got dtype float32 and "
                           "shape ()."):
        [1, 2, 3][lucidnet.tensor(1.0)]


def test_tensor_from_bad_data():
    with raises(TypeError, "tensor(): expected numbers, a nested list of numbers or an array, got str of dtype "
                           "<U3."):
        lucidnet.tensor("abc")
    with raises(TypeError, "tensor(): expected numbers, a nested list of numbers or an array, got NoneType of "
                           "dtype object."):
        lucidnet.tensor(None)
    with raises(ValueError, "tensor(): expected nested lists of equal lengths, got ragged data [[1, 2], [3]]."):
        lucidnet.tensor([[1, 2], [3]])
    with raises(TypeError, "Tensor(): expected data or integer sizes, got (1, 'a')."):
        lucidnet.Tensor(1, "a")
    with raises(TypeError, "from_numpy(): expected a numpy.ndarray, got list."):
        lucidnet.from_numpy([1, 2])


def test_creation_errors():
    with raises(ValueError, "zeros(): expected non-negative sizes, got (-1,)."):
        lucidnet.zeros(-1)
    with raises(TypeError, "ones(): expected sizes as integers, got (2.5,) (a float)."):
        lucidnet.ones(2.5)
    with raises(ValueError, "randint(): expected low < high, got low=5, high=2."):
        lucidnet.randint(5, 2, (3,))
    with raises(TypeError, "randint(): expected a size, e.g. randint(0, 10, (3,))."):
        lucidnet.randint(5)
    with raises(ValueError, "arange(): expected a nonzero step, got 0."):
        lucidnet.arange(0, 5, 0)
    with raises(TypeError, "generator: expected a lucidnet.Generator, a numpy Generator or an int seed, got str."):
        lucidnet.rand(2, generator="seed")


def test_device_other_than_cpu():
    with raises(RuntimeError, "to(): expected device 'cpu', got 'cuda'. lucidnet computes with NumPy on the CPU "
                              "(lucidnet.cuda.is_available() is False)."):
        lucidnet.ones(2).to("cuda")
    assert lucidnet.ones(2).to("cpu").device == lucidnet.device("cpu")


def test_cross_entropy_target_out_of_range():
    with raises(ValueError, "cross_entropy: expected target of shape (3,) with class ids in [0, 4), got a value of "
                            "5."):
        lucidnet.nn.functional.cross_entropy(lucidnet.ones(3, 4), lucidnet.tensor([0, 5, 1]))


def test_errors_are_raised_at_the_users_call():
    """The last frame of the traceback is lucidnet's boundary, not deep inside NumPy (and no NumPy error is
    chained to it)."""
    with pytest.raises(ValueError) as info:                 # (a bare try/except passed when nothing was raised)
        lucidnet.ones(2, 3) + lucidnet.ones(4, 3)
    e = info.value
    assert e.__cause__ is None and e.__suppress_context__                     # NumPy's error is not shown
    assert "/lucidnet/" in info.traceback[-1].path.as_posix()                 # raised by lucidnet, not NumPy
