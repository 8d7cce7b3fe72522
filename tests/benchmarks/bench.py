#!/usr/bin/python3
"""nessmap against QuTiP: per-point time and peak memory, the currents' agreement, sweep
throughput on 1 and 2 ranks, and what `nessmap estimate` says about N = 5, 6. Run it through
run.sh (which installs python3-qutip if missing):

    bash tests/benchmarks/run.sh [--quick] [--qutip-n4-timeout SECONDS] [--skip-n6] [--rounds R]
    bash tests/benchmarks/run.sh --throughput-only [--rounds R]

Writes the table to tests/benchmarks/results/<date>.md (<date>-quick.md with --quick,
<date>-throughput.md with --throughput-only: the sweep throughput alone).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import h5py  # noqa: E402
import qutip_model as qm  # noqa: E402

PY = "/usr/bin/python3"
TIME = "/usr/bin/time"
BATHS = qm.BATHS
COUPLING = "all_to_all"
TOL = 1e-7
CHECK_OMEGA = 1.5           # the check point (engine regime); on every nessmap grid below
GRID = (0.05, 3.0)          # omega_ratio range; num - 1 a multiple of 59 puts 1.5 on the grid
MPI_ENV = dict(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(cmd, timeout=None, env=None):
    """Run cmd under /usr/bin/time; return (CompletedProcess or None on timeout, peak KiB, wall s)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [TIME, "-f", "%M %e", "-o", tf.name]
        if timeout:
            full += ["timeout", "--kill-after=30", str(int(timeout))]
        full += cmd
        t0 = time.perf_counter()
        cp = subprocess.run(full, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        lines = [ln for ln in open(tf.name).read().splitlines() if re.match(r"^\d+ [\d.]+$", ln)]
        peak = int(lines[-1].split()[0]) if lines else None
    if timeout and cp.returncode in (124, 137, -9):
        return None, peak, wall
    return cp, peak, wall


def system_yaml(N, bath, axis):
    g = "[" + ", ".join(repr(x) for x in qm.paper_params(N, bath, COUPLING, 1.0)["g_h"]) + "]"
    return (f"system:\n  N: {N}\n  bath: {bath}\n  coupling: {COUPLING}\n  omega_c: 1.0\n"
            f"  omega_h: {CHECK_OMEGA}\n  T_h: 2.0\n  T_c: 1.0\n  g_h: {g}\n  g_c: {g}\n"
            f"  Omega: 0.1\nsweep:\n  axes:\n    omega_ratio: {axis}\n")


def nessmap_sweep(binary, tmp, N, bath, num, repeats):
    """Single-rank sweep over omega_ratio; best per-point time over `repeats` runs."""
    axis = (f"[{CHECK_OMEGA}]" if num == 1 else
            f"{{start: {GRID[0]}, stop: {GRID[1]}, num: {num}}}")
    cfg = os.path.join(tmp, f"n{N}_{bath}.yaml")
    out = os.path.join(tmp, f"n{N}_{bath}.h5")
    with open(cfg, "w") as f:
        f.write(system_yaml(N, bath, axis))
    runs = []
    for _ in range(repeats):
        cp, peak, wall = timed([binary, "sweep", cfg, "--set", f"output.path={out}",
                                "--restart", "--quiet"])
        if cp.returncode != 0:
            raise RuntimeError(f"nessmap sweep N={N} {bath} failed ({cp.returncode}): {cp.stderr}")
        with h5py.File(out, "r") as h:
            ws = float(h.attrs["wall_seconds"][0])
            version = h.attrs["nessmap_version"]
            version = version.decode() if isinstance(version, bytes) else str(version)
            pts = int(h.attrs["points_total"][0])
            ok = int(h.attrs["points_ok"][0])
            w = h["omega_ratio"][:]
            k = int(abs(w - CHECK_OMEGA).argmin())
            check = {key: float(h[key][k]) for key in qm.CURRENT_KEYS}
            check_omega = float(w[k])
        runs.append(dict(per_point=ws / pts, wall_seconds=ws, points=pts, ok=ok, peak_kib=peak,
                         process_s=wall, check=check, check_omega=check_omega,
                         version=version))
        log(f"  nessmap N={N} {bath}: {pts} points, {ws:.3f} s -> {ws / pts:.3e} s/point, "
            f"peak {peak / 1024:.0f} MiB")
    best = min(runs, key=lambda r: r["per_point"])
    best["peak_kib"] = max(r["peak_kib"] for r in runs)
    best["all_per_point"] = [r["per_point"] for r in runs]
    return best


def qutip_point_time(N, bath, points, check_omega, timeout):
    cmd = [PY, os.path.join(HERE, "qutip_bench.py"), str(N), bath, COUPLING, str(points),
           repr(check_omega)]
    cp, peak, wall = timed(cmd, timeout=timeout)
    if cp is None:
        log(f"  QuTiP N={N} {bath}: stopped after {wall:.0f} s (limit {timeout} s), "
            f"peak {peak / 1024 if peak else 0:.0f} MiB")
        return dict(timeout=True, peak_kib=peak, wall=wall)
    if cp.returncode != 0:
        raise RuntimeError(f"QuTiP N={N} {bath} failed ({cp.returncode}): {cp.stderr[-2000:]}")
    r = json.loads(cp.stdout.strip().splitlines()[-1])
    r["peak_kib"] = peak
    r["timeout"] = False
    log(f"  QuTiP N={N} {bath}: {r['points']} points, median {r['median_s']:.3e} s/point "
        f"(build {r['build_s']:.2e}, steadystate {r['solve_s']:.2e}, currents "
        f"{r['currents_s']:.2e}), peak {peak / 1024:.0f} MiB")
    return r


def rel_diff(ref, other):
    scale = max(abs(ref["Q_h"]), abs(ref["Q_c"]), abs(ref["W"]))
    return max(abs(ref[k] - other[k]) for k in qm.CURRENT_KEYS) / scale


def sweep_rate(binary, out, ranks, extra, mpirun_flags=(), config=None):
    """Start one `nessmap sweep` of `config` (default input/sweep.yaml) on `ranks` ranks; returns a
    function that waits for it and gives (points/s, points, wall seconds, share of the ranks' time
    spent computing points) from the file's attributes."""
    config = config or os.path.join(ROOT, "input", "sweep.yaml")
    cmd = ["mpirun", *mpirun_flags, "-n", str(ranks), binary, "sweep", config,
           "--set", f"output.path={out}", "--set", "output.csv=false", "--restart", "--quiet", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **MPI_ENV))

    def result():
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"mpirun -n {ranks} failed ({proc.returncode}): {err}")
        with h5py.File(out, "r") as h:
            pts = int(h.attrs["points_total"][0])
            ws = float(h.attrs["wall_seconds"][0])
            busy = float(h.attrs["compute_seconds"][0]) / (ranks * ws)
        return pts / ws, pts, ws, busy
    return result


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else 0.5 * (xs[len(xs) // 2 - 1] + xs[len(xs) // 2])


def throughput(binary, tmp, repeats, extra=(), config=None):
    """Sweep throughput in `repeats` rounds, each of: one rank, two ranks, and two independent
    one-rank sweeps side by side (`--bind-to none`, else both mpiruns pin their rank to core 0).
    The last is the machine's own ceiling for two processes (shared caches, memory bandwidth,
    clock), the reference the two-rank sweep is held against. Interleaving the three puts a slow
    phase of this shared VM into every kind alike."""
    runs = {"one": [], "two": [], "pair": []}
    busy = {"one": [], "two": []}
    for _ in range(repeats):
        one = sweep_rate(binary, os.path.join(tmp, "tp_one.h5"), 1, extra, config=config)()
        two = sweep_rate(binary, os.path.join(tmp, "tp_two.h5"), 2, extra, config=config)()
        waits = [sweep_rate(binary, os.path.join(tmp, f"tp_pair{i}.h5"), 1, extra,
                            ("--bind-to", "none"), config=config) for i in (0, 1)]
        pair = [w() for w in waits]
        runs["one"].append(one[0])
        runs["two"].append(two[0])
        runs["pair"].append(pair[0][0] + pair[1][0])
        busy["one"].append(one[3])
        busy["two"].append(two[3])
        log(f"  {one[1]} points: 1 rank {one[0]:.4g}/s, 2 ranks {two[0]:.4g}/s, "
            f"two 1-rank sweeps side by side {pair[0][0]:.4g} + {pair[1][0]:.4g}/s; "
            f"2 ranks / 1 rank {two[0] / one[0]:.2f}, 2 ranks / side by side "
            f"{two[0] / runs['pair'][-1]:.3f}")
    rate = {k: median(v) for k, v in runs.items()}
    return dict(points=one[1], runs=runs, rate=rate, busy={k: median(v) for k, v in busy.items()},
                ratio=rate["two"] / rate["one"], ceiling=rate["pair"] / rate["one"],
                round_ratios=[t / o for t, o in zip(runs["two"], runs["one"])],
                round_vs_ceiling=[t / p for t, p in zip(runs["two"], runs["pair"])])


# The default sweep takes about a quarter of a second on 2 ranks, where this shared VM moves a
# single rate by +-10% from run to run; it gets this many times the rounds (2 s each) so that its
# median settles as well as the longer sweeps' do.
SHORT_SWEEP_ROUNDS = 3


def all_throughputs(binary, tmp, rounds):
    log("sweep throughput: input/sweep.yaml, then with T_ratio num = 199, then N = 4 x 40 points")
    return [throughput(binary, tmp, SHORT_SWEEP_ROUNDS * rounds),
            throughput(binary, tmp, rounds, ("--set", "sweep.axes.T_ratio.num=199")),
            throughput(binary, tmp, rounds, config=coarse_sweep_config(tmp))]


def coarse_sweep_config(tmp):
    """N = 4, 40 points over omega_ratio (common bath, the paper's parameters): a few tenths of a
    second a point, where the end of the sweep decides how well two ranks share the work."""
    path = os.path.join(tmp, "coarse_n4.yaml")
    with open(path, "w") as f:
        f.write(system_yaml(4, "common", f"{{start: {GRID[0]}, stop: {GRID[1]}, num: 40}}"))
    return path


def throughput_lines(tp, rounds):
    """The report's throughput paragraph and table."""
    L = []
    L.append("Sweep throughput, `mpirun -n P build/nessmap sweep input/sweep.yaml --restart "
             "--quiet` (N = 2; points_total / wall_seconds), the default sweep and the same with "
             "`--set sweep.axes.T_ratio.num=199`, and a sweep of coarse points (N = 4, common "
             f"bath, {COUPLING}, 40 omega_ratio values in [0.05, 3]), in {rounds} rounds each "
             f"({SHORT_SWEEP_ROUNDS * rounds} for the default sweep, a quarter of a second on 2 ranks) of: "
             "1 rank, 2 ranks, and two independent 1-rank sweeps side by side (`mpirun --bind-to "
             "none`; their rates added), the machine's own ceiling for two processes. Medians "
             "over the rounds, every round's value listed. 2 ranks / ceiling: the medians' ratio, "
             "then each round's (2 ranks against the pair run right after it). Busy: the share of "
             "the ranks' wall time spent evaluating points (compute_seconds / (ranks x "
             "wall_seconds)), what scheduling, messages and the journal leave; unlike the rates "
             "it does not move with the speed of this shared VM:")
    L.append("")
    L.append("| sweep | points | 1 rank, points/s | 2 ranks, points/s | two 1-rank side by side | "
             "2 ranks / 1 rank | per round | ceiling / 1 rank | 2 ranks / ceiling | per round | "
             "busy, 1 rank | busy, 2 ranks |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")

    def rates(xs):
        return ", ".join(f"{x:.4g}" for x in xs)
    for name, t in zip(("default", "longer", "N = 4 x 40"), tp):
        runs = t["runs"]
        L.append(f"| {name} | {t['points']} | {t['rate']['one']:.4g} ({rates(runs['one'])}) | "
                 f"{t['rate']['two']:.4g} ({rates(runs['two'])}) | {t['rate']['pair']:.4g} "
                 f"({rates(runs['pair'])}) | {t['ratio']:.2f}x | "
                 f"{', '.join(f'{x:.2f}' for x in t['round_ratios'])} | {t['ceiling']:.2f}x | "
                 f"{t['rate']['two'] / t['rate']['pair']:.3f} | "
                 f"{', '.join(f'{x:.3f}' for x in t['round_vs_ceiling'])} | "
                 f"{100 * t['busy']['one']:.1f}% | {100 * t['busy']['two']:.1f}% |")
    return L


def estimate(binary, N, bath):
    g = "[" + ",".join(repr(x) for x in qm.paper_params(N, bath, COUPLING, 1.0)["g_h"]) + "]"
    cmd = [binary, "estimate", os.path.join(ROOT, "input", "point.yaml"),
           "--set", f"system.N={N}", "--set", f"system.bath={bath}",
           "--set", f"system.coupling={COUPLING}", "--set", f"system.g_h={g}",
           "--set", f"system.g_c={g}", "--set", "system.Omega=0.1"]
    cp = subprocess.run(cmd, capture_output=True, text=True)
    lines = cp.stdout.splitlines()
    row = next((ln for ln in lines if re.match(rf"^{N}\s+{bath}\s", ln)), None)
    if row is None:
        raise RuntimeError(f"nessmap estimate N={N} {bath}: unexpected output\n{cp.stdout}{cp.stderr}")
    # N bath coupling space dimension nonzeros matrix(2) +LU(2) +GMRES(2) method points verdict...
    f = row.split()
    verdict = " ".join(f[14:]) or "fits"
    note = next((ln for ln in lines if "against" in ln), "")
    mem = re.search(r"against ([\d.]+ \w+)", note)
    return dict(dimension=f[4], nonzeros=f[5], matrix=f"{f[6]} {f[7]}", lu=f"{f[8]} {f[9]}",
                gmres=f"{f[10]} {f[11]}", method=f[12], verdict=verdict, status=cp.returncode,
                machine_mem=mem.group(1) if mem else "?")


def large_point(binary, N, bath, timeout):
    """One `nessmap point` at omega_h = CHECK_OMEGA: time, peak memory, iterations, residual."""
    g = "[" + ",".join(repr(x) for x in qm.paper_params(N, bath, COUPLING, 1.0)["g_h"]) + "]"
    cmd = [binary, "point", os.path.join(ROOT, "input", "point.yaml"),
           "--set", f"system.N={N}", "--set", f"system.bath={bath}",
           "--set", f"system.coupling={COUPLING}", "--set", f"system.g_h={g}",
           "--set", f"system.g_c={g}", "--set", "system.Omega=0.1",
           "--set", f"system.omega_h={CHECK_OMEGA}"]
    cp, peak, wall = timed(cmd, timeout=timeout)
    if cp is None:
        log(f"  nessmap N={N} {bath}: stopped after {wall:.0f} s")
        return dict(status="stopped", wall=wall, peak_kib=peak)
    try:
        out = json.loads(cp.stdout)
    except ValueError:
        return dict(status=f"exit {cp.returncode}: {cp.stderr.strip()[-300:]}", wall=wall, peak_kib=peak)
    log(f"  nessmap N={N} {bath}: {out['status']}, {out['iterations']} iterations, "
        f"{out['solve_seconds']:.1f} s solve, {wall:.1f} s process, residual "
        f"{out['residual_norm']:.1e}, peak {peak / 1024 if peak else 0:.0f} MiB")
    return dict(status=out["status"], reason=out.get("reason", ""), wall=wall, peak_kib=peak,
                solve=out["solve_seconds"], iterations=out["iterations"],
                residual=out["residual_norm"], solver=out["solver"], dimension=out["dimension"],
                W=out["W"], Q_h=out["Q_h"])


# The symmetric space (issue 14): one point each, identical qubits (g_h = 0.5, g_c = 0.6,
# Omega = 0.1, omega_h = 1.5, T_h = 2, T_c = 1, thermal start), space auto.
# Type 2 in the symmetric space (auto would solve it as independent pairs).
SYMMETRIC_POINTS = [("all_to_all", "independent", 10), ("all_to_all", "independent", 20),
                    ("all_to_all", "independent", 25), ("all_to_all", "independent", 31),
                    ("all_to_all", "independent", 40), ("all_to_all", "common", 10),
                    ("all_to_all", "common", 12), ("all_to_all", "common", 20),
                    ("all_to_all", "common", 25), ("all_to_all", "common", 31), ("all_to_all", "common", 40),
                    ("pairwise", "independent", 6),
                    ("pairwise", "independent", 8), ("pairwise", "independent", 10)]
# The same against the balanced block in the same run, where it solves in seconds.
SYMMETRIC_REFERENCE = [("all_to_all", "independent", 4), ("all_to_all", "common", 3),
                       ("pairwise", "independent", 4), ("all_to_all", "independent", 5)]
# Type 1 under a common bath: Dicke sectors (auto) against the null-space path of the same
# symmetric space (method ksp), in the same run.
SECTOR_REFERENCE = [10, 12]


# Issue 15: where Omega dominates the dissipation. The N = 3 grid of the issue (g = s [0.5, 0.55,
# 0.6], s = 0.01-10 in 13 log steps, Omega = 0.01-100 in 9, three baths, type 1) as one sweep by
# `auto` against the same sweep by LU, taking turns; and the N = 5 strong point (g = 0.178 x
# [0.5, ..., 0.7], Omega = 0.316) per bath with the default preconditioner choice against the
# Omega = 0 one alone (-sylvester_pc ensembles), the reference it replaces.
STRONG_GRID = """system:
  N: 3
  bath: common
  coupling: all_to_all
  omega_c: 1.0
  omega_h: 1.5
  T_h: 2.0
  T_c: 1.0
  g_h: [0.5, 0.55, 0.6]
  g_c: [0.5, 0.55, 0.6]
  Omega: 1.0
solver:
  method: auto
sweep:
  axes:
    g_scale: {start: 0.01, stop: 10, num: 13, log: true}
    Omega_scale: {start: 0.01, stop: 100, num: 9, log: true}
    bath: [common, cascaded, independent]
output:
  path: strong.h5
  csv: true
"""


def strong_lines(tmp, binary, rounds):
    import csv
    config = os.path.join(tmp, "strong.yaml")
    with open(config, "w") as f:
        f.write(STRONG_GRID)
    best = {"auto": None, "ksp": None}
    rows = {}
    for _ in range(rounds):
        for method in ("auto", "ksp"):
            out = os.path.join(tmp, f"strong-{method}.h5")
            cmd = [binary, "sweep", config, "--set", f"solver.method={method}", "--set",
                   f"output.path={out}", "--restart", "--quiet"]
            cp, peak, wall = timed(cmd)
            if cp is None or cp.returncode != 0:
                return [f"The N = 3 grid sweep ({method}) failed: {cp.stderr[-300:] if cp else 'stopped'}"]
            best[method] = wall if best[method] is None else min(best[method], wall)
            with open(out[:-3] + ".csv") as f:
                rows[method] = {r["index"]: r for r in csv.DictReader(f)}
    keys = ["Q_h", "Q_c", "W", "Q_h_loc", "Q_h_nonloc", "Q_c_loc", "Q_c_nonloc", "W_loc", "W_nonloc"]
    lu_ok = [i for i, r in rows["ksp"].items() if r["status"] == "ok"]
    auto_ok = [i for i in lu_ok if rows["auto"][i]["status"] == "ok"]
    diff = max((abs(float(rows["auto"][i][k]) - float(rows["ksp"][i][k])) for i in auto_ok for k in keys),
               default=float("nan"))
    L = [f"The issue's N = 3 grid (351 points), one sweep on one rank, best of {rounds} taking turns:", "",
         "| method | points ok | of those LU solves | max abs difference of the currents to LU | sweep time |",
         "|---|---|---|---|---|",
         f"| auto | {sum(r['status'] == 'ok' for r in rows['auto'].values())} | {len(auto_ok)} of {len(lu_ok)} | "
         f"{diff:.1e} | {best['auto']:.1f} s |",
         f"| ksp (LU) | {len(lu_ok)} | | | {best['ksp']:.1f} s |",
         "", f"auto / LU time: {best['auto'] / best['ksp']:.2f}.", "",
         "N = 5 at the strong point (g = 0.178 x [0.5, 0.55, 0.6, 0.65, 0.7], Omega = 0.316, dimension "
         "184,756), one `nessmap point` each, the default against `-sylvester_pc ensembles`:", "",
         "| bath | preconditioner | status | iterations | process | peak | solver |", "|---|---|---|---|---|---|---|"]
    g = [round(0.178 * (0.5 + 0.05 * k), 6) for k in range(5)]
    for bath in BATHS:
        for pc in ("auto", "ensembles"):
            cmd = [binary, "point", os.path.join(ROOT, "input", "point.yaml"), "--set", "system.N=5",
                   "--set", f"system.bath={bath}", "--set", "system.coupling=all_to_all",
                   "--set", f"system.g_h={g}", "--set", f"system.g_c={g}", "--set", "system.Omega=0.316",
                   "--set", "system.omega_h=1.5", "--set", "solver.method=auto", "-sylvester_pc", pc]
            cp, peak, wall = timed(cmd, timeout=1800)
            try:
                out = json.loads(cp.stdout)
                L.append(f"| {bath} | {pc} | {out['status']} {out.get('reason') or ''} | {out['iterations']} | "
                         f"{fmt_t(wall)} | {fmt_mem(peak)} | {out['solver']} |")
            except (ValueError, AttributeError):
                L.append(f"| {bath} | {pc} | stopped or no JSON | | {fmt_t(wall)} | {fmt_mem(peak)} | |")
            log(L[-1])
    return L


def uniform_yaml(tmp, coupling, bath, N):
    path = os.path.join(tmp, f"sym_{coupling}_{bath}_{N}.yaml")
    with open(path, "w") as f:
        f.write(f"system:\n  N: {N}\n  bath: {bath}\n  coupling: {coupling}\n  omega_c: 1.0\n"
                "  omega_h: 1.5\n  T_h: 2.0\n  T_c: 1.0\n  g_h: 0.5\n  g_c: 0.6\n  Omega: 0.1\n")
    return path


def to_bytes(text):
    value, unit = text.split()
    return float(value) * {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]


def symmetric_point(binary, tmp, coupling, bath, N, space="auto", method="auto"):
    """One point: its JSON, wall time, peak memory, and what `nessmap estimate` predicted for it."""
    cfg = uniform_yaml(tmp, coupling, bath, N)
    sets = ["--set", f"solver.space={space}", "--set", f"solver.method={method}"]
    est = subprocess.run([binary, "estimate", cfg] + sets, capture_output=True, text=True)
    row = next((ln.split() for ln in est.stdout.splitlines() if re.match(rf"^{N}\s+{bath}\s", ln)), None)
    # N bath coupling space dimension nonzeros matrix(2) +LU(2) +GMRES(2) method ...
    direct = row[12].endswith("/LU") or row[12].endswith("/sectors")
    predicted = to_bytes(f"{row[8]} {row[9]}") if direct else to_bytes(f"{row[10]} {row[11]}")
    cp, peak, wall = timed([binary, "point", cfg] + sets)
    out = json.loads(cp.stdout)
    log(f"  {coupling} {bath} N={N} {out['space']}: {out['status']}, {wall:.2f} s, peak {peak / 1024:.0f} MiB "
        f"(estimate {predicted / 2**20:.0f} MiB)")
    return dict(out=out, wall=wall, peak=peak * 1024.0, predicted=predicted)


def symmetric_lines(tmp, binary):
    L = ["One point each, `nessmap point` with `space: auto` (the symmetric space; `symmetric` for type 2, "
         "which auto solves as independent pairs), identical qubits "
         "(g_h = 0.5, g_c = 0.6, Omega = 0.1, omega_h = 1.5, T_h = 2, T_c = 1, thermal start): process wall "
         "time and peak memory (/usr/bin/time), what `nessmap estimate` predicted (the memory of the "
         "method auto picks) and the measured/predicted ratio, the solver and its iterations.", "",
         "| coupling | bath | N | dimension | status | time | peak | estimate | measured / estimate | solver |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for coupling, bath, N in SYMMETRIC_POINTS:
        # (auto takes type 2 under independent baths to the pairs space: the symmetric one is asked for)
        r = symmetric_point(binary, tmp, coupling, bath, N, "symmetric" if coupling == "pairwise" else "auto")
        o = r["out"]
        L.append(f"| {coupling} | {bath} | {N} | {o['dimension']:,} | {o['status']} | {fmt_t(r['wall'])} | "
                 f"{r['peak'] / 2**20:.0f} MiB | {r['predicted'] / 2**20:.0f} MiB | {r['peak'] / r['predicted']:.2f} | "
                 f"{o['solver'][:60]}, {o['iterations']} it |")
    L += ["", "Against the balanced block in the same run (both with `auto`'s method; the currents "
          "agree to the relative difference given):", "",
          "| coupling | bath | N | symmetric: dimension, time, peak | balanced: dimension, time, peak | "
          "time ratio | memory ratio | max relative difference of Q_h, Q_c, W |", "|---|---|---|---|---|---|---|---|"]
    for coupling, bath, N in SYMMETRIC_REFERENCE:
        s_, b_ = (symmetric_point(binary, tmp, coupling, bath, N, space) for space in ("symmetric", "balanced"))
        so, bo = s_["out"], b_["out"]
        diff = max(abs(so[k] - bo[k]) for k in ("Q_h", "Q_c", "W")) / max(abs(bo[k]) for k in ("Q_h", "Q_c", "W"))
        L.append(f"| {coupling} | {bath} | {N} | {so['dimension']:,}, {fmt_t(s_['wall'])}, {s_['peak'] / 2**20:.0f} MiB | "
                 f"{bo['dimension']:,}, {fmt_t(b_['wall'])}, {b_['peak'] / 2**20:.0f} MiB | "
                 f"{b_['wall'] / s_['wall']:.1f}x | {b_['peak'] / s_['peak']:.1f}x | {diff:.1e} |")
    L += ["", "Type 1 under a common bath: Dicke sectors (`auto`) against the null-space path of the same "
          "symmetric space (`method: ksp`) in the same run, and the largest relative difference of every "
          "observable the JSON holds (currents, coherences, populations, purity, l1 coherence):", "",
          "| N | sectors: time, peak | null-space path: time, peak | time ratio | memory ratio | "
          "max relative difference | null-space path's status |", "|---|---|---|---|---|---|---|"]
    keys = ("Q_h", "Q_c", "W", "Q_h_loc", "Q_h_nonloc", "Q_c_loc", "Q_c_nonloc", "W_loc", "W_nonloc", "C_loc",
            "C_nonloc", "C_nonloc_factorized", "population_h", "population_c", "purity", "l1_coherence")
    for N in SECTOR_REFERENCE:
        s_ = symmetric_point(binary, tmp, "all_to_all", "common", N)
        n_ = symmetric_point(binary, tmp, "all_to_all", "common", N, method="ksp")
        so, no = s_["out"], n_["out"]
        diff = max(abs(so[k] - no[k]) / max(abs(no[k]), 1e-300) for k in keys)
        L.append(f"| {N} | {fmt_t(s_['wall'])}, {s_['peak'] / 2**20:.0f} MiB | {fmt_t(n_['wall'])}, "
                 f"{n_['peak'] / 2**20:.0f} MiB | {n_['wall'] / s_['wall']:.1f}x | {n_['peak'] / s_['peak']:.1f}x | "
                 f"{diff:.1e} | {no['status']} |")
    return L


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        memkib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    desc = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    return dict(nproc=os.cpu_count(), mem=f"{memkib / 1024**2:.1f} GiB", cpu=cpu, commit=desc,
                host=os.uname().nodename)


def fmt_t(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def fmt_mem(kib):
    return "—" if kib is None else f"{kib / 1024:.0f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true",
                    help="skip N = 4 and N = 6")
    ap.add_argument("--qutip-n4-timeout", type=float, default=3600,
                    help="stop QuTiP's N = 4 point after this many seconds (default 3600; 0: no "
                    "limit). QuTiP took 1,507 s and 10 GiB for one N = 4 point (independent) here")
    ap.add_argument("--skip-n6", action="store_true",
                    help="skip the N = 6 points (minutes each and several GiB)")
    ap.add_argument("--no-verify", action="store_true", help="skip the 54-point verification")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "nessmap"))
    ap.add_argument("--throughput-only", action="store_true",
                    help="only the sweep throughput on 1 and 2 ranks (no QuTiP); writes "
                    "results/<date>-throughput.md")
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of the throughput measurement (default 5)")
    ap.add_argument("--symmetric-only", action="store_true",
                    help="only the permutation-symmetric space's points (issue 14) and their ratios to "
                    "the balanced block; writes results/<date>-symmetric.md")
    ap.add_argument("--strong-only", action="store_true",
                    help="only where Omega dominates the rates (issue 15): the N = 3 grid by auto against "
                    "LU and the N = 5 strong point per bath; writes results/<date>-strong.md")
    args = ap.parse_args()
    binary = args.binary
    if not os.access(binary, os.X_OK):
        sys.exit(f"bench: {binary} not found: run `bash .ci/setup` first")

    t_start = time.time()
    mach = machine()
    today = datetime.date.today().isoformat()
    tmp = tempfile.mkdtemp(prefix="nessmap-bench-")
    def report(title, command, lines, name):
        """The report file results/<date>-<name>.md: machine, commit, binary, command, lines."""
        built = datetime.datetime.fromtimestamp(os.path.getmtime(binary)).isoformat(" ", "seconds")
        L = [f"# {title}, {today}", "",
             f"Machine: {mach['host']}, {mach['nproc']} cores ({mach['cpu']}), {mach['mem']} memory. "
             f"Commit: `{mach['commit']}`, binary `{os.path.relpath(binary, ROOT)}` built {built}. "
             f"Command: `{command}`.", ""] + lines
        L += ["", f"Benchmark wall time: {time.time() - t_start:.0f} s."]
        text = "\n".join(L) + "\n"
        print(text)
        path = os.path.join(HERE, "results", f"{today}-{name}.md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        log(f"bench: wrote {os.path.relpath(path, ROOT)}")
        return 0

    if args.strong_only:
        try:
            lines = strong_lines(tmp, binary, 3)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return report("nessmap where Omega dominates the dissipation", "bash tests/benchmarks/run.sh --strong-only",
                      lines, "strong")
    if args.symmetric_only:
        try:
            lines = symmetric_lines(tmp, binary)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return report("nessmap in the permutation-symmetric space", "bash tests/benchmarks/run.sh --symmetric-only",
                      lines, "symmetric")
    if args.throughput_only:
        try:
            tp = all_throughputs(binary, tmp, args.rounds)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return report("nessmap sweep throughput",
                      f"bash tests/benchmarks/run.sh --throughput-only --rounds {args.rounds}",
                      throughput_lines(tp, args.rounds), "throughput")
    Ns = [1, 2, 3] if args.quick else [1, 2, 3, 4]
    ness_points = {1: 1181, 2: 1181, 3: 119, 4: 119}
    qutip_points = {1: 100, 2: 100, 3: 10, 4: 1}
    # Runs per (N, bath) for each tool alike, taking turns (nessmap, QuTiP, nessmap, ...), and the
    # best of each: the speed of this shared VM drifts by a factor of up to two over minutes, and
    # a nessmap sweep at N <= 3 lasts under a second, so runs of one tool in a row can all fall
    # into a slow spell that the other tool's runs miss.
    runs_for = {1: 3, 2: 3, 3: 3, 4: 1}
    rows = []
    try:
        # 1. the full verification against `nessmap point` (N = 1..3, six scenarios, 3 omega_h)
        verify = None
        if not args.no_verify:
            log("verification: QuTiP vs nessmap point, N = 1, 2, 3, six scenarios, "
                "omega_h = 0.7, 1.5, 2.6")
            cp = subprocess.run([PY, os.path.join(HERE, "verify.py"), "--json",
                                 "--binary", binary], capture_output=True, text=True)
            last = cp.stdout.strip().splitlines()
            verify = json.loads(last[-1]) if last and last[-1].startswith("{") else None
            log("  " + (last[-2] if len(last) >= 2 else cp.stderr[-500:]))

        # 2. per-point time, memory and the check, per (N, bath)
        for N in Ns:
            for bath in BATHS:
                log(f"N={N} {bath} {COUPLING}")
                if N <= 3:
                    ns, qs = [], []
                    for _ in range(runs_for[N]):
                        ns.append(nessmap_sweep(binary, tmp, N, bath, ness_points[N], 1))
                        qs.append(qutip_point_time(N, bath, qutip_points[N],
                                                   ns[-1]["check_omega"], None))
                    n = min(ns, key=lambda r: r["per_point"])
                    n["peak_kib"] = max(r["peak_kib"] for r in ns)
                    n["all_per_point"] = [r["per_point"] for r in ns]
                    q = min(qs, key=lambda r: r["median_s"])
                    q["peak_kib"] = max(r["peak_kib"] for r in qs)
                    q["all_median_s"] = [r["median_s"] for r in qs]
                else:
                    n = nessmap_sweep(binary, tmp, N, bath, ness_points[N], runs_for[N])
                    q = qutip_point_time(N, bath, qutip_points[N], n["check_omega"],
                                         args.qutip_n4_timeout or None)
                d = None if q["timeout"] else rel_diff(q["check"], n["check"])
                rows.append(dict(N=N, bath=bath, n=n, q=q, diff=d))
                if d is not None:
                    log(f"  currents at omega_h = {n['check_omega']!r}: max rel diff {d:.2e}")

        # 3. sweep throughput on 1 and 2 ranks
        tp = all_throughputs(binary, tmp, args.rounds)

        # 4. N = 5, 6: what `nessmap estimate` predicts, then one point of each bath
        log("nessmap estimate, N = 5, 6")
        est = [(N, bath, estimate(binary, N, bath)) for N in (5, 6) for bath in BATHS]
        large = []
        skip_n6 = args.skip_n6 or args.quick
        for N in ((5,) if skip_n6 else (5, 6)):
            for bath in BATHS:
                log(f"N={N} {bath}: one point")
                large.append((N, bath, large_point(binary, N, bath, 3600)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- the report
    L = []
    L.append(f"# nessmap vs QuTiP benchmark, {today}{' (--quick)' if args.quick else ''}")
    L.append("")
    L.append(f"Machine: {mach['host']}, {mach['nproc']} cores ({mach['cpu']}), {mach['mem']} memory. "
             f"Commit: `{mach['commit']}`. QuTiP {qm.qutip.__version__} "
             f"(Debian python3-qutip, `qutip.steadystate` default: sparse direct). "
             f"Command: `bash tests/benchmarks/run.sh{' --quick' if args.quick else ''}`.")
    versions = sorted({r["n"]["version"] for r in rows})
    built = datetime.datetime.fromtimestamp(os.path.getmtime(binary)).isoformat(" ", "seconds")
    L.append(f"nessmap binary: `{os.path.relpath(binary, ROOT)}`, nessmap_version "
             f"{', '.join(versions)} (from the sweep files), built {built}.")
    L.append("")
    n4 = ("N = 4 is skipped (--quick)." if args.quick else
          "N = 4: nessmap sweeps 119 points (one run), QuTiP solves the one point omega_ratio "
          "1.5, since a point takes it many minutes" +
          (f"; QuTiP is stopped after {args.qutip_n4_timeout:.0f} s (its time is then a lower "
           "bound, its peak the memory at the stop)." if args.qutip_n4_timeout else "."))
    L.append(f"Model: the paper's parameters, coupling {COUPLING} (type 1, all Omega_ab = 0.1), "
             "g_h = g_c = 0.5, 0.55, 0.6, 0.65 (first N), T_h = 2, T_c = 1, omega_c = 1. "
             "nessmap: single-rank `nessmap sweep` over omega_ratio in [0.05, 3], per point = "
             "wall_seconds / points (assembly + solve + all observables), the best of "
             f"{runs_for[2]} runs for N <= 2 and of {runs_for[3]} for N = 3, taking turns with "
             "QuTiP's runs. QuTiP: build "
             "(tensor, spre/spost, liouvillian) + steadystate + currents per point, the median "
             "over the points shown (omega_ratio in [0.05, 3]), the lowest median of as many "
             f"processes. {n4} "
             "Peak memory: /usr/bin/time %M of the process (one process per (N, bath); "
             "nessmap's includes MPI and PETSc start-up, about 40 MiB). Check: all nine currents "
             "(Q_h, Q_c, W and their loc / nonloc parts) at "
             f"omega_h = {CHECK_OMEGA}, max |difference| / max(|Q_h|, |Q_c|, |W|), tolerance "
             f"{TOL:g}. One thread per process (OMP/OpenBLAS threads 1).")
    L.append("")
    L.append("| N | bath | nessmap points | nessmap / point | nessmap peak | QuTiP points | "
             "QuTiP / point | QuTiP peak | QuTiP / nessmap | currents rel. diff |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    all_ok = True
    for r in rows:
        n, q = r["n"], r["q"]
        if q["timeout"]:
            qpts, qt, ratio = "1", f"> {args.qutip_n4_timeout:.0f} s (stopped)", \
                f"> {args.qutip_n4_timeout / n['per_point']:.1f}x"
            qpeak = "≥ " + fmt_mem(q["peak_kib"])
            diff = "— (no QuTiP result)"
        else:
            qpts, qt = str(q["points"]), fmt_t(q["median_s"])
            qpeak = fmt_mem(q["peak_kib"])
            ratio = f"{q['median_s'] / n['per_point']:.1f}x"
            ok = r["diff"] <= TOL
            all_ok &= ok
            diff = f"{r['diff']:.1e} {'ok' if ok else 'MISMATCH'}"
        L.append(f"| {r['N']} | {r['bath']} | {n['points']} | {fmt_t(n['per_point'])} | "
                 f"{fmt_mem(n['peak_kib'])} | {qpts} | {qt} | {qpeak} | "
                 f"{ratio} | {diff} |")
    if args.quick:
        L.append("| 4 | all | skipped (--quick) | | | skipped (--quick) | | | | |")
    L.append("")
    L += throughput_lines(tp, args.rounds)
    L.append("")
    L.append("N = 5, 6, one point per bath (`nessmap point`, omega_h = 1.5, all_to_all, balanced "
             "space, the default method): process wall time and peak memory (/usr/bin/time), the "
             "solver's own time (assembly + solve), GMRES iterations and ||L rho||:")
    L.append("")
    L.append("| N | bath | dimension | status | process | solve | iterations | ||L rho|| | peak | "
             "W | solver |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for N, bath, p in large:
        if "solve" not in p:
            L.append(f"| {N} | {bath} | | {p['status']} | {fmt_t(p['wall'])} | | | | "
                     f"{fmt_mem(p['peak_kib'])} | | |")
            continue
        L.append(f"| {N} | {bath} | {p['dimension']} | {p['status']} {p.get('reason') or ''} | "
                 f"{fmt_t(p['wall'])} | {fmt_t(p['solve'])} | {p['iterations']} | "
                 f"{p['residual']:.1e} | {fmt_mem(p['peak_kib'])} | {p['W']:.6g} | {p['solver']} |")
    if skip_n6:
        L.append(f"| 6 | all | skipped ({'--quick' if args.quick else '--skip-n6'}) | | | | | | | | |")
    L.append("")
    L.append("What `nessmap estimate` predicts for them (memory per point; `method` is what "
             "`auto` picks, LU: with a factorisation):")
    L.append("")
    L.append("| N | bath | dimension | nonzeros | matrix | + LU | + GMRES | method | verdict |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for N, bath, e in est:
        L.append(f"| {N} | {bath} | {e['dimension']} | {e['nonzeros']} | {e['matrix']} | "
                 f"{e['lu']} | {e['gmres']} | {e['method']} | {e['verdict']} |")
    if verify is not None:
        L.append("")
        per = ", ".join(f"N={k}: {v:.1e}" for k, v in verify["per_N"].items())
        L.append(f"Verification (tests/benchmarks/verify.py, QuTiP vs `nessmap point`, N = 1, 2, 3 "
                 f"x 6 scenarios x omega_h = 0.7, 1.5, 2.6, nine currents each): max relative "
                 f"difference {per}; "
                 + (f"all within {TOL:g}." if verify["failures"] == 0
                    else f"{verify['failures']} MISMATCHES."))
        all_ok &= verify["failures"] == 0
    L.append("")
    L.append(f"Benchmark wall time: {time.time() - t_start:.0f} s.")
    text = "\n".join(L) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", f"{today}{'-quick' if args.quick else ''}.md")
    with open(path, "w") as f:
        f.write(text)
    log(f"bench: wrote {os.path.relpath(path, ROOT)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
