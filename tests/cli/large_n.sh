#!/usr/bin/env bash
# N = 5 (balanced block 184,756, where LU would need 254 GiB) with the default method: solved by
# the Sylvester-preconditioned GMRES, the state satisfies the first law, excitation conservation
# (Q_h/omega_h + Q_c/omega_c = 0) and ||L rho|| ~ 0; a solve longer than the progress interval
# reports its iterations on stderr, and --quiet silences them; so do the symmetric space's solvers.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n5=(input/point.yaml --set system.N=5 --set system.g_h=[0.5,0.55,0.6,0.65,0.7]
    --set system.g_c=[0.52,0.56,0.6,0.64,0.68] --set system.coupling=all_to_all
    --set "sweep.axes.omega_ratio=[1.5]" --restart)
"$nessmap" sweep "${n5[@]}" --set output.path="$tmp/n5.h5" --progress-interval 1 2> "$tmp/progress.log"
grep -q "GMRES iteration [0-9]*, residual .* of ||b||" "$tmp/progress.log" || { cat "$tmp/progress.log"; fail "no GMRES progress line"; }
"$nessmap" sweep "${n5[@]}" --set output.path="$tmp/quiet.h5" --progress-interval 1 --quiet 2> "$tmp/quiet.log"
! grep -q "GMRES iteration" "$tmp/quiet.log" || fail "--quiet printed GMRES progress"
# The symmetric space reports too: type 1 by sylvester (independent baths, N = 20: about 6 s),
# type 2 by GMRES with ILU(2) relative to its first residual (N = 8, 58,870 operators: about 5 s);
# sylvester's last line is near the tolerance (ILU's 12 iterations take under a second after its
# first line).
"$nessmap" sweep input/scaling.yaml --set "sweep.axes.N=[20]" --set "sweep.axes.bath=[independent]" \
  --set "sweep.axes.omega_ratio=[1.5]" --set output.path="$tmp/n20.h5" --progress-interval 1 2> "$tmp/n20.log"
grep -q "GMRES iteration [0-9]*, residual .* of ||b|| (target 1e-13)" "$tmp/n20.log" ||
  { cat "$tmp/n20.log"; fail "no GMRES progress line of sylvester in the symmetric space"; }
"$nessmap" sweep input/scaling.yaml --set "sweep.axes.N=[8]" --set "sweep.axes.bath=[independent]" \
  --set "sweep.axes.omega_ratio=[1.5]" --set system.coupling=pairwise --set solver.space=symmetric \
  --set output.path="$tmp/n8.h5" --progress-interval 1 2> "$tmp/n8.log"
grep -q "GMRES iteration [0-9]*, residual .* of the first (target 1e-13)" "$tmp/n8.log" ||
  { cat "$tmp/n8.log"; fail "no GMRES/ILU progress line in the symmetric space"; }
awk '/GMRES iteration/ { r = $6 + 0 } END { exit !(r < 1e-6) }' "$tmp/n20.log" ||
  { cat "$tmp/n20.log"; fail "the symmetric space's GMRES progress did not come down"; }
/usr/bin/python3 - "$tmp/n5.h5" <<'PY'
import sys
import h5py
h = h5py.File(sys.argv[1], "r")
assert h["status"][0] == 0, h["status"][:]
Q_h, Q_c, W = (float(h[k][0]) for k in ("Q_h", "Q_c", "W"))
scale = max(abs(Q_h), abs(Q_c), abs(W))
assert scale > 1e-4, scale                                  # an engine, not a trivial state
assert abs(Q_h + Q_c + W) < 1e-10 * scale, (Q_h, Q_c, W)    # first law
assert abs(Q_h / 1.5 + Q_c / 1.0) < 1e-10 * scale, (Q_h, Q_c)  # one excitation per quantum
assert W < 0 and Q_h > 0, (W, Q_h)                          # engine at omega_h/omega_c = 1.5 < T_h/T_c = 2
assert float(h["residual_norm"][0]) < 1e-12
assert float(h["min_eigenvalue"][0]) > -1e-10
print(f"N = 5: W = {W:.6g}, Q_h = {Q_h:.6g}, ||L rho|| = {float(h['residual_norm'][0]):.1e}")
PY
