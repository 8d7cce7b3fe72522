#!/usr/bin/python3
"""Time QuTiP per point (build the Liouvillian + qutip.steadystate + the currents) for one
(N, bath, coupling) over a grid of omega_h/omega_c, and compute the currents at one check point.
Meant to run in its own process (under /usr/bin/time for the peak memory); prints one JSON line:

    {"N":..., "bath":..., "points": K, "median_s":..., "min_s":..., "max_s":..., "times": [...],
     "build_s": median, "solve_s": median, "currents_s": median, "check": {currents at check}}

    /usr/bin/python3 qutip_bench.py N BATH COUPLING POINTS CHECK_OMEGA_H
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import qutip_model as qm  # noqa: E402


def one_point(p):
    t0 = time.perf_counter()
    L, ops = qm.model(**p)
    t1 = time.perf_counter()
    rho = qm.steady_state(L)
    t2 = time.perf_counter()
    cur = qm.currents(rho, ops)
    t3 = time.perf_counter()
    return cur, (t3 - t0, t1 - t0, t2 - t1, t3 - t2)


def main():
    N, bath, coupling = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    points, check_omega = int(sys.argv[4]), float(sys.argv[5])
    # the timed grid: like nessmap's sweep over omega_ratio (omega_c = 1); one point = the check
    grid = [check_omega] if points == 1 else list(np.linspace(0.05, 3.0, points))
    totals, builds, solves, currs = [], [], [], []
    check = None
    for w in grid:
        cur, (tt, tb, ts, tc) = one_point(qm.paper_params(N, bath, coupling, float(w)))
        totals.append(tt)
        builds.append(tb)
        solves.append(ts)
        currs.append(tc)
        if w == check_omega:
            check = cur
    if check is None:
        check, _ = one_point(qm.paper_params(N, bath, coupling, check_omega))
    print(json.dumps(dict(N=N, bath=bath, coupling=coupling, points=len(grid),
                          median_s=statistics.median(totals), min_s=min(totals),
                          max_s=max(totals), build_s=statistics.median(builds),
                          solve_s=statistics.median(solves),
                          currents_s=statistics.median(currs),
                          times=totals, check_omega_h=check_omega, check=check)))


if __name__ == "__main__":
    main()
