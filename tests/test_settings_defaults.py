"""Defaults are written once, in the settings table: code that builds settings gets those."""

from __future__ import annotations

from pathlib import Path

from bot.settings import SETTINGS, Settings, load_settings

TOKEN = "123456:DEFAULTS"


def test_defaults_are_the_tables_and_overrides_win() -> None:
    built = Settings.defaults(TOKEN, database_path=Path("/tmp/x.sqlite3"), weekly_cap=5)
    loaded = load_settings({"NV_BOT_TOKEN": TOKEN})
    table = {s.name: s.default for s in SETTINGS}
    assert built.retention_days == int(table["NV_RETENTION_DAYS"] or 0) == loaded.retention_days
    assert built.area_name == table["NV_AREA_NAME"]
    assert (built.database_path, built.weekly_cap) == (Path("/tmp/x.sqlite3"), 5)
    assert loaded.weekly_cap == int(table["NV_WEEKLY_CAP"] or 0)
