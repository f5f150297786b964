# SPDX-License-Identifier: Apache-2.0
"""PyTorch side of mlp_bench.cpp: the same MLP, initializers (Keras's glorot_uniform, zero bias),
Adam 1e-3 (eps 1e-7 as Keras), batch 128, shuffled each epoch, with accuracy computed per batch
as Keras's fit does. Prints "torch,mlp_fit,<threads>,<samples/s>"."""
import gzip
import statistics
import sys
import time

import numpy as np
import torch


def load(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    root = "/usr/share/datasets/fashion-mnist/"
    x = torch.from_numpy(load(root + "train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(load(root + "train-labels-idx1-ubyte.gz").astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(x))
        correct = 0
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            xb, yb = x[idx], y[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += (logits.argmax(1) == yb).sum().item()
        times.append(time.perf_counter() - start)
    print(f"torch,mlp_fit,{threads},{len(x) / statistics.median(times[1:]):.0f}")


if __name__ == "__main__":
    main()
