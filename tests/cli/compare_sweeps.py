#!/usr/bin/python3
"""Compare two nessmap sweep files: same coordinates, variables and attributes.

usage: compare_sweeps.py A.h5 B.h5 [--rtol R]

Values must be equal (NaN where the other has NaN). With --rtol, floats may differ by that
fraction of the variable's largest magnitude (a current that crosses zero is compared on the
scale of the current), and the roundoff measures (trace, Hermiticity and first-law errors,
||L rho||), which are noise by construction, are only required to be NaN in the same places.
The attributes that describe a particular run (time,
ranks, host, command line) are not compared. Exit status 1 and the differences on stderr when
the files differ.
"""
import sys

import numpy as np
import xarray as xr

# Roundoff-level diagnostics and their estimates, which differ between methods and orderings.
ROUNDOFF = {"trace_error", "hermiticity_error", "residual_norm", "first_law_residual", "excitation_current_error",
            "current_error"}
RUN_SPECIFIC = {"start_time", "end_time", "wall_seconds", "compute_seconds", "mpi_ranks", "ranks_per_point", "hostname",
                "command_line", "points_from_journal", "slurm_job_id", "slurm_array_job_id",
                "slurm_array_task_id", "slurm_job_nodelist", "config_overrides", "nessmap_version"}


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    rtol = 0.0
    if "--rtol" in argv:
        rtol = float(argv[argv.index("--rtol") + 1])
        args.remove(argv[argv.index("--rtol") + 1])
    a, b = (xr.open_dataset(p) for p in args)
    problems = []
    if dict(a.sizes) != dict(b.sizes):
        problems.append(f"dimensions {dict(a.sizes)} != {dict(b.sizes)}")
    for name in sorted(set(a.variables) | set(b.variables)):
        if name not in a.variables or name not in b.variables:
            problems.append(f"variable {name} only in one file")
            continue
        x, y = a[name].values, b[name].values
        if x.shape != y.shape:
            problems.append(f"{name}: shapes {x.shape} != {y.shape}")
        elif x.dtype.kind == "f":
            nan = np.isnan(x)
            if not np.array_equal(nan, np.isnan(y)):
                problems.append(f"{name}: NaN in different places")
                continue
            if rtol > 0 and name in ROUNDOFF:
                continue
            if rtol > 0:
                scale = np.nanmax(np.abs(x)) if (~nan).any() else 0.0
                bad = ~nan & (np.abs(x - y) > rtol * max(scale, 1e-300) + 1e-15 * (name == "min_eigenvalue"))
            else:
                bad = ~nan & (x != y)
            if bad.any():
                where = np.argwhere(bad)
                problems.append(f"{name}: {len(where)} values differ, first at {tuple(where[0])}: "
                                f"{x[tuple(where[0])]!r} vs {y[tuple(where[0])]!r}")
        elif not np.array_equal(x, y):
            problems.append(f"{name}: values differ")
        if str(a[name].attrs) != str(b[name].attrs):
            problems.append(f"{name}: attributes differ")
    for key in sorted(set(a.attrs) | set(b.attrs)):
        if key in RUN_SPECIFIC:
            continue
        if str(a.attrs.get(key)) != str(b.attrs.get(key)):
            problems.append(f"global attribute {key}: {a.attrs.get(key)!r} != {b.attrs.get(key)!r}")
    for p in problems:
        print(f"{args[0]} vs {args[1]}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
