"""Import gazetteer files into the user store (GeoNames dumps, Who's On First, plain CSV).

Each import is stored as ``imports/<name>.jsonl.gz`` (one place per line, deterministic bytes)
and listed in ``imports/manifest.json``; load() layers them after the supplement.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from ._io import atomic_write_bytes, atomic_write_text, read_manifest
from .errors import GazetteerDataError
from .readers import ReadReport
from .readers.csv_places import read_places_csv
from .readers.geonames import read_geonames
from .readers.wof import read_wof_csv, read_wof_geojson
from .records import SourceRecord
from .store import imports_dir
from .types import Place

FORMATS = ("geonames", "wof", "csv")
_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class ImportResult:
    name: str
    format: str
    source: str
    path: str
    rows: int
    places: int
    problems: tuple[str, ...]


def detect_format(path: Path) -> str:
    """Guess geonames | wof | csv from the name and the first line."""
    name = path.name.lower()
    for suffix in (".gz", ".zip"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith((".geojson", ".geojsonl", ".json", ".jsonl")):
        return "wof"
    if path.name.lower().endswith(".zip") or name.endswith(".txt"):
        return "geonames"
    from .readers._open import open_text

    with open_text(path) as fh:
        first = fh.readline()
    if "wof_id" in first.split(",")[0]:
        return "wof"
    if first.count("\t") >= 18:
        return "geonames"
    return "csv"


def read_file(path: Path, fmt: str, *, source: str, report: ReadReport) -> Iterator[SourceRecord]:
    if fmt == "geonames":
        return read_geonames(path, source=source, report=report)
    if fmt == "wof":
        low = path.name.lower()
        if ".csv" in low:
            return read_wof_csv(path, source=source, report=report)
        return read_wof_geojson(path, source=source, report=report)
    if fmt == "csv":
        return read_places_csv(path, source=source, id_prefix=f"csv-{_import_name(path)}",
                               report=report)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _import_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".zip", ".txt", ".csv", ".geojsonl", ".geojson", ".jsonl", ".json"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return _NAME_RE.sub("-", name).strip("-") or "import"


def import_file(path: str | Path, *, format: str | None = None, name: str | None = None,
                source: str | None = None) -> ImportResult:
    """Read ``path`` (all or nothing) and store its places in the user store."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if path.is_dir():
        raise GazetteerDataError(f"{path} is a directory; give one file (run import per file).")
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    name = _NAME_RE.sub("-", name or _import_name(path))
    source = source or f"{fmt}:{path.name}"
    report = ReadReport(str(path))
    records = list(read_file(path, fmt, source=source, report=report))
    if not records:
        detail = f" First problems: {'; '.join(report.problems[:3])}" if report.problems else ""
        hint = (" If it holds admin polygons (governorates, districts), import it with "
                "`frontline areas import FILE`." if fmt == "wof" else "")
        raise GazetteerDataError(
            f"{path}: no places read as {fmt} ({report.rows} rows).{detail} "
            f"Check --format ({', '.join(FORMATS)}).{hint}")
    return store_import(name, records, fmt=fmt, path=path, rows=report.rows,
                        problems=tuple(report.problems))


def store_import(name: str, records: list[SourceRecord], *, fmt: str, path: Path, rows: int,
                 problems: tuple[str, ...] = ()) -> ImportResult:
    """Store ``records`` as the import ``name`` (replacing one of that name) and list it in
    the manifest; ``path`` is the file they were read from (its hash goes in the manifest)."""
    lines = [json.dumps({"place": _place_dict(r.place), "alt_ids": list(r.alt_ids)},
                        ensure_ascii=False, sort_keys=True) for r in records]
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)
    target = imports_dir() / f"{name}.jsonl.gz"
    atomic_write_bytes(target, data)
    result = ImportResult(name, fmt, str(path), str(target), rows, len(records), problems)
    _update_manifest(result, _digest(path))
    return result


def _digest(path: Path) -> str:
    """sha1 of a file, or of a folder's files (sorted by name)."""
    h = hashlib.sha1()
    for f in sorted(path.iterdir()) if path.is_dir() else [path]:
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()


def _place_dict(p: Place) -> dict:
    d = p.to_dict()
    d["names"] = list(p.names)
    return d


def _manifest_path() -> Path:
    return imports_dir() / "manifest.json"


def manifest() -> list[dict]:
    return read_manifest(_manifest_path(), error=GazetteerDataError, what="import manifest",
                         fix="delete it and import again")


def _update_manifest(result: ImportResult, sha1: str) -> None:
    entries = [e for e in manifest() if e["name"] != result.name]
    entry = asdict(result)
    entry["problems"] = len(result.problems)
    entry["sha1"] = sha1
    entries.append(entry)
    atomic_write_text(_manifest_path(), json.dumps({"imports": entries}, indent=1,
                                                   ensure_ascii=False) + "\n")


def imported_layers() -> list[tuple[str, Path]]:
    """(name, stored file) of every import, in import order."""
    out = []
    for e in manifest():
        p = imports_dir() / f"{e['name']}.jsonl.gz"
        if p.exists():
            out.append((e["name"], p))
    return out


def remove_import(name: str) -> bool:
    entries = manifest()
    kept = [e for e in entries if e["name"] != name]
    (imports_dir() / f"{name}.jsonl.gz").unlink(missing_ok=True)
    atomic_write_text(_manifest_path(), json.dumps({"imports": kept}, indent=1,
                                                   ensure_ascii=False) + "\n")
    return len(kept) != len(entries)


def read_import(path: Path) -> Iterator[SourceRecord]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                d = json.loads(line)
                p = d["place"]
                yield SourceRecord(Place(
                    id=p["id"], name=p["name"], lat=p["lat"], lon=p["lon"],
                    country=p.get("country", ""), admin1=p.get("admin1", ""),
                    admin2=p.get("admin2", ""), kind=p.get("kind", ""),
                    population=p.get("population", 0), names=tuple(p.get("names", ())),
                    source=p.get("source", "")), tuple(d.get("alt_ids", ())))
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise GazetteerDataError(
            f"{path}: stored import is unreadable ({exc}). Import the file again.") from exc
