"""Helpers of the analysis package's tests: nessmap-plot's command line run in this process (fast:
no interpreter and matplotlib start-up per picture) or through analysis/nessmap-plot, the checks of
a run, and the checks of a picture."""
import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np

from nessmap_analysis import cli

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "analysis" / "nessmap-plot"


@dataclass
class Run:
    status: int
    out: str
    err: str


def plot(*argv):
    """nessmap-plot ARGV in this process: its exit status (argparse's too), stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = cli.main([str(a) for a in argv])
        except SystemExit as e:
            status = e.code
    return Run(status, out.getvalue(), err.getvalue())


def launch(*argv, env=None):
    """analysis/nessmap-plot ARGV as its own process."""
    p = subprocess.run([str(LAUNCHER), *map(str, argv)], capture_output=True, text=True, env=env, cwd=ROOT)
    return Run(p.returncode, p.stdout, p.stderr)


def check_wrote(run, out):
    """Exit 0, `out` written and named on stderr."""
    assert run.status == 0, f"exit {run.status}: {run.err}"
    assert Path(out).stat().st_size > 0, f"{out} not written"
    assert f"wrote {out}" in run.err, f"stderr does not name {out}: {run.err}"


def check_refused(run, pattern):
    """Exit 2, a line 'nessmap-plot: ...' on stderr, and `pattern` in it."""
    assert run.status == 2, f"exit {run.status}, not 2: {run.err}"
    assert any(line.startswith("nessmap-plot: ") for line in run.err.splitlines()), run.err
    assert pattern in run.err, f"no '{pattern}' in: {run.err}"


def rgb(path):
    """A PNG's pixels as integers 0..255, (height, width, 3)."""
    return (mpimg.imread(path)[..., :3] * 255).round().astype(int)


def packed(a):
    """One integer per pixel (fast set operations on colours)."""
    return (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]


def check_picture(path, min_height, min_width):
    """A readable RGB(A) image of at least min_height x min_width pixels with more than 20 colours."""
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[2] in (3, 4), f"{path}: shape {img.shape}"
    assert img.shape[0] >= min_height and img.shape[1] >= min_width, f"{path}: only {img.shape[:2]}"
    colours = np.unique(packed(rgb(path)))
    assert len(colours) > 20, f"{path}: only {len(colours)} colours"


def codes_of(d, var):
    """{meaning: code} of the file's status or regime flags."""
    return dict(zip(d[var].attrs["flag_meanings"].split(), np.atleast_1d(d[var].attrs["flag_values"]).tolist()))


def beside(tmp_path, sweep_file, name=None):
    """A link to the sweep file in tmp_path: nessmap-plot writes its default outputs beside it."""
    link = tmp_path / (name or Path(sweep_file).name)
    link.symlink_to(sweep_file)
    return link
