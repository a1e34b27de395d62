"""Bad configuration costs one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.devtools.emulator import BotApiEmulator
from bot.errors import ConfigError
from bot.settings import PROJECT_ROOT, SETTINGS, load_settings
from bot.surveys import load_survey, load_surveys

VALID = {"NV_BOT_TOKEN": "123456:ABC-def_ghi"}


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NV_")}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bot.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


def test_missing_token_exits_2_with_one_line() -> None:
    result = run_bot({})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "NV_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_survey_file_fails_start_with_one_line_naming_file_and_question(
    tmp_path: Path,
) -> None:
    survey = (PROJECT_ROOT / "surveys" / "local-priorities.toml").read_text()
    broken = survey.replace('kind = "scale"', 'kind = "slider"')
    (tmp_path / "local-priorities.toml").write_text(broken)
    result = run_bot({**VALID, "NV_SURVEYS_DIR": str(tmp_path)})
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert "local-priorities.toml" in line and "question 'safety_after_dark'" in line
    assert "slider" in line


def test_help_documents_every_setting() -> None:
    result = run_bot({}, "--help")
    assert result.returncode == 0
    for setting in SETTINGS:
        assert setting.name in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"NV_BOT_TOKEN": "not-a-token"}, "NV_BOT_TOKEN"),
        ({**VALID, "NV_ADMIN_IDS": "12,abc"}, "NV_ADMIN_IDS"),
        ({**VALID, "NV_TIMEZONE": "Mars/Olympus"}, "NV_TIMEZONE"),
        ({**VALID, "NV_DEFAULT_LOCALE": "xx-nope"}, "NV_DEFAULT_LOCALE"),
        ({**VALID, "NV_API_BASE_URL": "ftp://x"}, "NV_API_BASE_URL"),
        ({**VALID, "NV_RETENTION_DAYS": "0"}, "NV_RETENTION_DAYS"),
        ({**VALID, "NV_LOG_LEVEL": "LOUD"}, "NV_LOG_LEVEL"),
        ({**VALID, "NV_POLL_INTERVAL": "soon"}, "NV_POLL_INTERVAL"),
        ({**VALID, "NV_POLL_INTERVAL": "5"}, "NV_POLL_INTERVAL"),
    ],
)
def test_malformed_settings_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)


def test_settings_defaults_and_parsing(tmp_path: Path) -> None:
    settings = load_settings({**VALID, "NV_ADMIN_IDS": " 5, 7 ,", "NV_DATABASE": "x/y.db"})
    assert settings.admin_ids == frozenset({5, 7})
    assert settings.database_path == PROJECT_ROOT / "x" / "y.db"
    assert str(settings.timezone) == "Europe/London"
    assert settings.api_base_file_url == "https://api.telegram.org/file/bot"
    assert settings.poll_interval == 0.02
    assert load_settings({**VALID, "NV_POLL_INTERVAL": "0"}).poll_interval == 0


def test_dotenv_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NV_BOT_TOKEN=42:fromfile\nNV_AREA_NAME=Fileham\n")
    monkeypatch.setenv("NV_AREA_NAME", "Envton")
    monkeypatch.delenv("NV_BOT_TOKEN", raising=False)
    settings = load_settings(dotenv_path=env_file)
    assert settings.bot_token == "42:fromfile"
    assert settings.area_name == "Envton"


SURVEY_HEAD = 'id = "s"\nversion = 1\ntitle = "T"\nintro = "I"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[questions]]\nid = "q"\nkind = "single"\ntext = "Q"\nchoices = [{ id = "a", label = "A" }]\n',
            "question 'q': needs at least two",
        ),
        (
            '[[questions]]\nid = "q"\nkind = "multi"\ntext = "Q"\nmax = 5\nchoices = [{ id = "a", label = "A" }, { id = "b", label = "B" }]\n',
            "question 'q': 'max'",
        ),
        ('[[questions]]\nid = "q"\nkind = "text"\ntext = ""\n', "question 'q': 'text'"),
        ('[[questions]]\nid = "q"\nkind = "scale"\ntext = "Q"\n', "question 'q': 'min_label'"),
        (
            '[[questions]]\nid = "q"\nkind = "agree"\ntext = "Q"\ncolour = "red"\n',
            "question 'q': unknown key",
        ),
        (
            '[[questions]]\nid = "q"\nkind = "agree"\ntext = "Q"\n[[questions]]\nid = "q"\nkind = "agree"\ntext = "Q"\n',
            "question 'q': the question id appears twice",
        ),
        ('[[questions]]\nid = "Bad Id"\nkind = "agree"\ntext = "Q"\n', "question 1 needs an 'id'"),
        ("questions = [", "is not valid TOML"),
        (
            '[[questions]]\nid = "q"\nkind = "single"\ntext = "Q"\nchoices = [{ id = "a", label = "A", ask = "" }, { id = "b", label = "B" }]\n',
            "question 'q': 'ask' must be a non-empty text",
        ),
        (
            '[[questions]]\nid = "q"\nkind = "single"\ntext = "Q"\nchoices = [{ id = "a", label = "A", asks = "What?" }, { id = "b", label = "B" }]\n',
            "question 'q': choice 'a' has unknown key(s) asks",
        ),
        (
            '[[questions]]\nid = "q"\nkind = "agree"\ntext = "Q"\nshort = " "\n',
            "question 'q': 'short'",
        ),
    ],
)
def test_survey_mistakes_name_file_and_question(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SURVEY_HEAD + body)
    with pytest.raises(ConfigError) as caught:
        load_survey(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bundled_survey_is_valid_and_has_stable_ids() -> None:
    surveys = load_surveys(PROJECT_ROOT / "surveys")
    survey = surveys["local-priorities"]
    assert [q.id for q in survey.questions] == [
        "priorities",
        "safety_after_dark",
        "trust_police",
        "trust_fair",
        "trust_listen",
        "anything_else",
    ]
    assert len(survey.questions[0].choices) == 12
    assert survey.questions[0].max_choices == 3
    assert survey.questions[-1].optional and survey.questions[-1].max_length == 1000


def test_readme_documents_every_setting() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name


def test_an_unusable_database_path_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_bot({**VALID, "NV_DATABASE": str(blocker / "nv.sqlite3")})
    assert result.returncode == 2
    assert "NV_DATABASE" in result.stderr and "\n" not in result.stderr.strip()
    assert "Traceback" not in result.stderr


async def run_bot_async(env: dict[str, str]) -> tuple[int, str]:
    """bot.py in a subprocess while this test's event loop serves the emulator."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NV_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROJECT_ROOT / "bot.py"),
        env={**clean, **env},
        cwd="/",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_token_telegram_refuses_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    async with BotApiEmulator(token="123456:THE-REAL-ONE") as emulator:
        code, stderr = await run_bot_async(
            {
                "NV_BOT_TOKEN": "123456:A-TYPO",
                "NV_API_BASE_URL": emulator.base_url,
                "NV_DATABASE": str(tmp_path / "nv.sqlite3"),
            }
        )
    assert code == 2
    assert stderr.strip().count("\n") == 0, stderr
    assert "NV_BOT_TOKEN" in stderr and "Traceback" not in stderr


