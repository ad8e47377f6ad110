"""Text data: the character tokenizer, windows of tokens, UTF-8 files, and tiny_shakespeare()'s search order,
checksum and download (from fake openers: never the network)."""
import hashlib
import io
import os
import re

import numpy as np
import pytest

import lucidnet
from lucidnet.data import CharTokenizer, DataLoader, TokenWindows, datasets, read_text, text, tiny_shakespeare


def raises(kind, message):
    return pytest.raises(kind, match="^" + re.escape(message))


# ------------------------------------------------------------------------------------------ CharTokenizer

def test_tokenizer_round_trips_any_unicode():
    s = "Héllo, wörld! 你好 🙂\n\ttabs"
    tok = CharTokenizer.from_text(s)
    assert tok.chars == "".join(sorted(set(s))) and tok.vocab_size == len(set(s))
    ids = tok.encode(s)
    assert ids.dtype == np.int64 and len(ids) == len(s)
    assert tok.decode(ids) == s
    assert tok.decode(lucidnet.tensor(ids)) == s and tok.decode(ids.tolist()) == s and tok.decode([]) == ""
    assert CharTokenizer.from_config(tok.get_config()).encode(s).tolist() == ids.tolist()


def test_tokenizer_names_unknown_characters():
    tok = CharTokenizer("abc ")
    with raises(ValueError, "CharTokenizer.encode: expected characters of the vocabulary (4 characters), got 'X', "
                            "'é', '🙂' not in it."):
        tok.encode("a cab X é 🙂 X")
    with raises(ValueError, "CharTokenizer.decode: expected ids in [0, 4), got 7."):
        tok.decode([0, 7])
    with raises(TypeError, "CharTokenizer.decode: expected integer ids, got dtype float64."):
        tok.decode(np.array([0.0, 1.0]))
    with raises(ValueError, "CharTokenizer: expected distinct characters, got 'a' more than once."):
        CharTokenizer("aba")
    with raises(ValueError, "CharTokenizer.from_text: expected a non-empty text, got ''."):
        CharTokenizer.from_text("")
    with raises(ValueError, "CharTokenizer.from_config: expected {'type': 'char', 'chars': '...'}"):
        CharTokenizer.from_config({"type": "bpe"})


def test_tokenizer_encodes_a_megabyte_with_numpy():
    s = ("To be, or not to be, that is the question:\n" * 25000)
    tok = CharTokenizer.from_text(s)
    ids = tok.encode(s)
    assert len(ids) == len(s) and tok.decode(ids[:43]) == s[:43]


# ------------------------------------------------------------------------------------------ TokenWindows

def test_windows_are_inputs_and_next_tokens():
    tokens = np.arange(100) * 7
    w = TokenWindows(tokens, block_size=8)
    assert len(w) == 92
    x, y = w[5]
    np.testing.assert_array_equal(x, tokens[5:13])
    np.testing.assert_array_equal(y, tokens[6:14])
    starts = np.array([0, 91, 5, 5])
    xb, yb = w[starts]                                  # a batch: one fancy index, the same windows
    assert xb.shape == (4, 8)
    for row, s in enumerate(starts):
        np.testing.assert_array_equal(xb[row], w[int(s)][0])
        np.testing.assert_array_equal(yb[row], w[int(s)][1])


def test_sample_draws_reproducible_random_windows():
    w = TokenWindows(np.arange(1000), block_size=16)
    x1, y1 = w.sample(12, generator=3)
    x2, _ = w.sample(12, generator=3)
    assert x1.shape == (12, 16) and x1.dtype == lucidnet.int64
    np.testing.assert_array_equal(x1.array, x2.array)
    np.testing.assert_array_equal(y1.array, x1.array + 1)
    starts = np.concatenate([w.sample(12, generator=g)[0].array[:, 0] for g in range(50)])
    assert starts.min() >= 0 and starts.max() <= 1000 - 17 and len(set(starts.tolist())) > 400


def test_split_is_by_position_like_nanogpt():
    tokens = np.arange(1000)
    train, val = TokenWindows.split(tokens, block_size=8)
    np.testing.assert_array_equal(train.tokens, tokens[:900])
    np.testing.assert_array_equal(val.tokens, tokens[900:])
    train, val = TokenWindows.split(tokens, block_size=8, val_fraction=0.25)
    assert len(train.tokens) == 750


def test_windows_work_with_a_dataloader():
    loader = DataLoader(TokenWindows(np.arange(40), block_size=4), batch_size=8, shuffle=True, generator=0)
    xb, yb = next(iter(loader))
    assert xb.shape == (8, 4) and bool((yb.array == xb.array + 1).all())


