"""Shared test setup.

Hypothesis profiles (MyGrad's scheme): `ci` small and derandomized, `dev` (default) more, `intense` many.
Pick one with HYPOTHESIS_PROFILE=ci|dev|intense; scripts/test.sh sets `ci`.

Data: tests marked `@pytest.mark.needs_mnist` read the full MNIST from $CHAINRULE_DATA/mnist, and tests marked
`@pytest.mark.needs_text` the real names and Shakespeare from $CHAINRULE_DATA/text. A fresh clone has no such
folders, so they skip with a reason that says how to get them. CI sets CHAINRULE_REQUIRE_DATA=1 (`.ci/run`), and
then a missing data set fails those tests instead: CI cannot go green by skipping them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=12, derandomize=True, print_blob=True,
                          phases=[p for p in Phase if p is not Phase.explain], **_common)
settings.register_profile("dev", max_examples=40, **_common)
settings.register_profile("intense", max_examples=500, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")
HOW_TO_GET_MNIST = (
    "needs the full MNIST: put its four IDX files (gzipped or not) in <DIR>/mnist and set CHAINRULE_DATA=<DIR>; "
    "online, `CHAINRULE_DATA=<DIR> python -c \"from nn.datasets import MNIST; MNIST(download=True)\"` "
    "fetches and checks them")


TEXT_FILES = ("names.txt", "shakespeare.txt")
HOW_TO_GET_TEXT = ("needs the real text: put names.txt (makemore's) and shakespeare.txt (char-rnn's "
                   "tinyshakespeare) in <DIR>/text and set CHAINRULE_DATA=<DIR> (e.g. ../shared/data)")


def _data_dir(sub: str, files: tuple[str, ...], gz: bool = False) -> Path | None:
    """$CHAINRULE_DATA when its folder `sub` holds each of `files` (or, with gz, its .gz), else None."""
    root = os.environ.get("CHAINRULE_DATA")
    if not root:
        return None
    folder = Path(root).expanduser() / sub
    found = all((folder / f).is_file() or (gz and (folder / f"{f}.gz").is_file()) for f in files)
    return Path(root).expanduser() if found else None


def mnist_data_dir() -> Path | None:
    """The folder named by $CHAINRULE_DATA when its mnist/ holds all four files, else None."""
    return _data_dir("mnist", MNIST_FILES, gz=True)


def text_data_dir() -> Path | None:
    """The folder named by $CHAINRULE_DATA when its text/ holds names.txt and shakespeare.txt, else None."""
    return _data_dir("text", TEXT_FILES)


# marker -> (what the error names, where it finds the data, how to get it)
DATA_MARKERS = {
    "needs_mnist": ("MNIST", mnist_data_dir, HOW_TO_GET_MNIST),
    "needs_text": ("the real text (text/names.txt, text/shakespeare.txt)", text_data_dir, HOW_TO_GET_TEXT),
}


def _data_required() -> bool:
    return os.environ.get("CHAINRULE_REQUIRE_DATA", "") not in ("", "0")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_mnist: reads the full MNIST from $CHAINRULE_DATA/mnist")
    config.addinivalue_line("markers", "needs_text: reads names.txt and shakespeare.txt from "
                                       "$CHAINRULE_DATA/text")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (name, find, how) in DATA_MARKERS.items():
        if item.get_closest_marker(marker) is None or find() is not None:
            continue
        where = os.environ.get("CHAINRULE_DATA") or "(CHAINRULE_DATA is not set)"
        if _data_required():
            pytest.fail(f"CHAINRULE_REQUIRE_DATA is set but {name} is missing from {where}; this test " + how,
                        pytrace=False)
        pytest.skip(how)


@pytest.fixture
def mnist_root() -> Path:
    """$CHAINRULE_DATA for tests marked needs_mnist (the marker has already skipped or failed without it)."""
    root = mnist_data_dir()
    assert root is not None, "use this fixture only in tests marked @pytest.mark.needs_mnist"
    return root
