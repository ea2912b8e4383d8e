"""The matcher's plain definition, for tests: every name is scored on its own, with no distinct-key
buckets, length slices, bound checks or fused loops. gazetteer.match.find must give exactly
these hits (qualities, chosen names, ties) however it is optimised."""

from __future__ import annotations

from rapidfuzz import fuzz, process

import gazetteer.match as M
from gazetteer.index import NameIndex, deletions, lookup
from gazetteer.normalize import Keys


def _add(hits, ix, nid, quality, how):
    pos = ix.name_place[nid]
    old = hits.get(pos)
    if old is None or quality > old[0]:
        hits[pos] = (quality, nid, how)


def _extract(query, ids, choices, min_sim):
    found = process.extract(query, choices, scorer=fuzz.ratio, limit=None,
                            score_cutoff=min(100.0, min_sim * 100.0))
    return [(ids[j], score / 100.0) for _, score, j in found]


def _bucket(ix: NameIndex, sk: str, arabic: bool) -> list[int]:
    """The names of skeleton ``sk`` in one script, by name id."""
    return [nid for nid in lookup(ix.skel, sk) if ix.name_arabic[nid] == arabic]


def ring(ix: NameIndex, sk: str, level: int) -> set[str]:
    known, deletes = ix.skel, ix.deletes
    if len(sk) == 2:
        return set(deletes.get(sk, ())) if level == 1 else set()
    if len(sk) < 3:
        return set()
    dels = deletions(sk)
    if level == 1:
        return {d for d in dels if d in known} | set(deletes.get(sk, ()))
    if level == 2:
        return {s for d in dels for s in deletes.get(d, ())}
    if level == 3 and len(sk) >= 4:
        return {d2 for d in dels for d2 in deletions(d) if d2 in known}
    return set()


def words(ix: NameIndex, q: Keys) -> list[int]:
    toks = q.token_skeletons
    if len(toks) < 2:
        return []
    out: set[int] = set()
    for tok in set(toks):
        if len(tok) >= 2 and tok not in M._generic_skeletons():
            block = ix.token_block.get(tok)
            if block is not None and len(block[0]) <= M.MAX_BLOCK:
                out.update(block[0])
    return sorted(out)


def typos_from(ix: NameIndex, q: Keys, skels: set[str], cutoff: float):
    lq = len(q.normalized)
    lengths = range(lq - M.typo_budget(lq), (8 * lq + 7) // 7 + 1)
    ids: list[int] = []
    out = []
    factor = M.cross_script_sim(q)
    for sk in sorted(skels):
        # same script, gathered by key length then name id
        same = _bucket(ix, sk, q.arabic)
        ids += sorted((n for n in same if len(ix.name_norm[n]) in lengths),
                      key=lambda n: (len(ix.name_norm[n]), n))
        cross = _bucket(ix, sk, not q.arabic)
        if cross and factor * 100.0 >= cutoff:
            sim = fuzz.ratio(q.skeleton, sk) / 100.0 * factor
            if sim * 100.0 >= cutoff:
                out += [(nid, sim) for nid in cross]
    out += _extract(q.normalized, ids, [ix.name_norm[n] for n in ids], cutoff / 100.0)
    return [t for t in out if M.plausible_typo(ix, q, t[0])]


def typo_candidates(ix: NameIndex, q: Keys, cutoff: float):
    out = []
    seen: set[str] = set()
    for level in (1, 2, 3):
        skels = ring(ix, q.skeleton, level) - seen
        seen |= skels
        out += typos_from(ix, q, skels, cutoff)
        if out and max(sim for _, sim in out) >= M.GOOD_FUZZY:
            break
    same = [n for n in words(ix, q) if ix.name_arabic[n] == q.arabic]
    found = _extract(q.normalized, same, [ix.name_norm[n] for n in same], cutoff / 100.0)
    return out + [t for t in found if M.plausible_typo(ix, q, t[0])]


def find(ix: NameIndex, q: Keys) -> dict:
    hits: dict = {}
    for nids, quality, how in ((lookup(ix.exact, q.exact), M.EXACT, "exact"),
                               (lookup(ix.norm, q.normalized) if q.normalized else (),
                                M.NORMALIZED, "arabic" if q.arabic else "normalized")):
        for nid in nids:
            _add(hits, ix, nid, quality + M.CURATED_BONUS if nid in ix.curated else quality, how)
    if hits or len(q.skeleton) < 2:
        return hits
    if q.skeleton in ix.skel:
        same = _bucket(ix, q.skeleton, q.arabic)
        how = "arabic" if q.arabic else "skeleton"
        for nid, sim in _extract(q.normalized, same, [ix.name_norm[n] for n in same],
                                 M.MIN_SKELETON_SIM):
            _add(hits, ix, nid, M.SKELETON_BASE + M.SKELETON_SPAN * sim, how)
        cross = _bucket(ix, q.skeleton, not q.arabic)
        if cross and (q.arabic or len(q.skeleton) >= 3):
            for nid in cross:
                _add(hits, ix, nid, M.SKELETON_BASE + M.SKELETON_SPAN * M.cross_script_sim(q),
                     "arabic")
    if hits and max(h[0] for h in hits.values()) >= M.STRONG_SKELETON:
        return hits
    for nid, sim in typo_candidates(ix, q, M.FUZZY_CUTOFF):
        how = "arabic" if q.arabic != ix.name_arabic[nid] else "fuzzy"
        _add(hits, ix, nid, M.FUZZY_BASE + M.FUZZY_SPAN * sim, how)
    return hits