def test_windows_bad_input():
    with raises(ValueError, "TokenWindows: expected more than block_size=64 tokens (one window of 65), got 50. Use "
                            "a longer text or a smaller block_size."):
        TokenWindows(np.arange(50), block_size=64)
    with raises(ValueError, "TokenWindows.split: expected more than block_size=64 tokens in the validation part "
                            "(0.1 of the text is for validation), got 30 of 300."):
        TokenWindows.split(np.arange(300), block_size=64)
    with raises(ValueError, "TokenWindows: expected a 1-d sequence of integer token ids, got shape (4, 5) of dtype "
                            "int64."):
        TokenWindows(np.zeros((4, 5), np.int64), block_size=2)
    with raises(ValueError, "TokenWindows: expected block_size to be a positive integer, got 0."):
        TokenWindows(np.arange(10), block_size=0)
    with raises(IndexError, "TokenWindows: expected window starts in [0, 6), got 6."):
        TokenWindows(np.arange(10), block_size=4)[np.array([0, 6])]


# ------------------------------------------------------------------------------------------ read_text

def test_read_text(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes("\ufeffÀ bientôt\n".encode("utf-8"))
    assert read_text(p) == "À bientôt\n"                   # a byte-order mark is dropped
    p.write_bytes(b"caf\xe9")
    with raises(ValueError, f"read_text({str(p)!r}): expected UTF-8 text, got byte 0xe9 at position 3 that is "
                            f"not UTF-8."):
        read_text(p)
    p.write_bytes(b"")
    with raises(ValueError, f"read_text({str(p)!r}): expected some text, got an empty file."):
        read_text(p)
    with raises(FileNotFoundError, f"read_text({str(tmp_path / 'nope.txt')!r}): expected a text file, got a path "
                                   f"that does not exist."):
        read_text(tmp_path / "nope.txt")


# ------------------------------------------------------------------------------------------ tiny_shakespeare

CORPUS = b"First Citizen:\nBefore we proceed any further, hear me speak.\n"


@pytest.fixture
def fake_corpus(monkeypatch, isolated):
    """The corpus's checksum swapped for that of a small stand-in text (the code under test is unchanged)."""
    monkeypatch.setattr(text, "TINY_SHAKESPEARE_SHA256", hashlib.sha256(CORPUS).hexdigest())
    return isolated


class _Response(io.BytesIO):
    headers = {"Content-Length": str(len(CORPUS))}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_finds_the_corpus_in_data_dir_then_env_then_cache(fake_corpus, monkeypatch):
    d = fake_corpus / "mine" / "tinyshakespeare"
    d.mkdir(parents=True)
    (d / "input.txt").write_bytes(CORPUS)
    assert tiny_shakespeare(fake_corpus / "mine", download=False) == CORPUS.decode()
    monkeypatch.setenv("LUCIDNET_DATA", str(fake_corpus / "mine"))
    assert tiny_shakespeare(download=False) == CORPUS.decode()


def test_downloads_verified_into_the_cache(fake_corpus, monkeypatch):
    urls = []
    monkeypatch.setattr(datasets, "_urlopen", lambda url, timeout: urls.append(url) or _Response(CORPUS))
    assert tiny_shakespeare(progress=False) == CORPUS.decode()
    cached = fake_corpus / "xdg-cache" / "lucidnet" / "tinyshakespeare" / "input.txt"
    assert cached.read_bytes() == CORPUS and urls == text._TINY_SHAKESPEARE_URLS
    monkeypatch.setattr(datasets, "_urlopen", None)      # the second call reads the cache
    assert tiny_shakespeare() == CORPUS.decode()


def test_a_corrupt_download_leaves_nothing_and_says_why(fake_corpus, monkeypatch):
    monkeypatch.setattr(datasets, "_urlopen", lambda url, timeout: _Response(CORPUS[:-1] + b"?"))
    with pytest.raises(FileNotFoundError, match="the download failed: .*checksum mismatch"):
        tiny_shakespeare(progress=False)
    assert not os.listdir(fake_corpus / "xdg-cache" / "lucidnet" / "tinyshakespeare")


def test_other_text_under_the_name_is_not_taken(fake_corpus):
    (fake_corpus / "other").mkdir()
    (fake_corpus / "other" / "input.txt").write_text("not Shakespeare")
    with pytest.raises(FileNotFoundError, match=re.escape(f"({fake_corpus / 'other' / 'input.txt'} hold other text: "
                                                          f"SHA-256 differs), and download=False.")):
        tiny_shakespeare(fake_corpus / "other", download=False)


def test_offline_error_names_the_places_and_the_fix(fake_corpus):
    with pytest.raises(FileNotFoundError) as e:
        tiny_shakespeare(download=True, progress=False)
    message = str(e.value)
    assert message.startswith("tiny_shakespeare(): not found in ")
    assert "($LUCIDNET_DATA is not set)" in message and "network disabled in tests" in message
    assert "pass data_dir= or set $LUCIDNET_DATA" in message
