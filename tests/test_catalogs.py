"""Translation catalogs: complete, consistent with the code, and correct for each language."""

from __future__ import annotations

import re
from gettext import c2py
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from bot.settings import PROJECT_ROOT

LANGUAGES = LOCALES_DIR.joinpath("LINGUAS").read_text().split()
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def catalog(language: str) -> Catalog:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=language)


def template() -> Catalog:
    with (LOCALES_DIR / "messages.pot").open("rb") as pot:
        return read_po(pot)


def keys(cat: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in cat if m.id}


def test_the_eleven_languages() -> None:
    assert sorted(["en", *LANGUAGES]) == sorted(
        ["en", "tr", "pl", "es", "pt", "fr", "bn", "so", "ar", "ur", "ro"]
    )


def test_template_is_up_to_date_with_code_and_surveys() -> None:
    """Re-extract like `./dev catalogs` does and compare: a stale template fails here."""
    with (PROJECT_ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    fresh = {
        (context, message if isinstance(message, str) else message[0])
        for _, _, message, _, context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map
        )
    }
    committed = keys(template())
    assert fresh - committed == set(), "run ./dev catalogs: new strings are missing"
    assert committed - fresh == set(), "run ./dev catalogs: the template has stale strings"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_matches_the_template(language: str) -> None:
    assert keys(catalog(language)) == keys(template())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_translated_with_the_same_placeholders(language: str) -> None:
    cat = catalog(language)
    expected_forms = get_plural(language).num_plurals
    problems: list[str] = []
    for message in cat:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        assert message.string is not None, message.id
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if isinstance(message.id, tuple | list) and len(strings) != expected_forms:
            problems.append(f"{len(strings)} plural forms, {expected_forms} expected: {ids[0]!r}")
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if not string or not string.strip():
                problems.append(f"untranslated: {ids[0]!r}")
            elif set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_header_awaits_native_review_and_has_plural_rule(language: str) -> None:
    """The catalog picks the same plural form as the locked Babel's CLDR rule for every n.

    Babel 2.19 changed several rules (Turkish gained a second form; French, Spanish and
    Portuguese a third, for whole millions); a catalog written for another release fails here.
    """
    cat = catalog(language)
    assert "awaits review by a native speaker" in (cat.header_comment or "")
    babel_rule = get_plural(language)
    assert cat.num_plurals == babel_rule.num_plurals
    ours, cldr = c2py(cat.plural_expr), c2py(babel_rule.plural_expr)
    numbers = [*range(0, 2000), 10**6, 2 * 10**6, 10**6 + 1, 10**9]
    assert [ours(n) for n in numbers] == [cldr(n) for n in numbers]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles(language: str, tmp_path: Path) -> None:
    from babel.messages.mofile import write_mo

    buffer = BytesIO()
    write_mo(buffer, catalog(language))
    assert buffer.getvalue()
