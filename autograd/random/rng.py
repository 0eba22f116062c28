"""Generator (a numpy PCG64 generator behind PyTorch's interface), the default generator that `manual_seed`
seeds, its state and fork_rng, and `numpy_rng`: the numpy generator behind any `generator=` argument."""
from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..device import check_device
from ..tensor import Tensor

_DEFAULT_SEED = 67280421310721      # PyTorch's seed for a new Generator()
_MAGIC = b"CRNG\x01"                 # marks a get_state() state; format 1: seed, PCG64 state and increment


def _check_seed(seed: Any, fn: str) -> int:
    seed = seed.item() if isinstance(seed, Tensor) else seed
    if not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"{fn} expected a long, but got {type(seed).__name__}")
    if not -2**63 <= int(seed) < 2**64:
        raise ValueError(f"{fn}: seed {seed} does not fit in 64 bits")
    return int(seed) % 2**64         # PyTorch reads a negative seed as its unsigned 64-bit pattern


class Generator:
    """torch.Generator: an independent stream of random numbers. `Generator().manual_seed(s)` gives the same
    numbers every run; pass it as `generator=` to any random function, DataLoader or nn.init function."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = check_device(device, "Generator")
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = _check_seed(seed, "manual_seed")
        self._rng = np.random.Generator(np.random.PCG64(self._seed))   # np.random.default_rng(seed)'s numbers
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return that seed."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The full state as a uint8 tensor (PyTorch's form); set_state() with it replays the same numbers."""
        st = self._rng.bit_generator.state
        raw = (_MAGIC + self._seed.to_bytes(8, "little") + st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little") + bytes([st["has_uint32"]])
               + st["uinteger"].to_bytes(4, "little"))
        return Tensor._wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
            what = new_state.dtype if isinstance(new_state, Tensor) else type(new_state).__name__
            raise TypeError(f"set_state: the RNG state must be a uint8 tensor (what get_state() returns), "
                            f"got {what}")
        raw = new_state.numpy().tobytes()
        if len(raw) != len(_MAGIC) + 45 or not raw.startswith(_MAGIC):
            raise RuntimeError(f"set_state: not a state from a chainrule Generator's get_state() "
                               f"({len(raw)} bytes; a state made by PyTorch cannot be read: the algorithms "
                               f"differ)")
        b = raw[len(_MAGIC):]
        bits = np.random.PCG64()
        bits.state = {"bit_generator": "PCG64", "state": {"state": int.from_bytes(b[8:24], "little"),
                      "inc": int.from_bytes(b[24:40], "little")}, "has_uint32": b[40],
                      "uinteger": int.from_bytes(b[41:45], "little")}
        self._seed, self._rng = int.from_bytes(b[:8], "little"), np.random.Generator(bits)
        return self


default_generator = Generator()
default_generator.seed()                # a fresh seed each process, as PyTorch's default generator


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (behind every random function, dropout, nn.init, shuffling); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, **kwargs: Any) -> Iterator[None]:
    """torch.random.fork_rng: the default generator's state is put back on leaving the block."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def generator() -> np.random.Generator:
    """The default generator's numpy generator (for library code drawing with numpy directly)."""
    return default_generator._rng


def numpy_rng(generator: Any, fn: str) -> np.random.Generator:
    """The numpy generator behind `generator=`: the default one for None; a numpy Generator passes through."""
    if generator is None:
        return default_generator._rng
    if isinstance(generator, Generator):
        return generator._rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"{fn}(): argument 'generator' must be a Generator (e.g. Generator().manual_seed(0)) or "
                    f"None, not {type(generator).__name__}")
