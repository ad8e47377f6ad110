"""GPT: nanoGPT's own model code runs on lucidnet (import renamed) and matches itself on PyTorch; lucidnet's GPT
matches nanoGPT's PyTorch model with copied weights (values, gradients and an AdamW step, float64 to 1e-9); the
causal mask hides the future; the key/value cache gives the same tokens as recomputing; a tiny model overfits a
short text; saving keeps the tokenizer; bad input."""
import re

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet import nn
from lucidnet.data import CharTokenizer
from lucidnet.models import GPT, GPTConfig, decay_param_groups
from lucidnet.models.gpt import KVCache

import nanogpt_model

NANO_L, NANO_T = nanogpt_model.load("lucidnet"), nanogpt_model.load("torch")
TINY = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def raises(kind, message):
    return pytest.raises(kind, match="^" + re.escape(message))


def to_torch(state):
    return {k: torch.from_numpy(np.array(v.array)) for k, v in state.items()}


def assert_close(a, b, what, rtol=1e-9, atol=1e-11):
    a = a.array if isinstance(a, lucidnet.Tensor) else np.asarray(a)
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def batch(rng, b=3, t=8, vocab=11):
    return rng.integers(0, vocab, (b, t)), rng.integers(0, vocab, (b, t))


# ------------------------------------------------------------------------------------------ nanoGPT's code

@pytest.mark.parametrize("flash", [True, False], ids=["sdpa", "masked-fill-softmax"])
def test_nanogpt_block_runs_on_lucidnet_and_matches_pytorch(flash):
    """nanoGPT's CausalSelfAttention/MLP/Block, unchanged but for the import; flash=False takes its
    tril/masked_fill/softmax path."""
    cfg = dict(block_size=8, vocab_size=11, n_layer=2, n_head=2, n_embd=16, dropout=0.0, bias=True)
    ours, theirs = NANO_L.Block(NANO_L.GPTConfig(**cfg)), NANO_T.Block(NANO_T.GPTConfig(**cfg))
    for m, lib in ((ours, lucidnet), (theirs, torch)):
        if not flash:
            m.attn.flash = False
            m.attn.register_buffer("bias", lib.tril(lib.ones(8, 8)).view(1, 1, 8, 8))
    rng = np.random.default_rng(0)
    with lucidnet.no_grad():
        for p in ours.parameters():
            p.array[...] = rng.standard_normal(p.shape) * 0.3
    ours.double(), theirs.double()
    theirs.load_state_dict(to_torch(ours.state_dict()))
    x = rng.standard_normal((3, 6, 16))
    xl, xt = lucidnet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yl, yt = ours(xl), theirs(xt)
    assert_close(yl, yt, "Block output")
    v = rng.standard_normal(yl.shape)
    yl.backward(lucidnet.tensor(v)), yt.backward(torch.tensor(v))
    assert_close(xl.grad, xt.grad, "input gradient")
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, named[name].grad, f"gradient of {name}")


def test_nanogpt_whole_model_runs_on_lucidnet():
    cfg = NANO_L.GPTConfig(**TINY, dropout=0.0, bias=False)
    lucidnet.manual_seed(0)
    model = NANO_L.GPT(cfg)
    assert model.get_num_params() == GPT(**TINY, bias=False).get_num_params()
    x, y = batch(np.random.default_rng(1))
    logits, loss = model(lucidnet.tensor(x), lucidnet.tensor(y))
    assert logits.shape == (3, 8, 11) and loss.shape == ()
    loss.backward()
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.95), "cpu")
    opt.step()
    logits, _ = model(lucidnet.tensor(x))                        # inference: the last position only
    assert logits.shape == (3, 1, 11)
    assert model.transformer.wte.weight is model.lm_head.weight
    assert list(model.state_dict()) == list(GPT(**TINY, bias=False).state_dict())


# ------------------------------------------------------------------------------------------ lucidnet's GPT

