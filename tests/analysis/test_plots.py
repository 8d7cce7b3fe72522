"""nessmap-plot's general pictures (regime, map, lines) from real sweeps. Every run exits 0 and
writes a picture that is not blank, also through analysis/nessmap-plot with a PATH whose python3 is
broken (the launcher runs /usr/bin/python3). A regime map shows exactly the regimes of the data:
read from the HDF5 file here, each cell's pixels have its regime's colour, no colour of an absent
regime appears (data area or legend), nothing blends between cells, and the Carnot line is black.
Bad arguments exit 2 with a message that names the problem and write nothing.
"""
import json
import os
import subprocess

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from helpers import beside, check_picture, check_refused, check_wrote, codes_of, launch, packed, plot, rgb
from nessmap_analysis.common import BATH_COLORS, REGIME_COLORS

CATEGORICAL = {"bath", "coupling", "N"}


# s.h5: omega_ratio 0.05..3 (40) x T_ratio 1..4 (7) x bath x coupling; small.h5 (conftest): no
# T_ratio axis; log.h5: log-spaced omega_ratio x an unsorted, uneven T_ratio list, one scenario;
# uniform.h5: nearly identical qubits (g = [0.5, 0.500001]), so every common-bath point fails as
# nearly degenerate (regime not_available).
@pytest.fixture(scope="session")
def s(sweep):
    return sweep("s", "input/sweep.yaml", "sweep.axes.omega_ratio.num=40", "sweep.axes.T_ratio.num=7")


@pytest.fixture(scope="session")
def log(sweep):
    return sweep("log", "input/sweep.yaml", "sweep.axes.omega_ratio={start: 0.1, stop: 3, num: 30, log: true}",
                 "sweep.axes.T_ratio=[3, 1.5, 2, 1.2]", "sweep.axes.bath=[cascaded]",
                 "sweep.axes.coupling=[pairwise]")


@pytest.fixture(scope="session")
def uniform(sweep):
    return sweep("uniform", "tests/cli/configs/sweep_small.yaml", "system.g_h=[0.5,0.500001]",
                 "system.g_c=[0.5,0.500001]")


@pytest.fixture(scope="session")
def pics(tmp_path_factory, s, small, log, uniform):
    """The pictures, in one folder beside links to the sweep files (for the default output names)."""
    tmp = tmp_path_factory.mktemp("plots")
    s, small, log, uniform = (beside(tmp, f) for f in (s, small, log, uniform))

    # A python3 first on PATH that fails: nessmap-plot must not use it.
    (tmp / "bin").mkdir()
    fake = tmp / "bin" / "python3"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp / 'bin'}:{os.environ['PATH']}")
    assert subprocess.run(["python3", "-c", "pass"], env=env, capture_output=True).returncode != 0, \
        "the fake python3 is not first on PATH"
    out = tmp / "A.png"
    check_wrote(launch(s, "regime", "--sel", "bath=common", "coupling=pairwise", "--out", out, env=env), out)

    # Regime maps: (A, above) the default axes; (B) omega_ratio x bath at T_h/T_c = 4 (no
    # refrigerator: omega_ratio <= 3); (C) at T_h/T_c = 1 (no engine); (L) log and uneven axes; (D)
    # failed points; then two with the default output name, one on the sweep without a T_ratio axis
    # (omega_ratio x coupling, T_h/T_c = 2 fixed). Performance maps (signed, unsigned, derived) and
    # line plots; one PDF.
    runs = [  # (output, named by default (no --out), arguments)
        ("B.png", False, s, "regime", "--y", "bath", "--sel", "T_ratio=4", "coupling=all_to_all"),
        ("C.png", False, s, "regime", "--x", "omega_ratio", "--y", "bath", "--sel", "coupling=pairwise", "T_ratio=1"),
        ("L.png", False, log, "regime"),
        ("D.png", False, uniform, "regime", "--y", "bath", "--sel", "coupling=pairwise"),
        ("s_regime_bath-cascaded_coupling-all_to_all.png", True, s, "regime", "--sel", "coupling=all_to_all",
         "bath=cascaded"),
        ("small_regime_x-omega_ratio_y-coupling_bath-independent.png", True, small, "regime", "--y", "coupling",
         "--sel", "bath=independent"),
        ("mapW.png", False, s, "map", "--var", "W", "--sel", "bath=cascaded", "coupling=pairwise"),
        ("s_map_power_bath-common_coupling-all_to_all.png", True, s, "map", "--sel", "bath=common", "coupling=all_to_all"),
        ("eta.png", False, s, "map", "--var", "efficiency_over_carnot", "--y", "bath", "--sel", "T_ratio=2",
         "coupling=pairwise"),
        ("s_lines_T_ratio-2.png", True, s, "lines", "--sel", "T_ratio=2"),
        ("nonloc.png", False, s, "lines", "--var", "W_nonloc", "C_nonloc", "--sel", "T_ratio=2"),
        ("parts.png", False, s, "lines", "--var", "W", "--sel", "T_ratio=3"),
        ("s_lines_Q_h_T_ratio-2_bath-common.pdf", True, s, "lines", "--var", "Q_h", "--sel", "T_ratio=2", "bath=common",
         "--format", "pdf"),
    ]
    for name, default, *args in runs:
        out = tmp / name
        check_wrote(plot(*args, *([] if default else ["--out", out])), out)
    return tmp


