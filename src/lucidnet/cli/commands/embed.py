"""``lucidnet embed``: sentence embeddings from a pretrained model directory (sentence-transformers' format),
printed one sentence per line or written to a .npy file. Shares the model loading with ``lucidnet search``."""
import os
import sys

import numpy as np

from ...data._files import atomic_write
from .. import registry
from ..args import CLIError, int_at_least, one_line


def load_encoder(path):
    """A SentenceEncoder from a model directory (or Hub id); every way it fails is one CLIError line."""
    from ...pretrained import SentenceEncoder
    try:
        return SentenceEncoder.from_pretrained(path)
    except (OSError, ValueError, TypeError, ImportError) as e:
        raise CLIError(one_line(e)) from None


def read_lines(path, what):
    """The non-empty lines of a UTF-8 text file, stripped, with their line numbers (from 1)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [(i, line.strip()) for i, line in enumerate(f, 1) if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        raise CLIError(f"{what} {path}: expected a readable UTF-8 text file, got {one_line(e)}.") from None
    if not lines:
        raise CLIError(f"{what} {path}: expected lines of text, got an empty file.")
    return lines


def check_npy_path(path, option):
    """Refuse an output path that could not be written, before any work: not .npy, or no such directory."""
    if not path.lower().endswith(".npy"):
        raise CLIError(f"{option}: expected a .npy file name, got {os.path.basename(path)!r}.")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"{option} {path}: expected an existing directory to write into, got {directory} (no such "
                       f"directory).")


def save_npy(path, array, option):
    """Write ``array`` to ``path`` (.npy) atomically: the old file or the whole new one, never a part."""
    try:
        with atomic_write(path) as f:
            np.save(f, array)
    except OSError as e:
        raise CLIError(f"{option} {path}: cannot write it ({one_line(e)}).") from None


def arguments(p):
    p.add_argument("model", metavar="MODEL_DIR", help="a sentence-transformers model directory (or a Hugging Face "
                                                      "Hub id, with huggingface_hub and a network)")
    p.add_argument("sentences", metavar="SENTENCE", nargs="*", help="sentences to embed")
    p.add_argument("--file", metavar="FILE", help="also embed every non-empty line of this text file")
    p.add_argument("--out", metavar="FILE.npy", help="write the embeddings (N, dim) float32 here instead of printing")
    p.add_argument("--batch-size", metavar="N", type=int_at_least(1), default=32,
                   help="sentences per forward pass (default: 32)")
    p.add_argument("--no-normalize", action="store_true", help="keep the vectors as pooled (not unit length)")
    p.add_argument("--progress", action="store_true", help="show a progress bar over the batches")


def run(args):
    sentences = list(args.sentences)
    if args.file:
        sentences += [text for _, text in read_lines(args.file, "--file")]
    if not sentences:
        raise CLIError("embed: expected sentences to embed (arguments or --file), got none.")
    if args.out:
        check_npy_path(args.out, "--out")
    encoder = load_encoder(args.model)
    emb = encoder.encode(sentences, batch_size=args.batch_size, normalize=not args.no_normalize,
                         show_progress=args.progress)
    if args.out:
        save_npy(args.out, emb, "--out")
        print(f"wrote {args.out}: {emb.shape[0]} x {emb.shape[1]} float32"
              f"{'' if args.no_normalize else ', unit length'}", file=sys.stderr)
        return 0
    for row in emb:
        print(" ".join(f"{v:.6g}" for v in row))
    return 0


registry.register_command(registry.Command(
    name="embed", help="embed sentences with a pretrained sentence encoder",
    description="Turn sentences into vectors with a pretrained sentence-embedding model: a sentence-transformers "
                "model directory (config.json, model.safetensors, tokenizer.json, modules.json), e.g. "
                "all-MiniLM-L6-v2, run on lucidnet. Prints one line per sentence (its vector's values), or writes "
                "them all to a .npy file. Vectors are unit length unless --no-normalize, so the dot product of "
                "two is their cosine similarity. Needs the pretrained extra: pip install 'lucidnet[pretrained]'.",
    epilog="examples:\n"
           "  lucidnet embed all-MiniLM-L6-v2/ \"A man is eating food.\" \"Someone eats a meal.\"\n"
           "  lucidnet embed all-MiniLM-L6-v2/ --file sentences.txt --out embeddings.npy",
    arguments=arguments, run=run,
    examples=("lucidnet embed all-MiniLM-L6-v2/ \"A man is eating food.\" --out emb.npy",)))
