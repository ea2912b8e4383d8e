"""Name matching, cheapest first: exact → normalized → skeleton (incl. Arabic script) → fuzzy.

Every tier is a dict lookup; the fuzzy tier scores with rapidfuzz only the names that share a
blocking key with the query (a one-edit skeleton neighbour or a distinctive word).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain
from operator import itemgetter

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .index import NameIndex, deletions, lookup
from .normalize import Keys, generic_tokens, token_skeletons

EXACT, NORMALIZED = 1.0, 0.95
APPROXIMATE = NORMALIZED  # qualities below this come from the skeleton or fuzzy tiers
CURATED_BONUS = 0.04  # an exact/normalized match on a curated alias (see NameIndex.curated)
SKELETON_BASE, SKELETON_SPAN = 0.52, 0.42
# Skeleton agreement across scripts says more the more consonants agree: "dr" (Daraya, Dar'a,
# Deir…) is weak, "kfrzt" (Kafr Zita) is strong.
# A Latin query is also compared with the place's Latin names directly, so its agreement with an
# Arabic name counts a little less than an Arabic query's agreement with a Latin name.
def cross_script_sim(q: Keys) -> float:
    return min(0.9, 0.45 + 0.1 * len(q.skeleton)) - (0.0 if q.arabic else 0.1)


GOOD_FUZZY = 0.85  # a typo candidate this close stops the neighbourhood from widening
STRONG_SKELETON = SKELETON_BASE + SKELETON_SPAN * 0.8
MIN_SKELETON_SIM = 0.6   # same skeleton but little else in common ("Xyzzyq" / "Khazak") is noise
FUZZY_BASE, FUZZY_SPAN, FUZZY_CUTOFF = 0.50, 0.42, 75.0
SUGGEST_CUTOFF = 60.0
MAX_BLOCK = 300  # words shared by more names than this do not block (too generic)
# fields of a skeleton bucket (see NameIndex._build_fuzzy_tables)
_LATIN_KEYS, _ARABIC_KEYS, _KEYS = itemgetter(4), itemgetter(5), itemgetter(0)



def typo_budget(length: int) -> int:
    """Edits (insert, delete, substitute, swap) a typo may make in a key of ``length`` letters:
    one up to 8 letters, one more per further 8. "Jibbehm" ~ "Jibbeh" (1 edit) is a typo;
    "Azmarin" ~ "Mardin" (3 edits in 7 letters) is another name."""
    return 1 + max(0, length - 1) // 8


def plausible_typo(ix: NameIndex, q: Keys, nid: int) -> bool:
    """A fuzzy candidate is kept only within the typo budget: same script compares normalized
    keys; across scripts only consonant skeletons compare, so at most one consonant may differ
    (two in skeletons of 7+ consonants)."""
    if q.arabic == ix.name_arabic[nid]:
        other = ix.name_norm[nid]
        return OSA.distance(q.normalized, other) <= typo_budget(max(len(q.normalized),
                                                                    len(other)))
    other = ix.name_skel[nid]
    return OSA.distance(q.skeleton, other) <= (1 if max(len(q.skeleton), len(other)) < 7 else 2)


# hits: place position → (quality, name id, how)
Hits = dict[int, tuple[float, int, str]]


def _add(hits: Hits, ix: NameIndex, nid: int, quality: float, how: str) -> None:
    pos = ix.name_place[nid]
    old = hits.get(pos)
    if old is None or quality > old[0]:
        hits[pos] = (quality, nid, how)


def find(ix: NameIndex, q: Keys, *, fuzzy: bool = True, skeleton: bool = True) -> Hits:
    hits: Hits = {}
    place = ix.name_place
    # (the two cheapest tiers inline: they settle most queries)
    nids = ix.exact.get(q.exact)
    if nids is not None:
        if isinstance(nids, int) and nids not in ix.curated:  # (the commonest hit, inline)
            hits[place[nids]] = (EXACT, nids, "exact")
        else:
            _add_exact(hits, ix, nids, EXACT, "exact")
    if q.normalized:
        nids = ix.norm.get(q.normalized)
        if nids is not None:
            _add_exact(hits, ix, nids, NORMALIZED, "arabic" if q.arabic else "normalized")
    if hits or not skeleton or len(q.skeleton) < 2:
        return hits
    group = ix.groups.get(q.skeleton)
    best = 0.0  # the best quality added below (results come best first)
    if group is not None:
        same_ids, same_keys, cross_ids = (group[2], group[3], group[0]) if q.arabic else \
            (group[0], group[1], group[2])
        if same_ids:
            keys_, members = group[5] if q.arabic else group[4]
            how = "arabic" if q.arabic else "skeleton"
            # One rapidfuzz call over the bucket's distinct keys, best first; a place keeps its
            # best-scoring name, the lowest name id among equals (as if every name were scored).
            for _, score, k in process.extract(q.normalized, keys_, scorer=fuzz.ratio,
                                               limit=None,
                                               score_cutoff=MIN_SKELETON_SIM * 100.0):
                quality = SKELETON_BASE + SKELETON_SPAN * (score / 100.0)
                if quality > best:
                    best = quality
                for nid in members[k]:
                    pos = place[nid]
                    old = hits.get(pos)
                    if old is None or (nid < old[1] and old[0] == quality):
                        hits[pos] = (quality, nid, how)
        if cross_ids and (q.arabic or len(q.skeleton) >= 3):
            # two Latin consonants against an Arabic spelling are noise ("Zzzzqqq" ~ "زاكية")
            quality = SKELETON_BASE + SKELETON_SPAN * cross_script_sim(q)
            if quality > best:
                best = quality
            for nid in cross_ids:
                pos = place[nid]
                old = hits.get(pos)
                if old is None or quality > old[0]:
                    hits[pos] = (quality, nid, "arabic")
    # Weak skeleton agreement ("Jibbehm" ~ "Jubb Hamam") must still meet the typo tier.
    if not fuzzy or best >= STRONG_SKELETON:
        return hits
    # (all three rings: one typed letter can move the skeleton two letters, "Jibbehm" ~ "jbhm")
    arabic = ix.name_arabic
    for nid, sim in typo_candidates(ix, q, cutoff=FUZZY_CUTOFF):
        how = "arabic" if q.arabic != arabic[nid] else "fuzzy"
        _add(hits, ix, nid, FUZZY_BASE + FUZZY_SPAN * sim, how)
    return hits


def _add_exact(hits: Hits, ix: NameIndex, nids: int | list[int], quality: float,
               how: str) -> None:
    """Exact and normalized hits (a table stores a bare int when a key names one name)."""
    curated = ix.curated
    for nid in (nids,) if isinstance(nids, int) else nids:
        qual = quality + CURATED_BONUS if nid in curated else quality
        pos = ix.name_place[nid]
        old = hits.get(pos)
        if old is None or qual > old[0]:
            hits[pos] = (qual, nid, how)


def skeleton_ring(ix: NameIndex, q: Keys, level: int) -> set[str]:
    """Skeletons at one ring of the query's SymSpell deletion neighbourhood: 1 = one letter
    more or less, 2 = one letter substituted, 3 = two extra letters (may repeat inner rings)."""
    return _ring(ix, q.skeleton, deletions(q.skeleton), level)


def _ring(ix: NameIndex, sk: str, dels: set[str], level: int) -> set[str]:
    """skeleton_ring with the query skeleton's deletions computed once by the caller."""
    deletes = ix.deletes
    if len(sk) == 2:
        return set(deletes.get(sk, ())) if level == 1 else set()
    if len(sk) < 3:
        return set()
    known = ix.skel
    if level == 1:
        skels = dels & known.keys()                        # query has an extra letter
        skels.update(deletes.get(sk, ()))                  # query misses a letter
        return skels
    skels = set()
    if level == 2:
        for d in dels:                                     # one letter substituted
            got = deletes.get(d)
            if got is not None:
                skels.update(got)
    elif level == 3 and len(sk) >= 4:                      # two extra letters
        skels = {d[:i] + d[i + 1:] for d in dels for i in range(len(d))} & known.keys()
    return skels


