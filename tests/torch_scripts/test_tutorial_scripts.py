"""PyTorch's own tutorial scripts, unmodified, run through lucidnet's runner (``import torch`` resolved to lucidnet)
and compared line by line with what they print under real PyTorch (recorded in expected/, see record.py).

Each script has a spec: how many of its printed lines to compare (a long training loop is cut after its first
lines, never edited), which lines must agree in value and which only in structure (anything drawn from a random
generator, since lucidnet's generator is not PyTorch's), and the torch names it needs. A script whose needed
names lucidnet lacks is an expected failure naming them; once they exist the script must pass.

``LUCIDNET_SCRIPT_LINES=all`` compares every line of every script (full runs: minutes); ``=N`` caps at N lines.
Adding a tutorial: put the file in tutorials/, record it (``python tests/torch_scripts/record.py NAME``), note its
source in README.md and add a spec below.
"""
import dataclasses
import os
import pathlib

import pytest

import lucidnet

from torch_scripts.compare import differences, losses
from torch_scripts.driver import run

HERE = pathlib.Path(__file__).parent
GRAD_FN = (r"grad_fn=<\w+>", "grad_fn=<?>")   # a mask: node names that depend on PyTorch's backend
# Masks for two deliberate differences: lucidnet's module repr ends lines with parameter counts as comments
# ("Sequential(  # 236 parameters"), and its graph has other nodes than PyTorch's where an op is fused or
# composed differently (Linear is one LinearBackward node, PyTorch's AddmmBackward0; MSELoss is composed).
COUNTS = (r"  # [\d,]+( parameters)?$", "")
NODE = (r"<(\w+Backward\d*|AccumulateGrad) object at 0x[^>]*>", "<node>")   # (addresses are masked to 0x? first)


def _node_names_as_pytorch():
    """grad_fn printed as PyTorch prints it: <MulBackward0 object at 0x...>."""
    node = (lucidnet.ones(1, requires_grad=True) * 2).grad_fn
    return repr(node).startswith("<MulBackward0")


NODE_NAMES = ("grad_fn printed as PyTorch's (MulBackward0)", _node_names_as_pytorch)


@dataclasses.dataclass
class Spec:
    lines: int = 0                  # compare the first `lines` printed lines (0: all); the run stops there too
    random: tuple = ((1, None),)    # (first, last) line ranges, from 1, last None = to the end, that print
    #                                 random draws: compared by structure only; the other lines by value
    rtol: float = 1e-4              # for the lines compared by value
    masks: tuple = ()               # (regex, replacement) applied to both outputs before comparing
    needs: tuple = ()               # torch names the script uses that lucidnet may lack ("nn.Conv2d",
    #                                 "Tensor.new_ones"), or (what, check) pairs for behaviour (NODE_NAMES)
    trains: bool = False            # prints `step loss` lines: the loss must go down under lucidnet too


SPECS = {
    # deterministic: fixed initial weights, no random draw; float32 sums in another order
    "polynomial_custom_function": Spec(lines=5, random=(), rtol=1e-4, trains=True,
                                       needs=("autograd.Function", "device")),
    # random initial weights: the same lines and a falling loss
    "polynomial_tensor": Spec(lines=5, trains=True, needs=("device",)),
    "polynomial_autograd": Spec(lines=5, trains=True, needs=("cuda.is_available", "set_default_device")),
    "polynomial_nn": Spec(lines=5, trains=True),
    "polynomial_optim": Spec(lines=5, trains=True),
    "polynomial_module": Spec(lines=5, trains=True),
    "dynamic_net": Spec(lines=1, trains=True),
    "tensor_tutorial": Spec(needs=("Tensor.new_ones", "randn_like", "add", "from_numpy", "Tensor.view",
                                   "cuda.is_available", "Size")),
    # the first nine lines are exact (ones, +2, *3, mean, gradient 4.5); then x = randn(3)
    "autograd_tutorial": Spec(random=((10, None),),
                              needs=("autograd.Variable", "FloatTensor", "Tensor.norm", NODE_NAMES)),
    "neural_networks_tutorial": Spec(masks=(COUNTS, NODE, GRAD_FN), needs=("nn.Conv2d", "nn.functional.max_pool2d",
                                                                           "flatten", "Size", NODE_NAMES)),
    # LSTM's grad_fn is a backend detail in PyTorch (MkldnnRnnLayerBackward0 on this CPU build)
    "sequence_models_tutorial": Spec(masks=(GRAD_FN,), needs=("autograd.Variable", "LongTensor", "Tensor.view")),
    "word_embeddings_tutorial": Spec(needs=(NODE_NAMES,)),
    # w and b are random (the first 8 lines); then requires_grad flags and the exact Jacobian products
    "autogradqs_tutorial": Spec(random=((1, 8),), needs=(NODE_NAMES,)),
}


def _missing(needs):
    """The needed torch names that lucidnet does not have (``Tensor.x`` looks on the Tensor class)."""
    gone = []
    for name in needs:
        if isinstance(name, tuple):
            what, check = name
            if not check():
                gone.append(what)
            continue
        obj = lucidnet.Tensor if name.startswith("Tensor.") else lucidnet
        for part in name.split(".")[1 if name.startswith("Tensor.") else 0:]:
            obj = getattr(obj, part, None)
        if obj is None:
            gone.append(f"torch.{name}")
    return gone


def _line_limit(spec):
    setting = os.environ.get("LUCIDNET_SCRIPT_LINES", "")
    if setting == "all":
        return 0
    if setting:
        return min(int(setting), spec.lines) if spec.lines else int(setting)
    return spec.lines


def test_every_vendored_script_has_a_spec_and_a_recording():
    names = {p.stem for p in (HERE / "tutorials").glob("*.py")}
    assert names == set(SPECS)
    assert names == {p.stem for p in (HERE / "expected").glob("*.txt")}


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")  # the scripts' docstrings
@pytest.mark.parametrize("name", sorted(SPECS))
def test_script_prints_what_pytorch_prints(name):
    spec = SPECS[name]
    missing = _missing(spec.needs)
    if missing:
        pytest.xfail(f"lucidnet lacks {', '.join(missing)}")        # and passes once it has them
    limit = _line_limit(spec)
    ours, error = run("lucidnet", HERE / "tutorials" / f"{name}.py", max_lines=limit)
    if error is not None:
        raise AssertionError(f"{name}.py stopped under lucidnet after {len(ours.splitlines())} lines:\n{ours}") \
            from error
    theirs = (HERE / "expected" / f"{name}.txt").read_text()
    if limit:
        theirs = "".join(theirs.splitlines(keepends=True)[:limit])
    random = [i for first, last in spec.random for i in range(first, (last or len(theirs.splitlines())) + 1)]
    found = differences(ours, theirs, "values", rtol=spec.rtol, masks=spec.masks, structure_lines=set(random))
    assert not found, f"{name}.py:\n" + "\n".join(found)
    if spec.trains and len(losses(ours)) > 1:
        assert losses(ours)[-1] < losses(ours)[0], f"{name}.py: the loss did not go down: {losses(ours)}"


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
def test_pytorch_prints_what_was_recorded():
    """The recordings are PyTorch's output: rerun the cheapest deterministic script under real torch."""
    pytest.importorskip("torch")
    out, error = run("torch", HERE / "tutorials" / "polynomial_custom_function.py", max_lines=2)
    assert error is None
    expected = "".join((HERE / "expected" / "polynomial_custom_function.txt").read_text().splitlines(True)[:2])
    assert differences(out, expected, "values", rtol=1e-6) == []