async def test_a_bot_api_that_does_not_answer_is_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    code, stderr = await run_bot_async(
        {
            "NV_BOT_TOKEN": "123456:ABC-def_ghi",
            "NV_API_BASE_URL": "http://127.0.0.1:9/bot",  # the discard port: nothing listens
            "NV_DATABASE": str(tmp_path / "nv.sqlite3"),
        }
    )
    assert code == 1
    assert stderr.strip().count("\n") == 0, stderr
    assert "127.0.0.1:9" in stderr and "Traceback" not in stderr


def test_nv_database_names_a_file_or_a_postgresql_server() -> None:
    url = "postgresql://nv:s3cret@db.internal:5433/voice"
    settings = load_settings({**VALID, "NV_DATABASE": url})
    assert (settings.database_url, settings.database) == (url, url)
    on_file = load_settings({**VALID, "NV_DATABASE": "x/y.db"})
    assert on_file.database_url is None and on_file.database == PROJECT_ROOT / "x" / "y.db"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("mysql://nv:s3cret@db/voice", "got a mysql:// URL"),
        ("postgresql://nv:s3cret@db:port/voice", "port is not a number"),
    ],
)
def test_a_database_url_that_is_not_postgresql_is_one_line_without_its_password(
    value: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named) as raised:
        load_settings({**VALID, "NV_DATABASE": value})
    assert "s3cret" not in str(raised.value) and "\n" not in str(raised.value)
