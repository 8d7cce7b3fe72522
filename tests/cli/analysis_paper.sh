#!/usr/bin/env bash
# nessmap-plot's paper figures (fig2, fig3, fig4) and summary on small real sweeps: the pictures
# are written (PNG with real content, PDF on request); the summary's numbers agree with the paper's
# published claims (physics.md) and with what this script computes from the sweep file itself (the
# maximum power is interpolated between grid points, not the best grid point); bad arguments exit 2
# with a message that says what is wrong.
set -euo pipefail
nessmap=$1 mpiexec=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
plot=analysis/nessmap-plot
fail() { echo "FAIL: $*"; exit 1; }
sweep() {  # sweep CONFIG OUT [--set ...]: a real sweep, one rank
  local config=$1 out=$2; shift 2
  "$nessmap" sweep "$config" --set output.path="$out" --quiet "$@" 2> "$tmp/sweep.err" \
    || { cat "$tmp/sweep.err"; fail "sweep $config $*"; }
}
# A grid of step 0.1 that avoids omega_ratio = 1 and 2 exactly (there W = 0 and no machine runs).
coarse=(--set sweep.axes.omega_ratio.start=0.06 --set sweep.axes.omega_ratio.stop=2.96
        --set sweep.axes.omega_ratio.num=30)

sweep input/fig2.yaml "$tmp/fig2.h5" "${coarse[@]}"
sweep input/fig3.yaml "$tmp/fig3.h5" "${coarse[@]}"
sweep input/fig4.yaml "$tmp/fig4.h5"                                     # the full engine grid, step 0.0025

# --- pictures: each kind writes a PNG (named after the kind when the file is), PDF on request --
for kind in fig2 fig3 fig4; do
  "$plot" "$tmp/$kind.h5" $kind 2> "$tmp/err" || { cat "$tmp/err"; fail "$kind exited with an error"; }
  [ -s "$tmp/$kind.png" ] || fail "$kind: no $tmp/$kind.png"
  grep -qF "wrote $tmp/$kind.png" "$tmp/err" || fail "$kind: does not say what it wrote"
done
"$plot" "$tmp/fig3.h5" fig4 --out "$tmp/other.png" 2> /dev/null || fail "fig4 --out"  # from the coarse grid
"$plot" "$tmp/fig3.h5" fig2 --sel coupling=pairwise --format pdf 2> /dev/null || fail "fig2 --format pdf"
[ "$(head -c 4 "$tmp/fig3_fig2.pdf")" = "%PDF" ] || fail "--format pdf did not write a PDF at $tmp/fig3_fig2.pdf"
pictures=("$tmp/fig2.png" "$tmp/fig3.png" "$tmp/fig4.png" "$tmp/other.png")

# --- summary --json: JSON Lines, one object per scenario --------------------------------------
"$plot" "$tmp/fig4.h5" summary --json > "$tmp/f4.jsonl"
"$plot" "$tmp/fig3.h5" summary --json > "$tmp/f3.jsonl"
/usr/bin/python3 - "$tmp" <<'EOF' || fail "summary --json"
import json
import math
import sys

import numpy as np
import xarray as xr

tmp = sys.argv[1]
KEYS = {"bath", "coupling", "max_power", "efficiency_at_max_power", "omega_ratio_at_max_power",
        "max_cooling_power", "omega_ratio_at_max_cooling_power", "regime_intervals", "W_nonloc_sign_changes"}
SIX = {(b, c) for b in ("common", "cascaded", "independent") for c in ("pairwise", "all_to_all")}


def load(name):
    lines = open(f"{tmp}/{name}.jsonl").read().splitlines()
    objs = [json.loads(line) for line in lines]      # JSON Lines: every line is one object
    assert len(objs) == 6, f"{name}: {len(objs)} objects, not one per scenario (6)"
    for o in objs:
        assert KEYS <= set(o), f"{name}: keys missing: {KEYS - set(o)}"
    assert {(o["bath"], o["coupling"]) for o in objs} == SIX, f"{name}: scenarios {[(o['bath'], o['coupling']) for o in objs]}"
    return {(o["bath"], o["coupling"]): o for o in objs}


def engine_power(d, bath, coupling):
    """omega_ratio and -W at the ok engine points, straight from the file."""
    code = dict(zip(d.regime.attrs["flag_meanings"].split(), d.regime.attrs["flag_values"]))["engine"]
    one = d.sel(bath=bath, coupling=coupling)
    use = (one.status.values == 0) & (one.regime.values == code)
    return one.omega_ratio.values[use], -one.W.values[use]


