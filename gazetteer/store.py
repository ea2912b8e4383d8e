"""The user store: where imports, fetched dumps and caches live ($FRONTLINE_HOME, else the
platform user-data directory). Paths only; reading and writing happen in cache.py / imports.py."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "frontline"


def home() -> Path:
    env = os.environ.get("FRONTLINE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def gazetteer_dir() -> Path:
    return home() / "gazetteer"


def imports_dir() -> Path:
    return gazetteer_dir() / "imports"


def cache_dir() -> Path:
    return gazetteer_dir() / "cache"


def online_cache_dir() -> Path:
    return gazetteer_dir() / "online"


def downloads_dir() -> Path:
    return gazetteer_dir() / "downloads"
