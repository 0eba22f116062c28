"""The cubic fit with an optimizer: RMSprop, then SGD with momentum, then Adam, each from the same fixed start.

Style: "Learning PyTorch with Examples", the optim section (optimizer.zero_grad(), loss.backward(),
optimizer.step()). Deterministic: every loss and coefficient is compared.
"""
import torch

x = torch.linspace(-2.0, 2.0, 600)
y = torch.sin(x) + 0.5
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))


def make_model():
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.5, -0.3, 0.1]]))
        model[0].bias.zero_()
    return model


loss_fn = torch.nn.MSELoss(reduction="sum")
for name in ["RMSprop", "SGD", "Adam"]:
    model = make_model()
    if name == "RMSprop":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    elif name == "SGD":
        optimizer = torch.optim.SGD(model.parameters(), lr=2e-5, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.99))
    for t in range(300):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            print(name, t, f"{loss.item():.4f}")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    w = model[0].weight.detach().flatten().tolist()
    print(name, "bias", f"{model[0].bias.item():.4f}", "weights", " ".join(f"{v:.4f}" for v in w))
    print(name, "param_groups", len(optimizer.param_groups), "lr", optimizer.param_groups[0]["lr"])
