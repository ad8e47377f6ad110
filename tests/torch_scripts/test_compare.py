"""The harness itself: the output comparison and the line limit that shortens a script's run."""
import textwrap

from torch_scripts.compare import differences, losses, normalize, split_numbers
from torch_scripts.driver import run


def test_numbers_are_found_outside_identifiers():
    text, numbers = split_numbers("99 209.95 tensor([-1.5e-03, 2.]) AddBackward0 float64 nan")
    assert text == "# # tensor([#, #]) AddBackward0 float64 #"
    assert numbers[:4] == [99.0, 209.95, -1.5e-03, 2.0]


def test_padding_and_addresses_are_ignored():
    assert normalize("tensor([[ 1.0000, -2.0000],") == normalize("tensor([[1.0000, -2.0000],")
    assert normalize("<AddBackward0 object at 0x7f8db8d542e0>") == "<AddBackward0 object at 0x?>"


def test_values_mode_allows_last_digit_differences_only():
    assert differences("99 209.95834\n", "99 209.95836\n", "values") == []
    assert differences("99 209.9\n", "99 210.9\n", "values") != []
    assert differences("tensor([1.])\n", "tensor([1.], dtype=torch.float64)\n", "values") != []


def test_structure_mode_masks_numbers_but_not_words_or_line_counts():
    assert differences("tensor([0.1, -3.2])\n", "tensor([2.5, 7.0])\n", "structure") == []
    assert differences("tensor([0.1])\n", "tensor([0.1, 0.2])\n", "structure") != []
    assert differences("a\nb\n", "a\n", "structure") == ["2 lines printed, PyTorch printed 1"]
    masks = ((r"grad_fn=<\w+>", "grad_fn=<?>"),)
    assert differences("grad_fn=<GetitemBackward>", "grad_fn=<MkldnnRnnLayerBackward0>", "structure", masks=masks) == []


def test_losses_read_the_step_loss_lines():
    assert losses("Using cpu\n99 12.5\n199 3.25\nResult: y = 1\n") == [12.5, 3.25]


def test_run_stops_a_script_after_its_first_lines(tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(textwrap.dedent("""
        import torch
        for t in range(10 ** 9):
            print(t, torch.ones(2).sum().item(), end="\\n" if t % 2 else " | ")
    """))
    out, error = run("lucidnet", script, max_lines=3)
    assert error is None and out == "0 2.0 | 1 2.0\n2 2.0 | 3 2.0\n4 2.0 | 5 2.0\n"


def test_run_reports_the_error_that_stopped_a_script(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import torch\nprint('before')\ntorch.nn.NoSuchLayer()\n")
    out, error = run("lucidnet", script)
    assert out == "before\n" and "lucidnet does not provide torch.nn.NoSuchLayer" in str(error)


def test_structure_lines_relax_only_the_lines_named():
    ours, theirs = "w 0.3\nexact 4.0\n", "w 0.7\nexact 4.0\n"
    assert differences(ours, theirs, "values", structure_lines={1}) == []
    assert differences(ours.replace("4.0", "5.0"), theirs, "values", structure_lines={1}) != []
