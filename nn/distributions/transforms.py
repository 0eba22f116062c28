"""torch.distributions.transforms: every transform in one namespace (the base and its combinators in
transform.py, the event reshapers in transforms_event.py, the element-wise ones in transforms_univariate.py,
the simplex ones in transforms_vector.py)."""
from .transform import ComposeTransform, Transform, identity_transform
from .transforms_event import IndependentTransform, ReshapeTransform
from .transforms_univariate import (
    AbsTransform,
    AffineTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    SoftplusTransform,
    TanhTransform,
)
from .transforms_vector import SoftmaxTransform, StickBreakingTransform

__all__ = ["AbsTransform", "AffineTransform", "ComposeTransform", "ExpTransform", "IndependentTransform",
           "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform",
           "StickBreakingTransform", "TanhTransform", "Transform", "identity_transform"]
