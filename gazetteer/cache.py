"""On-disk caches: the pickled name index (keyed by a fingerprint of every input) and the
embedded region extract. A stale or unreadable cache is rebuilt, never trusted."""

from __future__ import annotations

import gc
import hashlib
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from ._io import atomic_write_bytes
from .store import cache_dir

SCHEMA = 9
T = TypeVar("T")


def file_stamp(paths: Iterable[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in sorted(paths):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return out


def fingerprint(*parts) -> str:
    return hashlib.sha1(repr((SCHEMA, *parts)).encode("utf-8")).hexdigest()[:16]


def cached(kind: str, key: str, build: Callable[[], T], *, directory: Path | None = None) -> T:
    """Return the pickled value for (kind, key) or build, store and prune older ones."""
    directory = directory or cache_dir()
    path = directory / f"{kind}-{key}.pickle"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                gc.disable()  # unpickling many small objects: the cyclic GC only slows it
                try:
                    return pickle.load(fh)
                finally:
                    gc.enable()
        except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt
            path.unlink(missing_ok=True)
    value = build()
    try:
        atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        for old in directory.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only store still works, just without the cache
    return value


def cache_files() -> list[Path]:
    d = cache_dir()
    return sorted(d.glob("*.pickle")) if d.exists() else []
