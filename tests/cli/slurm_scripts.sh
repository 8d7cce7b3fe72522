#!/usr/bin/env bash
# The SLURM scripts outside SLURM, with `srun` and `scontrol` replaced by stand-ins on PATH
# (srun runs the command on one rank; scontrol records its arguments):
# - slurm/sweep.sbatch: USR1 (SLURM's warning before the time limit) reaches nessmap, the job is
#   requeued (scontrol requeue JOBID), and the requeued run completes the sweep from the journal;
# - slurm/sweep-array.sbatch: two slabs, then the merge by slurm/sweep.sbatch, give the file of a
#   direct run.
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
echo "slurm script checks passed"
