"""The general pictures of a sweep: the regime map and the performance map over two axes, and
line plots along one axis with one line per scenario. Each function takes the opened data set and
the parsed command line and returns the paths it wrote.

A PNG regime map carries its layout in a text chunk "nessmap:data-area" (JSON: the pixel box of
the axes, counted from the image's top left, and the axis limits and scales), so that a test can
map each cell of the sweep to its pixels; nothing else depends on it.
"""
import itertools
import json
import math
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from . import common as C
from .common import AnalysisError

CATEGORICAL = {"bath", "coupling", "N"}
DEFAULT_X, DEFAULT_Y = "omega_ratio", "T_ratio"
DEFAULT_LINES = ["W", "Q_h", "Q_c"]
LEGEND_ORDER = ["engine", "refrigerator", "accelerator", "heater", "none", "not_available"]
REGIME_TEXT = {"not_available": "not available (failed or not computed)"}
CARNOT_LABEL = r"Carnot: $\omega_h/\omega_c = T_h/T_c$"
NAN_COLOR = "#dddddd"
NAN_HATCH_COLOR = "#b0b0b0"
# Where a derived or efficiency-like quantity has no value although the point solved.
UNDEFINED_WHERE = {
    "power": "outside the engine regime",
    "efficiency": "outside the engine regime",
    "efficiency_over_carnot": "outside the engine regime",
    "cooling_power": "outside the refrigerator regime",
    "cop_refrigerator": "outside the refrigerator regime",
    "cop_accelerator": "outside the accelerator regime",
    "cop": "outside the refrigerator and accelerator regimes",
}
STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10.5, "xtick.labelsize": 9.5,
         "ytick.labelsize": 9.5, "legend.fontsize": 9.5, "legend.title_fontsize": 10}


# ---- axes of a picture --------------------------------------------------------------------------

def _is_categorical(ds, name):
    return name in CATEGORICAL or ds[name].values.dtype.kind in "OUSb"


def _tick_label(name, value):
    if name == "coupling":
        return f"{C.COUPLING_NAMES.get(value, value)}\n({value})"
    return str(value)


def _is_log_spaced(v):
    if len(v) < 3 or np.any(v <= 0):
        return False
    dl, d = np.diff(np.log(v)), np.diff(v)
    return bool(np.allclose(dl, dl[0], rtol=1e-6, atol=0) and not np.allclose(d, d[0], rtol=1e-6, atol=0))


def _cell_edges(v, log):
    """Edges of the cells around sorted coordinates: midpoints between neighbours (geometric on a
    log axis), the outer cells as wide as their neighbour's half-gap on the inside."""
    if len(v) == 1:
        w = 0.5 if v[0] == 0 else 0.1 * abs(v[0])
        return np.array([v[0] - w, v[0] + w]) if not log else np.array([v[0] / 1.2, v[0] * 1.2])
    t = np.log(v) if log else v.astype(float)
    mid = 0.5 * (t[1:] + t[:-1])
    e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    return np.exp(e) if log else e


