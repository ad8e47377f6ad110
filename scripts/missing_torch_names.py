"""Which names that PyTorch's tutorials use does lucidnet lack?

A list of ``torch.*``, ``torch.nn.*``, ``torch.nn.functional.*`` (and a few submodule) names that the public
PyTorch tutorials (pytorch/tutorials: beginner_source, intermediate_source, recipes) use, checked against
lucidnet with ``import lucidnet as torch``. Prints the missing ones by module and exits 0.

    python3 scripts/missing_torch_names.py            # the report
    python3 scripts/missing_torch_names.py --present  # also the count of present names per module
"""
import importlib
import sys

NAMES = {
    "torch": """
        tensor as_tensor from_numpy Tensor FloatTensor LongTensor zeros ones empty full eye arange linspace logspace
        rand randn randint randperm rand_like randn_like randint_like zeros_like ones_like empty_like full_like
        normal bernoulli multinomial manual_seed seed initial_seed Generator get_rng_state set_rng_state
        cat concat concatenate stack vstack hstack dstack column_stack split chunk unbind reshape flatten squeeze
        unsqueeze transpose permute t movedim moveaxis swapaxes narrow take take_along_dim gather scatter
        scatter_add index_select index_add index_copy index_fill masked_select masked_fill masked_scatter nonzero
        argwhere where flip roll tile repeat_interleave broadcast_to broadcast_tensors meshgrid tril triu diag
        diagonal diag_embed trace
        matmul mm bmm mv dot vdot outer inner einsum tensordot kron cross addmm baddbmm addmv chain_matmul cdist
        sum mean std var std_mean var_mean prod max min amax amin aminmax argmax argmin median mode quantile
        nanmean nansum logsumexp cumsum cumprod cummax cummin diff norm dist count_nonzero all any
        sort argsort topk kthvalue unique unique_consecutive bincount histc searchsorted bucketize
        abs neg exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square pow reciprocal sign sgn sin cos tan asin acos
        atan atan2 sinh cosh tanh arcsin arccos arctan sigmoid logit erf erfc erfinv lgamma digamma floor ceil
        round trunc frac fmod remainder clamp clip clamp_min clamp_max maximum minimum fmax fmin hypot lerp
        addcmul addcdiv add sub mul div true_divide floor_divide relu softmax log_softmax nan_to_num
        isnan isinf isfinite isclose allclose equal eq ne lt le gt ge logical_and logical_or logical_not
        logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not is_tensor is_floating_point numel
        no_grad enable_grad set_grad_enabled is_grad_enabled inference_mode
        float32 float64 float16 bfloat16 int8 int16 int32 int64 uint8 bool long float double half int short
        complex64 get_default_dtype set_default_dtype finfo iinfo result_type promote_types can_cast
        device cuda backends save load set_printoptions set_num_threads get_num_threads
        use_deterministic_algorithms compile autograd nn optim utils distributions linalg fft special
        Size dtype
    """,
    "torch.nn": """
        Module Parameter Sequential ModuleList ModuleDict ParameterList ParameterDict Identity Flatten Unflatten
        Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d MaxPool1d MaxPool2d
        AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool2d BatchNorm1d BatchNorm2d
        LayerNorm GroupNorm InstanceNorm2d LocalResponseNorm Dropout Dropout1d Dropout2d AlphaDropout Embedding
        EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell Transformer TransformerEncoder TransformerEncoderLayer
        TransformerDecoder TransformerDecoderLayer MultiheadAttention ReLU ReLU6 LeakyReLU PReLU ELU SELU CELU
        GELU SiLU Mish Tanh Sigmoid Hardtanh Hardswish Hardsigmoid Softmax LogSoftmax Softmin Softplus Softsign
        LogSigmoid Tanhshrink Threshold GLU CrossEntropyLoss NLLLoss MSELoss L1Loss SmoothL1Loss HuberLoss
        BCELoss BCEWithLogitsLoss KLDivLoss CosineEmbeddingLoss MarginRankingLoss TripletMarginLoss CTCLoss
        PoissonNLLLoss GaussianNLLLoss PixelShuffle Upsample ZeroPad2d ConstantPad1d ConstantPad2d
        ReflectionPad2d ReplicationPad2d CosineSimilarity PairwiseDistance functional init utils
    """,
    "torch.nn.functional": """
        relu relu_ relu6 leaky_relu elu selu celu gelu silu mish sigmoid tanh hardtanh hardswish hardsigmoid
        softmax log_softmax softmin softplus softsign logsigmoid tanhshrink threshold glu gumbel_softmax
        dropout dropout1d dropout2d alpha_dropout linear bilinear conv1d conv2d conv3d conv_transpose1d
        conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool1d adaptive_avg_pool2d
        adaptive_max_pool2d lp_pool2d batch_norm layer_norm group_norm instance_norm normalize local_response_norm
        embedding one_hot pad interpolate upsample grid_sample affine_grid unfold fold pixel_shuffle
        cross_entropy nll_loss mse_loss l1_loss smooth_l1_loss huber_loss binary_cross_entropy
        binary_cross_entropy_with_logits kl_div poisson_nll_loss gaussian_nll_loss cosine_similarity
        pairwise_distance triplet_margin_loss margin_ranking_loss cosine_embedding_loss ctc_loss
        scaled_dot_product_attention multi_head_attention_forward
    """,
    "torch.nn.init": """
        uniform_ normal_ constant_ ones_ zeros_ eye_ xavier_uniform_ xavier_normal_ kaiming_uniform_
        kaiming_normal_ orthogonal_ trunc_normal_ sparse_ calculate_gain
    """,
    "torch.nn.utils": """
        clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters rnn weight_norm spectral_norm
    """,
    "torch.nn.utils.rnn": "pad_sequence pack_padded_sequence pad_packed_sequence pack_sequence PackedSequence",
    "torch.optim": "SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS Optimizer lr_scheduler",
    "torch.optim.lr_scheduler": """
        StepLR MultiStepLR ExponentialLR CosineAnnealingLR CosineAnnealingWarmRestarts ReduceLROnPlateau
        OneCycleLR LambdaLR LinearLR ConstantLR SequentialLR CyclicLR
    """,
    "torch.utils.data": """
        Dataset IterableDataset TensorDataset DataLoader Subset ConcatDataset random_split Sampler RandomSampler
        SequentialSampler SubsetRandomSampler WeightedRandomSampler BatchSampler default_collate get_worker_info
    """,
    "torch.autograd": "grad backward Function Variable gradcheck functional",
}


def _resolve(module):
    """lucidnet's module for a torch module path (torch.nn.functional -> lucidnet.nn.functional)."""
    path = "lucidnet" + module[len("torch"):]
    try:
        return importlib.import_module(path)
    except ImportError:
        parent, _, last = path.rpartition(".")
        try:
            return getattr(importlib.import_module(parent), last)
        except (ImportError, AttributeError):
            return None


def missing():
    """{torch module: [names lucidnet lacks]} and {torch module: number of names present}."""
    lacking, present = {}, {}
    for module, names in NAMES.items():
        mod = _resolve(module)
        names = names.split()
        absent = names if mod is None else [n for n in names if not hasattr(mod, n)]
        lacking[module], present[module] = absent, len(names) - len(absent)
    return lacking, present


def main(argv):
    lacking, present = missing()
    total = sum(len(n.split()) for n in NAMES.values())
    gone = sum(len(v) for v in lacking.values())
    print(f"{total - gone} of {total} names present; missing {gone}:")
    for module, names in lacking.items():
        extra = f" ({present[module]} present)" if "--present" in argv else ""
        if names:
            print(f"  {module}{extra}: {' '.join(names)}")
        elif extra:
            print(f"  {module}{extra}: none missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
