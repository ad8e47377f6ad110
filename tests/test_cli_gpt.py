"""``lucidnet train --model gpt`` and ``lucidnet generate``, in-process: a tiny GPT on a text file, the files it
writes, a resumed run equal to an uninterrupted one, streaming generation (seeded, with and without the cache),
evaluate on a GPT file, and every bad input as its one-line error."""
import json
import urllib.error

import numpy as np
import pytest

import lucidnet
from lucidnet.cli.recipes import gpt as gpt_recipe
from lucidnet.data import datasets
from lucidnet.models import GPT

from test_cli import ok, run

TINY = ["--n-embd", "16", "--n-layer", "1", "--n-head", "2", "--block-size", "16", "--batch-size", "4",
        "--eval-interval", "5", "--no-plots"]
VERSE = ("Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n"
         "Rough winds do shake the darling buds of May,\nAnd summer's lease hath all too short a date.\n")


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr(datasets, "_urlopen", refuse)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LUCIDNET_DATA", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "sonnet.txt"
    path.write_text(VERSE * 12, encoding="utf-8")
    return str(path)


def error(capsys, *argv, rc=1):
    code, out, err = run(capsys, *argv)
    assert code == rc, (out, err)
    assert err.startswith("lucidnet: error: ") and err.count("\n") == 1, err
    return err[len("lucidnet: error: "):].rstrip("\n")


def test_train_writes_a_gpt_with_its_tokenizer(capsys, text):
    out = ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "2", *TINY)
    assert out.startswith("lucidnet train: sonnet.txt (")
    assert "10 iterations as 2 epochs of 5" in out and "Validation loss " in out
    model = lucidnet.load("runs/text-gpt/model.safetensors")
    gpt = model.module
    assert isinstance(gpt, GPT) and gpt.tokenizer.chars == "".join(sorted(set(VERSE)))
    assert gpt.config.n_embd == 16 and gpt.transformer.wte.weight is gpt.lm_head.weight
    history = json.load(open("runs/text-gpt/history.json"))
    assert len(history["loss"]) == len(history["val_loss"]) == 2 and history["loss"][1] < history["loss"][0]
    assert 0 < history["lr"][1] < history["lr"][0] <= 1e-3           # warmup, then the cosine down


def test_a_resumed_run_equals_an_uninterrupted_one(capsys, text, monkeypatch):
    straight = ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "4", "--out", "straight", *TINY)
    assert "4 epochs" in straight

    def stop_before_epoch_3(self, epoch, logs=None):
        if epoch == 2:
            raise KeyboardInterrupt
        self.epoch = epoch
    with monkeypatch.context() as m:
        m.setattr(gpt_recipe.WarmupCosine, "on_epoch_begin", stop_before_epoch_3)
        assert run(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "4", "--out", "cut", *TINY)[0] == 130
    out = ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "4", "--out", "cut", "--resume", *TINY)
    assert "resumed after epoch 2" in out
    a, b = (lucidnet.load(f"{d}/model.safetensors").state_dict() for d in ("straight", "cut"))
    for key in a:
        np.testing.assert_array_equal(a[key].array, b[key].array, err_msg=key)
    assert json.load(open("straight/history.json")) == json.load(open("cut/history.json"))


def test_generate_streams_seeded_text(capsys, text):
    ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "1", *TINY)
    path = "runs/text-gpt/model.safetensors"
    first = ok(capsys, "generate", path, "--prompt", "Thou", "--max-new-tokens", "40", "--seed", "3", "--top-k", "5")
    assert first.startswith("Thou") and len(first) == len("Thou") + 40 + 1 and first.endswith("\n")
    assert set(first) <= set(VERSE)
    again = ok(capsys, "generate", path, "--prompt", "Thou", "--max-new-tokens", "40", "--seed", "3", "--top-k", "5",
               "--no-cache")
    assert again == first
    greedy = ok(capsys, "generate", path, "--prompt", "T", "--max-new-tokens", "20", "--temperature", "0")
    assert greedy == ok(capsys, "generate", path, "--prompt", "T", "--max-new-tokens", "20", "--temperature", "0",
                        "--top-p", "0.5")
    long_prompt = VERSE[:40]
    rc, out, err = run(capsys, "generate", path, "--prompt", long_prompt, "--max-new-tokens", "3", "--seed", "0")
    assert rc == 0 and out.startswith(long_prompt) and "the model sees the last 16" in err


