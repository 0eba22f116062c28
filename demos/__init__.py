"""The lessons, runnable on chainrule: each demo reproduces what a course's notes do and the numbers they report.

    python -m demos                     # the tour: an MLP on MNIST, the graph of a step, loss curve (~10 s)
    python -m demos.quadratic           # fit a quadratic by gradient descent; a sum of ReLUs
    python -m demos.two_layer           # y = W2·ReLU(W1·x + b1) + b2: hand-derived gradients vs autograd
    python -m demos.backprop_by_hand    # the matrix-calculus backward pass, next to autograd's
    python -m demos.mnist_logreg        # logistic regression on MNIST from scratch
    python -m demos.mnist_mlp           # the lecture's MLPs on MNIST, Adam, full batch
    python -m demos.mnist_cnn           # a LeNet-style CNN on MNIST: Conv2d, MaxPool2d, Adam
    python -m demos.logreg_graph        # the computational graph of logistic regression, as SVG
    python -m demos.moons               # a 2-16-16-1 MLP with a hinge loss on two moons
    python -m demos.makemore            # names: bigram counts, Bengio's MLP, the same with BatchNorm
    python -m demos.char_rnn            # a character-level LSTM on Shakespeare (char-rnn)
    python -m demos.char_gpt            # a small GPT on Shakespeare, character by character (nanoGPT's shape)

Every demo takes --quick (seconds, what the tests run) and --out DIR (pictures, default out/), and has
`main(argv) -> dict` of its metrics.
"""
