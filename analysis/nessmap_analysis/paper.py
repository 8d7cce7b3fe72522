"""The paper's Figs. 2, 3 and 4 from a sweep along omega_ratio = omega_h/omega_c.

Each takes the sweep file's data set and the command line's arguments and returns the paths it
wrote. The file needs an omega_ratio axis; bath and coupling are axes (or fixed values of the file);
every other axis with more than one value must be fixed with --sel, except T_ratio, which takes the
paper's T_h/T_c = 2 when it holds that value (the title says so). Only points with status ok are
drawn; the others are gaps.

- fig2: type 2 (pairwise) coupling, common vs cascaded bath: W_loc, W_nonloc, C_loc and C_nonloc
  (with the factorized C_nonloc dashed) against omega_h/omega_c.
- fig3: W, Q_h, Q_c against omega_h/omega_c for every scenario (bath x coupling) in the file, with
  the operating regime shaded where all the drawn scenarios agree (a gap where they differ or a
  point did not solve), and labelled with its letter (A, E, R, H) at the top of each band.
- fig4: power -W against efficiency in the engine regime (curves ordered by omega_ratio, closed to
  zero power at the neighbouring grid points where the machine stops, regime none), the
  efficiency at maximum power marked (the interpolated maximum of the summary), and the Carnot and
  Curzon-Ahlborn efficiencies as labelled vertical lines.
"""
import math
import os

import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
from matplotlib.lines import Line2D

from .common import (AnalysisError, BATH_COLORS, REGIME_COLORS, REGIME_LETTERS, VARIABLE_LABELS,
                     axis_label, axis_symbol, carnot_ratio, code_of, output_path, regime_names,
                     regime_where_solved, scenario_label, scenario_selection, scenarios, solved, variable)
from .summary import interpolated_maximum, interpolate_at

