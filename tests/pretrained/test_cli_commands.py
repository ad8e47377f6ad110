"""``lucidnet embed`` and ``lucidnet search`` on all-MiniLM-L6-v2, in-process: the vectors printed and written
equal encode()'s, search ranks by meaning with line numbers, and every bad input is one line."""
import os
import re

import numpy as np
import pytest

from lucidnet import cli


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


CORPUS = ["First Citizen:", "", "A man is eating food.", "A monkey is playing drums.", "   ",
          "The girl is carrying a baby.", "A man is riding a white horse."]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    return str(path)


def test_embed_prints_one_vector_per_sentence(capsys, minilm_dir, encoder):
    rc, out, err = run(capsys, "embed", minilm_dir, "A man is eating food.", "Someone eats a meal.")
    assert rc == 0, err
    rows = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
    np.testing.assert_allclose(rows, encoder.encode(["A man is eating food.", "Someone eats a meal."]),
                               rtol=1e-5, atol=1e-7)


def test_embed_writes_npy(capsys, minilm_dir, encoder, corpus):
    rc, out, err = run(capsys, "embed", minilm_dir, "extra sentence", "--file", corpus, "--out", "emb.npy",
                       "--no-normalize", "--batch-size", "2")
    assert rc == 0 and out == "" and err == "wrote emb.npy: 6 x 384 float32\n"
    texts = ["extra sentence"] + [line.strip() for line in CORPUS if line.strip()]
    np.testing.assert_allclose(np.load("emb.npy"), encoder.encode(texts, normalize=False), atol=1e-6)
    assert sorted(os.listdir(".")) == ["corpus.txt", "emb.npy"]       # no temporary file left


def test_search_ranks_lines_by_meaning(capsys, minilm_dir, corpus):
    rc, out, err = run(capsys, "search", minilm_dir, "--corpus", corpus, "--query", "Someone eats a meal.",
                       "--query", "a drummer", "--top-k", "2", "--save-embeddings", "corpus.npy")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "query: Someone eats a meal."
    assert lines[1].startswith("  1. ") and lines[1].endswith("line 3: A man is eating food.")
    assert lines[3] == "query: a drummer" and lines[4].endswith("line 4: A monkey is playing drums.")
    assert len(lines) == 6 and np.load("corpus.npy").shape == (5, 384)
    scores = [float(line.split()[1]) for line in lines if line.startswith("  ")]
    assert scores[0] >= scores[1] and scores[2] >= scores[3]


def test_search_limit_and_top_k_beyond_the_corpus(capsys, minilm_dir, corpus):
    rc, out, err = run(capsys, "search", minilm_dir, "--corpus", corpus, "--query", "horse", "--limit", "2",
                       "--top-k", "10", "--quiet")
    assert rc == 0, err
    assert len(out.splitlines()) == 3                                  # the query and the 2 lines searched
    assert "line 1: First Citizen:" in out and "line 3: A man is eating food." in out


def test_help_lists_the_commands(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "embed" in out and "search" in out
    rc, out, _ = run(capsys, "search", "--help")
    assert rc == 0 and "--corpus FILE" in out and "--top-k K" in out


@pytest.mark.parametrize("argv, code, message", [
    (["embed", "no/such/dir", "hi"], 1,
     r"^lucidnet: error: SentenceEncoder.from_pretrained\('no/such/dir'\): expected a model directory or a Hugging "
     r"Face Hub id, got a path that does not exist\."),
    (["embed", "{model}"], 1, r"^lucidnet: error: embed: expected sentences to embed \(arguments or --file\), got "
                              r"none\.$"),
    (["embed", "{model}", "hi", "--out", "emb.txt"], 1, r"^lucidnet: error: --out: expected a .npy file name, got "
                                                        r"'emb.txt'\.$"),
    (["embed", "{model}", "hi", "--out", "missing/emb.npy"], 1,
     r"^lucidnet: error: --out missing/emb.npy: expected an existing directory to write into, got .*missing \(no "
     r"such directory\)\.$"),
    (["embed", "{model}", "--file", "nope.txt"], 1, r"^lucidnet: error: --file nope.txt: expected a readable UTF-8 "
                                                    r"text file, got .*No such file"),
    (["search", "{model}", "--corpus", "empty.txt", "--query", "x"], 1,
     r"^lucidnet: error: --corpus empty.txt: expected lines of text, got an empty file\.$"),
    (["search", "{model}", "--corpus", "empty.txt", "--query", " "], 1,
     r"^lucidnet: error: --corpus empty.txt: expected lines of text"),
    (["search", "{model}", "--corpus", "{corpus}", "--query", " "], 1,
     r"^lucidnet: error: --query: expected text to look for, got an empty query\.$"),
    (["search", "{model}", "--corpus", "{corpus}", "--query", "x", "--save-embeddings", "c.txt"], 1,
     r"^lucidnet: error: --save-embeddings: expected a .npy file name, got 'c.txt'\.$"),
    (["search", "{model}", "--corpus", "{corpus}", "--query", "x", "--top-k", "0"], 2,
     r"^lucidnet: error: argument --top-k: expected a positive integer, got '0'\.$"),
    (["search", "{model}", "--corpus", "{corpus}"], 2, r"^lucidnet: error: the following arguments are required: "
                                                       r"--query\.$"),
])
def test_errors_are_one_line(capsys, minilm_dir, corpus, argv, code, message):
    open("empty.txt", "w").close()
    rc, out, err = run(capsys, *[a.format(model=minilm_dir, corpus=corpus) for a in argv])
    assert rc == code and out == ""
    assert len(err.splitlines()) == 1 and re.match(message, err), err
