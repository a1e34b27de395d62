"""Benchmarks for the bot: ``python -m bench`` (see bench/__main__.py and BENCHMARKS.md)."""
