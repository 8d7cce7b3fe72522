#!/usr/bin/env bash
# nessmap-plot's general pictures (regime, map, lines) from real sweeps. Every run exits 0 and
# writes a picture that is not blank, also with a PATH whose python3 is broken (the script runs
# /usr/bin/python3). A regime map shows exactly the regimes of the data: read from the HDF5 file
# here, each cell's pixels have its regime's colour, no colour of an absent regime appears (data
# area or legend), nothing blends between cells, and the Carnot line is black. Bad arguments exit
# 2 with a message that names the problem and write nothing.
set -euo pipefail
nessmap=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
plot=analysis/nessmap-plot
fail() { echo "FAIL: $*"; exit 1; }

# s.h5: omega_ratio 0.05..3 (40) x T_ratio 1..4 (7) x bath x coupling; small.h5: no T_ratio axis;
# log.h5: log-spaced omega_ratio x an unsorted, uneven T_ratio list, one scenario;
# uniform.h5: identical qubits, so every common-bath point fails (regime not_available).
"$nessmap" sweep input/sweep.yaml --quiet --set sweep.axes.omega_ratio.num=40 \
  --set sweep.axes.T_ratio.num=7 --set output.csv=false --set output.path="$tmp/s.h5" 2> /dev/null
"$nessmap" sweep tests/cli/configs/sweep_small.yaml --quiet --set output.csv=false \
  --set output.path="$tmp/small.h5" 2> /dev/null
"$nessmap" sweep input/sweep.yaml --quiet --set 'sweep.axes.omega_ratio={start: 0.1, stop: 3, num: 30, log: true}' \
  --set 'sweep.axes.T_ratio=[3, 1.5, 2, 1.2]' --set 'sweep.axes.bath=[cascaded]' --set 'sweep.axes.coupling=[pairwise]' \
  --set output.csv=false --set output.path="$tmp/log.h5" 2> /dev/null
"$nessmap" sweep tests/cli/configs/sweep_small.yaml --quiet --set output.csv=false \
  --set system.g_h=0.5 --set system.g_c=0.5 --set output.path="$tmp/uniform.h5" 2> /dev/null

# The pictures are made in parallel (four at a time); `finish` waits for all and fails if one did.
pids=()
throttle() { while [ "$(jobs -rp | wc -l)" -ge 4 ]; do sleep 0.05; done; }
finish() {
  local bad=0
  for p in "${pids[@]}"; do wait "$p" || bad=1; done
  pids=()
  [ "$bad" -eq 0 ] || fail "see above"
}
# run OUT ARGS...: exit 0, OUT written and named on stderr.
run_one() {
  local out=$1; shift
  local status=0 err=$tmp/$(basename "$out").err
  "$plot" "$@" > /dev/null 2> "$err" || status=$?
  [ "$status" -eq 0 ] || { cat "$err"; fail "nessmap-plot $* exited $status"; }
  [ -s "$out" ] || fail "nessmap-plot $*: $out not written"
  grep -qF "wrote $out" "$err" || fail "nessmap-plot $*: stderr does not name $out"
}
run() { throttle; run_one "$@" & pids+=($!); }

# A python3 first on PATH that fails: nessmap-plot must not use it.
mkdir "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' > "$tmp/bin/python3"; chmod +x "$tmp/bin/python3"
! PATH="$tmp/bin:$PATH" python3 -c pass 2> /dev/null || fail "the fake python3 is not first on PATH"
PATH="$tmp/bin:$PATH" run_one "$tmp/A.png" "$tmp/s.h5" regime --sel bath=common coupling=pairwise --out "$tmp/A.png"

# Regime maps: (A) the default axes; (B) omega_ratio x bath at T_h/T_c = 4 (no refrigerator:
# omega_ratio <= 3); (C) at T_h/T_c = 1 (no engine); (L) log and uneven axes; (D) failed points; then two with the default
# output name, one on the sweep without a T_ratio axis (omega_ratio x coupling, T_h/T_c = 2 fixed).
run "$tmp/B.png" "$tmp/s.h5" regime --y bath --sel T_ratio=4 coupling=all_to_all --out "$tmp/B.png"
run "$tmp/C.png" "$tmp/s.h5" regime --x omega_ratio --y bath --sel coupling=pairwise T_ratio=1 --out "$tmp/C.png"
run "$tmp/L.png" "$tmp/log.h5" regime --out "$tmp/L.png"
run "$tmp/D.png" "$tmp/uniform.h5" regime --y bath --sel coupling=pairwise --out "$tmp/D.png"
run "$tmp/s_regime_bath-cascaded_coupling-all_to_all.png" "$tmp/s.h5" regime --sel coupling=all_to_all bath=cascaded
run "$tmp/small_regime_x-omega_ratio_y-coupling_bath-independent.png" "$tmp/small.h5" regime --y coupling --sel bath=independent