def _plain_log_ticks(axis):
    """Ticks at 1, 2, 5 x 10^k written as plain numbers (0.1, 0.2, 0.5, 1, 2)."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


class PlotAxis:
    """One axis of a picture: its cell edges and positions (categorical axes: cells at 0..n-1)."""

    def __init__(self, ds, name):
        self.name = name
        self.label = C.axis_label(ds, name)
        values = ds[name].values
        self.categorical = _is_categorical(ds, name)
        self.values = values
        if self.categorical:
            self.positions = np.arange(len(values), dtype=float)
            self.edges = np.arange(len(values) + 1, dtype=float) - 0.5
            self.log = False
        else:
            v = values.astype(float)
            self.log = _is_log_spaced(v)
            self.positions = v
            self.edges = _cell_edges(v, self.log)
        self.lim = (float(self.edges[0]), float(self.edges[-1]))

    def setup(self, ax, which):
        if which == "x":
            ax.set_xlabel(self.label)
            ax.set_xlim(*self.lim)
            if self.log:
                ax.set_xscale("log")
                _plain_log_ticks(ax.xaxis)
            if self.categorical:
                ax.set_xticks(self.positions, [_tick_label(self.name, v) for v in self.values])
        else:
            ax.set_ylabel(self.label)
            ax.set_ylim(*self.lim)
            if self.log:
                ax.set_yscale("log")
                _plain_log_ticks(ax.yaxis)
            if self.categorical:
                ax.set_yticks(self.positions, [_tick_label(self.name, v) for v in self.values])

    def grid(self, n=401):
        """Fine positions across the axis (for contours)."""
        lo, hi = self.lim
        return np.geomspace(lo, hi, n) if self.log else np.linspace(lo, hi, n)


def _check_axis(ds, name, option, default, kind):
    axes = C.axes_of(ds)
    if name not in axes:
        src = ds.attrs.get("source_path", "the file")
        raise AnalysisError(f"{option} {name}{' (the default)' if default else ''}: the {kind} plot needs the axis "
                            f"'{name}', but the sweep {src} has the axes {', '.join(axes) or '(none)'}; "
                            f"choose one of them with {option}")


def _two_axes(ds, args, kind):
    """(x name, y name, selection, selected data set sorted along numeric axes) for regime and map."""
    x, y = args.x or DEFAULT_X, args.y or DEFAULT_Y
    if x == y:
        raise AnalysisError(f"--x and --y are both '{x}'; the {kind} plot needs two different axes")
    _check_axis(ds, x, "--x", args.x is None, kind)
    _check_axis(ds, y, "--y", args.y is None, kind)
    sel = C.parse_selection(ds, args.sel)
    sub = C.select(ds, sel, [x, y], kind)
    for a in (x, y):
        if not _is_categorical(sub, a):
            sub = sub.sortby(a)
    return x, y, sel, sub


def _scalar(v):
    return v.item() if hasattr(v, "item") else v


def _fmt(v):
    return v if isinstance(v, str) else f"{v:g}"


def _suffix(ds, sel, extra=()):
    """'bath-common_coupling-pairwise' (selection in the file's axis order) after `extra` parts."""
    parts = [p for p in extra if p]
    parts += [f"{a}-{_fmt(sel[a])}" for a in C.axes_of(ds) if a in sel]
    return "_".join(parts).replace("/", "-").replace(" ", "")


def _context_value(ds, sel, name, plot_axes):
    """A scalar value of `name` for the whole picture: selected, a single-valued axis or a fixed
    system value of the file; None if it varies in the picture or is unknown."""
    if name in plot_axes:
        return None
    if name in sel:
        return float(sel[name])
    if name in ds.dims and ds.sizes[name] == 1 and not _is_categorical(ds, name):
        return float(ds[name].values[0])
    v = C.fixed_value(ds, name)
    if v is None or np.size(v) != 1:
        return None
    return float(v)


def _temperature_ratio(ds, sel, plot_axes):
    r = _context_value(ds, sel, "T_ratio", plot_axes)
    if r is not None or "T_ratio" in plot_axes:
        return r
    th, tc = (_context_value(ds, sel, n, plot_axes) for n in ("T_h", "T_c"))
    return th / tc if th is not None and tc not in (None, 0.0) else None


def _title(ds, sel, plot_axes, head):
    single = {a: _scalar(ds[a].values[0]) for a in C.axes_of(ds)
              if a not in plot_axes and a not in sel and ds.sizes[a] == 1}
    sel = {**sel, **single}
    parts = []
    if "bath" in sel and "coupling" in sel:
        parts.append(C.scenario_label(sel["bath"], sel["coupling"]) + f" ({sel['coupling']})")
    elif "bath" in sel:
        parts.append(f"{sel['bath']} bath")
    elif "coupling" in sel:
        parts.append(f"{C.COUPLING_NAMES.get(sel['coupling'], sel['coupling'])} ({sel['coupling']})")
    parts += [f"{C.axis_symbol(ds, k)} = {_fmt(v)}" for k, v in sel.items() if k not in ("bath", "coupling")]
    if not any(a in sel or a in plot_axes for a in ("T_ratio", "T_h", "T_c")):
        r = _temperature_ratio(ds, sel, plot_axes)
        if r is not None:
            parts.append(f"{C.axis_symbol(ds, 'T_ratio')} = {r:g}")
    if "N" not in sel and "N" not in plot_axes and C.fixed_value(ds, "N") is not None:
        parts.append(f"N = {int(C.fixed_value(ds, 'N'))}")
    text = ", ".join(parts)
    return f"{head}: {text}" if head and text else head or text


# ---- the Carnot boundary omega_h/omega_c = T_h/T_c ----------------------------------------------

def _carnot(ax, ds, sel, X, Y, **style):
    """Draw omega_h/omega_c = T_h/T_c where it lies in the picture; return a legend handle or None."""
    plot_axes = (X.name, Y.name)
    style = {"color": "k", "linestyle": "--", "linewidth": 1.5, **style}

    def source(name):
        if name == X.name and not X.categorical:
            return "x"
        if name == Y.name and not Y.categorical:
            return "y"
        return _context_value(ds, sel, name, plot_axes)

    omega = source("omega_ratio")
    if omega is None and "omega_ratio" not in plot_axes:
        oh, oc = (_context_value(ds, sel, n, plot_axes) for n in ("omega_h", "omega_c"))
        omega = oh / oc if oh is not None and oc else None
    tr = source("T_ratio")
    if tr is None and "T_ratio" not in plot_axes:
        th, tc = source("T_h"), source("T_c")
        if isinstance(th, float) and isinstance(tc, float):
            tr = th / tc if tc else None
        elif th is not None and tc is not None:
            tr = ("T_h", th, tc)
    if omega is None or tr is None:
        return None
    drawn = False
    if isinstance(omega, str) and isinstance(tr, float):      # omega along an axis, T_h/T_c fixed
        drawn = _straight(ax, omega, tr, X if omega == "x" else Y, style)
    elif isinstance(tr, str) and isinstance(omega, float):    # T_ratio along an axis, omega fixed
        drawn = _straight(ax, tr, omega, X if tr == "x" else Y, style)
    elif isinstance(omega, str) and isinstance(tr, str):      # omega_ratio against T_ratio: the diagonal
        lo = max(X.lim[0], Y.lim[0])
        hi = min(X.lim[1], Y.lim[1])
        if lo < hi:
            t = np.geomspace(lo, hi, 200) if (X.log or Y.log) and lo > 0 else np.linspace(lo, hi, 200)
            ax.plot(t, t, zorder=4, **style)
            drawn = True
    elif not (isinstance(omega, float) and isinstance(tr, float)):  # general: T_h and T_c separately
        gx, gy = np.meshgrid(X.grid(), Y.grid())

        def value(v):
            return gx if v == "x" else gy if v == "y" else v

        if isinstance(tr, tuple):
            ratio = value(tr[1]) / value(tr[2])
        else:
            ratio = value(tr)
        f = np.broadcast_to(value(omega) - ratio, gx.shape)
        if np.nanmin(f) < 0 < np.nanmax(f):
            ax.contour(gx, gy, f, levels=[0.0], colors=style["color"], linestyles=style["linestyle"],
                       linewidths=style["linewidth"], zorder=4)
            drawn = True
    if not drawn:
        return None
    return Line2D([], [], label=CARNOT_LABEL, **style)


def _straight(ax, where, value, axis, style):
    if axis.categorical or not (axis.lim[0] < value < axis.lim[1]):
        return False
    (ax.axvline if where == "x" else ax.axhline)(value, zorder=4, **style)
    return True


# ---- output -------------------------------------------------------------------------------------

def _save(fig, ds, args, kind, suffix, metadata_ax=None):
    path = C.output_path(args.out, ds.attrs.get("source_path", "nessmap"), kind, suffix, args.format)
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    fmt = ext if ext in ("png", "pdf", "svg") else args.format
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        plt.close(fig)
        raise AnalysisError(f"{path}: the directory {folder} does not exist")
    metadata = None
    if fmt == "png" and metadata_ax is not None:
        fig.canvas.draw()  # runs the layout
        b = metadata_ax.get_window_extent()
        height = fig.bbox.height
        metadata = {"nessmap:data-area": json.dumps({
            "left": b.x0, "right": b.x1, "top": height - b.y1, "bottom": height - b.y0,
            "width": fig.bbox.width, "height": height,
            "xlim": list(metadata_ax.get_xlim()), "ylim": list(metadata_ax.get_ylim()),
            "xscale": metadata_ax.get_xscale(), "yscale": metadata_ax.get_yscale()})}
    try:
        fig.savefig(path, format=fmt, dpi=args.dpi, metadata=metadata)
    except OSError as e:
        raise AnalysisError(f"{path}: cannot write the picture ({e.strerror or e})") from None
    finally:
        plt.close(fig)
    return path


def _regime_codes(sub, x, y):
    """The regime field as integers (y, x), not_available where the point did not solve."""
    return C.regime_where_solved(sub).transpose(y, x).values.astype(int)


# ---- regime map ---------------------------------------------------------------------------------

def _check_quantity(ds, name, kind):
    """AnalysisError for an unknown name (common.variable) or one with more than a value per point."""
    extra = [d for d in C.variable(ds, name).dims if d not in C.axes_of(ds)]
    if extra:
        raise AnalysisError(f"--var {name}: has the dimension {', '.join(extra)} besides the sweep's axes; "
                            f"the {kind} plot needs one value per point")


def _check_dpi(args):
    if not 10 <= args.dpi <= 2400:
        raise AnalysisError(f"--dpi {args.dpi}: choose a resolution between 10 and 2400")


def regime(ds, args):
    _check_dpi(args)
    if args.var:
        raise AnalysisError("the regime map takes no --var (for a quantity use `map --var NAME`)")
    x, y, sel, sub = _two_axes(ds, args, "regime")
    X, Y = PlotAxis(sub, x), PlotAxis(sub, y)
    codes = _regime_codes(sub, x, y)
    names = C.regime_names(ds)
    unknown = sorted(set(np.unique(codes).tolist()) - set(names))
    if unknown:
        raise AnalysisError(f"{ds.attrs.get('source_path')}: regime codes {unknown} are not in the file's flag_values")
    known = sorted(names)
    colors = [C.REGIME_COLORS.get(names[k], "#000000") for k in known]
    index = np.searchsorted(known, codes)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.6, 4.8), dpi=args.dpi, layout="constrained")
        ax.pcolormesh(X.edges, Y.edges, index, cmap=ListedColormap(colors),
                      norm=BoundaryNorm(np.arange(len(known) + 1) - 0.5, len(known)),
                      antialiased=False, edgecolors="none", linewidth=0, rasterized=True, zorder=1)
        X.setup(ax, "x")
        Y.setup(ax, "y")
        present = {names[int(c)] for c in np.unique(codes)}
        handles = [Patch(facecolor=C.REGIME_COLORS[n], edgecolor="0.35", linewidth=0.6,
                         label=REGIME_TEXT.get(n, n)) for n in LEGEND_ORDER if n in present]
        handles += [Patch(facecolor=C.REGIME_COLORS.get(n, "#000000"), edgecolor="0.35", linewidth=0.6, label=n)
                    for n in sorted(present - set(LEGEND_ORDER))]
        line = _carnot(ax, ds, sel, X, Y)
        if line is not None:
            handles.append(line)
        ax.legend(handles=handles, title="regime", loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0.0, frameon=False)
        ax.set_title(_title(ds, sel, (x, y), "Operating regime"))
        extra = [] if (x, y) == (DEFAULT_X, DEFAULT_Y) else [f"x-{x}_y-{y}"]
        return [_save(fig, ds, args, "regime", _suffix(ds, sel, extra), metadata_ax=ax)]


