"""The summary of a sweep along omega_ratio = omega_h/omega_c: per scenario (every combination of
the bath, coupling and N axes the file has) the regime intervals, the maximum power and the
efficiency there, the maximum cooling power and the zeros of W_nonloc.

Maxima are located between grid points: a parabola through the best grid point and its two
neighbours (among the points where the quantity is defined), its vertex when it lies inside that
bracket. The efficiency there is the parabola through the same three points of the file's
efficiency, checked against the exact eta = 1 - omega_cold/omega_hot (1 - 1/omega_ratio when T_h >= T_c; physics.md).
Only points with status ok count.
"""
import json
import math
import sys

import numpy as np

from .common import (carnot_ratio, regime_names, regime_where_solved, scenario_label, scenario_selection,
                     scenarios, solved, variable)

# Regimes left out of the intervals: 'none' (no machine: W = 0 at omega_ratio = 1, and at the
# Carnot point omega_ratio = T_h/T_c) and points that did not solve. They are gaps between intervals.
NOT_A_MACHINE = ("none", "not_available")
EFFICIENCY_CHECK = 1e-3  # |interpolated eta - (1 - 1/omega_ratio)| above this is reported


def quadratic_through(x3, y3, x):
    """The parabola through three points (x3, y3) evaluated at x (written around the middle point,
    which keeps it well conditioned on a fine grid)."""
    t0, t2 = x3[0] - x3[1], x3[2] - x3[1]
    d0, d2 = y3[0] - y3[1], y3[2] - y3[1]
    det = t0 * t2 * (t2 - t0)
    b = (d0 * t2 * t2 - d2 * t0 * t0) / det
    a = (d2 * t0 - d0 * t2) / det
    t = x - x3[1]
    return y3[1] + b * t + a * t * t, a, b


def interpolated_maximum(x, y):
    """(x*, y*, i) of the maximum of y(x), x sorted, NaN where undefined: the vertex of the parabola
    through the best grid point i and its defined neighbours, or the grid point itself when it is the
    first or last defined point or the vertex falls outside the bracket. (nan, nan, None) if y is
    nowhere defined."""
    good = np.flatnonzero(np.isfinite(y))
    if good.size == 0:
        return math.nan, math.nan, None
    k = int(np.argmax(y[good]))
    i = int(good[k])
    if k == 0 or k == good.size - 1:
        return float(x[i]), float(y[i]), i
    idx = good[k - 1:k + 2]
    x3, y3 = x[idx].astype(float), y[idx].astype(float)
    _, a, b = quadratic_through(x3, y3, x3[1])
    if not a < 0:
        return float(x[i]), float(y[i]), i
    xv = x3[1] - b / (2 * a)
    if not x3[0] <= xv <= x3[2]:
        return float(x[i]), float(y[i]), i
    yv, _, _ = quadratic_through(x3, y3, xv)
    return float(xv), float(yv), i


def interpolate_at(x, y, xv, near):
    """y at xv from the parabola through the defined grid points around index `near` (linear with two
    points, the value itself with one)."""
    good = np.flatnonzero(np.isfinite(y))
    if good.size == 0 or near is None or not math.isfinite(xv):
        return math.nan
    k = int(np.argmin(np.abs(good - near)))
    lo = max(0, min(k - 1, good.size - 3))
    idx = good[lo:lo + 3]
    if idx.size == 3:
        return float(quadratic_through(x[idx].astype(float), y[idx].astype(float), xv)[0])
    if idx.size == 2:
        return float(np.interp(xv, x[idx], y[idx]))
    return float(y[idx[0]])


def sign_changes(x, v, rel_tol=1e-9):
    """The x where v changes sign, by linear interpolation between the two grid points around each
    change; values within rel_tol of the largest |v| count as zero, and a change across such zeros
    is placed at their middle. NaN points are skipped. [] when v is zero everywhere."""
    good = np.isfinite(v)
    x, v = x[good].astype(float), v[good].astype(float)
    if v.size == 0:
        return []
    scale = np.max(np.abs(v))
    if scale == 0:
        return []
    s = np.where(np.abs(v) <= rel_tol * scale, 0, np.sign(v))
    nonzero = np.flatnonzero(s)
    out = []
    for i, j in zip(nonzero[:-1], nonzero[1:]):
        if s[i] == s[j]:
            continue
        if j == i + 1:
            out.append(float(x[i] - v[i] * (x[j] - x[i]) / (v[j] - v[i])))
        else:
            out.append(float(np.mean(x[i + 1:j])))
    return out


def regime_intervals(x, regime, names):
    """[(name, from, to)]: the runs of one regime along sorted x (grid values), machines only."""
    out = []
    start = 0
    for i in range(1, len(x) + 1):
        if i == len(x) or regime[i] != regime[start]:
            name = names.get(int(regime[start]), "not_available")
            if name not in NOT_A_MACHINE:
                out.append((name, float(x[start]), float(x[i - 1])))
            start = i
    return out


