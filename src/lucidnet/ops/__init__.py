"""Primitives: the only functions with backward code. Each takes NumPy arrays and returns
``(out, backward)``; ``@primitive`` makes it take and return Tensors and records it for backward.
"""
from .activation import elu, erf, gelu, leaky_relu
from .elementwise import (abs, add, astype, clip, clone, cos, div, exp, log, maximum, minimum, mul, neg, pow, power, relu,
                          sigmoid, sin, sqrt, sub, tanh, where)
from .linalg import linear, matmul
from .loss import binary_cross_entropy, binary_cross_entropy_with_logits
from .nn import cross_entropy, log_softmax, softmax
from .norm import batch_norm, layer_norm
from .reduce import amax, amin, sum
from .rnn import rnn_sequence
from .shape import broadcast_to, concatenate, getitem, pad, reshape, take_along_axis, transpose
from .sparse import embedding
