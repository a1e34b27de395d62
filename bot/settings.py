"""Settings, read once from the environment (and an optional ``.env`` file) into one frozen object.

Every setting is described in :data:`SETTINGS` so that ``python bot.py --help`` and the README
table come from the same source. Tests build :class:`Settings` directly instead of touching the
environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot.errors import ConfigError

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE = "data/neighbourhood-voice.sqlite3"
_TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable: its name, default (None = required) and meaning."""

    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("NV_BOT_TOKEN", None, "Bot token from @BotFather (required)."),
    Setting(
        "NV_DATABASE",
        DEFAULT_DATABASE,
        "SQLite database file, for one process; its folder is created if missing. Or a "
        "postgresql:// URL, the database several processes will share (README, PostgreSQL).",
    ),
    Setting(
        "NV_API_BASE_URL",
        TELEGRAM_BASE_URL,
        "Bot API base URL, token appended; point it at a self-hosted Bot API server or the "
        "emulator.",
    ),
    Setting(
        "NV_AREA_NAME", "Hackney", "The borough or area the bot serves, as residents read it."
    ),
    Setting("NV_ADMIN_IDS", "", "Comma-separated Telegram user ids of the first admins."),
    Setting("NV_DEFAULT_LOCALE", "en", "Language used when a resident's language is unknown."),
    Setting("NV_TIMEZONE", "Europe/London", "IANA time zone for dates, reminders and digests."),
    Setting(
        "NV_REGION",
        "GB",
        "Country (ISO 3166 code) whose way of writing dates and numbers each language uses "
        "where it has one: English in GB reads 18:30, not 6:30 PM.",
    ),
    Setting("NV_SURVEYS_DIR", "surveys", "Folder of survey files (*.toml), validated at start."),
    Setting("NV_WARDS_CSV", "data/wards.csv", "Ward table: ward_id,name."),
    Setting(
        "NV_POSTCODES_CSV",
        "data/postcode_wards.csv",
        "Postcode prefix to ward table: prefix,ward_id.",
    ),
    Setting("NV_RETENTION_DAYS", "730", "Days a confirmed response is kept before deletion."),
    Setting(
        "NV_MAX_CONCURRENT_UPDATES",
        "32",
        "Updates handled at once; one chat's updates are always handled in order.",
    ),
    Setting(
        "NV_POLL_INTERVAL",
        "0.02",
        "Seconds to pause between two long polls, so that updates arriving together under load "
        "come in one batch; each update may wait that long.",
    ),
    Setting("NV_BROADCAST_RATE", "25", "Broadcast messages a second, for all chats together."),
    Setting(
        "NV_BROADCAST_IN_FLIGHT",
        "4",
        "Broadcast messages sent at once; also the most a crash can duplicate.",
    ),
    Setting("NV_QUIET_HOURS", "21:00-08:00", "Local hours when non-urgent notices wait."),
    Setting("NV_WEEKLY_CAP", "3", "Non-urgent notices a resident gets in seven days, at most."),
    Setting("NV_DISCLOSURE_K", "10", 'Counts below this show as "fewer than k" (5 or more).'),
    Setting("NV_DISCLOSURE_ROUNDING", "5", "Other counts are rounded to a multiple of this."),
    Setting("NV_DIGEST_PERIOD", "week", "A digest covers one calendar week or month: week|month."),
    Setting(
        "NV_DIGEST_DAY",
        "monday",
        "Day scheduled digests to officers fall due (the first after each period ends).",
    ),
    Setting(
        "NV_DIGEST_TIME",
        "09:00",
        "Local time scheduled digests fall due; the job also runs just after start.",
    ),
    Setting("NV_INVITE_HOURS", "72", "Hours an officer's invite code stays valid."),
    Setting("NV_LOG_LEVEL", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated settings; paths are absolute.

    The defaults are written once, in :data:`SETTINGS`: build settings with
    :func:`load_settings` (from the environment) or :meth:`Settings.defaults` (tests, the demo,
    the benchmarks), never by listing values here.
    """

    bot_token: str
    database_path: Path  # the SQLite file; unused when database_url is set
    database_url: str | None  # NV_DATABASE when it is a postgresql:// URL
    api_base_url: str
    area_name: str
    admin_ids: frozenset[int]
    default_locale: str
    timezone: ZoneInfo
    region: str
    surveys_dir: Path
    wards_csv: Path
    postcodes_csv: Path
    retention_days: int
    max_concurrent_updates: int
    poll_interval: float
    broadcast_rate: float
    broadcast_in_flight: int
    quiet_hours: tuple[time, time]
    weekly_cap: int
    disclosure_k: int
    disclosure_rounding: int
    digest_period: str
    digest_day: int  # 0 is Monday
    digest_time: time
    invite_hours: int
    log_level: str

    @classmethod
    def defaults(cls, bot_token: str, **overrides: Any) -> Settings:
        """Every default from :data:`SETTINGS`, with ``overrides`` (field names) on top."""
        return replace(load_settings({"NV_BOT_TOKEN": bot_token}), **overrides)

    @property
    def database(self) -> Path | str:
        """What the store opens: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def api_base_file_url(self) -> str:
        """File downloads live beside the method URLs: ``…/bot`` becomes ``…/file/bot``."""
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file"


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)


