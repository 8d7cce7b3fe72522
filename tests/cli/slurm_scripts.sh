#!/usr/bin/env bash
# The SLURM scripts outside SLURM, with `srun` and `scontrol` replaced by stand-ins on PATH
# (srun runs the command on one rank; scontrol records its arguments):
# - slurm/sweep.sbatch: USR1 (SLURM's warning before the time limit) reaches nessmap, the job is
#   requeued (scontrol requeue JOBID), and the requeued run completes the sweep from the journal;
# - slurm/sweep-array.sbatch: two slabs, then the merge by slurm/sweep.sbatch, give the file of a
#   direct run;
# - slurm/sweep.sbatch with a stand-in srun that ends as soon as it gets the signal, 50 times
#   each way: the script always acts on srun's own exit status, however the signals and srun's
#   end interleave.
set -euo pipefail
nessmap=$(realpath "$1")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$tmp/bin"
printf '#!/bin/sh\nexec "$@"\n' > "$tmp/bin/srun"
printf '#!/bin/sh\necho "$@" >> "%s/scontrol.log"\n' "$tmp" > "$tmp/bin/scontrol"
chmod +x "$tmp/bin/srun" "$tmp/bin/scontrol"
export PATH="$tmp/bin:$PATH" NESSMAP="$nessmap" SLURM_SUBMIT_DIR="$PWD" SLURM_JOB_ID=12345
config=tests/cli/configs/sweep_slow.yaml
"$nessmap" sweep $config --quiet --set output.path="$tmp/direct.h5" 2> /dev/null

# --- one job, warned before its time limit, requeued, resumed ---
out=$tmp/job.h5
CONFIG=$config bash slurm/sweep.sbatch --quiet --set output.path="$out" > "$tmp/job1.log" 2>&1 &
pid=$!
for _ in $(seq 400); do [ -f "$out.journal" ] && [ "$(stat -c %s "$out.journal")" -gt 3000 ] && break; sleep 0.05; done
kill -USR1 "$pid"
status=0; wait "$pid" || status=$?
[ "$status" -eq 0 ] || { cat "$tmp/job1.log"; fail "sweep.sbatch after USR1 exited $status (expected 0 after requeueing)"; }
grep -qx "requeue 12345" "$tmp/scontrol.log" || { cat "$tmp/job1.log"; fail "the job was not requeued"; }
SLURM_RESTART_COUNT=1 CONFIG=$config bash slurm/sweep.sbatch --quiet --set output.path="$out" > "$tmp/job2.log" 2>&1 ||
  { cat "$tmp/job2.log"; fail "the requeued job failed"; }
grep -q "resuming: [1-9][0-9]* points" "$tmp/job2.log" || { cat "$tmp/job2.log"; fail "the requeued job did not resume"; }
/usr/bin/python3 tests/cli/compare_sweeps.py "$tmp/direct.h5" "$out"

# --- a job array of two slabs, then the merge ---
out=$tmp/array.h5
for slab in 0 1; do
  SLURM_ARRAY_JOB_ID=777 SLURM_ARRAY_TASK_ID=$slab SLURM_ARRAY_TASK_COUNT=2 CONFIG=$config \
    bash slurm/sweep-array.sbatch --quiet --set output.path="$out" > "$tmp/slab$slab.log" 2>&1 ||
    { cat "$tmp/slab$slab.log"; fail "slab $slab failed"; }
done
[ ! -e "$out" ] || fail "a slab wrote the output file"
CONFIG=$config bash slurm/sweep.sbatch --quiet --set output.path="$out" > "$tmp/merge.log" 2>&1 || { cat "$tmp/merge.log"; fail "merge failed"; }
[ "$(grep -c "merged [1-9][0-9]* points" "$tmp/merge.log")" -eq 2 ] || { cat "$tmp/merge.log"; fail "not two slabs merged"; }
/usr/bin/python3 tests/cli/compare_sweeps.py "$tmp/direct.h5" "$out"

# --- the signals and srun's end, in every order ---
# A stand-in srun (it ignores its arguments) that exits 3 when it gets USR1 or TERM, like
# nessmap: at once, or with SRUN_DELAY set after 0 to 40 ms. At once, srun often ends while the
# script's trap is still passing the signal on; `wait` then returns 138 (interrupted) instead of
# srun's 3, and the requeue was lost (in 5 to 15 of 50 runs before the fix).
race=$tmp/race
mkdir "$race" "$race/bin"
cat > "$race/bin/srun" << 'END_SRUN'
#!/bin/bash
sleep 10 & s=$!
# Like nessmap, it acts on the first signal and ignores those after it.
stop() { trap '' USR1 TERM; kill "$s" 2> /dev/null; [ -z "${SRUN_DELAY:-}" ] || sleep "0.0$((RANDOM % 5))"; exit 3; }
trap stop USR1 TERM
: > "$SRUN_READY"
wait "$s"
END_SRUN
printf '#!/bin/sh\necho "$@" >> "%s/scontrol.log"\n' "$race" > "$race/bin/scontrol"
chmod +x "$race/bin/srun" "$race/bin/scontrol"
# signal_runs NAME EXPECTED_STATUS EXPECTED_REQUEUES SIGNAL...: 50 runs of the script, each sent
# the signals (0 to 40 ms apart) once the stand-in srun is ready; counts the runs that end
# otherwise.
wrong=0
signal_runs() {
  local name=$1 want_status=$2 want_requeues=$3; shift 3
  local bad=0 i n pid status requeues
  for i in $(seq 50); do
    rm -f "$race/ready" "$race/scontrol.log"
    PATH="$race/bin:$PATH" SRUN_READY="$race/ready" bash slurm/sweep.sbatch > "$race/log" 2>&1 &
    pid=$!
    for _ in $(seq 1000); do [ -e "$race/ready" ] && break; sleep 0.01; done
    for n in $(seq $#); do
      [ "$n" -eq 1 ] || sleep "0.0$((RANDOM % 5))"
      kill -s "${!n}" "$pid" 2> /dev/null || true  # (the script may have ended already)
    done
    status=0; wait "$pid" || status=$?
    requeues=0
    [ ! -e "$race/scontrol.log" ] || requeues=$(grep -cx "requeue 12345" "$race/scontrol.log" || :)
    if [ "$status" -ne "$want_status" ] || [ "$requeues" -ne "$want_requeues" ]; then
      [ "$bad" -gt 0 ] || cat "$race/log"
      echo "$name, run $i: exit $status, $requeues requeues (expected $want_status, $want_requeues)"
      bad=$((bad + 1))
    fi
  done
  echo "$name: $bad of 50 runs wrong"
  wrong=$((wrong + bad))
}
signal_runs "USR1, srun ends at once" 0 1 USR1
SRUN_DELAY=1 signal_runs "USR1, srun ends after a delay" 0 1 USR1
signal_runs "USR1 twice" 0 1 USR1 USR1
signal_runs "TERM, not requeued" 3 0 TERM
[ "$wrong" -eq 0 ] || fail "$wrong runs of slurm/sweep.sbatch sent signals did not end as expected"
echo "slurm script checks passed"
