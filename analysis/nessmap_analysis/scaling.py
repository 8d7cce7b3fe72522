"""`scaling`: how the currents of a sweep over N (qubits per ensemble) grow with N.

One figure and a text summary on stdout (input/scaling.yaml is the sweep it was made for):

- per quantity (default W, Q_h, Q_c, W_nonloc, C_nonloc; another set with --var) the absolute value
  per qubit, |X|/N, against N on log-log axes, one line per bath. Each line's power law
  |X|/N ~ N^a is fitted by least squares on log|X/N| against log N over the larger half of the N
  values where the quantity is defined and not zero (all of them when there are fewer than
  FIT_ALL_BELOW). With at most MAX_ROWS values of omega_h/omega_c, one row of panels per value, the
  fit drawn dashed over its range and its exponent in the legend; with more, one row with a line
  per (bath, omega_h/omega_c), coloured by omega_h/omega_c, and a row of the exponents against
  omega_h/omega_c;
- the operating regime over N and omega_h/omega_c, one panel per bath;
- points whose status is not ok are left out of both and counted in the title and the summary.
  Zeros cannot be drawn on a log axis and are not fitted; they are said so in the legend and the
  summary. A value counts as zero when it is 0 (W_nonloc with independent baths, the non-local
  parts at N = 1), when it is a multiple of J (W, Q_h, Q_c) whose estimated relative error
  (current_error) is 1/4 or more (nessmap's own rule for a sign: the Carnot point), or when it is
  below ROUNDOFF of the largest |value| of its quantity in the selection.

The summary gives the fitted exponents per quantity and bath, and, where the file has both a common
and an independent bath, whether the common bath's per-qubit |Q_h| exceeds the independent baths',
and from which N. A difference counts only above the two points' estimated errors (the file's
current_error, relative to the currents); below that the two are equal, as they must be at N = 1,
where the bath models coincide.

The file needs an N axis with at least two values. N, bath and omega_ratio are the plot's own axes;
every other axis with more than one value (coupling, T_ratio, ...) must be fixed with --sel.
"""
import math
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import common as C
from .common import AnalysisError
from .plots import LEGEND_ORDER, REGIME_TEXT, STYLE, _plain_log_ticks, _suffix

DEFAULT_QUANTITIES = ["W", "Q_h", "Q_c", "W_nonloc", "C_nonloc"]
MAX_ROWS = 4          # omega_h/omega_c values drawn as rows of their own; more share one row
FIT_ALL_BELOW = 4     # with fewer usable points than this the fit takes all of them
OMEGA_COLORS = plt.get_cmap("viridis")
J_MULTIPLES = {"W", "Q_h", "Q_c", "excitation_current"}   # physics.md: Q_h = omega_h J, ...
ROUNDOFF = 1e-12      # a value below this share of its quantity's largest |value| is round-off


# ---- numbers -------------------------------------------------------------------------------------

