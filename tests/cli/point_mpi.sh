#!/usr/bin/env bash
# `nessmap point` on 1, 2 and 3 MPI ranks (3 oversubscribed on 2 cores): the distributed matrix,
# MUMPS and the gathered state give the same observables, for both solvers.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for method in ksp eps; do
  for n in 1 2 3; do
    "$mpiexec" --oversubscribe -n $n "$nessmap" point input/point.yaml --set solver.method=$method \
      --set system.bath=common --set system.coupling=all_to_all > "$tmp/$method.$n.json"
  done
done
/usr/bin/python3 tests/cli/compare_json.py 1e-10 "$tmp"/ksp.1.json "$tmp"/ksp.2.json "$tmp"/ksp.3.json \
  "$tmp"/eps.1.json "$tmp"/eps.2.json "$tmp"/eps.3.json
