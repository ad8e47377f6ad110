"""fit(..., augment=...): every training batch is augmented (the first one too, which builds the model), never
validation or evaluate data; a run is reproducible under manual_seed and fit's generator, and a resumed run is
exact, with transforms drawing from the default, fit's or their own generators."""
import numpy as np
import pytest

import lucidnet
from lucidnet import nn, transforms as T

rng = np.random.default_rng(0)
X = rng.random((48, 1, 6, 6)).astype(np.float32)
Y = (X[:, 0, :3].mean(axis=(1, 2)) > X[:, 0, 3:].mean(axis=(1, 2))).astype(np.int64)
AUGMENT = T.Compose([T.RandomCrop(6, padding=1), T.RandomHorizontalFlip()])


def model(seed=0):
    lucidnet.manual_seed(seed)
    m = lucidnet.Sequential([nn.Flatten(), nn.Linear(36, 8), nn.ReLU(), nn.Linear(8, 2)])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], lr=0.01)
    return m


def weights(m):
    return {k: v.array.copy() for k, v in m.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


class Recorder:
    def __init__(self):
        self.seen = []

    def __call__(self, x):
        self.seen.append(x.copy())
        return x + 1.0


def test_every_training_batch_is_augmented_and_validation_and_evaluate_never():
    rec = Recorder()
    m = model()
    seen_by_model = []
    m.train_step = (lambda step: lambda x, y: (seen_by_model.append(x.array.copy()), step(x, y))[1])(m.train_step)
    m.fit(X, Y, epochs=2, batch_size=16, verbose=0, augment=rec, validation_data=(X[:8], Y[:8]), shuffle=False)
    assert len(rec.seen) == 6 and all(len(x) == 16 for x in rec.seen)
    np.testing.assert_array_equal(rec.seen[0], X[:16])
    np.testing.assert_array_equal(seen_by_model[0], X[:16] + 1.0)
    m.evaluate(X, Y, verbose=0)
    m.predict(X)
    assert len(rec.seen) == 6


def test_plain_fit_is_unchanged_by_an_identity_augment():
    a, b = model(), model()
    a.fit(X, Y, epochs=2, batch_size=16, verbose=0, seed=1)
    b.fit(X, Y, epochs=2, batch_size=16, verbose=0, seed=1, augment=T.Lambda(lambda x: x))
    assert same(weights(a), weights(b))


def test_a_shape_changing_augment_builds_the_model_on_what_it_returns():
    pixels = (X[:, 0] * 255).astype(np.uint8)                     # (N, H, W) uint8: ToTensor -> (N, 1, H, W)
    lucidnet.manual_seed(0)
    m = lucidnet.Sequential([nn.Dense(2)])
    m.compile("adam", "sparse_categorical_crossentropy", lr=0.01)
    m.fit(pixels, Y, epochs=1, batch_size=16, verbose=0,
          augment=T.Compose([T.ToTensor(), T.RandomCrop(4), T.Lambda(lambda x: x.reshape(len(x), -1))]))
    assert sorted(m[0].weight.shape) == [2, 16]                   # built on the augmented (N, 16) batch


@pytest.mark.parametrize("fit_seed", [None, 5])
def test_augmented_runs_are_reproducible_and_draw_from_fits_generator(fit_seed):
    def run(seed_default):
        m = model()
        lucidnet.manual_seed(seed_default)
        m.fit(X, Y, epochs=2, batch_size=16, verbose=0, augment=AUGMENT, seed=fit_seed)
        return weights(m)
    assert same(run(0), run(0))
    # With fit's own generator the default one is not drawn from: another default seed changes nothing.
    assert same(run(0), run(1)) == (fit_seed is not None)
    plain = model()
    plain.fit(X, Y, epochs=2, batch_size=16, verbose=0, seed=fit_seed)
    assert not same(run(0), weights(plain))


@pytest.mark.parametrize("kind", ["default", "fit", "own"])
def test_a_resumed_augmented_run_is_exact(tmp_path, kind):
    def augment():
        if kind == "own":
            return T.Compose([T.RandomCrop(6, padding=1, generator=11), T.RandomHorizontalFlip(generator=12)])
        return AUGMENT
    kw = dict(batch_size=16, verbose=0, seed=3 if kind == "fit" else None)
    lucidnet.manual_seed(0)
    whole = model()
    h = whole.fit(X, Y, epochs=4, augment=augment(), **kw)
    part = model()
    part.fit(X, Y, epochs=2, augment=augment(), **kw)
    if kind == "own":
        assert sorted(part.get_training_state()["generators"]) == ["augment0", "augment1"]
    part.save(tmp_path / "p.safetensors")
    lucidnet.manual_seed(123)                                    # the checkpoint restores the default generator
    resumed = lucidnet.load(tmp_path / "p.safetensors")
    h2 = resumed.fit(X, Y, epochs=4, augment=augment(), **kw)
    assert h2.history == h.history and same(weights(resumed), weights(whole))


def test_bad_augments_are_named():
    m = model()
    with pytest.raises(TypeError, match=r"^fit\(\): expected augment to be a transform \(e\.g\. "
                                        r"lucidnet\.transforms\.Compose\(\[\.\.\.\]\)\) or a callable taking a batch, "
                                        r"got int\.$"):
        m.fit(X, Y, epochs=1, verbose=0, augment=3)
    with pytest.raises(ValueError, match=r"^fit\(\): expected augment to return a batch of 16 samples, got shape "
                                         r"\(1, 6, 6\) from inputs of shape \(16, 1, 6, 6\)\.$"):
        m.fit(X, Y, epochs=1, batch_size=16, verbose=0, augment=lambda x: x[0])


def test_bad_labels_with_an_augment_fail_before_anything_is_drawn():
    m = model()
    lucidnet.manual_seed(4)
    state = lucidnet.get_rng_state()
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\)"):
        m.fit(X, Y + 5, epochs=1, batch_size=16, verbose=0, augment=AUGMENT)
    assert lucidnet.get_rng_state() == state                 # the first batch's draws were put back
    m.fit(X, Y, epochs=1, batch_size=16, verbose=0, augment=AUGMENT)


def test_a_resumed_run_in_the_middle_of_a_pass_is_exact(tmp_path):
    kw = dict(batch_size=16, verbose=0, steps_per_epoch=2, augment=AUGMENT)      # 3 batches a pass, 2 an epoch
    whole = model()
    with pytest.warns(UserWarning, match="the data ran out after 1 of the 2 batches"):   # epoch 2: Keras's rule
        h = whole.fit(X, Y, epochs=3, **kw)
    part = model()
    part.fit(X, Y, epochs=1, **kw)
    part.save(tmp_path / "p.safetensors")
    lucidnet.manual_seed(99)
    resumed = lucidnet.load(tmp_path / "p.safetensors")
    with pytest.warns(UserWarning, match="the data ran out after 1 of the 2 batches"):
        h_resumed = resumed.fit(X, Y, epochs=3, **kw)
    assert h_resumed.history == h.history and same(weights(resumed), weights(whole))