def paired(bias=True, dropout=0.0):
    lucidnet.manual_seed(0)
    ours = GPT(**TINY, bias=bias, dropout=dropout).double()
    theirs = NANO_T.GPT(NANO_T.GPTConfig(**TINY, bias=bias, dropout=dropout)).double()
    theirs.load_state_dict(to_torch(ours.state_dict()))
    return ours, theirs


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_gpt_matches_nanogpt_in_pytorch(bias):
    ours, theirs = paired(bias)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    rng = np.random.default_rng(2)
    opt_l = ours.configure_optimizers(0.1, 3e-3, (0.9, 0.99))
    opt_t = theirs.configure_optimizers(0.1, 3e-3, (0.9, 0.99), "cpu")
    for step in range(3):
        x, y = batch(rng)
        logits_l, loss_l = ours(lucidnet.tensor(x), lucidnet.tensor(y))
        logits_t, loss_t = theirs(torch.tensor(x), torch.tensor(y))
        assert_close(logits_l, logits_t, f"step {step}: logits")
        assert_close(loss_l, loss_t, f"step {step}: loss")
        opt_l.zero_grad(), opt_t.zero_grad()
        loss_l.backward(), loss_t.backward()
        named = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            assert_close(p.grad, named[name].grad, f"step {step}: gradient of {name}")
        nl = nn.utils.clip_grad_norm_(ours.parameters(), 0.05)
        nt = torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.05)
        assert_close(nl, nt, "gradient norm")
        opt_l.step(), opt_t.step()
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(a, b, f"{name} after 3 AdamW steps")


def test_gpt_float32_matches_nanogpt_in_pytorch():
    lucidnet.manual_seed(0)
    ours = GPT(**TINY)
    theirs = NANO_T.GPT(NANO_T.GPTConfig(**TINY, dropout=0.0))
    theirs.load_state_dict(to_torch(ours.state_dict()))
    x, y = batch(np.random.default_rng(3))
    logits, loss = ours(lucidnet.tensor(x), lucidnet.tensor(y))
    logits_t, loss_t = theirs(torch.tensor(x), torch.tensor(y))
    assert logits.dtype == lucidnet.float32
    assert_close(logits, logits_t, "logits", rtol=1e-5, atol=1e-6)
    loss.backward(), loss_t.backward()
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, named[name].grad, name, rtol=1e-4, atol=1e-6)


def test_init_is_nanogpts():
    lucidnet.manual_seed(0)
    model = GPT(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, bias=False)
    assert model.get_num_params() == 795_904
    assert model.transformer.wte.weight is model.lm_head.weight
    std = {name: p.array.std() for name, p in model.named_parameters()}
    assert abs(std["transformer.h.0.attn.c_attn.weight"] - 0.02) < 0.001
    assert abs(std["transformer.h.3.mlp.c_proj.weight"] - 0.02 / np.sqrt(8)) < 0.0005
    assert abs(std["transformer.wte.weight"] - 0.02) < 0.002
    assert np.all(model.transformer.ln_f.weight.array == 1)
    untied = GPT(**TINY, tie_weights=False)
    assert untied.transformer.wte.weight is not untied.lm_head.weight


def test_configure_optimizers_decays_matrices_only():
    model = GPT(**TINY)
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99))
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decay["params"]) and all(p.ndim == 1 for p in no_decay["params"])
    assert sum(p.numel() for g in opt.param_groups for p in g["params"]) == model.num_parameters()
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)
    assert len(decay_param_groups(GPT(**TINY, bias=False), 0.1)[1]["params"]) == 2 * 2 + 1   # layer norm weights


def test_dropout_only_while_training():
    model = GPT(**TINY, dropout=0.3)
    x = lucidnet.tensor(np.random.default_rng(0).integers(0, 11, (2, 8)))
    assert not np.array_equal(model(x).array, model(x).array)
    model.eval()
    np.testing.assert_array_equal(model(x).array, model(x).array)


# ------------------------------------------------------------------------------------------ the causal mask

