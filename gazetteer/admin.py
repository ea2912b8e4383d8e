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

from .normalize import admin_words, tokens

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


def _admin_key(text: str) -> str:
    """Key of an admin name without "province"/"governorate"; rural words become "rif"."""
    toks = tokens(text)
    core = "".join(t for t in toks if t not in admin_words())
    if not core:
        return ""
    return ("rif" + core) if any(t in _RURAL for t in toks) else core


@cache
def _alias_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for area in admin_areas():
        for name in (area.name, *area.aliases):
            key = _admin_key(name)
            if key and area.id not in index.setdefault(key, []):
                index[key].append(area.id)
    return {k: tuple(v) for k, v in index.items()}


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
    index = _alias_index()
    for part in parts:
        ids = [i for i in index.get(_admin_key(part), ()) if i.startswith(f"{country}.")]
        if ids:
            return ids[0]
    best, best_score = "", 0.0
    for part in parts:
        key = _admin_key(part)
        for alias, ids in index.items():
            for admin_id in ids:
                if admin_id.startswith(f"{country}."):
                    score = fuzz.ratio(key, alias)
                    if score > best_score:
                        best, best_score = admin_id, score
    return best if best_score >= 85 else ""


def admin_hints(text: str) -> tuple[str, ...]:
    """Admin ids named by a hint such as "Hama province" or "Rif Dimashq" (any country)."""
    key = _admin_key(text)
    if not key:
        return ()
    ids = _alias_index().get(key, ())
    if not ids and key.startswith("rif"):  # "northern Hama countryside" -> Hama
        ids = _alias_index().get(key[3:], ())
    return ids


def admin_name(admin_id: str) -> str:
    for area in admin_areas():
        if area.id == admin_id:
            return area.name
    return ""
