"""Shared fixtures: an isolated user store, the ../shared data (skipped with a message when
absent) and headless Chromium (skipped with a message when absent)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FRONTLINE_SHARED", ROOT.parent / "shared"))
CHROMIUM = os.environ.get("FRONTLINE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def frontline_home(tmp_path_factory) -> Path:
    """Every test run gets its own empty user store (caches, imported gazetteers)."""
    home = tmp_path_factory.mktemp("frontline_home")
    os.environ["FRONTLINE_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared is absent (looked in {SHARED}); "
                    "set FRONTLINE_SHARED to run this test")
    return SHARED


@pytest.fixture(scope="session")
def shared_data(shared_dir) -> Path:
    return shared_dir / "data"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian 'chromium' (.ci/run does)")
    pytest.importorskip("playwright.sync_api",
                        reason="playwright is not installed (pip install -e .[dev])")
    return CHROMIUM


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return ROOT / "examples"
