"""Place-name spans in free text: n-gram lookup over the exact/normalized/skeleton index.

Longest match first. Latin spans must look like names (capitalised), and a span made only of
common English words (data/english_common.toml) must be capitalised mid-sentence, so "the road"
or a sentence-initial "Mayor" never becomes a village. Fuzzy matching only where a longer
capitalised multi-word span closely spells a name that contains a shorter exact match.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from .match import FUZZY_BASE, FUZZY_SPAN, SKELETON_BASE, SKELETON_SPAN, find, fuzzy_candidates
from .normalize import is_arabic, keys, tokens
from .rank import EMPTY, rank
from .types import Candidate

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

# A word: letters, inner apostrophes/ayn marks and hyphens; a leading ayn mark ('Assal) too.
_WORD_RE = re.compile(r"(?:(?<!\w)['‘`ʿ](?=[^\W\d_]))?[^\W\d_](?:\w|['’‘`ʿʾ](?=\w)|-(?=\w))*")
_SENTENCE_END = re.compile(r"[.!?:;\n\"“”(]\s*$")
MIN_SKELETON_SIM = 0.85  # skeleton matches in prose must be close spellings
_MIN_QUALITY = SKELETON_BASE + SKELETON_SPAN * MIN_SKELETON_SIM
SPAN_FUZZY_CUTOFF = 85.0  # a longer span replaces a shorter exact match only when this close


@dataclass(frozen=True, slots=True)
class Mention:
    """A span ``text[start:end]`` naming a place; ``candidates`` best first."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]


@cache
def english_common() -> frozenset[str]:
    text = (resources.files("gazetteer") / "data" / "english_common.toml").read_text("utf-8")
    return frozenset(w.casefold() for w in tomllib.loads(text)["words"])


@cache
def arabic_stopwords() -> frozenset[str]:
    return frozenset("في من إلى الى على عن مع و أو ثم قد لقد التي الذي هذا هذه ذلك تلك بعد قبل "
                     "حتى منذ عند بين كان كانت قال قالت".split())


def _capitalised(word: str) -> bool:
    return word.lstrip("'‘`ʿ")[:1].isupper()


def _plausible(words: list[str], text: str, start: int) -> bool:
    """Does this Latin span look like a proper name in running text?"""
    common = english_common()
    if any(is_arabic(w) for w in words):
        return not all(w in arabic_stopwords() for w in words)
    content = [w for w in words if tokens(w)]  # articles alone fold to nothing
    if not content:
        return False
    head = words[0].split("-")[-1] if words[0].lower().startswith(("al-", "el-", "ad-", "ar-",
                                                                     "as-", "ash-", "at-", "az-",
                                                                     "an-", "ad-")) else words[0]
    if not _capitalised(head):
        return False
    if words[-1].casefold() in common and not _capitalised(words[-1]):
        return False
    if all(w.casefold() in common for w in words):
        sentence_start = start == 0 or _SENTENCE_END.search(text[max(0, start - 3):start])
        return not sentence_start
    return True


def _span(words, text, i, n) -> tuple[int, int, list[str]] | None:
    """(start, end, words) of the n-word span at i, if it can be a name at all."""
    span = words[i:i + n]
    # a span must not cross punctuation other than spaces/hyphens
    if any(text[a[1]:b[0]].strip(" -\u00a0") for a, b in zip(span, span[1:], strict=False)):
        return None
    start, end = span[0][0], span[-1][1]
    ws = [w for _, _, w in span]
    return (start, end, ws) if _plausible(ws, text, start) else None


def _longer_fuzzy(ix, words, text, i, n_found, max_words):
    """A longer capitalised span that is a close spelling of a multi-word name beats the
    shorter exact match inside it: "Arsal al-Ward" is not Arsal."""
    for n in range(min(max_words, len(words) - i), n_found, -1):
        got = _span(words, text, i, n)
        if got is None:
            continue
        start, end, ws = got
        content = [w for w in ws if tokens(w)]
        if len(content) < 2 or not all(_capitalised(w.split("-")[-1]) or is_arabic(w)
                                       for w in content):
            continue
        hits: dict = {}
        for nid, sim in fuzzy_candidates(ix, keys(text[start:end]), cutoff=SPAN_FUZZY_CUTOFF):
            pos = ix.name_place[nid]
            quality = FUZZY_BASE + FUZZY_SPAN * sim
            if quality > hits.get(pos, (0.0,))[0]:
                hits[pos] = (quality, nid, "fuzzy")
        if hits:
            return n, start, end, hits
    return None


def find_mentions(gz: Gazetteer, text: str, *, max_words: int = 5) -> list[Mention]:
    if not isinstance(text, str) or not text:
        return []
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD_RE.finditer(text)]
    ix = gz.index
    out: list[Mention] = []
    i = 0
    while i < len(words):
        found = None
        for n in range(min(max_words, len(words) - i), 0, -1):
            got = _span(words, text, i, n)
            if got is None:
                continue
            start, end, _ = got
            hits = find(ix, keys(text[start:end]), fuzzy=False)
            hits = {pos: h for pos, h in hits.items() if h[0] >= _MIN_QUALITY}
            if hits:
                found = (n, start, end, hits)
                break
        if found is None:
            i += 1
            continue
        if found[0] < max_words:
            found = _longer_fuzzy(ix, words, text, i, found[0], max_words) or found
        n, start, end, hits = found
        ranked = rank(ix, hits, EMPTY, limit=5)
        out.append(Mention(start, end, text[start:end], tuple(ranked.candidates)))
        i += n
    return out
