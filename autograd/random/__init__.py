"""Randomness as PyTorch: `Generator` objects, the default generator that `manual_seed` seeds, and every
random factory with `generator=`. Each Generator wraps a numpy PCG64 generator: same seed, same numbers (not
PyTorch's numbers: a different algorithm, the same distributions).
Files: rng.py (Generator, the default generator and its state), sampling.py (the random factories and fills)."""
from .rng import (
    Generator,
    default_generator,
    fork_rng,
    generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    numpy_rng,
    seed,
    set_rng_state,
)
from .sampling import (
    Bernoulli,
    Normal,
    bernoulli,
    fill,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
