#!/usr/bin/env bash
# `nessmap sweep` on 1, 2 and 3 MPI ranks (3 oversubscribed on 2 cores) writes identical files;
# two ranks solving each point together (--ranks-per-point 2) agree to 1e-10, with the direct and
# the Sylvester-preconditioned solver; the file read from
# Python (xarray, h5py, the CSV) holds what `nessmap point` computes at the same parameters.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
config=tests/cli/configs/sweep_small.yaml
for n in 1 2 3; do
  "$mpiexec" --oversubscribe -n $n "$nessmap" sweep $config --quiet --set output.path="$tmp/ranks$n.h5"
done
"$mpiexec" -n 2 "$nessmap" sweep $config --quiet --ranks-per-point 2 --set output.path="$tmp/group2.h5"
compare=tests/cli/compare_sweeps.py
/usr/bin/python3 $compare "$tmp/ranks1.h5" "$tmp/ranks2.h5"
/usr/bin/python3 $compare "$tmp/ranks1.h5" "$tmp/ranks3.h5"
/usr/bin/python3 $compare --rtol 1e-10 "$tmp/ranks1.h5" "$tmp/group2.h5"
# The same for the Sylvester-preconditioned GMRES at N = 3 (80 points): each point starts from
# rho_0, so the rank that solves it does not matter, to the bit; a group splits the
# preconditioner's blocks over its two ranks.
slow=(tests/cli/configs/sweep_slow.yaml --quiet --set solver.method=sylvester)
for n in 1 3; do
  "$mpiexec" --oversubscribe -n $n "$nessmap" sweep "${slow[@]}" --set output.path="$tmp/sylvester$n.h5"
done
"$mpiexec" -n 2 "$nessmap" sweep "${slow[@]}" --ranks-per-point 2 --set output.path="$tmp/sylvester-group2.h5"
/usr/bin/python3 $compare "$tmp/sylvester1.h5" "$tmp/sylvester3.h5"
/usr/bin/python3 $compare --rtol 1e-10 "$tmp/sylvester1.h5" "$tmp/sylvester-group2.h5"
# The comparison itself must notice a difference: a different grid is not the same file.
"$nessmap" sweep $config --quiet --set output.path="$tmp/other.h5" --set sweep.axes.omega_ratio.stop=2.9
if /usr/bin/python3 $compare "$tmp/ranks1.h5" "$tmp/other.h5" 2> /dev/null; then
  echo "FAIL: compare_sweeps.py did not notice a different grid"; exit 1
fi
/usr/bin/python3 tests/cli/sweep_values.py "$tmp/ranks2.h5" $config "$nessmap"
