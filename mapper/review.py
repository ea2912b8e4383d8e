"""The review page: proposals from ``frontline extract`` → one self-contained HTML file where a
person accepts, edits or rejects each row and downloads the accepted ones as an events CSV.

Pure: ``review_rows(records)`` turns proposal records into what the page shows (mention spans,
safe links, coordinates), ``review_html(rows, …)`` renders the page text; the CLI reads and writes.
The page needs no network: its CSS and JS are inlined and the small map is SVG drawn from the
rows' coordinates. Every user string reaches the page as JSON in a ``<script type=
"application/json">`` block (``escape.script_json``, which cannot close the tag) and is put into
the DOM with ``textContent``; only http(s) URLs become links.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass
from importlib import resources

from . import escape

# Columns a proposals file must have; the others are optional (absent → defaults).
REQUIRED: tuple[str, ...] = ("place", "controller", "evidence")
# Columns of the CSV the page downloads (an events file `frontline events check` reads).
EVENT_COLUMNS: tuple[str, ...] = ("date", "place", "place_id", "lat", "lon", "controller",
                                  "status", "kind", "certainty", "source", "note")
KINDS: tuple[str, ...] = ("change", "state")
CERTAINTIES: tuple[str, ...] = ("confirmed", "claimed")
_MARKER = re.compile(r"/\*\{\{(\w+)\}\}\*/")
_TRUE = {"true", "1", "yes", "y", "t"}


class ProposalsFileError(ValueError):
    """A proposals file the page cannot be built from (names the file, line and column)."""


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One proposal as the page shows it."""

    line: int
    date: str
    date_precision: str
    place: str
    place_id: str
    lat: float | None
    lon: float | None
    controller: str
    kind: str
    certainty: str
    confidence: str
    evidence: str
    mention: str
    mention_span: tuple[int, int] | None
    source_file: str
    source: str
    source_url: str | None
    needs_place: bool
    suggestions: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "line": self.line, "date": self.date, "precision": self.date_precision,
            "place": self.place, "place_id": self.place_id, "lat": self.lat, "lon": self.lon,
            "controller": self.controller, "kind": self.kind, "certainty": self.certainty,
            "confidence": self.confidence, "evidence": self.evidence, "mention": self.mention,
            "span": list(self.mention_span) if self.mention_span else None,
            "source_file": self.source_file, "source": self.source, "url": self.source_url,
            "needs_place": self.needs_place, "suggestions": list(self.suggestions),
        }


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _coord(value, bound: float, *, path: str, line: int, column: str) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (-bound <= v <= bound):
        raise ProposalsFileError(
            f"{path}:{line}:{column}: {text!r} is not a coordinate (decimal degrees, "
            f"-{bound:g}..{bound:g}). Fix the value or leave it empty and set it on the page.")
    return v


def _suggestions(value) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        items = [_text(v) for v in value]
    else:
        items = [s.strip() for s in _text(value).replace("|", ";").split(";")]
    return tuple(dict.fromkeys(s for s in items if s))


def mention_span(evidence: str, mention: str) -> tuple[int, int] | None:
    """Where ``mention`` first occurs in ``evidence`` (case-insensitive), as [start, end)."""
    if not mention or not evidence:
        return None
    at = evidence.casefold().find(mention.casefold())
    # casefold can change lengths (ß → ss); only keep spans that line up with the original text
    if at < 0 or evidence[at:at + len(mention)].casefold() != mention.casefold():
        at = evidence.find(mention)
        if at < 0:
            return None
    return at, at + len(mention)