def fit_exponent(n, y):
    """(a, b, used) of the least-squares line log|y| = a log n + b over the larger half of the points
    where y is finite and not zero (all of them when there are fewer than FIT_ALL_BELOW); `used` are
    the n of the points fitted. (nan, nan, []) with fewer than two such points."""
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    good = np.isfinite(y) & (y != 0) & np.isfinite(n) & (n > 0)
    n, y = n[good], np.abs(y[good])
    order = np.argsort(n)
    n, y = n[order], y[order]
    if n.size < 2:
        return math.nan, math.nan, n[:0]
    if n.size >= FIT_ALL_BELOW:
        n, y = n[n.size // 2:], y[n.size // 2:]
    a, b = np.polyfit(np.log(n), np.log(y), 1)
    return float(a), float(b), n


def ranges(values):
    """'2-4, 6, 9-10' for sorted integers."""
    values = [int(v) for v in values]
    out, start = [], None
    for i, v in enumerate(values):
        if start is None:
            start = v
        if i + 1 == len(values) or values[i + 1] != v + 1:
            out.append(f"{start}" if start == v else f"{start}-{v}")
            start = None
    return ", ".join(out)


def compare(n, common, independent, err_common, err_independent):
    """Per N where both points are defined: 'above', 'below' or 'equal' for |common| against
    |independent|, a difference counting only above the sum of their estimated absolute errors
    (relative error x value; a relative 1e-9 where the file gives none)."""
    out = {}
    for k, N in enumerate(n):
        a, b = abs(common[k]), abs(independent[k])
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        ea = err_common[k] if math.isfinite(err_common[k]) else 1e-9
        eb = err_independent[k] if math.isfinite(err_independent[k]) else 1e-9
        margin = ea * a + eb * b
        out[int(N)] = "equal" if abs(a - b) <= margin else ("above" if a > b else "below")
    return out


def comparison_text(states):
    """One sentence from compare()'s {N: state}: from which N the common bath is above."""
    if not states:
        return "no N where both baths solved"
    ns = sorted(states)
    above = [N for N in ns if states[N] == "above"]
    rest = [f"{word} at N = {ranges([N for N in ns if states[N] == word])}"
            for word in ("below", "equal") if any(states[N] == word for N in ns)]
    if not above:
        head = "never above independent"
    elif states[ns[-1]] == "above":
        start = ns[-1]
        for N in reversed(ns):
            if states[N] != "above":
                break
            start = N
        head = f"above independent from N = {start} on"
    else:
        head = f"above independent at N = {ranges(above)} only"
    return f"{head}" + (f"; {', '.join(rest)}" if rest else "") + f" (N = {ranges(ns)} compared)"


# ---- the data ------------------------------------------------------------------------------------

def _value(v):
    return v.item() if hasattr(v, "item") else v


def _fmt(v):
    return v if isinstance(v, str) else f"{v:g}"


def selection(ds, args):
    """(selection, data with the axes N, bath and omega_ratio where the file has them, sorted) or
    AnalysisError for a file without an N axis of two values or with another open axis."""
    src = ds.attrs.get("source_path", "the file")
    axes = C.axes_of(ds)
    if getattr(args, "y", None) or getattr(args, "x", None) not in (None, "N"):
        raise AnalysisError("the scaling plot runs along N (--x N, the default) and takes no --y; fix other axes "
                            "with --sel AXIS=VALUE")
    if "N" not in axes or ds.sizes["N"] < 2:
        has = (f"only N = {int(ds['N'].values[0])}" if "N" in axes else
               f"no N axis (its axes are {', '.join(axes) or '(none)'}"
               + (f"; N = {int(C.fixed_value(ds, 'N'))} for every point" if C.fixed_value(ds, "N") is not None else "")
               + ")")
        raise AnalysisError(f"{src}: the scaling analysis needs a sweep over N (qubits per ensemble) with at least "
                            f"2 values, but the file has {has}; sweep N with e.g. `N: [1, 2, 4, 8]` under "
                            f"sweep.axes (input/scaling.yaml)")
    sel = C.parse_selection(ds, args.sel)
    if "N" in sel:
        raise AnalysisError("--sel N=...: N is the axis of the scaling plot, it cannot also be selected")
    keep = ["N"] + [a for a in ("bath", "omega_ratio") if a in axes and a not in sel]
    sub = C.select(ds, sel, keep, "scaling").sortby("N")
    if "omega_ratio" in sub.dims:
        sub = sub.sortby("omega_ratio")
    return sel, sub


def _baths(sub, ds, sel):
    if "bath" in sub.dims:
        values = [str(_value(b)) for b in sub["bath"].values]
        return sorted(values, key=lambda b: C.BATH_ORDER.index(b) if b in C.BATH_ORDER else len(C.BATH_ORDER))
    b = sel.get("bath", _value(sub["bath"].values) if "bath" in sub.coords else C.fixed_value(ds, "bath"))
    return [str(_value(b))] if b is not None else [None]


def _omegas(sub):
    return [float(w) for w in sub["omega_ratio"].values] if "omega_ratio" in sub.dims else [None]


def _one(sub, bath, omega):
    s = {}
    if bath is not None and "bath" in sub.dims:
        s["bath"] = bath
    if omega is not None:
        s["omega_ratio"] = omega
    return sub.sel(s) if s else sub


def per_qubit_label(name, ds=None):
    """'$|\\dot W|/N$ [$\\omega_c^2$]': the absolute value per qubit, in the package's symbols."""
    symbol, units = C.VARIABLE_LABELS.get(name, (None, ""))
    if symbol and symbol.count("$") == 2 and symbol.startswith("$") and symbol.endswith("$"):
        text = f"$|{symbol[1:-1]}|/N$"
    else:
        text = f"|{symbol or C.variable_label(name, ds)}|/N"
    return f"{text} [{units}]" if units else text


def _regime_of(sub, omega, names):
    """The one regime of every solved point at this omega_h/omega_c (all N and baths), 'mixed', or
    None where no point solved."""
    one = _one(sub, None, omega)
    codes = C.regime_where_solved(one).values
    present = {names.get(int(c), str(int(c))) for c in np.unique(codes)} - {"not_available"}
    if not present:
        return None
    return present.pop() if len(present) == 1 else "mixed"


def analyse(ds, args):
    """The numbers of the picture and the summary: a dict with the selection, the data, the
    quantities and, per (quantity, bath, omega), the N, the per-qubit values and the fit."""
    sel, sub = selection(ds, args)
    quantities = list(args.var or DEFAULT_QUANTITIES)
    for q in quantities:
        C.variable(ds, q)  # AnalysisError for an unknown name
        extra = [d for d in C.variable(ds, q).dims if d not in C.axes_of(ds)]
        if extra:
            raise AnalysisError(f"--var {q}: has the dimension {', '.join(extra)} besides the sweep's axes; "
                                f"the scaling plot needs one value per point")
    n = sub["N"].values.astype(float)
    series = {}
    for q in quantities:
        values = C.variable(sub, q)
        scale = float(np.nanmax(np.abs(values.values))) if np.isfinite(values.values).any() else 0.0
        for bath in _baths(sub, ds, sel):
            for omega in _omegas(sub):
                one = _one(sub, bath, omega)
                y = C.variable(one, q).transpose("N").values.astype(float) / n
                zero = _zero(one, q, y * n, scale)
                a, b, used = fit_exponent(n, np.where(zero, 0.0, y))
                series[(q, bath, omega)] = {"N": n, "y": y, "zero": zero, "exponent": a, "intercept": b,
                                            "fit_N": used}
    return {"selection": sel, "data": sub, "quantities": quantities, "series": series}


def _zero(one, q, x, scale):
    """Where a value counts as zero: exactly 0; a multiple of the excitation current J (W, Q_h, Q_c,
    J) whose estimated relative error (the file's current_error) is 1/4 or more, the rule by which
    nessmap itself counts a sign (on the Carnot line the currents are round-off); any quantity below
    ROUNDOFF of the largest |value| of that quantity in the selection."""
    with np.errstate(invalid="ignore"):
        zero = np.isfinite(x) & ((x == 0) | (np.abs(x) <= ROUNDOFF * scale))
        if q in J_MULTIPLES and "current_error" in one:
            err = one["current_error"].transpose("N").values.astype(float)
            zero |= np.isfinite(x) & np.isfinite(err) & (4 * err >= 1)
    return zero


# ---- the figure ----------------------------------------------------------------------------------

def _counts(sub):
    """{status name: count} of the points that are not ok, and the number of points."""
    names = C.status_names(sub)
    codes, counts = np.unique(sub["status"].values, return_counts=True)
    bad = {names.get(int(c), str(int(c))): int(k) for c, k in zip(codes, counts) if names.get(int(c)) != "ok"}
    return bad, int(sub["status"].size)


def _left_out_text(sub):
    bad, total = _counts(sub)
    if not bad:
        return f"all {total} points ok"
    ok = total - sum(bad.values())
    return f"{ok} of {total} points ok; left out: " + ", ".join(f"{k} {v.replace('_', ' ')}" for v, k in bad.items())


def system_value(ds, name):
    """A system value that no axis replaces: the file's attribute, else (the writer leaves out values
    whose length follows N, such as g_h under an N axis) the configuration the file records,
    config_yaml with its config_overrides applied. None where neither has it."""
    v = C.fixed_value(ds, name)
    if v is not None:
        return v
    text = ds.attrs.get("config_yaml")
    if not text:
        return None
    try:
        import yaml
        system = (yaml.safe_load(text) or {}).get("system") or {}
        for line in str(ds.attrs.get("config_overrides", "")).splitlines():
            key, _, value = line.partition("=")
            if key.strip() == f"system.{name}":
                system[name] = yaml.safe_load(value)
    except Exception:  # no PyYAML, or a configuration it cannot read: the title goes without
        return None
    return system.get(name)


SYMBOLS = {"omega_c": (r"$\omega_c$", "omega_c"), "T_h": (r"$T_h$", "T_h"), "T_c": (r"$T_c$", "T_c"),
           "g_h": (r"$g_h$", "g_h"), "g_c": (r"$g_c$", "g_c"), "Omega": (r"$\Omega$", "Omega"),
           "omega_h": (r"$\omega_h$", "omega_h")}


def parameters(ds, sel, sub, plain=False):
    """'type 1 (all_to_all), $T_h$ = 2, $T_c$ = 1, ...' from the selection and the file's system
    values (scalars only); plain: without matplotlib's $...$."""
    parts = []
    coupling = sel.get("coupling", system_value(ds, "coupling"))
    if coupling is None and "coupling" in sub.coords and sub["coupling"].size == 1:
        coupling = _value(sub["coupling"].values)
    if coupling is not None:
        coupling = str(_value(coupling))
        parts.append(f"{C.COUPLING_NAMES.get(coupling, coupling)} ({coupling})")
    for k, v in sel.items():
        if k not in ("coupling", "bath"):
            parts.append(f"{k if plain else C.axis_symbol(ds, k)} = {_fmt(v)}")
    names = ["omega_c", "T_h", "T_c", "g_h", "g_c", "Omega"]
    if "omega_ratio" not in sub.dims and "omega_ratio" not in sel:
        names.append("omega_h")
    for name in names:
        if name in sel or name in C.axes_of(ds) or (name in ("T_h", "T_c") and "T_ratio" in C.axes_of(ds)):
            continue
        v = system_value(ds, name)
        try:
            v = float(np.atleast_1d(v)[0]) if v is not None and np.size(v) == 1 else None
        except (TypeError, ValueError):
            v = None
        if v is not None:
            parts.append(f"{SYMBOLS[name][1 if plain else 0]} = {v:g}")
    return ", ".join(parts)


def _omega_title(ds, omega, regime):
    if omega is None:
        return ""
    head = f"{C.axis_symbol(ds, 'omega_ratio')} = {omega:g}"
    return f"{head} ({regime})" if regime else head


def _all_zero(fit):
    defined = np.isfinite(fit["y"])
    return bool(defined.any()) and bool(np.all(fit["zero"][defined]))


def _line_label(bath, fit):
    who = bath or "bath"
    a = fit["exponent"]
    if math.isfinite(a):
        return rf"{who}: $\propto N^{{{a:.2f}}}$ (N {int(fit['fit_N'][0])}-{int(fit['fit_N'][-1])})"
    if _all_zero(fit):
        return f"{who}: 0 at every N (not drawn)"
    return f"{who}: no fit (fewer than 2 non-zero points)"


def _rising(ys):
    """True unless the per-qubit values fall with N in most of the steps between defined points."""
    steps = []
    for y in ys:
        y = np.abs(np.asarray(y, dtype=float))
        y = y[np.isfinite(y) & (y > 0)]
        steps += list(np.sign(np.diff(y)))
    return not steps or sum(steps) >= 0


def _shown(fit):
    """The N and |X|/N drawn: defined and not zero."""
    y = np.abs(fit["y"])
    show = np.isfinite(y) & ~fit["zero"]
    return fit["N"][show], y[show]


def _log_log(ax, xN, drawn):
    ax.set_xscale("log")
    if drawn:
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "no non-zero value", transform=ax.transAxes, ha="center", va="center", color="0.4")
    _plain_log_ticks(ax.xaxis)
    ax.set_xlim(xN.min() / 1.15, xN.max() * 1.15)
    ax.grid(True, which="both", color="0.92", linewidth=0.6)
    ax.set_axisbelow(True)