# Line style per coupling (colour is per bath): type 1 solid, type 2 dashed.
COUPLING_STYLES = {"all_to_all": "-", "pairwise": "--"}
FONT = {"font.size": 11, "axes.labelsize": 12, "axes.titlesize": 12, "legend.fontsize": 10,
        "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 13}


# ---- shared pieces -------------------------------------------------------------------------------

def exponent(*arrays):
    """The power of ten that brings the largest |value| into [1, 10) (0 if all are zero or NaN)."""
    m = max((np.nanmax(np.abs(a)) for a in arrays if np.any(np.isfinite(a))), default=0.0)
    return int(math.floor(math.log10(m))) if m > 0 else 0


def scaled_label(name, k):
    """'symbol [10^k units]' for values divided by 10^k."""
    symbol, units = VARIABLE_LABELS[name]
    scale = f"$10^{{{k}}}$" if k else ""
    inside = " ".join(s for s in (scale, units) if s)
    return f"{symbol} [{inside}]" if inside else symbol


def parameter_text(ds, fixed, note, skip=()):
    """'$N$ = 2, $T_h/T_c$ = 2 (default)' or '$N$ = 2, $T_h$ = 2, $T_c$ = 1' for a title: the fixed
    coordinates, and the temperatures from the file's attributes when no axis sets them."""
    def value(v):
        return f"{v:g}" if isinstance(v, float) else str(v)
    parts = [f"{axis_symbol(ds, k)} = {value(v)}" + (" (the paper's, by default)" if note and k == "T_ratio" else "")
             for k, v in fixed.items() if k not in skip]
    if "T_ratio" not in fixed:
        parts += [f"{axis_symbol(ds, t)} = {float(np.atleast_1d(ds.attrs[t])[0]):g}" for t in ("T_h", "T_c")
                  if t in ds.attrs and t not in fixed]
    return ", ".join(parts)


def zero_line(ax):
    ax.axhline(0, color="0.45", lw=0.8, zorder=1)


def panel_letter(ax, letter):
    ax.text(0.012, 0.975, f"({letter})", transform=ax.transAxes, ha="left", va="top",
            fontweight="bold", zorder=5)


def save(fig, ds, args, kind):
    """Write the figure (PNG or PDF, everything inside the saved area) and close it; [path]."""
    path = output_path(args.out, ds.attrs.get("source_path", kind), kind, None, args.format)
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    fmt = ext if ext in ("png", "pdf") else args.format
    try:
        fig.savefig(path, format=fmt, dpi=args.dpi, bbox_inches="tight", pad_inches=0.08)
    except OSError as e:
        raise AnalysisError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
    return [path]


def bath_coupling(coords, fixed):
    return coords.get("bath", fixed.get("bath")), coords.get("coupling", fixed.get("coupling"))


def style(bath, coupling):
    return {"color": BATH_COLORS.get(bath, "0.2"), "linestyle": COUPLING_STYLES.get(coupling, "-"), "lw": 1.6}


def only_ok(one, name):
    return variable(one, name).values.astype(float)


# ---- Fig. 2 --------------------------------------------------------------------------------------

def fig2(ds, args):
    """W_loc, W_nonloc, C_loc, C_nonloc (and C_nonloc factorized, dashed) vs omega_h/omega_c for type 2
    coupling, common and cascaded baths. AnalysisError if the file lacks either."""
    data, fixed, note = scenario_selection(ds, args.sel, "fig2")
    source = ds.attrs.get("source_path", "the file")
    if "coupling" in data.dims:
        if "pairwise" not in [str(c) for c in data["coupling"].values]:
            raise AnalysisError(f"{source}: fig2 needs type 2 coupling (coupling = pairwise); the coupling axis has "
                                f"{', '.join(str(c) for c in data['coupling'].values)}")
        data = data.sel(coupling="pairwise")
        fixed["coupling"] = "pairwise"
    elif fixed.get("coupling") != "pairwise":
        raise AnalysisError(f"{source}: fig2 needs type 2 coupling (coupling = pairwise); the sweep has coupling = "
                            f"{fixed.get('coupling', 'unknown')}")
    baths = [str(b) for b in data["bath"].values] if "bath" in data.dims else \
        ([fixed["bath"]] if "bath" in fixed else [])
    missing = [b for b in ("common", "cascaded") if b not in baths]
    if missing:
        raise AnalysisError(f"{source}: fig2 compares the common and cascaded baths; the sweep has bath = "
                            f"{', '.join(baths) or 'unknown'} (missing: {', '.join(missing)}"
                            f"{'; do not --sel bath' if any(i.startswith('bath=') for i in args.sel) else ''})")
    x = data["omega_ratio"].values
    panels = [("W_loc", None), ("W_nonloc", None), ("C_loc", None), ("C_nonloc", "C_nonloc_factorized")]
    with plt.rc_context(FONT):
        fig, axes = plt.subplots(2, 2, figsize=(10.5, 7.2), sharex=True, constrained_layout=True)
        for ax, (name, dashed), letter in zip(axes.flat, panels, "abcd"):
            curves = {b: only_ok(data.sel(bath=b), name) for b in ("common", "cascaded")}
            extra = {b: only_ok(data.sel(bath=b), dashed) for b in ("common", "cascaded")} if dashed else {}
            k = exponent(*curves.values(), *extra.values())
            for b in ("common", "cascaded"):
                ax.plot(x, curves[b] / 10.0 ** k, color=BATH_COLORS[b], lw=1.7, zorder=3)
                if dashed:
                    ax.plot(x, extra[b] / 10.0 ** k, color=BATH_COLORS[b], lw=1.4, ls=(0, (4, 2.5)), zorder=4)
            zero_line(ax)
            ax.set_ylabel(scaled_label(name, k))
            ax.set_xlim(x.min(), x.max())
            ax.grid(alpha=0.25)
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo, hi + 0.08 * (hi - lo))  # room for the panel letter
            panel_letter(ax, letter)
        for ax in axes[1]:
            ax.set_xlabel(axis_label(ds, "omega_ratio"))
        handles = [Line2D([], [], color=BATH_COLORS[b], lw=1.7, label=f"{b} bath") for b in ("common", "cascaded")]
        handles += [Line2D([], [], color=BATH_COLORS[b], lw=1.4, ls=(0, (4, 2.5)),
                           label=f"{b}: " + r"$C_{\rm nonloc}$ factorized, $\langle\sigma^z X\rangle \to "
                                            r"\langle\sigma^z\rangle\langle X\rangle$")
                    for b in ("common", "cascaded")]
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False)
        params = parameter_text(ds, fixed, note, skip=("coupling", "bath"))
        fig.suptitle("Fig. 2: local and non-local work currents and coherences, type 2 (pairwise) coupling"
                     + (f"\n{params}" if params else ""))
        return save(fig, ds, args, "fig2")


