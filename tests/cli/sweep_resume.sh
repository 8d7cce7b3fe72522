#!/usr/bin/env bash
# Never lose work: a sweep killed with SIGKILL (mpirun and every rank, as when a node is lost),
# stopped with SIGTERM (sent to the rank, as SLURM does) or with SIGUSR1 (sent to mpirun, as a
# job script's trap does) is resumed by running the same command again, and the final file
# equals that of an uninterrupted run. Also: a second run on the same output is refused while the
# first runs, and a changed config refuses to resume, naming the change.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d)
cleanup() { pkill -9 -f "$tmp/" 2> /dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
config=tests/cli/configs/sweep_slow.yaml
compare() { /usr/bin/python3 tests/cli/compare_sweeps.py "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

"$mpiexec" -n 2 "$nessmap" sweep $config --quiet --set output.path="$tmp/reference.h5" 2> /dev/null

# Waits until the journal of $1 holds at least $2 bytes of records (the header is ~1 kB).
wait_for_points() {
  for _ in $(seq 400); do
    [ -f "$1.journal" ] && [ "$(stat -c %s "$1.journal")" -gt "$2" ] && return 0
    sleep 0.05
  done
  fail "no points were journaled in 20 s"
}
# The number of points a resumed run took from the journal, from its "resuming: K points" line.
resumed_points() { sed -n 's/.*resuming: \([0-9]*\) points.*/\1/p' "$1"; }

# --- SIGKILL of everything, twice, then finish ---
out=$tmp/killed.h5
for round in 1 2; do
  # Kill once this round has journaled points of its own: a threshold the previous round had already
  # passed let the kill come before setsid made the process group, and the sweep ran to its end.
  before=$(stat -c %s "$out.journal" 2> /dev/null || echo 0)
  setsid "$mpiexec" -n 2 "$nessmap" sweep $config --quiet --set output.path="$out" 2> "$tmp/kill$round.log" &
  pid=$!
  wait_for_points "$out" $((before + 3000))
  kill -9 -- -"$pid" 2> /dev/null || true   # the whole process group (gone if it just ended)
  wait "$pid" 2> /dev/null || true
  pkill -9 -f "output.path=$out" 2> /dev/null || true
done
[ ! -f "$out" ] || fail "a file with the final name exists after SIGKILL"
"$mpiexec" -n 2 "$nessmap" sweep $config --set output.path="$out" 2> "$tmp/resume.log"
k=$(resumed_points "$tmp/resume.log")
[ -n "$k" ] && [ "$k" -gt 0 ] && [ "$k" -lt 80 ] || fail "after SIGKILL the resumed run took '$k' points from the journal (expected 1..79)"
compare "$tmp/reference.h5" "$out"

# --- SIGTERM to a single-rank run: exit 3, a partial file, then resume ---
out=$tmp/term.h5
"$nessmap" sweep $config --quiet --set output.path="$out" 2> "$tmp/term.log" &
pid=$!
wait_for_points "$out" 3000
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
[ "$status" -eq 3 ] || { cat "$tmp/term.log"; fail "SIGTERM: exit status $status, expected 3"; }
grep -q "interrupted by SIGTERM" "$tmp/term.log" || fail "SIGTERM: no 'interrupted by SIGTERM' message"
/usr/bin/python3 - "$out" <<'PY' || fail "SIGTERM: the partial file is wrong"
import sys, numpy as np, xarray as xr
d = xr.open_dataset(sys.argv[1])
missing = int((d["status"] == 2).sum())
assert 0 < missing < 80 and missing == int(d.attrs["points_not_computed"]), missing
status, W = d["status"].values, d["W"].values
assert np.isnan(W[status == 2]).all() and np.isfinite(W[status == 0]).all()
assert (status != 1).all()
PY
"$nessmap" sweep $config --quiet --set output.path="$out" 2> /dev/null
compare "$tmp/reference.h5" "$out"

# --- SIGUSR1 to mpirun: forwarded to the ranks, exit 3, then resume on 3 ranks ---
out=$tmp/usr1.h5
"$mpiexec" -n 2 "$nessmap" sweep $config --quiet --set output.path="$out" > /dev/null 2>&1 &
pid=$!
wait_for_points "$out" 3000
kill -USR1 "$pid"
status=0; wait "$pid" || status=$?
[ "$status" -eq 3 ] || fail "SIGUSR1: exit status $status, expected 3"
"$mpiexec" --oversubscribe -n 3 "$nessmap" sweep $config --quiet --set output.path="$out" 2> /dev/null
compare "$tmp/reference.h5" "$out"

# --- one run per output; a changed config refuses to resume ---
out=$tmp/busy.h5
"$nessmap" sweep $config --quiet --set output.path="$out" 2> /dev/null &
pid=$!
wait_for_points "$out" 1000
status=0; "$nessmap" sweep $config --quiet --set output.path="$out" 2> "$tmp/busy.log" || status=$?
kill -9 "$pid"; wait "$pid" 2> /dev/null || true
[ "$status" -eq 2 ] && grep -q "another nessmap run is writing this output (pid $pid" "$tmp/busy.log" ||
  { cat "$tmp/busy.log"; fail "a second run on a busy output was not refused (status $status)"; }
status=0
"$nessmap" sweep $config --quiet --set output.path="$out" --set sweep.axes.omega_ratio.stop=2.9 2> "$tmp/changed.log" || status=$?
[ "$status" -eq 2 ] && grep -q "sweep.axes.omega_ratio differs: the journal has \[0.2" "$tmp/changed.log" &&
  grep -q -- "--restart" "$tmp/changed.log" || { cat "$tmp/changed.log"; fail "a changed config was not refused (status $status)"; }
status=0
"$nessmap" sweep $config --quiet --set output.path="$out" -pc_factor_mat_solver_type superlu 2> "$tmp/opts.log" || status=$?
[ "$status" -eq 2 ] && grep -q "solver options differs" "$tmp/opts.log" || { cat "$tmp/opts.log"; fail "changed solver options were not refused"; }
echo "resume tests passed"
