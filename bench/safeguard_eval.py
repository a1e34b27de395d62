"""Figure 7: safeguarding on the frozen evaluation sets, written blind (tests/data/safeguarding*).

    .venv/bin/python -m bench.safeguard_eval            # both parts, per language
    .venv/bin/python -m bench.safeguard_eval --misses   # and every miss and false alarm (dev)

Ours is ``Safeguarding.load()`` as the bot builds it: the model and every language's wording
rules, either enough. The baseline is the wording rules alone, which is all the bot had before.
The *held-out* part is the one the targets apply to (recall of emergencies at least 0.95
overall and 0.90 in every language, the 999 answer on at most 0.05 of non-emergencies); the
*development* part chose the model's thresholds. The gentler line ("if anyone is in danger
right now, call 999") is counted apart: it is neither a found emergency nor a 999 answer in
the figures the targets apply to, and its own shares are given beside them.

The second set (``tests/data/safeguarding_2``) was written later, by other writers, after the
first set's held-out part had been looked at four times; its held-out part is measured on the
same targets (its development part helps choose the thresholds). The third
(``tests/data/safeguarding_3``, 2026-12-04) came later still, from new writers, and no model
has been fitted to any of it; its held-out part is measured on the same targets. The fourth
(``tests/data/safeguarding_4``, 2026-12-04, other writers again) was measured blind before any
fitting (its README has that figure); since then all four development parts train the model
out of fold and choose its thresholds. The fifth (``tests/data/safeguarding_5``, 2026-12-04,
other writers again) has never been fitted to: both its parts were measured blind, once, and
its held-out part is reported here beside the other four.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import ROOT, Result

if TYPE_CHECKING:  # for annotations; the functions below import the bot where they use it
    from bot.residents.safeguarding import Safeguarding

__all__ = [
    "EVALUATION",
    "FIFTH",
    "FOURTH",
    "SECOND",
    "THIRD",
    "Tally",
    "load",
    "measure",
    "run",
]

EVALUATION = ROOT / "tests" / "data" / "safeguarding"
SECOND = ROOT / "tests" / "data" / "safeguarding_2"
THIRD = ROOT / "tests" / "data" / "safeguarding_3"
FOURTH = ROOT / "tests" / "data" / "safeguarding_4"
FIFTH = ROOT / "tests" / "data" / "safeguarding_5"
RECALL_TARGET, LANGUAGE_RECALL_TARGET, FALSE_ALARM_TARGET = 0.95, 0.90, 0.05


@dataclass
class Tally:
    emergencies: int = 0
    found: int = 0
    found_or_gentle: int = 0
    calm: int = 0
    alarms: int = 0
    alarms_or_gentle: int = 0
    abuse: int = 0
    abuse_found: int = 0
    harm: int = 0
    harm_found: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def recall(self) -> float:
        return self.found / self.emergencies if self.emergencies else 1.0

    def alarm_share(self) -> float:
        return self.alarms / self.calm if self.calm else 0.0


def load(split: str, directory: Path = EVALUATION) -> list[dict[str, object]]:
    """The rows of one part; a set without parts (the second) is held out as a whole."""
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("split", "heldout") == split:
                    found.append(row)
    return found


def measure(rows: list[dict[str, object]], safeguarding: object) -> dict[str, Tally]:
    """Per language, and ``"all"``."""
    from bot.residents.safeguarding import Concern, Safeguarding

    assert isinstance(safeguarding, Safeguarding)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        text = str(row["text"])
        language = str(row["id"]).split("-")[0]
        result = safeguarding.assess(text)
        urgent = Concern.EMERGENCY in result.concerns
        for tally in (tallies[language], tallies["all"]):
            if row["emergency"]:
                tally.emergencies += 1
                tally.found += urgent
                tally.found_or_gentle += urgent or result.gentle
                if not urgent:
                    tally.misses.append(f"{row['id']}: {text}")
            else:
                tally.calm += 1
                tally.alarms += urgent
                tally.alarms_or_gentle += urgent or result.gentle
                if urgent:
                    tally.false_alarms.append(f"{row['id']}: {text}")
            if row["domestic_abuse"]:
                tally.abuse += 1
                tally.abuse_found += Concern.DOMESTIC_ABUSE in result.concerns
            if row["self_harm"]:
                tally.harm += 1
                tally.harm_found += Concern.SELF_HARM in result.concerns
    return dict(tallies)


def _systems() -> tuple[Safeguarding, Safeguarding]:
    from bot.residents.safeguarding import Safeguarding

    ours = Safeguarding.load()
    rules_only = Safeguarding(ours.rules)
    return ours, rules_only


def _per_language(tallies: dict[str, Tally]) -> dict[str, dict[str, float]]:
    return {
        language: {
            "recall": round(t.recall(), 3),
            "false_alarms": round(t.alarm_share(), 3),
            "emergencies": t.emergencies,
            "non_emergencies": t.calm,
        }
        for language, t in sorted(tallies.items())
        if language != "all"
    }


def run(quick: bool) -> list[Result]:
    ours, rules_only = _systems()
    held_out, dev = load("heldout"), load("dev")
    ours_h, base_h = measure(held_out, ours), measure(held_out, rules_only)
    ours_d, base_d = measure(dev, ours), measure(dev, rules_only)
    second = load("heldout", SECOND)
    ours_2, base_2 = measure(second, ours), measure(second, rules_only)
    third = load("heldout", THIRD)
    ours_3, base_3 = measure(third, ours), measure(third, rules_only)
    fourth = load("heldout", FOURTH)
    ours_4, base_4 = measure(fourth, ours), measure(fourth, rules_only)
    fifth = load("heldout", FIFTH)
    ours_5, base_5 = measure(fifth, ours), measure(fifth, rules_only)
    texts = [str(r["text"]) for r in held_out]
    passes = 1 if quick else 5

    def timed(system: Safeguarding) -> float:
        check = system.assess
        started = time.perf_counter()
        for _ in range(passes):
            for text in texts:
                check(text)
        return 1e6 * (time.perf_counter() - started) / (passes * len(texts))

    a, b = ours_h["all"], base_h["all"]
    c = ours_2["all"]
    extra = {
        "held_out": len(held_out),
        "dev": len(dev),
        "per_language": _per_language(ours_h),
        "per_language_rules": _per_language(base_h),
        "dev_recall": round(ours_d["all"].recall(), 3),
        "dev_false_alarms": round(ours_d["all"].alarm_share(), 3),
        "dev_rules_recall": round(base_d["all"].recall(), 3),
        "gentle_recall": round(a.found_or_gentle / a.emergencies, 3),
        "gentle_false_alarms": round(a.alarms_or_gentle / a.calm, 3),
        "abuse_recall": round(a.abuse_found / a.abuse, 3) if a.abuse else None,
        "harm_recall": round(a.harm_found / a.harm, 3) if a.harm else None,
        "rules_abuse_recall": round(b.abuse_found / b.abuse, 3) if b.abuse else None,
        "rules_harm_recall": round(b.harm_found / b.harm, 3) if b.harm else None,
        "worst_language": _weakest(ours_h)[1],
        "second_set": len(second),
        "second_per_language": _per_language(ours_2),
        "second_abuse_recall": round(c.abuse_found / c.abuse, 3) if c.abuse else None,
        "second_harm_recall": round(c.harm_found / c.harm, 3) if c.harm else None,
        "third_set": len(third),
        "third_per_language": _per_language(ours_3),
        "fourth_set": len(fourth),
        "fourth_per_language": _per_language(ours_4),
        "fifth_set": len(fifth),
        "fifth_per_language": _per_language(ours_5),
        "all_held_out": _pooled([ours_h, ours_2, ours_3, ours_4, ours_5]),
    }
    return [
        *_against_targets("Safeguarding, held-out", ours_h, base_h, extra),
        *_against_targets("Safeguarding, second set, held-out", ours_2, base_2),
        *_against_targets("Safeguarding, third set, held-out", ours_3, base_3),
        *_against_targets("Safeguarding, fourth set, held-out", ours_4, base_4),
        *_against_targets("Safeguarding, fifth set (never fitted), held-out", ours_5, base_5),
        Result(
            "Safeguarding, time per message",
            "µs",
            round(timed(ours), 1),
            round(timed(rules_only), 1),
            better="lower",
            precision=1,
        ),
    ]


def _against_targets(
    part: str,
    ours: dict[str, Tally],
    base: dict[str, Tally],
    extra: dict[str, Any] | None = None,
) -> list[Result]:
    """The three figures the targets apply to, for one held-out part."""
    a, b = ours["all"], base["all"]
    worst, language = _weakest(ours)
    return [
        Result(
            f"{part} emergencies found",
            "share",
            round(a.recall(), 3),
            round(b.recall(), 3),
            value_target=RECALL_TARGET,
            target_text=f"≥ {RECALL_TARGET}",
            precision=3,
            extra=extra or {},
        ),
        Result(
            f"{part} recall in the weakest language ({language})",
            "share",
            round(worst, 3),
            round(base[language].recall(), 3),
            value_target=LANGUAGE_RECALL_TARGET,
            target_text=f"≥ {LANGUAGE_RECALL_TARGET} in every language",
            precision=3,
        ),
        Result(
            f"{part} 999 answers to non-emergencies",
            "share",
            round(a.alarm_share(), 3),
            round(b.alarm_share(), 3),
            better="lower",
            value_target=FALSE_ALARM_TARGET + 1e-9,  # met means strictly below: ≤ 0.05
            target_text=f"≤ {FALSE_ALARM_TARGET}",
            precision=3,
        ),
    ]


def _pooled(sets: list[dict[str, Tally]]) -> dict[str, float]:
    """Recall and false alarms over every held-out part together."""
    found = sum(t["all"].found for t in sets)
    emergencies = sum(t["all"].emergencies for t in sets)
    alarms = sum(t["all"].alarms for t in sets)
    calm = sum(t["all"].calm for t in sets)
    return {
        "messages": emergencies + calm,
        "recall": round(found / emergencies, 3),
        "false_alarms": round(alarms / calm, 3),
    }


def _weakest(tallies: dict[str, Tally]) -> tuple[float, str]:
    return min((t.recall(), language) for language, t in tallies.items() if language != "all")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="safeguarding on the frozen evaluation set")
    parser.add_argument("--misses", action="store_true", help="list the development misses")
    arguments = parser.parse_args(argv)
    ours, rules_only = _systems()
    parts = (
        ("dev", EVALUATION, "dev"),
        ("heldout", EVALUATION, "heldout"),
        ("heldout", SECOND, "second set"),
        ("dev", THIRD, "third set dev"),
        ("heldout", THIRD, "third set"),
        ("dev", FOURTH, "fourth set dev"),
        ("heldout", FOURTH, "fourth set"),
        ("heldout", FIFTH, "fifth set"),
    )
    for split, directory, label in parts:
        for name, system in (("ours", ours), ("rules only", rules_only)):
            tallies = measure(load(split, directory), system)
            overall = tallies["all"]
            print(
                f"{label} {name}: recall {overall.found}/{overall.emergencies} "
                f"({overall.recall():.3f}), false alarms {overall.alarms}/{overall.calm} "
                f"({overall.alarm_share():.3f}); with the gentle line "
                f"{overall.found_or_gentle}/{overall.emergencies} and "
                f"{overall.alarms_or_gentle}/{overall.calm}"
            )
            for language, t in sorted(tallies.items()):
                if language != "all":
                    print(
                        f"   {language}: {t.found}/{t.emergencies} found, "
                        f"{t.alarms}/{t.calm} false alarms"
                    )
            if arguments.misses and split == "dev" and name == "ours":  # never held-out ones
                print("\n".join(["   missed:", *overall.misses, "   false alarms:"]))
                print("\n".join(overall.false_alarms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
