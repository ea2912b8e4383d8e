"""Read events files into a table of raw values, each row with the location it came from.

Formats: CSV (delimiter sniffed: ``,`` ``;`` tab or ``|``), TSV, JSON (an array of objects), JSON
Lines, YAML (a list of mappings), GeoJSON (a FeatureCollection of Point features whose properties
are the fields) and Parquet / GeoParquet (read with pyarrow). UTF-8 with or without a BOM; ``-``
reads standard input (the format is then sniffed unless given).

Locations: CSV/TSV/JSON Lines give the physical line of the row (the CSV header is line 1); JSON
arrays and YAML give the line where the item starts; GeoJSON gives the feature index (1-based,
``unit == "feature"``) and Parquet the row number (1-based, ``unit == "row"``).

``read_table`` is what ``read_observations`` uses: one DataFrame column per input column, values
as read. ``read_records`` gives the same rows as Record objects (one dict per row).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .crs import lonlat_transform
from .errors import ObservationsFileError

Format = Literal["csv", "tsv", "json", "jsonl", "yaml", "geojson", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "yaml", "geojson", "parquet")

_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".json": "json",
               ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml",
               ".geojson": "geojson", ".parquet": "parquet", ".geoparquet": "parquet",
               ".pq": "parquet"}
# Delimiters a CSV may use, in the order a tie is decided (data, not logic).
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
EXTRA = "__extra__"  # column: how many fields a CSV row had when more than the header (else 0)
GEOMETRY_ERROR = "__geometry_error__"  # column: the geometry type of a non-Point feature


@dataclass(frozen=True, slots=True)
class Record:
    """One input row: ``fields`` maps lower-cased column names to values (str, number or None)."""

    line: int
    fields: dict = field(hash=False)
    unit: str = "line"  # "line" (a physical line), "feature" (GeoJSON) or "row" (Parquet)


@dataclass(frozen=True, slots=True)
class RawFile:
    path: str
    format: str
    records: tuple[Record, ...]
    columns: tuple[str, ...]  # columns as written (CSV header or union of keys), first-seen order
    header_line: int = 1


@dataclass(frozen=True)
class Table:
    """The rows of an events file as columns. ``frame`` has one column per distinct lower-cased
    input name (first occurrence kept; ``duplicates`` lists the repeated ones), values as read
    (str for delimited text; str, number or None otherwise), plus EXTRA / GEOMETRY_ERROR when some
    row needs them. ``lines[i]`` is row i's location; ``first_line[name]`` the first location where
    a column appears (the header line for CSV/TSV)."""

    path: str
    format: str
    frame: pd.DataFrame
    lines: np.ndarray
    columns: tuple[str, ...]
    first_line: dict = field(default_factory=dict)
    unit: str = "line"
    header_line: int = 1
    header_fields: int = 0
    delimiter: str = ""
    duplicates: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.lines)


def read_records(source: str | Path, *, fmt: str | None = None) -> RawFile:
    """Read ``source`` (a path or ``-`` for stdin) into records; raises ObservationsFileError."""
    table = read_table(source, fmt=fmt)
    names = [c for c in table.frame.columns if c not in (EXTRA, GEOMETRY_ERROR)]
    present = table.frame[names].notna().to_numpy() if table.format not in ("csv", "tsv") \
        else np.ones((len(table), len(names)), dtype=bool)
    values = table.frame[names].to_numpy(dtype=object)
    extra = table.frame[EXTRA].to_numpy() if EXTRA in table.frame else None
    geom = table.frame[GEOMETRY_ERROR].to_numpy() if GEOMETRY_ERROR in table.frame else None
    records = []
    for i, line in enumerate(table.lines.tolist()):  # a compatibility view, not a hot path
        fields = {n: v for n, v, ok in zip(names, values[i], present[i], strict=True) if ok}
        if extra is not None and extra[i]:
            fields[EXTRA] = (int(extra[i]), table.header_fields)
        if geom is not None and isinstance(geom[i], str):
            fields[GEOMETRY_ERROR] = geom[i]
        records.append(Record(line, fields, table.unit))
    return RawFile(path=table.path, format=table.format, records=tuple(records),
                   columns=table.columns, header_line=table.header_line)


def read_table(source: str | Path, *, fmt: str | None = None) -> Table:
    """Read ``source`` (a path or ``-`` for stdin) into a Table; raises ObservationsFileError."""
    if str(source) == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        if isinstance(data, bytes) and (fmt == "parquet" or data[:4] == b"PAR1"):
            return _read_parquet(data, "<stdin>")
        path = "<stdin>"
        if isinstance(data, bytes):
            _check_utf16(data, path)
        text = _decode(data, path) if isinstance(data, bytes) else data.lstrip("\ufeff")
        data = None
        fmt = fmt or sniff_format(text)
    else:
        p = Path(source)
        path = str(source)
        fmt = fmt or _EXTENSIONS.get(p.suffix.lower())
        raw = p.read_bytes()
        if fmt == "parquet" or (fmt is None and raw[:4] == b"PAR1"):
            return _read_parquet(raw, path)
        if p.suffix.lower() in _WORKBOOKS or raw.startswith(_WORKBOOK_MAGIC):
            raise ObservationsFileError(
                f"{path}: a spreadsheet workbook, not a table of text; export the sheet as CSV "
                "(Excel: File → Save As → \"CSV UTF-8\"; LibreOffice: Save As → Text CSV, "
                "UTF-8)")
        _check_utf16(raw, path)  # before pyarrow, which would read UTF-16 as NUL-laced text
        if fmt in ("csv", "tsv"):  # the common big file: pyarrow reads (and checks) the bytes
            fast = _delimited_bytes(raw, path, fmt)
            if fast is not None:
                return fast
        text = _decode(raw, path)
        fmt = fmt or sniff_format(text)
        data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if fmt not in FORMATS:
        raise ObservationsFileError(
            f"{path}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("csv", "tsv"):
        return _read_delimited(text, path, "\t" if fmt == "tsv" else sniff_delimiter(text), fmt,
                               data=data)
    reader = {"json": _read_json, "jsonl": _read_jsonl, "yaml": _read_yaml,
              "geojson": _read_geojson, "parquet": None}[fmt]
    if reader is None:
        raise ObservationsFileError(f"{path}: --format parquet needs a Parquet file (it starts "
                                    "with PAR1); this one is text")
    with _collector_paused():  # millions of small objects that all live: nothing to collect
        records, first = reader(text, path)
        return _records_table(records, first, path, fmt)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # what Excel's "Unicode text" starts with
# Workbooks (not read: their sheets, formulas and cell types are the spreadsheet's business)
_WORKBOOKS = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".numbers"})
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # a ZIP (xlsx, ods) or OLE2 (xls) file


def _decode(raw: bytes, path: str) -> str:
    """The text of a file: UTF-8 (a BOM allowed). Anything else is an ObservationsFileError
    naming the line and the bytes (UTF-16 is caught before, by ``_check_utf16``)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        shown = raw[start:end if end >= 0 else len(raw)][:80].decode("utf-8", "replace")
        raise ObservationsFileError(
            f"{path}: line {line}: not UTF-8 (byte {raw[exc.start:exc.end].hex(' ')} at offset "
            f"{exc.start}, in {shown!r}); re-save the file as UTF-8 (Excel: Save As → "
            "\"CSV UTF-8\")") from None


