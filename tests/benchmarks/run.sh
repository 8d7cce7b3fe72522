#!/usr/bin/env bash
# The QuTiP comparison benchmark (issue 5), in one command after `bash .ci/setup`:
#
#     bash tests/benchmarks/run.sh [--quick] [--qutip-n4-timeout SECONDS] [--skip-n6] [--no-verify]
#     bash tests/benchmarks/run.sh --throughput-only [--rounds R]
#     bash tests/benchmarks/run.sh --symmetric-only
#     bash tests/benchmarks/run.sh --strong-only     (issue 15: Omega dominating the rates)
#
# For N = 1..4 and each bath model (all_to_all coupling, the paper's parameters): nessmap's
# per-point time (single-rank sweep) and peak memory, QuTiP's per-point time (build + steadystate
# + currents) and peak memory, their ratio, and a check that the currents agree to 1e-7; sweep
# throughput on 1 and 2 ranks against two independent 1-rank sweeps side by side (the default
# sweep, a longer one and N = 4 x 40 coarse points; --throughput-only: this alone); one point per
# bath at N = 5 and 6 (time, peak memory, iterations, residual) and what `nessmap estimate`
# predicts there. Prints a table and writes it to tests/benchmarks/results/<date>.md. --quick
# skips N = 4 and N = 6 (QuTiP needs about 25 minutes and 10 GiB per N = 4 point, nessmap minutes
# per N = 6 point).
# Installs Debian's python3-qutip (and python3-h5py, GNU time) only if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(python3 python3-qutip python3-h5py python3-numpy time openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "benchmark: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x build/nessmap ]; then
  echo "benchmark: build/nessmap not found; run 'bash .ci/setup' first" >&2
  exit 2
fi

# Open MPI refuses to run as root without these (they change nothing for other users).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One thread each: the comparison is single core against single core (the 2-rank throughput
# is measured separately).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

exec /usr/bin/python3 tests/benchmarks/bench.py "$@"