# Fig. 4 grid (step 0.0025): efficiency at maximum power, interpolated.
s = load("f4")
d = xr.open_dataset(f"{tmp}/fig4.h5")
grid = d.omega_ratio.values
for key, o in s.items():
    x, p = engine_power(d, *key)
    best = p.max()
    assert best <= o["max_power"] <= 1.01 * best, f"{key}: max_power {o['max_power']} vs grid maximum {best}"
    x_star = o["omega_ratio_at_max_power"]
    assert np.min(np.abs(grid - x_star)) > 1e-9, f"{key}: omega_ratio_at_max_power {x_star} is a grid value"
    assert abs(x_star - x[np.argmax(p)]) <= 0.0025, f"{key}: maximum at {x_star}, best grid point {x[np.argmax(p)]}"
    eta = o["efficiency_at_max_power"]
    assert abs(eta - (1 - 1 / x_star)) < 1e-3, f"{key}: efficiency {eta} is not 1 - omega_c/omega_h at {x_star}"
    assert o["max_cooling_power"] is None and o["omega_ratio_at_max_cooling_power"] is None, \
        f"{key}: a cooling power in 1 <= omega_h/omega_c <= 2, where no refrigerator runs: {o['max_cooling_power']}"
# physics.md, Fig. 4: about 0.275 for independent type 1, independent type 2 and cascaded type 2;
# for type 1, common and cascaded exceed independent.
for key in [("independent", "pairwise"), ("independent", "all_to_all"), ("cascaded", "pairwise")]:
    assert 0.26 <= s[key]["efficiency_at_max_power"] <= 0.29, f"{key}: {s[key]['efficiency_at_max_power']}"
for bath in ("common", "cascaded"):
    assert s[(bath, "all_to_all")]["efficiency_at_max_power"] > s[("independent", "all_to_all")]["efficiency_at_max_power"]

# Fig. 3 grid (step 0.1, not through 1 or 2): regimes A below 1, E between 1 and 2 (T_h/T_c), R above.
s = load("f3")
d = xr.open_dataset(f"{tmp}/fig3.h5")
x = d.omega_ratio.values
expected = [("accelerator", x.min(), x[x < 1].max()), ("engine", x[x > 1].min(), x[x < 2].max()),
            ("refrigerator", x[x > 2].min(), x.max())]
for key, o in s.items():
    got = [(i["regime"], i["from"], i["to"]) for i in o["regime_intervals"]]
    assert len(got) == 3 and all(g[0] == e[0] and math.isclose(g[1], e[1]) and math.isclose(g[2], e[2])
                                 for g, e in zip(got, expected)), f"{key}: regime intervals {got}, expected {expected}"
    # the cooling power's maximum, interpolated, against the file's Q_c at the refrigerator points
    q = d.Q_c.sel(bath=key[0], coupling=key[1]).values[x > 2]
    assert q.max() <= o["max_cooling_power"] <= 1.01 * q.max(), f"{key}: max_cooling_power {o['max_cooling_power']}"
    # W_nonloc's zeros: strict sign changes between neighbours, interpolated linearly (no grid zeros here)
    w = d.W_nonloc.sel(bath=key[0], coupling=key[1]).values
    i = np.flatnonzero(np.sign(w[:-1]) * np.sign(w[1:]) < 0)
    zeros = x[i] - w[i] * (x[i + 1] - x[i]) / (w[i + 1] - w[i])
    assert np.allclose(o["W_nonloc_sign_changes"], zeros, rtol=0, atol=1e-9), \
        f"{key}: W_nonloc changes sign at {o['W_nonloc_sign_changes']}, the file says {zeros}"
    if key[0] == "independent":  # physics.md: no non-local dissipator, W_nonloc = 0
        assert o["W_nonloc_sign_changes"] == [], f"{key}: {o['W_nonloc_sign_changes']}"
assert s[("cascaded", "pairwise")]["W_nonloc_sign_changes"], "cascaded type 2: W_nonloc never changes sign"
EOF

# --- T_ratio: an open T_ratio axis holding 2 takes the paper's 2; another value with --sel -----
sweep input/fig3.yaml "$tmp/tr.h5" "${coarse[@]}" --set sweep.axes.T_ratio=[2.0,3.0] \
  --set sweep.axes.bath=[cascaded] --set sweep.axes.coupling=[pairwise]
