"""The command line of nessmap-plot: one entry, KIND chooses the picture.

main() is the console script `nessmap-plot` of an installed package, and what
`python3 -m nessmap_analysis` (so analysis/nessmap-plot in the checkout) runs.
"""
import argparse
import sys

import matplotlib

from .common import AnalysisError, open_sweep

KINDS = {
    "regime": "map of the operating regime over two axes (--x, --y)",
    "map": "colour map of one quantity over two axes (--x, --y, --var)",
    "lines": "one or more quantities along one axis (--x, --var ...), one line per scenario",
    "fig2": "the paper's Fig. 2: W_loc, W_nonloc, C_loc, C_nonloc (and factorized) vs omega_h/omega_c, type 2",
    "fig3": "the paper's Fig. 3: W, Q_h, Q_c vs omega_h/omega_c for the six scenarios, regimes shaded",
    "fig4": "the paper's Fig. 4: power vs efficiency loops, efficiency at maximum power marked",
    "summary": "text (or --json) per scenario: regime intervals, maximum power and its efficiency, ...",
    "scaling": "|W|, |Q_h|, |Q_c|, |W_nonloc|, |C_nonloc| per qubit vs N (log-log, power-law fits) and the regime vs N; text summary",
    "overview": "every picture the sweep's axes allow (regime maps per scenario, fig3, fig4, a power map) and the summary",
}


def dpi(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got '{text}'") from None
    if not 10 <= value <= 2400:
        raise argparse.ArgumentTypeError(f"must be between 10 and 2400, got {value}")
    return value


def parser():
    p = argparse.ArgumentParser(
        prog="nessmap-plot",
        description="Pictures and summaries from a nessmap sweep file (HDF5/netCDF-4).",
        epilog="kinds:\n" + "\n".join(f"  {k:8s} {v}" for k, v in KINDS.items()) +
        "\n\nexamples:\n"
        "  nessmap-plot results/sweep.h5 regime --x omega_ratio --y T_ratio --sel bath=common coupling=pairwise\n"
        "  nessmap-plot results/sweep.h5 map --var power --x omega_ratio --y T_ratio --sel bath=cascaded coupling=all_to_all\n"
        "  nessmap-plot results/sweep.h5 lines --x omega_ratio --var W Q_h Q_c --sel T_ratio=2\n"
        "  nessmap-plot results/fig3.h5 fig3\n"
        "  nessmap-plot results/fig4.h5 summary --json\n"
        "  nessmap-plot results/scaling.h5 scaling\n\n"
        "fig2, fig3, fig4 and summary run along omega_ratio; bath, coupling (and, for summary, N) give the\n"
        "scenarios; every other axis needs --sel, except T_ratio, which defaults to the paper's 2 when the\n"
        "file has it. Only points with status ok count. fig3 shades a regime where all drawn scenarios agree.\n"
        "Maxima (power, cooling power) are interpolated: the vertex of the parabola through the best grid\n"
        "point and its two neighbours along omega_ratio.\n\n"
        "scaling needs an N axis of at least 2 values (input/scaling.yaml); bath and omega_ratio stay open,\n"
        "every other axis needs --sel. It fits |X|/N ~ N^a over the larger half of the N values, leaves out\n"
        "points that did not solve (counted in the title) and prints the exponents and, per omega_ratio,\n"
        "from which N the common bath's per-qubit |Q_h| exceeds the independent baths'.\n\n"
        "summary --json writes JSON Lines: one JSON object per scenario, one per line, with the keys\n"
        "  the scenario's coordinates and the fixed ones (e.g. bath, coupling, N, T_ratio),\n"
        "  max_power, efficiency_at_max_power, omega_ratio_at_max_power, max_cooling_power,\n"
        "  omega_ratio_at_max_cooling_power, regime_intervals (list of {regime, from, to}: grid values\n"
        "  of each run of engine/refrigerator/accelerator/heater points), W_nonloc_sign_changes\n"
        "  (omega_ratio of each zero crossing, interpolated); null where a value does not exist.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE.h5", help="a sweep file written by `nessmap sweep`")
    p.add_argument("kind", metavar="KIND", choices=list(KINDS), help="one of " + ", ".join(KINDS))
    p.add_argument("--x", help="axis along x (regime, map, lines; default omega_ratio; scaling: N only)")
    p.add_argument("--y", help="axis along y (regime, map; default T_ratio)")
    p.add_argument("--var", nargs="+", default=None,
                   help="quantity (map: one; lines: one or more), a variable of the file or a derived one: "
                        "power, efficiency_over_carnot, cooling_power, cop, Q_nonloc "
                        "(scaling: default W Q_h Q_c W_nonloc C_nonloc)")
    p.add_argument("--sel", nargs="+", action="extend", default=[], metavar="AXIS=VALUE",
                   help="fix the other axes, e.g. --sel bath=common T_ratio=2")
    p.add_argument("--out", help="output file (default: beside FILE.h5, named after the kind)")
    p.add_argument("--format", choices=["png", "pdf"], default="png", help="picture format (default png)")
    p.add_argument("--dpi", type=dpi, default=150, help="resolution of PNG output, 10 to 2400 (default 150)")
    p.add_argument("--json", action="store_true", help="summary: JSON Lines, one JSON object per scenario (keys below)")
    return p


def main(argv=None):
    """Runs the command line `argv` (default: the process's arguments); returns the exit status, 0 or
    2 for a problem with the input (argparse exits with 2 itself)."""
    args = parser().parse_args(argv)
    matplotlib.use("Agg")  # pictures go to files: no display (a cluster node has none)
    try:
        ds = open_sweep(args.file)
        if args.kind in ("regime", "map", "lines"):
            from . import plots
            written = getattr(plots, args.kind if args.kind != "map" else "performance_map")(ds, args)
        elif args.kind in ("fig2", "fig3", "fig4"):
            from . import paper
            written = getattr(paper, args.kind)(ds, args)
        elif args.kind == "scaling":
            from . import scaling
            written = scaling.scaling(ds, args, sys.stdout)
        elif args.kind == "overview":
            from . import overview
            notes = []
            written = overview.overview(ds, args, notes)
            for note in notes:
                print(f"nessmap-plot: {note}", file=sys.stderr)
        else:
            from . import summary
            summary.summary(ds, args, sys.stdout)
            written = []
    except AnalysisError as e:
        print(f"nessmap-plot: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"nessmap-plot: wrote {path}", file=sys.stderr)
    return 0
