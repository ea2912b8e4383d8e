"""Download GeoNames country dumps (XX.zip) into the user store and import them."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ._io import atomic_write_bytes
from .errors import ResolverUnavailable
from .imports import ImportResult, import_file
from .store import downloads_dir

DEFAULT_BASE_URL = "https://download.geonames.org/export/dump"
BASE_URL_ENV = "FRONTLINE_GEONAMES_URL"
USER_AGENT = "frontline-gazetteer/0.1 (+https://github.com/; GeoNames dump fetch)"
_CC_RE = re.compile(r"^[A-Z]{2}$")


def base_url(override: str | None = None) -> str:
    return (override or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def download(url: str, target: Path, *, timeout: float = 60.0,
             progress: Callable[[int, int], None] | None = None) -> Path:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url}: only http(s) URLs can be fetched")
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            total = int(resp.headers.get("Content-Length") or 0)
            chunks, done = [], 0
            while True:
                chunk = resp.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as exc:
        raise ResolverUnavailable(f"{url}: HTTP {exc.code} {exc.reason}. Check the country code "
                                  f"and --base-url.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ResolverUnavailable(f"{url}: cannot download ({exc}). Check the network or use "
                                  "`frontline gazetteer import` on a file you have.") from exc
    return atomic_write_bytes(target, b"".join(chunks))


def fetch(countries, *, url: str | None = None, timeout: float = 60.0,
          progress: Callable[[str, int, int], None] | None = None) -> list[ImportResult]:
    """Download and import ``XX.zip`` for each ISO2 code; returns one ImportResult per country."""
    codes = [str(c).strip().upper() for c in countries]
    bad = [c for c in codes if not _CC_RE.match(c)]
    if bad or not codes:
        raise ValueError(f"country codes must be ISO 3166 two-letter codes (e.g. SY LB); "
                         f"got {' '.join(bad) or 'none'}")
    base = base_url(url)
    results = []
    for cc in codes:
        target = downloads_dir() / f"{cc}.zip"
        download(f"{base}/{cc}.zip", target, timeout=timeout,
                 progress=(lambda d, t, cc=cc: progress(cc, d, t)) if progress else None)
        results.append(import_file(target, format="geonames", name=f"geonames-{cc}",
                                   source=f"geonames:{cc}"))
    return results