"$plot" "$tmp/tr.h5" summary --json > "$tmp/tr2.jsonl" 2> "$tmp/err"
grep -qF "T_h/T_c = 2 (the paper's value" "$tmp/err" || fail "the default T_ratio = 2 is not announced"
"$plot" "$tmp/tr.h5" summary --json --sel T_ratio=3 > "$tmp/tr3.jsonl"
"$plot" "$tmp/tr.h5" fig3 --out "$tmp/tr.png" 2> /dev/null || fail "fig3 with the default T_ratio"
pictures+=("$tmp/tr.png")
# every picture: a readable RGB(A) image of at least 600 x 600 pixels with more than 20 colours
/usr/bin/python3 - "${pictures[@]}" <<'EOF' || fail "pictures"
import sys
import matplotlib.image as mpimg
import numpy as np
for path in sys.argv[1:]:
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[2] in (3, 4), f"{path}: shape {img.shape}"
    assert img.shape[0] >= 600 and img.shape[1] >= 600, f"{path}: only {img.shape[:2]}"
    rgb = np.round(img[..., :3] * 255).astype(np.int32)
    colours = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
    assert len(colours) > 20, f"{path}: only {len(colours)} colours"
EOF
/usr/bin/python3 - "$tmp" <<'EOF' || fail "T_ratio default"
import json
import sys
tmp = sys.argv[1]
for name, ratio in (("tr2", 2.0), ("tr3", 3.0)):
    objs = [json.loads(line) for line in open(f"{tmp}/{name}.jsonl")]
    assert len(objs) == 1 and objs[0]["T_ratio"] == ratio, f"{name}: {objs}"
    # physics.md: the engine runs for 1 < omega_h/omega_c < T_h/T_c, the refrigerator above
    engine = [i for i in objs[0]["regime_intervals"] if i["regime"] == "engine"]
    assert len(engine) == 1 and 1 < engine[0]["from"] < 1.1 and ratio - 0.1 < engine[0]["to"] < ratio, f"{name}: {engine}"
EOF

# --- bad arguments: exit 2 and a message that says what is wrong ------------------------------
n=0
expect() {  # expect "PATTERN" nessmap-plot-args...: exit 2, "nessmap-plot: ...PATTERN" on stderr
  local pattern=$1; shift
  local status=0
  "$plot" "$@" > "$tmp/out" 2> "$tmp/err" || status=$?
  [ "$status" -eq 2 ] || { cat "$tmp/err"; fail "nessmap-plot $* exited $status, not 2"; }
  grep -q "^nessmap-plot: " "$tmp/err" && grep -qF -- "$pattern" "$tmp/err" \
    || { cat "$tmp/err"; fail "nessmap-plot $*: no '$pattern'"; }
  n=$((n + 1))
}
tiny=(--set sweep.axes.omega_ratio.num=3)
sweep input/fig2.yaml "$tmp/type1.h5" "${tiny[@]}" --set system.coupling=all_to_all
expect "fig2 needs type 2 coupling (coupling = pairwise)" "$tmp/type1.h5" fig2
sweep input/fig2.yaml "$tmp/nocas.h5" "${tiny[@]}" --set "sweep.axes.bath=[common,independent]"
expect "missing: cascaded" "$tmp/nocas.h5" fig2
expect "fig2 needs type 2 coupling" "$tmp/fig3.h5" fig2 --sel coupling=all_to_all
sweep input/fig3.yaml "$tmp/th.h5" "${tiny[@]}" --set "sweep.axes.T_h=[1.5,3]"
expect "choose it with --sel T_h=VALUE" "$tmp/th.h5" fig3
expect "choose it with --sel T_h=VALUE" "$tmp/th.h5" summary
expect "T_h has no value 2" "$tmp/th.h5" summary --sel T_h=2
expect "bath has no value 'hot'" "$tmp/fig3.h5" fig3 --sel bath=hot
expect "the file has no axis 'Omega'" "$tmp/fig3.h5" fig3 --sel Omega=0.1
expect "fig4 needs engine points" "$tmp/th.h5" fig4 --sel T_h=1.5  # grid 0.05, 1.525, 3: none in 1 < x < 1.5
sed 's/^    omega_ratio: .*/    T_ratio: [1.5, 2.0]/' input/fig2.yaml > "$tmp/no_omega.yaml"
sweep "$tmp/no_omega.yaml" "$tmp/no_omega.h5"
expect "fig3 needs the axis 'omega_ratio'" "$tmp/no_omega.h5" fig3
expect "summary needs the axis 'omega_ratio'" "$tmp/no_omega.h5" summary --json
echo "paper figures and summary: pictures, numbers and $n bad arguments checked"
