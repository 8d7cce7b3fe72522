"""What every kind of picture shares: opening a sweep file, selecting along its axes, the labels of
axes (from the file) and variables, the status and regime codes (from the file), the regime colours,
and derived quantities.

Every user-facing problem raises AnalysisError with a message that names the file, the axis or the
variable and what would be valid; the command line prints it and exits with status 2.
"""
import math
import os

import numpy as np
import xarray as xr


class AnalysisError(Exception):
    """A problem with the user's input (file, axis, variable, selection)."""


# ---- names, symbols, units (the physics' own words, as in physics.md and the YAML) ----------

# Symbols of the values that are not axes of the file, so have no coordinate with a plot_label:
# system values kept as global attributes (N, T_h, T_c) and T_h/T_c computed from them.
VALUE_SYMBOLS = {"N": r"$N$", "T_h": r"$T_h$", "T_c": r"$T_c$", "T_ratio": r"$T_h/T_c$"}

# Variables of the file and derived ones: (symbol, units). Units with hbar = k_B = 1, energies in
# units of omega_c; a current is an energy per time, omega_c^2.
VARIABLE_LABELS = {
    "W": (r"$\dot W$", r"$\omega_c^2$"),
    "W_loc": (r"$\dot W_{\rm loc}$", r"$\omega_c^2$"),
    "W_nonloc": (r"$\dot W_{\rm nonloc}$", r"$\omega_c^2$"),
    "Q_h": (r"$\dot Q_h$", r"$\omega_c^2$"),
    "Q_c": (r"$\dot Q_c$", r"$\omega_c^2$"),
    "Q_h_loc": (r"$\dot Q_{h,\rm loc}$", r"$\omega_c^2$"),
    "Q_h_nonloc": (r"$\dot Q_{h,\rm nonloc}$", r"$\omega_c^2$"),
    "Q_c_loc": (r"$\dot Q_{c,\rm loc}$", r"$\omega_c^2$"),
    "Q_c_nonloc": (r"$\dot Q_{c,\rm nonloc}$", r"$\omega_c^2$"),
    "Q_nonloc": (r"$\dot Q_{h,\rm nonloc}+\dot Q_{c,\rm nonloc}$", r"$\omega_c^2$"),
    "C_loc": (r"$C_{\rm loc}$", ""),
    "C_nonloc": (r"$C_{\rm nonloc}$", ""),
    "C_nonloc_factorized": (r"$C_{\rm nonloc}$ (factorized)", ""),
    "excitation_current": (r"$J$", r"$\omega_c$"),
    "entropy_production": (r"$\dot\sigma$", r"$\omega_c$"),
    "power": (r"power $P=-\dot W$", r"$\omega_c^2$"),
    "efficiency": (r"efficiency $\eta$", ""),
    "efficiency_over_carnot": (r"$\eta/\eta_C$", ""),
    "eta_carnot": (r"$\eta_C$", ""),
    "cooling_power": (r"cooling power $\dot Q_{\rm cold}$", r"$\omega_c^2$"),
    "cop": (r"COP", ""),
    "cop_refrigerator": (r"COP$_R$", ""),
    "cop_accelerator": (r"COP$_A$", ""),
    "purity": (r"Tr$\rho^2$", ""),
    "l1_coherence": (r"$\ell_1$ coherence", ""),
}

# Quantities that change sign: drawn with a diverging colour map centred on zero.
SIGNED = {"W", "W_loc", "W_nonloc", "Q_h", "Q_c", "Q_h_loc", "Q_h_nonloc", "Q_c_loc", "Q_c_nonloc",
          "Q_nonloc", "C_loc", "C_nonloc", "C_nonloc_factorized", "excitation_current"}

# One colour per regime name of the file's flag_meanings (colour-blind safe, Okabe-Ito), and the
# paper's letters.
REGIME_COLORS = {
    "not_available": "#ffffff",  # failed or not computed
    "none": "#bbbbbb",
    "engine": "#d55e00",
    "refrigerator": "#0072b2",
    "accelerator": "#009e73",
    "heater": "#cc79a7",
}
REGIME_LETTERS = {"engine": "E", "refrigerator": "R", "accelerator": "A", "heater": "H", "none": ""}

BATH_ORDER = ["common", "cascaded", "independent"]
COUPLING_ORDER = ["all_to_all", "pairwise"]
COUPLING_NAMES = {"all_to_all": "type 1", "pairwise": "type 2"}
BATH_COLORS = {"common": "#0072b2", "cascaded": "#d55e00", "independent": "#009e73"}


