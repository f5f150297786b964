# SPDX-License-Identifier: Apache-2.0
"""The PyTorch side of core_bench.cpp: same cases, same timing method, same CSV lines."""
import statistics
import sys
import time

import torch


def median_us(fn):
    for _ in range(5):
        fn()
    t0 = time.perf_counter()
    fn()
    first = max((time.perf_counter() - t0) * 1e6, 1.0)
    reps = min(max(int(300000.0 / first), 11), 2001)
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(samples)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    gemms = [
        ("fwd_128x784x256", 128, 256, 784, False, False), ("fwd_128x256x128", 128, 128, 256, False, False),
        ("fwd_128x128x10", 128, 10, 128, False, False), ("dW_784x128x256_TN", 784, 256, 128, True, False),
        ("dW_256x128x128_TN", 256, 128, 128, True, False), ("dX_128x256x784_NT", 128, 784, 256, False, True),
        ("dX_128x128x256_NT", 128, 256, 128, False, True),
    ]
    with torch.no_grad():
        for name, m, n, k, ta, tb in gemms:
            a = torch.randn(k, m) if ta else torch.randn(m, k)
            b = torch.randn(n, k) if tb else torch.randn(k, n)
            a_op = a.t() if ta else a
            b_op = b.t() if tb else b
            us = median_us(lambda: torch.matmul(a_op, b_op))
            print(f"torch,{name},{threads},{us:.2f},{2.0 * m * n * k / us / 1e3:.1f}")
        for shape in [(128, 256), (1024, 1024)]:
            s = f"{shape[0]}x{shape[1]}"
            x = torch.randn(*shape)
            bias = torch.randn(shape[1])
            n = x.numel()
            for label, fn in [("relu", lambda: torch.relu(x)), ("add_bias", lambda: x + bias),
                              ("exp", lambda: torch.exp(x)), ("sum_axis0", lambda: x.sum(0))]:
                us = median_us(fn)
                print(f"torch,{label}_{s},{threads},{us:.2f},{n / us / 1e3:.2f}")


if __name__ == "__main__":
    main()
