#!/usr/bin/env bash
# One N = 7 point (type 1, cascaded bath, the paper's parameters: g = 0.5, 0.55, ..., 0.8 per
# qubit, Omega = 0.1, omega_h = 1.5, T_h = 2, T_c = 1) on one rank with the structured L and
# GMRES(10): the balanced block has 40,116,600 rows. Prints the point's JSON, PETSc's -log_view and
# /usr/bin/time's wall time and peak memory. About 30 minutes and 16.2 GiB on one core here
# (tests/benchmarks/results/2026-12-03-n7.md); it needs a 24 GiB machine to itself.
#
#     bash tests/benchmarks/n7_point.sh > n7.txt 2> n7.err
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
N=7
g=$(/usr/bin/python3 -c "print('[' + ','.join(repr(round(0.5 + 0.05 * k, 10)) for k in range($N)) + ']')")
/usr/bin/time -f "wall %e s peak %M KiB" build/nessmap point input/point.yaml --set system.N=$N \
  --set system.bath=cascaded --set system.coupling=all_to_all --set system.g_h="$g" --set system.g_c="$g" \
  --set system.Omega=0.1 --set system.omega_h=1.5 -ksp_gmres_restart 10 -log_view