def test_evaluate_gives_the_validation_loss_and_predict_points_to_generate(capsys, text):
    ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "1", *TINY)
    path = "runs/text-gpt/model.safetensors"
    out = ok(capsys, "evaluate", path, "--text", text)
    assert " - perplexity " in out and out.startswith(f"{path} on the ")
    assert error(capsys, "evaluate", path) == "--dataset text: expected a UTF-8 text file, got none; pass --text FILE."
    assert error(capsys, "predict", path, "x.png").startswith(f"{path}: expected a model that classifies files, got "
                                                               f"a GPT, which writes text: use lucidnet generate")


def test_bad_input(capsys, text, tmp_path):
    ok(capsys, "train", "--model", "gpt", "--text", text, "--epochs", "1", *TINY)
    path = "runs/text-gpt/model.safetensors"
    assert error(capsys, "generate", path, "--prompt", "Thou €x Zz") == (
        "--prompt: expected characters of the vocabulary (35 characters), got 'Z', 'x', 'z', '€' not in it. Use only "
        "characters the model was trained on.")
    assert error(capsys, "generate", path, "--prompt", "") == "--prompt: expected at least one character, got ''."
    assert "expected a number >= 0, got '-1'" in error(capsys, "generate", path, "--temperature", "-1", rc=2)
    assert "expected a probability in (0, 1], got '0'" in error(capsys, "generate", path, "--top-p", "0", rc=2)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert error(capsys, "train", "--model", "gpt", "--text", "empty.txt") == (
        "read_text('empty.txt'): expected some text, got an empty file.")
    (tmp_path / "tiny.txt").write_text("to be")
    assert error(capsys, "train", "--model", "gpt", "--text", "tiny.txt").startswith(
        "tiny.txt: expected a text of more than 65 characters in each of its 90% training and 10% validation parts "
        "(block size 64), got 4 and 1.")
    assert error(capsys, "train", "--model", "gpt", "--text", text, "--n-head", "3") == (
        "--n-embd: expected a multiple of --n-head, got n_embd=128 and n_head=3.")
    assert error(capsys, "train", "--model", "gpt", "--text", text, "--resume", "--out", "nothing").startswith(
        "--resume: expected a checkpoint at nothing/model.safetensors, got none")
    assert error(capsys, "train", "--model", "gpt", "--text", text, "--dataset", "shakespeare") == (
        "--text: expected --dataset text, got --dataset tiny-shakespeare (it does not take --text).")
    assert error(capsys, "train", "--model", "gpt", "--text", text, "--dataset", "spiral").startswith(
        "--model gpt: expected a language-modeling dataset, got spiral (a classification).")
    assert error(capsys, "train", "--model", "mlp", "--text", text).startswith(
        "--model mlp: expected a classification or regression dataset, got text (a language-modeling). Use --model "
        "gpt.")
    assert error(capsys, "train", "--model", "gpt", "--dataset", "moons").startswith(
        "--model gpt: expected a language-modeling dataset, got moons")
    assert error(capsys, "train", "--model", "gpt", "--text", text, "--optimizer", "sgd").startswith(
        "--optimizer: expected --model mlp, linear, cnn or cnn-bn, got --model gpt")
    assert error(capsys, "train", "--model", "mlp", "--dataset", "spiral", "--n-layer", "2").startswith(
        "--n-layer: expected --model gpt, got --model mlp")
    assert error(capsys, "train", "--model", "gpt", "--text", "missing.txt") == (
        "read_text('missing.txt'): expected a text file, got a path that does not exist.")
    ok(capsys, "train", "--dataset", "spiral", "--epochs", "1", "--no-plots", "--quiet")
    assert error(capsys, "generate", "runs/spiral-mlp/model.safetensors") == (
        "runs/spiral-mlp/model.safetensors: expected a GPT (saved by lucidnet train --model gpt), got Sequential.")


def test_gpt_trains_on_tiny_shakespeare_by_default(capsys):
    """Offline with nothing cached: the default dataset is tiny Shakespeare, and its error says where it looked."""
    message = error(capsys, "train", "--model", "gpt")
    assert message.startswith("tiny_shakespeare(): not found in ") and "network disabled in tests" in message
