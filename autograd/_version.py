"""chainrule's version, in one place: pyproject.toml reads it, `autograd.__version__` and `nn.__version__` are it."""
__version__ = "0.1.0"
