"""``lucidnet train --model gpt``: a character-level GPT on tiny Shakespeare (the default) or any UTF-8 text file
(``--text FILE``), with nanoGPT's CPU recipe: 4 layers, 4 heads, width 128, block 64, batch 12, no dropout,
AdamW lr 1e-3 (betas 0.9, 0.99; weight decay 0.1 on matrices only), 100 warmup iterations then a cosine
to lr / 10, gradients clipped to norm 1; 2,000 iterations.

It trains with ``fit``: an epoch is ``--eval-interval`` iterations of random windows (250 by default: 8
epochs), then the validation loss on a fixed set of validation windows. The model is saved after every
epoch with the optimizer and the random state, so ``--resume`` continues a run exactly where its last
epoch left it (with a larger ``--epochs``, it trains further). The saved GPT keeps its tokenizer:
``lucidnet generate runs/tiny-shakespeare-gpt/model.safetensors --prompt "ROMEO:"`` writes with it.

Also here: the text datasets (``tiny-shakespeare`` and ``text``, split 90/10 by position as nanoGPT does) and
what ``evaluate`` makes of a GPT file (its validation loss and perplexity).
"""
import math
import os
import time

from ... import io
from ...autograd import no_grad
from ...data import CharTokenizer, TokenWindows, read_text, tiny_shakespeare
from ...models import GPT, decay_param_groups
from ...optim import AdamW
from ...random import manual_seed
from ...tensor import Tensor
from ...train import Callback, Model, ModelCheckpoint
from ..args import CLIError, int_at_least, one_line
from ..data import Data
from ..files import META_KEY, Loaded
from ..registry import DatasetRecipe, ModelRecipe, Option, register_dataset, register_file_format, register_model
from ..run import draw, write_json

VAL_FRACTION = 0.1             # nanoGPT's split: the last 10% of the text
VAL_BATCHES = 20               # validation windows: VAL_BATCHES batches, the same every epoch (nanoGPT's eval_iters)
TASK, KIND = "language-modeling", "text"


# ------------------------------------------------------------------------------------------ datasets

def _text_data(name, text, title):
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    n = int(len(ids) * (1 - VAL_FRACTION))
    d = Data(name, ids[:n], None, ids[n:], None, [], None)
    d.tokenizer, d.title = tok, title
    return d


def _load_shakespeare(data_dir, progress):
    return _text_data("tiny-shakespeare", tiny_shakespeare(data_dir, progress=progress), "tiny Shakespeare")


def _load_text(data_dir, progress, text=None):
    if text is None:
        raise ValueError("--dataset text: expected a UTF-8 text file, got none; pass --text FILE.")
    return _text_data("text", read_text(text), os.path.basename(text))


register_dataset(DatasetRecipe(
    name="tiny-shakespeare", title="tiny Shakespeare", kind=KIND, task=TASK, load=_load_shakespeare,
    aliases=("shakespeare", "tiny_shakespeare", "tinyshakespeare"), unit="characters"))

register_dataset(DatasetRecipe(
    name="text", title="a text file", kind=KIND, task=TASK, load=_load_text, unit="characters",
    options=(Option("--text", metavar="FILE", help="train --model gpt on this UTF-8 text file instead"),)))


# ------------------------------------------------------------------------------------------ training

class WarmupCosine(Callback):
    """nanoGPT's learning rate, set before every iteration: a linear warmup over ``warmup`` iterations, then a
    cosine decay from ``lr`` to ``min_lr`` at ``total``. Iterations count from the run's start, so a resumed
    run continues the same curve."""

    def __init__(self, lr, min_lr, warmup, total, steps_per_epoch):
        self.lr, self.min_lr, self.warmup, self.total, self.steps = lr, min_lr, warmup, total, steps_per_epoch
        self.epoch = 0

    def at(self, it):
        """The learning rate of iteration ``it`` (0-based)."""
        if it < self.warmup:
            return self.lr * (it + 1) / (self.warmup + 1)
        if it >= self.total:
            return self.min_lr
        ratio = (it - self.warmup) / max(self.total - self.warmup, 1)
        return self.min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (self.lr - self.min_lr)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        lr = self.at(self.epoch * self.steps + batch)
        for group in self.model.optimizer.param_groups:
            group["lr"] = lr


