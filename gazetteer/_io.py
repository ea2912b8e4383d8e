"""Atomic file writes. Lives in the lowest package so gazetteer, layers and mapper share it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file in the same directory, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; published files get the usual 0666 & ~umask.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_replace_dir(staging: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Swap a fully written ``staging`` directory into ``target``; a failure leaves the old one."""
    staging, target = Path(staging), Path(target)
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old.exists():
            os.replace(old, target)
        raise
    if old.exists():
        shutil.rmtree(old)
    return target


def read_manifest(path: str | os.PathLike, *, error: type[Exception], what: str,
                  fix: str) -> list[dict]:
    """The ``imports`` list of a store's manifest.json ([] when absent); an unreadable one
    raises ``error`` naming the file and ``fix``."""
    import json

    path = Path(path)
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))["imports"]
    except (ValueError, KeyError, OSError) as exc:
        raise error(f"{path}: unreadable {what} ({exc}); {fix}") from None
