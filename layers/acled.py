"""ACLED import: an ACLED export (its codebook's column layout) → control observations.

``import_acled(frame, factions=…)`` is pure: the export as a frame of strings in, the
observations table (``date, place, lat, lon, controller, kind, certainty, source, note``) and an
AcledReport out. Every row is accounted for: ``rows_read == mapped + skipped + reported``.

Rules (the values live in ``layers/data/acled.toml``):

- Only the territory sub-event types become observations (``kind = change``); every other event
  is *skipped* and counted by type.
- The controller is ``actor1`` (the side taking the place) through the factions file's aliases.
  ACLED's names are tried whole, then without a unit after the dated name ("Military Forces of
  Syria (2000-) 4th Armored Division" → "Military Forces of Syria (2000-)"), then either side of
  an acronym prefix ("QSD: Syrian Democratic Forces" → "Syrian Democratic Forces", "QSD").
  An associated actor (``assoc_actor_1``, ``;``-separated) decides when it is a state military
  ("Military Forces of …") of a faction actor1's faction lists as an ally (Turkish forces with
  the opposition → ``turkey_backed``), or when actor1 is unknown and it is known.
- A row whose actors the factions file does not know, with a bad date or without a location or
  coordinates, is *reported* (file, line, column, value and a fix) and nothing is written for it.
- ``certainty`` is ``claimed`` when the notes hedge or ``source_scale`` is social media only,
  ``confirmed`` otherwise; ``source`` is ``ACLED <event_id_cnty>: <source>``; ``note`` is the
  notes, prefixed with "approximate location (ACLED geo_precision N)" at precision 2–3.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ObservationsFileError, UnknownFaction
from .factions import Factions
from .problems import Problem

OUTPUT_COLUMNS: tuple[str, ...] = ("date", "place", "lat", "lon", "controller", "kind",
                                   "certainty", "source", "note")
REQUIRED: tuple[str, ...] = ("event_date", "sub_event_type", "actor1", "location", "latitude",
                             "longitude")
OPTIONAL: tuple[str, ...] = ("event_id_cnty", "event_type", "assoc_actor_1", "geo_precision",
                             "source", "source_scale", "notes")

_UNIT = re.compile(r"^(.*?\(\d{4}-(?:\d{4})?\))\s+\S.*$")  # "… (2000-) 4th Division"
_PREFIX = re.compile(r"^([A-Za-z][\w'&-]{0,11}):\s*(.+)$")  # "QSD: Syrian Democratic Forces"
_STATE = re.compile(r"^\s*Military Forces of ", re.IGNORECASE)


@dataclass(frozen=True)
class AcledRules:
    sub_event_types: tuple[str, ...]
    hedges: tuple[str, ...]
    claimed_scales: tuple[str, ...]
    approximate: tuple[int, ...]
    date_formats: tuple[str, ...]


@functools.cache
def load_rules(path: str | None = None) -> AcledRules:
    """The rules file (default: the bundled ``layers/data/acled.toml``)."""
    p = Path(path) if path else Path(str(resources.files("layers") / "data" / "acled.toml"))
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    return AcledRules(
        sub_event_types=tuple(data["territory"]["sub_event_types"]),
        hedges=tuple(data["certainty"]["hedges"]),
        claimed_scales=tuple(data["certainty"]["claimed_scales"]),
        approximate=tuple(int(v) for v in data["geo_precision"]["approximate"]),
        date_formats=tuple(data["dates"]["formats"]))


@dataclass(frozen=True)
class AcledReport:
    path: str
    rows_read: int
    mapped: int
    skipped: int
    problems: tuple[Problem, ...]
    skipped_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        return len({p.line for p in self.problems})

    def summary_line(self) -> str:
        kinds = ", ".join(f"{n} {t}" for t, n in self.skipped_by_type.items())
        return (f"{self.path}: {self.rows_read} rows read = {self.mapped} mapped + "
                f"{self.skipped} skipped (not territory events{': ' + kinds if kinds else ''}) + "
                f"{self.reported} reported")


@dataclass(frozen=True)
class AcledImport:
    frame: pd.DataFrame
    report: AcledReport


def read_acled(path: str | Path) -> pd.DataFrame:
    """Read the columns the import uses from an ACLED CSV export, as strings ("" for empty).

    pyarrow's multi-threaded CSV reader reads only those columns; a quoted note that spans lines
    needs its slower mode, tried only when the fast one fails. ``frame.attrs["lines"]`` holds the
    physical line where each row starts (header = 1), right with such notes and blank lines too.
    """
    import pyarrow as pa
    import pyarrow.csv as pv

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ObservationsFileError(f"{path}: cannot read ({exc.strerror})") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    end = data.find(b"\n")
    try:
        head = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise ObservationsFileError(f"{path}: line 1: not UTF-8; export it again from ACLED as "
                                    "CSV (UTF-8)") from None
    header = next(csv.reader([head]), [])
    if not any(h.strip() for h in header):
        raise ObservationsFileError(f"{path}: empty file; an ACLED export starts with a header "
                                    f"row ({', '.join(REQUIRED)}, …)")
    wanted = set(REQUIRED) | set(OPTIONAL)
    cols = list(dict.fromkeys(h for h in header if h in wanted))
    table = None
    for newlines in (False, True):
        try:
            table = pv.read_csv(
                pa.py_buffer(data),
                parse_options=pv.ParseOptions(newlines_in_values=newlines),
                convert_options=pv.ConvertOptions(
                    include_columns=cols, column_types=dict.fromkeys(cols, pa.string()),
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            break
        except (pa.ArrowInvalid, pa.ArrowException):
            continue
    if table is None:
        raise ObservationsFileError(_csv_error(path, data)) from None
    frame = table.to_pandas()
    frame.attrs["lines"] = _row_lines(data, len(frame))
    return frame


def _row_lines(data: bytes, n: int) -> np.ndarray:
    """The physical line (header = 1) where each of the ``n`` data rows starts. When the file has
    exactly n + 1 lines that is 2…n+1; otherwise the row ends are the newlines outside quotes
    (an even number of quote characters before them), found with numpy, and blank lines are
    not rows."""
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if n_lines == n + 1:
        return np.arange(2, n + 2, dtype=np.int64)
    buf = np.frombuffer(data, dtype=np.uint8)
    newline = np.flatnonzero(buf == 10)
    quote = np.flatnonzero(buf == 34)
    ends = newline[np.searchsorted(quote, newline) % 2 == 0]  # outside quotes: a row ends
    starts = np.r_[0, ends + 1]
    length = np.r_[ends, len(buf)] - starts
    first = buf[np.minimum(starts, max(len(buf) - 1, 0))] if len(buf) else starts
    blank = (length == 0) | ((length == 1) & (first == 13))
    lines = (np.searchsorted(newline, starts) + 1)[~blank]
    if len(lines) != n + 1:  # a layout the rule above does not cover: count with csv instead
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        lines, last = [], 0
        for row in reader:
            start, last = last + 1, reader.line_num
            if row:
                lines.append(start)
        lines = np.asarray(lines, dtype=np.int64)
    return np.asarray(lines[1:n + 1], dtype=np.int64)


def _csv_error(path, data: bytes) -> str:
    """Why pyarrow could not read the export, located by the csv module (the slow path, only
    for a broken file)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return (f"{path}: line {line}: not UTF-8 (byte {exc.start}); export it again from ACLED "
                "as CSV (UTF-8)")
    reader = csv.reader(io.StringIO(text, newline=""))
    width, last = None, 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if not row:
                continue
            if width is None:
                width = len(row)
            elif len(row) != width:
                return (f"{path}: line {start}: {len(row)} fields but the header has {width} "
                        f"(value {row[-1][:60]!r}); quote fields that contain commas, or export "
                        "it again from ACLED as CSV")
    except csv.Error as exc:
        return f"{path}: line {reader.line_num}: bad CSV ({exc}); export it again from ACLED as CSV"
    return f"{path}: not a readable ACLED CSV export; export it again from ACLED as CSV (UTF-8)"


