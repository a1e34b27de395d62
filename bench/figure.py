"""Run one figure in this process and write its results as JSON (the main command's child).

    python -m bench.figure NAME [--quick] --json OUT [--broadcast-rate R --broadcast-limit L]

Each figure runs in a fresh process so one figure's memory, caches and threads never affect
another's.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

from bench.common import Result, write_json

__all__ = ["FIGURES", "main", "run_figure"]

FIGURES = ("conversation", "writes", "broadcast", "digest", "language", "memory", "safeguarding")


def run_figure(name: str, quick: bool, rate: float, limit: float) -> list[Result]:
    if name == "conversation":
        from bench import conversation

        return conversation.run(quick)
    if name == "writes":
        from bench import writes

        return writes.run(quick)
    if name == "broadcast":
        from bench import broadcast

        return broadcast.run(quick, rate=rate, limit=limit)
    if name == "digest":
        from bench import digest

        return digest.run(quick)
    if name == "language":
        from bench import language

        return language.run(quick)
    if name == "memory":
        from bench import memory

        return memory.run(quick)
    if name == "safeguarding":
        from bench import safeguard_eval

        return safeguard_eval.run(quick)
    raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.figure")
    parser.add_argument("name", choices=FIGURES)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", required=True)
    parser.add_argument("--broadcast-rate", type=float, default=100.0)
    parser.add_argument("--broadcast-limit", type=float, default=120.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.simplefilter("ignore")
    load_before = os.getloadavg()
    started = time.perf_counter()
    results = run_figure(args.name, args.quick, args.broadcast_rate, args.broadcast_limit)
    write_json(
        args.json,
        {
            "name": args.name,
            "seconds": time.perf_counter() - started,
            "load_before": load_before,
            "load_after": os.getloadavg(),
            "results": [r.to_json() for r in results],
        },
    )


if __name__ == "__main__":
    main()