def _new_model(d, s):
    try:
        gpt = GPT(vocab_size=d.tokenizer.vocab_size, block_size=s["block_size"], n_layer=s["n_layer"],
                  n_head=s["n_head"], n_embd=s["n_embd"], dropout=s["dropout"], bias=False, tokenizer=d.tokenizer)
    except ValueError as e:
        raise CLIError(one_line(e).replace("GPT: expected n_embd divisible by n_head",
                                           "--n-embd: expected a multiple of --n-head")) from None
    model = Model(gpt)
    model.compile(optimizer=AdamW(decay_param_groups(gpt, 0.1), lr=s["lr"], betas=(0.9, 0.99)),
                  loss="sparse_categorical_crossentropy", from_logits=True, clipnorm=1.0)
    return model


def _resumed_model(path, d):
    if not os.path.exists(path):
        raise CLIError(f"--resume: expected a checkpoint at {path}, got none; train without --resume first (or "
                       f"pass the run's --out).")
    try:
        model = io.load(path)
    except (OSError, ValueError) as e:
        raise CLIError(one_line(e)) from None
    gpt = getattr(model, "module", None)
    if not isinstance(gpt, GPT) or gpt.tokenizer is None or gpt.tokenizer.chars != d.tokenizer.chars:
        raise CLIError(f"--resume: expected {path} to hold a GPT trained on this text (the same characters), got "
                       f"{'another model' if not isinstance(gpt, GPT) else 'one with another vocabulary'}.")
    return model


