"""The evaluation sets are frozen: their figures are only comparable while they stay as written.

Each set's README says how it was written (blind) and why it must not be edited; this test
makes an edit visible in review instead of silently moving a reported figure.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
MANIFEST = DATA / "FROZEN.sha256"
LANGUAGES = {"ar", "bn", "en", "es", "fr", "pl", "pt", "ro", "so", "tr", "ur"}


def _manifest() -> list[tuple[str, str]]:
    pairs = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        pairs.append((digest, name))
    return pairs


@pytest.mark.parametrize(("digest", "name"), _manifest(), ids=lambda value: str(value)[:24])
def test_frozen_file_is_unchanged(digest: str, name: str) -> None:
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    "folder",
    ["safeguarding", "safeguarding_2", "safeguarding_3", "safeguarding_4", "safeguarding_5"],
)
def test_every_language_has_enough_of_both_kinds_in_each_part(folder: str) -> None:
    """At least 40 emergencies and 40 hard non-emergencies per language (issue 13), each
    language present in both parts."""
    counts: Counter[tuple[str, str, bool]] = Counter()
    for path in (DATA / folder).glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            counts[(path.stem, row["split"], bool(row["emergency"]))] += 1
    assert {language for language, _split, _label in counts} == LANGUAGES
    for language in LANGUAGES:
        for label in (True, False):
            both = counts[(language, "dev", label)] + counts[(language, "heldout", label)]
            assert both >= 40, (language, label)
            assert counts[(language, "heldout", label)] >= 20, (language, label)