def test_the_causal_mask_hides_the_future():
    """d logits[:, t] / d x[:, s] is exactly zero for s > t, through every block of the model."""
    model = GPT(**TINY).double()
    T = 8
    x = lucidnet.tensor(np.random.default_rng(4).standard_normal((2, T, 16)), requires_grad=True)
    h = x
    for block in model.transformer.h:
        h = block(h)
    logits = model.lm_head(model.transformer.ln_f(h))
    for t in range(T):
        x.grad = None
        logits[:, t].sum().backward(retain_graph=True)
        assert np.all(x.grad.array[:, t + 1:] == 0), f"position {t} sees a later position"
        assert np.all(np.abs(x.grad.array[:, :t + 1]).sum(axis=-1) > 0)


# ------------------------------------------------------------------------------------------ generation

def test_cached_logits_equal_a_full_forward():
    """Prefill with part of the context, then one token at a time: the cache gives the logits a full forward
    gives at each position."""
    model = GPT(**TINY).double().eval()
    ids = np.random.default_rng(5).integers(0, 11, (2, 8))
    with lucidnet.no_grad():
        full = model(lucidnet.tensor(ids)).array
        caches = [KVCache() for _ in model.transformer.h]
        for c in caches:
            c.reset(2, 2, 8, 8, np.float64)
        parts = [model._logits(ids[:, :3], caches, 0).array]
        for t in range(3, 8):
            parts.append(model._logits(ids[:, t:t + 1], caches, t).array)
    np.testing.assert_allclose(np.concatenate(parts, axis=1), full, rtol=1e-12, atol=1e-13)
    for c in caches:                                            # generation's graph-free path: the same logits
        c.reset(2, 2, 8, 8, np.float64)
    last = [model._decode(ids[:, :3], caches, 0)] + [model._decode(ids[:, t:t + 1], caches, t) for t in range(3, 8)]
    np.testing.assert_allclose(np.stack(last, axis=1), full[:, 2:], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("options", [dict(), dict(temperature=0.8, top_k=4), dict(top_p=0.7), dict(temperature=0)],
                         ids=["plain", "top-k", "top-p", "greedy"])
def test_generation_with_and_without_cache_gives_the_same_tokens(options):
    model = GPT(**TINY).double()
    prompt = lucidnet.tensor(np.random.default_rng(6).integers(0, 11, (2, 11)))   # longer than the block: cropped
    a = model.generate(prompt, 30, generator=lucidnet.Generator().manual_seed(9), **options)
    b = model.generate(prompt, 30, generator=lucidnet.Generator().manual_seed(9), use_cache=False, **options)
    assert a.shape == (2, 41)
    np.testing.assert_array_equal(a.array, b.array)
    np.testing.assert_array_equal(a.array[:, :11], prompt.array)
    assert model.training                                        # generate() restores the mode


def test_sampling_respects_top_k_and_top_p():
    from lucidnet.models.gpt import _sample
    rng = np.random.default_rng(0)
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]]))
    draws = lambda **kw: {int(_sample(logits, 1.0, rng=rng, **kw)[0, 0]) for _ in range(300)}  # noqa: E731
    assert draws(top_k=2, top_p=None) == {0, 1}
    assert draws(top_k=None, top_p=0.6) == {0, 1}                # 0.5 < 0.6: the second token is needed
    assert draws(top_k=None, top_p=0.5) == {0}
    assert draws(top_k=None, top_p=None) == {0, 1, 2, 3}
    assert int(_sample(logits, 0.0, None, None, rng)[0, 0]) == 0


