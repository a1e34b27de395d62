"""Figure 5: language detection on labelled short resident messages in the eleven languages.

Ours is ``bot.residents.language_detect.LanguageDetector`` restricted to the bot's languages, as
the bot builds it; the baseline is stock langdetect (all 55 profiles, same seed), which is what one
gets from ``langdetect.detect``. Accuracy is the share of messages whose detected language is the
label; for ours that is ``language_of`` (what is stored with a comment: ``unknown`` below the
confidence threshold counts as wrong). Memory is measured in a fresh process each: resident set
size before importing langdetect and after the detector is ready.

    python -m bench.language memory ours|stock     # one memory measurement, as JSON
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, Result, rss_mib

__all__ = ["SAMPLES", "load_samples", "run"]

SAMPLES = Path(__file__).resolve().parent / "data" / "language_samples.tsv"


def load_samples(path: Path = SAMPLES) -> list[tuple[str, str]]:
    """(language, text) pairs; lines starting with # and the header are skipped."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("language\t"):
            continue
        language, text = line.split("\t", 1)
        pairs.append((language.strip(), text.strip()))
    return pairs


def _supported() -> tuple[str, ...]:
    """The bot's languages: English and every catalog in locales/LINGUAS (no imports needed)."""
    linguas = (ROOT / "locales" / "LINGUAS").read_text(encoding="utf-8").split()
    return tuple(sorted({"en", *linguas}))


def _memory(kind: str) -> dict[str, float]:
    """Run in a fresh process: what building the detector adds to the process."""
    before = rss_mib()
    tracemalloc.start()
    if kind == "ours":
        from bot.residents.language_detect import LanguageDetector

        imported = rss_mib()
        LanguageDetector(_supported())
    else:
        from langdetect import detector_factory

        imported = rss_mib()
        detector_factory.init_factory()
    traced = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    after = rss_mib()
    return {
        "rss_added_mib": after - before,
        "rss_import_mib": imported - before,
        "traced_mib": traced,
    }


def _memory_in_child(kind: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.language", "memory", kind],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    data: dict[str, float] = json.loads(out.stdout)
    return data


def _forget(detector: object) -> None:
    """Empty the detector's per-text cache, if it has one, so the next call really detects."""
    cached = getattr(type(detector), "_detect", None)
    clear = getattr(cached, "cache_clear", None)
    if callable(clear):
        clear()


def _timed(
    detect: Callable[[str], object], texts: list[str], passes: int, forget: Callable[[], None]
) -> float:
    """Microseconds per call over ``passes`` rounds of every text, ``forget`` before each."""
    spent = 0.0
    for _ in range(passes):
        forget()
        started = time.perf_counter()
        for text in texts:
            detect(text)
        spent += time.perf_counter() - started
    return 1e6 * spent / (passes * len(texts))


def run(quick: bool) -> list[Result]:
    from langdetect import DetectorFactory
    from langdetect import detect as stock_detect
    from langdetect.lang_detect_exception import LangDetectException

    from bot.residents.language_detect import LanguageDetector

    samples = load_samples()
    texts = [text for _language, text in samples]
    detector = LanguageDetector(_supported())
    DetectorFactory.seed = 0

    def stock(text: str) -> str:
        try:
            return str(stock_detect(text))
        except LangDetectException:
            return "unknown"

    def raw(text: str) -> str:
        found = detector.detect(text)
        return found.language if found else "unknown"

    ours_answers = [detector.language_of(text) for text in texts]
    raw_answers = [raw(text) for text in texts]
    stock_answers = [stock(text) for text in texts]
    labels = [language for language, _text in samples]

    def accuracy(answers: list[str]) -> float:
        return sum(a == b for a, b in zip(answers, labels, strict=True)) / len(labels)

    misses = Counter(
        f"{label}→{answer}"
        for label, answer in zip(labels, ours_answers, strict=True)
        if label != answer
    )
    stock_misses = Counter(
        f"{label}→{answer}"
        for label, answer in zip(labels, stock_answers, strict=True)
        if label != answer
    )
    per_language = {
        language: sum(
            1
            for label, answer in zip(labels, ours_answers, strict=True)
            if label == language == answer
        )
        for language in sorted(set(labels))
    }
    passes = 2 if quick else 20

    def forget() -> None:
        _forget(detector)

    def keep() -> None:
        pass

    _timed(detector.language_of, texts, 1, forget)  # warm up
    _timed(stock, texts, 1, keep)
    ours_us = _timed(detector.language_of, texts, passes, forget)
    stock_us = _timed(stock, texts, passes, keep)
    # The bot looks at a comment twice (stored language, switch offer); the second look may
    # come from the detector's cache, if it has one.
    repeat_us = _timed(detector.language_of, texts, 1, keep)
    ours_memory = _memory_in_child("ours")
    stock_memory = _memory_in_child("stock")
    extra = {
        "samples": len(samples),
        "languages": len(set(labels)),
        "passes": passes,
        "ours_repeat_us": round(repeat_us, 1),
        "ours_has_cache": callable(
            getattr(getattr(type(detector), "_detect", None), "cache_clear", None)
        ),
        "ours_detect_top1_accuracy": round(accuracy(raw_answers), 4),
        "ours_unknown": ours_answers.count("unknown"),
        "ours_correct_per_language": per_language,
        "ours_misses": dict(misses.most_common()),
        "stock_misses": dict(stock_misses.most_common()),
        "ours_memory": {k: round(v, 2) for k, v in ours_memory.items()},
        "stock_memory": {k: round(v, 2) for k, v in stock_memory.items()},
    }
    return [
        Result(
            "Language detection accuracy",
            "share",
            accuracy(ours_answers),
            accuracy(stock_answers),
            better="higher",
            precision=3,
            extra=extra,
        ),
        Result(
            "Language detection time",
            "µs/call",
            ours_us,
            stock_us,
            better="lower",
            precision=0,
        ),
        Result(
            "Language detector memory",
            "MiB RSS",
            ours_memory["rss_added_mib"],
            stock_memory["rss_added_mib"],
            better="lower",
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"] and len(sys.argv) == 3:
        print(json.dumps(_memory(sys.argv[2])))
    else:
        raise SystemExit("usage: python -m bench.language memory ours|stock")
