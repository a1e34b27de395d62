"""The benchmark still drives the bot it measures: every figure runs in its quick form.

Its residents follow the bot's screens step by step, so a change to a conversation that the
benchmark does not follow would only show when someone next measures. Nothing here is timed:
``--quick`` prints figures, and this test asks only that each one was produced.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT


def test_every_benchmark_figure_runs_in_its_quick_form(tmp_path: Path) -> None:
    report = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(report)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FAILED" not in result.stdout, result.stdout[-3000:]
    written = report.read_text(encoding="utf-8")
    for figure in (
        "Conversation throughput",
        "Durable writes",
        "Broadcast rate",
        "Digest, one ward",
        "Language detection accuracy",
        "Memory, bot RSS",
    ):
        assert figure in result.stdout and figure in written, figure
