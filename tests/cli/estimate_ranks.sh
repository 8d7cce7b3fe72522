#!/usr/bin/env bash
# `nessmap estimate --ranks-per-point K` against what the ranks of `mpirun -n K nessmap point`
# actually hold: N = 5 (184,756 rows, Sylvester GMRES), the peak resident memory of each rank
# (/usr/bin/time) on 1 and 2 ranks. The estimate per rank must be within [0.6, 1.5] of the largest
# rank's peak (measured 1.05 and 0.88), and the split must lower the peak per rank, as the estimate
# says it does. The same for a small family of the symmetric space (N = 3, 78 classes, LU), where
# the process itself is most of a rank (measured 38 MiB a rank on 2 ranks: it is not divided).
# The same for the structured L (-sylvester_matrix structured, liouvillian/structured.hpp: no
# rows, so GMRES's basis and the Schur forms are most of it) at N = 5 on 1 and 2 ranks.
# A repeated --ranks-per-point takes the last value.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n5=(input/point.yaml --set system.N=5 --set system.bath=independent --set system.coupling=all_to_all
    --set system.g_h=[0.5,0.55,0.6,0.65,0.7] --set system.g_c=[0.5,0.55,0.6,0.65,0.7])
sym=(input/point.yaml --set system.N=3 --set system.bath=independent --set system.coupling=all_to_all
     --set system.g_h=0.5 --set system.g_c=0.6 --set solver.space=auto)
for K in 1 2; do
  "$nessmap" estimate "${n5[@]}" --ranks-per-point $K > "$tmp/estimate.$K.txt"
  "$mpiexec" --oversubscribe -n $K /usr/bin/time -a -o "$tmp/point.$K.peak" -f "peak_kib %M" "$nessmap" point "${n5[@]}" \
    > "$tmp/point.$K.json" 2> "$tmp/point.$K.err"
done
for K in 1 2; do
  "$nessmap" estimate "${n5[@]}" --ranks-per-point $K -sylvester_matrix structured > "$tmp/estimate.s$K.txt"
  "$mpiexec" --oversubscribe -n $K /usr/bin/time -a -o "$tmp/point.s$K.peak" -f "peak_kib %M" "$nessmap" point "${n5[@]}" -sylvester_matrix structured \
    > "$tmp/point.s$K.json" 2> "$tmp/point.s$K.err"
done
grep -q "sylvester/structured" "$tmp/estimate.s1.txt" || { cat "$tmp/estimate.s1.txt"; fail "the structured L is not named"; }
"$nessmap" estimate "${sym[@]}" --ranks-per-point 3 --ranks-per-point 2 > "$tmp/estimate.sym.txt"
"$mpiexec" --oversubscribe -n 2 /usr/bin/time -a -o "$tmp/point.sym.peak" -f "peak_kib %M" "$nessmap" point "${sym[@]}" \
  > "$tmp/point.sym.json" 2> "$tmp/point.sym.err"
grep -q "memory per rank of the 2 ranks" "$tmp/estimate.sym.txt" || { cat "$tmp/estimate.sym.txt"; fail "repeated --ranks-per-point: not the last"; }
grep -q "memory per rank of the 2 ranks" "$tmp/estimate.2.txt" || { cat "$tmp/estimate.2.txt"; fail "no per-rank line"; }
/usr/bin/python3 - "$tmp" <<'PY'
import json, re, sys
tmp = sys.argv[1]
def gib(text):  # "1.2 GiB" or "640.0 MiB"
    v, unit = text.split()
    return float(v) / (1024.0 if unit == "MiB" else 1.0)
peaks, estimates = {}, {}
for name, K, N in ((1, 1, "5"), (2, 2, "5"), ("sym", 2, "3"), ("s1", 1, "5"), ("s2", 2, "5")):
    row = next(l for l in open(f"{tmp}/estimate.{name}.txt") if l.startswith(N + " "))
    # the method's column, per rank: "+ LU" for a direct method, else "+ GMRES"
    sizes = re.findall(r"(\d+\.\d+ (?:GiB|MiB))", row)
    estimates[name] = gib(sizes[1] if "/LU" in row else sizes[2])
    # Each rank's /usr/bin/time appends its line to its own file (on the ranks' shared stderr two
    # lines once came out interleaved: "peak_peak_kib kib").
    ranks = [int(l.split()[1]) for l in open(f"{tmp}/point.{name}.peak") if l.startswith("peak_kib")]
    assert len(ranks) == K, (name, ranks, open(f"{tmp}/point.{name}.peak").read()[-2000:])
    peaks[name] = max(ranks) / 1024.0 ** 2
    point = json.load(open(f"{tmp}/point.{name}.json"))
    assert point["status"] == "ok"
    assert ("L structured" in point["solver"]) == str(name).startswith("s") or name == "sym", point["solver"]
    ratio = estimates[name] / peaks[name]
    print(f"{name}: K = {K}, estimate {estimates[name]:.3f} GiB per rank, largest peak {peaks[name]:.3f} GiB, "
          f"ratio {ratio:.2f}")
    assert 0.6 <= ratio <= 1.5, (name, ratio)
assert estimates[2] < 0.8 * estimates[1] and peaks[2] < 0.8 * peaks[1], (estimates, peaks)
# Without rows the point holds less, as estimated.
assert estimates["s1"] < 0.8 * estimates[1] and peaks["s1"] < 0.8 * peaks[1], (estimates, peaks)
PY
echo "estimate per rank checks passed"
