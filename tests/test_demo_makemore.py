"""The makemore demo in its quick mode: each model beats uniform guessing by a margin, the networks learn, it
samples 20 names from the vocabulary, and it draws its two pictures."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # demos/ is not an installed package


def test_makemore_quick(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from demos.makemore import main

    m = main(["--quick", "--out", str(tmp_path)])
    losses = m["losses"]
    assert set(losses) == {"bigram counts", "MLP, 2-D embedding", "+ BatchNorm"}
    # uniform guessing is ln 27 = 3.30; the bigram is ~2.35 on the census names, ~2.4 on the shipped excerpt
    assert losses["bigram counts"]["dev"] < 2.6
    for label in ("MLP, 2-D embedding", "+ BatchNorm"):
        assert losses[label]["train"] < 2.75 and losses[label]["dev"] < 2.8, (label, losses[label])
        curve = m["curves"][label]
        assert curve[0] == pytest.approx(math.log(27), abs=0.3)            # the last layer starts scaled down
        assert sum(curve[-100:]) / 100 < curve[0] - 0.4                    # and training lowers the loss
    assert len(m["samples"]) == 20 and all(set(s) <= set("abcdefghijklmnopqrstuvwxyz") for s in m["samples"])
    out = capsys.readouterr().out
    assert "bigram counts" in out and "+ BatchNorm" in out and "20 names sampled" in out
    for name in ("makemore_bigram_counts.png", "makemore_embedding.png"):
        path = tmp_path / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_makemore_quick_offline_uses_the_shipped_names(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from demos.makemore import main

    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    m = main(["--quick", "--out", str(tmp_path)])
    assert m["source"] == "excerpt" and m["losses"]["+ BatchNorm"]["dev"] < 2.9


def test_makemore_help(capsys: pytest.CaptureFixture) -> None:
    from demos.makemore import main

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "python -m demos.makemore" in out and "--quick" in out and "Bengio" in out