def train_gpt(run):
    """Train (or resume) the GPT with fit; save it with its tokenizer; report the validation loss and a sample."""
    args, d, s, say, meta = run.args, run.data, run.settings, run.say, run.meta
    block = s["block_size"]
    if min(len(d.x_train), len(d.x_test)) <= block:
        raise CLIError(f"{d.title}: expected a text of more than {block + 1} characters in each of its 90% training "
                       f"and 10% validation parts (block size {block}), got {len(d.x_train):,} and "
                       f"{len(d.x_test):,}. Use a longer text, or a smaller --block-size.")
    manual_seed(args.seed)
    model = _resumed_model(run.model_path, d) if s["resume"] else _new_model(d, s)
    gpt = model.module
    c = gpt.config                                   # a resumed run keeps its model's shape
    steps, epochs = s["eval_interval"], s["epochs"]
    total = steps * epochs
    train_w, val_w = TokenWindows(d.x_train, c.block_size), TokenWindows(d.x_test, c.block_size)
    description = (f"GPT {c.n_layer} layers x {c.n_head} heads, width {c.n_embd}, block {c.block_size}, "
                   f"{gpt.get_num_params():,} parameters")
    meta["architecture"] = description
    meta["train"].update(batch_size=s["batch_size"], eval_interval=steps, iterations=total)
    done = (model.get_training_state() or {}).get("epoch") or 0
    say(f"lucidnet train: {d.title} ({d.describe(len(d.x_train))} to train on, {d.describe(len(d.x_test))} to "
        f"validate on, {d.tokenizer.vocab_size} distinct), {description}, AdamW lr {s['lr']:g} (warmup, cosine), "
        f"batch {s['batch_size']}, {total:,} iterations as {epochs} epochs of {steps}"
        + (f", resumed after epoch {done}" if done else "") + f", seed {args.seed}")
    callbacks = [WarmupCosine(s["lr"], s["lr"] / 10, min(100, total // 10), total, steps),
                 ModelCheckpoint(run.model_path, monitor="val_loss", extra={META_KEY: meta})]
    fit_start = time.perf_counter()
    history = model.fit(train_w.batches(s["batch_size"], steps),
                        validation_data=val_w.batches(s["batch_size"], VAL_BATCHES, generator=args.seed),
                        epochs=epochs, verbose=0 if args.quiet else 1, callbacks=callbacks)
    meta["train_seconds"] = round(time.perf_counter() - fit_start, 3)
    val_loss = history.history["val_loss"][-1]
    meta["test"] = {"val_loss": val_loss, "perplexity": math.exp(val_loss)}
    io.save(model, run.model_path, extra={META_KEY: meta})
    write_json(os.path.join(run.out, "history.json"), history.history)
    files = draw(run, history.history, None, None, meta["test"])
    prompt = d.tokenizer.decode(d.x_test[:1])
    sample = d.tokenizer.decode(gpt.generate(Tensor._wrap(d.x_test[:1]), 200, generator=args.seed)[0])
    print(f"Validation loss {val_loss:.4f} (perplexity {math.exp(val_loss):.2f}) on {d.title}, after {total:,} "
          f"iterations ({time.perf_counter() - run.started:.1f} s in all). A sample, from {prompt!r}:")
    print(sample)
    print(f"Model: {run.model_path} (try: lucidnet generate {run.model_path} --prompt \"ROMEO:\"); history: "
          f"{os.path.join(run.out, 'history.json')}")
    print(f"Plots: {', '.join(files)}" if files else "Plots: none")
    return 0


register_model(ModelRecipe(
    name="gpt", help="gpt (a character-level Transformer)",
    train=train_gpt, tasks=(TASK,), kinds=(KIND,), dataset="tiny-shakespeare", fit_options=("batch_size",),
    defaults={KIND: dict(epochs=8, lr=1e-3, batch_size=12, eval_interval=250, block_size=64, n_layer=4, n_head=4,
                         n_embd=128, dropout=0.0)},
    options=(Option("--eval-interval", type=int_at_least(1), metavar="N",
                    help="gpt: iterations per epoch, each followed by the validation loss (default: 250)"),
             Option("--block-size", type=int_at_least(1), metavar="N", help="gpt: context length (default: 64)"),
             Option("--n-layer", type=int_at_least(1), metavar="N", help="gpt: Transformer blocks (default: 4)"),
             Option("--n-head", type=int_at_least(1), metavar="N", help="gpt: attention heads (default: 4)"),
             Option("--n-embd", type=int_at_least(1), metavar="N", help="gpt: width (default: 128)"),
             Option("--dropout", type=float, metavar="P", help="gpt: dropout probability (default: 0)"),
             Option("--resume", flag_only=True,
                    help="gpt: continue the run saved in the output directory from its last epoch")),
    refusal="it is not a GPT",
    about="For --model gpt: tiny Shakespeare (or --text FILE), nanoGPT's CPU recipe, 2,000 iterations as 8 epochs "
          "of 250, batch 12, lr 0.001 with warmup and cosine decay."))


# ------------------------------------------------------------------------------------------ evaluate

class GPTFile(Loaded):
    """A saved GPT: ``evaluate`` gives its loss and perplexity on the validation part of a text."""

    @staticmethod
    def recognizes(obj):
        return isinstance(getattr(obj, "module", obj), GPT)

    @classmethod
    def load(cls, path, obj):
        extra = {}
        try:
            extra = io.load_checkpoint(path, restore_rng=False).extra or {}
        except (OSError, ValueError):
            pass
        return cls(path, getattr(obj, "module", obj), extra.get(META_KEY, {}) if isinstance(extra, dict) else {})

    def check_fits(self, name, input_shape, task, outputs, sample):
        if task != TASK:
            raise CLIError(f"{self.path}: expected a text dataset for a GPT, got {name} (a {task}).")
        if self.model.tokenizer is None:
            raise CLIError(f"{self.path}: expected a GPT saved with its tokenizer (as lucidnet train saves it), got "
                           f"one without.")

    def evaluate(self, d, batch_size):
        try:
            ids = self.model.tokenizer.encode(d.tokenizer.decode(d.x_test))
        except ValueError as e:
            raise CLIError(f"{self.path}: expected a text in the model's vocabulary: {one_line(e)}") from None
        T = self.model.config.block_size
        n = (len(ids) - 1) // T                      # every position once: consecutive, non-overlapping windows
        if n < 1:
            raise CLIError(f"{self.path}: expected more than {T + 1} characters to evaluate on, got {len(ids)}.")
        x, y = ids[:n * T].reshape(n, T), ids[1:n * T + 1].reshape(n, T)
        self.model.eval()
        total = 0.0
        with no_grad():
            for i in range(0, n, max(batch_size // T, 1)):
                xb, yb = x[i:i + max(batch_size // T, 1)], y[i:i + max(batch_size // T, 1)]
                total += self.model(Tensor._wrap(xb), Tensor._wrap(yb))[1].item() * len(xb)
        loss = total / n
        return f"loss {loss:.4f} - perplexity {math.exp(loss):.2f} ({n * T:,} characters)"

    def check_predict(self):
        raise CLIError(f"{self.path}: expected a model that classifies files, got a GPT, which writes text: use "
                       f"lucidnet generate {self.path} --prompt TEXT.")


register_file_format(GPTFile)