def analyse(one, names):
    """The numbers of one scenario (data along omega_ratio alone, sorted), as a dict of the JSON keys."""
    x = one["omega_ratio"].values.astype(float)
    regime = regime_where_solved(one).values
    power = variable(one, "power").values.astype(float)
    efficiency = one["efficiency"].where(solved(one)).values.astype(float)
    cooling = variable(one, "cooling_power").values.astype(float)
    w_nonloc = variable(one, "W_nonloc").values.astype(float)

    x_p, p_max, i_p = interpolated_maximum(x, power)
    eta = interpolate_at(x, np.where(np.isfinite(power), efficiency, np.nan), x_p, i_p)
    x_c, c_max, _ = interpolated_maximum(x, cooling)
    return {
        "max_power": p_max,
        "efficiency_at_max_power": eta,
        "omega_ratio_at_max_power": x_p,
        "max_cooling_power": c_max,
        "omega_ratio_at_max_cooling_power": x_c,
        "regime_intervals": [{"regime": r, "from": a, "to": b} for r, a, b in regime_intervals(x, regime, names)],
        "W_nonloc_sign_changes": sign_changes(x, w_nonloc),
    }


def json_value(v):
    """Plain JSON: floats (NaN -> null), ints, strings, lists and dicts of them."""
    if isinstance(v, dict):
        return {k: json_value(w) for k, w in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_value(w) for w in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    return v


def fmt(v, digits=4):
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}g}"


def text_block(coords, fixed, r, eta_carnot):
    """A few lines for one scenario."""
    head = []
    bath, coupling = coords.get("bath", fixed.get("bath")), coords.get("coupling", fixed.get("coupling"))
    if bath is not None and coupling is not None:
        head.append(f"{scenario_label(bath, coupling)} ({coupling})")
    else:
        head += [f"{k} = {v}" for k, v in (("bath", bath), ("coupling", coupling)) if v is not None]
    head += [f"{k} = {v}" for k, v in coords.items() if k not in ("bath", "coupling")]
    lines = [", ".join(head) if head else "the sweep"]
    intervals = ", ".join(f"{i['regime']} {i['from']:g}-{i['to']:g}" for i in r["regime_intervals"])
    lines.append(f"  regimes (omega_h/omega_c): {intervals or 'no machine anywhere'}")
    if math.isfinite(r["max_power"]):
        carnot = f", {r['efficiency_at_max_power'] / eta_carnot:.3f} of Carnot" if eta_carnot else ""
        lines.append(f"  maximum power -W = {fmt(r['max_power'])} omega_c^2 at omega_h/omega_c = "
                     f"{fmt(r['omega_ratio_at_max_power'], 5)}, efficiency there {fmt(r['efficiency_at_max_power'])}"
                     f"{carnot}")
    else:
        lines.append("  maximum power: no engine points")
    if math.isfinite(r["max_cooling_power"]):
        lines.append(f"  maximum cooling power Q_c = {fmt(r['max_cooling_power'])} omega_c^2 at "
                     f"omega_h/omega_c = {fmt(r['omega_ratio_at_max_cooling_power'], 5)}")
    else:
        lines.append("  maximum cooling power: no refrigerator points")
    changes = ", ".join(f"{c:.4g}" for c in r["W_nonloc_sign_changes"])
    lines.append(f"  W_nonloc changes sign at omega_h/omega_c = {changes}" if changes
                 else "  W_nonloc does not change sign")
    return "\n".join(lines)


def summary(ds, args, out=sys.stdout):
    """Text blocks (or, with args.json, JSON Lines: one object per scenario) on `out`."""
    data, fixed, note = scenario_selection(ds, args.sel, "summary", open_axes=("bath", "coupling", "N"))
    names = regime_names(ds)
    ratio = carnot_ratio(ds, fixed)
    # The roles by temperature, as nessmap names the regimes: the hotter bath is "hot".
    h_hotter = ratio is None or ratio >= 1
    eta_carnot = 1 - min(ratio, 1 / ratio) if ratio else None
    if note and args.json:
        print(f"nessmap-plot: {note}", file=sys.stderr)
    if not args.json:
        head = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in fixed.items())
        out.write(f"# {ds.attrs.get('source_path', '')}" + (f": {head}" if head else "") + "\n")
        if note:
            out.write(f"# {note}\n")
        if eta_carnot is not None:
            out.write(f"# Carnot efficiency 1 - T_cold/T_hot = {eta_carnot:.4g}\n")
    for coords, one in scenarios(data):
        r = analyse(one, names)
        x = r["omega_ratio_at_max_power"]
        # An engine's efficiency is 1 - omega_cold/omega_hot.
        exact = (1 - 1 / x if h_hotter else 1 - x) if math.isfinite(x) else math.nan
        if abs(r["efficiency_at_max_power"] - exact) > EFFICIENCY_CHECK:
            print(f"nessmap-plot: warning: {coords}: interpolated efficiency {r['efficiency_at_max_power']:.6g} "
                  f"differs from 1 - omega_cold/omega_hot = {exact:.6g}", file=sys.stderr)
        if args.json:
            obj = dict(coords)
            obj.update({k: v for k, v in fixed.items() if k not in obj})
            obj.update(r)
            out.write(json.dumps(json_value(obj)) + "\n")
        else:
            out.write(text_block(coords, fixed, r, eta_carnot) + "\n")
