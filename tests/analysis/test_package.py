"""How nessmap-plot is started: analysis/nessmap-plot from the checkout (no installation; exit
status and messages as the command line's), and the package installed with pip, whose console
script runs the same main. (A broken python3 first on PATH: test_plots.py.)"""
import os
import shutil
import subprocess
import sys

from helpers import LAUNCHER, ROOT, check_refused, launch


def test_launcher_exit_status_and_messages(tmp_path, small):
    check_refused(launch(tmp_path / "missing.h5", "regime"), f"{tmp_path / 'missing.h5'}: no such file")
    check_refused(launch(small, "phase"), "invalid choice: 'phase'")
    check_refused(launch(small, "regime", "--y", "coupling"), "choose it with --sel bath=VALUE")


def test_launcher_through_a_link_from_elsewhere(tmp_path):
    """The package is found beside the launcher's real file, whatever the link or the working directory."""
    link = tmp_path / "nessmap-plot"
    link.symlink_to(LAUNCHER)
    p = subprocess.run([str(link), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("usage: nessmap-plot "), p.stdout + p.stderr


def test_pip_install(tmp_path, small):
    """`pip install ./analysis` (here offline, into a folder, from a copy of analysis/) gives the
    console script nessmap-plot, which runs without the checkout."""
    source = tmp_path / "analysis"
    source.mkdir()
    shutil.copy(ROOT / "analysis" / "pyproject.toml", source)
    shutil.copytree(ROOT / "analysis" / "nessmap_analysis", source / "nessmap_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "installed"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                        "--no-build-isolation", "--target", str(target), str(source)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    p = subprocess.run([str(target / "bin" / "nessmap-plot"), str(small), "summary", "--sel", "bath=common",
                        "coupling=pairwise"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    assert "maximum power -W" in p.stdout, p.stdout
    p = subprocess.run([sys.executable, "-c", "import nessmap_analysis; print(nessmap_analysis.__file__)"],
                       capture_output=True, text=True, cwd=tmp_path, env=env)
    assert p.stdout.startswith(str(target)), p.stdout + p.stderr
