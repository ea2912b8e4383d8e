"""Snapshots → changes: dated full-state tables become the minimal list of observations.

A **snapshot** is a table of who holds each place on one date (a monthly control table, a copy of
a wiki map, a colleague's spreadsheet): ``place`` or ``place_id`` or ``lat``/``lon``,
``controller``, optionally ``status``, ``certainty``, ``source`` and ``note`` — the columns of an
events file, read and checked by the same code (``layers/observations.py``). The date comes from
a ``date`` column (one file may then hold many snapshots), else from the file name
(``2016-05-01.csv``, ``aleppo_2016-05.geojson``: the first ``YYYY-MM-DD`` or ``YYYY-MM`` in it).
Files with the same date form one snapshot.

``changes_from_snapshots(snapshots)`` is pure. Rules:

- Each (place, date) has one state, decided as the timeline decides (layers/timeline.py): the
  confirmed row beats a claimed one; confirmed rows that disagree make the place ``contested``
  (a warning names every row when they come from different files; the reader reports it inside
  one file).
- A place's first snapshot gives one ``state`` row; after that a row is written only when the
  state differs from the place's previous snapshot: ``change`` when the controller differs,
  ``state`` when only the status or certainty does. Repeated states are counted as unchanged.
- Every written row cites its snapshot row: ``source`` is the row's source, else the snapshot's
  file path; ``note`` starts ``snapshot FILE:LINE``.
- A place missing from a later snapshot (it *vanishes*) is reported as a warning at the file and
  line where it was last seen; nothing is written for it, so it keeps its last state.
- Accounting: ``rows read = first states + changes + status changes + unchanged + merged (other
  rows on the same place and date) + dropped (rows with an error, or exact duplicates)``.

Vectorized: all snapshots are replayed into one Timeline (sort by place and date), and changes and
gaps are found by comparing each place's interval with the previous one (a shift), never by a
loop over places × dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ObservationsFileError
from .factions import Factions
from .observations import (
    COLUMN_ALIASES,
    FIELDS,
    ObservationSet,
    _Problems,
    map_columns,
    parse_columns,
    resolve_places,
    to_observation_set,
)
from .problems import Problem
from .readers import read_table
from .timeline import build_timeline

OUTPUT_COLUMNS: tuple[str, ...] = ("date", "place", "place_id", "lat", "lon", "controller",
                                   "status", "kind", "certainty", "source", "note")
# Extensions read when a directory is given (events-file formats; .txt and .md are left out).
SNAPSHOT_EXTENSIONS: tuple[str, ...] = (".csv", ".tsv", ".tab", ".json", ".jsonl", ".ndjson",
                                        ".yaml", ".yml", ".geojson", ".parquet", ".geoparquet")
_NAME_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})(?![\d-])")


@dataclass(frozen=True)
class Snapshot:
    """One snapshot file, read and checked: ``date`` is the date its name gives ("" when its rows
    carry a date column); ``observations`` its usable rows and problems."""

    path: str
    date: str
    observations: ObservationSet
    unit: str = "line"  # what a problem's line counts: "line", GeoJSON "feature", Parquet "row"


@dataclass(frozen=True)
class SnapshotReport:
    files: tuple[str, ...]
    dates: tuple[str, ...]          # the snapshot dates, in order
    rows_read: int
    first_states: int
    changes: int
    status_changes: int
    unchanged: int
    merged: int
    dropped: int
    vanished: int                   # vanishing events (a place missing from a later snapshot)
    problems: tuple[Problem, ...]   # the files' row problems, then the vanished places

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def written(self) -> int:
        return self.first_states + self.changes + self.status_changes

    def summary_line(self) -> str:
        return (f"{self.rows_read} rows read in {len(self.files)} files ({len(self.dates)} "
                f"snapshot dates) = {self.first_states} first states + {self.changes} changes + "
                f"{self.status_changes} status changes + {self.unchanged} unchanged + "
                f"{self.merged} merged + {self.dropped} dropped; {self.vanished} vanished "
                "places reported")

    def exit_code(self, *, strict: bool = False) -> int:
        """1 when rows were dropped for errors (or, with ``strict``, on any warning)."""
        if self.errors or (strict and any(p.severity == "warning" for p in self.problems)):
            return 1
        return 0


@dataclass(frozen=True)
class SnapshotChanges:
    frame: pd.DataFrame             # OUTPUT_COLUMNS, sorted by date then place_id
    report: SnapshotReport


def snapshot_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and the snapshot files (SNAPSHOT_EXTENSIONS) of the directories given, each
    directory's files sorted by name; a directory without any is an error."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() in SNAPSHOT_EXTENSIONS)
            if not found:
                raise ObservationsFileError(
                    f"{p}: no snapshot files in this directory (looked for "
                    f"{', '.join(SNAPSHOT_EXTENSIONS)}); give the files, or put them there")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise ObservationsFileError(f"{p}: no such file or directory; check the path")
    if not out:
        raise ObservationsFileError("no snapshot files given: name files or directories")
    return list(dict.fromkeys(out))


def date_from_name(path: str | Path) -> str:
    """The first ``YYYY-MM-DD`` (or ``YYYY-MM``) in the file name, "" when there is none."""
    m = _NAME_DATE.search(Path(path).stem)
    return m[1] if m else ""


def read_snapshots(paths: Iterable[str | Path], *, factions: Factions, gazetteer=None,
                   today: dt.date | None = None) -> tuple[Snapshot, ...]:
    """Read and check every snapshot file (``snapshot_files(paths)``); a file without a date
    column takes the date in its name, and a file with neither is an ObservationsFileError."""
    today = today or dt.datetime.now(dt.UTC).date()
    out = []
    for path in snapshot_files(paths):
        table = read_table(path)
        has_date = any((c.strip().lower() if c.strip().lower() in FIELDS else
                        COLUMN_ALIASES.get(c.strip().lower())) == "date" for c in table.columns)
        named = date_from_name(path)
        if not has_date:
            if not named:
                raise ObservationsFileError(
                    f"{path}: no date: the file has no date column and its name holds no date; "
                    "add a date column (YYYY-MM-DD) or name the file by its date, like "
                    "2016-05-01.csv")
            frame = table.frame.copy()
            frame["date"] = named
            table = dataclasses.replace(
                table, frame=frame, columns=(*table.columns, "date"),
                first_line={**table.first_line, "date": table.header_line})
        report = _Problems(table.path, table.lines, table.unit)
        columns = map_columns(table, report)
        parsed = parse_columns(table, columns, report, factions=factions, today=today)
        placed = resolve_places(parsed, report, gazetteer=gazetteer)
        gazetteer = placed.gazetteer or gazetteer  # loaded once, shared by the next files
        obs = to_observation_set(table, parsed, placed, report, factions=factions,
                                 gazetteer=placed.gazetteer)
        out.append(Snapshot(path=str(path), date="" if has_date else named, observations=obs,
                            unit=table.unit))
    return tuple(out)


def changes_from_snapshots(snapshots: Sequence[Snapshot]) -> SnapshotChanges:
    """Snapshots → the minimal observations and the report (see the module docstring)."""
    files = tuple(s.path for s in snapshots)
    parts = []
    for i, s in enumerate(snapshots):
        f = s.observations.frame
        parts.append(pd.DataFrame({
            "file": np.full(len(f), i, dtype=np.int64), "line": f["row"].to_numpy(np.int64),
            "date": f["date"].to_numpy("datetime64[ns]"),
            "date_text": f["date_text"].astype(object).to_numpy(),
            "place_id": f["place_id"].astype(object).to_numpy(),
            "place": f["place"].astype(object).to_numpy(),
            "lat": f["lat"].to_numpy(float), "lon": f["lon"].to_numpy(float),
            "controller": f["controller"].astype(object).to_numpy(),
            "status": f["status"].astype(object).to_numpy(),
            "certainty": f["certainty"].astype(object).to_numpy(),
            "source": f["source"].astype(object).fillna("").to_numpy(),
            "note": f["note"].astype(object).fillna("").to_numpy()}))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["file", "line", "date", "date_text", "place_id", "place", "lat", "lon",
                 "controller", "status", "certainty", "source", "note"])
    path_of = np.array(files, dtype=object)
    rows["source"] = np.where(rows["source"].to_numpy(dtype=object) != "",
                              rows["source"].to_numpy(dtype=object),
                              path_of[rows["file"].to_numpy(np.int64)] if len(rows) else [])
    rows["row"] = np.arange(len(rows), dtype=np.int64)  # the timeline's provenance: row number
    days = _snapshot_days(snapshots, rows)
    problems = [p for s in snapshots for p in s.observations.problems]
    dropped = sum(s.observations.rows_read - len(s.observations.frame) for s in snapshots)
    rows_read = sum(s.observations.rows_read for s in snapshots)
    if not len(rows):
        report = SnapshotReport(files, _day_texts(days, rows), rows_read, 0, 0, 0, 0, 0,
                                dropped, 0, tuple(problems))
        return SnapshotChanges(pd.DataFrame(columns=list(OUTPUT_COLUMNS)), report)

    timeline = build_timeline(rows)
    iv = timeline.intervals
    place = timeline._place
    ctrl, status, cert = (timeline._ctrl.astype(np.int64), timeline._status.astype(np.int64),
                          timeline._cert.astype(np.int64))
    k = np.searchsorted(days, timeline._start)  # the snapshot of each interval
    first = np.r_[True, place[1:] != place[:-1]]
    new_ctrl = ~first & (ctrl != np.r_[-2, ctrl[:-1]])
    new_other = ~first & ~new_ctrl & ((status != np.r_[-2, status[:-1]])
                                      | (cert != np.r_[-2, cert[:-1]]))
    write = first | new_ctrl | new_other
    win = iv["obs_row"].to_numpy(np.int64)  # the row that decided each interval
    controller = iv["controller"].astype(object).to_numpy()
    controller = np.where(pd.isna(controller), "contested", controller)
    note = pd.Series(rows["note"].to_numpy(dtype=object)[win[write]], dtype=object).astype(str)
    where = ("snapshot " + pd.Series(path_of[rows["file"].to_numpy(np.int64)[win[write]]],
                                     dtype=object).astype(str)
             + ":" + pd.Series(rows["line"].to_numpy(np.int64)[win[write]]).astype(str))
    note_w = where.where(note == "", where + "; " + note).to_numpy(dtype=object)
    out = pd.DataFrame({
        "date": rows["date_text"].to_numpy(dtype=object)[win[write]],
        "place": rows["place"].to_numpy(dtype=object)[win[write]],
        "place_id": iv["place_id"].astype(object).to_numpy()[write],
        "lat": rows["lat"].to_numpy(float)[win[write]],
        "lon": rows["lon"].to_numpy(float)[win[write]],
        "controller": controller[write],
        "status": iv["status"].astype(object).to_numpy()[write],
        "kind": np.where(new_ctrl[write], "change", "state"),
        "certainty": iv["certainty"].astype(object).to_numpy()[write],
        "source": rows["source"].to_numpy(dtype=object)[win[write]],
        "note": note_w,
    })
    day_of = timeline._start[write]
    order = np.lexsort((out["place_id"].to_numpy(dtype=str),
                        out["place"].astype(str).str.casefold().to_numpy(dtype=str), day_of))
    out = out.iloc[order].reset_index(drop=True)
    vanished = _vanished(k, place, first, days, win, rows, controller, iv, snapshots)
    problems += _cross_file_conflicts(rows, iv, snapshots)
    report = SnapshotReport(
        files=files, dates=_day_texts(days, rows), rows_read=rows_read,
        first_states=int(first.sum()), changes=int(new_ctrl.sum()),
        status_changes=int(new_other.sum()), unchanged=int((~write).sum()),
        merged=int(len(rows) - len(iv)), dropped=int(dropped), vanished=len(vanished),
        problems=tuple(problems + vanished))
    return SnapshotChanges(out, report)


def _cross_file_conflicts(rows: pd.DataFrame, iv: pd.DataFrame,
                          snapshots: Sequence[Snapshot]) -> list[Problem]:
    """Confirmed rows of different files (same date) that disagree on a place: the place is
    written as contested; one warning per place and date, at its last row, naming every row.
    (Disagreement inside one file is already reported by the reader.)"""
    hit = iv[iv["conflict"].to_numpy(dtype=bool)]
    if not len(hit):
        return []
    key = pd.DataFrame({"place_id": hit["place_id"].astype(object).to_numpy(),
                        "date": hit["valid_from"].to_numpy("datetime64[ns]")})
    confirmed = rows[rows["certainty"].to_numpy(dtype=object) == "confirmed"]
    clash = confirmed.merge(key, on=["place_id", "date"])
    files = clash.groupby(["place_id", "date"])["file"].transform("nunique")
    clash = clash[files.to_numpy() > 1].sort_values(["date", "place_id", "file", "line"])
    out = []
    for (_, _), g in clash.groupby(["place_id", "date"], sort=False):  # once per conflict
        said = "; ".join(f"{snapshots[f].path}:{ln} says {c or 'contested'}" for f, ln, c in zip(
            g["file"].tolist(), g["line"].tolist(), g["controller"].tolist(), strict=True))
        last = g.iloc[-1]
        out.append(Problem(
            snapshots[int(last["file"])].path, int(last["line"]), "controller",
            str(last["controller"] or "contested"),
            f"snapshots of {last['date_text']} disagree on {last['place']}: {said}",
            "it is written as contested; correct the wrong snapshot, or mark one row claimed",
            "warning", "conflict", snapshots[int(last["file"])].unit,
            tuple(int(x) for x in g["line"].tolist()[:-1])))
    return out


def _snapshot_days(snapshots: Sequence[Snapshot], rows: pd.DataFrame) -> np.ndarray:
    """Sorted distinct snapshot days (int days since the epoch): the rows' dates and the dates
    in the names of files without a date column (a file with no usable row still counts)."""
    from .dates import days as to_days

    named = np.array([_to_day(s.date) for s in snapshots if s.date], dtype=np.int64)
    row_days = to_days(rows["date"].to_numpy("datetime64[ns]")) if len(rows) else named[:0]
    return np.unique(np.concatenate([row_days, named]))


def _day_texts(days: np.ndarray, rows: pd.DataFrame) -> tuple[str, ...]:
    return tuple(np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"),
                                       unit="D").tolist())


def _vanished(k, place, first, days, win, rows, controller, iv, snapshots) -> list[Problem]:
    """One warning per place and gap: the place is in snapshot k but not in k + 1."""
    last = np.r_[first[1:], True]
    nxt = np.r_[k[1:], len(days)]
    gap = np.where(last, k < len(days) - 1, nxt > k + 1)
    idx = np.flatnonzero(gap)
    if not len(idx):
        return []
    texts = _day_texts(days, rows)
    by_day: dict[str, list[str]] = {}
    pairs = pd.DataFrame({"file": rows["file"], "day": rows["date"]}).drop_duplicates()
    day_text = np.datetime_as_string(pairs["day"].to_numpy("datetime64[D]"), unit="D")
    for f, d in zip(pairs["file"].tolist(), day_text.tolist(), strict=True):  # file × date
        by_day.setdefault(d, []).append(snapshots[f].path)
    for s in snapshots:
        if s.date:
            by_day.setdefault(texts[int(np.searchsorted(days, _to_day(s.date)))], []).append(
                s.path)
    file_of, line_of = rows["file"].to_numpy(np.int64), rows["line"].to_numpy(np.int64)
    names = rows["place"].to_numpy(dtype=object)
    status = iv["status"].astype(object).to_numpy()
    out = []
    for i in idx.tolist():  # once per vanishing (reports only), not per place × date
        r = win[i]
        missing = texts[k[i] + 1]
        back = (f"; it is back on {texts[nxt[i]]}" if not last[i] else
                " and the later ones" if k[i] + 2 < len(days) else "")
        where = ", ".join(sorted(set(by_day.get(missing, []))))
        out.append(Problem(
            snapshots[file_of[r]].path, int(line_of[r]), "place", str(names[r]),
            f"{iv['place_id'].iloc[i]} is in the snapshot of {texts[k[i]]} but missing from the "
            f"snapshot of {missing} ({where}){back}",
            f"nothing is written for it, so it keeps its last state ({controller[i]}, "
            f"{status[i]}); if it changed hands or was destroyed, add a row for it to the later "
            "snapshot", "warning", "vanished-place", snapshots[file_of[r]].unit))
    return out


def _to_day(text: str) -> int:
    from .dates import parse_date

    return int(np.datetime64(parse_date(text)[0], "D").astype(np.int64))
