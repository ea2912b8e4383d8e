"""Sentence spans of report text: split at sentence punctuation and at line breaks.

Lines without final punctuation (headlines, captions, bylines) stand as sentences of their own.
Abbreviations ("U.S.", "Mr.", "Oct. 15", initials) do not end a sentence.
"""

from __future__ import annotations

import re

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "sgt",
    "st",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.n",
    "u.k",
    "e.g",
    "i.e",
    "etc",
    "al",
    "approx",
    "km",
    "sen",
    "rep",
    "gov",
    "prof",
    "inc",
    "co",
    "corp",
    "jr",
    "sr",
}
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u0600-\u06FF])")
_LINE = re.compile(r"[^\n]+")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, in order, trimmed."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        ls, le = line.span()
        s = ls
        for m in _END.finditer(text, ls, le):
            word = re.search(r"([\w.]+)$", text[s : m.start()])
            token = word.group(1).lower() if word else ""
            if token in _ABBREV or (len(token) == 1 and token.isalpha()):
                continue
            out.append((s, m.end()))
            s = m.end()
        out.append((s, le))
    trimmed = []
    for s, e in out:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        s2, e2 = s + lead, s + len(chunk.rstrip())
        if e2 > s2 and re.search(r"\w", text[s2:e2]):
            trimmed.append((s2, e2))
    return trimmed