def draw(ds, args):
    """The figure (not saved) and what analyse() returns. Each data line has the gid
    'quantity|bath|omega_ratio' (an empty part where the file has no such axis).

    Up to MAX_ROWS values of omega_h/omega_c: a row of panels per value, one line per bath, the
    fitted exponent in the legend. More: one row with a line per (bath, omega_h/omega_c), coloured by
    omega_h/omega_c, and below it the fitted exponents against omega_h/omega_c, one line per bath."""
    result = analyse(ds, args)
    sel, sub, quantities, series = (result[k] for k in ("selection", "data", "quantities", "series"))
    baths, omegas = _baths(sub, ds, sel), _omegas(sub)
    names = C.regime_names(ds)
    shared = len(omegas) > MAX_ROWS
    rows = [None] if shared else omegas
    ncol = len(quantities)
    nrow = 2 if shared else len(rows)
    xN = sub["N"].values.astype(float)
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(max(8.5, 3.1 * ncol + 1.2), 2.9 * nrow + 3.8), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[2.9 * nrow, 3.4])
        row_figs = list(np.atleast_1d(top.subfigures(nrow, 1))) if nrow > 1 else [top]
        if shared:
            norm = Normalize(min(omegas), max(omegas))
            styles = {b: ["-", "--", ":", "-."][i % 4] for i, b in enumerate(baths)}
            axs = np.atleast_1d(row_figs[0].subplots(1, ncol, squeeze=False)[0])
            for ax, q in zip(axs, quantities):
                drawn = False
                for bath in baths:
                    for omega in omegas:
                        fit = series[(q, bath, omega)]
                        x, y = _shown(fit)
                        line, = ax.plot(x, y, color=OMEGA_COLORS(norm(omega)), linestyle=styles[bath],
                                        marker="o", markersize=2.5, linewidth=1.1, zorder=3)
                        line.set_gid(f"{q}|{bath or ''}|{omega!r}")
                        drawn = drawn or x.size > 0
                _log_log(ax, xN, drawn)
                ax.set_ylabel(per_qubit_label(q, ds))
                ax.set_xlabel(C.axis_label(ds, "N"))
            if len(baths) > 1:
                axs[0].legend(handles=[Line2D([], [], color="0.3", linestyle=styles[b], label=b) for b in baths],
                              fontsize=8, loc="upper left", title="bath", title_fontsize=8)
            row_figs[0].colorbar(ScalarMappable(norm=norm, cmap=OMEGA_COLORS), ax=list(axs), pad=0.01,
                                 label=C.axis_label(ds, "omega_ratio"))
            axs = np.atleast_1d(row_figs[1].subplots(1, ncol, squeeze=False, sharex=True)[0])
            for ax, q in zip(axs, quantities):
                for bath in baths:
                    a = [series[(q, bath, w)]["exponent"] for w in omegas]
                    ax.plot(omegas, a, color=C.BATH_COLORS.get(bath, "0.2"), marker="o", markersize=3,
                            linewidth=1.3, label=bath or "bath")
                ax.axhline(0, color="0.45", linewidth=0.8, zorder=0)
                ax.grid(True, color="0.92", linewidth=0.6)
                ax.set_xlabel(C.axis_label(ds, "omega_ratio"))
                ax.set_ylabel(r"exponent $a$: $|X|/N \propto N^a$")
                ax.set_title(C.VARIABLE_LABELS.get(q, (q,))[0], fontsize=10)
            axs[0].legend(fontsize=8, loc="best")
            row_figs[1].suptitle("fitted exponents (no point: zero or fewer than 2 non-zero values)", fontsize=10.5)
        else:
            for r, (rfig, omega) in enumerate(zip(row_figs, rows)):
                axs = np.atleast_1d(rfig.subplots(1, ncol, squeeze=False)[0])
                if omega is not None:
                    rfig.suptitle(_omega_title(ds, omega, _regime_of(sub, omega, names)), fontsize=10.5)
                for ax, q in zip(axs, quantities):
                    handles, drawn = [], False
                    for bath in baths:
                        fit = series[(q, bath, omega)]
                        color = C.BATH_COLORS.get(bath, "0.2")
                        x, y = _shown(fit)
                        line, = ax.plot(x, y, color=color, marker="o", markersize=3.5, linewidth=1.4, zorder=3)
                        line.set_gid(f"{q}|{bath or ''}|{'' if omega is None else repr(omega)}")
                        drawn = drawn or x.size > 0
                        if math.isfinite(fit["exponent"]):
                            nf = fit["fit_N"]
                            ax.plot(nf, np.exp(fit["intercept"]) * nf ** fit["exponent"], color=color,
                                    linestyle=(0, (2, 2)), linewidth=1.0, alpha=0.9, zorder=4)
                        handles.append(Line2D([], [], color=color, marker="o", markersize=3.5, linewidth=1.4,
                                              label=_line_label(bath, fit)))
                    _log_log(ax, xN, drawn)
                    ax.set_ylabel(per_qubit_label(q, ds))
                    if r == nrow - 1:
                        ax.set_xlabel(C.axis_label(ds, "N"))
                    # the values mostly grow with N: the upper left corner is free, else the lower left
                    rising = _rising([_shown(series[(q, b, omega)])[1] for b in baths])
                    if drawn:  # room for the legend in that corner: a third more decades
                        lo, hi = ax.get_ylim()
                        span = (hi / lo) ** (0.18 * len(handles))
                        ax.set_ylim(lo, hi * span) if rising else ax.set_ylim(lo / span, hi)
                    ax.legend(handles=handles, fontsize=8, loc="upper left" if rising else "lower left",
                              frameon=True, framealpha=0.8, handlelength=1.8, borderaxespad=0.3)
        _regime_panels(bottom, ds, sub, baths, names)
        params = parameters(ds, sel, sub)
        fig.suptitle("Scaling with the ensemble size: absolute values per qubit against N, log-log"
                     + ("" if shared else "; dashed: power-law fit over the larger half of N")
                     + (f"\n{params}" if params else "") + f"\n{_left_out_text(sub)}", fontsize=11)
    return fig, result


