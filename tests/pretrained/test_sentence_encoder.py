"""all-MiniLM-L6-v2 run by lucidnet against the references on the same files: sentence embeddings against
sentence-transformers (padded batches of mixed lengths, truncation), every layer's hidden states and the
pooler against transformers' BertModel, tokenization against transformers' tokenizer; the encode() API."""
import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.pretrained import SentenceEncoder, cos_sim, semantic_search

from pretrained_helpers import LONG, SENTENCES, same_files, write_tiny_model


def assert_same_embeddings(ours, theirs):
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
    cos = (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cos.min() > 0.99999, f"cosine {cos.min()} for sentence {int(cos.argmin())}"


@pytest.mark.parametrize("batch_size", [32, 8])
def test_embeddings_equal_sentence_transformers(encoder, st_model, batch_size):
    # Sorted by length, each batch padded to its own longest: one batch of 37, or five of 8 (12 to 24 tokens).
    ours = encoder.encode(SENTENCES, batch_size=batch_size)
    theirs = st_model.encode(SENTENCES, batch_size=batch_size, convert_to_numpy=True)
    assert_same_embeddings(ours, theirs)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-6)


def test_a_long_sentence_is_truncated_as_sentence_transformers_does(encoder, st_model):
    assert encoder.tokenize([LONG])["input_ids"].shape == (1, encoder.max_seq_length) == (1, 256)
    assert_same_embeddings(encoder.encode([LONG, "short"]), st_model.encode([LONG, "short"]))


def test_the_batch_does_not_change_a_sentence(encoder):
    together = encoder.encode(SENTENCES[:12], batch_size=12)
    alone = np.stack([encoder.encode(s) for s in SENTENCES[:6]])
    np.testing.assert_allclose(together[:6], alone, atol=2e-6)


def test_tokens_equal_transformers_tokenizer(encoder, st_model):
    ours = encoder.tokenize(SENTENCES + [LONG])
    theirs = st_model.tokenize(SENTENCES + [LONG])
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        np.testing.assert_array_equal(ours[key], theirs[key].numpy(), err_msg=key)


def test_hidden_states_of_every_layer_and_pooler_equal_transformers(encoder, hf_bert):
    batch = encoder.tokenize(SENTENCES[:12])
    out = encoder.transformer(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"],
                              output_hidden_states=True)
    with torch.no_grad():
        ref = hf_bert(**{k: torch.from_numpy(v) for k, v in batch.items()}, output_hidden_states=True)
    assert len(out.hidden_states) == len(ref.hidden_states) == 7
    for i, (a, b) in enumerate(zip(out.hidden_states, ref.hidden_states)):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-5, atol=2e-5, err_msg=f"hidden state {i}")
    np.testing.assert_allclose(out.pooler_output.array, ref.pooler_output.numpy(), rtol=1e-5, atol=1e-5)


def test_normalize_false_gives_the_mean_pooled_vectors(encoder, st_model):
    from sentence_transformers import SentenceTransformer
    unnormalized = SentenceTransformer(modules=[st_model[0], st_model[1]], device="cpu")
    ours = encoder.encode(SENTENCES[:10], normalize=False)
    np.testing.assert_allclose(ours, unnormalized.encode(SENTENCES[:10]), rtol=1e-5, atol=1e-5)
    assert not np.allclose(np.linalg.norm(ours, axis=1), 1)


def test_encode_shapes_and_types(encoder):
    one = encoder.encode("A single sentence.")
    assert one.shape == (384,) and one.dtype == np.float32
    assert encoder.encode([]).shape == (0, 384)
    t = encoder.encode(["two", "sentences"], convert_to_numpy=False)
    assert isinstance(t, lucidnet.Tensor) and t.shape == (2, 384) and not t.requires_grad
    assert encoder.embedding_dim == 384
    assert encoder.encode(("a", "tuple")).shape == (2, 384)


def test_encode_leaves_the_mode_and_grad_mode_alone(encoder):
    encoder.train()
    try:
        encoder.encode(["x"])
        assert encoder.training and encoder.transformer.encoder.layer[0].training
    finally:
        encoder.eval()
    assert lucidnet.is_grad_enabled()


