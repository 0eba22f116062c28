"""torch.backends.mps: Apple's GPU is not used by chainrule."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
