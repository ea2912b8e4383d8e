"""The name index: every place name under its exact, normalized and skeleton keys (pure, no I/O).

Built once from the layered sources and pickled by ``cache.py``; the fuzzy blocking tables
(skeleton deletion neighbourhood, token skeletons) are derived lazily on the first fuzzy query so
a cold start only pays for the dict lookups it uses.
"""

from __future__ import annotations

import gc
import pickle
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from pathlib import Path

from ._io import atomic_write_bytes
from .admin import admin_areas, by_code, canonical_admin
from .normalize import generic_tokens, is_arabic, keys, token_skeletons
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
            # The display name stays the earlier one (stable labels for maps and events
            # files) unless only the newer one is in Latin script; new names become aliases.
            keep_old_name = not (is_arabic(old.name) and not is_arabic(p.name))
            p = replace(
                p,
                name=old.name if keep_old_name else p.name,
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

    def __init__(self, places: list[Place], alt_ids: dict[str, str] | None = None, *,
                 curated: dict[str, tuple[str, ...]] | None = None):
        self.places = places
        self.id_to_pos = {p.id: i for i, p in enumerate(places)}
        for a, target in (alt_ids or {}).items():
            if target in self.id_to_pos and a not in self.id_to_pos:
                self.id_to_pos[a] = self.id_to_pos[target]
        self.admin_ids = [_admin_id(p) for p in places]
        # One spelling per admin area across sources ("Dar`a", "Daraa" → "Daraa").
        names = {a.id: a.name for a in admin_areas()}
        places = self.places = [
            replace(p, admin1=names[a]) if a and names.get(a, p.admin1) != p.admin1 else p
            for p, a in zip(places, self.admin_ids, strict=True)]
        # Plain tuples (id, name, lat, lon, country, admin1, admin2, kind, population, source):
        # ranking reads these without building Place objects.
        self.rows = [astuple_fast(p)[:-2] + (p.source,) for p in places]
        self.name_place: list[int] | array = []
        self.name_text: list[str] = []
        self.name_norm: list[str] = []
        self.name_skel: list[str] = []
        self.name_arabic: list[bool] = []
        self.exact: dict[str, list[int]] = {}
        self.norm: dict[str, list[int]] = {}
        self.skel: dict[str, list[int]] = {}
        # Name ids of curated aliases (data/aliases.csv): a sourced alias outranks another
        # place's unsourced alternate name of the same spelling.
        self.curated: frozenset[int] = frozenset()
        chosen: list[int] = []
        for pos, p in enumerate(places):
            mine = curated.get(p.id, ()) if curated else ()
            for name in unique_names((p.name,), p.names):
                k = keys(name)
                nid = len(self.name_text)
                if mine and name in mine:
                    chosen.append(nid)
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
        self.curated = frozenset(chosen)
        # Name id → place position as one flat array: the matchers read it for every name a
        # bucket gives, and a list's int objects would be scattered over the heap.
        self.name_place = array("l", self.name_place)
        self._deletes: dict[str, list[str]] | None = None
        self._token_block: dict[str, list[int]] | None = None
        self._groups: dict | None = None

        self.fuzzy_cache: Path | None = None  # set by load(): where the blocking tables live
        # The region's core countries (regions.toml `countries`), set by load(): ranking puts
        # border-zone places below core ones of similar match quality. Empty: no such prior.
        self.core_countries: frozenset[str] = frozenset()
        # 1 per place that only a user import knows (set by load() when imports exist; empty:
        # every place is listed by the embedded or curated layers). See rank.LISTED_BONUS.
        self.unlisted: bytes = b""

    def __getstate__(self):
        state = self.__dict__.copy()
        # Places as plain tuples without names (rebuilt from name_text, where a place's names
        # are contiguous): unpickling tuples is C-fast, dataclass instances are not.
        del state["places"]
        starts, last = [], -1
        for nid, pos in enumerate(self.name_place):
            while last < pos:
                starts.append(nid)
                last += 1
        starts.extend([len(self.name_place)] * (len(self.places) + 1 - len(starts)))
        state["name_start"] = starts
        for table in ("exact", "norm", "skel"):  # most keys name one name: store a bare int
            state[table] = {k: (v[0] if not isinstance(v, int) and len(v) == 1 else v)
                            for k, v in state[table].items()}
        state["_deletes"] = None
        state["_token_block"] = None
        state["_groups"] = None
        for derived in ("_static_tables", "_admin_extent"):
            state.pop(derived, None)
        state["fuzzy_cache"] = None
        state["core_countries"] = frozenset()
        return state

    def __setstate__(self, state):
        state["places"] = _LazyPlaces(state["rows"], state.pop("name_start"),
                                      state["name_text"])
        self.__dict__.update(state)

    def _fuzzy_tables(self) -> None:
        if self._deletes is not None:
            return
        try:
            self._load_fuzzy_tables()
        finally:
            gc.freeze()  # long-lived tables: out of the cyclic GC's way (see load())

    def _load_fuzzy_tables(self) -> None:
        path = self.fuzzy_cache
        if path is not None and path.exists():
            try:
                gc.disable()  # unpickling many small containers: the GC only slows it
                try:
                    with open(path, "rb") as fh:
                        self._deletes, self._token_block, self._groups = pickle.load(fh)
                finally:
                    gc.enable()
                return
            except Exception:  # noqa: BLE001 - unreadable cache: rebuild
                pass
        self._deletes, self._token_block, self._groups = self._build_fuzzy_tables()
        if path is not None:
            try:
                atomic_write_bytes(path, pickle.dumps((self._deletes, self._token_block,
                                                       self._groups),
                                                      protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                pass

    def _build_fuzzy_tables(self) -> tuple[dict, dict, dict]:
        deletes: dict[str, list[str]] = {}
        for sk in self.skel:
            for d in deletions(sk):
                deletes.setdefault(d, []).append(sk)
        generic = {s for g in generic_tokens() for s in token_skeletons(g)}
        words: dict[str, list[int]] = {}
        for nid, name in enumerate(self.name_text):
            toks = token_skeletons(name)
            if len(toks) < 2:
                continue
            for t in set(toks):
                if len(t) >= 2 and t not in generic:
                    words.setdefault(t, []).append(nid)
        # word skeleton → (all its name ids, Latin ids, their keys, Arabic ids, their keys)
        block: dict[str, tuple[list[int], list[int], list[str], list[int], list[str]]] = {}
        for t, nids in words.items():
            latin = [i for i in nids if not self.name_arabic[i]]
            arabic = [i for i in nids if self.name_arabic[i]]
            block[t] = (nids, latin, [self.name_norm[i] for i in latin],
                        arabic, [self.name_norm[i] for i in arabic])
        # skeleton → (Latin name ids, their normalized keys, Arabic ids, their normalized keys):
        # a bucket is scored by one rapidfuzz call, without a Python loop over its names.
        # Plus, per script, the bucket's distinct keys and their names (Latin at 4, Arabic at 5;
        # see _distinct_keys): a key is scored once however many names share it.
        groups: dict[str, tuple] = {}
        for sk in self.skel:
            g: tuple[list, list, list, list] = ([], [], [], [])
            for nid in lookup(self.skel, sk):
                k = 2 if self.name_arabic[nid] else 0
                g[k].append(nid)
                g[k + 1].append(self.name_norm[nid])
            groups[sk] = (*g, _distinct_keys(g[0], g[1], self.name_place),
                          _distinct_keys(g[2], g[3], self.name_place))
        return deletes, block, groups

    @property
    def groups(self) -> dict[str, tuple]:
        got = self._groups
        if got is None:  # (read on every fuzzy query: no call once loaded)
            self._fuzzy_tables()
            got = self._groups
        return got

    @property
    def deletes(self) -> dict[str, list[str]]:
        """Skeleton with one letter deleted → skeletons (SymSpell blocking for one-edit typos)."""
        got = self._deletes
        if got is None:  # (read on every fuzzy query: no call once loaded)
            self._fuzzy_tables()
            got = self._deletes
        return got

    @property
    def token_block(self) -> dict[str, tuple[list[int], list[int], list[str], list[int],
                                              list[str]]]:
        """Distinctive word skeleton → (name ids, Latin ids, their normalized keys, Arabic ids,
        their keys) ("Arsal al-Ward" meets "'Assal al-Ward")."""
        got = self._token_block
        if got is None:  # (read on every fuzzy query: no call once loaded)
            self._fuzzy_tables()
            got = self._token_block
        return got

    def __len__(self) -> int:
        return len(self.places)


def lookup(table: dict, key: str) -> tuple[int, ...] | list[int]:
    """Name ids under ``key`` (tables store a bare int when a key names one name)."""
    v = table.get(key, ())
    return (v,) if isinstance(v, int) else v


class _LazyPlaces(Sequence):
    """Places built on first access from pickled tuples (a cold start touches only a few)."""

    def __init__(self, rows: list[tuple], starts: list[int], name_text: list[str]):
        self._rows, self._starts, self._names = rows, starts, name_text
        self.built: list[Place | None] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        p = self.built[i]
        if p is None:
            t = self._rows[i]
            names = tuple(self._names[self._starts[i]:self._starts[i + 1]])
            p = self.built[i] = Place(*t[:-1], names=names, source=t[-1])
        return p

    def __reduce__(self):
        return (list, (list(self),))


_PLACE_FIELDS = tuple(f.name for f in fields(Place))


def astuple_fast(p: Place) -> tuple:
    return tuple(getattr(p, f) for f in _PLACE_FIELDS)


def _distinct_keys(ids: list[int], norms: list[str], name_place
                   ) -> tuple[list[str], list[tuple[int, ...]]]:
    """The distinct keys of a bucket and the name ids of each (in id order), ordered by
    (length, first id): a key shared by many names is scored once. A key keeps one name per
    place, its lowest id: the matchers keep a place's first name among equally scored ones, so
    the others could never be chosen."""
    members: dict[str, list[int]] = {}
    for nid, norm in sorted(zip(ids, norms, strict=True)):
        members.setdefault(norm, []).append(nid)
    order = sorted(members, key=lambda k: (len(k), members[k][0]))
    return order, [_first_per_place(members[k], name_place) for k in order]


def _first_per_place(nids: list[int], name_place) -> tuple[int, ...]:
    """``nids`` (ascending) without the names of a place seen earlier in the list."""
    seen: set[int] = set()
    out = []
    for nid in nids:
        pos = name_place[nid]
        if pos not in seen:
            seen.add(pos)
            out.append(nid)
    return tuple(out)


def deletions(skeleton: str) -> set[str]:
    if len(skeleton) < 3:
        return set()
    return {skeleton[:i] + skeleton[i + 1:] for i in range(len(skeleton))}


def _admin_id(p: Place) -> str:
    if not p.admin1 or not p.country:
        return ""
    area = by_code(p.country, p.admin1) if p.admin1.isdigit() else None
    return area.id if area else canonical_admin(p.country, p.admin1)
