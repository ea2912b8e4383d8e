"""Open plain, .gz and .zip files as text lines with clear errors for corrupt archives."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import GazetteerDataError


@contextmanager
def open_text(path: str | Path, *, member_suffix: tuple[str, ...] = (".txt", ".csv", ".geojson",
                                                                      ".geojsonl", ".json")
              ) -> Iterator[io.TextIOBase]:
    """Yield a text stream for ``path`` (.gz, .zip with one data member, or plain)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    name = path.name.lower()
    try:
        if name.endswith(".zip"):
            try:
                zf = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise GazetteerDataError(
                    f"{path}: not a readable zip archive ({exc}). Download it again.") from exc
            with zf:
                members = [m for m in zf.namelist() if m.lower().endswith(member_suffix)
                           and "readme" not in m.lower() and not m.endswith("/")]
                if not members:
                    raise GazetteerDataError(
                        f"{path}: the zip holds no data file ({', '.join(member_suffix)}).")
                members.sort(key=lambda m: -zf.getinfo(m).file_size)
                with zf.open(members[0]) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        elif name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
                yield fh
        else:
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                yield fh
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise GazetteerDataError(f"{path}: cannot read ({exc}). Is the file complete?") from exc
