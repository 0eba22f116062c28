"""The CNN demo in its quick mode: it trains, beats chance by far, and draws its two pictures."""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")


def test_mnist_cnn_quick(tmp_path, capsys) -> None:
    from demos.mnist_cnn import main

    result = main(["--quick", "--out", str(tmp_path)])
    assert result["accuracy"] > 0.8                      # 2,000 images, one epoch: ~88 %; chance is 10 %
    for path in result["pictures"]:
        assert path.exists() and path.suffix == ".png" and path.stat().st_size > 5000
    assert {p.name for p in result["pictures"]} == {"mnist_cnn_filters.png", "mnist_cnn_feature_maps.png"}
    assert "test accuracy" in capsys.readouterr().out


def test_mnist_cnn_help(capsys) -> None:
    from demos.mnist_cnn import main

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out and "--epochs" in out and "--out" in out
