"""Dates in report text, resolved against the date of the piece they sit in.

Explicit ("On 9 April", "July 7, 2018"), relative ("on Sunday", "last Friday", "earlier this month",
"a day after", "two months after"), vague ("late March" → month, "in 2015" → year) and seasons
("last spring", "spring 2015"). A season is given month precision on its middle month, with
``start``/``end`` spanning the whole season so that reviewers and the scorer see the real range.
Weekdays name the most recent such day on or before the anchor ("on Sunday" in a Monday report is
the day before); with "today"/"this morning" beside them they may also name the anchor's own day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from layers.dates import MONTHS  # one month-name table for events files and news text

WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
SEASONS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "winter": (12, 2),
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "several": 3,
    "few": 3,
    "a few": 3,
}
PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True, slots=True)
class DateGuess:
    """A date as the text supports it: ``date`` at ``precision``, covering ``start``..``end``."""

    date: dt.date
    precision: str  # day | month | year
    start: dt.date
    end: dt.date
    text: str = ""

    def iso(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in text, with its span; ``offset`` marks "N units after" clauses."""

    start: int
    end: int
    guess: DateGuess | None  # None: relative and the anchor cannot resolve it
    kind: str  # absolute | relative | later | after
    offset: tuple[int, str] | None = None  # (n, unit) for "two months after"


def day(d: dt.date, text: str = "") -> DateGuess:
    return DateGuess(d, "day", d, d, text)


def month(year: int, m: int, text: str = "") -> DateGuess:
    last = calendar.monthrange(year, m)[1]
    return DateGuess(
        dt.date(year, m, 1), "month", dt.date(year, m, 1), dt.date(year, m, last), text
    )


def year(y: int, text: str = "") -> DateGuess:
    return DateGuess(dt.date(y, 1, 1), "year", dt.date(y, 1, 1), dt.date(y, 12, 31), text)


