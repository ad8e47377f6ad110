"""Primitives: the only functions with backward code. Each takes NumPy arrays and returns
``(out, backward)``; ``@primitive`` makes it take and return Tensors and records it for backward.
"""
from .activation import elu, erf, gelu, leaky_relu
from .attention import attention, self_attention
from .decomp import det, inv, qr, solve, svd
from .elementwise import (abs, add, astype, clip, clone, cos, div, exp, expm1, log, log1p, log2, log10, maximum,
                          minimum, mul, neg, pow, power, reciprocal, relu, sigmoid, sin, sqrt, sub, tanh, where)
from .linalg import cross, einsum, linear, matmul
from .loss import binary_cross_entropy, binary_cross_entropy_with_logits
from .nn import cross_entropy, log_softmax, softmax
from .norm import batch_norm, layer_norm
from .reduce import amax, amin, cumprod, cumsum, mean, prod, sum, vector_norm
from .rnn import rnn_sequence
from .rounding import ceil, floor, fmod, frac, remainder, round, sign, trunc
from .shape import (broadcast_to, concatenate, getitem, index_put, pad, reshape, scatter_add, take_along_axis,
                    transpose)
from .sparse import embedding
from .trig import acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh, tan
from .conv import conv2d, conv_transpose2d
from .pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
