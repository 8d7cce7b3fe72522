#!/usr/bin/env bash
# A sweep over the g axis with identical qubits under a common bath (tests/cli/configs/
# sweep_identical_g.yaml, N = 2): the steady state is not unique at any point (physics.md), and
# nessmap reports the long-time limit from the initial state. On 2 MPI ranks, from the thermal start
# (the default) and from the ground state: no point fails, the file records the null space's
# dimension (2 pairwise, 4 all_to_all), and every point's Q_h is what `nessmap point` computes for
# the same system and start, to 1e-10 relative. The two starts give different currents.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
config=tests/cli/configs/sweep_identical_g.yaml
"$mpiexec" -n 2 "$nessmap" sweep $config --quiet --set output.path="$tmp/thermal.h5"
"$mpiexec" -n 2 "$nessmap" sweep $config --quiet --set system.initial_state=ground --set output.path="$tmp/ground.h5"
/usr/bin/python3 - "$nessmap" $config "$tmp/thermal.h5" "$tmp/ground.h5" <<'PY'
import json
import subprocess
import sys

import numpy as np
import xarray as xr

nessmap, config, thermal_path, ground_path = sys.argv[1:5]
fails = []
def check(ok, what):
    if not ok: fails.append(what)

g_values, ratios, couplings = [0.3, 0.5, 0.7], [0.5, 1.5, 2.5], ["pairwise", "all_to_all"]
expected_dimension = {"pairwise": 2, "all_to_all": 4}   # physics.md, "Master equation" (N = 2)
Q_h = {}
for start, path in (("thermal", thermal_path), ("ground", ground_path)):
    ds = xr.open_dataset(path)
    check(list(ds["Q_h"].dims) == ["g", "omega_ratio", "coupling"], f"{start}: Q_h dims {ds['Q_h'].dims}")
    check(ds["g"].values.tolist() == g_values and ds["omega_ratio"].values.tolist() == ratios
          and list(ds["coupling"].values) == couplings, f"{start}: coordinates")
    check(int(ds.attrs["points_total"]) == 18, f"{start}: points_total {ds.attrs['points_total']}")
    check(int(ds.attrs["points_failed"]) == 0 and int(ds.attrs["points_not_computed"]) == 0,
          f"{start}: {ds.attrs['points_failed']} failed, {ds.attrs['points_not_computed']} not computed")
    check(bool((ds["status"] == 0).all()), f"{start}: not every point ok")
    check("failure_reason" not in ds or ds["failure_reason"].size == 0,
          f"{start}: failure reasons {ds['failure_reason'].values[:3] if 'failure_reason' in ds else ''}")
    check(bool(np.isfinite(ds["Q_h"]).all()), f"{start}: Q_h not finite")
    check("steady_state_dimension" in ds, f"{start}: no steady_state_dimension in the file")
    for c in couplings:
        if "steady_state_dimension" in ds:
            dims = ds["steady_state_dimension"].sel(coupling=c).values
            check(bool((dims == expected_dimension[c]).all()), f"{start}, {c}: steady_state_dimension {dims.ravel()}")
        for g in g_values:
            for x in ratios:
                here = ds.sel(g=g, omega_ratio=x, coupling=c)
                args = [nessmap, "point", config, "--set", f"system.g_h={g!r}", "--set", f"system.g_c={g!r}",
                        "--set", f"system.omega_h={x!r}", "--set", f"system.coupling={c}",
                        "--set", f"system.initial_state={start}"]
                out = subprocess.run(args, capture_output=True, text=True)
                where = f"{start}, g={g}, omega_ratio={x}, {c}"
                check(out.returncode == 0, f"{where}: nessmap point exited {out.returncode}: {out.stdout[:300]} {out.stderr[:300]}")
                if out.returncode != 0:
                    continue
                point = json.loads(out.stdout)
                check(point["system"]["initial_state"] == start, f"{where}: point's initial_state {point['system']['initial_state']}")
                want, got = point["Q_h"], float(here["Q_h"])
                check(want is not None and abs(got - want) <= 1e-10 * max(abs(got), abs(want)),
                      f"{where}: Q_h file {got!r}, nessmap point {want!r}")
                check(point.get("steady_state_dimension") == expected_dimension[c],
                      f"{where}: nessmap point's steady_state_dimension {point.get('steady_state_dimension')}")
                Q_h[start, g, x, c] = got
# The start decides the state: ground and thermal give other currents (by far more than 1e-10).
differ = [k[1:] for k in Q_h if k[0] == "thermal" and ("ground",) + k[1:] in Q_h
          and abs(Q_h[k] - Q_h[("ground",) + k[1:]]) > 1e-3 * abs(Q_h[k])]
check(len(differ) == 18, f"thermal and ground starts differ at only {len(differ)} of 18 points")
for f in fails: print("FAIL:", f, file=sys.stderr)
sys.exit(1 if fails else 0)
PY
echo "identical g: every point solved from its start, as nessmap point"
