"""The loops of ``fit``, ``evaluate`` and ``predict``: a mixin of :class:`lucidnet.train.Model` (Keras 3 splits
its trainer the same way), written once over the data adapters and the per-batch steps.

How ``fit`` spends its time: per batch one forward, one backward, one optimizer step (``train_step``), and
cheap bookkeeping (the loss added as a float, accuracy as one argmax and a count); no Python loop over samples,
no copy of the data beyond the one gather that forms a shuffled batch.

Where to extend it:

- per batch, ``train_step`` / ``test_step`` / ``predict_step`` (the model's), and inside ``train_step``,
  ``compute_loss`` and ``optimizer_step`` (clipping, then the update);
- around the loop, callbacks (the progress display is one: :class:`lucidnet.train.progress.ProgbarLogger`);
- for data-parallel training, a :class:`lucidnet.train.distribution.Distribution` set with
  ``set_distribution``: its ``distribute_batch`` gives each process its part of every batch, and its
  ``reduce_gradients`` averages the gradients before the update.
"""
import math
import sys

import numpy as np

from ..autograd import no_grad
from ..random import Generator, default_generator, get_state, set_state
from ..tensor import Tensor
from ..validation import all_finite, check_int
from . import callbacks as callbacks_module
from . import checkpoint
from .data_adapter import (AugmentedData, LoaderDataAdapter, PeekedEpoch, adapt, augment_generators, has_len,
                           is_loader, split_validation)
from .epoch_iterator import EpochIterator, OneEpoch, validation_epochs
from .distribution import auto_distribution, distribution
from .door import (DoorChecks, check_callbacks, check_flag, check_fraction, check_verbose, in_users_shapes,
                   quiet_numpy)
from .progress import ProgbarLogger, format_logs

__all__ = ["Trainer"]


