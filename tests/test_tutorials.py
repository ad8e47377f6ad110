"""Every tutorial in docs/tutorials runs to its final check, with the small settings CI uses
(LUCIDNET_QUICK=1), in this process (imports are shared, so the whole set costs seconds). A tutorial is a
jupytext percent script: plain Python that ends in asserts of its point."""
import os
import pathlib
import runpy

import pytest

from lucidnet import autograd

TUTORIALS = sorted((pathlib.Path(__file__).parent.parent / "docs" / "tutorials").glob("[0-9][0-9]_*.py"))


def test_the_tutorials_are_there():
    assert len(TUTORIALS) >= 16
    names = [p.name[3:] for p in TUTORIALS]
    assert [p.name[:2] for p in TUTORIALS] == [f"{i:02d}" for i in range(1, len(TUTORIALS) + 1)], names


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs_to_its_check(path, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LUCIDNET_QUICK", "1")
    monkeypatch.chdir(tmp_path)                      # anything a tutorial writes lands here
    registered = dict(autograd.PRIMITIVES)
    try:
        runpy.run_path(os.fspath(path), run_name="__main__")
    finally:                                         # a tutorial's own ops leave the registry as it was
        autograd.PRIMITIVES.clear()
        autograd.PRIMITIVES.update(registered)
    text = path.read_text()
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n#     formats: py:percent"), "not a jupytext script"
    assert "# %% [markdown]\n# ## Check" in text and "assert " in text.split("# ## Check")[-1], \
        "a tutorial ends in a check of its point"
