#!/usr/bin/env bash
# Stopping a sweep whose points take longer than Open MPI's kill delay. mpirun, sent SIGTERM,
# sends the ranks SIGCONT at once, SIGTERM a second later and SIGKILL a second after that
# (odls_base_sigkill_timeout = 1 s), so points of several seconds cannot finish. The master writes
# the output file from the journal as soon as its SIGTERM arrives, on a thread of its own, while
# the points go on. Checked with real points of 3-6 s (tests/cli/configs/sweep_long.yaml):
#   - under mpirun: the file exists before the kill, is readable, holds the points done as ok
#     and the rest as not_computed; mpirun returns 1 (Open MPI's own status for a job it was told
#     to end, whatever the ranks return); a rerun resumes from the journal to completion, with
#     the values of the interrupted run;
#   - on one process without mpirun: the file is written at the signal while the point in
#     flight goes on, then written again with that point, and the exit status is 3.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d)
cleanup() { pkill -9 -f "$tmp/" 2> /dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
config=tests/cli/configs/sweep_long.yaml
slow=(-ksp_gmres_restart 2)  # a few seconds a point (see the config)
fail() { echo "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
seconds() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

# Waits until the journal of $1 exists (the run is past its preparation and computing).
wait_for_journal() {
  for _ in $(seq 1200); do
    [ -f "$1.journal" ] && return 0
    sleep 0.05
  done
  fail "no journal after 60 s"
}
# Waits until the journal of $1 has grown past its header: a point is done.
wait_for_first_point() {
  wait_for_journal "$1"
  local header
  header=$(stat -c %s "$1.journal")
  for _ in $(seq 1200); do
    [ "$(stat -c %s "$1.journal")" -gt "$header" ] && return 0
    sleep 0.05
  done
  fail "no point was journaled in 60 s"
}
# Waits up to 3 s for the file $1; prints the time it appeared.
wait_for_file() {
  for _ in $(seq 150); do
    [ -f "$1" ] && { now; return 0; }
    sleep 0.02
  done
  return 1
}
# Checks a partial file: ok and not_computed points only, at least $2 ok and $3 not computed,
# the attributes agreeing, values where ok and NaN where not computed; prints the ok count.
check_partial() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, numpy as np, xarray as xr
d = xr.open_dataset(sys.argv[1])
s = d["status"].values
ok, missing = int((s == 0).sum()), int((s == 2).sum())
assert (s != 1).all(), "failed points"
assert ok >= int(sys.argv[2]) and missing >= int(sys.argv[3]) and ok + missing == s.size, (ok, missing)
assert int(d.attrs["points_ok"]) == ok and int(d.attrs["points_not_computed"]) == missing
W = d["W"].values
assert np.isfinite(W[s == 0]).all() and np.isnan(W[s == 2]).all()
print(ok)
PY
}

# --- SIGTERM to mpirun during long points ---
out=$tmp/long.h5
"$mpiexec" -n 2 "$nessmap" sweep $config --set output.path="$out" "${slow[@]}" > /dev/null 2> "$tmp/mpirun.log" &
pid=$!
wait_for_first_point "$out"
t0=$(now)
kill -TERM "$pid"
written=$(wait_for_file "$out") || { cat "$tmp/mpirun.log"; fail "mpirun SIGTERM: no output file within 3 s"; }
status=0; wait "$pid" || status=$?
t1=$(now)
grep -q "SIGTERM: wrote $out in [0-9.]* s with the points done so far" "$tmp/mpirun.log" ||
  { cat "$tmp/mpirun.log"; fail "mpirun SIGTERM: no 'SIGTERM: wrote' message"; }
[ "$status" -eq 1 ] || { cat "$tmp/mpirun.log"; fail "mpirun SIGTERM: mpirun returned $status, expected 1 (Open MPI 4.1's status after SIGTERM)"; }
ok=$(check_partial "$out" 1 1) || fail "mpirun SIGTERM: the partial file is wrong"
if grep -q "interrupted by SIGTERM" "$tmp/mpirun.log"; then ended="the points in flight ended before the kill"
else ended="the ranks were killed in their points"; fi
echo "mpirun SIGTERM: file written $(seconds "$t0" "$written") s after the signal ($ok of 6 points ok), mpirun ended after $(seconds "$t0" "$t1") s with status $status; $ended"
cp "$out" "$tmp/partial.h5"

# The rerun takes every point journaled (at least those in the file) and computes the rest.
"$mpiexec" -n 2 "$nessmap" sweep $config --set output.path="$out" "${slow[@]}" 2> "$tmp/resume.log"
k=$(sed -n 's/.*resuming: \([0-9]*\) points.*/\1/p' "$tmp/resume.log")
[ -n "$k" ] && [ "$k" -ge "$ok" ] && [ "$k" -lt 6 ] || { cat "$tmp/resume.log"; fail "the rerun resumed '$k' points, expected $ok..5"; }
/usr/bin/python3 - "$tmp/partial.h5" "$out" <<'PY' || fail "the resumed file is incomplete or differs from the partial one"
import sys, numpy as np, xarray as xr
part, full = xr.open_dataset(sys.argv[1]), xr.open_dataset(sys.argv[2])
assert (full["status"].values == 0).all()
done = part["status"].values == 0
for v in ("W", "Q_h", "Q_c"):
    assert np.array_equal(part[v].values[done], full[v].values[done]), v
PY

# --- SIGTERM to a single process during its first point ---
out=$tmp/one.h5
"$nessmap" sweep $config --set output.path="$out" --set "sweep.axes.g_scale=[1.0, 1.05]" "${slow[@]}" 2> "$tmp/one.log" &
pid=$!
wait_for_journal "$out"
sleep 0.5
t0=$(now)
kill -TERM "$pid"
written=$(wait_for_file "$out") || { cat "$tmp/one.log"; fail "SIGTERM: no output file within 3 s"; }
kill -0 "$pid" 2> /dev/null || fail "SIGTERM: the process ended before the file was checked (the point should still run)"
ok=$(check_partial "$out" 0 2) || fail "SIGTERM: the file written at the signal is wrong"
[ "$ok" -eq 0 ] || fail "SIGTERM: $ok points ok at the signal, expected 0"
status=0; wait "$pid" || status=$?
t1=$(now)
[ "$status" -eq 3 ] || { cat "$tmp/one.log"; fail "SIGTERM: exit status $status, expected 3"; }
grep -q "interrupted by SIGTERM" "$tmp/one.log" || fail "SIGTERM: no 'interrupted by SIGTERM' message"
ok=$(check_partial "$out" 1 1) || fail "SIGTERM: the final file is wrong"
echo "single process SIGTERM: file written $(seconds "$t0" "$written") s after the signal while the point went on; the point in flight ended and the file was written again after $(seconds "$t0" "$t1") s ($ok of 2 ok), exit 3"
echo "long-point signal tests passed"