# ---- performance map ----------------------------------------------------------------------------

def _boundary_segments(codes, X, Y):
    """Cell edges between neighbouring cells of different regime, as line segments in data space."""
    segs = []
    ex, ey = X.edges, Y.edges
    for j, i in zip(*np.nonzero(codes[:, 1:] != codes[:, :-1])):   # vertical edges
        segs.append([(ex[i + 1], ey[j]), (ex[i + 1], ey[j + 1])])
    for j, i in zip(*np.nonzero(codes[1:, :] != codes[:-1, :])):   # horizontal edges
        segs.append([(ex[i], ey[j + 1]), (ex[i + 1], ey[j + 1])])
    return segs


def performance_map(ds, args):
    _check_dpi(args)
    names = args.var or ["power"]
    if len(names) != 1:
        raise AnalysisError(f"the map shows one quantity, got --var {' '.join(names)} "
                            f"(for several use `lines --var ...`)")
    var = names[0]
    _check_quantity(ds, var, "map")  # before the selection is checked
    x, y, sel, sub = _two_axes(ds, args, "map")
    X, Y = PlotAxis(sub, x), PlotAxis(sub, y)
    z = C.variable(sub, var).transpose(y, x).values.astype(float)
    finite = np.isfinite(z)
    codes = _regime_codes(sub, x, y)
    signed = var in C.SIGNED or (finite.any() and np.nanmin(z) < 0 < np.nanmax(z))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.6, 5.4), dpi=args.dpi, layout="constrained")
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=NAN_COLOR,
                               edgecolor=NAN_HATCH_COLOR, hatch="//", linewidth=0, zorder=0))
        if finite.any():
            lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
        else:
            lo, hi = 0.0, 1.0
        if signed:
            m = max(abs(lo), abs(hi)) or 1.0
            norm, cmap = Normalize(-m, m), "RdBu_r"
        else:
            if hi <= lo:
                hi = lo + (abs(lo) or 1.0) * 1e-9 + 1e-300
            # a positive quantity over more than two decades (a COP near omega_h = omega_c): log scale
            norm = LogNorm(lo, hi) if lo > 0 and hi / lo > 100 else Normalize(lo, hi)
            cmap = "viridis"
        mesh = ax.pcolormesh(X.edges, Y.edges, np.ma.masked_invalid(z), cmap=cmap, norm=norm,
                             antialiased=False, edgecolors="none", linewidth=0, rasterized=True, zorder=1)
        X.setup(ax, "x")
        Y.setup(ax, "y")
        cb = fig.colorbar(mesh, ax=ax, pad=0.02)
        cb.set_label(C.variable_label(var, ds))
        handles = []
        segs = _boundary_segments(codes, X, Y)
        if segs:
            ax.add_collection(LineCollection(segs, colors="k", linewidths=0.8, zorder=3))
            handles.append(Line2D([], [], color="k", linewidth=0.8, label="regime boundary"))
        line = _carnot(ax, ds, sel, X, Y, color="0.15", linewidth=1.3)
        if line is not None:
            handles.append(line)
        if not finite.all():
            solved = C.solved(sub).transpose(y, x).values
            why = []
            if (~finite & solved).any():
                why.append(UNDEFINED_WHERE.get(var, "undefined"))
            if (~solved).any():
                why.append(f"{int((~solved).sum())} points failed or not computed")
            handles.append(Patch(facecolor=NAN_COLOR, edgecolor=NAN_HATCH_COLOR, hatch="//",
                                 label="no value: " + "; ".join(why)))
        if handles:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13 if not X.categorical else -0.2),
                      ncol=1 if max(len(h.get_label()) for h in handles) > 40 else min(len(handles), 2),
                      frameon=False, borderaxespad=0.0)
        ax.set_title(_title(ds, sel, (x, y), C.variable_label(var, ds).split(" [")[0]))
        extra = [var] + ([] if (x, y) == (DEFAULT_X, DEFAULT_Y) else [f"x-{x}_y-{y}"])
        return [_save(fig, ds, args, "map", _suffix(ds, sel, extra))]


