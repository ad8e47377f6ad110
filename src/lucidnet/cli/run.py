"""One ``lucidnet train`` run: what it was asked (:class:`TrainRun`), and what it leaves behind besides the model:
``history.json``, the plots and the closing summary.

Plots are functions ``plot(report) -> path`` of a :class:`Report`; every run draws its history, a
classification its confusion matrix, then the dataset recipe's plots (a decision boundary for 2-D points, the
fitted curve for sine) and the model recipe's.
"""
import dataclasses
import json
import os
import time
from typing import Callable

from .. import plots
from ..data._files import atomic_write
from ..train.metrics import confusion_matrix

__all__ = ["Report", "TrainRun", "confusion", "decision_boundary", "draw", "fitted_curve", "history",
           "print_summary", "write_json"]


@dataclasses.dataclass
class TrainRun:
    """What ``lucidnet train`` was asked, resolved: the recipe's trainer gets it.

    Attributes:
        args: the parsed command line.
        data: the dataset (:class:`lucidnet.cli.data.Data`), after ``--limit``.
        recipe: the model's :class:`lucidnet.cli.registry.ModelRecipe`.
        settings: epochs, lr (and for models trained by fit: batch_size, optimizer, schedule), and the
            model's own options, each from the command line or the recipe's defaults.
        meta: what the model file records about the run (dataset, classes, input shape and scaling, ...);
            the trainer adds the architecture, the training time and the test results.
        out: the output directory (created); model_path: where the model goes in it.
        say: prints a progress line (nothing with ``--quiet``).
        started: ``time.perf_counter()`` at the start, for the closing summary.
    """
    args: object
    data: object
    recipe: object
    settings: dict
    meta: dict
    out: str
    model_path: str
    say: Callable
    started: float


def write_json(path, obj):
    """Write ``obj`` as indented JSON, atomically."""
    with atomic_write(path) as f:
        f.write((json.dumps(obj, indent=1) + "\n").encode())


@dataclasses.dataclass
class Report:
    """What a finished run's plots draw from.

    Attributes:
        run: the :class:`TrainRun`.
        history: ``{log name: per-epoch values}``.
        predict: ``predict(x) -> outputs`` of the trained model.
        scores: the model's scores on the test set (one row per sample), or None (regression).
        test: the test results (``accuracy``, or ``mse`` and ``r2``).
        model: the trained model (for plots of its weights and activations), or None.
    """
    run: TrainRun
    history: dict
    predict: Callable
    scores: object
    test: dict
    model: object = None

    @property
    def data(self):
        return self.run.data

    @property
    def title(self):
        """``"<dataset title>, <model>"``: how plot titles begin."""
        return f"{self.run.data.title}, {self.run.args.model}"

    def path(self, name):
        """Where a plot file goes: in the run's output directory."""
        return os.path.join(self.run.out, name)


def history(report):
    """The learning curves (``history.png``)."""
    return plots.plot_history(report.history, report.path("history.png"), title=f"{report.title}: training history")


def confusion(report):
    """The test set's confusion matrix (``confusion_matrix.png``)."""
    d = report.data
    cm = confusion_matrix(report.scores, d.y_test, num_classes=len(d.classes))
    return plots.plot_confusion_matrix(cm, report.path("confusion_matrix.png"), d.classes,
                                       title=f"{report.title}: test accuracy {report.test['accuracy']:.4f}")


def decision_boundary(report):
    """The decision boundary over the training points (``decision_boundary.png``), for 2-D datasets."""
    d = report.data
    return plots.plot_decision_boundary(report.predict, d.x_train, d.y_train, report.path("decision_boundary.png"),
                                        d.classes, title=f"{report.title}: training data")


def fitted_curve(report):
    """The fitted curve over the test points (``fit.png``), for 1-D regression."""
    d = report.data
    return plots.plot_regression(d.x_test, d.y_test, report.predict, report.path("fit.png"),
                                 title=f"{report.title}: test data, R^2 {report.test['r2']:.4f}")


def draw(run, history_logs, predict, scores, test, model=None):
    """The run's plots (the files written), or a note saying why there are none."""
    if run.args.no_plots:
        return []
    if not plots.available():
        run.say(f"Plots skipped: matplotlib is not installed; get them with: {plots.INSTALL_HINT}")
        return []
    report = Report(run, history_logs, predict, scores, test, model)
    fns = [history] + ([confusion] if run.data.task == "classification" else [])
    fns += list(run.data.recipe.plots) + list(run.recipe.plots)
    return [fn(report) for fn in fns]


def print_summary(run, result, epochs, files):
    """The closing lines: the test result, where the model and history are, the plots."""
    d, out, model_path = run.data, run.out, run.model_path
    print(f"{result} on the {d.describe(len(d.x_test))} of the {d.title} test set, after {epochs} epochs "
          f"({time.perf_counter() - run.started:.1f} s in all).")
    print(f"Model: {model_path} (try: lucidnet evaluate {model_path}); history: {os.path.join(out, 'history.json')}")
    print(f"Plots: {', '.join(files)}" if files else "Plots: none")
