"""The fixtures of the analysis package's tests: real sweep files made by the real nessmap binary,
each once per session. The binary is $NESSMAP_BINARY (ctest sets it), else build/nessmap of this
checkout. pytest.ini puts analysis/ on the import path, so the package tested is the checkout's.
"""
import os
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT


@pytest.fixture(scope="session")
def nessmap():
    path = Path(os.environ.get("NESSMAP_BINARY", ROOT / "build" / "nessmap"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"no nessmap binary at {path}: build it, or set NESSMAP_BINARY")
    return path


@pytest.fixture(scope="session")
def sweep(nessmap, tmp_path_factory):
    """sweep(name, config, --set ARGS...) -> the path of NAME.h5, a real one-rank sweep of CONFIG
    (relative to the checkout) in a folder of the session; made once per name."""
    folder = tmp_path_factory.mktemp("sweeps")
    made = {}

    def make(name, config, *sets):
        if name not in made:
            path = folder / f"{name}.h5"
            args = [str(nessmap), "sweep", str(config), "--quiet", "--set", f"output.path={path}",
                    "--set", "output.csv=false"]
            for s in sets:
                args += ["--set", s]
            p = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
            assert p.returncode == 0, f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}"
            made[name] = path
        return made[name]

    return make


@pytest.fixture(scope="session")
def small(sweep):
    """tests/cli/configs/sweep_small.yaml: omega_ratio x bath x coupling, no T_ratio axis."""
    return sweep("small", "tests/cli/configs/sweep_small.yaml")
