"""chainrule's benchmark suite: `python -m benchmarks` (see __main__.py). Not part of the test run: performance
is measured here against hand-written numpy and PyTorch CPU, never asserted as wall-clock times in tests."""