def _check_utf16(raw: bytes, path: str) -> None:
    """An ObservationsFileError for UTF-16 text (Excel's "Unicode text": a BOM, or NUL bytes
    in the first 4 KiB)."""
    if raw.startswith(_UTF16_BOMS) or b"\x00" in raw[:4096]:
        raise ObservationsFileError(
            f"{path}: UTF-16 text (Excel's \"Unicode text\") or not text at all, not UTF-8; "
            "re-save the file as UTF-8 (Excel: Save As → \"CSV UTF-8\")")


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while reading: its passes over the growing list of
    records would make reading a big JSON file cost more per row than a small one."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
    if head.startswith("-") or (":" in first and not any(d in first for d in DELIMITERS)):
        return "yaml"
    return "tsv" if "\t" in first and "," not in first else "csv"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV: the one of DELIMITERS that splits the header line (the first line
    that is not blank) into the most fields, outside quotes; a tie goes to the earlier one."""
    head = next((line for line in text[:65536].splitlines() if line.strip()), "")
    bare = "".join(head.split('"')[::2])  # drop quoted parts (a header rarely has any)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(counts.values())
    return next(d for d in DELIMITERS if counts[d] == best) if best else ","


def _plain(value):
    """Normalise a parsed value: dates → ISO text, everything else as is."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _delimited_bytes(raw: bytes, path: str, fmt: str) -> Table | None:
    """A CSV/TSV file through pyarrow's reader without decoding the whole file first (pyarrow
    checks the UTF-8 itself); None when the other readers must decide (or explain a bad
    byte)."""
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    cut = data.rfind(b"\n", 0, 65536)
    try:  # the header and the delimiter come from the first lines
        head = data[:cut + 1 if cut >= 0 else 65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    delimiter = "\t" if fmt == "tsv" else sniff_delimiter(head)
    rows = _delimited_arrow(head, delimiter, data)
    return None if rows is None else _delimited_table(rows, path, delimiter, fmt)


def _read_delimited(text: str, path: str, delimiter: str, fmt: str, *,
                    data: bytes | None = None) -> Table:
    """CSV/TSV: pyarrow's reader for the common file, pandas' C parser when every row is one
    physical line (checked: as many rows as lines), else the csv module, which follows quoted
    fields across lines. Either way blank lines are not rows, and a row longer than the header is
    kept with a warning."""
    rows = _delimited_arrow(text, delimiter, data)
    if rows is None:
        rows = _delimited_fast(text, delimiter)
    if rows is None:
        rows = _delimited_slow(text, path, delimiter)
    return _delimited_table(rows, path, delimiter, fmt)


def _delimited_table(rows, path: str, delimiter: str, fmt: str) -> Table:
    """The Table of a delimited file's (frame with the header as row 0, lines, extra)."""
    frame, lines, extra = rows
    if not len(frame):
        raise ObservationsFileError(f"{path}: empty file; expected a header row such as "
                                    "date,place,controller,source")
    header = [str(c).strip() for c in frame.iloc[0].tolist()]
    header_line = int(lines[0])
    keep, names, duplicates = [], [], []
    for i, name in enumerate(header):
        key = name.lower()
        if not key:
            continue
        if key in names:
            duplicates.append(name)
            continue
        keep.append(i)
        names.append(key)
    out = frame.iloc[1:, keep].reset_index(drop=True)
    out.columns = names
    if extra is not None and extra[1:].any():
        out[EXTRA] = extra[1:]
    return Table(path=path, format=fmt, frame=out, lines=lines[1:], columns=tuple(header),
                 first_line=dict.fromkeys(names, header_line), unit="line",
                 header_line=header_line, header_fields=len(header), delimiter=delimiter,
                 duplicates=tuple(duplicates))


def _blank(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every field is empty or whitespace (checked column by column, on the rows that
    are still candidates only)."""
    cand = np.ones(len(frame), dtype=bool)
    for i in range(frame.shape[1]):
        idx = np.flatnonzero(cand)
        if not len(idx):
            break
        col = frame.iloc[idx, i]
        text = col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
        cand[idx] = (col.str.strip() == "").to_numpy(dtype=bool) if text else col.isna()
    return cand


def _delimited_arrow(text: str, delimiter: str, data: bytes | None = None):
    """pyarrow's CSV reader (multi-threaded), for the common file: no blank line, every row one
    physical line with as many fields as the header (else None: the other readers decide).
    The header is row 0 of the frame (parsed by the csv module), the rows follow. ``text``:
    the file's text, or its first lines when ``data`` (the bytes) is given."""
    import pyarrow as pa
    import pyarrow.csv as pv

    # newlines counted in the bytes when we have them (memchr, not a walk over a str)
    raw = text.encode("utf-8") if data is None else data
    end = text.find("\n")
    if end <= 0 or not text[:end].strip():
        return None
    header = next(csv.reader([text[:end].rstrip("\r")], delimiter=delimiter))
    width = len(header)
    if width < 2:
        return None  # one column: a whitespace line would be a row
    names = [f"c{i}" for i in range(width)]
    try:
        # large_string as read: pandas' text columns are large_string, so no cast (a copy of
        # every string) when the frame is built
        table = pv.read_csv(
            io.BytesIO(raw),
            read_options=pv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    # pyarrow skips empty lines and reads a lone "\r" as a line end: then rows ≠ lines and the
    # other readers, which number lines as an editor does, decide. (A line of blanks is no
    # row either: pyarrow rejects it as a row with too few fields.)
    n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if table.num_rows + 1 != n_lines or _lone_return(raw):
        return None
    blank = _blank_arrow(table)
    head = pa.table({n: pa.array([h], pa.large_string())
                     for n, h in zip(names, header, strict=True)})
    frame = pa.concat_tables([head, table]).to_pandas()
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    if not blank.any():
        return frame, lines, None
    keep = np.concatenate([[True], ~blank])
    return frame[keep].reset_index(drop=True), lines[keep], None


def _lone_return(raw: bytes) -> bool:
    """Whether some "\r" is not followed by "\n" (a classic-Mac line end)."""
    return b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")


def _blank_arrow(table) -> np.ndarray:
    """Rows of an Arrow table of strings whose every field is empty or whitespace (column by
    column, on the rows that are still candidates)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cand = np.ones(table.num_rows, dtype=bool)
    for i in range(table.num_columns):
        idx = np.flatnonzero(cand)
        if not len(idx):
            break
        col = table.column(i)
        if len(idx) < len(cand):
            col = col.take(pa.array(idx))
        cand[idx] = pc.equal(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False)
    return cand


def _delimited_fast(text: str, delimiter: str):
    if not text.strip():
        return pd.DataFrame(), np.zeros(0, dtype=np.int64), None
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                            na_filter=False, skip_blank_lines=False, engine="c",
                            quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None  # a row longer than the first, or something the csv module explains better
    if len(frame) != n_lines:
        return None  # a quoted field spans lines: row i is not line i + 1
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    keep = ~_blank(frame)
    return frame[keep].reset_index(drop=True), lines[keep], None


def _delimited_slow(text: str, path: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    last_line = 0
    try:
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not row or all(not c.strip() for c in row):
                continue  # blank lines are not rows
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise ObservationsFileError(f"{path}:{reader.line_num}: bad CSV: {exc}") from None
    if not rows:
        return pd.DataFrame(), np.zeros(0, dtype=np.int64), None
    width = len(rows[0])
    extra = np.array([len(r) if len(r) > width else 0 for r in rows], dtype=np.int64)
    padded = [r[:width] + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(padded, dtype=object), np.array(lines, dtype=np.int64), extra


_KEYS: dict[str, str] = {}  # key as written → lower-cased, stripped (a few distinct keys)


def _key(k) -> str:
    out = _KEYS.get(k) if isinstance(k, str) else None
    if out is None:
        out = str(k).strip().lower()
        if isinstance(k, str) and len(_KEYS) < 10_000:
            _KEYS[k] = out
    return out


def _mapping_record(obj, line: int, path: str, unit: str = "line", *, plain: bool = True
                    ) -> Record:
    """``plain``: turn date values into ISO text (YAML has dates; JSON has none)."""
    if not isinstance(obj, dict):
        raise ObservationsFileError(
            f"{path}:{line}: expected an object with date, place, controller…; got "
            f"{type(obj).__name__}")
    if plain:
        return Record(line, {_key(k): _plain(v) for k, v in obj.items()}, unit)
    keys = tuple(obj)
    normal = _NORMAL_KEYS.get(keys)
    if normal is None:
        normal = all(isinstance(k, str) and _key(k) == k for k in keys)
        if len(_NORMAL_KEYS) < 10_000:
            _NORMAL_KEYS[keys] = normal
    # keys already lower-case and stripped (the usual file): the decoded object is the record
    return Record(line, obj if normal else {_key(k): v for k, v in obj.items()}, unit)


_NORMAL_KEYS: dict[tuple, bool] = {}  # a record's keys → whether they are already normalised


def _first_lines(records: list[Record]) -> dict[str, int]:
    """Each key → the line of the first record that has it (first-seen order); records with
    the same keys are looked at once."""
    first: dict[str, int] = {}
    shapes: set[tuple] = set()
    for r in records:
        keys = tuple(r.fields)
        if keys in shapes:
            continue
        shapes.add(keys)
        for k in keys:
            first.setdefault(k, r.line)
    return first




_CHUNK = 4096  # records read per pass: a chunk stays in the CPU cache while each column is taken


def _records_table(records: list[Record], first: dict[str, int], path: str, fmt: str) -> Table:
    """The Table of a reader's records; ``first``: each column (in order) → its first line."""
    columns = list(first)
    # object columns as read: no type inference (200 stays 200, not 200.0 next to 36.6); filled
    # a chunk of records at a time: a column at a time over every record would walk all the
    # records from memory once per column (200,000 records: 0.94 → 0.54 µs a row)
    n = len(records)
    data = {c: np.empty(n, dtype=object) for c in columns}
    lines = np.empty(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        fields = [r.fields for r in records[start:start + _CHUNK]]
        end = start + len(fields)
        for c, out in data.items():  # fromiter: a list value stays one value, never a row
            out[start:end] = np.fromiter((f.get(c) for f in fields), dtype=object,
                                         count=len(fields))
        lines[start:end] = [r.line for r in records[start:end]]
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    return Table(path=path, format=fmt, frame=frame, lines=lines, columns=tuple(columns),
                 first_line=first, unit=records[0].unit if records else "line")


def _read_json(text: str, path: str):
    """A JSON array, decoded item by item so each record knows the line it starts on (newlines
    are counted from the previous item, so reading is linear in the file's size)."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)  # not ``text.lstrip()``: that copies the whole file
    if not text.startswith("[", pos):
        raise ObservationsFileError(f"{path}: a JSON events file must be an array of objects "
                                    f"(or use .jsonl for one object per line){_wrapped(text)}")
    pos += 1
    records: list[Record] = []
    line, counted = 1, 0  # line of position ``counted``

    def line_at(p: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, p)
        counted = p
        return line

    try:
        while True:
            pos = _skip(text, pos)
            if text.startswith("]", pos):
                break
            start = line_at(pos)
            obj, pos = decoder.raw_decode(text, pos)
            records.append(_mapping_record(obj, start, path, plain=False))
            pos = _skip(text, pos)
            if text.startswith(",", pos):
                pos += 1
            elif not text.startswith("]", pos):
                raise ValueError(f"expected ',' or ']' at line {line_at(pos)}")
    except ValueError as exc:
        if isinstance(exc, ObservationsFileError):
            raise
        raise ObservationsFileError(f"{path}: bad JSON: {exc}") from None
    return records, _first_lines(records)


def _wrapped(text: str) -> str:
    """For an object that holds the events under a key (an API response such as ACLED's
    ``{"status": 200, "data": [...]}``): which key, and how to save that array alone."""
    try:
        obj = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(obj, dict):
        return ""
    keys = [k for k, v in obj.items()
            if isinstance(v, list) and v and all(isinstance(x, dict) for x in v[:100])]
    if not keys:
        return ""
    return (f"; this is an object whose {keys[0]!r} holds {len(obj[keys[0]])} objects: save "
            f"that array alone (e.g. jq '.{keys[0]}' FILE > events.json)")


_SPACE = re.compile(r"[ \t\r\n]*")


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _read_jsonl(text: str, path: str):
    records: list[Record] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ObservationsFileError(f"{path}:{n}: bad JSON line: {exc}") from None
        records.append(_mapping_record(obj, n, path, plain=False))
    return records, _first_lines(records)


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
    return records, _first_lines(records)


def _read_geojson(text: str, path: str):
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise ObservationsFileError(f"{path}: bad GeoJSON: {exc}") from None
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = {"type": "FeatureCollection", "features": [obj]}
    if not isinstance(obj, dict) or not isinstance(obj.get("features"), list):
        raise ObservationsFileError(f"{path}: expected a GeoJSON FeatureCollection")
    every, points = [], []
    for i, feat in enumerate(obj["features"], start=1):
        if not isinstance(feat, dict):
            raise ObservationsFileError(f"{path}: feature {i} is not an object")
        props = dict(feat.get("properties") or {})
        geom = feat.get("geometry")
        if geom is not None:
            # GeoJSON is [lon, lat]: the lat/lon flip of the text readers happens here.
            if geom.get("type") == "Point" and isinstance(geom.get("coordinates"), list) \
                    and len(geom["coordinates"]) >= 2:
                props["lon"], props["lat"] = geom["coordinates"][0], geom["coordinates"][1]
                points.append(props)
            else:
                props[GEOMETRY_ERROR] = str(geom.get("type"))
        every.append(props)
    # RFC 7946 GeoJSON is lon/lat; an older file may name another CRS (GDAL writes one)
    crs = obj.get("crs")
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    to_lonlat = lonlat_transform(name, f"{path}: the crs member",
                                 error=ObservationsFileError) if name else None
    if to_lonlat is not None and points:
        xy = np.array([[_number(p["lon"]), _number(p["lat"])] for p in points], dtype=float)
        ok = np.flatnonzero(np.isfinite(xy).all(axis=1))  # others keep the value read
        lon, lat = to_lonlat(xy[ok, 0], xy[ok, 1])
        for i, x, y in zip(ok.tolist(), lon.tolist(), lat.tolist(), strict=True):
            points[i]["lon"], points[i]["lat"] = x, y
    records = [_mapping_record(props, i, path, unit="feature")
               for i, props in enumerate(every, start=1)]
    return records, _first_lines(records)


def _number(value) -> float:
    """A coordinate as a float, NaN when it is not a number (such a point is left as read:
    the coordinate checks report the value)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _read_parquet(data: bytes, path: str) -> Table:
    """Parquet or GeoParquet, read with pyarrow: columns as they are (dates and timestamps as
    ISO dates); the GeoParquet primary geometry's Points become lat/lon (the Parquet lat/lon
    flip), other geometry types are reported per row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        raise ObservationsFileError(f"{path}: bad Parquet file: {exc}") from None
    geo, crs = _geo_column(table.schema.metadata or {})
    out: dict[str, object] = {}
    columns: list[str] = []
    for name, col in zip(table.column_names, table.columns, strict=True):
        key = name.strip().lower()
        if name == geo:
            out.update(_wkb_points(col.to_numpy(zero_copy_only=False), to_lonlat=(
                lonlat_transform(crs, f"{path}: column {name!r}", error=ObservationsFileError))))
            columns.extend(("lat", "lon", GEOMETRY_ERROR))
            continue
        columns.append(name)
        if not key or key in out:
            continue
        if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            values = pd.Series(pd.to_datetime(col.to_pandas())).dt.strftime("%Y-%m-%d")
        else:
            values = col.to_pandas()
        out[key] = pd.Series(values).astype(object).where(pd.Series(values).notna(), None) \
            .to_numpy(dtype=object)
    frame = pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return Table(path=path, format="parquet", frame=frame, lines=lines, columns=tuple(columns),
                 first_line=dict.fromkeys(frame.columns, 1), unit="row")


def _geo_column(metadata: dict) -> tuple[str | None, object]:
    """(the GeoParquet primary geometry column, its ``crs`` as the metadata gives it: PROJJSON,
    None when set to null, or "OGC:CRS84" when left out, as the GeoParquet spec reads it)."""
    raw = metadata.get(b"geo")
    if not raw:
        return None, None
    try:
        geo = json.loads(raw)
        name = geo.get("primary_column") or "geometry"
        return name, (geo.get("columns") or {}).get(name, {}).get("crs", "OGC:CRS84")
    except (ValueError, AttributeError):
        return None, None


def _wkb_points(wkb: np.ndarray, *, to_lonlat=None) -> dict[str, np.ndarray]:
    """lat, lon (objects, None where no point) and the geometry error per row of WKB values;
    ``to_lonlat``: (x, y) → (lon, lat) for points stored in another CRS."""
    import shapely

    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    kind = shapely.get_type_id(geoms)  # -1 missing, 0 Point
    point = (kind == 0) & ~shapely.is_empty(geoms)
    lon = np.where(point, shapely.get_x(geoms), np.nan)
    lat = np.where(point, shapely.get_y(geoms), np.nan)
    if to_lonlat is not None and point.any():
        lon[point], lat[point] = to_lonlat(lon[point], lat[point])
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"], dtype=object)
    error = np.full(len(geoms), None, dtype=object)
    bad = (kind > 0) | ((kind == 0) & ~point)
    error[bad] = names[kind[bad]]
    error[(kind == 0) & ~point] = "empty Point"
    return {"lat": np.where(point, lat, None).astype(object),
            "lon": np.where(point, lon, None).astype(object), GEOMETRY_ERROR: error}
