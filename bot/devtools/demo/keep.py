"""``--keep``: where the throw-away demo database may be copied, and the copy itself.

Apart from the run so that the rule "never overwrite anything, least of all the real bot's
database" reads on its own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import PROJECT_ROOT

KEEP_DEFAULT_NAME = "neighbourhood-voice-demo.sqlite3"


def _resolve_keep(keep: Path | None) -> Path | None:
    """Where ``--keep`` puts the database; refuses to overwrite anything or a real database."""
    if keep is None:
        return None
    target = keep.expanduser().resolve()
    if target.is_dir():
        target = target / KEEP_DEFAULT_NAME
    if target.exists():
        raise ConfigError(f"--keep: {target} already exists; choose a new file name")
    real = {(PROJECT_ROOT / "data" / "neighbourhood-voice.sqlite3").resolve()}
    if os.environ.get("NV_DATABASE"):
        configured = Path(os.environ["NV_DATABASE"]).expanduser()
        real.add((configured if configured.is_absolute() else PROJECT_ROOT / configured).resolve())
    if target in real:
        raise ConfigError(f"--keep: {target} is where the real bot keeps its database")
    if not target.parent.is_dir():
        raise ConfigError(f"--keep: the folder {target.parent} does not exist")
    return target


def _keep_data(database: Path, files_dir: Path, target: Path) -> list[Path]:
    """Copy the database with SQLite's backup API (consistent even if a WAL is left)."""
    kept = [target]
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    if files_dir.is_dir() and any(files_dir.iterdir()):
        folder = target.with_name(target.stem + "-files")
        shutil.copytree(files_dir, folder, dirs_exist_ok=True)
        kept.append(folder)
    return kept
