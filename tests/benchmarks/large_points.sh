#!/usr/bin/env bash
# One point per bath at the paper's parameters (type 1, g = 0.5, 0.55, ... per qubit, Omega = 0.1,
# omega_h = 1.5, T_h = 2, T_c = 1) at N = 6 (or $N): wall time, solve time, GMRES iterations, peak
# memory of the largest rank and the currents. The reference, in the same run and binary: the
# common bath with the assembled L (-sylvester_matrix assembled) on one rank; then the default
# (the structured L from N = 6) for each bath on 1 and 2 ranks, and the common bath with
# GMRES(20). The common bath is also solved with OpenBLAS's generic SSE3 kernels
# (OPENBLAS_CORETYPE=Prescott, what Debian's OpenBLAS picks on a CPU model it does not know;
# petsc/blas.hpp). With REFERENCE=path/to/other/nessmap the common bath is also solved by that binary
# (e.g. an earlier commit built elsewhere). Writes a Markdown table to stdout.
#
#     bash tests/benchmarks/large_points.sh > tests/benchmarks/results/DATE-large.md
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-6}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
g=$(/usr/bin/python3 -c "print('[' + ','.join(repr(round(0.5 + 0.05 * k, 10)) for k in range($N)) + ']')")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() {  # run LABEL BINARY RANKS BATH [PETSc options...]
  local label=$1 binary=$2 ranks=$3 bath=$4 start end
  shift 4
  start=$(date +%s.%N)
  mpiexec --oversubscribe -n "$ranks" /usr/bin/time -f "peak_kib %M" \
    "$binary" point input/point.yaml --set system.N="$N" --set system.bath="$bath" \
    --set system.coupling=all_to_all --set system.g_h="$g" --set system.g_c="$g" --set system.Omega=0.1 \
    --set system.omega_h=1.5 "$@" > "$tmp/out.json" 2> "$tmp/err.txt" || true
  end=$(date +%s.%N)
  /usr/bin/python3 - "$label" "$ranks" "$bath" "$*" "$start" "$end" "$tmp" <<'PY'
import json, sys
label, ranks, bath, options, start, end, tmp = sys.argv[1:]
try:
    d = json.load(open(f"{tmp}/out.json"))
except ValueError:
    print(f"| {label} | {bath} | {ranks} | {options or '-'} | no result | | | | | | |"); sys.exit()
peaks = [int(l.split()[1]) for l in open(f"{tmp}/err.txt") if l.startswith("peak_kib")]
L = "structured" if "L structured" in d["solver"] else "assembled"
print(f"| {label} | {bath} | {ranks} | {L} {options} | {d['status']} | {d['iterations']} | "
      f"{float(end) - float(start):.1f} s | {d['solve_seconds']:.1f} s | "
      f"{f'{max(peaks) / 1024**2:.2f} GiB' if peaks else 'not reported'} | "
      f"{d['Q_h']:.12g} | {d['current_error']:.1e} |", flush=True)
PY
}
echo "N = $N, $(git rev-parse --short HEAD), $(getconf _NPROCESSORS_ONLN) cores, $(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') (model $(grep -m1 '^model[[:space:]]' /proc/cpuinfo | cut -d: -f2 | tr -d ' '))"
echo
echo "| binary | bath | ranks | L, options | status | iterations | wall | solve_seconds | peak (largest rank) | Q_h | current_error |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
if [ -n "${REFERENCE:-}" ]; then run reference "$REFERENCE" 1 common; fi
run this build/nessmap 1 common -sylvester_matrix assembled
OPENBLAS_CORETYPE=Prescott run "this, Prescott kernels" build/nessmap 1 common
for bath in common cascaded independent; do run this build/nessmap 1 $bath; done
for bath in common cascaded independent; do run this build/nessmap 2 $bath; done
run this build/nessmap 1 common -ksp_gmres_restart 20
