"""The character-level language-model demos in --quick mode (on the Shakespeare excerpt shipped in the package,
so no data folder is needed): the loss falls, a passage is generated, the pictures are real PNGs; and the GPT's
recorded attention weights are the ones scaled_dot_product_attention uses."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # demos/ is not an installed package
pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Tiny matrices: on a busy machine OpenBLAS's second thread spins and made the quick GPT 6x slower."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        yield


def _check_run(m: dict, tmp_path: Path) -> None:
    start = float(np.mean(m["train_curve"][:5]))
    assert m["val_curve"][0][1] > m["val_loss"] + 0.5           # validation loss falls from ~log(64)
    assert np.mean(m["train_curve"][-5:]) < start - 0.5
    assert len(m["passage"]) > 150 and "\n" in m["passage"]
    for p in m["pictures"]:
        assert Path(p).parent == tmp_path and Path(p).read_bytes()[:8] == PNG_SIGNATURE


def test_char_rnn_quick(tmp_path: Path) -> None:
    from demos import char_rnn

    _check_run(char_rnn.main(["--quick", "--out", str(tmp_path)]), tmp_path)


def test_char_gpt_quick(tmp_path: Path) -> None:
    from demos import char_gpt

    m = char_gpt.main(["--quick", "--out", str(tmp_path)])
    _check_run(m, tmp_path)
    assert {Path(p).name for p in m["pictures"]} == {"char_gpt_loss.png", "char_gpt_attention.png"}


def test_char_gpt_recorded_weights_are_what_attention_uses() -> None:
    import autograd as ag
    from demos import char_gpt

    ag.manual_seed(0)
    c = char_gpt.Config.quick()
    attn = char_gpt.CausalSelfAttention(c)
    x = ag.randn(2, 7, c.n_embd)
    attn.keep_weights = True
    out = attn(x)
    w = attn.weights.numpy()                                   # (B, heads, T, T)
    assert w.shape == (2, c.n_head, 7, 7)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
    assert np.all(w[..., np.triu_indices(7, 1)[0], np.triu_indices(7, 1)[1]] == 0)   # causal
    B, T, C = x.shape
    v = attn.qkv(x).split(C, dim=2)[2].view(B, T, c.n_head, C // c.n_head).transpose(1, 2)
    y = (attn.weights @ v).transpose(1, 2).reshape(B, T, C)
    np.testing.assert_allclose(attn.proj(y).numpy(), out.numpy(), rtol=1e-4, atol=1e-5)


def test_char_gpt_matches_its_pytorch_twin() -> None:
    """The same quick recipe, initial weights and batches in PyTorch (scripts/char_gpt_torch.py's model) gives
    the same losses: the demo's GPT is the model it says it is."""
    torch = pytest.importorskip("torch")
    import autograd as ag
    import nn
    from demos import char_gpt

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    twin = pytest.importorskip("char_gpt_torch")
    c = char_gpt.Config.quick()
    ag.manual_seed(char_gpt.SEED)
    ours = char_gpt.GPT(64, c)
    theirs = twin.GPT(64, c)
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    blocks = nn.datasets.Shakespeare(excerpt=True).blocks(c.block_size)
    x, y = blocks.get_batch(4, ag.Generator().manual_seed(0))
    _, loss = ours(x, y)
    loss.backward()
    t_loss = theirs(torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy()))
    t_loss.backward()
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-5)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name].grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
