"""Name matching, cheapest first: exact → normalized → skeleton (incl. Arabic script) → fuzzy.

Every tier is a dict lookup; the fuzzy tier scores with rapidfuzz only the names that share a
blocking key with the query (a one-edit skeleton neighbour or a distinctive word).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from .index import NameIndex, deletions, lookup
from .normalize import Keys, generic_tokens, token_skeletons

EXACT, NORMALIZED = 1.0, 0.95
SKELETON_BASE, SKELETON_SPAN = 0.52, 0.42
# Skeleton agreement across scripts says more the more consonants agree: "dr" (Daraya, Dar'a,
# Deir…) is weak, "kfrzt" (Kafr Zita) is strong.
# A Latin query is also compared with the place's Latin names directly, so its agreement with an
# Arabic name counts a little less than an Arabic query's agreement with a Latin name.
def cross_script_sim(q: Keys) -> float:
    return min(0.9, 0.45 + 0.1 * len(q.skeleton)) - (0.0 if q.arabic else 0.1)


STRONG_SKELETON = SKELETON_BASE + SKELETON_SPAN * 0.8
MIN_SKELETON_SIM = 0.6   # same skeleton but little else in common ("Xyzzyq" / "Khazak") is noise
FUZZY_BASE, FUZZY_SPAN, FUZZY_CUTOFF = 0.50, 0.42, 75.0
SUGGEST_CUTOFF = 60.0
MAX_BLOCK = 3000  # words shared by more names than this do not block (too generic)

# hits: place position → (quality, name id, how)
Hits = dict[int, tuple[float, int, str]]


def _add(hits: Hits, ix: NameIndex, nid: int, quality: float, how: str) -> None:
    pos = ix.name_place[nid]
    old = hits.get(pos)
    if old is None or quality > old[0]:
        hits[pos] = (quality, nid, how)


def similarity(q: Keys, ix: NameIndex, nid: int) -> tuple[float, bool]:
    """0–1 similarity of query and name; True when the scripts differ (compared on skeletons)."""
    if q.arabic == ix.name_arabic[nid]:
        return fuzz.ratio(q.normalized, ix.name_norm[nid]) / 100.0, False
    return fuzz.ratio(q.skeleton, ix.name_skel[nid]) / 100.0, True


def find(ix: NameIndex, q: Keys, *, fuzzy: bool = True, skeleton: bool = True) -> Hits:
    hits: Hits = {}
    for nid in lookup(ix.exact, q.exact):
        _add(hits, ix, nid, EXACT, "exact")
    for nid in lookup(ix.norm, q.normalized) if q.normalized else ():
        _add(hits, ix, nid, NORMALIZED, "arabic" if q.arabic else "normalized")
    if hits or not skeleton or len(q.skeleton) < 2:
        return hits
    for nid in lookup(ix.skel, q.skeleton):
        sim, cross = similarity(q, ix, nid)
        if cross:
            if not q.arabic and len(q.skeleton) < 3:
                continue  # two Latin consonants against an Arabic spelling: noise ("Zzzzqqq")
            sim = cross_script_sim(q)
        elif sim < MIN_SKELETON_SIM:
            continue
        how = "arabic" if (q.arabic or ix.name_arabic[nid]) else "skeleton"
        _add(hits, ix, nid, SKELETON_BASE + SKELETON_SPAN * sim, how)
    # Weak skeleton agreement ("Jibbehm" ~ "Jubb Hamam") must still meet the typo tier.
    if not fuzzy or (hits and max(h[0] for h in hits.values()) >= STRONG_SKELETON):
        return hits
    for nid, sim in fuzzy_candidates(ix, q, cutoff=FUZZY_CUTOFF):
        how = "arabic" if q.arabic != ix.name_arabic[nid] else "fuzzy"
        _add(hits, ix, nid, FUZZY_BASE + FUZZY_SPAN * sim, how)
    return hits


def blocked_names(ix: NameIndex, q: Keys) -> set[int]:
    """Name ids sharing a blocking key with the query (never the whole gazetteer)."""
    sk = q.skeleton
    skels: set[str] = set()
    if len(sk) >= 3:
        dels = deletions(sk)
        skels.update(d for d in dels if d in ix.skel)          # query has an extra letter
        skels.update(ix.deletes.get(sk, ()))                    # query misses a letter
        for d in dels:                                          # one letter substituted
            skels.update(ix.deletes.get(d, ()))
            if len(sk) >= 4:                                    # two extra letters
                skels.update(d2 for d2 in deletions(d) if d2 in ix.skel)
    elif len(sk) == 2:
        skels.update(ix.deletes.get(sk, ()))
    out: set[int] = set()
    for s in skels:
        out.update(lookup(ix.skel, s))
    generic = _generic_skeletons()
    for tok in set(token_skeletons(q.exact)):
        if len(tok) >= 2 and tok not in generic:
            block = ix.token_block.get(tok, ())
            if len(block) <= MAX_BLOCK:
                out.update(block)
    return out


def fuzzy_candidates(ix: NameIndex, q: Keys, *, cutoff: float) -> list[tuple[int, float]]:
    out = []
    for nid in blocked_names(ix, q):
        sim, cross = similarity(q, ix, nid)
        if cross:
            sim *= cross_script_sim(q)
        if sim * 100.0 >= cutoff:
            out.append((nid, sim))
    return out


_GENERIC: frozenset[str] | None = None


def _generic_skeletons() -> frozenset[str]:
    global _GENERIC
    if _GENERIC is None:
        _GENERIC = frozenset(s for g in generic_tokens() for s in token_skeletons(g))
    return _GENERIC