def test_every_png_is_a_picture(pics):
    pngs = sorted(pics.glob("*.png"))
    assert len(pngs) == 13
    for path in pngs:
        check_picture(path, 300, 400)


def test_pdf(pics):
    assert (pics / "s_lines_Q_h_T_ratio-2_bath-common.pdf").read_bytes()[:5] == b"%PDF-", "the PDF is not a PDF"


def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def count(a, color, mask=None):
    m = (a == np.array(color)).all(-1)
    return int((m if mask is None else m & mask).sum())


def regime_case(png, h5, x, y, sel, carnot=None):
    """The regime map `png` against the regimes in `h5`; carnot: points (x, y) on the boundary.
    Returns (the regimes present, the failed checks)."""
    fails = []

    def check(ok, what):
        if not ok:
            fails.append(what)

    d = xr.open_dataset(h5)
    names = {v: k for k, v in codes_of(d, "regime").items()}
    ok = d.status == codes_of(d, "status")["ok"]
    r = d.regime.where(ok, codes_of(d, "regime")["not_available"]).sel(sel).transpose(y, x)
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
    return present, fails


def diagonal(lo):
    t = np.linspace(lo, 2.9, 25)
    return list(zip(t, t))


REGIME_CASES = {
    # png: (sweep, x, y, selection, points of the Carnot line, regimes that must be present, absent)
    "A.png": ("s.h5", "omega_ratio", "T_ratio", {"bath": "common", "coupling": "pairwise"}, diagonal(1.1),
              {"engine", "refrigerator", "accelerator"}, set()),
    "B.png": ("s.h5", "omega_ratio", "bath", {"T_ratio": 4.0, "coupling": "all_to_all"}, None,
              {"engine"}, {"refrigerator"}),
    "C.png": ("s.h5", "omega_ratio", "bath", {"T_ratio": 1.0, "coupling": "pairwise"},
              [(1.0, y) for y in np.linspace(-0.4, 2.4, 15)], {"refrigerator"}, {"engine"}),
    "L.png": ("log.h5", "omega_ratio", "T_ratio", {"bath": "cascaded", "coupling": "pairwise"}, diagonal(1.2),
              set(), set()),
    "D.png": ("uniform.h5", "omega_ratio", "bath", {"coupling": "pairwise"},
              [(2.0, y) for y in np.linspace(-0.4, 2.4, 15)], {"not_available"}, set()),
    "s_regime_bath-cascaded_coupling-all_to_all.png": ("s.h5", "omega_ratio", "T_ratio",
                                                       {"bath": "cascaded", "coupling": "all_to_all"}, diagonal(1.2),
                                                       set(), set()),
    "small_regime_x-omega_ratio_y-coupling_bath-independent.png": (
        "small.h5", "omega_ratio", "coupling", {"bath": "independent"},
        [(2.0, y) for y in np.linspace(-0.4, 1.4, 10)], set(), set()),
}


