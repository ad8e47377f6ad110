"""Devices as CPU-only PyTorch has them (issue 12, item 2): device objects, to()/cpu()/cuda(), device= arguments,
lucidnet.cuda / accelerator / backends queries, the default device; asking for a GPU is one clear error."""
import pytest
import torch

import lucidnet
from lucidnet import nn

GPU = "lucidnet computes with NumPy on the CPU (lucidnet.cuda.is_available() is False)."


@pytest.mark.parametrize("args", [("cpu",), ("cpu:0",), ("cpu", 0), ("cuda",), ("cuda:1",), ("cuda", 2), ("mps",),
                                  ("meta",)])
def test_device_objects_print_and_compare_as_pytorchs(args):
    ours, theirs = lucidnet.device(*args), torch.device(*args)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert (ours == lucidnet.device(*args)) and hash(ours) == hash(lucidnet.device(*args))
    assert (ours == str(ours)) == (theirs == str(theirs))              # False: a device is not its string
    assert lucidnet.device(ours) == ours


@pytest.mark.parametrize("bad", ["foo", "cuda:x", "cpu:-1"])
def test_unknown_device_strings_are_refused(bad):
    with pytest.raises(RuntimeError, match=r"device\(\): expected"):
        lucidnet.device(bad)
    with pytest.raises(RuntimeError):
        torch.device(bad)


def test_tensors_live_on_the_cpu():
    x = lucidnet.ones(2)
    assert x.device == lucidnet.device("cpu") and str(x.device) == "cpu" and repr(x.device) == "device(type='cpu')"
    assert not x.is_cuda and x.is_cpu and x.get_device() == -1
    assert x.cpu() is x and x.to("cpu") is x and x.to(lucidnet.device("cpu")) is x and x.to(x.device) is x
    assert x.to("cpu", lucidnet.float64).dtype == lucidnet.float64
    assert x.to(device="cpu", dtype=lucidnet.int64, non_blocking=True).dtype == lucidnet.int64
    assert x.to(lucidnet.zeros(1, dtype=lucidnet.float16)).dtype == lucidnet.float16
    assert x.to("cpu", copy=True) is not x


@pytest.mark.parametrize("call,where", [
    (lambda: lucidnet.ones(2).to("cuda"), "to()"), (lambda: lucidnet.ones(2).to(lucidnet.device("cuda", 0)), "to()"),
    (lambda: lucidnet.ones(2).cuda(), "cuda()"), (lambda: lucidnet.ones(2, device="cuda"), "ones()"),
    (lambda: lucidnet.zeros(2, device="mps"), "zeros()"), (lambda: lucidnet.tensor([1.0], device="cuda:0"), "tensor()"),
    (lambda: lucidnet.randn(2, device="cuda"), "randn()"), (lambda: lucidnet.arange(3, device="cuda"), "arange()"),
    (lambda: lucidnet.zeros_like(lucidnet.ones(1), device="cuda"), "zeros_like()"),
    (lambda: nn.Linear(2, 2).to("cuda"), "Linear.to()"), (lambda: nn.Linear(2, 2).cuda(), "Linear.cuda()"),
    (lambda: nn.Linear(2, 2, device="cuda"), "Linear()"), (lambda: nn.LayerNorm(2, device="cuda"), "LayerNorm()"),
    (lambda: lucidnet.set_default_device("cuda"), "set_default_device()"),
    (lambda: nn.RNN(2, 3, device="cuda"), "RNN()"), (lambda: nn.LSTM(2, 3, device="cuda:0"), "LSTM()"),
    (lambda: nn.GRU(2, 3, device="cuda"), "GRU()"), (lambda: nn.RNNCell(2, 3, device="cuda"), "RNNCell()"),
    (lambda: nn.LSTMCell(2, 3, device="mps"), "LSTMCell()"), (lambda: nn.GRUCell(2, 3, device="cuda"), "GRUCell()"),
    (lambda: nn.Embedding(4, 2, device="cuda"), "Embedding()"),
    (lambda: nn.BatchNorm1d(2, device="cuda"), "BatchNorm1d()"),
    (lambda: nn.MultiheadAttention(4, 2, device="cuda"), "MultiheadAttention()"),
    (lambda: nn.TransformerEncoderLayer(4, 2, 8, device="cuda"), "TransformerEncoderLayer()"),
    (lambda: nn.TransformerDecoderLayer(4, 2, 8, device="cuda"), "TransformerDecoderLayer()"),
    (lambda: nn.Transformer(4, 2, 1, 1, 8, device="cuda"), "Transformer()"),
    (lambda: lucidnet.Generator(device="cuda"), "Generator()"),
])
def test_asking_for_a_gpu_is_one_clear_error(call, where):
    with pytest.raises(RuntimeError) as e:
        call()
    assert str(e.value).startswith(f"{where}: expected device 'cpu', got '") and str(e.value).endswith(GPU)


