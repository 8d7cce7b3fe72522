#!/usr/bin/python3
"""QuTiP reference (qutip_model.py) against `nessmap point`: the currents Q_h, Q_c, W and their
loc / nonloc parts must agree to TOL relative to the largest of |Q_h|, |Q_c|, |W|.

    /usr/bin/python3 tests/benchmarks/verify.py [--N 1 2 3] [--omega-h 0.7 1.5 2.6] [--json]

Exit status 0 if every point agrees, 1 otherwise. Prints one line per point and the maximum
relative difference per N.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import qutip_model as qm  # noqa: E402

TOL = 1e-7


def nessmap_point(binary, p):
    g = "[" + ",".join(repr(x) for x in p["g_h"]) + "]"
    cmd = [binary, "point", os.path.join(ROOT, "input", "point.yaml"),
           "--set", f"system.N={p['N']}", "--set", f"system.bath={p['bath']}",
           "--set", f"system.coupling={p['coupling']}",
           "--set", f"system.omega_h={p['omega_h']!r}", "--set", f"system.omega_c={p['omega_c']!r}",
           "--set", f"system.T_h={p['T_h']!r}", "--set", f"system.T_c={p['T_c']!r}",
           "--set", f"system.g_h={g}", "--set", f"system.g_c={g}",
           "--set", f"system.Omega={p['Omega']!r}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def compare(ref, other, keys=qm.CURRENT_KEYS):
    """max over keys of |ref - other| / max(|Q_h|, |Q_c|, |W|) of ref; and the worst key."""
    scale = max(abs(ref["Q_h"]), abs(ref["Q_c"]), abs(ref["W"]))
    worst, worst_key = 0.0, None
    for k in keys:
        d = abs(ref[k] - other[k]) / scale
        if d > worst or worst_key is None:
            worst, worst_key = d, k
    return worst, worst_key


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--N", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--omega-h", type=float, nargs="+", default=[0.7, 1.5, 2.6])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "nessmap"))
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    args = ap.parse_args()

    per_N = {}
    failures = 0
    for N in args.N:
        for bath in qm.BATHS:
            for coupling in qm.COUPLINGS:
                for wh in args.omega_h:
                    p = qm.paper_params(N, bath, coupling, wh)
                    q = qm.solve(**p)
                    n = nessmap_point(args.binary, p)
                    if n.get("status") != "ok":
                        print(f"N={N} {bath:11s} {coupling:10s} omega_h={wh}: nessmap status "
                              f"{n.get('status')} ({n.get('reason')})")
                        failures += 1
                        continue
                    d, k = compare(q, n)
                    first_law = abs(q["Q_h"] + q["Q_c"] + q["W"]) / max(
                        abs(q["Q_h"]), abs(q["Q_c"]), abs(q["W"]))
                    ok = d <= TOL
                    failures += not ok
                    per_N[N] = max(per_N.get(N, 0.0), d)
                    print(f"N={N} {bath:11s} {coupling:10s} omega_h={wh:<4}: max rel diff "
                          f"{d:.2e} ({k}), QuTiP Q_h={q['Q_h']:+.10e} W={q['W']:+.10e} "
                          f"first law {first_law:.1e} {'ok' if ok else 'MISMATCH'}", flush=True)
    print("max relative difference per N: " +
          ", ".join(f"N={N}: {d:.2e}" for N, d in per_N.items()) +
          f" (tolerance {TOL:g}); {'all agree' if not failures else f'{failures} MISMATCHES'}")
    if args.json:
        print(json.dumps({"per_N": per_N, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
