"""lucidnet.nn: layers, containers, losses and initializers, in PyTorch's names."""
from .module import MODULES, Module, Parameter, config_name, module_from_config
from .container import ModuleDict, ModuleList, Sequential
from . import functional, init, utils
from .attention import MultiheadAttention
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Tanh
from .activation import (CELU, GLU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, ReLU6, SELU, Softmin,
                         Softplus, Softsign, Tanhshrink, Threshold)
from .conv import Conv1d, Conv2D, Conv2d, ConvTranspose2d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Dense, Identity, Linear
from .mlp import MLP
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from .loss import (CosineEmbeddingLoss, KLDivLoss, MarginRankingLoss, SmoothL1Loss, SoftMarginLoss,
                   TripletMarginLoss)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .padding import ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, MaxPooling2D
from .positional import (LearnedPositionalEncoding, PositionalEncoding, SinusoidalPositionalEncoding,
                         sinusoidal_table)
from .preprocessing import Normalization
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from . import parallel
