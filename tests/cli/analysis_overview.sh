#!/usr/bin/env bash
# `nessmap-plot FILE overview` (the end of README's main command) writes, for the default sweep's
# axes, a regime map per scenario, a power map, Figs. 3 and 4 and the summary, names each on
# stderr, and skips with a note what a sweep's axes do not allow.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$nessmap" sweep input/sweep.yaml --quiet --set output.path="$tmp/s.h5" --set output.csv=false \
  --set sweep.axes.omega_ratio.num=24 --set sweep.axes.T_ratio.num=7
analysis/nessmap-plot "$tmp/s.h5" overview 2> "$tmp/err" || { cat "$tmp/err"; fail "overview failed"; }
for bath in common cascaded independent; do
  for coupling in pairwise all_to_all; do
    f="$tmp/s_regime_bath-${bath}_coupling-${coupling}.png"
    [ -s "$f" ] && grep -qF "wrote $f" "$tmp/err" || fail "no regime map $f"
  done
done
for f in s_map_power_bath-independent_coupling-pairwise.png s_fig3.png s_fig4.png s_summary.txt; do
  [ -s "$tmp/$f" ] && grep -qF "wrote $tmp/$f" "$tmp/err" || { cat "$tmp/err"; fail "no $f"; }
done
[ "$(grep -c '^nessmap-plot: wrote' "$tmp/err")" -eq 10 ] || { cat "$tmp/err"; fail "not 10 files"; }
[ "$(grep -c 'maximum power' "$tmp/s_summary.txt")" -eq 6 ] || fail "summary has not 6 scenarios"
# A sweep along omega_ratio alone: no regime maps (they need T_ratio), the rest is drawn.
"$nessmap" sweep tests/cli/configs/sweep_small.yaml --quiet --set output.path="$tmp/line.h5" --set output.csv=false
analysis/nessmap-plot "$tmp/line.h5" overview 2> "$tmp/err2" || { cat "$tmp/err2"; fail "overview of a 1-D sweep failed"; }
grep -q "wrote $tmp/line_fig3.png" "$tmp/err2" && ! grep -q "regime" "$tmp/err2" || { cat "$tmp/err2"; fail "1-D sweep"; }
status=0; analysis/nessmap-plot "$tmp/s.h5" overview --out "$tmp/x.png" 2> "$tmp/err3" || status=$?
[ "$status" -eq 2 ] && grep -q "overview writes several files" "$tmp/err3" || fail "--out with overview"
echo "overview checks passed"
