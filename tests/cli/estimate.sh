#!/usr/bin/env bash
# `nessmap estimate`: the dimension of each family is C(4N, 2N) (balanced), 4^(2N) (full) or 6N
# (pairs: type 2 under independent baths), the
# nonzeros those of the matrix `nessmap point` assembles, the points those of the grid; a family
# whose LU cannot fit in memory makes it exit 2, and an iterative solver makes the same fit; the
# default method (auto) takes N >= 4 to the iterative one and fits.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$nessmap" estimate tests/cli/configs/sweep_small.yaml > "$tmp/small.txt"
"$nessmap" estimate input/point.yaml --set system.N=3 --set system.g_h=[0.5,0.55,0.6] --set system.g_c=0.5 --set solver.space=full > "$tmp/full3.txt"
for bath in common cascaded independent; do
  for coupling in pairwise all_to_all; do
    "$nessmap" point input/point.yaml --set system.bath=$bath --set system.coupling=$coupling > "$tmp/$bath.$coupling.json"
  done
done
"$nessmap" point input/point.yaml --set system.bath=independent --set solver.space=pairs > "$tmp/independent.pairwise.pairs.json"
/usr/bin/python3 - "$tmp" <<'PY'
import json, math, sys
tmp = sys.argv[1]
rows = [l.split() for l in open(f"{tmp}/small.txt") if l[:1].isdigit() and "points in" not in l]
assert len(rows) == 6, rows
for N, bath, coupling, space, dim, nnz, *rest in rows:
    if space == "pairs":                                          # type 2, independent: N blocks of 6
        assert (bath, coupling) == ("independent", "pairwise") and int(dim) == 6 * int(N), (bath, coupling, dim)
    else:
        assert int(dim) == math.comb(8, 4), dim                   # C(4N, 2N) at N = 2
    point = json.load(open(f"{tmp}/{bath}.{coupling}{'.pairs' if space == 'pairs' else ''}.json"))
    assert int(nnz) == point["nnz"], (bath, coupling, nnz, point["nnz"])
    assert rest[-1] == "30", rest                                 # points per family: omega_ratio num
last = open(f"{tmp}/small.txt").read().splitlines()[-1]
assert last.startswith("180 points in 6 families"), last
full = [l.split() for l in open(f"{tmp}/full3.txt") if l[:1].isdigit() and "points in" not in l]
assert int(full[0][4]) == 4 ** 6, full                            # 4^(2N) at N = 3
PY

# In the balanced block (uniform g would otherwise take `space: auto` to the symmetric space).
n5=(input/point.yaml --set system.N=5 --set system.g_h=0.5 --set system.g_c=0.6 --set solver.space=balanced)
status=0; "$nessmap" estimate "${n5[@]}" --set solver.method=ksp > "$tmp/n5.txt" || status=$?
[ "$status" -eq 2 ] && grep -q "184756 .* ksp/LU .*does not fit" "$tmp/n5.txt" || { cat "$tmp/n5.txt"; fail "N = 5 with LU: status $status"; }
"$nessmap" estimate "${n5[@]}" --set solver.method=ksp -ksp_type gmres -pc_type jacobi > "$tmp/n5i.txt" ||
  { cat "$tmp/n5i.txt"; fail "N = 5 with GMRES does not fit"; }
"$nessmap" estimate "${n5[@]}" > "$tmp/n5auto.txt" && grep -q "184756 .* sylvester " "$tmp/n5auto.txt" ||
  { cat "$tmp/n5auto.txt"; fail "N = 5 with the default method does not fit or is not sylvester"; }
status=0; "$nessmap" estimate tests/cli/configs/sweep_small.yaml --set sweep.axes.N=[2,5] --set system.g_h=0.5 --set system.g_c=0.6 --set solver.method=ksp --set solver.space=balanced > "$tmp/axis.txt" || status=$?
[ "$status" -eq 2 ] && [ "$(grep -c 'does not fit' "$tmp/axis.txt")" -eq 6 ] || { cat "$tmp/axis.txt"; fail "a sweep with N = 5 families: status $status"; }
# space auto: the uniform common and independent families go to the symmetric space (2,506
# operators for pairwise, 420 for all_to_all at N = 5, physics.md's C(N+15,15) and C(N+3,3)^2
# restricted to balanced classes) and fit, except type 2 under independent baths: N pairs of 6;
# the cascaded ones stay balanced, where LU does not.
status=0; "$nessmap" estimate tests/cli/configs/sweep_small.yaml --set sweep.axes.N=[2,5] --set system.g_h=0.5 --set system.g_c=0.6 --set solver.method=ksp > "$tmp/auto.txt" || status=$?
[ "$status" -eq 2 ] && [ "$(grep -c 'does not fit' "$tmp/auto.txt")" -eq 2 ] &&
  [ "$(grep -c '^5 .*cascaded .*balanced .*184756 .*does not fit' "$tmp/auto.txt")" -eq 2 ] &&
  [ "$(grep -c '^5 .*common .*pairwise .*symmetric .*2506 ' "$tmp/auto.txt")" -eq 1 ] &&
  [ "$(grep -c '^5 .*independent .*pairwise .*pairs .*30 ' "$tmp/auto.txt")" -eq 1 ] &&
  [ "$(grep -c '^5 .*all_to_all .*symmetric .*420 ' "$tmp/auto.txt")" -eq 2 ] ||
  { cat "$tmp/auto.txt"; fail "space auto: symmetric families at N = 5 (status $status)"; }
# Beyond PETSc's index range (N = 9: 9.1e9 rows) no rows are built: "does not fit" at once.
status=0; timeout 20 "$nessmap" estimate input/point.yaml --set system.N=9 --set system.g_h=0.5 --set system.g_c=0.6 \
  --set solver.space=balanced > "$tmp/n9.txt" || status=$?
[ "$status" -eq 2 ] && grep -q "^9 .*9075135300 .*does not fit" "$tmp/n9.txt" || { cat "$tmp/n9.txt"; fail "N = 9: status $status"; }
echo "estimate checks passed"