def test_device_arguments_take_every_spelling_of_the_cpu():
    for dev in [None, "cpu", "cpu:0", lucidnet.device("cpu")]:
        assert lucidnet.zeros(2, device=dev).device == lucidnet.device("cpu")
        assert nn.Linear(2, 3, device=dev).to(dev).weight.device == lucidnet.device("cpu")


LAYERS = {  # every layer with PyTorch's factory keywords (device=, dtype=)
    "Linear": lambda **k: nn.Linear(2, 3, **k), "Embedding": lambda **k: nn.Embedding(4, 2, **k),
    "BatchNorm1d": lambda **k: nn.BatchNorm1d(2, **k), "LayerNorm": lambda **k: nn.LayerNorm(2, **k),
    "RNN": lambda **k: nn.RNN(2, 3, num_layers=2, bidirectional=True, **k),
    "LSTM": lambda **k: nn.LSTM(2, 4, proj_size=3, **k), "GRU": lambda **k: nn.GRU(2, 3, **k),
    "RNNCell": lambda **k: nn.RNNCell(2, 3, **k), "LSTMCell": lambda **k: nn.LSTMCell(2, 3, **k),
    "GRUCell": lambda **k: nn.GRUCell(2, 3, **k), "MultiheadAttention": lambda **k: nn.MultiheadAttention(4, 2, **k),
    "TransformerEncoderLayer": lambda **k: nn.TransformerEncoderLayer(4, 2, 8, **k),
    "TransformerDecoderLayer": lambda **k: nn.TransformerDecoderLayer(4, 2, 8, **k),
    "Transformer": lambda **k: nn.Transformer(4, 2, 1, 1, 8, **k),
    "Conv1d": lambda **k: nn.Conv1d(2, 3, 3, **k), "Conv2d": lambda **k: nn.Conv2d(2, 3, 3, **k),
    "ConvTranspose2d": lambda **k: nn.ConvTranspose2d(2, 3, 3, **k), "BatchNorm2d": lambda **k: nn.BatchNorm2d(2, **k),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layers_take_device_and_dtype_as_pytorch(name):
    for dev in ["cpu", lucidnet.device("cpu"), None]:
        layer = LAYERS[name](device=dev, dtype=lucidnet.float64)
        tensors = list(layer.parameters()) + [b for b in layer.buffers() if b.dtype.is_floating_point]
        assert tensors and all(t.dtype == lucidnet.float64 and t.device == lucidnet.device("cpu") for t in tensors)
    assert all(p.dtype == lucidnet.float32 for p in LAYERS[name]().parameters())
    with pytest.raises(TypeError, match=rf"^{name}\(\): expected a floating point dtype for the parameters, got "
                                        rf"int64\.$"):
        LAYERS[name](dtype=lucidnet.int64)


def test_cuda_queries_answer_as_cpu_only_pytorch():
    for name in ["is_available", "device_count", "is_initialized", "is_bf16_supported", "memory_allocated",
                 "max_memory_allocated", "memory_reserved", "empty_cache"]:
        assert getattr(lucidnet.cuda, name)() == getattr(torch.cuda, name)(), name
    for name in ["manual_seed", "manual_seed_all"]:
        assert getattr(lucidnet.cuda, name)(0) is None
    for name in ["current_device", "get_device_name", "synchronize"]:
        with pytest.raises(RuntimeError, match=f"lucidnet.cuda.{name}\\(\\): there is no CUDA device"):
            getattr(lucidnet.cuda, name)()
        with pytest.raises(Exception):
            getattr(torch.cuda, name)()


def test_accelerator_and_backends_answer_as_cpu_only_pytorch():
    assert lucidnet.accelerator.is_available() is torch.accelerator.is_available() is False
    assert lucidnet.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert lucidnet.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert lucidnet.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert lucidnet.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert lucidnet.backends.cudnn.is_available() is False
    lucidnet.backends.cudnn.benchmark = True                 # scripts set these switches; they change nothing
    lucidnet.backends.cudnn.benchmark = False
    assert lucidnet.backends.cuda.matmul.allow_tf32 is False


def test_default_device_is_the_cpu_and_can_be_set_to_it():
    assert lucidnet.get_default_device() == lucidnet.device("cpu") and str(torch.get_default_device()) == "cpu"
    lucidnet.set_default_device("cpu")
    lucidnet.set_default_device(None)
    with lucidnet.device("cpu"):
        assert lucidnet.ones(1).device == lucidnet.device("cpu")
    assert lucidnet.get_default_device() == lucidnet.device("cpu")


def test_the_tutorials_device_idiom_runs():
    import torch as real
    for t in (lucidnet, real):
        device = t.device("cuda" if t.cuda.is_available() else "mps" if t.backends.mps.is_available() else "cpu")
        model = t.nn.Sequential(t.nn.Linear(4, 3), t.nn.ReLU()).to(device)
        x = t.ones(2, 4).to(device)
        assert tuple(model(x).shape) == (2, 3) and str(device) == "cpu"
        accelerator = t.accelerator.current_accelerator().type if t.accelerator.is_available() else "cpu"
        assert accelerator == "cpu"
