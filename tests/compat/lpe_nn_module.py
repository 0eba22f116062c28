"""The cubic fit with torch.nn: Sequential(Linear(3, 1), Flatten(0, 1)), MSELoss(reduction='sum'), hand updates.

Style: "Learning PyTorch with Examples", the nn section. The Linear layer is built by nn (its default init
draws random numbers) and then set to fixed values with copy_ under no_grad, so every number is compared.
Also prints the model and its parameters' names and shapes.
"""
import torch

x = torch.linspace(-2.0, 2.0, 800)
y = torch.tanh(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print("features", xx.shape)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.2, 0.1, -0.05]]))
    model[0].bias.fill_(0.1)
print(model)
for name, param in model.named_parameters():
    print(name, param.shape, param.requires_grad)

loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 5e-5
for t in range(600):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, f"{loss.item():.4f}")
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item():.4f} + {linear_layer.weight[:, 0].item():.4f} x + "
      f"{linear_layer.weight[:, 1].item():.4f} x^2 + {linear_layer.weight[:, 2].item():.4f} x^3")