# ---- Fig. 3 --------------------------------------------------------------------------------------

def regime_bands(x, regimes, names):
    """[(name, x_from, x_to)] where every row of `regimes` (one per scenario, not_available where a
    point did not solve) holds the same machine regime; a band reaches halfway to the neighbouring
    grid points (and to the ends of the grid)."""
    agree = np.all(regimes == regimes[0], axis=0)
    code = np.where(agree, regimes[0], code_of(names, "not_available"))
    edges = np.concatenate([[x[0]], (x[1:] + x[:-1]) / 2, [x[-1]]])
    bands, start = [], 0
    for i in range(1, len(x) + 1):
        if i == len(x) or code[i] != code[start]:
            name = names.get(int(code[start]), "not_available")
            if name not in ("none", "not_available"):
                bands.append((name, edges[start], edges[i]))
            start = i
    return bands


def shade_regimes(ax, bands, letters=True):
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    for name, a, b in bands:
        ax.axvspan(a, b, color=REGIME_COLORS[name], alpha=0.13, lw=0, zorder=0)
        if letters and REGIME_LETTERS.get(name):
            ax.text((a + b) / 2, 0.975, REGIME_LETTERS[name], transform=trans, ha="center", va="top",
                    fontweight="bold", fontsize=13, color=REGIME_COLORS[name], zorder=5)


def fig3(ds, args):
    """W, Q_h, Q_c vs omega_h/omega_c for the scenarios of the file, regimes shaded and lettered."""
    data, fixed, note = scenario_selection(ds, args.sel, "fig3")
    names = regime_names(ds)
    x = data["omega_ratio"].values
    cases = scenarios(data)
    curves = {v: [only_ok(one, v) for _, one in cases] for v in ("W", "Q_h", "Q_c")}
    k = exponent(*[c for v in curves.values() for c in v])
    regimes = np.array([regime_where_solved(one).values for _, one in cases])
    bands = regime_bands(x, regimes, names)
    with plt.rc_context(FONT):
        fig, axes = plt.subplots(3, 1, figsize=(8, 10), sharex=True, constrained_layout=True)
        for ax, v, letter in zip(axes, ("W", "Q_h", "Q_c"), "abc"):
            for (coords, _), y in zip(cases, curves[v]):
                bath, coupling = bath_coupling(coords, fixed)
                ax.plot(x, y / 10.0 ** k, zorder=3, **style(bath, coupling))
            zero_line(ax)
            ax.set_ylabel(scaled_label(v, k))
            ax.set_xlim(x.min(), x.max())
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo, hi + 0.14 * (hi - lo))  # headroom for the regime letters
            shade_regimes(ax, bands)
            panel_letter(ax, letter)
        axes[-1].set_xlabel(axis_label(ds, "omega_ratio"))
        handles = []
        for coords, _ in cases:
            bath, coupling = bath_coupling(coords, fixed)
            handles.append(Line2D([], [], label=scenario_label(bath, coupling), **style(bath, coupling)))
        ncol = 3 if len(handles) > 4 else max(1, len(handles))
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False,
                   title="bath, coupling (type 1 = all_to_all, type 2 = pairwise)")
        params = parameter_text(ds, fixed, note)
        present = sorted({n for n, _, _ in bands}, key=["accelerator", "engine", "refrigerator", "heater"].index)
        key = ", ".join(f"{REGIME_LETTERS[n]} {n}" for n in present)
        fig.suptitle("Fig. 3: work and heat currents" + (f", {params}" if params else "")
                     + (f"\nshaded: {key}" + ({1: "", 2: ", where both scenarios agree"}.get(len(cases), f", where all {len(cases)} scenarios agree"))
                        if key else ""))
        return save(fig, ds, args, "fig3")


# ---- Fig. 4 --------------------------------------------------------------------------------------

