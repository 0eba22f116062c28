"""The first lines of most tutorials: pick a device (cuda / mps / accelerator / cpu), move tensors and models
there; then the random-number API: manual_seed reproducibility, Generator objects (manual_seed, initial_seed,
get_state / set_state), generator= on rand/randn/randint/randperm/normal/bernoulli/multinomial, *_like.

Random values differ between libraries, so only what holds for any generator is printed: shapes, dtypes,
ranges, that the same seed or restored state gives the same numbers again, that different seeds differ,
that randperm is a permutation.
"""
import torch

device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
print(f"Using {device} device", torch.cuda.is_available(), torch.cuda.device_count())
dev = torch.device(device)
print(dev, dev.type)
x = torch.ones(2, 3, device=dev)
y = x.to(device)
z = x.to("cpu", torch.float64)
print(x.device, y.device, z.dtype, z.device, x.to(torch.int64).dtype, x.cpu().device)
model = torch.nn.Linear(3, 1).to(device)
print(next(model.parameters()).device, model.to(torch.float64).weight.dtype)
print(torch.zeros(2, device="cpu").device == torch.device("cpu"))

torch.manual_seed(42)
a = torch.rand(5)
torch.manual_seed(42)
b = torch.rand(5)
print("same seed, same numbers:", torch.equal(a, b), a.dtype, bool((a >= 0).all() and (a < 1).all()))

g = torch.Generator().manual_seed(2147483647)
print("initial_seed", g.initial_seed())
state = g.get_state()
first = torch.randn(3, 4, generator=g)
g.set_state(state)
again = torch.randn(3, 4, generator=g)
print("restored state repeats:", torch.equal(first, again), first.shape)
other = torch.randn(3, 4, generator=torch.Generator().manual_seed(1))
print("different seeds differ:", not torch.equal(first, other))

ints = torch.randint(0, 10, (1000,), generator=g)
print(ints.dtype, ints.min().item() >= 0, ints.max().item() <= 9, ints.shape)
perm = torch.randperm(10, generator=g)
print(perm.dtype, sorted(perm.tolist()) == list(range(10)))
normal = torch.normal(2.0, 3.0, size=(4, 5), generator=g)
print(normal.shape, normal.dtype)
means = torch.normal(mean=torch.arange(1.0, 6.0), std=torch.full((5,), 1e-6))
print([round(v, 3) for v in means.tolist()])
coins = torch.bernoulli(torch.full((3, 3), 0.5), generator=g)
print(coins.shape, set(coins.flatten().tolist()) <= {0.0, 1.0})
print(torch.bernoulli(torch.ones(4)).tolist(), torch.bernoulli(torch.zeros(2)).tolist())
print(torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 5, replacement=True, generator=g).tolist())
like = torch.randn_like(torch.zeros(2, 5, dtype=torch.float64))
print(like.shape, like.dtype, torch.rand_like(like).dtype, torch.randint_like(like, 3).dtype)
e = torch.empty(3, 2)
print(e.shape, e.dtype, torch.empty(0).numel())
w = torch.empty(4, 3)
torch.nn.init.uniform_(w, -0.5, 0.5, generator=g)
print(bool((w.abs() <= 0.5).all()))
print(x.new_zeros((2, 2)).dtype, x.new_ones(3).shape, x.new_full((1,), 7.0).item(), x.new_tensor([1, 2]).dtype)
print(torch.is_tensor(x), torch.is_tensor([1]), torch.is_floating_point(x), torch.numel(x))
