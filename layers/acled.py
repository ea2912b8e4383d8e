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

import functools
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
    """Read an ACLED CSV export as strings (no NA guessing: "" stays "")."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ObservationsFileError(f"{path}: not a readable ACLED CSV export ({exc}); export "
                                    "it again from ACLED as CSV (UTF-8)") from None


def import_acled(frame: pd.DataFrame, *, factions: Factions, path: str = "<acled>",
                 rules: AcledRules | None = None) -> AcledImport:
    """ACLED rows → observations + report (see the module docstring). Vectorized: the per-value
    work (actor names, date strings) runs once per distinct value, not once per row."""
    rules = rules or load_rules()
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ObservationsFileError(
            f"{path}: line 1: missing ACLED column(s) {', '.join(missing)}; an ACLED export has "
            f"{', '.join(REQUIRED)} (export with all columns, or rename yours to these)")
    df = frame.reindex(columns=[*REQUIRED, *OPTIONAL], fill_value="")
    n = len(df)
    line = np.arange(2, n + 2)  # CSV line numbers (header = 1)
    sub = df["sub_event_type"].str.strip()
    territory = sub.isin(rules.sub_event_types).to_numpy()
    t = df[territory]
    tline = line[territory]
    problems: list[Problem] = []

    def report(mask, column: str, message: str, fix: str, code: str):
        for ln, value in zip(tline[mask], t[column].to_numpy()[mask], strict=True):
            problems.append(Problem(path, int(ln), column, str(value), message, fix, "error",
                                    code))

    date = _parse_dates(t["event_date"], rules.date_formats)
    bad_date = date.isna().to_numpy()
    report(bad_date, "event_date", "not a date",
           "write it as ACLED does (18 March 2018) or as YYYY-MM-DD", "invalid-date")
    lat = pd.to_numeric(t["latitude"].str.strip(), errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(t["longitude"].str.strip(), errors="coerce").to_numpy(dtype=float)
    bad_lat = ~(np.abs(lat) <= 90)
    bad_lon = ~bad_lat & ~(np.abs(lon) <= 180)
    report(bad_lat, "latitude", "not a latitude (−90…90)", "give the decimal latitude",
           "invalid-coordinate")
    report(bad_lon, "longitude", "not a longitude (−180…180)", "give the decimal longitude",
           "invalid-coordinate")
    place = t["location"].str.strip()
    no_place = (place == "").to_numpy()
    report(no_place, "location", "no location", "give the place name ACLED lists",
           "missing-place")
    controller, decided_by = _controllers(t["actor1"], t["assoc_actor_1"], factions)
    unknown = controller.isna().to_numpy()
    fpath = factions.path or "the factions file"
    report(unknown, "actor1", "actor not in the factions file",
           f"add this ACLED actor name to the aliases of its faction in {fpath} "
           "(or pass --factions FILE)", "unknown-faction")
    bad = bad_date | bad_lat | bad_lon | no_place | unknown
    ok = ~bad
    problems.sort(key=lambda p: (p.line, REQUIRED.index(p.column) if p.column in REQUIRED else 9))

    g = t[ok]
    note = _notes(g, decided_by[ok], rules)
    out = pd.DataFrame({
        "date": date[ok].dt.strftime("%Y-%m-%d").to_numpy(),
        "place": place[ok].to_numpy(),
        "lat": lat[ok], "lon": lon[ok],
        "controller": controller[ok].to_numpy(),
        "kind": "change",
        "certainty": _certainty(g, rules),
        "source": _sources(g),
        "note": note,
    }, columns=list(OUTPUT_COLUMNS))
    skipped_types = sub.where(sub != "", df["event_type"].str.strip())[~territory]
    by_type = skipped_types.replace("", "(no type)").value_counts(sort=False).sort_index()
    rep = AcledReport(path=path, rows_read=n, mapped=len(out), skipped=int((~territory).sum()),
                      problems=tuple(problems),
                      skipped_by_type={str(k): int(v) for k, v in by_type.items()})
    return AcledImport(frame=out.reset_index(drop=True), report=rep)


def _parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates parsed once per distinct string, trying ACLED's formats in order."""
    codes, uniques = pd.factorize(values.str.strip())
    parsed = pd.Series(pd.NaT, index=range(len(uniques)), dtype="datetime64[ns]")
    text = pd.Series(uniques, dtype=object)
    for fmt in formats:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    out = parsed.to_numpy()[codes] if len(uniques) else np.array([], dtype="datetime64[ns]")
    return pd.Series(out, index=values.index, dtype="datetime64[ns]")


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
    """Controller per row (None when unknown) and the associated actor that decided it ("")."""
    pairs = pd.DataFrame({"a": actor1.str.strip(), "b": assoc.str.strip()})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs))
    resolved: list[str | None] = []
    decider: list[str] = []
    for a, b in uniques:  # once per distinct (actor1, assoc_actor_1) pair, not per row
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
    ctrl = np.array(resolved, dtype=object)[codes] if len(uniques) else np.array([], dtype=object)
    by = np.array(decider, dtype=object)[codes] if len(uniques) else np.array([], dtype=object)
    return pd.Series(ctrl, index=actor1.index, dtype=object), by


def _certainty(g: pd.DataFrame, rules: AcledRules) -> np.ndarray:
    hedge = "|".join(rf"\b{w}" for w in rules.hedges)
    hedged = g["notes"].str.contains(hedge, case=False, regex=True, na=False).to_numpy()
    scale = g["source_scale"].str.strip().isin(rules.claimed_scales).to_numpy()
    return np.where(hedged | scale, "claimed", "confirmed")


def _sources(g: pd.DataFrame) -> np.ndarray:
    eid = g["event_id_cnty"].str.strip()
    src = g["source"].str.strip()
    head = np.where(eid != "", "ACLED " + eid, "ACLED")
    return np.where(src != "", head + ": " + src, head)


def _notes(g: pd.DataFrame, decided_by: np.ndarray, rules: AcledRules) -> np.ndarray:
    prec = g["geo_precision"].str.strip()
    approx = prec.isin([str(v) for v in rules.approximate]).to_numpy()
    notes = g["notes"].str.strip().to_numpy(dtype=object)
    prefix = np.where(approx, "approximate location (ACLED geo_precision " + prec + ")", "")
    assoc = np.where(decided_by != "", "controller from associated actor " + decided_by, "")
    return _join(_join(prefix.astype(object), assoc.astype(object)), notes)


def _join(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise "a; b", leaving out empty parts."""
    both = (a != "") & (b != "")
    return np.where(both, a + "; " + b, a + b)
