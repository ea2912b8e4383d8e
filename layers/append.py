"""Append checked observations to an events log (``frontline events add``).

``plan_append(new, new_raw, log, log_text)`` is pure: it takes the two files as read and
validated (``read_observations`` / ``read_records``) and returns what to add, what is already in
the log, what was rejected (with reasons) and the log's new text. Every row of the new file ends
in exactly one of ``added``, ``duplicates`` or ``rejected``. Existing log lines are kept byte for
byte; a column the new rows need and the log lacks is added at the end of the header (old rows
simply leave it empty).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from .observations import COLUMN_ALIASES, ObservationSet
from .readers import RawFile

# What makes a new row "already in the log".
SAME_OBSERVATION: tuple[str, ...] = ("date_text", "place_id", "controller", "kind", "source")
APPENDABLE = {"csv": ",", "tsv": "\t"}


class AppendError(ValueError):
    """The log cannot take rows (not CSV/TSV, or a header that cannot be extended)."""


@dataclass(frozen=True, slots=True)
class AppendPlan:
    path: str
    into: str
    rows_read: int
    added: tuple[int, ...]  # lines of the new file
    duplicates: tuple[tuple[int, str], ...]  # (line, why)
    rejected: tuple[tuple[int, str], ...]  # (line, reasons)
    new_columns: tuple[str, ...]
    text: str  # the log's new text

    def summary_line(self) -> str:
        return (f"{self.path}: {self.rows_read} rows read = {len(self.added)} added + "
                f"{len(self.duplicates)} duplicates + {len(self.rejected)} rejected")


def _keys(frame: pd.DataFrame) -> list[tuple]:
    cols = frame[list(SAME_OBSERVATION)].astype("string").fillna("contested")
    cols["source"] = cols["source"].str.strip()
    return list(cols.itertuples(index=False, name=None))


def plan_append(new: ObservationSet, new_raw: RawFile, log: ObservationSet | None,
                log_text: str, *, into: str, log_format: str = "csv") -> AppendPlan:
    """See the module docstring. ``log`` is None (and ``log_text`` empty) for a new log."""
    delimiter = APPENDABLE.get(log_format)
    if delimiter is None:
        raise AppendError(f"{into}: events add appends to CSV or TSV logs, not {log_format}; "
                          "convert the log to CSV first")
    by_line = {r.line: r for r in new_raw.records}
    errors: dict[int, list[str]] = {}
    for p in new.errors:
        errors.setdefault(p.line, []).append(f"{p.column or 'row'}: {p.message} → {p.fix}"
                                             if not p.value else
                                             f"{p.column}: {p.value!r}: {p.message} → {p.fix}")
    dup_in_file = {p.line: f"duplicate of line {p.related[0]} of {new.path}"
                   for p in new.warnings if p.code == "duplicate" and p.related}
    rejected = tuple((line, "; ".join(errors[line])) for line in sorted(errors))
    duplicates = [(line, why) for line, why in dup_in_file.items() if line not in errors]

    seen: dict[tuple, int] = {}
    if log is not None and len(log.frame):
        for key, line in zip(_keys(log.frame), log.frame["row"].tolist(), strict=True):
            seen.setdefault(key, int(line))
    added: list[int] = []
    for key, line in zip(_keys(new.frame), new.frame["row"].tolist(), strict=True):
        line = int(line)
        if key in seen:
            where = f"line {seen[key]} of {into}" if seen[key] > 0 else f"line {-seen[key]} of " \
                f"{new.path}"
            duplicates.append((line, f"already in the log ({where}): same date, place, "
                                     "controller, kind and source"))
        else:
            seen[key] = -line
            added.append(line)
    accounted = set(added) | {d[0] for d in duplicates} | set(errors)
    rejected += tuple((r.line, "dropped while reading; run `frontline events check` on it")
                      for r in new_raw.records if r.line not in accounted)
    rejected = tuple(sorted(rejected))
    duplicates.sort()

    header, text = _header(log_text, delimiter, into)
    fresh = not header
    if fresh:  # a new log takes the new file's columns, in its order
        header = [c for c in new_raw.columns if not c.startswith("__")]
    canon = {COLUMN_ALIASES.get(h.lower(), h.lower()): h for h in header}
    extra: list[str] = []
    rows: list[dict] = []
    for line in added:
        fields = {COLUMN_ALIASES.get(k, k): v for k, v in by_line[line].fields.items()
                  if not k.startswith("__")}
        rows.append(fields)
        for k, v in fields.items():
            if k not in canon and k not in extra and _str(v) != "":
                extra.append(k)
    out_header = header + extra
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=_newline(log_text))
    if fresh or extra:
        w.writerow(out_header)
        text = buf.getvalue() if fresh else _replace_header(text, buf.getvalue(), into)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter, lineterminator=_newline(log_text))
    keys = [COLUMN_ALIASES.get(h.lower(), h.lower()) for h in out_header]
    for fields in rows:
        w.writerow([_str(fields.get(k)) for k in keys])
    if text and not text.endswith(("\n", "\r")):
        text += _newline(log_text)
    return AppendPlan(path=new.path, into=into, rows_read=new.rows_read, added=tuple(added),
                      duplicates=tuple(duplicates), rejected=rejected, new_columns=tuple(extra),
                      text=text + buf.getvalue())


def _str(value) -> str:
    return "" if value is None else str(value)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text[:4096] else "\n"


def _header(text: str, delimiter: str, into: str) -> tuple[list[str], str]:
    if not text.strip():
        return [], ""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise AppendError(f"{into}:1: the header must be the first line to append to this log; "
                          "delete the blank lines above it")
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter))], text


def _replace_header(text: str, header_line: str, into: str) -> str:
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    cut = body.find("\n")
    if cut < 0:
        return bom + header_line
    return bom + header_line + body[cut + 1:]
