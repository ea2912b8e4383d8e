"""Actor mentions in text, through the factions file's aliases (plus a few generic words).

Short all-capital aliases ("IS", "SAA", "HTS") match case-sensitively so that "is" stays a verb;
everything else ignores case. Longest alias first, so "opposition forces" beats "opposition".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layers.factions import UnknownFaction, alias_key

from .lexicon import load


@dataclass(frozen=True, slots=True)
class Actor:
    start: int
    end: int
    text: str
    faction: str  # faction id


class ActorMatcher:
    """Finds faction mentions; built once per factions file."""

    def __init__(self, factions):
        self.factions = factions
        table: dict[str, str] = {}
        for f in factions:
            for text in (f.label, *f.aliases):
                table.setdefault(text, f.id)
        lex = load("actors")
        for word, alias in lex.get("generic", {}).items():
            if not alias:
                table.setdefault(word, "")
                continue
            try:
                table.setdefault(word, factions.resolve(alias).id)
            except UnknownFaction:
                continue  # this factions file has no such side: the generic word names nobody
        try:
            self.incumbent = factions.resolve(lex.get("incumbent", {}).get("alias", "")).id
        except UnknownFaction:
            self.incumbent = None
        exact = sorted((a for a in table if len(a) <= 3 and a.isupper()), key=len, reverse=True)
        loose = sorted((a for a in table if a not in exact), key=len, reverse=True)
        self._by_key = {alias_key(a): fid for a, fid in table.items()}
        self._generic = {alias_key(w) for w in lex.get("generic", {})}
        # one-word lower-case aliases are common nouns ("army", "regime"): a nationality can
        # override them
        self._common = {alias_key(a) for a in table if a.islower()}
        # nationality adjectives that name the home side in this factions file ("Syrian troops")
        self._home = {
            w
            for a in table
            for w in re.findall(
                r"\b([A-Z][a-z]+(?:ish|i|ian|an|ese))\s+(?:army|troops|forces|government)\b", a
            )
            if table[a] == _incumbent(lex, factions)
        }
        self._by_exact = {a: table[a] for a in exact}
        parts = []
        if exact:
            parts.append("(?-i:" + "|".join(re.escape(a) for a in exact) + ")")
        parts.append("|".join(_loose(a) for a in loose))
        self._rx = re.compile(
            r"(?<![\w-])(?:" + "|".join(parts) + r")(?:'s|’s)?(?![\w])", re.IGNORECASE
        )

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Actor]:
        out = []
        for m in self._rx.finditer(text, start, len(text) if end is None else end):
            raw = re.sub(r"['’]s$", "", m.group(0))
            fid = self._by_exact.get(raw) or self._by_key.get(alias_key(raw))
            key = alias_key(raw)
            if (
                key in self._generic
                and out
                and re.fullmatch(r"[\s-]*", text[out[-1].end : m.start()])
            ):
                continue  # "SDF troops": the generic word belongs to the actor just named
            if (
                fid
                and key in self._generic
                and raw[:1].isupper()
                and re.match(r"\s+[A-Z]", text[m.end() :])
                and m.start() > 0
                and not re.search(r"[.!?:]\s*$|^\s*$", text[: m.start()])
            ):
                continue  # "Akhtarin Military Council": part of a name, not the army
            if fid and (key in self._generic or key in self._common):
                # "Turkish troops", "Iraqi army": a nationality makes a generic word someone else's
                nat = re.search(
                    r"\b([A-Z][a-z]+(?:ish|i|ian|an|ese)|US|U\.S\.)\s+$",
                    text[max(0, m.start() - 20) : m.start()],
                )
                if nat:
                    try:
                        fid = self.factions.resolve(f"{nat.group(1)} forces").id
                    except UnknownFaction:
                        fid = "" if nat.group(1) not in self._home else fid
            if fid:
                out.append(Actor(m.start(), m.start() + len(raw), raw, fid))
        return out

    def resolve_word(self, word: str) -> str | None:
        """The faction of one phrase ("rebel", "regime", "Islamic State"), or None."""
        return self._by_exact.get(word) or self._by_key.get(alias_key(word)) or None


def _incumbent(lex, factions):
    try:
        return factions.resolve(lex.get("incumbent", {}).get("alias", "")).id
    except UnknownFaction:
        return None


def _loose(alias: str) -> str:
    # hyphens, spaces and apostrophes interchangeable ("al-Nusra" / "al Nusra")
    out = []
    for ch in alias:
        if ch in " -":
            out.append(r"[\s\-]+")
        elif ch in "'’ʿ":
            out.append("['’ʿ]?")
        else:
            out.append(re.escape(ch))
    return "".join(out)
