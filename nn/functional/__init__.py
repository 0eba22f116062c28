"""torch.nn.functional's stateless functions: activations, losses, dropout, linear. The layers in nn call these,
so a layer and its functional form can never disagree. Files: activations.py, layers.py (linear, dropout, conv,
pooling...), pooling.py (adaptive pooling), pooling3d.py (max and average pooling in 3-D),
unpool.py (max pooling's indices, max_unpool), upsampling.py (interpolate, pixel_shuffle...), attention.py
(scaled_dot_product_attention), losses.py (+ losses_prob.py: likelihoods, losses_margin.py: margins and
embeddings), dropout.py (channel and alpha dropout), normalization.py (group,
instance, RMS, local response), pairwise.py (cosine, distance, bilinear)."""
# helpers also reachable as nn.functional.<name> (chainrule.nn.functional re-exports them)
from autograd import Tensor
from autograd.ops.attention import _causal_mask as causal_mask
from autograd.ops.linalg import Linear
from autograd.ops.losses import BCEWithLogits, BinaryCrossEntropy
from autograd.random import generator
from autograd.tensor import as_tensor

from .activations import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    gumbel_softmax,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    rrelu,
    rrelu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
    threshold_,
)
from .attention import scaled_dot_product_attention
from .ctc import ctc_loss
from .dropout import alpha_dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout
from .embedding_bag import embedding_bag
from .layers import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
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
from .losses_margin import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .losses_prob import gaussian_nll_loss, kl_div, poisson_nll_loss
from .normalization import group_norm, instance_norm, local_response_norm, normalize, rms_norm
from .pairwise import bilinear, cosine_similarity, pairwise_distance, pdist
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
)
from .pooling3d import avg_pool3d, max_pool3d
from .unpool import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from .upsampling import (
    channel_shuffle,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
