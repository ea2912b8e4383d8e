"""Pure key functions: the exact, normalized and consonant-skeleton keys a name is indexed under.

Latin and Arabic script map to the same keys, so "al-Qusayr", "Qusair" and "القصير" meet in the
skeleton index. Every variant table lives in ``data/variants.toml`` / ``data/arabic.toml``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from importlib import resources

__all__ = ["Keys", "exact_key", "normalized_key", "skeleton_key", "keys", "tokens", "is_arabic",
           "token_skeletons", "generic_tokens", "admin_words", "direction_words"]

_ARABIC_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_TASHKEEL_RE = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_SPLIT_RE = re.compile(r"[^\w]+|_")
_DOUBLE_RE = re.compile(r"(.)\1+")
# Separators that never change which place a name means: "Al-Hadir", "Al Hadir", "al_hadir" and
# "Al. Hadir" are one exact key. (Not \W: Arabic and Latin combining marks are non-word chars.)
_SEPARATOR_RE = re.compile(r"[\s\-\u2010-\u2015_.,;:/\\()\[\]{}\"!?]+")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class Keys:
    """The three index keys of one name (empty string when a key cannot be formed). The
    skeleton is computed on first use: most queries are settled by the exact or normalized key."""

    __slots__ = ("exact", "normalized", "arabic", "_tokens", "_skeleton")

    def __init__(self, exact: str, normalized: str, arabic: bool, tokens: tuple[str, ...]):
        self.exact, self.normalized, self.arabic = exact, normalized, arabic
        self._tokens, self._skeleton = tokens, None

    @property
    def token_skeletons(self) -> tuple[str, ...]:
        """Skeleton of each word (the blocking keys of multi-word names)."""
        return _token_skeletons(self._tokens)

    @property
    def skeleton(self) -> str:
        sk = self._skeleton
        if sk is None:
            sk = self._skeleton = _skeleton(self._tokens)
        return sk

    def __eq__(self, other) -> bool:
        return isinstance(other, Keys) and (self.exact, self.normalized, self.skeleton,
                                            self.arabic) == (other.exact, other.normalized,
                                                             other.skeleton, other.arabic)

    __hash__ = None

    def __repr__(self) -> str:
        return (f"Keys(exact={self.exact!r}, normalized={self.normalized!r}, "
                f"skeleton={self.skeleton!r}, arabic={self.arabic})")


@cache
def _tables() -> dict:
    data = resources.files("gazetteer") / "data"
    variants = tomllib.loads((data / "variants.toml").read_text(encoding="utf-8"))
    arabic = tomllib.loads((data / "arabic.toml").read_text(encoding="utf-8"))
    token_map = {}
    for canonical, spellings in variants["tokens"].items():
        for spelling in spellings:
            token_map[spelling] = canonical
        token_map[canonical] = canonical
    drop = {ord(c): None for c in variants["drop_marks"]}
    letters = {ord(k): v for k, v in variants["letters"].items()}
    skel = variants["skeleton"]
    digraphs = sorted(skel["digraphs"], key=lambda d: (-len(d), d))
    return {
        "drop": drop,
        "quote": {ord(c): "'" for c in variants["drop_marks"] if c != '"'},
        "letters": letters,
        "articles": frozenset(variants["articles"]["latin"]),
        "token_map": token_map,
        "generic": frozenset(variants["generic"]["tokens"]),
        "admin_words": frozenset(variants["admin_words"]["tokens"]),
        "directions": dict(variants["admin_words"]["directions"]),
        "digraph_list": [(d, skel["digraphs"][d]) for d in digraphs],
        "digraph_re": re.compile("|".join(map(re.escape, digraphs))),
        "digraphs": skel["digraphs"],
        "skel_letters": str.maketrans({k: v for k, v in skel["letters"].items()}),
        "skel_bytes": _bytes_table(skel["letters"]),
        "ar_skel": str.maketrans(arabic["letters"]),
        "ar_fold": str.maketrans(arabic["fold"]),
        "ar_article": arabic["article"]["prefix"],
    }


def _bytes_table(letters: dict[str, str]) -> tuple[bytes, bytes]:
    """(bytes.translate table, letters to delete) for the ASCII part of a one-letter map."""
    table = bytearray(range(256))
    delete = bytearray()
    for k, v in letters.items():
        if len(k) == 1 and k.isascii() and len(v) <= 1 and v.isascii():
            if v:
                table[ord(k)] = ord(v)
            else:
                delete.append(ord(k))
        elif len(k) == 1 and k.isascii():
            raise ValueError(f"skeleton letter {k!r} must map to at most one ASCII letter")
    return bytes(table), bytes(delete)


def generic_tokens() -> frozenset[str]:
    """Canonical tokens too common to say much on their own ("kafr", "tall", "ayn")."""
    return _tables()["generic"]


def admin_words() -> frozenset[str]:
    """Words that surround an admin-area name in a hint ("province", "countryside")."""
    return _tables()["admin_words"]


def direction_words() -> dict[str, str]:
    """Words naming a part of an area in a hint, each to the form an area's name uses
    ("southern" → "south"); see admin.py."""
    return _tables()["directions"]


def is_arabic(text: str) -> bool:
    return _ARABIC_RE.search(text) is not None


def clean(text: str) -> str:
    """Drop control and bidi characters; collapse whitespace (used on every input)."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def exact_key(name: str) -> str:
    """Casefolded spelling; the many apostrophe/ayn glyphs are unified (Sa'd = Sa‘d) and runs of
    separators (spaces, hyphens, dots, underscores…) become one space."""
    return _exact(clean(name))


