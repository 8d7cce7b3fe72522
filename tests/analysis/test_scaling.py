"""`nessmap-plot FILE scaling` on a real sweep over N (input/scaling.yaml cut to N = 1..4 and two
omega_h/omega_c values: 16 points, a second or two): the per-qubit values drawn are the file's
divided by N, the exponents printed are the least-squares slopes of those values, points that did
not solve are left out and counted, and a file without an N axis of two values is refused. The
sweep itself is checked against the physics: the first law at every point, the engine at
omega_h/omega_c = 1.5 for every N, and the bath models coinciding at N = 1.
"""
import math
import re

import numpy as np
import pytest
import xarray as xr

from helpers import beside, check_picture, check_refused, check_wrote, codes_of, plot
from nessmap_analysis import cli, common, scaling

QUANTITIES = ["W", "Q_h", "Q_c", "W_nonloc", "C_nonloc"]


@pytest.fixture(scope="session")
def s4(sweep):
    return sweep("scaling4", "input/scaling.yaml", "sweep.axes.N=[1,2,3,4]", "sweep.axes.omega_ratio=[1.5,2.5]")


def exponents(text):
    """{(omega_ratio, quantity, bath): (a, first N, last N) or None} from the summary's table."""
    out, omega = {}, None
    for line in text.splitlines():
        m = re.match(r"\s+omega_h/omega_c = ([0-9.eE+-]+)( \(|$)", line)
        if m:
            omega = float(m.group(1))
            continue
        m = re.match(r"\s{4}(\w+)\s+(.*)$", line)
        if m and m.group(1) in QUANTITIES:
            for bath, value in re.findall(r"(\w+): ([^:]+?)(?=\s{3}\w+:|$)", m.group(2)):
                f = re.match(r"([+-][0-9.]+) \(N = (\d+)-(\d+)\)", value.strip())
                out[(omega, m.group(1), bath)] = (float(f.group(1)), int(f.group(2)), int(f.group(3))) if f else None
    return out


def test_sweep_physics(s4):
    """The file the picture is made from: every point ok, the first law per point, the regime at
    omega_h/omega_c = 1.5 the engine at every N and both baths, and the baths equal at N = 1."""
    d = xr.open_dataset(s4)
    assert list(d["N"].values) == [1, 2, 3, 4] and set(d["bath"].values) == {"common", "independent"}
    assert (d["status"] == codes_of(d, "status")["ok"]).all(), d["status"].values
    total = d["W"] + d["Q_h"] + d["Q_c"]
    scale = np.maximum(np.abs(d["Q_h"]), np.abs(d["Q_c"]))
    assert float((np.abs(total) / scale).max()) < 1e-9, (total / scale).values
    engine = codes_of(d, "regime")["engine"]
    assert engine == 1
    assert (d["regime"].sel(omega_ratio=1.5) == engine).all(), d["regime"].sel(omega_ratio=1.5).values
    one = d.sel(N=1)
    for q in ("W", "Q_h", "Q_c"):
        a, b = one[q].sel(bath="common").values, one[q].sel(bath="independent").values
        assert np.allclose(a, b, rtol=1e-9, atol=0), (q, a, b)
    # every point solved in the symmetric space (solved_space 2), one population per ensemble equal
    # to the mean of the per-qubit ones
    assert (d["solved_space"] == 2).all(), d["solved_space"].values
    assert "qubit" in d["populations_h"].dims
    for e in ("h", "c"):
        per_qubit = d[f"populations_{e}"]  # NaN beyond each point's N
        assert np.allclose(per_qubit.mean("qubit", skipna=True), d[f"population_{e}"], rtol=1e-12, atol=0)
        assert np.allclose(per_qubit.max("qubit"), per_qubit.min("qubit"), rtol=1e-10, atol=1e-14)
    # the common bath's per-qubit currents differ from the independent baths' from N = 2 on
    assert not np.allclose(d["Q_h"].sel(N=2, bath="common"), d["Q_h"].sel(N=2, bath="independent"), rtol=1e-6)


