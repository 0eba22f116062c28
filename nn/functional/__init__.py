"""torch.nn.functional's stateless functions: activations, losses, dropout, linear. The layers in nn call these,
so a layer and its functional form can never disagree. Files: activations.py, layers.py (linear, dropout, conv,
pooling...), attention.py (scaled_dot_product_attention), losses.py."""
# helpers also reachable as nn.functional.<name> (chainrule.nn.functional re-exports them)
from autograd import Tensor
from autograd.ops.attention import _causal_mask as causal_mask
from autograd.ops.linalg import Linear
from autograd.ops.losses import BCEWithLogits, BinaryCrossEntropy
from autograd.random import generator
from autograd.tensor import as_tensor

from .activations import (
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
    tanhshrink,
)
from .attention import scaled_dot_product_attention
from .layers import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    conv1d,
    conv2d,
    dropout,
    embedding,
    fold,
    layer_norm,
    linear,
    max_pool1d,
    max_pool2d,
    one_hot,
    pad,
    unfold,
)
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