# Performance maps (signed, unsigned, derived) and line plots; one PDF.
run "$tmp/mapW.png" "$tmp/s.h5" map --var W --sel bath=cascaded coupling=pairwise --out "$tmp/mapW.png"
run "$tmp/s_map_power_bath-common_coupling-all_to_all.png" "$tmp/s.h5" map --sel bath=common coupling=all_to_all
run "$tmp/eta.png" "$tmp/s.h5" map --var efficiency_over_carnot --y bath --sel T_ratio=2 coupling=pairwise --out "$tmp/eta.png"
run "$tmp/s_lines_T_ratio-2.png" "$tmp/s.h5" lines --sel T_ratio=2
run "$tmp/nonloc.png" "$tmp/s.h5" lines --var W_nonloc C_nonloc --sel T_ratio=2 --out "$tmp/nonloc.png"
run "$tmp/parts.png" "$tmp/s.h5" lines --var W --sel T_ratio=3 --out "$tmp/parts.png"
run "$tmp/s_lines_Q_h_T_ratio-2_bath-common.pdf" "$tmp/s.h5" lines --var Q_h --sel T_ratio=2 bath=common --format pdf
finish
head -c 5 "$tmp/s_lines_Q_h_T_ratio-2_bath-common.pdf" | grep -q '%PDF-' || fail "the PDF is not a PDF"

/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
import numpy as np
import xarray as xr
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg
from PIL import Image
sys.path.insert(0, "analysis")
from nessmap_analysis.common import REGIME_COLORS, BATH_COLORS

tmp = sys.argv[1]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)

def rgb(path):
    a = mpimg.imread(path)
    return (a[..., :3] * 255).round().astype(int)

def packed(a):
    """One integer per pixel (fast set operations on colours)."""
    return (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]

def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))

def count(a, color, mask=None):
    m = (a == np.array(color)).all(-1)
    return int((m if mask is None else m & mask).sum())

# Every PNG: a real picture, not one colour.
import glob
for path in sorted(glob.glob(f"{tmp}/*.png")):
    a = rgb(path)
    check(a.ndim == 3 and a.shape[0] >= 300 and a.shape[1] >= 400, f"{path}: shape {a.shape}")
    check(len(np.unique(packed(a))) > 20, f"{path}: (nearly) one colour")

CATEGORICAL = {"bath", "coupling", "N"}