# ---- lines --------------------------------------------------------------------------------------

SCENARIO_COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]
SCENARIO_STYLES = ["-", "--", ":", "-."]
COUPLING_STYLES = {"all_to_all": "-", "pairwise": "--"}
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
PART_WIDTHS = {"": 2.2, "_loc": 1.0, "_nonloc": 1.0}
PART_TEXT = {"": "total, thick", "_loc": "thin", "_nonloc": "thin with circles"}


def _ordered(name, values):
    values = [_scalar(v) for v in values]
    order = {"bath": C.BATH_ORDER, "coupling": C.COUPLING_ORDER}.get(name)
    if order:
        return sorted(values, key=lambda v: order.index(v) if v in order else len(order))
    return values


def _scenario_styles(open_axes, values):
    """{axis: {value: dict of line properties}}: bath -> colour, coupling -> line style, another
    categorical axis (N) -> the free one of colour, line style, marker."""
    channels = {}
    free = ["color", "linestyle", "marker"]
    if "bath" in open_axes:
        channels["bath"] = "color"
        free.remove("color")
    if "coupling" in open_axes:
        channels["coupling"] = "linestyle"
        free.remove("linestyle")
    for a in open_axes:
        if a not in channels:
            channels[a] = free.pop(0)
    styles = {}
    for a in open_axes:
        ch = channels[a]
        styles[a] = {}
        for k, v in enumerate(values[a]):
            if ch == "color":
                c = C.BATH_COLORS.get(v) if a == "bath" else None
                styles[a][v] = {"color": c or SCENARIO_COLORS[k % len(SCENARIO_COLORS)]}
            elif ch == "linestyle":
                s = COUPLING_STYLES.get(v) if a == "coupling" else None
                styles[a][v] = {"linestyle": s or SCENARIO_STYLES[k % len(SCENARIO_STYLES)]}
            else:
                styles[a][v] = {"marker": MARKERS[k % len(MARKERS)]}
    return styles