def _regime_panels(sfig, ds, sub, baths, names):
    """The regime over N (x) and omega_h/omega_c (y), one panel per bath, letters in the cells."""
    known = sorted(names)
    colors = [C.REGIME_COLORS.get(names[k], "#000000") for k in known]
    axs = np.atleast_1d(sfig.subplots(1, len(baths), squeeze=False)[0])
    nN = sub.sizes["N"]
    present = set()
    for ax, bath in zip(axs, baths):
        one = _one(sub, bath, None)
        codes = C.regime_where_solved(one)
        if "omega_ratio" in codes.dims:
            codes = codes.transpose("omega_ratio", "N").values.astype(int)
            w = one["omega_ratio"].values.astype(float)
        else:
            codes = codes.values.astype(int)[None, :]
            w = None
        present |= {names.get(int(c), str(int(c))) for c in np.unique(codes)}
        index = np.searchsorted(known, codes)
        ax.pcolormesh(np.arange(nN + 1) - 0.5, np.arange(codes.shape[0] + 1) - 0.5, index,
                      cmap=ListedColormap(colors), norm=BoundaryNorm(np.arange(len(known) + 1) - 0.5, len(known)),
                      edgecolors="white", linewidth=0.5, antialiased=False, rasterized=True)
        if codes.size <= 600:
            for (i, j), c in np.ndenumerate(codes):
                name = names.get(int(c))
                letter = C.REGIME_LETTERS.get(name, "")
                if letter:
                    ax.text(j, i, letter, ha="center", va="center", fontsize=7.5, color="white", fontweight="bold")
                elif name == "not_available":
                    ax.text(j, i, "\u00d7", ha="center", va="center", fontsize=9, color="0.45")
        step = max(1, math.ceil(nN / 16))
        ax.set_xticks(np.arange(0, nN, step), [str(int(v)) for v in sub["N"].values[::step]])
        ax.set_xlabel(C.axis_label(ds, "N"))
        if w is not None:
            stepw = max(1, math.ceil(len(w) / 12))
            ax.set_yticks(np.arange(0, len(w), stepw), [f"{v:g}" for v in w[::stepw]])
            ax.set_ylabel(C.axis_label(ds, "omega_ratio"))
        else:
            ax.set_yticks([])
        ax.set_title(f"operating regime, {bath} bath" if bath else "operating regime")
    handles = [Patch(facecolor=C.REGIME_COLORS[n], edgecolor="0.35", linewidth=0.6,
                     label=REGIME_TEXT.get(n, n) + (" \u00d7" if n == "not_available" else ""))
               for n in LEGEND_ORDER if n in present]
    axs[-1].legend(handles=handles, title="regime", loc="upper left", bbox_to_anchor=(1.02, 1.0),
                   borderaxespad=0.0, frameon=False)