def test_picture_values_and_exponents(tmp_path, s4):
    out = tmp_path / "scaling.png"
    run = plot(s4, "scaling", "--out", out)
    check_wrote(run, out)
    check_picture(out, 600, 900)
    d = xr.open_dataset(s4)
    n = d["N"].values.astype(float)
    printed = exponents(run.out)
    assert len(printed) == 2 * 5 * 2, f"not 20 exponents in:\n{run.out}"
    for omega in (1.5, 2.5):
        for q in QUANTITIES:
            for bath in ("common", "independent"):
                y = d[q].sel(bath=bath, omega_ratio=omega).values / n
                got = printed[(omega, q, bath)]
                if q == "W_nonloc" and bath == "independent":   # no non-local dissipation: exactly 0
                    assert np.all(y == 0) and got is None, (y, got)
                    continue
                a, first, last = got
                assert math.isfinite(a), (omega, q, bath, got)
                good = y != 0                                   # N = 1 has no non-local parts
                fit_n = n[good][:] if good.sum() < 4 else n[good][good.sum() // 2:]
                fit_y = np.abs(y[good])[-len(fit_n):]
                assert (first, last) == (int(fit_n[0]), int(fit_n[-1])), (omega, q, bath, got)
                slope = np.polyfit(np.log(fit_n), np.log(fit_y), 1)[0]
                assert abs(a - slope) < 6e-4, (omega, q, bath, a, slope)
    # the currents per qubit grow with N at these sizes (as far as N = 12: input/scaling.yaml)
    for (omega, q, bath), got in printed.items():
        if q in ("W", "Q_h", "Q_c"):
            assert got[0] > 0, (omega, q, bath, got)
    # W, Q_h and Q_c are multiples of the excitation current J: the same exponent
    for omega in (1.5, 2.5):
        for bath in ("common", "independent"):
            assert printed[(omega, "W", bath)] == printed[(omega, "Q_h", bath)] == printed[(omega, "Q_c", bath)]
    assert "all 16 points ok" in run.out, run.out
    assert re.search(r"omega_h/omega_c = 1\.5: common (never above|above) independent", run.out), run.out


def test_lines_drawn_are_file_values_over_N(s4):
    """The lines of the figure itself: |X|/N from the file at every N where it is not zero."""
    ds = common.open_sweep(str(s4))
    args = cli.parser().parse_args([str(s4), "scaling"])
    fig, result = scaling.draw(ds, args)
    try:
        lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
        d = xr.open_dataset(s4)
        assert len(lines) == 2 * 2 * 5, sorted(lines)
        for q in QUANTITIES:
            for bath in ("common", "independent"):
                for omega in (1.5, 2.5):
                    line = lines[f"{q}|{bath}|{omega!r}"]
                    y = np.abs(d[q].sel(bath=bath, omega_ratio=omega).values) / d["N"].values
                    keep = y > 0
                    np.testing.assert_array_equal(line.get_xdata(), d["N"].values[keep])
                    np.testing.assert_allclose(line.get_ydata(), y[keep], rtol=1e-15, atol=0)
        logs = [ax for ax in fig.axes if ax.get_xscale() == "log"]
        assert len(logs) == 2 * 5 and all(ax.get_yscale() == "log" for ax in logs
                                          if not any(t.get_text() == "no non-zero value" for t in ax.texts))
        assert all(re.match(r"^\$\|.*\|/N\$", ax.get_ylabel()) for ax in logs), [ax.get_ylabel() for ax in logs]
        assert "all 16 points ok" in fig._suptitle.get_text(), fig._suptitle.get_text()
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)


