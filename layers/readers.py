"""Read events files into raw records, each with the location it came from.

Formats: CSV, TSV, JSON (an array of objects), JSON Lines, YAML (a list of mappings) and GeoJSON
(a FeatureCollection of Point features whose properties are the fields). UTF-8 with or without a
BOM; ``-`` reads standard input (the format is then sniffed unless given).

Locations: CSV/TSV/JSON Lines give the physical line of the row (the CSV header is line 1); JSON
arrays and YAML give the line where the item starts; GeoJSON gives the feature index (1-based),
flagged by ``Record.unit == "feature"``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import ObservationsFileError

Format = Literal["csv", "tsv", "json", "jsonl", "yaml", "geojson"]
FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "yaml", "geojson")

_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".json": "json",
               ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml",
               ".geojson": "geojson"}


@dataclass(frozen=True, slots=True)
class Record:
    """One input row: ``fields`` maps lower-cased column names to values (str, number or None)."""

    line: int
    fields: dict = field(hash=False)
    unit: str = "line"  # "line" (a physical line) or "feature" (a GeoJSON feature index)


@dataclass(frozen=True, slots=True)
class RawFile:
    path: str
    format: str
    records: tuple[Record, ...]
    columns: tuple[str, ...]  # columns as written (CSV header or union of keys), first-seen order
    header_line: int = 1


def read_records(source: str | Path, *, fmt: str | None = None) -> RawFile:
    """Read ``source`` (a path or ``-`` for stdin) into records; raises ObservationsFileError."""
    if str(source) == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
        path = "<stdin>"
        fmt = fmt or sniff_format(text)
    else:
        p = Path(source)
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ObservationsFileError(
                f"{p}: not UTF-8 (byte {exc.start}); re-save the file as UTF-8") from None
        path = str(source)
        fmt = fmt or _EXTENSIONS.get(p.suffix.lower()) or sniff_format(text)
    if fmt not in FORMATS:
        raise ObservationsFileError(
            f"{path}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader = {"csv": _read_csv, "tsv": _read_tsv, "json": _read_json, "jsonl": _read_jsonl,
              "yaml": _read_yaml, "geojson": _read_geojson}[fmt]
    records, columns = reader(text, path)
    return RawFile(path=path, format=fmt, records=tuple(records), columns=tuple(columns))


def sniff_format(text: str) -> str:
    """Guess the format of ``text`` (used for stdin and unknown extensions)."""
    head = text.lstrip()
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        first = head.split("\n", 1)[0].strip()
        try:
            obj = json.loads(first)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and obj.get("type") != "FeatureCollection":
            return "jsonl"
        try:
            obj = json.loads(head)
        except ValueError:
            return "jsonl"
        return "geojson" if isinstance(obj, dict) and obj.get("type") in (
            "FeatureCollection", "Feature") else "jsonl"
    first = head.split("\n", 1)[0]
    if head.startswith("-") or (":" in first and "," not in first and "\t" not in first):
        return "yaml"
    return "tsv" if "\t" in first and "," not in first else "csv"


def _plain(value):
    """Normalise a parsed value: dates → ISO text, everything else as is."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _read_delimited(text: str, path: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[Record] = []
    last_line = 0
    try:
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not row or all(not c.strip() for c in row):
                continue  # blank lines are not rows
            if header is None:
                header = [c.strip() for c in row]
                continue
            fields = {name.lower(): value for name, value in zip(header, row, strict=False)}
            if len(row) > len(header):
                fields["__extra__"] = (len(row), len(header))
            records.append(Record(start, fields))
    except csv.Error as exc:
        raise ObservationsFileError(f"{path}:{reader.line_num}: bad CSV: {exc}") from None
    if header is None:
        raise ObservationsFileError(f"{path}: empty file; expected a header row such as "
                                    "date,place,controller,source")
    return records, header


def _read_csv(text, path):
    return _read_delimited(text, path, ",")


def _read_tsv(text, path):
    return _read_delimited(text, path, "\t")


def _mapping_record(obj, line: int, path: str, unit: str = "line") -> Record:
    if not isinstance(obj, dict):
        raise ObservationsFileError(
            f"{path}:{line}: expected an object with date, place, controller…; got "
            f"{type(obj).__name__}")
    return Record(line, {str(k).strip().lower(): _plain(v) for k, v in obj.items()}, unit)


def _columns(records: list[Record]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        for k in r.fields:
            seen.setdefault(k, None)
    return list(seen)


def _read_json(text: str, path: str):
    """A JSON array, decoded item by item so each record knows the line it starts on."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if not text.startswith("[", pos):
        raise ObservationsFileError(f"{path}: a JSON events file must be an array of objects "
                                    "(or use .jsonl for one object per line)")
    pos += 1
    records: list[Record] = []
    try:
        while True:
            pos = _skip(text, pos)
            if text.startswith("]", pos):
                break
            line = text.count("\n", 0, pos) + 1
            obj, pos = decoder.raw_decode(text, pos)
            records.append(_mapping_record(obj, line, path))
            pos = _skip(text, pos)
            if text.startswith(",", pos):
                pos += 1
            elif not text.startswith("]", pos):
                raise ValueError(f"expected ',' or ']' at line {text.count(chr(10), 0, pos) + 1}")
    except ValueError as exc:
        if isinstance(exc, ObservationsFileError):
            raise
        raise ObservationsFileError(f"{path}: bad JSON: {exc}") from None
    return records, _columns(records)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_jsonl(text: str, path: str):
    records: list[Record] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ObservationsFileError(f"{path}:{n}: bad JSON line: {exc}") from None
        records.append(_mapping_record(obj, n, path))
    return records, _columns(records)


def _read_yaml(text: str, path: str):
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ObservationsFileError(f"{path}: bad YAML: {exc}") from None
    if root is None:
        return [], []
    if isinstance(root, yaml.MappingNode):  # {events: [...]} is accepted too
        inner = [v for k, v in root.value
                 if getattr(k, "value", None) in ("events", "observations")]
        root = inner[0] if inner else root
    if not isinstance(root, yaml.SequenceNode):
        raise ObservationsFileError(f"{path}: a YAML events file must be a list of mappings")
    loader = yaml.SafeLoader("")
    records = []
    for node in root.value:
        obj = loader.construct_object(node, deep=True)
        records.append(_mapping_record(obj, node.start_mark.line + 1, path))
    return records, _columns(records)


def _read_geojson(text: str, path: str):
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise ObservationsFileError(f"{path}: bad GeoJSON: {exc}") from None
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = {"type": "FeatureCollection", "features": [obj]}
    if not isinstance(obj, dict) or not isinstance(obj.get("features"), list):
        raise ObservationsFileError(f"{path}: expected a GeoJSON FeatureCollection")
    records = []
    for i, feat in enumerate(obj["features"], start=1):
        if not isinstance(feat, dict):
            raise ObservationsFileError(f"{path}: feature {i} is not an object")
        props = dict(feat.get("properties") or {})
        geom = feat.get("geometry")
        if geom is not None:
            # GeoJSON is [lon, lat]: the only lat/lon flip of the readers happens here.
            if geom.get("type") == "Point" and isinstance(geom.get("coordinates"), list) \
                    and len(geom["coordinates"]) >= 2:
                props["lon"], props["lat"] = geom["coordinates"][0], geom["coordinates"][1]
            else:
                props["__geometry_error__"] = str(geom.get("type"))
        records.append(_mapping_record(props, i, path, unit="feature"))
    return records, _columns(records)