def axis_label(ds, name):
    """An axis's label from the file: its coordinate's plot_label (a matplotlib label such as
    '$T_h$ [$\\omega_c$]'), else its long_name, else the name."""
    attrs = ds[name].attrs if name in ds.coords else {}
    return attrs.get("plot_label") or attrs.get("long_name") or name


def axis_symbol(ds, name):
    """The label without units, for titles: '$T_h$' (VALUE_SYMBOLS for a value that is no axis)."""
    if name not in ds.coords:
        return VALUE_SYMBOLS.get(name, name)
    return axis_label(ds, name).split(" [")[0].split(" (")[0]


def variable_label(name, ds=None):
    """'symbol [units]' for an axis of a plot of `name`."""
    if name in VARIABLE_LABELS:
        symbol, units = VARIABLE_LABELS[name]
        return f"{symbol} [{units}]" if units else symbol
    if ds is not None and name in ds and "long_name" in ds[name].attrs:
        return ds[name].attrs["long_name"]
    return name


def scenario_label(bath, coupling):
    """'cascaded, type 2' (the paper's names)."""
    return f"{bath}, {COUPLING_NAMES.get(coupling, coupling)}"


# ---- the file -----------------------------------------------------------------------------------

def open_sweep(path):
    """The sweep file as an xarray Dataset, or AnalysisError naming the file and the problem."""
    if not os.path.exists(path):
        raise AnalysisError(f"{path}: no such file")
    if os.path.isdir(path):
        raise AnalysisError(f"{path}: is a directory, not a sweep file")
    try:
        ds = xr.open_dataset(path)
    except Exception as e:  # xarray raises many kinds for a file it cannot read
        raise AnalysisError(f"{path}: cannot be read as a netCDF/HDF5 sweep file ({e})") from None
    if "status" not in ds or "regime" not in ds:
        raise AnalysisError(f"{path}: not a nessmap sweep file (no 'status' and 'regime' variables)")
    for var, meaning in (("status", "ok"), ("regime", "not_available")):
        a = ds[var].attrs
        if "flag_values" not in a or "flag_meanings" not in a or meaning not in a["flag_meanings"].split():
            raise AnalysisError(f"{path}: not a nessmap sweep file (the '{var}' variable has no flag_values "
                                f"and flag_meanings with '{meaning}')")
    ds.attrs["source_path"] = path
    return ds


def axes_of(ds):
    """The sweep axes in file order (dimensions of `status`)."""
    return list(ds["status"].dims)


def flag_names(ds, var):
    """{flag value: meaning} of `var` (status or regime) from its flag_values and flag_meanings."""
    a = ds[var].attrs
    return dict(zip([int(v) for v in np.atleast_1d(a["flag_values"])], a["flag_meanings"].split()))


def regime_names(ds):
    """{code: regime name} from the file: not_available, none, engine, refrigerator, ..."""
    return flag_names(ds, "regime")


def status_names(ds):
    """{code: status name} from the file: ok, failed, not_computed."""
    return flag_names(ds, "status")


def code_of(names, meaning):
    """The code of `meaning` in {code: name} (regime_names or status_names)."""
    return {m: v for v, m in names.items()}[meaning]


def solved(ds):
    """True where the point's status is ok (open_sweep has checked that the file has that flag)."""
    return ds["status"] == code_of(status_names(ds), "ok")


def regime_where_solved(ds):
    """The regime codes, with the code of not_available where the status is not ok."""
    return ds["regime"].where(solved(ds), code_of(regime_names(ds), "not_available"))


def fixed_value(ds, name):
    """A system value that no axis sweeps (global attribute), or None."""
    v = ds.attrs.get(name)
    if v is None:
        return None
    v = np.atleast_1d(v)
    return v[0] if v.size == 1 else v


# ---- selection ----------------------------------------------------------------------------------