def blocked_skeletons(ix: NameIndex, q: Keys, *, level: int = 3) -> set[str]:
    """Skeletons near the query's, every ring up to ``level`` (see skeleton_ring)."""
    out: set[str] = set()
    for lv in range(1, level + 1):
        out |= skeleton_ring(ix, q, lv)
    return out


def blocked_words(ix: NameIndex, q: Keys) -> set[int]:
    """Names sharing a distinctive word with a multi-word query ("Arsal al-Ward" ~ "Assal
    al-Ward")."""
    out: set[int] = set()
    for block in _word_blocks(ix, q):
        out.update(block[0])
    return out


def _word_blocks(ix: NameIndex, q: Keys) -> list[tuple]:
    """The token_block entries of the query's distinctive words (none for one word, which
    the skeleton neighbourhood covers), words shared by more than MAX_BLOCK names left out."""
    toks = q.token_skeletons
    if len(toks) < 2:
        return []
    generic = _generic_skeletons()
    table = ix.token_block
    out = []
    for tok in set(toks):
        if len(tok) >= 2 and tok not in generic:
            block = table.get(tok)
            if block is not None and len(block[0]) <= MAX_BLOCK:
                out.append(block)
    return out


def _word_matches(ix: NameIndex, q: Keys, min_sim: float) -> list[tuple[int, float]]:
    """_extract over the names blocked_words gives in the query's script, best first and by
    name id among equals: one rapidfuzz call per word block (each holds its ids and keys per
    script), not a merged list rebuilt name by name."""
    blocks = _word_blocks(ix, q)
    if not blocks:
        return []
    at = 3 if q.arabic else 1
    if len(blocks) == 1:
        return _extract(q.normalized, blocks[0][at], blocks[0][at + 1], min_sim)
    found: dict[int, float] = {}
    for b in blocks:  # (a name in two blocks scores the same in both)
        found.update(_extract(q.normalized, b[at], b[at + 1], min_sim))
    return sorted(found.items(), key=_best_then_id)