def import_acled(frame: pd.DataFrame, *, factions: Factions, path: str = "<acled>",
                 rules: AcledRules | None = None, lines=None) -> AcledImport:
    """ACLED rows → observations + report (see the module docstring).

    Vectorized: the territory rows are picked by the distinct sub-event types, and the per-value
    work (actor names, dates, coordinates, precisions) runs once per distinct value, not once per
    row; the text columns stay Arrow strings throughout (no Python object per cell).
    ``lines`` (default ``frame.attrs["lines"]``, as ``read_acled`` sets it, else 2…n+1) is the
    file line of each row, used in the problems."""
    rules = rules or load_rules()
    if lines is None:
        lines = frame.attrs.get("lines")
    if frame.attrs:  # pandas deep-copies attrs into every derived frame: drop them once here
        frame = frame.copy(deep=False)
        frame.attrs = {}
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ObservationsFileError(
            f"{path}: line 1: missing ACLED column(s) {', '.join(missing)}; an ACLED export has "
            f"{', '.join(REQUIRED)} (export with all columns, or rename yours to these)")
    n = len(frame)
    line = np.arange(2, n + 2) if lines is None else np.asarray(lines, dtype=np.int64)
    if len(line) != n:
        raise ValueError(f"lines has {len(line)} entries for {n} rows")
    sub_codes, sub_text = _distinct(frame["sub_event_type"])
    territory = np.isin(sub_text, rules.sub_event_types)[sub_codes]
    rows = np.flatnonzero(territory)
    t = frame.iloc[rows][[c for c in (*REQUIRED, *OPTIONAL) if c in frame.columns]]
    t = t.reset_index(drop=True)
    tline = line[rows]
    problems: list[Problem] = []

    def column(name: str) -> pd.Series:
        if name in t.columns:
            return t[name].fillna("")
        return pd.Series(np.full(len(t), "", dtype=object), dtype="str")

    def report(mask, name: str, message: str, fix: str, code: str):
        idx = np.flatnonzero(mask)
        values = column(name).iloc[idx].tolist()
        problems.extend(Problem(path, int(ln), name, str(v), message, fix, "error", code)
                        for ln, v in zip(tline[idx].tolist(), values, strict=True))

    date = _parse_dates(column("event_date"), rules.date_formats)
    bad_date = date.isna().to_numpy()
    report(bad_date, "event_date", "not a date",
           "write it as ACLED does (18 March 2018) or as YYYY-MM-DD", "invalid-date")
    lat = _numbers(column("latitude"))
    lon = _numbers(column("longitude"))
    bad_lat = ~(np.abs(lat) <= 90)
    bad_lon = ~bad_lat & ~(np.abs(lon) <= 180)
    report(bad_lat, "latitude", "not a latitude (−90…90)", "give the decimal latitude",
           "invalid-coordinate")
    report(bad_lon, "longitude", "not a longitude (−180…180)", "give the decimal longitude",
           "invalid-coordinate")
    place = column("location").str.strip()
    no_place = (place == "").to_numpy(dtype=bool)
    report(no_place, "location", "no location", "give the place name ACLED lists",
           "missing-place")
    controller, decided_by = _controllers(column("actor1"), column("assoc_actor_1"), factions)
    unknown = controller.isna().to_numpy(dtype=bool)
    fpath = factions.path or "the factions file"
    report(unknown, "actor1", "actor not in the factions file",
           f"add this ACLED actor name to the aliases of its faction in {fpath} "
           "(or pass --factions FILE)", "unknown-faction")
    ok = np.flatnonzero(~(bad_date | bad_lat | bad_lon | no_place | unknown))
    problems.sort(key=lambda p: (p.line, REQUIRED.index(p.column) if p.column in REQUIRED else 9))

    def take(values) -> pd.Series:
        s = values if isinstance(values, pd.Series) else pd.Series(values)
        return s.iloc[ok].reset_index(drop=True)

    out = pd.DataFrame({
        "date": take(date.dt.strftime("%Y-%m-%d")).astype("str"),
        "place": take(place),
        "lat": lat[ok], "lon": lon[ok],
        "controller": take(controller),
        "kind": _spread(np.zeros(len(ok), np.int64), ["change"]),
        "certainty": take(_certainty(column("notes"), column("source_scale"), rules)),
        "source": take(_sources(column("event_id_cnty"), column("source"))),
        "note": take(_notes(column("notes"), column("geo_precision"), decided_by, rules)),
    }, columns=list(OUTPUT_COLUMNS))
    skipped_by_type = _skipped_types(frame, sub_codes, sub_text, ~territory)
    rep = AcledReport(path=path, rows_read=n, mapped=len(out), skipped=int(n - len(rows)),
                      problems=tuple(problems), skipped_by_type=skipped_by_type)
    return AcledImport(frame=out, report=rep)


