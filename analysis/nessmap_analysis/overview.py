"""`overview`: the pictures a sweep allows, in one go (README's main command runs it on the
default sweep): a regime map per scenario and, along omega_h/omega_c, the paper's Figs. 3 and 4, a
power map and the text summary. Kinds that the file's axes do not allow are skipped with a note.
"""
import argparse
import io

from . import paper, plots, summary
from .common import AnalysisError, axes_of, scenarios


def _args(base, **changes):
    values = dict(vars(base))
    values.update(dict(out=None, x=None, y=None, var=None, sel=[], json=False))
    values.update(changes)
    return argparse.Namespace(**values)


def overview(ds, args, notes):
    """Writes every picture the axes allow; returns their paths, and appends to `notes` what was
    skipped and why."""
    if args.out:
        raise AnalysisError("overview writes several files beside the sweep file; --out is for a single picture")
    axes = axes_of(ds)
    written = []

    def attempt(what, function, **changes):
        try:
            written.extend(function(ds, _args(args, **changes)))
        except AnalysisError as e:
            notes.append(f"skipped {what}: {e}")

    scenario_axes = [a for a in ("bath", "coupling") if a in axes]
    combos = [coords for coords, _ in scenarios(ds, scenario_axes)] if scenario_axes else [{}]
    two_d = "omega_ratio" in axes and "T_ratio" in axes
    for combo in combos:
        sel = [f"{k}={v}" for k, v in combo.items()]
        if two_d:
            attempt("regime map", plots.regime, x="omega_ratio", y="T_ratio", sel=sel)
    if two_d:
        attempt("power map", plots.performance_map, x="omega_ratio", y="T_ratio", var=["power"],
                sel=[f"{k}={v}" for k, v in combos[-1].items()])
    if "omega_ratio" in axes:
        attempt("Fig. 3", paper.fig3)
        attempt("Fig. 4", paper.fig4)
        text = io.StringIO()
        try:
            summary.summary(ds, _args(args), text)
            path = ds.attrs["source_path"].rsplit(".", 1)[0] + "_summary.txt"
            with open(path, "w") as f:
                f.write(text.getvalue())
            written.append(path)
        except AnalysisError as e:
            notes.append(f"skipped the summary: {e}")
    if not written:
        raise AnalysisError("nothing to draw: the sweep has no omega_ratio axis")
    return written
