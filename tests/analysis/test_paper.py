"""nessmap-plot's paper figures (fig2, fig3, fig4) and summary on small real sweeps: the pictures
are written (PNG with real content, PDF on request); the summary's numbers agree with the paper's
published claims (physics.md) and with what this file computes from the sweep file itself (the
maximum power is interpolated between grid points, not the best grid point); bad arguments exit 2
with a message that says what is wrong.
"""
import json
import math

import numpy as np
import pytest
import xarray as xr

from helpers import ROOT, beside, check_picture, check_refused, check_wrote, codes_of, plot

# A grid of step 0.1 that avoids omega_ratio = 1 and 2 exactly (there W = 0 and no machine runs).
COARSE = ("sweep.axes.omega_ratio.start=0.06", "sweep.axes.omega_ratio.stop=2.96", "sweep.axes.omega_ratio.num=30")
TINY = ("sweep.axes.omega_ratio.num=3",)
KEYS = {"bath", "coupling", "max_power", "efficiency_at_max_power", "omega_ratio_at_max_power",
        "max_cooling_power", "omega_ratio_at_max_cooling_power", "regime_intervals", "W_nonloc_sign_changes"}
SIX = {(b, c) for b in ("common", "cascaded", "independent") for c in ("pairwise", "all_to_all")}


@pytest.fixture(scope="session")
def fig2(sweep):
    return sweep("fig2", "input/fig2.yaml", *COARSE)


@pytest.fixture(scope="session")
def fig3(sweep):
    return sweep("fig3", "input/fig3.yaml", *COARSE)


@pytest.fixture(scope="session")
def fig4(sweep):
    return sweep("fig4", "input/fig4.yaml")  # the full engine grid, step 0.0025


@pytest.fixture(scope="session")
def tr(sweep):
    """An open T_ratio axis holding the paper's 2 (and 3), one scenario."""
    return sweep("tr", "input/fig3.yaml", *COARSE, "sweep.axes.T_ratio=[2.0,3.0]", "sweep.axes.bath=[cascaded]",
                 "sweep.axes.coupling=[pairwise]")


# --- pictures: each kind writes a PNG (named after the kind when the file is), PDF on request ------

@pytest.mark.parametrize("kind", ["fig2", "fig3", "fig4"])
def test_figure(tmp_path, request, kind):
    source = beside(tmp_path, request.getfixturevalue(kind))
    check_wrote(plot(source, kind), tmp_path / f"{kind}.png")
    check_picture(tmp_path / f"{kind}.png", 600, 600)


def test_fig4_out_from_the_coarse_grid(tmp_path, fig3):
    out = tmp_path / "other.png"
    check_wrote(plot(fig3, "fig4", "--out", out), out)
    check_picture(out, 600, 600)


def test_fig2_pdf(tmp_path, fig3):
    source = beside(tmp_path, fig3)
    check_wrote(plot(source, "fig2", "--sel", "coupling=pairwise", "--format", "pdf"), tmp_path / "fig3_fig2.pdf")
    assert (tmp_path / "fig3_fig2.pdf").read_bytes()[:4] == b"%PDF", "--format pdf did not write a PDF"


# --- summary --json: JSON Lines, one object per scenario ------------------------------------------

def summary_json(path, *args):
    run = plot(path, "summary", "--json", *args)
    assert run.status == 0, run.err
    return run


def load(path):
    run = summary_json(path)
    objs = [json.loads(line) for line in run.out.splitlines()]  # JSON Lines: every line is one object
    assert len(objs) == 6, f"{path}: {len(objs)} objects, not one per scenario (6)"
    for o in objs:
        assert KEYS <= set(o), f"{path}: keys missing: {KEYS - set(o)}"
    assert {(o["bath"], o["coupling"]) for o in objs} == SIX, f"{path}: scenarios {[(o['bath'], o['coupling']) for o in objs]}"
    return {(o["bath"], o["coupling"]): o for o in objs}


def engine_power(d, bath, coupling):
    """omega_ratio and -W at the ok engine points, straight from the file."""
    one = d.sel(bath=bath, coupling=coupling)
    use = (one.status.values == codes_of(d, "status")["ok"]) & (one.regime.values == codes_of(d, "regime")["engine"])
    return one.omega_ratio.values[use], -one.W.values[use]