def test_progress_bar(encoder, capsys):
    encoder.encode(SENTENCES[:4], batch_size=2, show_progress=True)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize("call, error, message", [
    (lambda e: e.encode(123), TypeError, r"^SentenceEncoder.encode\(\): expected a string or a list of strings, got "
                                         r"int\.$"),
    (lambda e: e.encode(["ok", 5]), TypeError, r"^SentenceEncoder.encode\(\): expected a list of strings, got int at "
                                               r"index 1\.$"),
    (lambda e: e.encode(["ok"], batch_size=0), ValueError, r"^SentenceEncoder.encode\(\): expected batch_size to be a "
                                                           r"positive integer, got 0\.$"),
    (lambda e: e.tokenize(b"bytes"), TypeError, r"^SentenceEncoder.tokenize\(\): expected a string or a list of "
                                                r"strings, got bytes\.$"),
])
def test_encode_bad_input(encoder, call, error, message):
    with pytest.raises(error, match=message):
        call(encoder)


def test_similarity_ranks_paraphrases_first(encoder):
    corpus = ["A man is eating food.", "A monkey is playing drums.", "The girl is carrying a baby."]
    hits = semantic_search(encoder.encode(["Someone eats a meal."]), encoder.encode(corpus), top_k=2)
    assert hits[0][0][0] == 0
    assert hits[0][0][1] == pytest.approx(float(cos_sim(encoder.encode("Someone eats a meal."),
                                                        encoder.encode(corpus[0]))[0, 0]), abs=1e-6)


def test_cos_sim_and_semantic_search_helpers():
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(cos_sim(a, a), np.eye(2))
    assert semantic_search(a, a, top_k=5)[1] == [(1, 1.0), (0, 0.0)]            # top_k beyond the corpus: all
    with pytest.raises(ValueError, match=r"^cos_sim: expected vectors of one length, got shapes \(2, 2\) and "
                                         r"\(1, 3\)\.$"):
        cos_sim(a, np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^semantic_search: expected top_k to be a positive integer, got 0\.$"):
        semantic_search(a, a, top_k=0)


def test_vocab_txt_alone_tokenizes_as_tokenizer_json(encoder, minilm_dir, tmp_path):
    d = same_files(minilm_dir, tmp_path / "m", skip={"tokenizer.json", "model.safetensors"})
    from lucidnet.pretrained import Tokenizer
    fallback = Tokenizer.from_directory(d, 256, "test")
    np.testing.assert_array_equal(fallback(SENTENCES)["input_ids"], encoder.tokenize(SENTENCES)["input_ids"])


def test_a_plain_bert_directory_is_mean_pooled(tmp_path):
    with_modules = SentenceEncoder.from_pretrained(write_tiny_model(tmp_path / "st"))
    plain = SentenceEncoder.from_pretrained(write_tiny_model(tmp_path / "plain", modules=False))
    assert [type(s).__name__ for s in plain.stages] == ["Pooling"] and plain.max_seq_length == 16
    np.testing.assert_allclose(plain.encode(["the cat sat", "a dog"], normalize=False),
                               with_modules.encode(["the cat sat", "a dog"], normalize=False), atol=1e-6)


def test_max_seq_length_argument(tiny_dir):
    assert SentenceEncoder.from_pretrained(tiny_dir).max_seq_length == 12                # sentence_bert_config
    short = SentenceEncoder.from_pretrained(tiny_dir, max_seq_length=4)
    assert short.tokenize(["the cat sat on the mat"])["input_ids"].tolist() == [[2, 8, 6, 3]]
    with pytest.raises(ValueError, match=r"expected max_seq_length in \[2, 16\] \(max_position_embeddings\), got "
                                         r"17\.$"):
        SentenceEncoder.from_pretrained(tiny_dir, max_seq_length=17)


@pytest.mark.parametrize("modes", ["cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken",
                                   ("cls", "mean", "max")])
def test_pooling_modes_equal_sentence_transformers(modes):
    try:
        from sentence_transformers.sentence_transformer.modules import Pooling as STPooling      # 6.x
    except ImportError:
        from sentence_transformers.models import Pooling as STPooling                             # before
    from lucidnet.pretrained import Pooling
    rng = np.random.default_rng(0)
    tokens = rng.standard_normal((3, 5, 4)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
    theirs = STPooling(4, pooling_mode=modes)({"token_embeddings": torch.from_numpy(tokens),
                                               "attention_mask": torch.from_numpy(mask)})["sentence_embedding"]
    ours = Pooling(modes)(lucidnet.tensor(tokens), mask)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6, atol=1e-6)
