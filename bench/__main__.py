"""Benchmarks for the bot, one command: ``python -m bench`` (from the project folder).

    .venv/bin/python -m bench           # every figure: prints the table, writes BENCHMARKS.md
    .venv/bin/python -m bench --quick   # small sizes, about a minute; BENCHMARKS.md untouched
    .venv/bin/python -m bench --only digest,broadcast   # prints only; --output FILE to write

Each figure runs in its own process (``python -m bench.figure``) on 127.0.0.1 only, beside its
baseline from the same run: 1 conversation throughput and latency, 2 durable writes,
3 broadcast under flood limits, 4 digest over a million answers, 5 language detection,
6 memory with 10,000 residents mid-survey. The full run is sized for under 10 minutes on two
cores. Exit status 1 if a figure failed to run or (full run only: quick sizes are too small to
judge) missed its target.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import CONVERSATION_ROUNDS, ROOT, machine
from bench.figure import FIGURES
from bench.report import Figure, markdown, table

SIZES = {
    "conversation": (
        f"200 residents x 18 updates, {CONVERSATION_ROUNDS} rounds each",
        "20 residents, 1 round",
    ),
    "writes": ("3,000 confirmed responses", "300"),
    "broadcast": ("10,000 recipients", "300 recipients"),
    "digest": ("~1,000,000 answers", "~50,000 answers"),
    "language": ("220 messages x 20 passes", "220 messages x 2 passes"),
    "memory": ("10,000 residents, 2,000 come back", "500 residents, 100 come back"),
    "safeguarding": ("the frozen evaluation set, 5 timing passes", "the same, 1 timing pass"),
}
FIGURE_TIMEOUT = 420.0


def _run_figure(name: str, args: argparse.Namespace) -> Figure:
    with tempfile.TemporaryDirectory(prefix="nv-bench-") as tmp:
        out = Path(tmp) / f"{name}.json"
        command = [sys.executable, "-m", "bench.figure", name, "--json", str(out)]
        if args.quick:
            command.append("--quick")
        command += [
            "--broadcast-rate",
            str(args.broadcast_rate),
            "--broadcast-limit",
            str(args.broadcast_limit),
        ]
        try:
            done = subprocess.run(
                command,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=FIGURE_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Figure(name, None, f"timed out after {FIGURE_TIMEOUT:.0f} s")
        if done.returncode != 0 or not out.exists():
            return Figure(name, None, done.stderr or f"exit status {done.returncode}")
        return Figure(name, json.loads(out.read_text(encoding="utf-8")), None)


def _environment_findings() -> str:
    """Things about the installed libraries that cost time in every figure that uses HTTP."""
    notes = []
    if importlib.util.find_spec("sniffio") is None and importlib.util.find_spec("httpcore"):
        notes.append(
            "- **httpcore without sniffio.** `sniffio` is not installed (anyio 4.x no longer "
            "requires it), and httpcore 1.0's `current_async_library()` then attempts `import "
            "sniffio` on every connection-pool operation; a failed import is not cached, so "
            "each attempt searches `sys.path` again (measured: ~46 µs, about 12 times per "
            "update, ~0.6 ms of the bot's CPU per update, in production too). Next step: add "
            "`sniffio` to the project's dependencies in `pyproject.toml`."
        )
    if not notes:
        return ""
    return "## Found along the way\n\n" + "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument(
        "--only", default="", help=f"comma-separated figures: {', '.join(FIGURES)}"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="write the report here (default: BENCHMARKS.md for a full run of every figure; "
        "nothing for --quick or --only)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument(
        "--broadcast-rate", type=float, default=100.0, help="configured broadcast rate (msg/s)"
    )
    parser.add_argument(
        "--broadcast-limit",
        type=float,
        default=120.0,
        help="the emulator's global flood limit (msg/s)",
    )
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(FIGURES)
    unknown = sorted(set(chosen) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    output = args.output
    if output is None and not args.quick and not args.only and not args.no_write:
        output = ROOT / "BENCHMARKS.md"  # only a full run of every figure replaces it
    if args.no_write:
        output = None

    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    started = time.perf_counter()
    print(f"python -m bench{' --quick' if args.quick else ''}: {len(chosen)} figure(s)")
    figures = []
    for number, name in enumerate(chosen, start=1):
        size = SIZES[name][1 if args.quick else 0]
        print(f"[{number}/{len(chosen)}] {name} ({size}) …", end=" ", flush=True)
        figure = _run_figure(name, args)
        print("FAILED" if figure.error else f"{figure.seconds:.0f} s", flush=True)
        if figure.error:
            print(figure.error.strip()[-2000:], file=sys.stderr)
        figures.append(figure)
    seconds = time.perf_counter() - started
    print()
    print(table(figures))
    print(f"\n{seconds:.0f} s in all.")

    if output is not None:
        command = "python -m bench" + "".join(
            f" {shlex.quote(a)}" for a in (argv if argv is not None else sys.argv[1:])
        )
        report = markdown(
            figures,
            machine(),
            command=command,
            started=started_at,
            seconds=seconds,
            findings=_environment_findings(),
        )
        output.write_text(report, encoding="utf-8")
        print(f"Wrote {os.path.relpath(output, Path.cwd())}.")
    failed = any(f.error for f in figures)
    missed = any(r.met is False for f in figures for r in f.results)
    return 1 if failed or (missed and not args.quick) else 0


if __name__ == "__main__":
    sys.exit(main())
