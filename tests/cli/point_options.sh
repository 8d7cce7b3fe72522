#!/usr/bin/env bash
# Solvers are chosen through the PETSc options database: an iterative solve gives the direct
# solve's answer, and a solve that cannot converge is a failed point with its reason, not a crash.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$nessmap" point input/point.yaml > "$tmp/direct.json"
"$nessmap" point input/point.yaml -ksp_type gmres -pc_type ilu -ksp_rtol 1e-14 > "$tmp/gmres.json"
grep -q '"solver": "ksp gmres, pc ilu' "$tmp/gmres.json" || fail "options did not select gmres/ilu: $(cat "$tmp/gmres.json")"
/usr/bin/python3 tests/cli/compare_json.py 1e-8 "$tmp/direct.json" "$tmp/gmres.json"

"$nessmap" point input/point.yaml -pc_factor_mat_solver_type superlu_dist > "$tmp/superlu.json"
grep -q '(superlu_dist)' "$tmp/superlu.json" || fail "superlu_dist not selected"
/usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp/direct.json" "$tmp/superlu.json"

# -mat_type reaches the Liouvillian (MatSetFromOptions): PETSc's own report of the matrix names the
# type, and every method gives the AIJ answer with it.
for method in ksp eps sylvester; do
  "$nessmap" point input/point.yaml --set solver.method=$method -mat_type baij \
    -mat_view "ascii:$tmp/mat-$method.txt:ascii_info" > "$tmp/baij-$method.json"
  grep -q "type: seqbaij" "$tmp/mat-$method.txt" || fail "$method: -mat_type baij did not reach the matrix: $(cat "$tmp/mat-$method.txt")"
  /usr/bin/python3 tests/cli/compare_json.py 1e-9 "$tmp/direct.json" "$tmp/baij-$method.json"
done
# A type the factorisation cannot take is a failed point whose reason names it, with the JSON.
status=0
"$nessmap" point input/point.yaml -mat_type sell > "$tmp/sell.json" || status=$?
[ "$status" -eq 1 ] || fail "-mat_type sell with LU must fail the point (exit 1), got $status"
grep -q '"failure": "error"' "$tmp/sell.json" || fail "sell: no failure kind: $(cat "$tmp/sell.json")"
grep -q 'does not support matrix type seqsell' "$tmp/sell.json" || fail "sell: reason: $(cat "$tmp/sell.json")"

status=0
"$nessmap" point input/point.yaml -ksp_type gmres -pc_type none -ksp_max_it 1 > "$tmp/failed.json" || status=$?
[ "$status" -eq 1 ] || fail "a non-converged point must exit 1, got $status"
grep -q '"status": "failed"' "$tmp/failed.json" || fail "no failed status: $(cat "$tmp/failed.json")"
grep -q '"reason": "solver did not converge: DIVERGED_ITS' "$tmp/failed.json" || fail "no reason: $(cat "$tmp/failed.json")"
grep -q '"W": null' "$tmp/failed.json" || fail "observables of a failed point must be null"
# A preconditioner applied once is not a solver: the point fails as inaccurate, naming the
# residual it measured (it had printed J = 0 as ok), with its observables null.
status=0
"$nessmap" point input/point.yaml --set solver.method=ksp -pc_type jacobi > "$tmp/jacobi.json" || status=$?
[ "$status" -eq 1 ] || fail "-pc_type jacobi with preonly must fail the point (exit 1), got $status: $(cat "$tmp/jacobi.json")"
grep -q '"failure": "inaccurate"' "$tmp/jacobi.json" || fail "jacobi: failure kind: $(cat "$tmp/jacobi.json")"
grep -q 'does not invert L: its solution leaves a relative residual of' "$tmp/jacobi.json" || fail "jacobi: reason: $(cat "$tmp/jacobi.json")"
grep -q '"Q_h": null' "$tmp/jacobi.json" || fail "jacobi: Q_h of a failed point must be null"
# A misspelt option is named, not silently ignored.
"$nessmap" point input/point.yaml -ksp_tyep gmres > /dev/null 2> "$tmp/warn"
grep -qF "option -ksp_tyep gmres was not used" "$tmp/warn" || fail "no warning for an unused option"
echo "options select solvers and the matrix type; failed point reported; unused option named"