def _best_then_id(t: tuple[int, float]) -> tuple[float, int]:
    return -t[1], t[0]


def blocked_names(ix: NameIndex, q: Keys) -> set[int]:
    """Every name id sharing a blocking key with the query (never the whole gazetteer)."""
    out = blocked_words(ix, q)
    for s in blocked_skeletons(ix, q):
        out.update(lookup(ix.skel, s))
    return out


def _extract(query: str, ids: list[int], choices: list[str], min_sim: float,
             factor: float = 1.0) -> list[tuple[int, float]]:
    """(name id, similarity ≥ min_sim) in one C call over ``choices`` (aligned with ids)."""
    if not ids:
        return []
    found = process.extract(query, choices, scorer=fuzz.ratio, limit=None,
                            score_cutoff=min(100.0, min_sim * 100.0 / factor))
    return [(ids[j], score * factor / 100.0) for _, score, j in found]


def _fuzzy_from(ix: NameIndex, q: Keys, skels: set[str], cutoff: float
                ) -> list[tuple[int, float]]:
    same_ids: list[int] = []
    same_keys: list[str] = []
    out: list[tuple[int, float]] = []
    factor = cross_script_sim(q)
    groups = ix.groups
    for sk in sorted(skels):  # sets iterate in hash order: sorted keeps ties reproducible
        g = groups[sk]
        if q.arabic:
            same_ids.extend(g[2])
            same_keys.extend(g[3])
            cross = g[0]
        else:
            same_ids.extend(g[0])
            same_keys.extend(g[1])
            cross = g[2]
        if cross:  # across scripts only consonant skeletons compare: one score per bucket
            sim = fuzz.ratio(q.skeleton, sk) / 100.0 * factor
            if sim * 100.0 >= cutoff:
                out.extend((nid, sim) for nid in cross)
    out += _extract(q.normalized, same_ids, same_keys, cutoff / 100.0)
    return out


