"""PyTorch's torch.nn on chainrule: `import nn` where you wrote `import torch.nn as nn`.

    model = nn.MLP(784, [128, 128], 10)            # == Sequential(Linear, ReLU, Linear, ReLU, Linear)
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad(); loss.backward(); opt.step()
"""
import autograd as _autograd

if not hasattr(_autograd, "Tensor"):     # HIPS autograd (same import name) was imported instead of chainrule's
    raise ImportError(f"nn needs chainrule's autograd, but `import autograd` found another package at "
                      f"{getattr(_autograd, '__file__', '?')}: HIPS autograd, which pip installs under the same "
                      "name. Keep one per environment: `pip uninstall autograd chainrule`, then reinstall "
                      "chainrule alone, or put HIPS autograd in a different virtual environment.")
from autograd._version import __version__  # noqa: E402

from . import (  # noqa: E402
    _compiled,  # noqa: F401  (registers nn's classes with autograd.compile)
    data,
    functional,
    init,
    optim,
    scopes,  # noqa: F401  (registers viz.watch()'s module boxes)
    utils,
)
from .activations import (
    CELU,
    ELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    RReLU,
    Softmax2d,
    Softmin,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, Sequential
from .dropout import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .embedding_bag import EmbeddingBag
from .fold import Fold, Unfold
from .group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .layers import (
    GELU,
    MLP,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    CTCLoss,
    GaussianNLLLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
)
from .losses_margin import (
    CosineEmbeddingLoss,
    HingeEmbeddingLoss,
    MarginRankingLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)
from .module import Module, Parameter
from .padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .pairwise import Bilinear, CosineSimilarity, PairwiseDistance
from .parameter_containers import ParameterDict, ParameterList
from .recurrent import GRU, LSTM, RNN, RNNBase
from .recurrent_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .rms_norm import LocalResponseNorm, RMSNorm
from .serialization import CheckpointError, load, save
from .transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from .unpool import MaxUnpool1d, MaxUnpool2d, MaxUnpool3d
from .upsampling import (
    ChannelShuffle,
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

try:                      # the conv engineer's layers; a missing file is fine, a bug inside one is not hidden
    from .conv import (
        AdaptiveAvgPool1d,
        AdaptiveAvgPool2d,
        AdaptiveAvgPool3d,
        AdaptiveMaxPool1d,
        AdaptiveMaxPool2d,
        AdaptiveMaxPool3d,
        AvgPool1d,
        AvgPool2d,
        AvgPool3d,
        Conv1d,
        Conv2d,
        Conv3d,
        MaxPool1d,
        MaxPool2d,
        MaxPool3d,
    )
    from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
except ModuleNotFoundError as e:
    if e.name != f"{__name__}.conv":
        raise
try:
    from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, Embedding, LayerNorm
except ModuleNotFoundError as e:
    if e.name != f"{__name__}.norm":
        raise
from .lazy import (  # noqa: E402
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
    LazyLinear,
    UninitializedBuffer,
    UninitializedParameter,
)

try:                      # the dataset loaders (nn/datasets/)
    from . import datasets
except ModuleNotFoundError as e:
    if e.name != f"{__name__}.datasets":
        raise

__all__ = [name for name in dir() if not name.startswith("_")]
