"""Build a network as an nn.Module subclass: Flatten + Sequential(Linear, ReLU, ...), softmax, argmax, the
model's printout and its parameters.

Style: the basics tutorial's "Build the Neural Network". nn.Linear's default init is random, so the weights
are then set from numpy's seeded generator (the same numbers for both libraries); everything is compared.
"""
import numpy as np
import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(6 * 6, 16),
            nn.ReLU(),
            nn.Linear(16, 16),
            nn.ReLU(),
            nn.Linear(16, 5),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)

rng = np.random.default_rng(0)
with torch.no_grad():
    for param in model.parameters():
        param.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, size=tuple(param.shape))))

X = torch.tensor(rng.uniform(0, 1, size=(3, 6, 6)), dtype=torch.float32, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
print("probabilities", [f"{v:.4f}" for v in pred_probab[0].tolist()], f"{pred_probab.sum(dim=1)[1].item():.4f}")

input_image = torch.tensor(rng.uniform(0, 1, size=(3, 4, 4)), dtype=torch.float32)
print(input_image.size())
flat_image = nn.Flatten()(input_image)
print(flat_image.size())
layer1 = nn.Linear(in_features=16, out_features=4)
with torch.no_grad():
    layer1.weight.copy_(torch.linspace(-1, 1, 64).reshape(4, 16))
    layer1.bias.fill_(-0.5)
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")

print(f"Model structure: {model}\n\n")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]}  \n")
print("total parameters", sum(p.numel() for p in model.parameters() if p.requires_grad))
