"""Regimes and figures of merit named by the hotter bath (physics.md, "Operating regimes"), read
back from a real sweep with T_h < T_c: the heat of the bath called h is then the cold one's."""
import numpy as np
import xarray as xr

from helpers import plot
from nessmap_analysis import common


def test_roles_follow_the_hotter_bath(sweep):
    # T_h = 0.5 < T_c = 1: the bath called c is the hotter one.
    path = sweep("reversed", "tests/cli/configs/sweep_small.yaml", "system.T_h=0.5",
                 "sweep.axes.bath=[independent]", "sweep.axes.coupling=[pairwise]")
    ds = common.open_sweep(str(path))
    names = common.regime_names(ds)
    regime = ds["regime"].values.ravel()
    x = ds["omega_ratio"].values
    Q_h, Q_c, W = (ds[v].values.ravel() for v in ("Q_h", "Q_c", "W"))
    code = {name: value for value, name in names.items()}
    # With c the hot bath the engine runs for omega_c > omega_h (x < 1) between x = T_h/T_c = 0.5
    # and 1: W < 0, Q_c > 0, Q_h < 0, efficiency 1 - omega_h/omega_c = 1 - x.
    engine = regime == code["engine"]
    assert engine.any()
    assert np.all((x[engine] > 0.5) & (x[engine] < 1))
    assert np.all((W[engine] < 0) & (Q_c[engine] > 0) & (Q_h[engine] < 0))
    np.testing.assert_allclose(ds["efficiency"].values.ravel()[engine], 1 - x[engine], rtol=1e-9)
    np.testing.assert_allclose(ds["eta_carnot"].values.ravel()[engine], 0.5, rtol=1e-12)
    # Heat from c (hot) into h (cold) while work is consumed: accelerator, never "refrigerator".
    accel = regime == code["accelerator"]
    assert accel.any()
    assert np.all((W[accel] > 0) & (Q_c[accel] > 0) & (Q_h[accel] < 0))
    np.testing.assert_allclose(ds["cop_accelerator"].values.ravel()[accel], Q_c[accel] / W[accel], rtol=1e-12)
    # The refrigerator draws heat from the colder bath h: cooling power is Q_h there.
    fridge = regime == code["refrigerator"]
    assert fridge.any()
    assert np.all((W[fridge] > 0) & (Q_h[fridge] > 0) & (Q_c[fridge] < 0))
    cooling = common.variable(ds, "cooling_power").values.ravel()
    np.testing.assert_allclose(cooling[fridge], Q_h[fridge], rtol=1e-12)
    assert np.all(np.isnan(cooling[~fridge]))
    # The summary's Carnot line uses the same roles.
    run = plot(path, "summary")
    assert run.status == 0, run.err
    assert "Carnot efficiency 1 - T_cold/T_hot = 0.5" in run.out
    assert "warning" not in run.err
