"""Split a document into dated pieces.

Real inputs are compilations: a blog page with several posts under "November 26, 2018" date lines,
a press digest whose items end in "(Source / 14.04.2014)", Markdown articles whose headings carry
the year ("## 2015", "### March 2016 offensive"), YAML front matter with a ``date:``. Each piece
gets the date that governs it (an anchor for relative dates) and text offsets into the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import dates as d

# "(Source / 14.04.2014)", "(Source: Syrian Coalition / 12.04.2014)" — closes the piece above it
_TRAILER = re.compile(
    r"^\s*\(?\s*source\b[^\n/]{0,80}/\s*(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})\s*\)?\s*$",
    re.I | re.M,
)
# A line that is only a date: "November 26, 2018", "26 November 2018", "2018-11-26" — opens a piece
_DATELINE = re.compile(
    r"^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})\s*$",
    re.M,
)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$", re.M)
_FRONT = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)
_FRONT_DATE = re.compile(
    r"^(?:date|published|published_at|pubdate|created|timestamp)\s*:\s*['\"]?(?P<v>\d{4}(?:-\d{2}(?:-\d{2})?)?)",
    re.M | re.I,
)
_FRONT_TITLE = re.compile(
    r"^(?:title|subject|headline)\s*:\s*['\"]?(?P<v>.+?)['\"]?\s*$", re.M | re.I
)
_YEAR = re.compile(r"(?<![\d–-])(?P<y>(?:19|20)\d{2})(?![\d])")


@dataclass(frozen=True, slots=True)
class Piece:
    """A span of a document and the date that governs it (``None``: undated, no --date given)."""

    start: int
    end: int
    anchor: d.DateGuess | None
    how: str  # trailer | dateline | heading | front-matter | default | none


def _heading_anchor(title: str, parent: d.DateGuess | None) -> d.DateGuess | None:
    """ "## March 2016 offensive" → month; "## 2015" → year; "## 2011–2012" → the first year;
    "(April–June 2015)" → April 2015 at month precision, covering April..June."""
    months = "|".join(sorted(d.MONTHS, key=len, reverse=True))
    rng = re.search(
        rf"\b(?:\d{{1,2}}\s+)?({months})\.?(?:\s+((?:19|20)\d{{2}}))?\s*[–-]\s*"
        rf"(?:\d{{1,2}}\s+)?({months})\.?\s+((?:19|20)\d{{2}})\b",
        title,
        re.I,
    )
    if rng:  # "(March–May 2014)", "(July 2011–April 2012)", "(30 September 2015–July 2016)"
        a, b = d.MONTHS[rng.group(1).lower()], d.MONTHS[rng.group(3).lower()]
        y2 = int(rng.group(4))
        y1 = int(rng.group(2)) if rng.group(2) else y2
        if (y1, a) <= (y2, b):
            first, last = d.month(y1, a), d.month(y2, b)
            return d.DateGuess(first.date, "month", first.start, last.end, rng.group(0))
    for m in d.find_dates(title, parent):
        if m.guess is not None and m.kind == "absolute":
            return m.guess
    y = _YEAR.search(title)
    if y:
        month_hit = re.search(
            r"\b(" + "|".join(k for k in d.MONTHS if len(k) > 3) + r")\b", title, re.I
        )
        if month_hit:
            return d.month(int(y["y"]), d.MONTHS[month_hit.group(1).lower()])
        return d.year(int(y["y"]))
    return None


def segment(text: str, *, default: d.DateGuess | None = None) -> list[Piece]:
    """Pieces covering ``text`` in order; ``default`` dates pieces the text leaves undated."""
    start = 0
    default_how = "default"
    front = _FRONT.match(text)
    if front:
        fd = _FRONT_DATE.search(front["body"])
        if fd:
            try:
                default = d.from_iso(fd["v"])
            except ValueError:
                pass
        # a title with a year ("Palmyra offensive (March 2016)") dates the text better than the
        # date the page was published or dumped
        title = _FRONT_TITLE.search(front["body"])
        titled = _heading_anchor(title["v"], None) if title else None
        if titled is not None:
            default, default_how = titled, "title"
        elif fd:
            default_how = "front-matter"
        start = front.end()
    markers: list[
        tuple[int, int, str, d.DateGuess | None, int]
    ] = []  # (pos, cut, how, date, level)
    for m in _TRAILER.finditer(text, start):
        try:
            guess = d.day(d.dt.date(int(m["y"]), int(m["m"]), int(m["d"])), m.group(0).strip())
        except ValueError:
            continue
        markers.append((m.start(), m.end(), "trailer", guess, 0))
    for m in _DATELINE.finditer(text, start):
        found = d.find_dates(m.group(0), None)
        if not found or found[0].guess is None:
            continue
        # the headline just above a date line belongs to the piece the date opens
        cut = _previous_line_start(text, m.start(), floor=start)
        markers.append((cut, cut, "dateline", found[0].guess, 0))
    for m in _HEADING.finditer(text, start):
        markers.append((m.start(), m.start(), "heading", None, len(m["hashes"])))
    markers.sort(key=lambda x: x[0])

    pieces: list[Piece] = []
    cur_start, cur_anchor, cur_how = start, default, default_how if default else "none"
    headings: list[tuple[int, d.DateGuess | None]] = []  # heading stack: (level, anchor)
    for pos, cut, how, guess, level in markers:
        if how == "trailer":
            if text[cur_start:pos].strip():
                pieces.append(Piece(cur_start, pos, guess, how))
            cur_start = cut
            cur_anchor, cur_how = default, default_how if default else "none"
            continue
        if text[cur_start:pos].strip():
            pieces.append(Piece(cur_start, pos, cur_anchor, cur_how))
        cur_start = pos
        if how == "dateline":
            cur_anchor, cur_how = guess, how
        else:
            title = text[pos : text.find("\n", pos) if "\n" in text[pos:] else len(text)].lstrip(
                "# "
            )
            headings = [(lv, a) for lv, a in headings if lv < level]
            parent = next((a for _, a in reversed(headings) if a is not None), None)
            own = _heading_anchor(title, parent or default)
            headings.append((level, own))
            anchor = own or parent
            if anchor is not None:
                cur_anchor, cur_how = anchor, "heading"
            elif cur_how == "heading":
                cur_anchor, cur_how = default, default_how if default else "none"
    if text[cur_start:].strip():
        pieces.append(Piece(cur_start, len(text), cur_anchor, cur_how))
    return pieces


def _previous_line_start(text: str, pos: int, *, floor: int) -> int:
    """Start of the last non-blank line before ``pos`` if it looks like a headline, else ``pos``."""
    before = text[floor:pos].rstrip("\n ")
    if not before:
        return pos
    line_start = before.rfind("\n") + 1
    line = before[line_start:].strip()
    if 0 < len(line) <= 200 and not line.endswith((".", ":", "”", '"')):
        return floor + line_start
    return pos
