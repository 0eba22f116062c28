"""A CS231n-style two-layer net: loss(X, y, reg) computes scores, softmax loss with L2 regularisation and the
gradients by hand (no autograd), checked against a centred numerical gradient (eval_numerical_gradient with
h=1e-5, rel_error) and against autograd; then a few SGD steps of train().

float64 throughout, toy data and weights from numpy's seeded generator (np.random.seed, as the assignment
does): every number is compared; relative errors are printed as a verdict (below 1e-7), not as digits.
"""
import numpy as np
import torch


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=1e-1):
        self.params = {
            "W1": torch.from_numpy(std * np.random.randn(input_size, hidden_size)),
            "b1": torch.zeros(hidden_size, dtype=torch.float64),
            "W2": torch.from_numpy(std * np.random.randn(hidden_size, output_size)),
            "b2": torch.zeros(output_size, dtype=torch.float64),
        }

    def loss(self, X, y=None, reg=0.0):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]
        hidden = X.mm(W1) + b1
        relu = hidden.clamp(min=0)
        scores = relu.mm(W2) + b2
        if y is None:
            return scores
        shifted = scores - scores.max(dim=1, keepdim=True)[0]
        exp = shifted.exp()
        probs = exp / exp.sum(dim=1, keepdim=True)
        loss = -probs[torch.arange(N), y].log().sum() / N
        loss = loss + reg * ((W1 * W1).sum() + (W2 * W2).sum())
        dscores = probs.clone()
        dscores[torch.arange(N), y] -= 1
        dscores /= N
        grads = {"W2": relu.t().mm(dscores) + 2 * reg * W2, "b2": dscores.sum(dim=0)}
        dhidden = dscores.mm(W2.t())
        dhidden[hidden <= 0] = 0
        grads["W1"] = X.t().mm(dhidden) + 2 * reg * W1
        grads["b1"] = dhidden.sum(dim=0)
        return loss, grads

    def train(self, X, y, learning_rate=1e-1, reg=5e-6, num_iters=50):
        loss_history = []
        for it in range(num_iters):
            loss, grads = self.loss(X, y=y, reg=reg)
            loss_history.append(loss.item())
            for name in self.params:
                self.params[name] -= learning_rate * grads[name]
            if it % 10 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss.item():.6f}")
        return loss_history

    def predict(self, X):
        return self.loss(X).argmax(dim=1)


def eval_numerical_gradient(f, x, h=1e-5):
    grad = torch.zeros_like(x)
    flat, gflat = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        fxph = f(x)
        flat[i] = old - h
        fxmh = f(x)
        flat[i] = old
        gflat[i] = (fxph - fxmh) / (2 * h)
    return grad


def rel_error(x, y):
    return ((x - y).abs() / torch.clamp(x.abs() + y.abs(), min=1e-8)).max().item()


input_size, hidden_size, num_classes, num_inputs = 4, 10, 3, 5
np.random.seed(0)
net = TwoLayerNet(input_size, hidden_size, num_classes, std=1e-1)
np.random.seed(1)
X = torch.from_numpy(10 * np.random.randn(num_inputs, input_size))
y = torch.tensor([0, 1, 2, 2, 1])

scores = net.loss(X)
print("Your scores:")
print(scores)
loss, grads = net.loss(X, y, reg=0.05)
print(f"loss {loss.item():.8f}")

for param_name in sorted(grads):
    f = lambda W: net.loss(X, y, reg=0.05)[0].item()
    param_grad_num = eval_numerical_gradient(f, net.params[param_name])
    print(f"{param_name} max relative error below 1e-7: {rel_error(param_grad_num, grads[param_name]) < 1e-7}")

leaves = {k: v.clone().requires_grad_() for k, v in net.params.items()}
saved, net.params = net.params, leaves
auto_loss, _ = net.loss(X, y, reg=0.05)
auto_loss.backward()
net.params = saved
print("autograd agrees:", all(rel_error(leaves[k].grad, grads[k]) < 1e-10 for k in grads))

history = net.train(X, y, learning_rate=1e-1, reg=5e-6, num_iters=40)
print(f"Final training loss: {history[-1]:.6f}", "predictions", net.predict(X).tolist())