def regime_case(png, h5, x, y, sel, carnot=None):
    """The regime map `png` against the regimes in `h5`; carnot: points (x, y) on the boundary."""
    d = xr.open_dataset(h5)
    names = dict(zip(np.atleast_1d(d.regime.attrs["flag_values"]).tolist(), d.regime.attrs["flag_meanings"].split()))
    r = d.regime.where(d.status == 0, -1).sel(sel).transpose(y, x)
    for a in (x, y):
        if a not in CATEGORICAL:
            r = r.sortby(a)
    codes = r.values.astype(int)
    present = {names[c] for c in np.unique(codes)}
    colors = {n: hexrgb(REGIME_COLORS[n]) for n in names.values()}
    a = rgb(png)
    meta = json.loads(Image.open(png).text["nessmap:data-area"])
    H, W = a.shape[:2]
    check(0 <= meta["left"] < meta["right"] <= W and 0 <= meta["top"] < meta["bottom"] <= H, f"{png}: data area {meta}")
    area = np.zeros((H, W), bool)
    area[int(np.ceil(meta["top"])) + 3:int(meta["bottom"]) - 3, int(np.ceil(meta["left"])) + 3:int(meta["right"]) - 3] = True

    def pixel(v, lim, scale, lo, hi, flip):  # data coordinate -> pixel (from the top left)
        t = (lambda u: np.log(u)) if scale == "log" else (lambda u: u)
        f = (t(v) - t(lim[0])) / (t(lim[1]) - t(lim[0]))
        return hi - f * (hi - lo) if flip else lo + f * (hi - lo)

    def positions(name, which):
        vals = r[name].values
        pos = np.arange(len(vals), dtype=float) if name in CATEGORICAL else vals.astype(float)
        lim, scale = meta[f"{which}lim"], meta[f"{which}scale"]
        lo, hi = (meta["left"], meta["right"]) if which == "x" else (meta["top"], meta["bottom"])
        px = np.array([pixel(p, lim, scale, lo, hi, which == "y") for p in pos])
        gap = np.abs(np.diff(px)) if len(px) > 1 else np.array([hi - lo])
        half = np.minimum(np.concatenate([[gap[0]], gap]), np.concatenate([gap, [gap[-1]]]))
        return px, 0.2 * half

    xs, dxs = positions(x, "x")
    ys, dys = positions(y, "y")
    bad = 0
    for j, (py, dy) in enumerate(zip(ys, dys)):
        for i, (px, dx) in enumerate(zip(xs, dxs)):
            want = colors[names[codes[j, i]]]
            # 3 x 3 points around the cell's coordinate, inside the cell: a line crosses at most
            # three of them, no point shows another regime's colour
            got = [tuple(a[int(round(py + sy * dy)), int(round(px + sx * dx))])
                   for sx in (-1, 0, 1) for sy in (-1, 0, 1)]
            wrong = [g for g in got if g != want and g in colors.values()]
            if sum(g == want for g in got) < 6 or wrong:
                bad += 1
    check(bad == 0, f"{png}: {bad} of {codes.size} cells do not show their regime's colour")
    # (a) every present regime's colour is in the data area and (but white) in the legend;
    # (b) an absent regime's colour nowhere in the data area, nor (if not grey) anywhere at all;
    #     a grey one (none) only as much as antialiased text makes, far less than a legend patch.
    for n, c in colors.items():
        inside, outside = count(a, c, area), count(a, c, ~area)
        if n in present:
            check(inside > 0, f"{png}: {n} present but its colour is not in the data area")
            if n != "not_available":
                check(outside >= 150, f"{png}: {n} present but not in the legend ({outside} pixels)")
        else:
            check(inside == 0, f"{png}: {n} absent but its colour is in the data area ({inside} pixels)")
            if n == "not_available":   # white: the background
                pass
            elif len(set(c)) > 1:
                check(outside == 0, f"{png}: {n} absent but its colour appears ({outside} pixels)")
            else:
                check(outside < 60, f"{png}: {n} absent but its grey appears {outside} times outside the data")
    # No blend between cells: a pixel of the data area that is no regime colour is a regime
    # colour darkened (the black Carnot line over it), within rounding.
    shown = [np.array(colors[n]) for n in present]
    others = {(v >> 16, (v >> 8) & 255, v & 255) for v in np.unique(packed(a)[area]).tolist()} - set(colors.values())
    blends = []
    for p in others:
        p = np.array(p)
        if not any(np.abs(p - (p @ c / max(c @ c, 1)) * c).max() <= 2 and (p <= c + 1).all() for c in shown):
            blends.append(tuple(p))
    check(not blends, f"{png}: {len(blends)} colours in the data area are neither a regime colour nor one "
                      f"darkened by a black line, e.g. {blends[:3]}")
    # The Carnot line: black along omega_ratio = T_h/T_c where that lies in the picture.
    if carnot:
        dark = 0
        for cx, cy in carnot:
            px = pixel(cx, meta["xlim"], meta["xscale"], meta["left"], meta["right"], False)
            py = pixel(cy, meta["ylim"], meta["yscale"], meta["top"], meta["bottom"], True)
            win = a[int(round(py)) - 1:int(round(py)) + 2, int(round(px)) - 1:int(round(px)) + 2]
            dark += bool((win.sum(-1) < 150).any())
        check(dark >= 0.5 * len(carnot), f"{png}: the Carnot line is black at {dark} of {len(carnot)} points")
    else:
        check(len(others) == 0, f"{png}: no Carnot line belongs here, yet {len(others)} other colours in the data area")
    return present

t = np.linspace(1.1, 2.9, 25)
p = regime_case(f"{tmp}/A.png", f"{tmp}/s.h5", "omega_ratio", "T_ratio", {"bath": "common", "coupling": "pairwise"},
                carnot=list(zip(t, t)))
check({"engine", "refrigerator", "accelerator"} <= p, f"A: regimes {p}")
p = regime_case(f"{tmp}/B.png", f"{tmp}/s.h5", "omega_ratio", "bath", {"T_ratio": 4.0, "coupling": "all_to_all"})
check("refrigerator" not in p and "engine" in p, f"B: regimes {p}")
p = regime_case(f"{tmp}/C.png", f"{tmp}/s.h5", "omega_ratio", "bath", {"T_ratio": 1.0, "coupling": "pairwise"},
                carnot=[(1.0, y) for y in np.linspace(-0.4, 2.4, 15)])