def parse_selection(ds, items):
    """['bath=common', 'T_ratio=2'] -> {'bath': 'common', 'T_ratio': 2.0}, each checked against the
    file's axes and values (a number matches the nearest coordinate within 1e-9 relative)."""
    axes = axes_of(ds)
    out = {}
    for item in items or []:
        if "=" not in item:
            raise AnalysisError(f"--sel {item}: expected AXIS=VALUE")
        name, text = item.split("=", 1)
        if name in out:
            raise AnalysisError(f"--sel {item}: {name} is selected twice")
        if name not in axes:
            raise AnalysisError(f"--sel {item}: the file has no axis '{name}'; its axes are {', '.join(axes)}")
        coord = ds[name].values
        if coord.dtype.kind in "OUS":
            if text not in [str(c) for c in coord]:
                raise AnalysisError(f"--sel {item}: {name} has no value '{text}'; "
                                    f"it has {', '.join(str(c) for c in coord)}")
            out[name] = text
        else:
            try:
                x = float(text)
            except ValueError:
                raise AnalysisError(f"--sel {item}: {name} takes a number, got '{text}'") from None
            i = int(np.argmin(np.abs(coord.astype(float) - x)))
            if not math.isclose(float(coord[i]), x, rel_tol=1e-9, abs_tol=1e-12):
                shown = ", ".join(f"{c:g}" for c in coord[:8]) + (" ..." if len(coord) > 8 else "")
                raise AnalysisError(f"--sel {item}: {name} has no value {text}; its values are {shown}")
            out[name] = coord[i].item()
    return out


def require_axes(ds, names, kind):
    """AnalysisError unless every axis in `names` is in the file (with more than one value)."""
    axes = axes_of(ds)
    for n in names:
        if n not in axes:
            raise AnalysisError(f"{ds.attrs.get('source_path', 'the file')}: {kind} needs the axis '{n}', "
                                f"but the sweep's axes are {', '.join(axes) or '(none)'}")


def select(ds, sel, keep, kind):
    """The data set with `sel` applied, where every axis other than those in `keep` must then have a
    single value; the single-valued axes are dropped. AnalysisError names an axis left open."""
    require_axes(ds, keep, kind)
    for name in keep:
        if name in sel:
            raise AnalysisError(f"--sel {name}=...: {name} is an axis of the {kind} plot, it cannot also be selected")
    out = ds.sel(sel) if sel else ds
    open_axes = [a for a in axes_of(out) if a not in keep and out.sizes[a] > 1]
    if open_axes:
        a = open_axes[0]
        values = ", ".join(str(v) if isinstance(v, str) else f"{v:g}" for v in out[a].values[:8])
        raise AnalysisError(f"the {kind} plot needs one value of '{a}' ({out.sizes[a]} in the file: {values}"
                            f"{' ...' if out.sizes[a] > 8 else ''}); choose it with --sel {a}=VALUE")
    drop = [a for a in axes_of(out) if a not in keep]
    return out.isel({a: 0 for a in drop if a in out.dims}) if drop else out


# ---- derived quantities -------------------------------------------------------------------------

DERIVED = {"power", "efficiency_over_carnot", "cooling_power", "cop", "Q_nonloc"}


def variable(ds, name):
    """A variable of the file or a derived one (NaN where undefined or the point did not solve):
    power = -W in the engine regime; efficiency_over_carnot = efficiency/eta_carnot; cooling_power =
    the heat drawn from the colder bath in the refrigerator regime, COP_R x W (nessmap names the
    roles by temperature: Q_c when T_h >= T_c, Q_h when T_h < T_c); cop = COP_R or COP_A in their
    regimes; Q_nonloc = Q_h_nonloc + Q_c_nonloc."""
    ok = solved(ds)
    if name == "power":
        return (-ds["W"]).where(ok & (ds["regime"] == code_of(regime_names(ds), "engine")))
    if name == "efficiency_over_carnot":
        return (ds["efficiency"] / ds["eta_carnot"]).where(ok)
    if name == "cooling_power":
        return (ds["cop_refrigerator"] * ds["W"]).where(ok & (ds["regime"] == code_of(regime_names(ds), "refrigerator")))
    if name == "cop":
        return ds["cop_refrigerator"].fillna(ds["cop_accelerator"]).where(ok)
    if name == "Q_nonloc":
        return (ds["Q_h_nonloc"] + ds["Q_c_nonloc"]).where(ok)
    if (name not in ds.data_vars or name in ("status", "regime") or name.startswith("failure")
            or set(ds[name].dims) - set(axes_of(ds))):
        known = sorted(set(v for v in ds.data_vars if ds[v].dtype.kind == "f" and not v.startswith("populations"))
                       | DERIVED)
        raise AnalysisError(f"unknown variable '{name}'; choose one of {', '.join(known)}")
    return ds[name].where(ok)