def from_iso(value: str) -> DateGuess:
    """``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` → DateGuess (ValueError naming the value)."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
    y, mo, d = m.groups()
    try:
        if d:
            return day(dt.date(int(y), int(mo), int(d)), value)
        if mo:
            return month(int(y), int(mo), value)
        return year(int(y), value)
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a valid date ({exc}); write YYYY-MM-DD, YYYY-MM or YYYY"
        ) from None


def shift(anchor: dt.date, n: int, unit: str) -> dt.date:
    """``anchor`` minus ``n`` units (day/week/month/year), clamped to valid days."""
    unit = unit.rstrip("s")
    if unit == "day":
        return anchor - dt.timedelta(days=n)
    if unit == "week":
        return anchor - dt.timedelta(weeks=n)
    if unit == "month":
        total = anchor.year * 12 + anchor.month - 1 - n
        y, m = divmod(total, 12)
        return dt.date(y, m + 1, min(anchor.day, calendar.monthrange(y, m + 1)[1]))
    return dt.date(
        anchor.year - n, anchor.month, min(anchor.day, 28 if anchor.month == 2 else anchor.day)
    )


def narrative(guess: DateGuess) -> DateGuess:
    """An anchor for forward-running text: year precision, remembering the month it had reached."""
    return DateGuess(
        guess.date,
        "year",
        dt.date(guess.date.year, 1, 1),
        dt.date(guess.date.year, 12, 31),
        NARRATIVE if guess.precision != "year" else NARRATIVE_YEAR,
    )


NARRATIVE, NARRATIVE_YEAR = "\x00narrative", "\x00narrative-year"


def _year_for(m: int, d: int | None, anchor: DateGuess | None) -> int | None:
    """The year of a day/month written without one: the latest not after the anchor; in a narrative
    (see ``narrative``) the next one on or after the month reached
    ("October 2017 … On 29 January")."""
    if anchor is None:
        return None
    y = anchor.date.year
    if anchor.text == NARRATIVE:  # the year that puts the date nearest the point the story reached
        ref = anchor.date.year * 12 + anchor.date.month
        return min((y - 1, y, y + 1), key=lambda c: (abs(c * 12 + m - ref), -c))
    if anchor.precision == "year":
        return y
    if (m, d or 1) > (anchor.end.month, anchor.end.day if d else 1) and anchor.precision == "day":
        return y - 1
    if anchor.precision == "month" and m > anchor.date.month:
        return y - 1
    return y


_M = r"(?P<{g}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WD = "|".join(WEEKDAYS)
_NUM = r"(?P<n>\d+|a few|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + ")"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "dmy",
        re.compile(
            r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _M.format(g="m") + r",?\s+(?P<y>\d{4})\b", re.I
        ),
    ),
    (
        "mdy",
        re.compile(
            r"\b" + _M.format(g="m") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b", re.I
        ),
    ),
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    (
        "dm",
        re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _M.format(g="m") + r"(?![\w-])", re.I),
    ),
    (
        "md",
        re.compile(
            r"\b"
            + _M.format(g="m")
            + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?\d{4})(?![\w:])",
            re.I,
        ),
    ),
    (
        "season_y",
        re.compile(
            r"\b(?:(?P<part>early|late|mid)[- ])?(?P<s>spring|summer|autumn|fall|"
            r"winter)\s+(?:of\s+)?(?P<y>\d{4})\b",
            re.I,
        ),
    ),
    (
        "season_rel",
        re.compile(
            r"\b(?P<rel>last|this|past|previous)\s+(?P<s>spring|summer|autumn|fall|winter)\b", re.I
        ),
    ),
    (
        "m_rel",
        re.compile(
            r"\b(?P<rel>last|past|previous|this)\s+" + _M.format(g="m") + r"(?![\w-])", re.I
        ),
    ),
    (
        "my",
        re.compile(
            r"\b(?:(?P<part>early|late|mid)[- ]|the end of |the start of |the beginning of )?"
            + _M.format(g="m")
            + r",?\s+(?P<y>\d{4})\b",
            re.I,
        ),
    ),
    (
        "m",
        re.compile(
            r"\b(?:in|since|by|during|until|from|of|(?P<part>early|late|mid))[- ](?:early |late |"
            r"mid-?)?" + _M.format(g="m") + r"(?![\w-])",
            re.I,
        ),
    ),
    (
        "y",
        re.compile(
            r"\b(?:in|since|during|by|of|throughout|early|late|mid|until)[- ](?:early |late |"
            r"mid-?)?(?P<y>(?:19|20)\d{2})\b(?![-–/]\d)",
            re.I,
        ),
    ),
    ("this_month", re.compile(r"\b(?:earlier|later)?\s*this month\b|\bthis month\b", re.I)),
    ("last_month", re.compile(r"\b(?:last|past|previous) month\b", re.I)),
    ("this_year", re.compile(r"\b(?:earlier |later )?this year\b", re.I)),
    ("last_year", re.compile(r"\b(?:last|past|previous) year\b", re.I)),
    ("last_week", re.compile(r"\b(?:last|past|previous|earlier this) week\b", re.I)),
    ("ago", re.compile(r"\b" + _NUM + r"\s+(?P<u>days?|weeks?|months?|years?)\s+ago\b", re.I)),
    ("days_ago", re.compile(r"\b(?:days|weeks) ago\b", re.I)),
    (
        "after",
        re.compile(
            r"\b(?:(?:almost|nearly|about|around|some|just|only|roughly|more than|less than)\s+)?"
            + _NUM
            + r"\s+(?P<u>days?|weeks?|months?|years?)\s+(?:after|since)\b",
            re.I,
        ),
    ),
    (
        "later_n",
        re.compile(
            r"\b(?:(?:almost|nearly|about|around|some|just|only|roughly|more than|less than)\s+)?"
            + _NUM
            + r"\s+(?P<u>days?|weeks?|months?|years?)\s+later\b",
            re.I,
        ),
    ),
    (
        "today_wd",
        re.compile(
            r"\b(?:this morning|today|this afternoon|this evening|tonight)\s*,?\s*(?P<wd>"
            + _WD
            + r")\b",
            re.I,
        ),
    ),
    (
        "wd",
        re.compile(
            r"\b(?P<rel>last |this |on |by |late |early |midnight |since )?(?P<wd>"
            + _WD
            + r")(?!\w)",
            re.I,
        ),
    ),
    ("yesterday", re.compile(r"\b(?:yesterday|last night|overnight)\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|this afternoon|this evening|tonight)\b", re.I)),
    ("later", re.compile(r"\b(?:later|subsequently|then|afterwards|soon after)\b", re.I)),
]


def _season(s: str, y: int, text: str) -> DateGuess:
    first, last = SEASONS[s.lower()]
    if first > last:  # winter: December of y .. February of y+1
        start, end = dt.date(y, 12, 1), dt.date(y + 1, 2, calendar.monthrange(y + 1, 2)[1])
        mid = dt.date(y + 1, 1, 1)
    else:
        start, end = dt.date(y, first, 1), dt.date(y, last, calendar.monthrange(y, last)[1])
        mid = dt.date(y, (first + last) // 2, 1)
    return DateGuess(mid, "month", start, end, text)


def _weekday(wd: str, anchor: DateGuess, *, around: bool) -> DateGuess | None:
    if anchor.precision != "day":
        return None
    target = WEEKDAYS[wd.lower()]
    back = (anchor.date.weekday() - target) % 7
    if (
        around and back > 3
    ):  # "this morning, Monday" said of a Saturday-dated compilation → next Monday
        return day(anchor.date + dt.timedelta(days=7 - back))
    return day(anchor.date - dt.timedelta(days=back))


def _resolve(name: str, m: re.Match, anchor: DateGuess | None) -> DateGuess | None:  # noqa: C901
    text = m.group(0).strip()
    g = m.groupdict()
    try:
        if name in ("dmy", "mdy", "iso"):
            return day(
                dt.date(
                    int(g["y"]),
                    MONTHS.get(str(g["m"]).lower().rstrip("."), 0) or int(g["m"]),
                    int(g["d"]),
                ),
                text,
            )
        if name in ("dm", "md"):
            mo, d = MONTHS[g["m"].lower().rstrip(".")], int(g["d"])
            y = _year_for(mo, d, anchor)
            return None if y is None else day(dt.date(y, mo, d), text)
        if name == "my":
            return month(int(g["y"]), MONTHS[g["m"].lower().rstrip(".")], text)
        if name == "m":
            mo = MONTHS[g["m"].lower().rstrip(".")]
            y = _year_for(mo, None, anchor)
            return None if y is None else month(y, mo, text)
        if name == "y":
            return year(int(g["y"]), text)
        if name == "season_y":
            return _season(g["s"], int(g["y"]), text)
    except ValueError:
        return None
    if anchor is None:
        return None
    a = anchor.date
    if name == "season_rel":
        first, _ = SEASONS[g["s"].lower()]
        y = a.year - 1 if g["rel"].lower() != "this" or first > a.month else a.year
        if g["rel"].lower() != "this" and first <= a.month and (a.month - first) >= 3:
            y = a.year  # "last spring" said in December is this year's spring
        return _season(g["s"], y, text)
    if name == "m_rel":  # "last May": the latest May before the month of writing
        mo = MONTHS[g["m"].lower().rstrip(".")]
        if g["rel"].lower() == "this":
            return month(a.year, mo, text)
        return month(a.year if mo < a.month else a.year - 1, mo, text)
    if name == "this_month":
        return month(a.year, a.month, text) if anchor.precision != "year" else None
    if name == "last_month":
        d = shift(a, 1, "month")
        return month(d.year, d.month, text) if anchor.precision != "year" else None
    if name == "this_year":
        return year(a.year, text)
    if name == "last_year":
        return year(a.year - 1, text)
    if anchor.precision != "day":
        return None
    if name == "last_week":
        d = a - dt.timedelta(days=7)
        return DateGuess(d, "day", a - dt.timedelta(days=13), a - dt.timedelta(days=1), text)
    if name == "ago":
        n = int(g["n"]) if g["n"].isdigit() else NUMBERS[g["n"].lower()]
        unit = g["u"].lower().rstrip("s")
        d = shift(a, n, unit)
        if unit in ("day", "week"):
            return day(d, text)
        return month(d.year, d.month, text) if unit == "month" else year(d.year, text)
    if name == "days_ago":
        return DateGuess(
            a - dt.timedelta(days=3),
            "day",
            a - dt.timedelta(days=6),
            a - dt.timedelta(days=1),
            text,
        )
    if name == "today_wd":
        return _weekday(g["wd"], anchor, around=True)
    if name == "wd":
        return _weekday(g["wd"], anchor, around=False)
    if name == "yesterday":
        return day(a - dt.timedelta(days=1), text)
    if name == "today":
        return day(a, text)
    return None


def find_dates(text: str, anchor: DateGuess | None) -> list[DateMention]:
    """Every date expression in ``text`` (non-overlapping, earlier patterns win), in text order."""
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for name, rx in _PATTERNS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if name == "after":
                n = m.group("n")
                n = int(n) if n.isdigit() else NUMBERS[n.lower()]
                taken.append((s, e))
                out.append(DateMention(s, e, None, "after", (n, m.group("u").lower().rstrip("s"))))
                continue
            if name == "later":
                taken.append((s, e))
                out.append(DateMention(s, e, None, "later"))
                continue
            if name == "later_n":
                n = m.group("n")
                n = int(n) if n.isdigit() else NUMBERS[n.lower()]
                taken.append((s, e))
                out.append(DateMention(s, e, None, "later", (-n, m.group("u").lower().rstrip("s"))))
                continue
            guess = _resolve(name, m, anchor)
            if guess is None and name in ("wd", "today", "yesterday", "today_wd", "m", "dm", "md"):
                taken.append((s, e))
                continue
            if guess is None:
                continue
            kind = (
                "absolute" if name in ("dmy", "mdy", "iso", "my", "y", "season_y") else "relative"
            )
            taken.append((s, e))
            out.append(DateMention(s, e, guess, kind))
    return sorted(out, key=lambda d: d.start)


def coarser(guess: DateGuess) -> DateGuess:
    """The same date one step less precise (a day → its month): for "later" and "following X"."""
    if guess.precision == "day":
        return month(guess.date.year, guess.date.month, guess.text)
    return guess


def minus(guess: DateGuess, n: int, unit: str) -> DateGuess:
    """The date ``n`` units before ``guess`` (after, for negative ``n``), at the precision the unit
    supports ("two months after", "two months later")."""
    d = shift(guess.date, n, unit)
    if unit in ("day", "week") and guess.precision == "day":
        return day(d, f"{n} {unit}s before")
    if unit in ("day", "week", "month") and guess.precision in ("day", "month"):
        return month(d.year, d.month, f"{n} {unit}s before")
    return year(d.year, f"{n} {unit}s before")
