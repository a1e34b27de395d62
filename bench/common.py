"""Shared pieces of the benchmarks: results, percentiles, process memory and CPU, the machine."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Set before python-telegram-bot is imported anywhere (production does the same, bot/app.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")

__all__ = [
    "ROOT",
    "Result",
    "cpu_seconds",
    "machine",
    "percentile",
    "rss_mib",
    "write_json",
]

TOKEN = "123456:BENCH-TOKEN"
# Pairs of rounds (bare and ours back to back) in a full conversation run: a round's rate
# moves by ±10 % with the machine's other work, so the median of five pairs is reported.
CONVERSATION_ROUNDS = 5


@dataclass
class Result:
    """One row of the table.

    ``ratio`` is always ours / baseline; ``better`` says which way is good (``"higher"`` or
    ``"lower"``), and ``target`` is a bound on the ratio (``ratio_target``) or on the value
    itself (``value_target``), or neither when the issue sets none.
    """

    figure: str
    unit: str
    ours: float
    baseline: float | None
    better: str = "higher"
    ratio_target: float | None = None
    value_target: float | None = None
    target_text: str = "none set"
    must_equal: float | None = None  # e.g. duplicates must be 0
    precision: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        checks: list[bool] = []
        if self.must_equal is not None:
            checks.append(self.ours == self.must_equal)
        if self.value_target is not None:
            checks.append(
                self.ours >= self.value_target
                if self.better == "higher"
                else self.ours < self.value_target
            )
        if self.ratio_target is not None:
            ratio = self.ratio
            if ratio is None:
                checks.append(False)
            else:
                checks.append(
                    ratio >= self.ratio_target
                    if self.better == "higher"
                    else ratio <= self.ratio_target
                )
        return all(checks) if checks else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        return cls(**data)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _status_kib(pid: int | str, key: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise LookupError(f"{key} not in /proc/{pid}/status")


def rss_mib(pid: int | str = "self", key: str = "VmRSS") -> float:
    """Resident set size (or ``VmHWM``, its peak) of a process, in MiB."""
    return _status_kib(pid, key) / 1024


def cpu_seconds(pid: int | str = "self") -> float:
    """User plus system CPU time a process has used so far."""
    return _stat_cpu(f"/proc/{pid}/stat")


def main_thread_cpu_seconds(pid: int) -> float:
    """CPU time of a process's first thread: for the bots, the asyncio event loop.

    The rest of the process's CPU is its other threads' (aiosqlite's database thread); all of
    them share one interpreter lock, so together they get at most one core's worth of Python.
    """
    return _stat_cpu(f"/proc/{pid}/task/{pid}/stat")


def _stat_cpu(path: str) -> float:
    with open(path, encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        return _status_like("/proc/meminfo", "MemTotal") / 1024 / 1024
    except (OSError, LookupError):
        return float("nan")


def _status_like(path: str, key: str) -> int:
    with open(path, encoding="ascii") as source:
        for line in source:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise LookupError(key)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": f"{usable} usable ({os.cpu_count()} online)",
        "memory": f"{_memory_gib():.1f} GiB",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "libraries": ", ".join(
            f"{name} {_version(name)}"
            for name in (
                "python-telegram-bot",
                "httpx",
                "aiosqlite",
                "aiohttp",
                "langdetect",
                "babel",
            )
        ),
    }


def write_json(path: str | Path, payload: Any) -> None:
    Path(path).write_text(json.dumps(payload, indent=1), encoding="utf-8")