def test_a_tiny_model_overfits_a_short_text_and_recites_it():
    text = "to be or not to be, that is the question. "
    tok = CharTokenizer.from_text(text)
    lucidnet.manual_seed(0)
    model = GPT(block_size=16, n_layer=1, n_head=2, n_embd=16, tokenizer=tok)
    ids = tok.encode(text * 3)
    x = np.stack([ids[i:i + 16] for i in range(len(text))])
    y = np.stack([ids[i + 1:i + 17] for i in range(len(text))])
    opt = model.configure_optimizers(0.0, 2e-2, (0.9, 0.99))
    losses = []
    for _ in range(100):
        _, loss = model(lucidnet.tensor(x), lucidnet.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] > 2.5 and losses[-1] < 0.15     # a window's first characters stay ambiguous: not 0
    out = model.generate(tok.encode("to be or not"), 40, temperature=0)
    assert tok.decode(out[0]) == (text * 2)[:52]


def test_stream_yields_tokens_one_at_a_time():
    model = GPT(**TINY)
    tokens = list(model.stream(lucidnet.tensor([1, 2, 3]), 5, generator=1))
    assert [t.shape for t in tokens] == [(1, 1)] * 5
    whole = model.generate(lucidnet.tensor([1, 2, 3]), 5, generator=1)
    assert [int(t) for t in tokens] == whole.array[0, 3:].tolist()


# ------------------------------------------------------------------------------------------ saving

def test_save_and_load_keep_the_model_and_its_tokenizer(tmp_path):
    tok = CharTokenizer.from_text("abcdefghij ")
    model = GPT(block_size=8, n_layer=1, n_head=2, n_embd=8, tokenizer=tok)
    path = tmp_path / "gpt.safetensors"
    lucidnet.save(model, path)
    loaded = lucidnet.load(path)
    assert isinstance(loaded, GPT) and loaded.tokenizer.chars == tok.chars and loaded.transformer.wte.weight is \
        loaded.lm_head.weight
    ids = lucidnet.tensor(tok.encode("bad cafe"))
    np.testing.assert_array_equal(loaded(ids).array, model(ids).array)
    assert repr(loaded) == repr(model)


def test_gpt_config_object_like_nanogpt():
    model = GPT(GPTConfig(**TINY, bias=False))
    assert model.config.bias is False and model.config.n_embd == 16


# ------------------------------------------------------------------------------------------ bad input

def test_bad_input():
    with raises(ValueError, "GPT: expected n_embd divisible by n_head, got n_embd=10 and n_head=4."):
        GPT(vocab_size=5, block_size=4, n_layer=1, n_head=4, n_embd=10)
    with raises(ValueError, "GPT: expected a tokenizer of vocab_size=5, got one of 3."):
        GPT(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4, tokenizer=CharTokenizer("abc"))
    model = GPT(**TINY)
    with raises(ValueError, "GPT: expected at most block_size=8 positions, got 9 ((1, 9)). Crop the context to its "
                            "last 8 tokens, as generate() does."):
        model(lucidnet.zeros(1, 9, dtype=lucidnet.int64))
    with raises(ValueError, "GPT: expected token ids in [0, 11), got 11."):
        model(lucidnet.tensor([[1, 11]]))
    with raises(TypeError, "GPT: expected integer token ids, got dtype float32."):
        model(lucidnet.zeros(1, 3))
    with raises(ValueError, "GPT: expected targets of the ids' shape (1, 3), got (3,)."):
        model(lucidnet.tensor([[1, 2, 3]]), lucidnet.tensor([1, 2, 3]))
    with raises(ValueError, "GPT.generate: expected token ids of shape (B, T) or (T,) with T >= 1, got (1, 0)."):
        model.generate(lucidnet.zeros(1, 0, dtype=lucidnet.int64), 3)
    with raises(ValueError, "GPT.generate: expected temperature >= 0, got -1.0."):
        model.generate(lucidnet.tensor([1]), 3, temperature=-1)
    with raises(ValueError, "GPT.generate: expected top_p in (0, 1], got 0."):
        model.generate(lucidnet.tensor([1]), 3, top_p=0)
    with raises(ValueError, "GPT.generate: expected top_k to be a positive integer, got 0."):
        model.generate(lucidnet.tensor([1]), 3, top_k=0)
