"""Resolve a list of names (a document, an events file) into report rows, using the names that
resolve clearly as context for the rest: a second pass ranks every name near its neighbours."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import AmbiguousPlace, PlaceNotFound, ResolverUnavailable, describe
from .gazetteer import Gazetteer
from .normalize import clean
from .types import Candidate

TOP_CANDIDATES = 5


@dataclass(frozen=True)
class Resolution:
    query: str
    candidate: Candidate | None
    candidates: tuple[Candidate, ...]
    error: str = ""  # "" | not_found | ambiguous
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        cands = [c.to_dict() for c in self.candidates[:TOP_CANDIDATES]]
        if self.candidate is None:
            row = {"query": self.query, "error": self.error, "suggestions": list(self.suggestions)}
            if self.error == "ambiguous":
                row["candidates"] = cands
            return row
        p = self.candidate.place
        return {"query": self.query, "id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon,
                "country": p.country, "admin1": p.admin1, "kind": p.kind,
                "score": round(self.candidate.score, 4), "matched": self.candidate.matched,
                "how": self.candidate.how, "candidates": cands}


def resolve_one_row(gz: Gazetteer, name: str, *, ctx, ranked=None) -> Resolution:
    """The Resolution of one name; ``ranked`` (its Gazetteer.rank_many answer under ``ctx``)
    saves ranking it again."""
    if ranked is None:
        ranked = gz.rank_many([name], context=ctx)[0]
    cands = ranked.candidates
    if cands:
        if ranked.ambiguous:  # (what resolve_one's AmbiguousPlace would carry)
            return Resolution(name, None, tuple(cands), "ambiguous", tuple(map(describe, cands)))
        return Resolution(name, cands[0], tuple(cands[:TOP_CANDIDATES]))
    if gz.online is None:  # not found, and no online fallback: did-you-mean suggestions
        return Resolution(name, None, (), "not_found", tuple(gz.suggestions(name)))
    try:  # not found here: the online fallback
        best = gz.resolve_one(name, context=ctx)
    except AmbiguousPlace as exc:
        return Resolution(name, None, tuple(exc.candidates), "ambiguous", tuple(exc.suggestions))
    except PlaceNotFound as exc:
        return Resolution(name, None, (), "not_found", tuple(exc.suggestions))
    except ResolverUnavailable as exc:  # the online fallback failed: this name only
        return Resolution(name, None, (), "not_found", (f"online lookup failed: {exc}",))
    return Resolution(name, best, tuple(gz.resolve(name, context=ctx, limit=TOP_CANDIDATES)))


def resolve_many(gz: Gazetteer, names: Sequence[str], *, country=None, near=None,
                 context: Iterable | None = None, document_context: bool = True
                 ) -> list[Resolution]:
    """One Resolution per input name, in input order. With ``document_context`` the names that
    resolve clearly become context for the ambiguous ones (a second, cheap pass)."""
    base = gz.context(country=country, near=near, context=context)
    found = gz.find_many(names)  # (context-free: the second pass ranks the same hits)
    ranked = gz.rank_many(names, context=base, found=found)
    # The ambiguous names' rows wait for the second pass, which ranks them again.
    rows: list[Resolution | None] = [
        None if r.candidates and r.ambiguous else resolve_one_row(gz, n, ctx=base, ranked=r)
        for n, r in zip(names, ranked, strict=True)]
    unsure = [n for n, row in zip(names, rows, strict=True) if row is None]
    anchors = [row.candidate.place for row in rows
               if row is not None and row.candidate is not None]
    if document_context and len(names) >= 2 and anchors and unsure:
        # Names that resolved clearly are the context of those that did not.
        ctx = gz.context(country=country, near=near, context=[*(context or ()), *anchors])
        again = iter(gz.rank_many(unsure, context=ctx, found=found))
    else:
        ctx = base
        again = iter([r for r, row in zip(ranked, rows, strict=True) if row is None])
    return [row if row is not None else resolve_one_row(gz, n, ctx=ctx, ranked=next(again))
            for n, row in zip(names, rows, strict=True)]


def read_names(lines: Iterable[str]) -> tuple[list[str], int]:
    """Names from text lines (one per line); returns names and the count of blank lines."""
    names, blank = [], 0
    for line in lines:
        name = clean(line)
        if name:
            names.append(name)
        else:
            blank += 1
    return names, blank
