"""Small model factories. Each returns a plain nn.Module; `MODELS` names them for configs."""
from __future__ import annotations

import math

import torch.nn as nn
import torch.nn.functional as F


def mlp(in_shape, num_classes: int, width: int = 512, depth: int = 2, bias: bool = True) -> nn.Sequential:
    """Flatten → `depth` × (Linear(width) → ReLU) → Linear(num_classes)."""
    sizes = [math.prod(in_shape)] + [width] * depth
    layers: list[nn.Module] = [nn.Flatten()]
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b, bias=bias), nn.ReLU()]
    layers.append(nn.Linear(sizes[-1], num_classes, bias=bias))
    return nn.Sequential(*layers)


class PairMLP(nn.Module):
    """MLP on a pair of tokens (a, b) < p, read as two concatenated one-hot vectors.

    The first layer is Linear(2p, width) exactly as in the paper's code; multiplying it by
    a one-hot pair is a lookup of two weight columns, which is what `forward` does (same
    parameters, same init, same gradients, p times cheaper).
    """

    def __init__(self, p: int, width: int = 200, depth: int = 2, bias: bool = False):
        super().__init__()
        self.p = p
        sizes = [2 * p] + [width] * depth + [p]
        self.layers = nn.ModuleList(nn.Linear(a, b, bias=bias) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):  # x: (B, 2) integers
        first = self.layers[0]
        h = first.weight.T[x[:, 0]] + first.weight.T[self.p + x[:, 1]]  # (B, width)
        if first.bias is not None:
            h = h + first.bias
        for layer in self.layers[1:]:
            h = layer(F.relu(h))
        return h


class BasicBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


def resnet(in_shape, num_classes: int, width: int = 64, blocks=(3, 4, 6, 3)) -> nn.Sequential:
    """CIFAR-style ResNet (He et al., 2016): 3×3 stem, no max-pool. Default blocks = ResNet-34."""
    layers: list[nn.Module] = [nn.Conv2d(in_shape[0], width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    c = width
    for stage, n in enumerate(blocks):
        c_out = width * 2 ** stage
        for i in range(n):
            layers.append(BasicBlock(c, c_out, stride=2 if stage > 0 and i == 0 else 1))
            c = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


def resnet18(in_shape, num_classes: int, width: int = 64) -> nn.Sequential:
    """The same CIFAR-style ResNet with ResNet-18's (2, 2, 2, 2) blocks (post-activation, not PreAct)."""
    return resnet(in_shape, num_classes, width=width, blocks=(2, 2, 2, 2))


MODELS = {"mlp": mlp, "resnet18": resnet18, "resnet34": resnet}


def make(name: str, in_shape, num_classes: int, width: int) -> nn.Module:
    """The model a config names, e.g. make("mlp", (64,), 10, width=512)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: use one of {', '.join(MODELS)}")
    return MODELS[name](tuple(in_shape), num_classes, width=width)