class Trainer(DoorChecks):
    """``fit``, ``evaluate`` and ``predict`` for a model with ``train_step`` / ``test_step`` / ``predict_step``
    (see :class:`lucidnet.train.Model`, which documents them)."""

    # ------------------------------------------------------------------------------------ modes

    def _modes(self):
        return [(m, m.training) for m in self.modules()]

    @staticmethod
    def _restore_modes(modes):
        for m, training in modes:
            m.training = training

    # ------------------------------------------------------------------------------------ fit

    @quiet_numpy
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, initial_epoch=None, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, *, generator=None, seed=None, augment=None):
        """Train the model for ``epochs`` passes over the data.

        Arrays are used as they are (batches are gathered from them, never a copy of the whole), except that
        floating point data in another dtype is converted once to the default (float32), as Keras does.

        Args:
            x: inputs (an array or Tensor, also another library's such as a torch.Tensor; the first axis is
                samples, so a single sample needs its batch axis, ``x[None]``), or a DataLoader yielding (x, y)
                batches.
            y: targets (with arrays): class ids, one-hot rows or values.
            batch_size: samples per batch with arrays. Default: 32. Under ``mpiexec -n N`` it is the global
                batch: each rank trains on 1/N of it, and the run gives the numbers of one process
                (:mod:`lucidnet.train.distributed`: rank 0 alone reports and writes files).
            epochs: the epoch to train up to (with ``initial_epoch``, the number of the last one).
            verbose: 0 silent, 1 a progress bar per epoch (a line per epoch when the output is not a terminal
                or CI is set), 2 one line per epoch. (Or pass a :class:`~lucidnet.train.progress.ProgbarLogger`
                in ``callbacks``, e.g. one bar over all epochs.)
            callbacks: a list of :mod:`lucidnet.train.callbacks` (EarlyStopping, ModelCheckpoint, ...).
            validation_split: the fraction of the arrays, taken from the end before shuffling, to validate on.
            validation_data: ``(x_val, y_val)`` arrays, or a DataLoader, evaluated after each epoch.
            shuffle: reshuffle the arrays every epoch (a DataLoader shuffles as it was made to).
            initial_epoch: the epoch to start from. Default: 0, or the epoch of the training state the model
                was given by ``set_training_state`` (``lucidnet.load`` gives a model its checkpoint's), whose run
                then continues exactly: same batches and random draws, optimizer and callback states, history.
            steps_per_epoch: batches per epoch. Default: None, one pass over the data. With it, each epoch goes
                on drawing where the last one stopped (Keras's rules): arrays and DataLoaders pass after pass,
                reshuffled at each new pass, a generator until it ends; an epoch the data runs out in is cut
                short with a warning (so a generator that loops forever can feed any number of epochs).
            validation_steps: validate on the first this many batches of the validation data. Default: None,
                all of it.
            validation_freq: validate every this many epochs (an int), or after the epochs (1-based) in a list.
                Default: 1, every epoch.
            generator: where shuffling draws from: a lucidnet Generator, a NumPy Generator, or None for the
                default generator (``lucidnet.manual_seed``).
            seed: shorthand for ``generator=lucidnet.Generator().manual_seed(seed)``.
            augment: applied to every training batch's inputs (never to validation data), e.g.
                ``lucidnet.transforms.Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()])``: a transform's
                ``batch(x, generator)`` draws from ``generator`` (the default generator when None), so a seeded
                run is reproducible and a resumed one exact; any other callable gets the batch ``augment(x)``.

        Returns:
            A :class:`History`: ``history.history`` maps 'loss', the metrics, 'val_loss', 'val_<metric>' and
            'lr' to one value per epoch.

        Everything is checked before any state is used: the arguments, the data against the model (its first
        batch goes through the model and the loss in eval mode, without a random draw), the class ids. A call
        that fails before its first update changes nothing: a model loaded from a checkpoint still resumes its run
        exactly. NumPy's floating point warnings are off inside fit: a diverging run is reported once, below.

        Raises:
            RuntimeError: before compile(), or when the loss becomes nan or inf (naming the epoch and batch;
                add ``TerminateOnNaN()`` to stop without an error).
            ValueError: for mismatched, non-finite or out-of-range data.
            TypeError: for arguments of the wrong type (``validation_split="0.2"``, ``callbacks=cb``).
        """
        where = "fit()"
        if self._compiled is None:
            raise RuntimeError("fit(): call compile() before fit().")
        c = self._compiled
        if c.loss is None and not self._overrides("train_step"):
            raise RuntimeError("fit(): expected a loss; pass loss= to compile(), or override train_step().")
        # Every argument is judged before any state is touched: a failed call changes nothing.
        epochs = check_int(where, "epochs", epochs, 0)
        if steps_per_epoch is not None:
            steps_per_epoch = check_int(where, "steps_per_epoch", steps_per_epoch)
        if validation_steps is not None:
            validation_steps = check_int(where, "validation_steps", validation_steps)
        verbose = check_verbose(where, verbose)
        shuffle = check_flag(where, "shuffle", shuffle)
        validation_split = check_fraction(where, "validation_split", validation_split)
        user = check_callbacks(where, callbacks, callbacks_module.Callback)
        if seed is not None and generator is not None:
            raise ValueError("fit(): expected seed or generator, got both.")
        if seed is not None:
            generator = Generator().manual_seed(check_int(where, "seed", seed, 0))
        if generator is not None and not isinstance(generator, (Generator, np.random.Generator)):
            raise TypeError(f"fit(): expected generator to be a lucidnet.Generator or a numpy Generator, got "
                            f"{type(generator).__name__}.")
        if initial_epoch is not None:
            check_int(where, "initial_epoch", initial_epoch, 0)
        validate_at = validation_epochs(validation_freq, where)
        dist = auto_distribution()               # under mpiexec: data-parallel (lucidnet.train.distributed)

        if validation_split and validation_data is not None:
            raise ValueError("fit(): expected validation_split or validation_data, got both.")
        if validation_split:
            (x, y), validation_data = split_validation(x, y, validation_split, where)
        train = adapt(where, x, y, batch_size, shuffle, generator)
        if train.x is not None and train.y is None and c.loss is not None:
            raise ValueError("fit(): expected targets y for the loss, got None.")
        val = None
        if validation_data is not None:
            if is_loader(validation_data):
                val = adapt(where, validation_data)
            elif isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
                bs = train.batch_size if train.x is not None else batch_size
                val = adapt(where, validation_data[0], validation_data[1], bs)
            else:
                items = f" of {len(validation_data)} items" if isinstance(validation_data, (tuple, list)) else ""
                raise ValueError(f"fit(): expected validation_data to be (x_val, y_val) or a DataLoader, got "
                                 f"{type(validation_data).__name__}{items}.")
        # The data meets the model: the first batch of the arrays through it (eval mode, no random draw), the
        # class ids against its outputs. A loader's first batch is checked when it is drawn, below.
        if train.x is not None and epochs > (initial_epoch or 0) and augment is None:
            self._check_arrays(train, where, "x", "y")
        if val is not None and val.x is not None:
            self._check_arrays(val, where, "the validation x", "the validation y")
        elif val is not None:
            self._check_validation_loader(val.loader, where)

        if dist is not None and val is not None:
            val = dist.distribute_dataset(val, training=False)

        # Resuming a run given by set_training_state (lucidnet.load): from its epoch, with its states.
        resume = checkpoint.resume_point(self._run, initial_epoch)
        if initial_epoch is None:
            initial_epoch = resume["epoch"] if resume else 0

        history = callbacks_module.History()
        if resume and resume.get("history"):
            history.history = {k: list(v) for k, v in resume["history"].items()}
            done = len(next(iter(history.history.values()), []))
            history.epoch = list(range(initial_epoch - done, initial_epoch))
        if dist is not None:
            user, verbose = dist.distribute_callbacks(user, verbose)
        progbar = [ProgbarLogger(verbose)] if verbose in (1, 2) and not any(
            isinstance(cb, ProgbarLogger) for cb in user) else []
        ordered = progbar + [history] + \
            [cb for cb in user if not isinstance(cb, callbacks_module.ModelCheckpoint)] + \
            [cb for cb in user if isinstance(cb, callbacks_module.ModelCheckpoint)]
        gens = {"fit": generator} if generator is not None else {}
        gens.update(augment_generators(augment, where))
        if isinstance(train, LoaderDataAdapter) and hasattr(train.loader, "state_dict") and \
                hasattr(train.loader, "load_state_dict"):
            gens["loader"] = train.loader
        # What a failed call puts back: the generators' states (drawn from by the first batch), the run.
        generators = (("default", default_generator),) + tuple(gens.items())
        before = {"states": {name: get_state(g) for name, g in generators}, "run": self._run,
                  "history": self.history}
        try:
            if resume:
                saved = resume.get("generators") or {}
                for name, g in generators:
                    if name in saved:
                        set_state(g, saved[name], where)
            if augment is not None:              # the whole (global) batch, before a data-parallel split
                train = AugmentedData(train, augment, generator, where)
            if dist is not None:
                train = dist.distribute_dataset(train, training=True, initial_epoch=initial_epoch)
            batches = EpochIterator(train, steps_per_epoch, gens, where)
            if resume:
                batches.restore(resume.get("data"))      # a pass the checkpointed run was in the middle of
            steps = len(batches) if has_len(batches) else None
            cbs = callbacks_module.CallbackList(ordered, model=self, params={
                "epochs": epochs, "steps": steps, "verbose": verbose, "initial_epoch": initial_epoch})
            if resume:
                cbs.set_states(resume.get("callbacks"))
            first_epoch = None
            if initial_epoch < epochs:
                # The first batch builds the model (lazy layers), resolves the loss for its output layer and
                # creates the optimizer, before any callback runs; the epoch then goes on with the same iterator,
                # so nothing is drawn twice from the shuffling generator.
                it = batches.epoch()
                first = next(it, None)
                if first is None:
                    raise ValueError("fit(): expected data with at least one batch, got none.")
                if train.x is None:                  # a loader: its first batch is checked now
                    self._check_loader_batch(first, where)
                elif augment is not None:            # augmented arrays: the first batch as augmented, every label
                    self._check_batch(first[0], first[1], where, None, lambda: self._check_labels(train.y, where, "y"),
                                      "train_step")
                self._prepare(first[0], where, need_optimizer=True)
                if dist is not None:
                    dist.distribute_model(self)
                first_epoch = PeekedEpoch(first, it, batches)
        except BaseException:
            self._put_back(before, generators, where)
            raise
        val_batches = None if val is None else EpochIterator(val, where=where, name="validation_steps")
        self.history = history
        self._run = checkpoint.fit_run(initial_epoch, gens, cbs, batches)  # the model's training state from now on
        self._stepped = False
        modes = self._modes()                    # restored at the end; also the list of modules, walked once
        try:
            cbs.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                for m, _ in modes:               # model.train(), without walking the modules every epoch
                    m.training = True
                data = first_epoch if epoch == initial_epoch else OneEpoch(batches)
                val_data = None
                if val is not None and validate_at(epoch):
                    val_data = val if validation_steps is None else val_batches.first_batches(validation_steps)
                logs = self._fit_epoch(epoch, epochs, data, val_data, cbs, where, modes)
                self._run["epoch"] = epoch + 1
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            cbs.on_train_end(logs)
            if dist is not None:
                dist.end_fit()                   # e.g. every process returns once the one writing files is done
        except BaseException:
            cbs.close()
            if not self._stepped:                # failed before the first update: the call changed nothing
                self._put_back(before, generators, where)
            raise
        finally:
            self._restore_modes(modes)
        return history

    def _fit_epoch(self, epoch, epochs, batches, val, cbs, where, modes):
        """One epoch of training (and validation): returns its logs."""
        c = self._compiled
        cbs.on_epoch_begin(epoch)
        metric_objects = c.metric_objects or []
        for m in metric_objects:
            m.reset_state()
        total, seen = 0.0, 0
        hooks = cbs.has_batch_hooks
        dist = distribution()

        def running():
            out = {"loss": total / seen if seen else math.nan}
            for m in metric_objects:
                out[m.name] = m.result()
            return out

        stopped_on_nan = False
        for step, (xb, yb) in enumerate(batches):
            if hooks:
                cbs.on_train_batch_begin(step)
            if dist is not None:
                xb, yb = dist.distribute_batch(xb, yb)
            loss, y_pred = self.train_step(Tensor._wrap(xb), None if yb is None else Tensor._wrap(yb))
            self._stepped = True
            value = float(loss.array) if isinstance(loss, Tensor) else float(loss)
            n = len(xb)
            out, targets = None, yb
            if metric_objects and yb is not None:
                out = y_pred.array if isinstance(y_pred, Tensor) else y_pred
            if dist is not None:                 # the global batch's loss, and outputs or metrics
                value, n, out, targets = dist.reduce_logs(value, n, out, None if out is None else yb,
                                                          metric_objects)
            total += value * n
            seen += n
            if out is not None:
                for m in metric_objects:
                    m.update_state(out, targets)
            if hooks:
                cbs.on_train_batch_end(step, callbacks_module.BatchLogs(running(), seen))
            if not math.isfinite(value):
                if self.stop_training:
                    stopped_on_nan = True
                    break
                raise RuntimeError(self._nan_message(value, epoch, epochs, step, batches, xb, yb, cbs))
            if self.stop_training:
                break
        logs = running()
        if val is not None and not stopped_on_nan:
            val_logs = self._test_loop(val, where, cbs, modes)
            logs.update({"val_" + k: v for k, v in val_logs.items()})
        if self.optimizer is not None and hasattr(self.optimizer, "param_groups"):
            logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        return logs

    def _nan_message(self, value, epoch, epochs, step, batches, xb, yb, cbs):
        where = f"fit(): expected a finite loss, got {value} at epoch {epoch + 1}/{epochs}, batch {step + 1}"
        if has_len(batches):
            where += f"/{len(batches)}"
        bad_x = not all_finite(xb)
        bad_y = yb is not None and not all_finite(yb)
        if bad_x or bad_y:
            hint = f"The batch's {'inputs' if bad_x else 'targets'} contain nan or inf: clean the data."
        else:
            lr = self.optimizer.param_groups[0]["lr"] if hasattr(self.optimizer, "param_groups") else None
            hint = "The weights diverged: lower the learning rate" + (f" (now {lr:g})" if lr is not None else "") + \
                   " or clip gradients."
        saved = [cb.last_saved for cb in cbs.callbacks
                 if isinstance(cb, callbacks_module.ModelCheckpoint) and cb.last_saved]
        keep = f" The last good checkpoint, {saved[-1]}, is kept." if saved else ""
        return (f"{where}; training stopped. {hint}{keep} Add TerminateOnNaN() to the callbacks to stop without an "
                f"error.")

    def _test_loop(self, batches, where, cbs=None, modes=None):
        """Loss and metrics over batches, in eval mode under no_grad: the logs of a validation pass."""
        c = self._compiled
        metric_objects = [m.fresh() for m in (c.metric_objects or [])]
        total, seen = 0.0, 0
        modes = [(m, m.training) for m, _ in modes] if modes is not None else self._modes()
        for m, _ in modes:
            m.training = False
        if cbs is not None:
            cbs.on_test_begin()
        try:
            with no_grad():
                for xb, yb in batches:
                    if yb is None and c.loss is not None and not self._overrides("test_step"):
                        raise ValueError(f"{where}: expected the data to yield (x, y) batches for the loss, got "
                                         f"batches of x alone (shape {tuple(xb.shape)}).")
                    if c.metric_objects is None:
                        self._prepare(xb, where, need_optimizer=False)
                        metric_objects = [m.fresh() for m in c.metric_objects]
                    loss, y_pred = self.test_step(Tensor._wrap(xb), None if yb is None else Tensor._wrap(yb))
                    n = len(xb)
                    total += float(loss.array if isinstance(loss, Tensor) else loss) * n
                    seen += n
                    out = y_pred.array if isinstance(y_pred, Tensor) else y_pred
                    for m in metric_objects:
                        m.update_state(out, yb)
        finally:
            self._restore_modes(modes)
        logs = {"loss": total / seen if seen else math.nan}
        logs.update({m.name: m.result() for m in metric_objects})
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    # ------------------------------------------------------------------------------------ evaluate / predict

    @quiet_numpy
    def evaluate(self, x=None, y=None, batch_size=None, verbose=0, return_dict=False, steps=None):
        """The loss and metrics on data, in eval mode (Dropout off, BatchNorm on its running statistics).

        Args:
            x, y: arrays, or a DataLoader of (x, y) batches as x.
            batch_size: samples per batch with arrays. Default: 32.
            verbose: 1 or 2 print one line with the results.
            return_dict: return ``{"loss": ..., metric: ...}`` instead of Keras's list.
            steps: evaluate on the first this many batches (with a warning if there are fewer). Default: None,
                all of them.

        Returns:
            The loss alone when there are no metrics, else ``[loss, metric, ...]`` in ``metrics_names``
            order; or the dict.

        Example:
            >>> import numpy as np
            >>> import lucidnet
            >>> from lucidnet import nn
            >>> model = lucidnet.Sequential([nn.Linear(2, 1)]); model.compile("sgd", "mse", metrics=["mae"])
            >>> with lucidnet.no_grad():
            ...     _ = model[0].weight.fill_(1.0); _ = model[0].bias.fill_(0.0)
            >>> model.evaluate(np.array([[1.0, 2.0]]), np.array([4.0]), return_dict=True)
            {'loss': 1.0, 'mae': 1.0}
        """
        where = "evaluate()"
        if self._compiled is None:
            raise RuntimeError("evaluate(): call compile() before evaluate().")
        if self._compiled.loss is None and not self._overrides("test_step"):
            raise RuntimeError("evaluate(): expected a loss; pass loss= to compile().")
        verbose = check_verbose(where, verbose)
        steps = None if steps is None else check_int(where, "steps", steps)
        data = adapt(where, x, y, batch_size)
        if data.x is not None and data.y is None and self._compiled.loss is not None:
            raise ValueError("evaluate(): expected targets y for the loss, got None.")
        if data.x is not None:
            self._check_arrays(data, where, "x", "y", "test_step")
        logs = self._test_loop(data if steps is None else EpochIterator(data, where=where, name="steps")
                               .first_batches(steps), where)
        if verbose:
            print(format_logs(logs), file=sys.stdout)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    @quiet_numpy
    def predict(self, x, batch_size=None, verbose=0, steps=None):
        """The model's outputs for ``x``, in batches, in eval mode under no_grad, as one NumPy array.

        Args:
            x: inputs (an array or Tensor, also another library's; the first axis is samples: one sample is
                ``x[None]``), or a DataLoader (of x batches, or (x, y) whose y is ignored).
            batch_size: samples per batch with arrays. Default: 32.
            verbose: 1 or 2 print a line when done.
            steps: predict the first this many batches (with a warning if there are fewer). Default: None, all.

        Returns:
            An array with one row per sample (a list of arrays for a model with several outputs).

        Example:
            >>> import numpy as np
            >>> import lucidnet
            >>> from lucidnet import nn
            >>> model = lucidnet.Sequential([nn.Dense(3, activation="softmax")])
            >>> p = model.predict(np.ones((5, 4), np.float32), batch_size=2)
            >>> p.shape, bool(np.allclose(p.sum(axis=1), 1))
            ((5, 3), True)
        """
        where = "predict()"
        verbose = check_verbose(where, verbose)
        steps = None if steps is None else check_int(where, "steps", steps)
        data = adapt(where, x, None, batch_size)
        if data.x is not None:
            self._check_sample_axis(data.x, data.batch_size, where)
        shapes = None if data.x is None else ("x", data.x.shape, None)
        n = data.num_samples
        if steps is not None:
            data, n = EpochIterator(data, where=where, name="steps").first_batches(steps), None
        out = None
        filled = 0
        chunks = []
        modes = self._modes()
        self.eval()
        try:
            with no_grad():
                for xb, _ in data:
                    with in_users_shapes(where, xb.shape, shapes if not filled and not chunks else None):
                        if not self.built and not self._overrides("predict_step"):
                            y = self._probe(xb)          # the first batch's forward also builds the model
                        else:
                            y = self.predict_step(Tensor._wrap(xb))
                    if isinstance(y, (tuple, list)):
                        chunks.append([t.array if isinstance(t, Tensor) else np.asarray(t) for t in y])
                        continue
                    y = y.array if isinstance(y, Tensor) else np.asarray(y)
                    if n is None:
                        chunks.append(y)
                        continue
                    if out is None:                      # one output array, filled in place: no final concat
                        out = np.empty((n,) + y.shape[1:], dtype=y.dtype)
                    out[filled:filled + len(y)] = y
                    filled += len(y)
        finally:
            self._restore_modes(modes)
        if verbose:
            print(f"predict(): {filled or sum(len(c[0]) if isinstance(c, list) else len(c) for c in chunks)} "
                  f"samples", file=sys.stdout)
        if out is not None:
            return out
        if chunks and isinstance(chunks[0], list):
            return [np.concatenate(parts) for parts in zip(*chunks)]
        return np.concatenate(chunks) if chunks else np.empty((0,))