def carnot_ratio(ds, sel):
    """T_h/T_c where it is fixed for the selection (so that the Carnot boundary omega_h/omega_c =
    T_h/T_c is a line at that omega_ratio), or None."""
    # An axis with a single value is as fixed as a selected one.
    sel = dict(sel)
    for name in ("T_ratio", "T_h", "T_c"):
        if name not in sel and name in ds.dims and ds.sizes[name] == 1:
            sel[name] = float(ds[name].values[0])
    if "T_ratio" in sel:
        return float(sel["T_ratio"])
    T_h, T_c = fixed_value(ds, "T_h"), fixed_value(ds, "T_c")
    if "T_h" in sel and T_c is not None:
        return float(sel["T_h"]) / float(T_c)
    if "T_c" in sel and T_h is not None:
        return float(T_h) / float(sel["T_c"])
    if T_h is not None and T_c is not None:
        return float(T_h) / float(T_c)
    return None


def output_path(args_out, source, kind, suffix, fmt):
    """The --out path, or '<sweep file stem>_<kind>[_<suffix>].<fmt>' beside the sweep file; the
    kind is not repeated when the stem already is it (results/fig3.h5, kind fig3 -> results/fig3.png)."""
    if args_out:
        return args_out
    stem = os.path.splitext(source)[0]
    name = stem if os.path.basename(stem) == kind else f"{stem}_{kind}"
    return f"{name}{('_' + suffix) if suffix else ''}.{fmt}"


# ---- scenarios along omega_ratio (the paper's figures and the summary) --------------------------

SCENARIO_AXES = ("bath", "coupling", "N")  # categorical: one curve (or text block) per value
PAPER_T_RATIO = 2.0                          # the paper's T_h/T_c


def scenario_selection(ds, items, kind, open_axes=("bath", "coupling")):
    """The data along omega_ratio (sorted) and the scenario axes in `open_axes` that the file has and
    --sel does not fix; every other axis must have one value after --sel (AnalysisError otherwise),
    except that an open T_ratio axis holding 2 takes the paper's T_h/T_c = 2.

    Returns (data, fixed, note): `fixed` maps every fixed coordinate to its value (the --sel ones,
    the default T_ratio, single-valued axes, and bath/coupling/N from the file's attributes when they
    are not axes), in axis order; `note` is a sentence about the default T_ratio, or ''."""
    sel = parse_selection(ds, items)
    require_axes(ds, ["omega_ratio"], kind)
    axes = axes_of(ds)
    note = ""
    if "T_ratio" in axes and "T_ratio" not in sel and ds.sizes["T_ratio"] > 1:
        values = ds["T_ratio"].values.astype(float)
        hit = np.flatnonzero(np.isclose(values, PAPER_T_RATIO, rtol=1e-9, atol=0))
        if hit.size:
            sel["T_ratio"] = values[hit[0]].item()
            note = (f"T_h/T_c = {PAPER_T_RATIO:g} (the paper's value; another with --sel T_ratio=VALUE)")
    keep = ["omega_ratio"] + [a for a in open_axes if a in axes and a not in sel]
    data = select(ds, sel, keep, kind).sortby("omega_ratio")
    fixed = {}
    for a in axes:
        if a not in keep:
            v = data[a].values.item() if a in data.coords else sel[a]
            fixed[a] = v
    for a in SCENARIO_AXES:
        if a not in fixed and a not in keep and a in ds.attrs:
            v = ds.attrs[a]
            fixed[a] = v.item() if hasattr(v, "item") else v
    return data, fixed, note


def scenarios(data, open_axes=SCENARIO_AXES):
    """[(coords, one)] for every combination of the scenario axes that `data` still has, in the
    order of BATH_ORDER and COUPLING_ORDER (the file's order for values they do not name); `one`
    is the data along omega_ratio alone."""
    dims = [a for a in open_axes if a in data.dims]

    def ordered(a):
        values = [v.item() if hasattr(v, "item") else v for v in data[a].values]
        order = {"bath": BATH_ORDER, "coupling": COUPLING_ORDER}.get(a)
        if order:
            values.sort(key=lambda v: order.index(v) if v in order else len(order))
        return values

    combos = [{}]
    for a in dims:
        combos = [dict(c, **{a: v}) for c in combos for v in ordered(a)]
    return [(c, data.sel(c) if c else data) for c in combos]