def closing_points(one, x, power):
    """(eta, P) at the grid points of regime 'none' next to an engine point (NaN elsewhere): there the
    engine's power vanishes (omega_h = omega_c, eta = 0, and the Carnot point), so drawing them closes
    the curve down to the axis. Their efficiency is 1 - omega_c/omega_h (physics.md), as the file's
    efficiency is defined in the engine regime only."""
    is_none = solved(one).values & (one["regime"].values == code_of(regime_names(one), "none"))
    engine = np.isfinite(power)
    near = np.zeros_like(engine)
    near[1:] |= engine[:-1]
    near[:-1] |= engine[1:]
    use = is_none & near
    eta = np.where(use, 1 - 1 / x, np.nan)
    return eta, np.where(use, -one["W"].values.astype(float), np.nan)


def fig4(ds, args):
    """Power -W vs efficiency in the engine regime for the scenarios of the file, with the efficiency at
    maximum power marked and the Carnot and Curzon-Ahlborn efficiencies as vertical lines."""
    data, fixed, note = scenario_selection(ds, args.sel, "fig4")
    x = data["omega_ratio"].values.astype(float)
    cases = scenarios(data)
    power = [only_ok(one, "power") for _, one in cases]
    if not any(np.any(np.isfinite(p)) for p in power):
        raise AnalysisError(f"{ds.attrs.get('source_path', 'the file')}: fig4 needs engine points (regime engine, "
                            f"1 < omega_h/omega_c < T_h/T_c); the selection has none")
    k = exponent(*power)
    ratio = carnot_ratio(ds, fixed)
    with plt.rc_context(FONT):
        fig, ax = plt.subplots(figsize=(8, 5.6), constrained_layout=True)
        handles, drawn = [], []
        for (coords, one), p in zip(cases, power):
            bath, coupling = bath_coupling(coords, fixed)
            eta = one["efficiency"].where(solved(one)).values.astype(float)
            eta = np.where(np.isfinite(p), eta, np.nan)
            drawn.append(eta)
            s = style(bath, coupling)
            ends_x, ends_p = closing_points(one, x, p)
            ax.plot(np.where(np.isfinite(ends_p), ends_x, eta), np.where(np.isfinite(ends_p), ends_p, p) / 10.0 ** k,
                    zorder=3, **s)
            xm, pm, i = interpolated_maximum(x, p)
            em = interpolate_at(x, eta, xm, i)
            ax.plot([em], [pm / 10.0 ** k], marker="o", ms=7.5, mfc=s["color"], mec="black", mew=1.1, ls="none",
                    zorder=6)
            handles.append(Line2D([], [], label=f"{scenario_label(bath, coupling)}: "
                                  + r"$\eta_{\rm maxP}$" + f" = {em:.3f}", **s))
        handles.append(Line2D([], [], marker="o", ms=7.5, mfc="white", mec="black", mew=1.1, ls="none",
                              label="efficiency at maximum power (interpolated)"))
        ax.set_xlabel(VARIABLE_LABELS["efficiency"][0] + r" $= -\dot W/\dot Q_h$")
        ax.set_ylabel(scaled_label("power", k))
        lo, hi = ax.get_ylim()
        ax.set_ylim(0, hi + 0.12 * (hi - lo))
        right = max(float(np.nanmax(e)) for e in drawn if np.any(np.isfinite(e)))
        if ratio and ratio > 1:
            trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
            eta_c, eta_ca = 1 - 1 / ratio, 1 - 1 / math.sqrt(ratio)
            for value, ls, short, long, side in (
                    (eta_ca, ":", r"$\eta_{\rm CA}$", r"Curzon-Ahlborn $\eta_{\rm CA} = 1-\sqrt{T_c/T_h}$", "left"),
                    (eta_c, "--", r"$\eta_C$", r"Carnot $\eta_C = 1-T_c/T_h$", "right")):
                ax.axvline(value, color="0.3", ls=ls, lw=1.3, zorder=2)
                pad = " " if side == "left" else ""
                ax.text(value, 0.975, f"{pad}{short}{' ' if side == 'right' else ''}", transform=trans,
                        ha=side, va="top", color="0.15", zorder=5)
                handles.append(Line2D([], [], color="0.3", ls=ls, lw=1.3, label=f"{long} = {value:.3f}"))
            right = max(right, eta_c)
        ax.set_xlim(0, right * 1.04)
        ax.grid(alpha=0.25)
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False)
        params = parameter_text(ds, fixed, note)
        fig.suptitle("Fig. 4: power against efficiency of the engine" + (f"\n{params}" if params else ""))
        return save(fig, ds, args, "fig4")
