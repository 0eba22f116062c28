"""torch.backends.cuda: not built with CUDA; `matmul.allow_tf32 = True` and the like can be set harmlessly."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    return False
