"""Admin-1 areas (governorates, provinces) as data: canonical ids, names and aliases.

Places carry an admin id ("SY.10") so a hint like "in Hama province" can rank them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz

from .normalize import admin_words, direction_words, tokens

_PAREN_RE = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True, slots=True)
class AdminArea:
    id: str  # "SY.10"
    country: str
    code: str
    name: str
    aliases: tuple[str, ...]


@cache
def admin_areas() -> tuple[AdminArea, ...]:
    text = (resources.files("gazetteer") / "data" / "admin1.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        aliases = tuple(a for a in row["alt_names"].split("|") if a)
        out.append(AdminArea(f"{row['country']}.{row['code']}", row["country"], row["code"],
                             row["name"], aliases))
    return tuple(out)


_RURAL = frozenset({"countryside", "rural", "rif", "reef"})


def _admin_keys(text: str) -> tuple[str, str]:
    """(named, core) keys of an admin name or hint, without "province"/"governorate" (rural
    words become a "rif" prefix): ``named`` keeps direction words, ``core`` drops them too.
    "North Lebanon" and "northern Lebanon" are named "northlebanon"; "northern Hama" has core
    "hama"; "North" is named "north" with no core."""
    toks = tokens(text)
    generic, directions = admin_words(), direction_words()
    named = [directions.get(t, t) for t in toks if t not in generic]
    if not named:
        return "", ""
    core = "".join(t for t in named if t not in directions)
    prefix = "rif" if any(t in _RURAL for t in toks) else ""
    return prefix + "".join(named), prefix + core if core else ""


@cache
def _alias_index() -> dict[str, tuple[str, ...]]:
    """Admin key → area ids: every name and alias under its named key, and under its core key
    when that key belongs to one area only ("North Lebanon" and "South Lebanon" both have the
    core "lebanon", which therefore names neither)."""
    named: dict[str, list[str]] = {}
    core: dict[str, list[str]] = {}
    for area in admin_areas():
        for name in (area.name, *area.aliases):
            for index, key in zip((named, core), _admin_keys(name), strict=True):
                if key and area.id not in index.setdefault(key, []):
                    index[key].append(area.id)
    out = {k: tuple(v) for k, v in named.items()}
    for k, ids in core.items():
        if len(ids) == 1:
            out.setdefault(k, tuple(ids))
    return out


def _lookup(text: str) -> tuple[tuple[str, ...], str]:
    """Area ids for ``text`` by its named key, else its core key; and the core key."""
    named, core = _admin_keys(text)
    index = _alias_index()
    return index.get(named) or index.get(core, ()), core


def by_code(country: str, code: str) -> AdminArea | None:
    for area in admin_areas():
        if area.country == country and area.code == code:
            return area
    return None


@cache
def canonical_admin(country: str, text: str) -> str:
    """Admin id for a source's admin-1 text ("Hamah", "Homs (Hims)"), or "" when unknown.

    Exact alias match first, then each parenthesised part, then a close spelling (ratio ≥ 85)
    among the country's areas: sources misspell these ("Days Az Zawr")."""
    if not text:
        return ""
    parts = [_PAREN_RE.sub("", text), *_PAREN_RE.findall(text)]
    for part in parts:
        ids = [i for i in _lookup(part)[0] if i.startswith(f"{country}.")]
        if ids:
            return ids[0]
    best, best_score = "", 0.0
    for part in parts:
        key = _admin_keys(part)[0]
        for alias, ids in _alias_index().items():
            for admin_id in ids:
                if admin_id.startswith(f"{country}."):
                    score = fuzz.ratio(key, alias)
                    if score > best_score:
                        best, best_score = admin_id, score
    return best if best_score >= 85 else ""


def admin_hints(text: str) -> tuple[str, ...]:
    """Admin ids named by a hint such as "Hama province" or "Rif Dimashq" (any country); a bare
    direction ("the north") is none, though a source's admin-1 text "North" in Lebanon is
    North Lebanon (see canonical_admin)."""
    ids, core = _lookup(text)
    if not core:
        return ()
    if not ids and core.startswith("rif"):  # "northern Hama countryside" -> Hama
        ids = _alias_index().get(core[3:], ())
    return ids


def admin_name(admin_id: str) -> str:
    for area in admin_areas():
        if area.id == admin_id:
            return area.name
    return ""