# ---- the summary ---------------------------------------------------------------------------------

def summary_lines(ds, result):
    sub, series, quantities = result["data"], result["series"], result["quantities"]
    sel = result["selection"]
    baths, omegas = _baths(sub, ds, sel), _omegas(sub)
    names = C.regime_names(ds)
    src = ds.attrs.get("source_path", "the file")
    n = sub["N"].values
    params = parameters(ds, sel, sub, plain=True)
    out = [f"scaling of {src}: N = {ranges(n) if np.all(np.diff(n) == 1) else ', '.join(str(int(v)) for v in n)}"
           + (f"; {params}" if params else "")]
    out.append(_left_out_text(sub))
    bad = C.solved(sub).values == 0
    if bad.any():
        where = []
        for bath in baths:
            for omega in omegas:
                one = _one(sub, bath, omega)
                miss = n[~C.solved(one).transpose("N").values]
                if miss.size:
                    who = ", ".join(p for p in (bath, None if omega is None else
                                                f"omega_h/omega_c = {omega:g}") if p)
                    where.append(f"{who or 'all'}: N = {ranges(miss)}")
        out.append("  not ok: " + "; ".join(where))
    out.append("exponent a of the power law |X|/N ~ N^a (least squares on log|X/N| against log N, over the larger "
               "half of the N with a non-zero value, or all of them when fewer than "
               f"{FIT_ALL_BELOW}):")
    width = max(len(q) for q in quantities)
    for omega in omegas:
        if omega is not None:
            regime = _regime_of(sub, omega, names)
            out.append(f"  omega_h/omega_c = {omega:g}" + (f" ({regime})" if regime else ""))
        for q in quantities:
            cells = []
            for bath in baths:
                fit = series[(q, bath, omega)]
                if math.isfinite(fit["exponent"]):
                    value = f"{fit['exponent']:+.3f} (N = {int(fit['fit_N'][0])}-{int(fit['fit_N'][-1])})"
                elif _all_zero(fit):
                    value = "zero at every N"
                else:
                    value = "no fit"
                cells.append(f"{bath or 'bath'}: {value}")
            out.append(f"    {q:<{width}}  " + "   ".join(f"{c:<34}" for c in cells).rstrip())
    if "common" in baths and "independent" in baths and "Q_h" in sub:
        out.append("per-qubit |Q_h|, common bath against independent baths (a difference counts above the two "
                   "points' estimated errors):")
        for omega in omegas:
            ok = {b: _one(sub, b, omega) for b in ("common", "independent")}
            q = {b: C.variable(ok[b], "Q_h").transpose("N").values.astype(float) / n for b in ok}
            err = {b: (ok[b]["current_error"].transpose("N").values.astype(float) if "current_error" in ok[b]
                       else np.full(n.shape, math.nan)) for b in ok}
            states = compare(n, q["common"], q["independent"], err["common"], err["independent"])
            head = f"  omega_h/omega_c = {omega:g}: " if omega is not None else "  "
            out.append(head + "common " + comparison_text(states))
    return out


def scaling(ds, args, out):
    """Writes the figure, prints the summary to `out`; returns [path]."""
    fig, result = draw(ds, args)
    sel = result["selection"]
    extra = [] if result["quantities"] == DEFAULT_QUANTITIES else ["-".join(result["quantities"])]
    path = C.output_path(args.out, ds.attrs.get("source_path", "nessmap"), "scaling", _suffix(ds, sel, extra),
                         args.format)
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        plt.close(fig)
        raise AnalysisError(f"{path}: the directory {folder} does not exist")
    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    try:
        fig.savefig(path, format=fmt if fmt in ("png", "pdf", "svg") else args.format, dpi=args.dpi)
    except OSError as e:
        raise AnalysisError(f"{path}: cannot write the picture ({e.strerror or e})") from None
    finally:
        plt.close(fig)
    for line in summary_lines(ds, result):
        print(line, file=out)
    return [path]
