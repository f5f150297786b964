# SPDX-License-Identifier: Apache-2.0
"""PyTorch side of step_bench.cpp: the same CNN / LSTM / MLP classifier, Keras's initializers where
it matters little for timing (PyTorch defaults), Adam 1e-3 (eps 1e-7), the same batch shapes, NHWC
data permuted to NCHW once outside the timed step (PyTorch's native layout).
Usage: torch_step_bench.py cnn|lstm|mlp [threads] [steps] [batch]. Prints
"torch,<model>_b<batch>,<threads>,<ms per step>" (median after 3 warm-up steps)."""
import statistics
import sys
import time

import torch


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "cnn"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else {"cnn": 128, "lstm": 64, "mlp": 32}[which]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if which == "cnn":
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(64 * 5 * 5, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        x = torch.rand(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))
        forward = model
    elif which == "mlp":
        model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                    torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        x = torch.rand(batch, 28, 28)
        y = torch.randint(0, 10, (batch,))
        forward = model
    else:
        lstm = torch.nn.LSTM(32, 128, batch_first=True)
        dense = torch.nn.Linear(128, 10)
        model = torch.nn.ModuleList([lstm, dense])
        x = torch.randn(batch, 32, 32)
        y = torch.randint(0, 10, (batch,))

        def forward(inputs):
            out, _ = lstm(inputs)
            return dense(out[:, -1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for i in range(steps + 3):
        start = time.perf_counter()
        loss = loss_fn(forward(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        t = (time.perf_counter() - start) * 1000
        if i >= 3:
            times.append(t)
    print(f"torch,{which}_b{batch},{threads},{statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
