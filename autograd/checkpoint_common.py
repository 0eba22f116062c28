"""What both checkpoint formats (npz_format.py, torch_format.py) share: the error a bad file raises and the
nesting limit."""

MAX_DEPTH = 100                                    # nesting levels a checkpoint may have (state_dicts use 3-4)


class CheckpointError(ValueError):
    """A file nn.load cannot read: truncated, corrupt, refused, or written by neither nn.save nor torch.save."""