def _distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, texts)``: each row's code into the stripped distinct texts (missing → "")."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([*(str(u).strip() for u in np.asarray(uniques, dtype=object)), ""],
                     dtype=object)
    return np.where(codes < 0, len(texts) - 1, codes), texts


def _skipped_types(frame: pd.DataFrame, sub_codes: np.ndarray, sub_text: np.ndarray,
                   skipped: np.ndarray) -> dict[str, int]:
    """Skipped rows counted by sub-event type (the event type when it is empty), by name."""
    if "event_type" in frame.columns:
        type_codes, type_text = _distinct(frame["event_type"])
    else:
        type_codes, type_text = np.zeros(len(frame), np.int64), np.array([""], dtype=object)
    pair = sub_codes[skipped].astype(np.int64) * len(type_text) + type_codes[skipped]
    uniq, counts = np.unique(pair, return_counts=True)
    out: dict[str, int] = {}
    for p, k in zip(uniq.tolist(), counts.tolist(), strict=True):  # once per distinct pair
        label = sub_text[p // len(type_text)] or type_text[p % len(type_text)] or "(no type)"
        out[label] = out.get(label, 0) + k
    return dict(sorted(out.items()))


def _numbers(values: pd.Series) -> np.ndarray:
    """Each distinct text as a float (NaN when it is not a number), spread over the rows."""
    codes, texts = _distinct(values)
    parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
    return parsed.to_numpy(dtype=float)[codes]


def _parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates parsed once per distinct string, trying ACLED's formats in order."""
    codes, uniques = _distinct(values)
    parsed = pd.Series(pd.NaT, index=range(len(uniques)), dtype="datetime64[ns]")
    text = pd.Series(uniques, dtype=object)
    for fmt in formats:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return pd.Series(parsed.to_numpy()[codes], index=values.index, dtype="datetime64[ns]")


def _resolve_name(name: str, factions: Factions) -> str | None:
    """One ACLED actor name → faction id, with ACLED's naming conventions; None if unknown."""
    name = name.strip()
    if not name:
        return None
    tries = [name]
    m = _UNIT.match(name)
    if m:
        tries.append(m[1])
    m = _PREFIX.match(name)
    if m:
        tries += [m[2], m[1]]
    for text in tries:
        try:
            return factions.resolve(text).id
        except UnknownFaction:
            continue
    return None


def _controllers(actor1: pd.Series, assoc: pd.Series, factions: Factions):
    """Controller per row (NA when unknown) and the associated actor that decided it ("")."""
    ca, ua = _distinct(actor1)
    cb, ub = _distinct(assoc)
    codes, pair = pd.factorize(ca.astype(np.int64) * len(ub) + cb)
    resolved: list[str | None] = []
    decider: list[str] = []
    for a, b in zip(ua[pair // len(ub)], ub[pair % len(ub)], strict=True):
        # once per distinct (actor1, assoc_actor_1) pair, not per row
        main = _resolve_name(a, factions)
        chosen, by = main, ""
        for other in (s.strip() for s in b.split(";") if s.strip()):
            fid = _resolve_name(other, factions)
            if fid is None:
                continue
            if main is None:
                chosen, by = fid, other
                break
            if _STATE.match(other) and fid in factions[main].allies:
                chosen, by = fid, other
                break
        resolved.append(chosen)
        decider.append(by)
    return _spread(codes, resolved), _spread(codes, decider)


def _spread(codes: np.ndarray, texts) -> pd.Series:
    """``texts[codes]`` as an Arrow string Series (None → NA), built from the dictionary."""
    import pyarrow as pa

    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)),
                                         pa.array(list(texts), pa.string()))
    return pd.Series(pd.array(arr.cast(pa.string()), dtype="str"))