@pytest.mark.parametrize("png", REGIME_CASES)
def test_regime_map_shows_the_file(pics, png):
    h5, x, y, sel, carnot, must, must_not = REGIME_CASES[png]
    present, fails = regime_case(pics / png, pics / h5, x, y, sel, carnot)
    assert not fails, "\n".join(fails)
    assert must <= present and not (must_not & present), f"{png}: regimes {present}"


def test_lines_one_colour_per_bath(pics):
    """The lines' cores are drawn unblended, in the colour of their bath."""
    a = rgb(pics / "s_lines_T_ratio-2.png")
    baths = [str(b) for b in xr.open_dataset(pics / "s.h5").bath.values]
    for b in baths:
        assert count(a, hexrgb(BATH_COLORS[b])) >= 300, f"lines: no line in the colour of the {b} bath"


BAD = [  # (pattern, arguments after FILE; FILE is s.h5 unless the first argument is a sweep's name)
    ("missing.h5: no such file", ["missing.h5", "regime"]),
    ("invalid choice: 'phase'", ["phase"]),
    ("the regime plot needs the axis 'omega'", ["regime", "--x", "omega", "--sel", "bath=common", "coupling=pairwise"]),
    ("the file has no axis 'Bath'", ["regime", "--sel", "Bath=common", "coupling=pairwise"]),
    ("T_ratio has no value 2.2", ["lines", "--sel", "T_ratio=2.2"]),
    ("bath has no value 'shared'", ["map", "--sel", "bath=shared", "coupling=pairwise"]),
    ("unknown variable 'Work'", ["map", "--var", "Work", "--sel", "bath=common", "coupling=pairwise"]),
    ("unknown variable 'Q_hot'", ["lines", "--var", "W", "Q_hot", "--sel", "T_ratio=2"]),
    ("choose it with --sel coupling=VALUE", ["regime", "--sel", "bath=common"]),
    ("choose it with --sel T_ratio=VALUE", ["lines"]),
    ("choose it with --sel bath=VALUE", ["map", "--var", "W", "--sel", "coupling=pairwise"]),
    ("--y T_ratio (the default): the regime plot needs the axis 'T_ratio'",
     ["small.h5", "regime", "--sel", "coupling=pairwise"]),
    ("the map plot needs the axis 'T_ratio'", ["small.h5", "map", "--y", "T_ratio", "--sel", "coupling=pairwise"]),
    ("--x and --y are both 'omega_ratio'",
     ["regime", "--x", "omega_ratio", "--y", "omega_ratio", "--sel", "bath=common", "coupling=pairwise"]),
    ("T_ratio is an axis of the regime plot", ["regime", "--sel", "bath=common", "coupling=pairwise", "T_ratio=2"]),
    ("unknown variable 'populations_h'", ["map", "--var", "populations_h", "--sel", "bath=common", "coupling=pairwise"]),
    ("argument --dpi: must be between 10 and 2400, got 0", ["lines", "--sel", "T_ratio=2", "--dpi", "0"]),
    ("the map shows one quantity", ["map", "--var", "W", "Q_h", "--sel", "bath=common", "coupling=pairwise"]),
]


@pytest.mark.parametrize("pattern, args", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments(tmp_path, s, small, pattern, args):
    """Exit 2, the message, nothing written."""
    files = {"s.h5": s, "small.h5": small, "missing.h5": tmp_path / "missing.h5"}
    if args[0] in files:
        args = [files[args[0]]] + args[1:]
        pattern = pattern.replace("missing.h5", str(tmp_path / "missing.h5"))
    else:
        args = [s] + args
    out = tmp_path / "bad.png"
    check_refused(plot(*args, "--out", out), pattern)
    assert not out.exists(), "a picture was written"
