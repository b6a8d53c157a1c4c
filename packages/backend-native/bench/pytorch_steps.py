"""The two training steps of bench/steps.mjs in PyTorch (CPU, float32, 2 threads): milliseconds per step.

    python3 packages/backend-native/bench/pytorch_steps.py [--steps 20] [--warm-up 3] [--json]

(a) Hinton MNIST KD: batch 128, teacher 784-1200-1200-10 in inference, student 784-800-800-10 trained on
    CE + T² · KL(softmax(t/T) ‖ softmax(s/T)) at T = 20 (Distillery's task.ce + response.kd, weights 1), Adam.
(b) CNN: conv32-pool-conv64-pool-batchnorm-dense, batch 64, 28×28×1, cross-entropy, Adam.
With --json the last line is {"mlpKdMs": …, "cnnMs": …} for steps.mjs to read.
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(2)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def mlp_kd_step():
    teacher = mlp([784, 1200, 1200, 10]).eval()
    student = mlp([784, 800, 800, 10])
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-3)
    x = torch.rand(128, 784)
    y = torch.randint(0, 10, (128,))
    temperature = 20.0

    def step():
        with torch.no_grad():
            teacher_logits = teacher(x)
        student_logits = student(x)
        kd = kd_loss(student_logits, teacher_logits, temperature)
        loss = F.cross_entropy(student_logits, y) + kd
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def cnn_step():
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.BatchNorm2d(64),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 10),
    ).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))

    def step():
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def kd_loss(student_logits, teacher_logits, temperature):
    """Hinton's KD term as Distillery's kdLoss: T^2 * batch-mean KL(teacher || student) at T."""
    return F.kl_div(
        F.log_softmax(student_logits / temperature, dim=1),
        F.log_softmax(teacher_logits / temperature, dim=1),
        reduction="batchmean",
        log_target=True,
    ) * (temperature * temperature)


def loaded_blas():
    """The BLAS libraries this process mapped (Debian's torch uses whichever libblas.so.3 is selected)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
        return ", ".join(sorted(paths)) or "none mapped"
    except OSError:
        return "unknown"


def median_ms(step, warm_up, steps):
    for _ in range(warm_up):
        step()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS: {loaded_blas()}")
    mlp_kd_ms = median_ms(mlp_kd_step(), args.warm_up, args.steps)
    print(f"(a) MLP KD step: {mlp_kd_ms:.1f} ms/step")
    cnn_ms = median_ms(cnn_step(), args.warm_up, args.steps)
    print(f"(b) CNN step:    {cnn_ms:.1f} ms/step")
    if args.json:
        print(json.dumps({"mlpKdMs": mlp_kd_ms, "cnnMs": cnn_ms}))


if __name__ == "__main__":
    main()