def _certainty(notes: pd.Series, scale: pd.Series, rules: AcledRules) -> pd.Series:
    hedge = "|".join(rf"\b{w}" for w in rules.hedges)
    hedged = notes.str.contains(hedge, case=False, regex=True).to_numpy(dtype=bool)
    codes, texts = _distinct(scale)
    claimed = np.isin(texts, rules.claimed_scales)[codes]
    return _spread((hedged | claimed).astype(np.int64), ["confirmed", "claimed"])


def _sources(event_id: pd.Series, source: pd.Series) -> pd.Series:
    eid = event_id.str.strip()
    src = source.str.strip()
    head = ("ACLED " + eid).where(eid != "", "ACLED")
    return (head + ": " + src).where(src != "", head)


def _notes(notes: pd.Series, precision: pd.Series, decided_by: pd.Series,
           rules: AcledRules) -> pd.Series:
    """"approximate location (ACLED geo_precision N)", "controller from associated actor A" and
    the notes, joined with "; " (empty parts left out); the prefixes per distinct value."""
    pc, pt = _distinct(precision)
    approx = [f"approximate location (ACLED geo_precision {p})"
              if p in {str(v) for v in rules.approximate} else "" for p in pt.tolist()]
    dc, dt = _distinct(decided_by)
    assoc = [f"controller from associated actor {d}" if d else "" for d in dt.tolist()]
    codes, pair = pd.factorize(pc.astype(np.int64) * len(dt) + dc)
    heads = ["; ".join(x for x in (approx[p // len(dt)], assoc[p % len(dt)]) if x)
             for p in pair.tolist()]
    head = _spread(codes, heads)
    text = notes.str.strip()
    joined = (head + "; " + text).where(text != "", head)
    return joined.where(head != "", text)


def write_observations(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write the observations atomically: ``.csv`` through ``csv_bytes`` (the fast path of the
    import), any other extension through ``layers.io.write_frame``."""
    from gazetteer._io import atomic_write_bytes

    from .io import output_format, write_frame

    if output_format(path) != "csv":
        return write_frame(path, frame)
    return atomic_write_bytes(path, csv_bytes(frame))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV: a header, ``\\n`` line ends, a field quoted only when it holds a
    comma, a quote or a line break (quotes doubled), empty for missing values; numbers in their
    shortest round-trip form. Built with Arrow's string kernels (escape, join the fields of each
    row, concatenate the rows' bytes): a bulk operation, not a loop over cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(value: str):
        return pa.scalar(value, pa.large_string())

    def escape(arr):
        arr = pc.fill_null(pc.cast(arr, pa.large_string()), text(""))
        quoted = pc.binary_join_element_wise(text('"'), pc.replace_substring(arr, '"', '""'),
                                             text('"'), text(""))
        return pc.if_else(pc.match_substring_regex(arr, r'[",\r\n]'), quoted, arr)

    n = len(frame)
    head = escape(pa.array([str(c) for c in frame.columns], pa.large_string()))
    header = ",".join(head.to_pylist()) + "\n"
    if not n:
        return header.encode("utf-8")
    cols = [escape(pa.array(frame[c].to_numpy() if frame[c].dtype.kind in "biuf"
                            else frame[c], from_pandas=True)) for c in frame.columns]
    rows = pc.binary_join_element_wise(*cols, text(","))
    rows = pc.binary_join_element_wise(rows, text(""), text("\n"))  # a newline ends each row
    rows = pa.concat_arrays([rows]) if isinstance(rows, pa.Array) else rows.combine_chunks()
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + n + 1]
    body = rows.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
    return header.encode("utf-8") + body
