"""Bad arguments to ops: each error names the op, the shapes or dims involved, and what was expected."""
import numpy as np
import pytest

import autograd as ag

x = ag.tensor([1.0, 2.0, 3.0])
m = ag.tensor(np.ones((2, 3)))

CASES = [
    (lambda: x + ag.tensor([1.0, 2.0]), ValueError, r"add: shapes \(3,\) and \(2,\) do not broadcast"),
    (lambda: x.reshape(2, 2), ValueError, r"reshape.*\(2, 2\).*\(3,\)"),
    (lambda: x.permute(1, 0), ValueError, r"permute: dims \(1, 0\)"),
    (lambda: x.sum(3), IndexError, r"sum: dim 3 is out of range.*\(3,\)"),
    (lambda: m.mean((0, 2)), IndexError, r"mean: dim 2 is out of range"),
    (lambda: x.softmax(2), IndexError, r"softmax: dim 2 is out of range"),
    (lambda: ag.max(m, (0, 1)), TypeError, r"max\(x, dim\): dim must be one int.*amax"),
    (lambda: ag.amax(ag.tensor(np.zeros(0))), ValueError, r"cannot reduce an empty tensor"),
    (lambda: ag.cat([x, m]), ValueError, r"cat: tensor 1 has shape \(2, 3\)"),
    (lambda: ag.cat([x, x], 1), IndexError, r"cat: dim 1 is out of range"),
    (lambda: ag.cat([ag.tensor(1.0)]), ValueError, r"cat: zero-dimensional"),
    (lambda: ag.stack([x, m]), ValueError, r"stack: all tensors must have the same shape"),
    (lambda: ag.split(x, [1, 1]), ValueError, r"split: sections \[1, 1\] sum to 2"),
    (lambda: ag.split(x, 1, dim=3), IndexError, r"split: dim 3 is out of range"),
    (lambda: ag.chunk(x, 0), ValueError, r"chunk: chunks must be positive"),
    (lambda: x.squeeze(4), IndexError, r"squeeze: dim 4 is out of range"),
    (lambda: m.flatten(1, 0), ValueError, r"flatten: start_dim 1 comes after end_dim 0"),
    (lambda: x.unsqueeze(3), IndexError, r"unsqueeze: dim 3 is out of range"),
    (lambda: m.transpose(0, 2), IndexError, r"transpose: dim 2 is out of range"),
    (lambda: x.expand(2, 2), ValueError, r"expand.*\(3,\) cannot be broadcast to \(2, 2\)"),
    (lambda: ag.pad(x, (1,)), ValueError, r"pad: expected an even number of widths"),
    (lambda: x[0, 0], IndexError, r"getitem: index \(0, 0\) is invalid for a tensor of shape \(3,\)"),
    (lambda: x[ag.tensor([0.0])], IndexError, r"integer or bool"),
    (lambda: x.clamp(), ValueError, r"clamp: at least one of min and max"),
    (lambda: x @ ag.tensor([1.0, 2.0]), ValueError, r"matmul: shapes \(3,\) and \(2,\) cannot be multiplied"),
    (lambda: x @ ag.tensor(2.0), ValueError, r"matmul: both arguments need at least 1 dim"),
    (lambda: ag.cross_entropy(m, ag.tensor([0, 3])), IndexError, r"cross_entropy: target class 3 is out of range"),
    (lambda: ag.cross_entropy(m, ag.tensor([0])), ValueError, r"cross_entropy: input of shape \(2, 3\)"),
    (lambda: ag.cross_entropy(m, ag.tensor([0, 1]), reduction="avg"), ValueError, r"reduction must be"),
    (lambda: ag.cross_entropy(m, ag.tensor([0, 1]), weight=[1.0]), ValueError, r"weight must have shape \(3,\)"),
    (lambda: ag.mean(ag.tensor([1, 2])), TypeError, r"mean: needs a floating-point tensor"),
    (lambda: ag.gelu(x, approximate="fast"), ValueError, r"gelu: approximate must be"),
]


@pytest.mark.parametrize("call, error, pattern", CASES, ids=[c[2][:30] for c in CASES])
def test_bad_arguments_get_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_more_shape_errors():
    with pytest.raises(ValueError, match=r"sum_to: shape \(4,\) does not broadcast to the tensor's shape \(2, 3\)"):
        ag.sum_to(m, (4,))
    with pytest.raises(ValueError, match=r"expand: -1 .* new leading dim"):
        x.expand(-1, 3)
    with pytest.raises(ValueError, match=r"take_along_dim: indices of shape \(2,\) need as many dims"):
        ag.take_along_dim(m, ag.tensor([0, 1]), 1)
