"""torch.utils.data.dataloader: DataLoader, default_collate, default_convert and get_worker_info."""
from nn.data import DataLoader, default_collate, default_convert, get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
