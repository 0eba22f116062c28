"""The demos as a newcomer meets them: `--help` names the command, --quick is smaller than the full run, a lesson
that shows a mistake on purpose says so on screen, and one progress display per training run."""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")


@pytest.mark.parametrize("module, prog", [("demos.__main__", "python -m demos"),
                                          ("demos.quadratic", "python -m demos.quadratic"),
                                          ("demos.mnist_logreg", "python -m demos.mnist_logreg")])
def test_help_names_the_command(module, prog, capsys):
    main = __import__(module, fromlist=["main"]).main
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out.startswith(f"usage: {prog} ")


def test_quadratic_says_the_missing_zero_grad_is_on_purpose(tmp_path, capsys):
    from demos.quadratic import main
    main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "never zeroes abc.grad" in out and "on purpose" in out and "zero_()" in out


def test_tour_prints_one_summary(tmp_path, capsys):
    from demos.__main__ import main
    result = main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert out.count("test accuracy") == 1 and out.count("train loss") == 1     # the summary, once
    assert len(result["epochs"]) == 1
