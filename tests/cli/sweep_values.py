#!/usr/bin/python3
"""Check a sweep file of tests/cli/configs/sweep_small.yaml from Python, independently of nessmap's
own reading: coordinates and shapes with xarray and h5py, and the values at a few points against
`nessmap point` run on the same parameters, field by field.

usage: sweep_values.py FILE.h5 CONFIG.yaml NESSMAP
"""
import os
import csv
import json
import math
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def main(path, config, nessmap):
    ds = xr.open_dataset(path)
    axes = ["omega_ratio", "bath", "coupling"]
    # The config's axes, written out here from its text, not read back from the file.
    omega_ratio = 0.1 + np.arange(30) * (3.0 - 0.1) / 29
    omega_ratio[-1] = 3.0
    check(list(ds["W"].dims) == axes, f"W dims {ds['W'].dims}")
    check(dict(ds.sizes) == {"omega_ratio": 30, "bath": 3, "coupling": 2, "qubit": 2}, f"sizes {dict(ds.sizes)}")
    check(np.array_equal(ds["omega_ratio"].values, omega_ratio), "omega_ratio coordinate")
    check(list(ds["bath"].values) == ["common", "cascaded", "independent"], f"bath {ds['bath'].values}")
    check(list(ds["coupling"].values) == ["pairwise", "all_to_all"], f"coupling {ds['coupling'].values}")
    check(all(isinstance(b, str) for b in ds["bath"].values), "bath labels are not str")
    check(ds["regime"].dtype == np.int8 and ds["status"].dtype == np.int8, "regime/status not int8")
    meanings = ds["regime"].attrs["flag_meanings"].split()
    flag_values = list(ds["regime"].attrs["flag_values"])
    check(int(ds.attrs["points_total"]) == 180, "points_total")
    check(int((ds["status"] == 0).sum()) == 180, "not every point ok")
    check("sweep" in ds.attrs["config_yaml"] and "omega_ratio" in ds.attrs["config_yaml"], "config_yaml")
    for key in ("nessmap_version", "petsc_version", "slepc_version", "mpi_version", "start_time", "end_time"):
        check(key in ds.attrs and str(ds.attrs[key]) != "", f"provenance attribute {key}")
    # OpenBLAS falls back to its SSE3 kernels on CPU models it does not know; nessmap then runs
    # itself again with OPENBLAS_CORETYPE set (petsc/blas.hpp), unless the caller set it.
    kernels = str(ds.attrs.get("blas_kernels", ""))
    flags = open("/proc/cpuinfo").read().split()
    if kernels.startswith("OpenBLAS") and "avx2" in flags and "fma" in flags and "OPENBLAS_CORETYPE" not in os.environ:
        check(kernels.split()[-1] not in ("Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge"),
              f"blas_kernels {kernels!r}: generic kernels on a CPU with AVX2")
    # Every point's evaluation time lies inside the run: the groups' compute time is positive and
    # at most groups x wall time (a chunk's time counted twice, or time summed per rank rather than
    # per group, breaks the bound).
    groups = int(ds.attrs["mpi_ranks"]) // int(ds.attrs["ranks_per_point"])
    compute, wall = float(ds.attrs["compute_seconds"]), float(ds.attrs["wall_seconds"])
    check(0 < compute <= groups * wall, f"compute_seconds {compute} against {groups} x wall_seconds {wall}")

    with h5py.File(path, "r") as f:
        check(f["W"].shape == (30, 3, 2), f"h5py W shape {f['W'].shape}")
        check(np.array_equal(f["omega_ratio"][...], omega_ratio), "h5py omega_ratio")
        check(np.array_equal(f["W"][...], ds["W"].values, equal_nan=True), "h5py and xarray W differ")
        check(f["W"].dims[0][0].name == "/omega_ratio", "W axis 0 is not attached to omega_ratio")

    rows = {}
    with open(path[: -len(".h5")] + ".csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[int(row["index"])] = row

    # A few points: the physics of each regime, every bath and coupling.
    for i, b, c in [(0, "common", "all_to_all"), (12, "cascaded", "pairwise"), (25, "independent", "all_to_all"),
                    (9, "independent", "pairwise")]:
        x = float(omega_ratio[i])
        out = subprocess.run([nessmap, "point", config, "--set", f"system.omega_h={x!r}", "--set", f"system.bath={b}",
                              "--set", f"system.coupling={c}"], capture_output=True, text=True)
        check(out.returncode == 0, f"nessmap point at {x} {b} {c} exited {out.returncode}: {out.stderr}")
        point = json.loads(out.stdout)
        here = ds.sel(omega_ratio=x, bath=b, coupling=c)
        flat = (i * 3 + ["common", "cascaded", "independent"].index(b)) * 2 + ["pairwise", "all_to_all"].index(c)
        compared = 0
        for name, value in point.items():
            if name not in ds.data_vars or name in ("regime", "status"):
                continue
            got = here[name].values
            want = np.array(value if value is not None else math.nan, dtype=float)
            scale = max(1e-300, float(np.nanmax(np.abs(want))) if np.isfinite(want).any() else 1.0)
            same = np.allclose(got, want, rtol=1e-9, atol=1e-12 * scale, equal_nan=True)
            check(same, f"{name} at omega_ratio={x} {b} {c}: file {got}, nessmap point {want}")
            compared += 1
        check(compared >= 25, f"only {compared} fields compared")
        check(meanings[flag_values.index(int(here["regime"]))] == point["regime"], f"regime at {x} {b} {c}")
        row = rows[flat]
        check(row["bath"] == b and row["coupling"] == c and float(row["omega_ratio"]) == x, f"CSV row {flat}")
        check(float(row["W"]) == float(here["W"]), f"CSV W at row {flat}")
        check(row["regime"] == point["regime"], f"CSV regime at row {flat}")

    # The physics the paper states for these parameters (physics.md): accelerator below x = 1,
    # engine between 1 and 2, refrigerator above 2, in every scenario.
    regime = ds["regime"]
    name = {v: m for v, m in zip(flag_values, meanings)}
    for xi, x in enumerate(omega_ratio):
        expect = "accelerator" if x < 0.999 else "engine" if 1.001 < x < 1.999 else "refrigerator" if x > 2.001 else None
        if expect:
            got = {name[int(v)] for v in regime.isel(omega_ratio=xi).values.ravel()}
            check(got == {expect}, f"regimes at omega_ratio={x}: {got}, expected {expect}")

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
