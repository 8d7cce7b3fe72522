#!/usr/bin/env bash
# Failed points are recorded and the sweep completes (exit 0): (1) a solver forced to fail
# (GMRES without preconditioner, one iteration) fails every point with the solver's reason;
# (2) identical qubits (uniform g) under a common bath have no unique steady state, so exactly
# the common-bath points fail while cascaded and independent ones solve.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
config=tests/cli/configs/sweep_small.yaml
"$nessmap" sweep $config --quiet --set output.path="$tmp/forced.h5" -ksp_type gmres -pc_type none -ksp_max_it 1
# Nearly identical qubits under a common bath: a gap of 3e-13 ||L||_1, too close to roundoff to
# tell a unique state from a degenerate one, so those points fail and say so. Identical ones have a
# degenerate steady state, the long-time limit from system.initial_state: ok, dimension 2 or 4.
"$nessmap" sweep $config --quiet --set output.path="$tmp/uniform.h5" --set 'system.g_h=[0.5,0.500001]' --set 'system.g_c=[0.5,0.500001]'
"$nessmap" sweep $config --quiet --set output.path="$tmp/identical.h5" --set system.g_h=0.5 --set system.g_c=0.5
/usr/bin/python3 - "$tmp/forced.h5" "$tmp/uniform.h5" "$tmp/identical.h5" <<'PY'
import sys
import numpy as np
import xarray as xr
forced, uniform, identical = (xr.open_dataset(p) for p in sys.argv[1:4])
fails = []
def check(ok, what):
    if not ok: fails.append(what)
meaning = dict(zip(forced["status"].attrs["flag_values"], forced["status"].attrs["flag_meanings"].split()))
check(meaning == {0: "ok", 1: "failed", 2: "not_computed"}, f"status flags {meaning}")
check(int((forced["status"] == 1).sum()) == 180, "forced: not every point failed")
check(int(forced.attrs["points_failed"]) == 180 and int(forced.attrs["points_not_computed"]) == 0, "forced: counts")
check(bool(np.isnan(forced["W"]).all()), "forced: W of failed points is not NaN")
check(bool((forced["regime"] == -1).all()), "forced: regime of failed points is not -1")
reasons = [str(r) for r in forced["failure_reason"].values]
check(len(reasons) == 180 and all("did not converge" in r for r in reasons), f"forced: reasons {reasons[:2]}")
check(sorted(forced["failure_index"].values.tolist()) == list(range(180)), "forced: failure_index")
st = uniform["status"]
# On the reversibility line (omega_ratio = T_h/T_c = 2) the thermal product state is steady in every
# model, whatever the null space: J = 0 there to roundoff, and those points are ok.
off_line = st.sel(bath="common").where(st["omega_ratio"] != 2.0, drop=True)
check(bool((off_line == 1).all()), "uniform: common-bath points did not fail")
check(bool((st.sel(bath="common", omega_ratio=2.0) == 0).all()), "uniform: reversibility line")
check(bool((st.sel(bath=["cascaded", "independent"]) == 0).all()), "uniform: cascaded/independent points failed")
check(all("nearly degenerate" in str(r) and "|lambda_2|" in str(r) for r in uniform["failure_reason"].values),
      f"uniform: reason {uniform['failure_reason'].values[:1]}")
kinds = dict(zip(uniform["failure_kind"].attrs["flag_values"], uniform["failure_kind"].attrs["flag_meanings"].split()))
check(all(kinds[int(k)] == "inaccurate" for k in uniform["failure_kind"].values), "uniform: failure kinds")
check(int((identical["status"] == 0).sum()) == 180, "identical: not every point ok")
dim = identical["steady_state_dimension"]
check(bool((dim.sel(bath="common", coupling="pairwise") == 2).all()) and
      bool((dim.sel(bath="common", coupling="all_to_all") == 4).all()) and
      bool((dim.sel(bath=["cascaded", "independent"]) == 1).all()), "identical: steady_state_dimension")
# Every ok point states its estimated error, within the tolerance that made it ok (1e-6 of |J|, or
# 1e-12 of sum |Omega| where J is 0).
err = identical["excitation_current_error"]
J = abs(identical["excitation_current"])
check(bool(np.isfinite(err).all()) and bool((err <= 1e-6 * J + 1e-12 * 0.4).all()), "identical: excitation_current_error")
failed_errors = uniform["current_error"].values[uniform["status"].values == 1]
# (NaN where the null-space path found the gap undecidable before any state was formed.)
check(not bool((failed_errors <= 1e-6).any()), f"uniform: failed points keep their current_error {failed_errors[:3]}")
idx = uniform["failure_index"].values
bath_of = (idx // 2) % 3   # row-major over (omega_ratio 30, bath 3, coupling 2)
check(bool((bath_of == 0).all()) and len(idx) == 58, f"uniform: failure_index does not point at common: {idx[:6]}")
for f in fails: print("FAIL:", f, file=sys.stderr)
sys.exit(1 if fails else 0)
PY
