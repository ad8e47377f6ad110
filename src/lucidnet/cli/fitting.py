"""How ``lucidnet train`` trains a model recipe that builds a network: ``fit`` with the run's settings, then the
test results, the saved model, its history and plots.

The learning rate follows a schedule chosen by name (:data:`SCHEDULES`); the model is checkpointed after the
first epoch, then at most once a second and at the end, so a run that diverges keeps its last good model.
"""
import math
import os
import time

import numpy as np

from .. import distributed as dist
from .. import io
from ..creation import manual_seed
from ..train import LearningRateScheduler, ModelCheckpoint, ProgbarLogger
from ..train.compile_utils import OPTIMIZERS
from .args import CLIError, one_line
from .files import META_KEY, compile_for_task, regression_scores
from .run import draw, print_summary, write_json

__all__ = ["SCHEDULES", "train_with_fit"]


def _cosine(lr, epochs):
    return LearningRateScheduler(lambda e, _: 0.5 * lr * (1 + math.cos(math.pi * e / epochs)))


# name -> (callback(lr, epochs) setting the learning rate per epoch, or None; how the run's first line says it)
SCHEDULES = {
    "cosine": (_cosine, "{lr:g} with a cosine decay"),
    "constant": (lambda lr, epochs: None, "{lr:g}"),
}


class _RunCheckpoint(ModelCheckpoint):
    """ModelCheckpoint that stores the run's record in the file, after the first and the last epoch and at most
    every ``interval`` seconds between: a crash or a nan keeps the last good model, without an fsync for every
    short toy epoch."""

    def __init__(self, path, meta, interval):
        super().__init__(path, monitor="loss", extra={META_KEY: meta})
        self.interval, self.saved_at = interval, -math.inf

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if epoch + 1 >= self.params["epochs"] or now - self.saved_at >= self.interval:
            super().on_epoch_end(epoch, logs)
            self.saved_at = now


def _augmented(augment):
    """How the first line tells the augmentation: ", training batches augmented by RandomCrop(...) then ..."."""
    if augment is None:
        return ""
    parts = getattr(augment, "transforms", [augment])
    return ", training batches augmented by " + " then ".join(repr(t) for t in parts)


def train_with_fit(run):
    """Train ``run.recipe``'s network with ``fit``; report, save and plot. Returns the exit status."""
    args, d, meta, s, say = run.args, run.data, run.meta, run.settings, run.say
    epochs, lr, batch_size, optimizer, schedule = s["epochs"], s["lr"], s["batch_size"], s["optimizer"], s["schedule"]
    n = len(d.x_train)
    n_fit = math.floor(n * (1 - args.val_split)) if args.val_split else n
    meta["train"].update(batch_size=batch_size, optimizer=optimizer, schedule=schedule,
                         **{o.dest: list(s[o.dest]) if isinstance(s[o.dest], tuple) else s[o.dest]
                            for o in run.recipe.options}, val_split=args.val_split)

    manual_seed(args.seed)
    model, description = run.recipe.build(d, s)
    meta["architecture"] = description
    compile_for_task(model, d.task, optimizer, lr)
    held = f", {n - n_fit:,} held out to validate on" if args.val_split else ""
    make_schedule, rate = SCHEDULES[schedule]
    augment = run.recipe.augment(d, s) if run.recipe.augment is not None else None
    if augment is not None:
        meta["train"]["augment"] = repr(augment)
    ranks = dist.get_world_size() if dist.is_initialized() else 1
    if ranks > 1:
        meta["train"]["mpi_ranks"] = ranks
    batch = f"batch {batch_size}" + (f" (global: about {batch_size // ranks} per rank on {ranks} MPI ranks)"
                                     if ranks > 1 else "")
    say(f"lucidnet train: {d.title} ({d.describe(n_fit)} to train on{held}, {d.describe(len(d.x_test))} to test on), "
        f"{description}, {OPTIMIZERS[optimizer][0].__name__} lr {rate.format(lr=lr)}, {batch}, "
        f"{epochs} epochs{_augmented(augment)}, seed {args.seed}")
    callbacks = [cb for cb in [make_schedule(lr, epochs)] if cb is not None]
    many = epochs > 20                   # many short epochs: one bar over the epochs, not one per epoch
    rank = dist.get_rank() if dist.is_initialized() else 0       # under mpiexec, fit trains data-parallel
    if many and not args.quiet and rank == 0:
        callbacks.append(ProgbarLogger(per="epoch"))
    callbacks.append(_RunCheckpoint(run.model_path, meta, interval=1.0))
    fit_start = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore"):      # a diverging run is reported by fit, once
            history = model.fit(d.x_train, d.y_train, epochs=epochs, batch_size=batch_size,
                                verbose=0 if args.quiet or many else 1, callbacks=callbacks,
                                validation_split=args.val_split, augment=augment)
    except RuntimeError as e:
        if str(e).startswith("fit(): expected a finite loss"):   # diverged: fit says where, and what to do
            raise CLIError(one_line(e)) from None
        raise
    if not all(np.isfinite(p.array).all() for p in model.parameters()):
        raise CLIError(f"fit(): expected finite weights, got nan or inf after {epochs} epochs; training stopped. The "
                       f"weights diverged: lower the learning rate (now {lr:g}). The last good checkpoint, if any, "
                       f"is kept: {run.model_path}.")
    meta["train_seconds"] = round(time.perf_counter() - fit_start, 3)
    if rank != 0:                        # the model is the same on every rank: rank 0 tests, saves and plots it
        return 0

    if d.task == "classification":
        logs = model.evaluate(d.x_test, d.y_test, batch_size=1000, return_dict=True)
        scores = model.predict(d.x_test, batch_size=1000)
        test = {"loss": logs["loss"], "accuracy": logs["accuracy"]}
        result = f"Test accuracy {test['accuracy']:.4f} (loss {test['loss']:.4f})"
    else:
        scores = None
        mse, r2 = regression_scores(model.predict(d.x_test, batch_size=1000), d.y_test)
        test = {"mse": mse, "r2": r2}
        result = f"Test MSE {mse:.4g}, R^2 {r2:.4f}"
    meta["test"] = test
    io.save(model, run.model_path, extra={META_KEY: meta})
    write_json(os.path.join(run.out, "history.json"), history.history)
    files = draw(run, history.history, lambda x: model.predict(x, batch_size=4096), scores, test, model)
    print_summary(run, result, epochs, files)
    return 0