def _exact(cleaned: str) -> str:
    if not cleaned.isascii():
        cleaned = unicodedata.normalize("NFC", cleaned)
    key = cleaned.casefold().translate(_tables()["quote"])
    return " ".join(_SEPARATOR_RE.sub(" ", key).split()) if _SEPARATOR_RE.search(key) else key


def _latin_token(token: str, t: dict) -> str:
    if token.isascii():  # the common case: nothing to decompose
        return token.lower()
    token = unicodedata.normalize("NFKD", token)
    token = "".join(c for c in token if not unicodedata.combining(c))
    return token.casefold().translate(t["letters"])


def _arabic_token(token: str, t: dict) -> str:
    token = _TASHKEEL_RE.sub("", token).translate(t["ar_fold"])
    art = t["ar_article"]
    if token.startswith(art) and len(token) > len(art) + 1:
        token = token[len(art):]
    return token


def tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of ``name``: marks and diacritics dropped, articles folded, variants
    unified."""
    return _tokens(clean(name))


@lru_cache(maxsize=200_000)
def _tokens(cleaned: str) -> tuple[str, ...]:
    t = _tables()
    text = cleaned.translate(t["drop"])
    out: list[str] = []
    for raw in _SPLIT_RE.split(text):
        if not raw:
            continue
        if not raw.isascii() and _ARABIC_RE.search(raw):
            tok = _arabic_token(raw, t)
        else:
            tok = _latin_token(raw, t)
            tok = t["token_map"].get(tok, tok)
        if tok:
            out.append(tok)
    kept = [tok for tok in out if tok not in t["articles"]]
    # A name made only of article-like words ("As", "En") keeps them rather than vanishing.
    return tuple(kept) if kept else tuple(out)


def normalized_key(name: str) -> str:
    """Tokens joined without separator: hyphens, spaces and articles no longer matter."""
    return "".join(tokens(name))


@lru_cache(maxsize=200_000)
def _token_skeleton(token: str) -> str:
    t = _tables()
    if not token.isascii() and _ARABIC_RE.search(token):
        if token.endswith("ه"):  # final heh is a vowel ending, like Latin final h
            token = token[:-1]
        # (letters without a Latin value are dropped)
        sk = token.translate(t["ar_skel"]).encode("ascii", "ignore").decode("ascii")
    else:
        sk = token
        if t["digraph_re"].search(sk):  # (one C scan: most words have none)
            for d, v in t["digraph_list"]:  # longest first ("sch" before "sh")
                if d in sk:
                    sk = sk.replace(d, v)
        if len(sk) > 1 and sk.endswith("h"):
            sk = sk[:-1]
        if sk.isascii():  # bytes.translate: one C pass with a 256-entry table
            sk = sk.encode("ascii").translate(*t["skel_bytes"]).decode("ascii")
        else:
            sk = sk.translate(t["skel_letters"])
    return _DOUBLE_RE.sub(r"\1", sk) if _DOUBLE_RE.search(sk) else sk


def token_skeletons(name: str) -> tuple[str, ...]:
    return _token_skeletons(tokens(name))


def _token_skeletons(toks: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in map(_token_skeleton, toks) if s)


def skeleton_key(name: str) -> str:
    """Consonant skeleton: vowels, w/y, doubling and final h gone; Arabic transliterated."""
    return _skeleton(tokens(name))


def _skeleton(toks: tuple[str, ...]) -> str:
    if len(toks) == 1:  # (a word's skeleton has no doubles left)
        return _token_skeleton(toks[0])
    # collapse doubles across token joins too ("Tall Lahm")
    sk = "".join(map(_token_skeleton, toks))
    return _DOUBLE_RE.sub(r"\1", sk) if _DOUBLE_RE.search(sk) else sk


@lru_cache(maxsize=100_000)
def keys(name: str) -> Keys:
    """All keys of ``name`` (memoized: documents and events files repeat names)."""
    if name.isprintable():
        got = _plain_keys(name) if name.isascii() else _plain_arabic_keys(name)
        if got is not None:
            return got
    c = clean(name)
    toks = _tokens(c)
    return Keys(_exact(c), "".join(toks), not c.isascii() and is_arabic(c), toks)


def _plain_keys(name: str) -> Keys | None:
    """keys() of the commonest input, ASCII letters and digits between spaces, hyphens and
    apostrophes, in a few C-level string calls; None for anything else (the general path)."""
    low = name.lower()
    if "-" in low:  # a separator: one space in the exact key, a word break in the tokens
        low = low.replace("-", " ")
    low = " ".join(low.split())
    quoted = "'" in low or "`" in low
    text = low.replace("'", "").replace("`", "") if quoted else low
    if not text.replace(" ", "").isalnum():
        return None
    t = _tables()
    token_map = t["token_map"]
    words = text.split()  # (single spaces: as split(" ") without the empty words)
    out = [tok for tok in map(token_map.get, words, words) if tok]
    articles = t["articles"]
    kept = [tok for tok in out if tok not in articles]
    toks = tuple(kept) if kept else tuple(out)  # see _tokens
    return Keys(low.replace("`", "'") if quoted else low, "".join(toks), False, toks)


# Arabic letters without marks or tatweel: no case, no separators but spaces, NFC already.
_PLAIN_ARABIC_RE = re.compile(r"[\u0621-\u063A\u0641-\u064A]+(?: [\u0621-\u063A\u0641-\u064A]+)*")


def _plain_arabic_keys(name: str) -> Keys | None:
    """keys() of Arabic-script words between single spaces, the commonest Arabic input (folded
    as one string: the fold table maps letters to letters); None for anything else."""
    c = " ".join(name.split())
    if _PLAIN_ARABIC_RE.fullmatch(c) is None:
        return None
    t = _tables()
    art = t["ar_article"]
    n = len(art) + 1
    out = [tok[len(art):] if tok.startswith(art) and len(tok) > n else tok
           for tok in c.translate(t["ar_fold"]).split(" ")]  # see _arabic_token
    articles = t["articles"]
    kept = [tok for tok in out if tok not in articles]
    toks = tuple(kept) if kept else tuple(out)  # see _tokens
    return Keys(c, "".join(toks), True, toks)
