"""Without PostgreSQL's server binaries its tests skip with the reason, and fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

ONE_POSTGRESQL_TEST = "tests/test_schema_twins.py::test_both_migration_sets_build_the_same_schema"


def run_without_server(*, ci: bool) -> subprocess.CompletedProcess[str]:
    """One PostgreSQL test in a pytest of its own, with nothing but Python on PATH."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)
    if ci:
        env["CI"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            ONE_POSTGRESQL_TEST,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("ci", [False, True])
def test_a_missing_server_skips_with_the_reason_except_under_ci(ci: bool) -> None:
    assert not (Path(sys.executable).parent / "initdb").exists()
    result = run_without_server(ci=ci)
    assert "initdb" in result.stdout and "not on PATH" in result.stdout, result.stdout
    if ci:
        assert result.returncode == 1 and "CI must run the PostgreSQL tests" in result.stdout
        assert "1 error" in result.stdout
    else:
        assert result.returncode == 0 and "1 skipped" in result.stdout
