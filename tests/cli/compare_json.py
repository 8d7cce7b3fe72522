#!/usr/bin/python3
"""Compare the numeric keys of `nessmap point` JSON outputs.

usage: compare_json.py RTOL A.json B.json [...]   (every file against the first)
Exits non-zero, naming the key, when a number differs by more than RTOL relative to the largest
of the currents |W|, |Q_h|, |Q_c| (for currents and their parts) or to the value itself.
"""
import json
import sys

CURRENTS = {"Q_h", "Q_c", "W", "Q_h_loc", "Q_h_nonloc", "Q_c_loc", "Q_c_nonloc", "W_loc",
            "W_nonloc", "excitation_current", "entropy_production"}
SKIP = {"method", "solve_seconds", "iterations", "solver", "nnz", "trace_error", "hermiticity_error",
        "residual_norm", "first_law_residual", "excitation_current_error", "current_error"}


def main():
    rtol = float(sys.argv[1])
    docs = [json.load(open(p)) for p in sys.argv[2:]]
    ref = docs[0]
    scale = max(abs(ref[k]) for k in ("W", "Q_h", "Q_c"))
    bad = []
    for path, doc in zip(sys.argv[3:], docs[1:]):
        for key, a in ref.items():
            if key in SKIP:
                continue
            b = doc.get(key)
            if isinstance(a, (int, float)) and not isinstance(a, bool):
                yard = scale if key in CURRENTS else max(abs(a), 1e-300)
                if b is None or abs(a - b) > rtol * yard:
                    bad.append(f"{path}: {key}: {a} vs {b}")
            elif isinstance(a, list):
                if len(a) != len(b) or any(abs(x - y) > rtol * max(abs(x), 1e-300) for x, y in zip(a, b)):
                    bad.append(f"{path}: {key}: {a} vs {b}")
            elif a != b:
                bad.append(f"{path}: {key}: {a!r} vs {b!r}")
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print(f"{len(docs)} outputs agree to {rtol}")


if __name__ == "__main__":
    main()