def test_failed_points_left_out_and_counted(tmp_path, s4):
    """A copy of the sweep in which two points failed (status failed, observables NaN, as nessmap
    writes them): they are not drawn, not fitted, and the title and the summary count them."""
    d = xr.open_dataset(s4).load()
    failed = codes_of(d, "status")["failed"]
    na = codes_of(d, "regime")["not_available"]
    for N, omega in ((4, 1.5), (3, 2.5)):
        where = dict(N=N, bath="common", omega_ratio=omega)
        d["status"].loc[where] = failed
        d["regime"].loc[where] = na
        for v in d.data_vars:
            if d[v].dtype.kind == "f" and set(d[v].dims) == set(d["status"].dims):
                d[v].loc[where] = np.nan
    path = tmp_path / "failed.h5"
    d.to_netcdf(path)
    out = tmp_path / "failed.png"
    run = plot(path, "scaling", "--out", out)
    check_wrote(run, out)
    assert "14 of 16 points ok; left out: 2 failed" in run.out, run.out
    assert "common, omega_h/omega_c = 1.5: N = 4" in run.out and "common, omega_h/omega_c = 2.5: N = 3" in run.out, run.out
    printed = exponents(run.out)
    assert printed[(1.5, "Q_h", "common")][1:] == (1, 3), printed[(1.5, "Q_h", "common")]   # 3 points: all
    ds = common.open_sweep(str(path))
    fig, _ = scaling.draw(ds, cli.parser().parse_args([str(path), "scaling"]))
    try:
        line = next(line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == "Q_h|common|1.5")
        assert list(line.get_xdata()) == [1, 2, 3]
        assert "14 of 16 points ok; left out: 2 failed" in fig._suptitle.get_text()
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)


def test_refused_without_an_N_axis(tmp_path, small, sweep):
    check_refused(plot(small, "scaling"), "needs a sweep over N (qubits per ensemble) with at least 2 values")
    one = sweep("scaling1", "input/scaling.yaml", "sweep.axes.N=[3]", "sweep.axes.omega_ratio=[1.5]")
    check_refused(plot(one, "scaling"), "the file has only N = 3")
    s = sweep("scaling_c", "tests/cli/configs/sweep_small.yaml", "sweep.axes.N=[1,2]",
              "sweep.axes.omega_ratio.num=2", "sweep.axes.bath=[common,independent]", "system.g_h=0.5",
              "system.g_c=0.6")
    check_refused(plot(s, "scaling"), "choose it with --sel coupling=VALUE")
    run = plot(beside(tmp_path, s), "scaling", "--sel", "coupling=pairwise")
    assert run.status == 0 and "type 2 (pairwise)" in run.out, run.err
    assert (tmp_path / f"{s.stem}_scaling_coupling-pairwise.png").stat().st_size > 0, run.err


def test_many_omega_values_and_the_carnot_point(tmp_path, sweep):
    """More omega_h/omega_c values than rows: one row of lines coloured by omega_h/omega_c and the
    exponents against it. At the Carnot point omega_h/omega_c = T_h/T_c = 2 the currents are
    round-off (their estimated relative error above 1/4): zero, not fitted."""
    s = sweep("scaling_many", "input/scaling.yaml", "sweep.axes.N=[1,2,3]", "sweep.axes.bath=[independent]",
              "sweep.axes.omega_ratio=[0.5,1,1.5,2,2.5,3]")
    d = xr.open_dataset(s)
    assert float(np.abs(d["W"].sel(omega_ratio=2.0)).max()) < 1e-15   # the Carnot point: no current
    run = plot(beside(tmp_path, s), "scaling")
    check_wrote(run, tmp_path / f"{s.stem}_scaling.png")
    printed = exponents(run.out)
    for q in ("W", "Q_h", "Q_c", "W_nonloc", "C_nonloc"):
        assert printed[(2.0, q, "independent")] is None, (q, printed[(2.0, q, "independent")])
    # W = -(omega_h - omega_c) J vanishes at omega_h = omega_c, Q_h = omega_h J does not
    assert printed[(1.0, "W", "independent")] is None and printed[(1.0, "Q_h", "independent")] is not None
    assert printed[(3.0, "W", "independent")] is not None
    assert all(math.isfinite(v[0]) for (w, q, b), v in printed.items() if v is not None)
    fig, _ = scaling.draw(common.open_sweep(str(s)), cli.parser().parse_args([str(s), "scaling"]))
    try:
        gids = [line.get_gid() for ax in fig.axes for line in ax.get_lines() if line.get_gid()]
        assert len(gids) == 5 * 6, gids
        assert any("exponent" in ax.get_ylabel() for ax in fig.axes)
        carnot = next(line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == "Q_h|independent|2.0")
        assert len(carnot.get_xdata()) == 0
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
