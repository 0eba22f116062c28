"""torch.utils.data.dataloader: DataLoader and default_collate."""
from nn.data import DataLoader, default_collate

__all__ = ["DataLoader", "default_collate"]