def _scenario_label(combo):
    if "bath" in combo and "coupling" in combo:
        head = C.scenario_label(combo["bath"], combo["coupling"])
    elif "bath" in combo:
        head = str(combo["bath"])
    elif "coupling" in combo:
        head = C.COUPLING_NAMES.get(combo["coupling"], combo["coupling"])
    else:
        head = ""
    rest = [f"{a} = {_fmt(v)}" for a, v in combo.items() if a not in ("bath", "coupling")]
    return ", ".join([p for p in [head] + rest if p]) or "all"


def lines(ds, args):
    _check_dpi(args)
    if args.y:
        raise AnalysisError("lines has one axis, --x; fix the other axes with --sel AXIS=VALUE")
    x = args.x or DEFAULT_X
    names = list(args.var or DEFAULT_LINES)
    for n in names:
        _check_quantity(ds, n, "lines")
    _check_axis(ds, x, "--x", args.x is None, "lines")
    sel = C.parse_selection(ds, args.sel)
    open_axes = [a for a in C.axes_of(ds) if a != x and a not in sel and _is_categorical(ds, a)
                 and ds.sizes[a] > 1]
    sub = C.select(ds, sel, [x] + open_axes, "lines")
    if not _is_categorical(sub, x):
        sub = sub.sortby(x)
    X = PlotAxis(sub, x)
    parts = [""]
    if len(names) == 1 and names[0] in ("W", "Q_h", "Q_c") and \
            all(names[0] + p in ds.data_vars for p in ("_loc", "_nonloc")):
        parts = ["", "_loc", "_nonloc"]
    values = {a: _ordered(a, sub[a].values) for a in open_axes}
    styles = _scenario_styles(open_axes, values)
    combos = [dict(zip(open_axes, c)) for c in itertools.product(*(values[a] for a in open_axes))]
    data = {n + p: C.variable(sub, n + p) for n in names for p in parts}
    npanel = len(names)
    marker_used = X.categorical or any("marker" in st for a in open_axes for st in styles[a].values())
    part_style = {p: {"linewidth": PART_WIDTHS[p] if len(parts) > 1 else 1.8} for p in parts}
    if len(parts) > 1:
        if marker_used:
            part_style["_nonloc"].update(alpha=0.55)
        else:
            part_style["_nonloc"].update(marker="o", markersize=3.0, markerfacecolor="none")
    with plt.rc_context(STYLE):
        height = 1.2 + 2.5 * npanel if npanel > 1 else 4.6
        entries = (len(combos) if open_axes else 0) + (len(parts) if len(parts) > 1 else 0) + 1
        below = 0.23 * (entries + 1) >= height - 0.3      # too many entries to fit beside the top panel
        ncol = 3 if entries > 8 else 2
        if below:
            height += 0.25 * math.ceil(entries / ncol) + 0.6
        fig, axs = plt.subplots(npanel, 1, sharex=True, squeeze=False, dpi=args.dpi, layout="constrained",
                                figsize=(8.2, height))
        axs = axs[:, 0]
        handles = []
        for combo in combos:
            props = {"color": "k", "linestyle": "-"}
            for a, v in combo.items():
                props.update(styles[a][v])
            if X.categorical and "marker" not in props:
                props["marker"] = "o"
            for ax, n in zip(axs, names):
                for p in parts:
                    da = data[n + p]
                    yv = (da.sel(combo) if combo else da).values.astype(float)
                    pp = {**props, **part_style[p]}
                    if "marker" in pp and not X.categorical:
                        pp["markevery"] = max(1, len(yv) // 20)
                    ax.plot(X.positions, yv, **pp)
            if open_axes:  # one scenario only: the title says which
                handles.append(Line2D([], [], label=_scenario_label(combo), **{**props, "linewidth": 1.8}))
        for ax, n in zip(axs, names):
            ax.axhline(0.0, color="0.45", linewidth=0.8, zorder=0)
            ax.set_ylabel(C.variable_label(n, ds))
            ax.grid(True, color="0.9", linewidth=0.6)
            ax.set_axisbelow(True)
        X.setup(axs[-1], "x")
        carnot = None
        for ax in axs:
            carnot = _carnot(ax, ds, sel, X, _NoAxis(), color="0.3", linestyle=":", linewidth=1.3) or carnot
        if len(parts) > 1:
            sym = C.VARIABLE_LABELS.get(names[0], (names[0],))[0]
            for p in parts:
                label = sym if not p else C.VARIABLE_LABELS.get(names[0] + p, (names[0] + p,))[0]
                handles.append(Line2D([], [], color="0.2", **part_style[p], label=f"{label} ({'thin, faint' if p == '_nonloc' and marker_used else PART_TEXT[p]})"))
        if carnot is not None:
            handles.append(carnot)
        if handles:
            title = "scenario" if open_axes else None
            if not below:
                axs[0].legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                              borderaxespad=0.0, frameon=False)
            else:
                fig.canvas.draw()  # the x label's height, to put the legend under it
                lab = axs[-1].xaxis.get_tightbbox(fig.canvas.get_renderer())
                box = axs[-1].get_window_extent()
                y0 = -(box.y0 - lab.y0) / box.height - 0.03
                axs[-1].legend(handles=handles, title=title, loc="upper center", bbox_to_anchor=(0.5, y0),
                               ncol=ncol, borderaxespad=0.0, frameon=False)
        axs[0].set_title(_title(ds, sel, (x,), ""))
        extra = [] if names == DEFAULT_LINES else ["-".join(names)]
        if x != DEFAULT_X:
            extra.append(f"x-{x}")
        return [_save(fig, ds, args, "lines", _suffix(ds, sel, extra))]


class _NoAxis:
    """The missing y axis of a line plot, for the Carnot line."""
    name = None
    categorical = True
    log = False
    lim = (0.0, 1.0)

    @staticmethod
    def grid(n=2):
        return np.linspace(0.0, 1.0, n)
