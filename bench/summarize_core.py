# SPDX-License-Identifier: Apache-2.0
"""Turns bench/run_core.sh output (CSV lines, '#' headers per OpenBLAS setting) into the markdown
tables of bench/RESULTS.md: medians over rounds, ratios against raw sgemm and PyTorch."""
import collections
import statistics
import sys


def main(path):
    data = collections.defaultdict(list)
    setting, order = None, []
    for line in open(path):
        line = line.strip()
        if line.startswith("#"):
            setting = line.split("OPENBLAS_CORETYPE=")[1].split(",")[0]
            continue
        if line.count(",") != 4:
            continue
        impl, case, threads, us, _ = line.split(",")
        key = (setting, case, threads)
        if key not in order:
            order.append(key)
        data[key + (impl,)].append(float(us))

    def med(key, impl):
        values = data.get(key + (impl,))
        return statistics.median(values) if values else None

    for wanted in ("gemm", "elementwise"):
        print(f"\n| OPENBLAS_CORETYPE | case | threads | Fathom µs | raw sgemm µs | PyTorch µs | Fathom / sgemm | PyTorch / Fathom |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for key in order:
            is_gemm = key[1].startswith(("fwd", "dW", "dX"))
            if is_gemm != (wanted == "gemm"):
                continue
            f, raw, torch = med(key, "fathom"), med(key, "openblas_sgemm"), med(key, "torch")
            raw_s = f"{raw:.1f}" if raw else "–"
            ratio_raw = f"{f / raw:.3f}" if raw else "–"
            print(f"| {key[0]} | {key[1]} | {key[2]} | {f:.1f} | {raw_s} | {torch:.1f} | {ratio_raw} | {torch / f:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