def test_summary_fig4_grid(fig4):
    """Fig. 4 grid (step 0.0025): efficiency at maximum power, interpolated."""
    s = load(fig4)
    d = xr.open_dataset(fig4)
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


def test_summary_fig3_grid(fig3):
    """Fig. 3 grid (step 0.1, not through 1 or 2): regimes A below 1, E between 1 and 2 (T_h/T_c), R above."""
    s = load(fig3)
    d = xr.open_dataset(fig3)
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


# --- T_ratio: an open T_ratio axis holding 2 takes the paper's 2; another value with --sel --------

@pytest.mark.parametrize("ratio", [2.0, 3.0])
def test_t_ratio(tr, ratio):
    run = summary_json(tr, *(["--sel", "T_ratio=3"] if ratio == 3.0 else []))
    if ratio == 2.0:
        assert "T_h/T_c = 2 (the paper's value" in run.err, f"the default T_ratio = 2 is not announced: {run.err}"
    objs = [json.loads(line) for line in run.out.splitlines()]
    assert len(objs) == 1 and objs[0]["T_ratio"] == ratio, objs
    # physics.md: the engine runs for 1 < omega_h/omega_c < T_h/T_c, the refrigerator above
    engine = [i for i in objs[0]["regime_intervals"] if i["regime"] == "engine"]
    assert len(engine) == 1 and 1 < engine[0]["from"] < 1.1 and ratio - 0.1 < engine[0]["to"] < ratio, engine


def test_fig3_with_the_default_t_ratio(tmp_path, tr):
    out = tmp_path / "tr.png"
    check_wrote(plot(tr, "fig3", "--out", out), out)
    check_picture(out, 600, 600)


# --- bad arguments: exit 2 and a message that says what is wrong ----------------------------------

@pytest.fixture(scope="session")
def bad_sweeps(sweep, fig3, tmp_path_factory):
    no_omega = tmp_path_factory.mktemp("config") / "no_omega.yaml"
    text = (ROOT / "input" / "fig2.yaml").read_text()
    lines = ["    T_ratio: [1.5, 2.0]" if line.startswith("    omega_ratio: ") else line for line in text.splitlines()]
    assert lines != text.splitlines(), "input/fig2.yaml has no omega_ratio axis line to replace"
    no_omega.write_text("\n".join(lines) + "\n")
    return {
        "type1": sweep("type1", "input/fig2.yaml", *TINY, "system.coupling=all_to_all"),
        "nocas": sweep("nocas", "input/fig2.yaml", *TINY, "sweep.axes.bath=[common,independent]"),
        "th": sweep("th", "input/fig3.yaml", *TINY, "sweep.axes.T_h=[1.5,3]"),
        "no_omega": sweep("no_omega", no_omega),
        "fig3": fig3,
    }


BAD = [  # (pattern, sweep, arguments)
    ("fig2 needs type 2 coupling (coupling = pairwise)", "type1", ["fig2"]),
    ("missing: cascaded", "nocas", ["fig2"]),
    ("fig2 needs type 2 coupling", "fig3", ["fig2", "--sel", "coupling=all_to_all"]),
    ("choose it with --sel T_h=VALUE", "th", ["fig3"]),
    ("choose it with --sel T_h=VALUE", "th", ["summary"]),
    ("T_h has no value 2", "th", ["summary", "--sel", "T_h=2"]),
    ("bath has no value 'hot'", "fig3", ["fig3", "--sel", "bath=hot"]),
    ("the file has no axis 'Omega'", "fig3", ["fig3", "--sel", "Omega=0.1"]),
    ("fig4 needs engine points", "th", ["fig4", "--sel", "T_h=1.5"]),  # grid 0.05, 1.525, 3: none in 1 < x < 1.5
    ("fig3 needs the axis 'omega_ratio'", "no_omega", ["fig3"]),
    ("summary needs the axis 'omega_ratio'", "no_omega", ["summary", "--json"]),
]


@pytest.mark.parametrize("pattern, name, args", BAD, ids=[f"{b[1]} {' '.join(b[2])}" for b in BAD])
def test_bad_arguments(bad_sweeps, pattern, name, args):
    check_refused(plot(bad_sweeps[name], *args), pattern)
