"""The training steps of bench/resnet.mjs in PyTorch (CPU, float32):
milliseconds per step, median.

    python3 packages/backend-native/bench/pytorch_resnet.py [--steps 10]
        [--warm-up 2] [--only resnet20,kd,wrn16-2,mobilenetv2] [--threads 2]
        [--json]

Batch 64, 3x32x32 inputs (NCHW), 10 classes, Adam at 1e-3, batch norm in
training mode (BatchNorm2d: momentum 0.1, eps 1e-5), no bias in the
convolutions.

resnet20     ResNet-20 (He et al. 2016, section 4.2), cross-entropy
kd           frozen ResNet-20 teacher in eval mode -> ResNet-8 student,
             0.5 * CE + 0.5 * T^2 * KL(softmax(t/T) || softmax(s/T)) at T = 4
             (Distillery's task.ce + response.kd, weights 0.5 and 0.5)
wrn16-2      WRN-16-2 (Zagoruyko & Komodakis 2016), pre-activation blocks, CE
mobilenetv2  MobileNetV2-style network for 32x32, CE

The models are those resnet.mjs builds with tfjs-layers (NHWC); see the
comments there. The ResNets' shortcut where the shape changes is option B,
a 1x1 convolution with stride 2 plus batch norm, in both. With --json the
last line is {"resnet20": {"ms": ..., "params": ...}, ...} for resnet.mjs.
"""

import argparse
import json

import torch
import torch.nn.functional as F
from torch import nn

# The MNIST bench's timing and BLAS report, so both benches measure alike.
from pytorch_steps import kd_loss, loaded_blas, median_ms


def conv(in_channels, out_channels, kernel_size, stride=1):
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size,
        stride=stride,
        padding=kernel_size // 2,
        bias=False,
    )


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN plus the shortcut, ReLU after the add."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.residual = nn.Sequential(
            conv(in_channels, out_channels, 3, stride),
            batch_norm(out_channels),
            nn.ReLU(),
            conv(out_channels, out_channels, 3),
            batch_norm(out_channels),
        )
        if stride != 1 or in_channels != out_channels:
            # Option B: a 1x1 convolution with stride 2 and batch norm.
            self.shortcut = nn.Sequential(
                conv(in_channels, out_channels, 1, stride),
                batch_norm(out_channels),
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        return F.relu(self.residual(x) + self.shortcut(x))


def resnet_cifar(n):
    """Depth 6n + 2: n = 3 is ResNet-20, n = 1 is ResNet-8."""
    layers = [conv(3, 16, 3), batch_norm(16), nn.ReLU()]
    channels = 16
    for stage, filters in enumerate([16, 32, 64]):
        for block in range(n):
            stride = 2 if stage > 0 and block == 0 else 1
            layers.append(BasicBlock(channels, filters, stride))
            channels = filters
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10)]
    return nn.Sequential(*layers)


class WideBlock(nn.Module):
    """Pre-activation: BN-ReLU-conv3x3-BN-ReLU-conv3x3 plus the shortcut."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.pre = nn.Sequential(batch_norm(in_channels), nn.ReLU())
        self.residual = nn.Sequential(
            conv(in_channels, out_channels, 3, stride),
            batch_norm(out_channels),
            nn.ReLU(),
            conv(out_channels, out_channels, 3),
        )
        self.projection = None
        if in_channels != out_channels:
            # As in the authors' code: a 1x1 convolution of the activated
            # input.
            self.projection = conv(in_channels, out_channels, 1, stride)

    def forward(self, x):
        activated = self.pre(x)
        if self.projection is None:
            shortcut = x
        else:
            shortcut = self.projection(activated)
        return self.residual(activated) + shortcut


def wide_resnet(depth=16, width=2):
    n = (depth - 4) // 6
    layers = [conv(3, 16, 3)]
    channels = 16
    for group, filters in enumerate([16 * width, 32 * width, 64 * width]):
        for block in range(n):
            stride = 2 if group > 0 and block == 0 else 1
            layers.append(WideBlock(channels, filters, stride))
            channels = filters
    layers += [
        batch_norm(channels),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(channels, 10),
    ]
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """1x1 expansion (none when t = 1), depthwise 3x3, 1x1 projection."""

    def __init__(self, in_channels, out_channels, expansion, stride):
        super().__init__()
        hidden = expansion * in_channels
        layers = []
        if expansion != 1:
            layers += [
                conv(in_channels, hidden, 1),
                batch_norm(hidden),
                nn.ReLU6(),
            ]
        layers += [
            nn.Conv2d(
                hidden,
                hidden,
                3,
                stride=stride,
                padding=1,
                groups=hidden,
                bias=False,
            ),
            batch_norm(hidden),
            nn.ReLU6(),
            conv(hidden, out_channels, 1),
            batch_norm(out_channels),
        ]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x):
        out = self.block(x)
        return out + x if self.residual else out


def mobilenet_v2():
    """Stem conv3x3 32, blocks (t, c, n, s) = (1, 16, 1, 1), (6, 24, 2, 2),
    (6, 32, 3, 2), 1x1 conv 128, global average pooling, dense 10."""
    layers = [conv(3, 32, 3), batch_norm(32), nn.ReLU6()]
    channels = 32
    for expansion, filters, repeats, stride in [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
    ]:
        for block in range(repeats):
            layers.append(InvertedResidual(
                channels, filters, expansion, stride if block == 0 else 1))
            channels = filters
    layers += [
        conv(channels, 128, 1),
        batch_norm(128),
        nn.ReLU6(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(128, 10),
    ]
    return nn.Sequential(*layers)


def random_batch():
    return torch.rand(64, 3, 32, 32), torch.randint(0, 10, (64,))


def trainable_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def cross_entropy_step(model):
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = random_batch()

    def step():
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step, trainable_params(model)


def kd_step():
    teacher = resnet_cifar(3).eval()
    for parameter in teacher.parameters():
        parameter.requires_grad_(False)
    student = resnet_cifar(1).train()
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-3)
    x, y = random_batch()
    temperature = 4.0

    def step():
        with torch.no_grad():
            teacher_logits = teacher(x)
        student_logits = student(x)
        kd = kd_loss(student_logits, teacher_logits, temperature)
        loss = 0.5 * F.cross_entropy(student_logits, y) + 0.5 * kd
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step, trainable_params(student)


STEPS = {
    "resnet20": ("ResNet-20 CE", lambda: cross_entropy_step(resnet_cifar(3))),
    "kd": ("KD ResNet-20 -> ResNet-8", kd_step),
    "wrn16-2": ("WRN-16-2 CE", lambda: cross_entropy_step(wide_resnet(16, 2))),
    "mobilenetv2": (
        "MobileNetV2-style CE",
        lambda: cross_entropy_step(mobilenet_v2()),
    ),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--only", default=",".join(STEPS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",")]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        parser.error(
            f"unknown step {', '.join(unknown)}; "
            f"the steps are {', '.join(STEPS)}"
        )

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"BLAS: {loaded_blas()}"
    )
    results = {}
    for name in names:
        what, build = STEPS[name]
        step, params = build()
        ms = median_ms(step, args.warm_up, args.steps)
        results[name] = {"ms": ms, "params": params}
        print(f"{what:<24} {ms:8.1f} ms/step")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
