"""``lucidnet generate``: continue a prompt with a saved GPT, printing each character as soon as it is drawn."""
import sys

from ... import io
from ...models import GPT
from ...random import Generator
from ...tensor import Tensor
from .. import registry
from ..args import CLIError, int_at_least, non_negative_float, one_line, probability


def arguments(p):
    p.add_argument("model", metavar="MODEL", help="a GPT saved by 'lucidnet train --model gpt' (or lucidnet.save)")
    p.add_argument("--prompt", default="\n", metavar="TEXT",
                   help="the text to continue; every character must be in the model's vocabulary (default: a "
                        "new line)")
    p.add_argument("--max-new-tokens", type=int_at_least(1), default=500, metavar="N",
                   help="characters to write (default: 500)")
    p.add_argument("--temperature", type=non_negative_float, default=1.0, metavar="T",
                   help="divides the scores: lower is more predictable, 0 always takes the likeliest (default: 1)")
    p.add_argument("--top-k", type=int_at_least(1), metavar="K", help="draw among the K likeliest characters only")
    p.add_argument("--top-p", type=probability, metavar="P",
                   help="draw among the likeliest characters whose probabilities add up to P")
    p.add_argument("--seed", type=int_at_least(0), metavar="N", help="seed of the draws (default: a fresh one)")
    p.add_argument("--no-cache", action="store_true", help="recompute the whole context for every character")


def _load_gpt(path):
    try:
        obj = io.load(path)
    except (OSError, ValueError) as e:
        raise CLIError(one_line(e)) from None
    gpt = getattr(obj, "module", obj)
    if not isinstance(gpt, GPT):
        raise CLIError(f"{path}: expected a GPT (saved by lucidnet train --model gpt), got "
                       f"{type(gpt).__name__ if not isinstance(gpt, dict) else 'saved values'}.")
    if gpt.tokenizer is None:
        raise CLIError(f"{path}: expected a GPT saved with its tokenizer, got one without; save it with "
                       f"GPT(..., tokenizer=CharTokenizer.from_text(text)).")
    return gpt


def run(args):
    gpt = _load_gpt(args.model)
    tok = gpt.tokenizer
    if not args.prompt:
        raise CLIError("--prompt: expected at least one character, got ''.")
    try:
        ids = tok.encode(args.prompt)
    except ValueError as e:
        raise CLIError(f"--prompt: {one_line(e).removeprefix('CharTokenizer.encode: ')} Use only characters the "
                       f"model was trained on.") from None
    if len(ids) > gpt.config.block_size:
        print(f"lucidnet: note: the prompt has {len(ids)} characters; the model sees the last "
              f"{gpt.config.block_size} (its block size).", file=sys.stderr)
    generator = Generator().manual_seed(args.seed) if args.seed is not None else None
    out = sys.stdout
    out.write(args.prompt)
    out.flush()
    for token in gpt.stream(Tensor._wrap(ids), args.max_new_tokens, temperature=args.temperature, top_k=args.top_k,
                            top_p=args.top_p, generator=generator, use_cache=not args.no_cache):
        out.write(tok.decode(token.array[0]))
        out.flush()
    out.write("\n")
    return 0


registry.register_command(registry.Command(
    name="generate", help="write text with a saved GPT, character by character",
    description="Continue --prompt with a GPT trained by 'lucidnet train --model gpt', printing each character as "
                "it is drawn. The model keeps the keys and values of what it has read (a cache), so each "
                "character costs one position of compute.",
    epilog="examples:\n"
           "  lucidnet generate runs/tiny-shakespeare-gpt/model.safetensors --prompt \"ROMEO:\"\n"
           "  lucidnet generate model.safetensors --prompt \"To be\" --max-new-tokens 200 --temperature 0.8 "
           "--top-k 10 --seed 1",
    arguments=arguments, run=run,
    examples=("lucidnet generate runs/tiny-shakespeare-gpt/model.safetensors --prompt \"ROMEO:\"",)))
