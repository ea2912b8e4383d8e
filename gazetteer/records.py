"""Internal record a reader yields: a Place plus the other ids it is known by in its source."""

from __future__ import annotations

from dataclasses import dataclass

from .types import Place

KINDS = ("city", "town", "village", "neighbourhood", "base", "airport", "crossing", "field", "dam",
         "hill", "region", "district")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    place: Place
    alt_ids: tuple[str, ...] = ()


def kind_from_population(population: int) -> str:
    """Populated-place kind when the source gives no better one."""
    if population >= 100_000:
        return "city"
    if population >= 10_000:
        return "town"
    return "village"


def usable_name(name: str) -> bool:
    """Keep Latin and Arabic names; drop codes ("DAM", "OSKL") and other scripts (not indexed)."""
    name = name.strip()
    if len(name) < 2 or len(name) > 200:
        return False
    if name.isupper() and name.isascii() and len(name) <= 4:
        return False
    for ch in name:
        o = ord(ch)
        if ch.isalpha() and not (o < 0x250 or 0x600 <= o <= 0x6FF or 0x750 <= o <= 0x77F
                                 or 0x1E00 <= o <= 0x1EFF or 0xFB50 <= o <= 0xFEFF):
            return False
    return True


def unique_names(*groups) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for n in group:
            n = " ".join(str(n).split())
            if n and n not in seen and usable_name(n):
                seen[n] = None
    return tuple(seen)
