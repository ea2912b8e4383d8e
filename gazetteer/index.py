"""The name index: every place name under its exact, normalized and skeleton keys (pure, no I/O).

Built once from the layered sources and pickled by ``cache.py``; the fuzzy blocking tables
(skeleton deletion neighbourhood, token skeletons) are derived lazily on the first fuzzy query so
a cold start only pays for the dict lookups it uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .admin import by_code, canonical_admin
from .normalize import generic_tokens, keys, token_skeletons
from .records import SourceRecord, unique_names
from .types import Place


def merge_records(records: Iterable[SourceRecord]) -> tuple[list[Place], dict[str, str]]:
    """Layer records in order: a later record with the same id overrides the earlier one's
    fields (empty fields keep the earlier value) and adds its names. Returns places and
    alt-id → id."""
    by_id: dict[str, Place] = {}
    alt: dict[str, str] = {}
    for rec in records:
        p = rec.place
        old = by_id.get(p.id)
        if old is not None:
            p = replace(
                p,
                country=p.country or old.country,
                admin1=p.admin1 or old.admin1,
                admin2=p.admin2 or old.admin2,
                kind=p.kind or old.kind,
                population=p.population or old.population,
                names=unique_names((p.name,), p.names, (old.name,), old.names),
                source=p.source if p.source == old.source else f"{old.source}+{p.source}",
            )
        by_id[p.id] = p
        for a in rec.alt_ids:
            alt[a] = p.id
    return list(by_id.values()), alt


class NameIndex:
    """Dict indexes from key → name ids; a name id points to its place through ``name_place``."""

    def __init__(self, places: list[Place], alt_ids: dict[str, str] | None = None):
        self.places = places
        self.id_to_pos = {p.id: i for i, p in enumerate(places)}
        for a, target in (alt_ids or {}).items():
            if target in self.id_to_pos and a not in self.id_to_pos:
                self.id_to_pos[a] = self.id_to_pos[target]
        self.admin_ids = [_admin_id(p) for p in places]
        self.name_place: list[int] = []
        self.name_text: list[str] = []
        self.name_norm: list[str] = []
        self.name_skel: list[str] = []
        self.name_arabic: list[bool] = []
        self.exact: dict[str, list[int]] = {}
        self.norm: dict[str, list[int]] = {}
        self.skel: dict[str, list[int]] = {}
        for pos, p in enumerate(places):
            for name in unique_names((p.name,), p.names):
                k = keys(name)
                nid = len(self.name_text)
                self.name_place.append(pos)
                self.name_text.append(name)
                self.name_norm.append(k.normalized)
                self.name_skel.append(k.skeleton)
                self.name_arabic.append(k.arabic)
                self.exact.setdefault(k.exact, []).append(nid)
                if k.normalized:
                    self.norm.setdefault(k.normalized, []).append(nid)
                if len(k.skeleton) >= 2:
                    self.skel.setdefault(k.skeleton, []).append(nid)
        self._deletes: dict[str, list[str]] | None = None
        self._token_block: dict[str, list[int]] | None = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_deletes"] = None
        state["_token_block"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    @property
    def deletes(self) -> dict[str, list[str]]:
        """Skeleton with one letter deleted → skeletons (SymSpell blocking for one-edit typos)."""
        if self._deletes is None:
            table: dict[str, list[str]] = {}
            for sk in self.skel:
                for d in deletions(sk):
                    table.setdefault(d, []).append(sk)
            self._deletes = table
        return self._deletes

    @property
    def token_block(self) -> dict[str, list[int]]:
        """Distinctive word skeleton → name ids ("Arsal al-Ward" meets "'Assal al-Ward")."""
        if self._token_block is None:
            generic = {s for g in generic_tokens() for s in token_skeletons(g)}
            table: dict[str, list[int]] = {}
            for nid, name in enumerate(self.name_text):
                toks = token_skeletons(name)
                if len(toks) < 2:
                    continue
                for t in set(toks):
                    if len(t) >= 2 and t not in generic:
                        table.setdefault(t, []).append(nid)
            self._token_block = table
        return self._token_block

    def __len__(self) -> int:
        return len(self.places)


def deletions(skeleton: str) -> set[str]:
    if len(skeleton) < 3:
        return set()
    return {skeleton[:i] + skeleton[i + 1:] for i in range(len(skeleton))}


def _admin_id(p: Place) -> str:
    if not p.admin1 or not p.country:
        return ""
    area = by_code(p.country, p.admin1) if p.admin1.isdigit() else None
    return area.id if area else canonical_admin(p.country, p.admin1)
