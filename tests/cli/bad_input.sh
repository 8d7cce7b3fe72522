#!/usr/bin/env bash
# Bad input on the command line and in files: exit status 2 and a message that names the place.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
expect() {  # expect "PATTERN" nessmap-args...: exit 2 and PATTERN (fixed string) in stderr
  local pattern=$1; shift
  local status=0
  "$nessmap" "$@" > "$tmp/out" 2> "$tmp/err" || status=$?
  [ "$status" -eq 2 ] || { echo "FAIL: nessmap $* exited $status, not 2"; cat "$tmp/err"; exit 1; }
  grep -qF -- "$pattern" "$tmp/err" || { echo "FAIL: nessmap $*: no '$pattern' in:"; cat "$tmp/err"; exit 1; }
  [ ! -s "$tmp/out" ] || { echo "FAIL: nessmap $* printed a result"; exit 1; }
  n=$((n + 1))
}

expect "usage: nessmap point" frobnicate input/point.yaml
expect "missing CONFIG.yaml" point
expect "unknown option --frobnicate" point input/point.yaml --frobnicate
expect "$tmp/none.yaml" point "$tmp/none.yaml"

sed 's/^  T_h: 2.0/  T_h: -2.0/' input/point.yaml > "$tmp/neg.yaml"
line=$(grep -n "T_h:" "$tmp/neg.yaml" | cut -d: -f1)
expect "$tmp/neg.yaml:$line:" point "$tmp/neg.yaml"
expect "system.T_h" point "$tmp/neg.yaml"

printf 'system:\n  N: 2\n  N: 3\n' > "$tmp/dup.yaml"
expect "$tmp/dup.yaml:3:" point "$tmp/dup.yaml"

expect "--set system.omega_h=abc" point input/point.yaml --set system.omega_h=abc
expect "system.omega_hh" point input/point.yaml --set system.omega_hh=1
# Memory: N = 5 with a direct LU of the 184,756-dimensional block needs hundreds of GiB.
expect "GiB" point input/point.yaml --set system.N=5 --set system.g_h=0.5 --set system.g_c=0.6 --set solver.method=ksp
expect "--set system.N=5: system.N" point input/point.yaml --set system.N=5 --set system.g_h=0.5 --set system.g_c=0.6 --set solver.method=ksp
sed 's/^  N: 2 .*/  N: 5/; s/^  g_h: .*/  g_h: 0.5/; s/^  g_c: .*/  g_c: 0.6/; s/^  method: .*/  method: ksp/' input/point.yaml > "$tmp/n5.yaml"
line=$(grep -n "^  N:" "$tmp/n5.yaml" | cut -d: -f1)
expect "$tmp/n5.yaml:$line:6: system.N: N = 5" point "$tmp/n5.yaml"
# The full space at N = 4 (65,536) is refused too; the balanced block of N = 4 (12,870) is not.
expect "full space" point input/point.yaml --set system.N=4 --set system.g_h=0.5 --set system.g_c=0.6 --set solver.space=full --set solver.method=ksp
# N = 7 (dimension 40,116,600) with the default GMRES(60): its basis alone is 37 GiB; the message
# names the way out.
expect "N = 7 in the balanced space (dimension 40116600) needs about" point input/point.yaml --set system.N=7 --set system.g_h=0.5 --set system.g_c=0.6
expect "-ksp_gmres_restart 10 or 20" point input/point.yaml --set system.N=7 --set system.g_h=0.5 --set system.g_c=0.6
expect "option -sylvester_matrix dense: expected auto, structured or assembled" point input/point.yaml -sylvester_matrix dense
# The structured L has no rows for a preconditioner or matrix type that reads them (a new-user
# check found -pc_type jacobi giving zero currents marked ok), and GMRES needs a basis.
expect "option -sylvester_matrix structured: L is never assembled, so -pc_type jacobi" point input/point.yaml -sylvester_matrix structured -pc_type jacobi
expect "so -mat_type sell" estimate input/point.yaml -sylvester_matrix structured -mat_type sell
expect "option -ksp_gmres_restart 0: expected a positive number" point input/point.yaml -ksp_gmres_restart 0
expect "option -ksp_gmres_restart abc: expected a positive number" estimate input/point.yaml -ksp_gmres_restart abc
# -sylvester_pc no_jump / both need the qubit bases: identical qubits at N = 3 go to the symmetric
# space (space auto), which has no excitation sectors of single qubits.
expect "option -sylvester_pc no_jump: the no-jump preconditioner works in the balanced and full spaces" \
  point input/point.yaml --set system.N=3 --set system.bath=common --set system.coupling=all_to_all --set system.g_h=0.5 --set system.g_c=0.6 \
  --set solver.method=sylvester --set solver.space=symmetric -sylvester_pc no_jump
# Sweep-only options: named; estimate takes --ranks-per-point.
expect "--resume is a sweep option (estimate takes --ranks-per-point)" estimate input/point.yaml --resume
expect "--ranks-per-point is a sweep option" point input/point.yaml --ranks-per-point 2
echo "$n bad inputs refused with their messages"
