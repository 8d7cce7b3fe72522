#!/usr/bin/env bash
# Bad sweep input is refused before any work, with exit status 2 and a message that names the
# place: the file, line and key, the option, or the journal. Nothing is written.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
config=tests/cli/configs/sweep_small.yaml
n=0
expect() {  # expect "PATTERN" [mpiexec -n K] nessmap-args...: exit 2, PATTERN in stderr, no output file
  local pattern=$1; shift
  local status=0
  "$@" --set output.path="$tmp/out.h5" > "$tmp/out" 2> "$tmp/err" || status=$?
  [ "$status" -eq 2 ] || { echo "FAIL: $* exited $status, not 2"; cat "$tmp/err"; exit 1; }
  grep -qF -- "$pattern" "$tmp/err" || { echo "FAIL: $*: no '$pattern' in:"; cat "$tmp/err"; exit 1; }
  [ ! -e "$tmp/out.h5" ] || { echo "FAIL: $* wrote an output file"; exit 1; }
  n=$((n + 1))
}

# The config: a point file has no sweep section; errors inside the sweep name file:line:column.
expect "required key is missing" "$nessmap" sweep input/point.yaml
sed 's/num: 30}/num: 0}/' $config > "$tmp/num.yaml"
line=$(grep -n "num: 0" "$tmp/num.yaml" | cut -d: -f1)
expect "$tmp/num.yaml:$line:" "$nessmap" sweep "$tmp/num.yaml"
expect "sweep.axes.omega_ratio.num" "$nessmap" sweep "$tmp/num.yaml"
sed 's/    coupling: \[pairwise, all_to_all\]/    coupling: [pairwise, all_to_all]\n    T_h: [2.0, 3.0]\n    T_ratio: [2.0]/' $config > "$tmp/conflict.yaml"
expect "cannot be combined with the axis T_h" "$nessmap" sweep "$tmp/conflict.yaml"
expect "unknown axis" "$nessmap" sweep $config --set sweep.axes.omega_h=[1,2]
expect "system.g_h: must have N = 3 entries, got 2 (with bath = common from sweep.axes.bath, coupling = pairwise from sweep.axes.coupling, N = 3 from sweep.axes.N)" "$nessmap" sweep $config --set sweep.axes.N=[2,3]
# Memory: N = 5 cannot be solved directly in 24 GiB; the message names the axis that asks for it.
expect "sweep.axes.N" "$nessmap" sweep $config --set system.g_h=0.5 --set system.g_c=0.5 --set sweep.axes.N=[2,5] --set solver.method=ksp
expect "needs about" "$nessmap" sweep $config --set system.g_h=0.5 --set system.g_c=0.5 --set sweep.axes.N=[2,5] --set solver.method=ksp
# Memory per machine: a point that fits alone, but not as many at once as the ranks would solve.
# N = 40 with independent baths (one point about 5 GiB by `nessmap estimate`'s GMRES column);
# ranks: one more than the machine's memory holds such points.
per_point=$("$nessmap" estimate input/scaling.yaml --set sweep.axes.N=[40] --set sweep.axes.bath=[independent] |
  awk '$1 == 40 { print $(NF-3) * ($(NF-2) == "GiB" ? 1 : 1/1024) }')
memory=$(awk '/MemTotal/ { print $2 / 1048576 }' /proc/meminfo)
ranks=$(awk -v m="$memory" -v p="$per_point" 'BEGIN { k = int(0.9 * m / p) + 1; print (k < 2 ? 2 : k) }')
expect "groups of ranks on one machine may solve $ranks such points at once" "$mpiexec" --oversubscribe -n "$ranks" \
  "$nessmap" sweep input/scaling.yaml --set sweep.axes.N=[40] --set sweep.axes.bath=[independent] --set sweep.axes.omega_ratio=[1.5]

# Options.
expect "--slab needs I/K" "$nessmap" sweep $config --slab 3
expect "--slab I/K needs 0 <= I < K" "$nessmap" sweep $config --slab 2/2
expect "--ranks-per-point needs an integer >= 1" "$nessmap" sweep $config --ranks-per-point 0
expect "--resume and --restart contradict" "$nessmap" sweep $config --resume --restart
expect "--quiet is a sweep option" "$nessmap" point $config --quiet
expect "--progress-interval needs a positive number" "$nessmap" sweep $config --progress-interval -1
expect "there is no journal to resume" "$nessmap" sweep $config --resume
expect "does not divide the 3 MPI ranks" "$mpiexec" --oversubscribe -n 3 "$nessmap" sweep $config --ranks-per-point 2

# The output place: a directory that cannot be made; a journal that is not one.
touch "$tmp/file"
status=0; "$nessmap" sweep $config --set output.path="$tmp/file/out.h5" 2> "$tmp/err" || status=$?
[ "$status" -eq 2 ] && grep -qF "cannot create directory $tmp/file" "$tmp/err" || { echo "FAIL: output under a file: $status"; cat "$tmp/err"; exit 1; }
echo "not a journal" > "$tmp/out.h5.journal"
expect "$tmp/out.h5.journal: not a nessmap journal" "$nessmap" sweep $config
rm "$tmp/out.h5.journal"
echo "$n bad inputs refused with their messages"
