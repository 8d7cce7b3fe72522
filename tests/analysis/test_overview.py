"""`nessmap-plot FILE overview` (the end of README's main command) writes, for the default sweep's
axes, a regime map per scenario, a power map, Figs. 3 and 4 and the summary, names each on stderr,
and skips with a note what a sweep's axes do not allow.
"""
import pytest

from helpers import beside, check_refused, plot


@pytest.fixture(scope="session")
def s24(sweep):
    return sweep("s24", "input/sweep.yaml", "sweep.axes.omega_ratio.num=24", "sweep.axes.T_ratio.num=7")


def test_default_sweep(tmp_path, s24):
    run = plot(beside(tmp_path, s24, "s.h5"), "overview")
    assert run.status == 0, f"overview failed: {run.err}"
    for bath in ("common", "cascaded", "independent"):
        for coupling in ("pairwise", "all_to_all"):
            f = tmp_path / f"s_regime_bath-{bath}_coupling-{coupling}.png"
            assert f.stat().st_size > 0 and f"wrote {f}" in run.err, f"no regime map {f}: {run.err}"
    for name in ("s_map_power_bath-independent_coupling-pairwise.png", "s_fig3.png", "s_fig4.png", "s_summary.txt"):
        f = tmp_path / name
        assert f.stat().st_size > 0 and f"wrote {f}" in run.err, f"no {name}: {run.err}"
    wrote = [line for line in run.err.splitlines() if line.startswith("nessmap-plot: wrote")]
    assert len(wrote) == 10, f"not 10 files: {run.err}"
    summary = (tmp_path / "s_summary.txt").read_text().splitlines()
    assert sum("maximum power" in line for line in summary) == 6, "summary has not 6 scenarios"


def test_sweep_along_omega_ratio_alone(tmp_path, small):
    """No regime maps (they need T_ratio), the rest is drawn."""
    run = plot(beside(tmp_path, small, "line.h5"), "overview")
    assert run.status == 0, f"overview of a 1-D sweep failed: {run.err}"
    assert f"wrote {tmp_path / 'line_fig3.png'}" in run.err and "regime" not in run.err, run.err


def test_out_refused(tmp_path, s24):
    check_refused(plot(s24, "overview", "--out", tmp_path / "x.png"), "overview writes several files")
