"""A Babel extractor for survey files, so ``pybabel extract`` sees every string a person reads.

Registered in ``pyproject.toml`` under the ``babel.extractors`` entry point as ``nv_survey`` and
used by ``babel.cfg`` for ``surveys/*.toml``. Survey texts are translated at run time with
:func:`bot.i18n.data_text`, whose msgids are exactly these strings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from typing import IO, Any

__all__ = ["extract_survey"]

_QUESTION_KEYS = ("text", "short", "min_label", "max_label")


def extract_survey(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: list[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield ``(line, funcname, message, comments)`` for every human-readable survey text."""
    source = fileobj.read().decode("utf-8")
    data = tomllib.loads(source)
    lines = source.splitlines()

    def line_of(text: str) -> int:
        needle = text.replace('"', '\\"')
        for number, line in enumerate(lines, start=1):
            if needle in line or text in line:
                return number
        return 1

    survey_id = data.get("id", "?")
    for key in ("title", "intro"):
        if isinstance(data.get(key), str):
            yield line_of(data[key]), "gettext", data[key], [f"survey {survey_id}: {key}"]
    for question in data.get("questions", []):
        qid = question.get("id", "?")
        for key in _QUESTION_KEYS:
            if isinstance(question.get(key), str):
                text = question[key]
                yield line_of(text), "gettext", text, [f"survey {survey_id}, question {qid}"]
        for choice in question.get("choices", []):
            if isinstance(choice.get("label"), str):
                comment = [f"survey {survey_id}, question {qid}, choice {choice.get('id')}"]
                yield line_of(choice["label"]), "gettext", choice["label"], comment
            if isinstance(choice.get("ask"), str):
                comment = [f"survey {survey_id}, question {qid}, choice {choice.get('id')}: ask"]
                yield line_of(choice["ask"]), "gettext", choice["ask"], comment