def _typos_from(ix: NameIndex, q: Keys, skels: set[str], cutoff: float, factor: float
                ) -> list[tuple[int, float]]:
    """The plausible typos (see plausible_typo) among the names of ``skels``, at least
    ``cutoff`` similar. The ring's buckets are gathered whole by C-level maps, without a Python
    step per bucket: a key too long or too short for the typo budget is cheap for rapidfuzz to
    reject and fails the budget test anyway (|Δlen| ≤ OSA distance)."""
    qn, qsk = q.normalized, q.skeleton
    lq = len(qn)
    out: list[tuple[int, float]] = []
    sks = sorted(skels)  # sets iterate in hash order: sorted keeps ties reproducible
    gs = list(map(ix.groups.__getitem__, sks))
    distinct = list(map(_ARABIC_KEYS if q.arabic else _LATIN_KEYS, gs))
    lsk = len(qsk)
    # Across scripts only skeletons compare, one score per bucket; fuzz.ratio is at most
    # 1 - (fewest indels)/(total length), so a bucket's length alone can keep it under the cutoff
    # (an identical skeleton: fewest 0; another of the same length: 2). Most rings have no
    # length that can reach it, and skip the loop.
    if factor * 100.0 >= cutoff and (qsk in skels or any(
            (1.0 - (abs(ls - lsk) or 2) / (ls + lsk)) * factor * 100.0 >= cutoff - 1e-9
            for ls in set(map(len, sks)))):
        cross_at = 0 if q.arabic else 2
        for sk, g in zip(sks, gs, strict=True):
            cross = g[cross_at]
            if not cross:
                continue
            ls = len(sk)
            fewest = abs(ls - lsk) or (0 if sk == qsk else 2)
            if (1.0 - fewest / (ls + lsk)) * factor * 100.0 < cutoff - 1e-9:
                continue
            sim = fuzz.ratio(qsk, sk) / 100.0 * factor
            # (plausible_typo across scripts: at most one consonant apart, two from 7 up)
            if sim * 100.0 >= cutoff and OSA.distance(qsk, sk) <= (
                    1 if max(lsk, ls) < 7 else 2):
                out.extend((nid, sim) for nid in cross)
    keys_of = list(map(_KEYS, distinct))
    same_keys = list(chain.from_iterable(keys_of))
    if same_keys:  # (as _extract, fused with the typo budget test)
        ends: list[int] | None = None  # where each bucket's keys end in same_keys
        kept = []
        for _, score, j in process.extract(qn, same_keys, scorer=fuzz.ratio, limit=None,
                                           score_cutoff=min(100.0, cutoff / 100.0 * 100.0)):
            other = same_keys[j]
            longest = lq if lq >= len(other) else len(other)
            if OSA.distance(qn, other) <= 1 + (longest - 1) // 8:  # typo_budget(longest)
                if ends is None:
                    ends = list(accumulate(map(len, keys_of)))
                b = bisect_right(ends, j)
                kept.append((score, b, j, distinct[b][1][j - (ends[b - 1] if b else 0)]))
        if len({k[0] for k in kept}) < len(kept):
            # names of tying keys in gathering order (bucket, key length, name id), as if
            # every name had been scored
            ties = sorted((-score, b, len(same_keys[j]), nid)
                          for score, b, j, nids in kept for nid in nids)
            out += [(nid, -neg / 100.0) for neg, _, _, nid in ties]
        else:
            out += [(nid, score / 100.0) for score, _, _, nids in kept for nid in nids]
    return out


def typo_candidates(ix: NameIndex, q: Keys, *, cutoff: float) -> list[tuple[int, float]]:
    """fuzzy_candidates(typos_only=True): the skeleton rings, widened only while no plausible
    typo at least GOOD_FUZZY similar has been found, then the distinctive words."""
    out: list[tuple[int, float]] = []
    sk = q.skeleton
    dels = deletions(sk)
    factor = cross_script_sim(q)
    seen: set[str] = set()
    best = 0.0
    for level in (1, 2, 3):
        ring = _ring(ix, sk, dels, level)
        if seen:
            ring -= seen
        seen |= ring
        if ring:
            found = _typos_from(ix, q, ring, cutoff, factor)
            if found:
                out += found
                best = max(best, max(sim for _, sim in found))
        if best >= GOOD_FUZZY:
            break
    found = _word_matches(ix, q, cutoff / 100.0)
    if found:
        out += [t for t in found if plausible_typo(ix, q, t[0])]
    return out


def fuzzy_candidates(ix: NameIndex, q: Keys, *, cutoff: float, max_level: int = 3
                     ) -> list[tuple[int, float]]:
    """(name id, similarity) of names sharing a blocking key with the query, at least
    ``cutoff`` similar (the rings widen only while nothing close has been found); see
    typo_candidates for plausible typos only."""
    out: list[tuple[int, float]] = []
    seen: set[str] = set()
    dels = deletions(q.skeleton)
    for level in range(1, max_level + 1):  # widen only while nothing close has been found
        ring = _ring(ix, q.skeleton, dels, level) - seen
        seen |= ring
        out += _fuzzy_from(ix, q, ring, cutoff)
        if out and max(sim for _, sim in out) >= GOOD_FUZZY:
            break
    words = sorted(blocked_words(ix, q))
    if words:
        arabic = ix.name_arabic
        same = [i for i in words if arabic[i] == q.arabic]
        out += _extract(q.normalized, same, [ix.name_norm[i] for i in same], cutoff / 100.0)
    return out


_GENERIC: frozenset[str] | None = None


def _generic_skeletons() -> frozenset[str]:
    global _GENERIC
    if _GENERIC is None:
        _GENERIC = frozenset(s for g in generic_tokens() for s in token_skeletons(g))
    return _GENERIC
