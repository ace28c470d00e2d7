"""The import-linter contracts in pyproject.toml: the code keeps them, and they catch a
wrong-way import (so a contract that silently checks nothing fails here too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crm", "compliance", "customers", "loyalty", "feedback")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first, so the packages found are the ones under `project` (not the installed
    # ones); no cache, so nothing is written into the tree.
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )


def test_the_code_keeps_every_import_contract():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken_contract"),
    [
        ("crm/roles.py", "import compliance.audit", "crm's base imports neither compliance nor a domain app"),
        ("crm/tasks.py", "import crm.views", "Only crm's roof imports crm's roof"),
        ("compliance/masking.py", "import customers.models", "The apps depend one way"),
        ("loyalty/apps.py", "import feedback", "The apps depend one way"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tmp_path, module, wrong_import, broken_contract):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{wrong_import}  # noqa\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert broken_contract in broken