def _database_url(value: str) -> str | None:
    """NV_DATABASE as a PostgreSQL URL, or None for a file path; the one line for any other
    URL never repeats a password."""
    if "://" not in value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            "NV_DATABASE must be a SQLite file path or a postgresql:// URL, "
            f"got a {parts.scheme or 'schemeless'}:// URL"
        )
    try:
        parts.port  # noqa: B018  # reading it validates it: urlsplit raises on a bad port
    except ValueError:
        raise ConfigError("NV_DATABASE: the PostgreSQL URL's port is not a number") from None
    return value


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {number}")
    return number


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None


def _rate(value: str) -> float:
    rate = _number("NV_BROADCAST_RATE", value)
    if not 0 < rate <= 30:
        raise ConfigError(f"NV_BROADCAST_RATE must be above 0 and at most 30, got {value}")
    return rate


def _poll_interval(value: str) -> float:
    seconds = _number("NV_POLL_INTERVAL", value)
    if not 0 <= seconds <= 1:
        raise ConfigError(f"NV_POLL_INTERVAL must be from 0 to 1 second, got {value}")
    return seconds


def _quiet_hours(value: str) -> tuple[time, time]:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
    try:
        if match is None:
            raise ValueError
        start = time(int(match[1]), int(match[2]))
        end = time(int(match[3]), int(match[4]))
    except ValueError:
        raise ConfigError(f"NV_QUIET_HOURS must look like 21:00-08:00, got {value!r}") from None
    return start, end


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _digest_settings(get: Callable[[str], str]) -> dict[str, Any]:
    k = _positive_int("NV_DISCLOSURE_K", get("NV_DISCLOSURE_K"))
    rounding = _positive_int("NV_DISCLOSURE_ROUNDING", get("NV_DISCLOSURE_ROUNDING"))
    if k < 5:
        raise ConfigError(f"NV_DISCLOSURE_K must be 5 or more, got {k}")
    if k % rounding:
        raise ConfigError(
            f"NV_DISCLOSURE_K ({k}) must be a multiple of NV_DISCLOSURE_ROUNDING ({rounding})"
        )
    period = get("NV_DIGEST_PERIOD").lower()
    if period not in ("week", "month"):
        raise ConfigError(f"NV_DIGEST_PERIOD must be week or month, got {period!r}")
    day = get("NV_DIGEST_DAY").lower()
    if day not in _DAYS:
        raise ConfigError(f"NV_DIGEST_DAY must be a day of the week in English, got {day!r}")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", get("NV_DIGEST_TIME"))
    try:
        if match is None:
            raise ValueError
        at = time(int(match[1]), int(match[2]))
    except ValueError:
        raise ConfigError(
            f"NV_DIGEST_TIME must look like 09:00, got {get('NV_DIGEST_TIME')!r}"
        ) from None
    return {
        "disclosure_k": k,
        "disclosure_rounding": rounding,
        "digest_period": period,
        "digest_day": _DAYS.index(day),
        "digest_time": at,
    }


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    dotenv_path: Path | None = None,
    base_dir: Path | None = None,  # where .env is looked for
) -> Settings:
    """Read and validate every setting; raise :class:`ConfigError` naming the first bad one.

    Values in the real environment win over the ``.env`` file, as with every dotenv tool.
    Relative paths are relative to the project folder, so the bot finds its bundled data from
    any working directory.
    """
    base = base_dir or PROJECT_ROOT
    values: dict[str, str] = {}
    if environ is None:
        from dotenv import dotenv_values

        env_file = dotenv_path or (base / ".env")
        if env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ)
    else:
        values.update(environ)

    def get(name: str) -> str:
        spec = next(s for s in SETTINGS if s.name == name)
        raw = values.get(name)
        if raw is None or raw.strip() == "":
            if spec.default is None:
                raise ConfigError(f"{name} is required: {spec.help}")
            return spec.default
        return raw.strip()

    token = get("NV_BOT_TOKEN")
    if not _TOKEN_PATTERN.match(token):
        raise ConfigError("NV_BOT_TOKEN is malformed: expected digits, a colon and the secret")

    base_url = get("NV_API_BASE_URL")
    if not re.match(r"^https?://[^\s/]+", base_url):
        raise ConfigError(f"NV_API_BASE_URL must be an http(s) URL, got {base_url!r}")

    admin_ids: set[int] = set()
    for part in get("NV_ADMIN_IDS").split(","):
        if part.strip():
            try:
                admin_ids.add(int(part.strip()))
            except ValueError:
                raise ConfigError(
                    f"NV_ADMIN_IDS must be comma-separated numbers, got {part.strip()!r}"
                ) from None

    locale_code = get("NV_DEFAULT_LOCALE")
    try:
        Locale.parse(locale_code, sep="-" if "-" in locale_code else "_")
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"NV_DEFAULT_LOCALE is not a known locale: {locale_code!r}") from None

    tz_name = get("NV_TIMEZONE")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"NV_TIMEZONE is not a known IANA time zone: {tz_name!r}") from None

    region = get("NV_REGION").upper()
    if not re.fullmatch(r"[A-Z]{2}", region) or region not in Locale.parse("en").territories:
        raise ConfigError(
            f"NV_REGION must be a two-letter country code such as GB, got {region!r}"
        )

    database_url = _database_url(get("NV_DATABASE"))

    level = get("NV_LOG_LEVEL").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"NV_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")

    return Settings(
        bot_token=token,
        database_path=_path(
            DEFAULT_DATABASE if database_url else get("NV_DATABASE"), PROJECT_ROOT
        ),
        database_url=database_url,
        api_base_url=base_url,
        area_name=get("NV_AREA_NAME"),
        admin_ids=frozenset(admin_ids),
        default_locale=locale_code,
        timezone=timezone,
        region=region,
        surveys_dir=_path(get("NV_SURVEYS_DIR"), PROJECT_ROOT),
        wards_csv=_path(get("NV_WARDS_CSV"), PROJECT_ROOT),
        postcodes_csv=_path(get("NV_POSTCODES_CSV"), PROJECT_ROOT),
        retention_days=_positive_int("NV_RETENTION_DAYS", get("NV_RETENTION_DAYS")),
        max_concurrent_updates=_positive_int(
            "NV_MAX_CONCURRENT_UPDATES", get("NV_MAX_CONCURRENT_UPDATES")
        ),
        poll_interval=_poll_interval(get("NV_POLL_INTERVAL")),
        broadcast_rate=_rate(get("NV_BROADCAST_RATE")),
        broadcast_in_flight=_positive_int("NV_BROADCAST_IN_FLIGHT", get("NV_BROADCAST_IN_FLIGHT")),
        quiet_hours=_quiet_hours(get("NV_QUIET_HOURS")),
        weekly_cap=_positive_int("NV_WEEKLY_CAP", get("NV_WEEKLY_CAP")),
        **_digest_settings(get),
        invite_hours=_positive_int("NV_INVITE_HOURS", get("NV_INVITE_HOURS")),
        log_level=level,
    )