def review_rows(records: list[dict], *, path: str = "proposals", first_line: int = 2
                ) -> list[ReviewRow]:
    """Proposal records (``extract.read_rows``) → rows for the page; ProposalsFileError naming
    the file, line and column for a file that is not a proposals file."""
    if records:
        missing = [c for c in REQUIRED if c not in records[0]]
        if missing:
            raise ProposalsFileError(
                f"{path}: missing column(s) {', '.join(missing)}; this page reads the output of "
                "`frontline extract` (CSV or JSON lines)")
    rows = []
    for i, rec in enumerate(records):
        line = first_line + i
        lat = _coord(rec.get("lat"), 90, path=path, line=line, column="lat")
        lon = _coord(rec.get("lon"), 180, path=path, line=line, column="lon")
        needs = _text(rec.get("needs_place")).casefold() in _TRUE
        place_id = "" if needs else _text(rec.get("place_id"))
        if (lat is None) != (lon is None):
            lat = lon = None
        evidence, mention = _text(rec.get("evidence")), _text(rec.get("mention"))
        place = _text(rec.get("place"))
        source = _text(rec.get("source")) or _text(rec.get("source_file"))
        kind = _text(rec.get("kind")).casefold()
        certainty = _text(rec.get("certainty")).casefold()
        rows.append(ReviewRow(
            line=line, date=_text(rec.get("date")), date_precision=_text(rec.get("date_precision")),
            place=place, place_id=place_id, lat=lat, lon=lon,
            controller=_text(rec.get("controller")),
            kind=kind if kind in KINDS else "change",
            certainty=certainty if certainty in CERTAINTIES else "confirmed",
            confidence=_text(rec.get("confidence")), evidence=evidence, mention=mention or place,
            mention_span=mention_span(evidence, mention or place),
            source_file=_text(rec.get("source_file")), source=source,
            source_url=escape.safe_url(source), needs_place=needs or (not place_id and lat is None),
            suggestions=_suggestions(rec.get("suggestions")),
        ))
    return rows


def extent(rows: list[ReviewRow]) -> list[float]:
    """[west, south, east, north] around every located row, padded (a default when none)."""
    pts = [(r.lon, r.lat) for r in rows if r.lat is not None]
    if not pts:
        return [-180.0, -60.0, 180.0, 75.0]
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    w, e, s, n = min(lons), max(lons), min(lats), max(lats)
    pad = max(0.3, 0.08 * max(e - w, n - s))
    return [round(w - pad, 4), round(max(s - pad, -85), 4), round(e + pad, 4),
            round(min(n + pad, 85), 4)]


def outline_lines(lines, box: list[float], *, detail: int = 600) -> list[list[float]]:
    """Border lines (a shapely (multi)linestring, e.g. ``pipeline.read_outlines``) inside
    ``box`` as flat ``[lon, lat, lon, lat, …]`` lists, simplified to about 1/``detail`` of the
    box and rounded, so a world file adds kilobytes, not megabytes, to the page."""
    import numpy as np
    import shapely

    if lines is None or shapely.is_empty(lines):
        return []
    w, s, e, n = box
    tol = max(e - w, n - s) / detail
    parts = shapely.get_parts(shapely.simplify(shapely.clip_by_rect(lines, w, s, e, n), tol))
    parts = parts[~shapely.is_empty(parts)]
    out = []
    for part in shapely.get_parts(parts):
        xy = np.round(shapely.get_coordinates(part), 3)
        if len(xy) >= 2:
            out.append(xy.ravel().tolist())
    return out


def _asset(name: str) -> str:
    return resources.files("mapper").joinpath("templates", name).read_text(encoding="utf-8")


def review_html(rows: list[ReviewRow], *, factions, title: str, source_name: str,
                outlines: list[list[float]] | None = None) -> str:
    """The page (deterministic: same rows → same bytes); ``outlines`` (``outline_lines``) are
    drawn under the points of every small map."""
    faction_list = [[f.id, f.label, f.colour] for f in factions]
    data = {
        "title": title, "file": source_name, "rows": [r.to_json() for r in rows],
        "factions": faction_list, "extent": extent(rows), "outlines": outlines or [],
        "columns": list(EVENT_COLUMNS),
        "kinds": list(KINDS), "certainties": list(CERTAINTIES),
        "download": _download_name(source_name),
        "key": hashlib.sha256(escape.script_json([r.to_json() for r in rows]).encode()
                              ).hexdigest()[:16],
    }
    js = _asset("review.js").replace("</", "<\\/")
    # the page's Content-Security-Policy lets only this script run: no injected script or
    # inline event handler could, even if some string escaped its escaping
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    values = {"title": escape.text(title), "css": _asset("review.css"), "js": js,
              "csp": f"sha256-{digest}", "data": escape.script_json(data)}
    # one pass, so a marker inside a value (a title, a row) is never substituted again
    return _MARKER.sub(lambda m: values[m.group(1)], _asset("review.html"))


def _download_name(source_name: str) -> str:
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "proposals"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60]
    return f"{safe}-accepted.csv"
