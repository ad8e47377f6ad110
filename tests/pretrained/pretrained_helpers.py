"""Helpers of the pretrained-model tests: test sentences, tiny model directories written on the spot (for the
error cases, so no test copies 90 MB), and symlinked copies of a real directory with files left out."""
import json
import os

import safetensors.numpy

import lucidnet
from lucidnet.models import BertConfig, BertModel

# Mixed lengths (2 to 24 tokens with [CLS] and [SEP]), punctuation, accents, non-Latin scripts, emoji, an empty string.
SENTENCES = [
    "A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.",
    "A man is riding a horse.", "A woman is playing violin.", "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.", "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.", "First Citizen:",
    "Before we proceed any further, hear me speak.", "You are all resolved rather to die than to famish?",
    "Resolved. resolved.", "We know't, we know't.", "Let us kill him, and we'll have corn at our own price.",
    "Is't a verdict?", "No more talking on't; let it be done: away, away!", "One word, good citizens.",
    "naïve café résumé — déjà vu", "Ünïcödé ßtraße", "東京は日本の首都です。", "Привет, как дела?",
    "", "a", "OK", "   leading and trailing spaces   ", "MiXeD CaSe WoRdS", "numbers 12345 and 3.14159",
    "emoji 🙂 and symbols @#$%", "tab\tseparated\ttext", "line\nbreak",
    "What I have done my soul doth not repent, though it be treason to the state of Rome.",
    "How now, my lord?", "Go, get you home, you fragments!", "I am not in the giving vein to-day.",
    "Words, words, mere words, no matter from the heart.", "Sit down, and I'll tell you.",
]
LONG = "The quick brown fox jumps over the lazy dog. " * 40           # 400 tokens: truncated to max_seq_length

_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "cat", "dog", "the", "sat", "on", "mat", "##s", "."]
TINY = dict(vocab_size=20, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
            max_position_embeddings=16)


def write_tiny_model(directory, config=None, weights=None, modules=True, seed=0):
    """A complete sentence-transformers directory for a tiny random BERT (WordPiece vocabulary of 14 tokens).
    ``config``/``weights`` override config.json's values and the saved tensors (a value None drops a key)."""
    from tokenizers.implementations import BertWordPieceTokenizer
    os.makedirs(directory, exist_ok=True)
    raw = dict(TINY, model_type="bert", architectures=["BertModel"])
    raw.update(config or {})
    raw = {k: v for k, v in raw.items() if v is not None}
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(raw, f)
    lucidnet.manual_seed(seed)
    tensors = {k: v.numpy() for k, v in BertModel(BertConfig(**TINY)).state_dict().items()}
    tensors.update(weights or {})
    safetensors.numpy.save_file({k: v for k, v in tensors.items() if v is not None},
                                os.path.join(directory, "model.safetensors"))
    vocab = os.path.join(directory, "vocab.txt")
    with open(vocab, "w") as f:
        f.write("\n".join(_VOCAB) + "\n")
    BertWordPieceTokenizer(vocab, lowercase=True).save(os.path.join(directory, "tokenizer.json"))
    if modules:
        with open(os.path.join(directory, "modules.json"), "w") as f:
            json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                       {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                       {"idx": 2, "name": "2", "path": "2_Normalize",
                        "type": "sentence_transformers.models.Normalize"}], f)
        os.makedirs(os.path.join(directory, "1_Pooling"), exist_ok=True)
        with open(os.path.join(directory, "1_Pooling", "config.json"), "w") as f:
            json.dump({"word_embedding_dimension": 16, "pooling_mode_mean_tokens": True}, f)
        with open(os.path.join(directory, "sentence_bert_config.json"), "w") as f:
            json.dump({"max_seq_length": 12, "do_lower_case": False}, f)
    return str(directory)


def same_files(src, dst, skip=()):
    """A copy of a model directory made of symlinks, leaving out ``skip`` (file names relative to src)."""
    for root, _, files in os.walk(src):
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in files:
            path = os.path.normpath(os.path.join(rel, name))
            if path not in skip:
                os.symlink(os.path.join(root, name), os.path.join(dst, path))
    return str(dst)
