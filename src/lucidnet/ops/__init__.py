"""Primitives: the only functions with backward code. Each takes NumPy arrays and returns
``(out, backward)``; ``@primitive`` makes it take and return Tensors and records it for backward.
"""
from .elementwise import (abs, add, astype, clip, clone, cos, div, exp, log, maximum, minimum, mul, neg, pow, power, relu,
                          sigmoid, sin, sqrt, sub, tanh, where)
from .linalg import linear, matmul
from .nn import cross_entropy, log_softmax, softmax
from .reduce import amax, amin, sum
from .shape import broadcast_to, concatenate, getitem, pad, reshape, take_along_axis, transpose
