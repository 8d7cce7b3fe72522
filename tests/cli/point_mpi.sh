#!/usr/bin/env bash
# `nessmap point` on 1, 2 and 3 MPI ranks (3 oversubscribed on 2 cores): the distributed matrix,
# MUMPS, the Sylvester preconditioner's blocks split over the ranks and the gathered state give the
# same observables, for every solver. Sylvester at N = 3 is also compared with the direct solve,
# with the assembled L and with the structured one (-sylvester_matrix structured: each rank applies
# L to its share of rho's blocks), under each bath.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for method in ksp eps sylvester; do
  for n in 1 2 3; do
    "$mpiexec" --oversubscribe -n $n "$nessmap" point input/point.yaml --set solver.method=$method \
      --set system.bath=common --set system.coupling=all_to_all > "$tmp/$method.$n.json"
  done
done
/usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp"/ksp.1.json "$tmp"/ksp.2.json "$tmp"/ksp.3.json \
  "$tmp"/eps.1.json "$tmp"/eps.2.json "$tmp"/eps.3.json \
  "$tmp"/sylvester.1.json "$tmp"/sylvester.2.json "$tmp"/sylvester.3.json
n3=(input/point.yaml --set system.N=3 --set system.g_h=[0.5,0.55,0.6] --set system.g_c=[0.52,0.56,0.6]
    --set system.bath=cascaded --set system.coupling=all_to_all)
for n in 1 2 3; do
  "$mpiexec" --oversubscribe -n $n "$nessmap" point "${n3[@]}" --set solver.method=sylvester > "$tmp/n3.sylvester.$n.json"
done
"$nessmap" point "${n3[@]}" --set solver.method=ksp > "$tmp/n3.ksp.json"
/usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp"/n3.ksp.json "$tmp"/n3.sylvester.1.json \
  "$tmp"/n3.sylvester.2.json "$tmp"/n3.sylvester.3.json
for bath in common cascaded independent; do
  for n in 1 2 3; do
    "$mpiexec" --oversubscribe -n $n "$nessmap" point "${n3[@]}" --set system.bath=$bath --set solver.method=sylvester \
      -sylvester_matrix structured > "$tmp/n3.structured.$bath.$n.json"
  done
  grep -q '"solver": "[^"]*L structured' "$tmp/n3.structured.$bath.1.json" || { cat "$tmp/n3.structured.$bath.1.json"; echo "FAIL: not the structured L"; exit 1; }
  "$nessmap" point "${n3[@]}" --set system.bath=$bath --set solver.method=ksp > "$tmp/n3.ksp.$bath.json"
  /usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp"/n3.ksp.$bath.json "$tmp"/n3.structured.$bath.{1,2,3}.json
done
# The no-jump sweep (every rank makes all of it) then the Omega = 0 blocks (split), with the
# structured L between them, on 1, 2 and 3 ranks.
for n in 1 2 3; do
  "$mpiexec" --oversubscribe -n $n "$nessmap" point "${n3[@]}" --set solver.method=sylvester -sylvester_pc both \
    -sylvester_matrix structured > "$tmp/n3.both.$n.json"
done
grep -q '"solver": "[^"]*no-jump then Omega = 0), L structured' "$tmp/n3.both.1.json" || { cat "$tmp/n3.both.1.json"; echo "FAIL: not both with the structured L"; exit 1; }
/usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp"/n3.ksp.cascaded.json "$tmp"/n3.both.{1,2,3}.json
