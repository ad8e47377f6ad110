"""Fine-tuning: a classification head on all-MiniLM-L6-v2's pooled vector. Gradients of every weight (head and
the whole encoder) against transformers' BertModel with the same weights; fit() learns a small task."""
import copy

import numpy as np
import pytest
import torch

import lucidnet
from lucidnet.pretrained import SentenceClassifier

POSITIVE = ["I loved this film.", "What a wonderful day!", "The food was delicious.", "Great job, well done.",
            "This is the best book I have read.", "She was delighted with the gift.", "A charming, happy story.",
            "Everything worked perfectly."]
NEGATIVE = ["I hated this film.", "What a terrible day.", "The food was disgusting.", "Awful work, badly done.",
            "This is the worst book I have read.", "She was furious about the delay.", "A grim, miserable story.",
            "Nothing worked at all."]


@pytest.fixture
def classifier(encoder):
    lucidnet.manual_seed(0)
    return SentenceClassifier(copy.deepcopy(encoder), num_classes=3)       # fine-tuning must not touch the fixture


def test_gradients_through_the_whole_encoder_equal_transformers(classifier, hf_bert):
    hf = copy.deepcopy(hf_bert)
    texts = POSITIVE[:3] + NEGATIVE[:2]
    labels = np.array([0, 2, 1, 1, 0])
    ids = classifier.tokenize(texts)
    classifier.eval()                                                       # dropout off, as in the reference
    loss = lucidnet.nn.functional.cross_entropy(classifier(ids), lucidnet.tensor(labels))
    loss.backward()

    mask = torch.from_numpy((ids != 0).astype(np.int64))
    hidden = hf(torch.from_numpy(ids), attention_mask=mask).last_hidden_state
    m = mask[:, :, None].float()
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)                 # sentence-transformers' mean pooling
    head = torch.nn.Linear(384, 3)
    head.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in classifier.classifier.state_dict().items()})
    ref = torch.nn.functional.cross_entropy(head(pooled), torch.from_numpy(labels))
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)

    theirs = {"encoder.transformer." + k: p for k, p in hf.named_parameters()}
    theirs.update({"classifier." + k: p for k, p in head.named_parameters()})
    checked = 0
    for name, p in classifier.named_parameters():
        t = theirs[name]
        if name.startswith("encoder.transformer.pooler."):                  # not on the mean-pooled path
            assert p.grad is None and t.grad is None
            continue
        np.testing.assert_allclose(p.grad.array, t.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
        checked += 1
    assert checked == 101 + 2                                              # encoder without pooler, head


def test_fit_learns_to_tell_positive_from_negative(classifier):
    x = classifier.tokenize(POSITIVE + NEGATIVE)
    y = np.array([1] * 8 + [0] * 8)
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], lr=3e-4)
    before = classifier.encoder.transformer.encoder.layer[0].output.dense.weight.detach().numpy().copy()
    history = classifier.fit(x, y, epochs=3, batch_size=16, verbose=0)     # 3 steps of Adam
    loss = history.history["loss"]
    assert loss[-1] < loss[0] / 2
    assert not np.array_equal(classifier.encoder.transformer.encoder.layer[0].output.dense.weight.detach().numpy(), before)
    assert (classifier.predict(x).argmax(axis=1) == y).all()


def test_the_mask_comes_from_the_padding(classifier):
    batch = classifier.encoder.tokenize(["A short one.", "A somewhat longer sentence than that."])
    classifier.eval()
    with lucidnet.no_grad():
        derived = classifier(batch["input_ids"])
        explicit = classifier(batch["input_ids"], batch["attention_mask"])
        wider = classifier(np.pad(batch["input_ids"], ((0, 0), (0, 5))))    # all-padding columns are dropped
    np.testing.assert_allclose(derived.array, explicit.array, atol=1e-6)
    np.testing.assert_array_equal(wider.array, derived.array)


def test_errors(classifier, encoder):
    with pytest.raises(TypeError, match=r"^SentenceClassifier: expected a SentenceEncoder, got BertModel\.$"):
        SentenceClassifier(encoder.transformer, 2)
    with pytest.raises(ValueError, match=r"^SentenceClassifier: expected token ids of shape \(batch, length\), got "
                                         r"\(4,\)\. Make them with tokenize\(sentences\)\.$"):
        classifier(np.array([101, 7, 8, 102]))
    assert repr(classifier).startswith("SentenceClassifier(num_classes=3")
