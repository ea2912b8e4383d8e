"""Curated alternate names (Kurdish, Turkish, exonyms…) for places the sources already hold.

``data/aliases.csv`` rows (alias, target, country, admin1, source) attach one more name to one
existing place: ``target`` is a place id (``geonames:173322``) or a name looked up among the
places of ``country`` (and ``admin1`` when given); the most populous match wins. A row whose
target is missing is reported, never guessed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from .admin import canonical_admin
from .errors import GazetteerDataError
from .normalize import normalized_key
from .records import unique_names, usable_name
from .types import Place

COLUMNS = ("alias", "target", "country", "admin1", "source")


@dataclass(frozen=True, slots=True)
class AliasRow:
    alias: str
    target: str
    country: str
    admin1: str
    source: str
    line: int


def default_path() -> Path:
    return Path(str(resources.files("gazetteer"))) / "data" / "aliases.csv"


def read_aliases(path: Path | None = None) -> tuple[list[AliasRow], list[str]]:
    """Rows of an alias file and the problems of rows that cannot be used (file:line: why)."""
    path = path or default_path()
    if not path.exists():
        return [], []
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise GazetteerDataError(f"{path}:1: missing column(s) {', '.join(missing)}; the header "
                                 f"must be {','.join(COLUMNS)}")
    rows, problems = [], []
    for line, r in enumerate(reader, start=2):
        alias, target = " ".join((r["alias"] or "").split()), (r["target"] or "").strip()
        source = (r["source"] or "").strip()
        if not usable_name(alias) or not target:
            problems.append(f"{path}:{line}: alias {alias!r} / target {target!r} unusable "
                            "(give a Latin or Arabic name and a place id or name)")
        elif not source.startswith("https://"):
            problems.append(f"{path}:{line}: source {source!r} must be an https URL")
        else:
            rows.append(AliasRow(alias, target, (r["country"] or "").strip().upper(),
                                 (r["admin1"] or "").strip(), source, line))
    return rows, problems


def _targets(places: list[Place], rows: Iterable[AliasRow]) -> dict[tuple[str, str], list[int]]:
    """(country, normalized name) → place positions, for the countries the rows name."""
    countries = {r.country for r in rows}
    out: dict[tuple[str, str], list[int]] = {}
    for pos, p in enumerate(places):
        if p.country in countries:
            for key in {normalized_key(n) for n in (p.name, *p.names)}:
                out.setdefault((p.country, key), []).append(pos)
    return out


def apply_aliases(places: list[Place], rows: list[AliasRow], *, path: str = "aliases",
                  alt_ids: dict[str, str] | None = None
                  ) -> tuple[list[Place], dict[str, tuple[str, ...]], list[str]]:
    """Places with the aliases added as names, place id → its curated aliases, problems."""
    if not rows:
        return places, {}, []
    by_id = {p.id: i for i, p in enumerate(places)}
    for alt, target in (alt_ids or {}).items():
        if target in by_id:
            by_id.setdefault(alt, by_id[target])
    index = _targets(places, [r for r in rows if ":" not in r.target])
    added: dict[int, list[str]] = {}
    problems = []
    for r in rows:
        if ":" in r.target:
            pos = by_id.get(r.target)
            found = [] if pos is None else [pos]
        else:
            found = index.get((r.country, normalized_key(r.target)), [])
            if r.admin1:
                want = canonical_admin(r.country, r.admin1)
                found = [i for i in found if canonical_admin(r.country, places[i].admin1) == want]
        if not found:
            problems.append(f"{path}:{r.line}: target {r.target!r} ({r.country} {r.admin1}) is "
                            f"not in the gazetteer; alias {r.alias!r} not added")
            continue
        # most populous, then earliest in source order: a deterministic choice
        pos = min(found, key=lambda i: (-places[i].population, i))
        added.setdefault(pos, []).append(r.alias)
    out = list(places)
    for pos, names in added.items():
        out[pos] = replace(out[pos], names=unique_names(out[pos].names, names))
    curated = {out[pos].id: tuple(names) for pos, names in added.items()}
    return out, curated, problems
