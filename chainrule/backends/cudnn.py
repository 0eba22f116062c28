"""torch.backends.cudnn: flags a program may set (chainrule has no cuDNN; setting them changes nothing)."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
