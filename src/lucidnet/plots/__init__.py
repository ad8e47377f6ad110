"""lucidnet.plots: pictures of what a network computes and how it learns, as PNG files (or GIF animations),
or as matplotlib Figures shown inline in a notebook (pass no path).

- a training run (:mod:`.training`): learning curves, a confusion matrix, a fitted 1-D curve;
- decision boundaries of a 2-D classifier, and their evolution during training as a GIF (:mod:`.boundary`);
- calculus (:mod:`.calculus`): a function with its derivative and tangent lines; activation functions and
  their derivatives;
- images (:mod:`.images`): a grid of images with predicted vs true labels; first-layer weights (or a
  convolution's filters) as images; a convolutional network's feature maps;
- inside the layers (:mod:`.layers`): activation and gradient histograms, per-layer statistics over training.

matplotlib is optional (``pip install 'lucidnet[plot]'``) and imported only when a plot is drawn, so
``import lucidnet`` never needs it. Figures are made with matplotlib's object API (``Figure``, no
``pyplot``): nothing here changes the backend or the global state of a program that uses matplotlib itself,
and plots draw without a display.
"""
from ._figure import INSTALL_HINT, available
from .boundary import DecisionBoundaryAnimation, plot_decision_boundary
from .calculus import plot_activations, plot_derivative
from .images import plot_feature_maps, plot_images, plot_weights
from .layers import plot_layer_histograms, plot_layer_stats
from .training import plot_confusion_matrix, plot_history, plot_regression

__all__ = ["DecisionBoundaryAnimation", "INSTALL_HINT", "available", "plot_activations", "plot_confusion_matrix",
           "plot_decision_boundary", "plot_derivative", "plot_feature_maps", "plot_history", "plot_images", "plot_layer_histograms",
           "plot_layer_stats", "plot_regression", "plot_weights"]
