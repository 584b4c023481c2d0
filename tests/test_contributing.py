"""What a contributor relies on: the tests run the source tree, and `python -m sitegen` works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sitegen

ROOT = Path(__file__).resolve().parent.parent


def test_the_tests_import_the_source_tree() -> None:
    assert Path(sitegen.__file__).resolve().parent == ROOT / "sitegen"


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "sitegen", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sitegen {sitegen.__version__}"


def test_subprocesses_run_the_source_tree(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import sitegen; print(sitegen.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert Path(done.stdout.strip()).resolve().parent == ROOT / "sitegen"


def test_the_package_type_checks() -> None:
    """The type hints are part of the code: `mypy --strict` (configured in pyproject.toml)
    finds nothing."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
