"""torch.utils.data.dataset: the dataset classes and random_split."""
from nn.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]