check("engine" not in p and "refrigerator" in p, f"C: regimes {p}")
t = np.linspace(1.2, 2.9, 25)
regime_case(f"{tmp}/L.png", f"{tmp}/log.h5", "omega_ratio", "T_ratio", {"bath": "cascaded", "coupling": "pairwise"},
            carnot=list(zip(t, t)))
p = regime_case(f"{tmp}/D.png", f"{tmp}/uniform.h5", "omega_ratio", "bath", {"coupling": "pairwise"},
                carnot=[(2.0, y) for y in np.linspace(-0.4, 2.4, 15)])
check("not_available" in p, f"D: regimes {p}")
regime_case(f"{tmp}/s_regime_bath-cascaded_coupling-all_to_all.png", f"{tmp}/s.h5", "omega_ratio", "T_ratio",
            {"bath": "cascaded", "coupling": "all_to_all"}, carnot=list(zip(t, t)))
regime_case(f"{tmp}/small_regime_x-omega_ratio_y-coupling_bath-independent.png", f"{tmp}/small.h5", "omega_ratio",
            "coupling", {"bath": "independent"}, carnot=[(2.0, y) for y in np.linspace(-0.4, 1.4, 10)])

# Lines: one colour per bath of the file (the lines' cores are drawn unblended).
a = rgb(f"{tmp}/s_lines_T_ratio-2.png")
baths = [str(b) for b in xr.open_dataset(f"{tmp}/s.h5").bath.values]
for b in baths:
    check(count(a, hexrgb(BATH_COLORS[b])) >= 300, f"lines: no line in the colour of the {b} bath")

for f in fails:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if fails else 0)
PY

# Bad arguments: exit 2, the message, nothing written.
n=0
expect_one() {  # expect_one K PATTERN ARGS...
  local k=$1 pattern=$2; shift 2
  local status=0
  "$plot" "$@" --out "$tmp/bad$k.png" > /dev/null 2> "$tmp/bad$k.err" || status=$?
  [ "$status" -eq 2 ] || { cat "$tmp/bad$k.err"; fail "nessmap-plot $* exited $status, not 2"; }
  grep -qF -- "$pattern" "$tmp/bad$k.err" || { cat "$tmp/bad$k.err"; fail "nessmap-plot $*: no '$pattern' in its message"; }
  [ ! -e "$tmp/bad$k.png" ] || fail "nessmap-plot $* wrote a picture"
}
expect() { n=$((n + 1)); throttle; expect_one $n "$@" & pids+=($!); }
s=$tmp/s.h5
expect "$tmp/missing.h5: no such file" "$tmp/missing.h5" regime
expect "invalid choice: 'phase'" "$s" phase
expect "the regime plot needs the axis 'omega'" "$s" regime --x omega --sel bath=common coupling=pairwise
expect "the file has no axis 'Bath'" "$s" regime --sel Bath=common coupling=pairwise
expect "T_ratio has no value 2.2" "$s" lines --sel T_ratio=2.2
expect "bath has no value 'shared'" "$s" map --sel bath=shared coupling=pairwise
expect "unknown variable 'Work'" "$s" map --var Work --sel bath=common coupling=pairwise
expect "unknown variable 'Q_hot'" "$s" lines --var W Q_hot --sel T_ratio=2
expect "choose it with --sel coupling=VALUE" "$s" regime --sel bath=common
expect "choose it with --sel T_ratio=VALUE" "$s" lines
expect "choose it with --sel bath=VALUE" "$s" map --var W --sel coupling=pairwise
expect "--y T_ratio (the default): the regime plot needs the axis 'T_ratio'" "$tmp/small.h5" regime --sel coupling=pairwise
expect "the map plot needs the axis 'T_ratio'" "$tmp/small.h5" map --y T_ratio --sel coupling=pairwise
expect "--x and --y are both 'omega_ratio'" "$s" regime --x omega_ratio --y omega_ratio --sel bath=common coupling=pairwise
expect "T_ratio is an axis of the regime plot" "$s" regime --sel bath=common coupling=pairwise T_ratio=2
expect "unknown variable 'populations_h'" "$s" map --var populations_h --sel bath=common coupling=pairwise
expect "argument --dpi: must be between 10 and 2400, got 0" "$s" lines --sel T_ratio=2 --dpi 0
expect "the map shows one quantity" "$s" map --var W Q_h --sel bath=common coupling=pairwise
finish
echo "analysis_plots: all checks passed ($n bad-argument cases)"
