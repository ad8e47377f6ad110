"""``lucidnet search``: the lines of a text file most similar in meaning to a query (cosine similarity of
sentence embeddings from a pretrained model directory)."""
from ...pretrained import semantic_search
from .. import registry
from ..args import CLIError, int_at_least
from .embed import check_npy_path, load_encoder, read_lines, save_npy


def arguments(p):
    p.add_argument("model", metavar="MODEL_DIR", help="a sentence-transformers model directory (or a Hugging Face "
                                                      "Hub id, with huggingface_hub and a network)")
    p.add_argument("--corpus", metavar="FILE", required=True, help="a text file: each non-empty line is a document")
    p.add_argument("--query", metavar="TEXT", action="append", required=True,
                   help="what to look for (repeat for several queries)")
    p.add_argument("--top-k", metavar="K", type=int_at_least(1), default=5, help="lines to show (default: 5)")
    p.add_argument("--limit", metavar="N", type=int_at_least(1), help="search only the first N lines")
    p.add_argument("--batch-size", metavar="N", type=int_at_least(1), default=32,
                   help="sentences per forward pass (default: 32)")
    p.add_argument("--save-embeddings", metavar="FILE.npy", help="also write the corpus embeddings (N, dim) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args):
    lines = read_lines(args.corpus, "--corpus")[:args.limit]
    if any(not q.strip() for q in args.query):
        raise CLIError("--query: expected text to look for, got an empty query.")
    if args.save_embeddings:
        check_npy_path(args.save_embeddings, "--save-embeddings")
    encoder = load_encoder(args.model)
    corpus = encoder.encode([text for _, text in lines], batch_size=args.batch_size,
                            show_progress=not args.quiet and len(lines) > 4 * args.batch_size)
    if args.save_embeddings:
        save_npy(args.save_embeddings, corpus, "--save-embeddings")
    hits = semantic_search(encoder.encode(args.query, batch_size=args.batch_size), corpus, top_k=args.top_k)
    width = len(str(lines[-1][0]))
    for query, found in zip(args.query, hits):
        print(f"query: {query}")
        for rank, (i, score) in enumerate(found, 1):
            number, text = lines[i]
            print(f"  {rank}. {score:.4f}  line {number:>{width}}: {text}")
    return 0


registry.register_command(registry.Command(
    name="search", help="find the lines of a text file closest in meaning to a query",
    description="Semantic search: embed every non-empty line of a text file and the query with a pretrained "
                "sentence-embedding model (a sentence-transformers directory, e.g. all-MiniLM-L6-v2) and print "
                "the lines most similar to the query by cosine similarity, best first, with their line numbers. "
                "Needs the pretrained extra: pip install 'lucidnet[pretrained]'.",
    epilog="examples:\n"
           "  lucidnet search all-MiniLM-L6-v2/ --corpus input.txt --query \"a king fears for his crown\"\n"
           "  lucidnet search all-MiniLM-L6-v2/ --corpus faq.txt --query \"reset my password\" --query \"refund\" "
           "--top-k 3",
    arguments=arguments, run=run,
    examples=("lucidnet search all-MiniLM-L6-v2/ --corpus input.txt --query \"a king fears for his crown\"",)))
