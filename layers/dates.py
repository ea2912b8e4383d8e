"""Observation dates: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, with the precision kept.

A month or a year stands for its first day when ordering observations; the precision travels with
the observation so that maps and reports can show "March 2016" rather than a false "2016-03-01".

Exports also write the date with a time ("2016-03-07T12:00:00Z", "2016-03-07 00:00:00" as pandas
and spreadsheets do): that is read as the day written (the time and its zone are left out: a
report's date is the day its place lived, not a UTC instant). Other forms are not guessed, but the
error says what to write: "7 March 2016" or "March 7, 2016" → 2016-03-07; "25/03/2016" →
2016-03-25; "07/03/2016" is 2016-03-07 or 2016-07-03, which the file must say.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

import numpy as np

from .errors import InvalidDate

Precision = Literal["day", "month", "year"]

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")
# a date with a time of day after it (ISO 8601 "T" or a space), an optional zone
_TIME = (r"[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:[.,]\d+)?)?"
         r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?")
_STAMP = re.compile(r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})" + _TIME + "$")
# English month names and abbreviations (the C locale's; "Sept" too) → month number: read in
# "7 March 2016", "March 7, 2016", "Mar 2016" here and in news text (extract/dates.py)
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_NAMED = re.compile(
    r"^(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[A-Za-z]+)\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[A-Za-z]+)\.?\s+(?:(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?P<y2>\d{4}))$",
    re.IGNORECASE)
# datetime64[ns] (what pandas uses) cannot hold dates before 1677-09-22 or after 2262-04-11.
MIN_YEAR, MAX_YEAR = 1678, 2261


def parse_date(value: object) -> tuple[dt.date, Precision]:
    """Parse an observation date; returns the first day it covers and its precision.

    >>> parse_date("2016-03")
    (datetime.date(2016, 3, 1), 'month')
    """
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    text = str(value).strip()
    stamp = _STAMP.match(text)
    m = _DATE.match(stamp["date"] if stamp else text)
    if not m:
        raise InvalidDate(text, _not_iso(text))
    year = int(m["y"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidDate(text, f"year {year} is out of range {MIN_YEAR}–{MAX_YEAR}")
    month = int(m["m"]) if m["m"] else 1
    day = int(m["d"]) if m["d"] else 1
    try:
        date = dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidDate(text, f"not a real date ({exc})") from None
    precision: Precision = "day" if m["d"] else "month" if m["m"] else "year"
    return date, precision


_NUMERIC = re.compile(r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})$")


def _not_iso(text: str) -> str:
    """Why ``text`` is not read, with the ISO date(s) it stands for when it is one in another
    form: a month name ("7 March 2016" → 2016-03-07, "March 2016" → 2016-03), or numbers
    whose day and month may be either ("07/03/2016": 2016-03-07 or 2016-07-03?)."""
    named = _NAMED.match(text)
    month = MONTHS.get((named["m1"] or named["m2"]).lower()) if named else None
    if month is not None:
        year, day = int(named["y1"] or named["y2"]), named["d1"] or named["d2"]
        if not day:
            return f"a month name: write {year:04d}-{month:02d}"
        could = _real_dates(year, [(month, int(day))])
        return f"a month name: write {could[0]}" if could else "not a real date"
    numeric = _NUMERIC.match(text)
    if not numeric:
        return "not a date"
    a, b = int(numeric["a"]), int(numeric["b"])
    could = _real_dates(int(numeric["y"]), [(b, a), (a, b)])
    if len(could) == 1:
        return f"day and month in numbers: write {could[0]}"
    if could:
        return f"day and month in numbers are ambiguous: {could[0]} or {could[1]}?"
    return "not a date"


def _real_dates(year: int, month_days: list[tuple[int, int]]) -> list[str]:
    """The distinct real dates among (month, day) pairs of ``year``, as ISO text."""
    out = []
    for month, day in month_days:
        try:
            out.append(dt.date(year, month, day).isoformat())
        except ValueError:
            continue
    return list(dict.fromkeys(out))


def iso_days(texts: list[str]) -> np.ndarray:
    """Each text that is a plain ``YYYY-MM-DD``, alone or with a time (ASCII digits, a real
    date, a year in range) as ``datetime64[D]``, NaT for every other text: what ``parse_date``
    gives those texts, for a whole column's distinct dates at once (the other texts still go
    through ``parse_date``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(texts, pa.string())
    head = pc.utf8_slice_codeunits(arr, 0, 10)  # the date of a date with its time
    plain = pc.match_substring_regex(
        arr, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:" + _TIME.replace(r"\d", "[0-9]") + ")?$")
    day = pc.strptime(pc.if_else(plain, head, None), format="%Y-%m-%d", unit="s",
                      error_is_null=True)
    out = day.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    year = out.astype("datetime64[Y]").astype(np.int64) + 1970
    # strptime rolls a day past the month's end over (2015-02-29 → 03-01): a real date is one
    # that prints back as its text
    real = out.astype(str) == head.to_numpy(zero_copy_only=False).astype(str)
    return np.where(real & (year >= MIN_YEAR) & (year <= MAX_YEAR), out, np.datetime64("NaT"))


def format_date(date: dt.date, precision: Precision = "day") -> str:
    """The canonical text of a date at its precision (``2016-03``, ``2016``…)."""
    iso = date.isoformat()
    return iso if precision == "day" else iso[:7] if precision == "month" else iso[:4]


def to_datetime64(values) -> np.ndarray:
    """Dates, ISO strings or datetime64 values → ``datetime64[ns]`` array at midnight.

    Only full ``YYYY-MM-DD`` (or coarser) dates are accepted; bad values raise InvalidDate.
    """
    arr = np.atleast_1d(np.asarray(values))
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[D]").astype("datetime64[ns]")
    out = np.empty(arr.shape, dtype="datetime64[ns]")
    for i, v in enumerate(arr.ravel()):  # parsing user text: one value at a time is the point
        if isinstance(v, np.datetime64 | dt.date):  # pd.Timestamp is a datetime, hence a date
            out.flat[i] = np.datetime64(v, "D")
        else:
            out.flat[i] = np.datetime64(parse_date(v)[0], "D")
    return out


def days(values) -> np.ndarray:
    """``datetime64`` values → int64 days since 1970-01-01 (the unit of all interval maths)."""
    return np.asarray(values).astype("datetime64[D]").astype(np.int64)


def check_date_range(start=None, end=None) -> None:
    """InvalidDate for a ``start`` or ``end`` that is not a date, or an ``end`` before the
    ``start``: commands check their --from/--to with it before reading anything."""
    given = [d for d in (start, end) if d is not None]
    first_last = to_datetime64(given).astype("datetime64[D]")
    if len(given) == 2 and first_last[1] < first_last[0]:
        raise InvalidDate(str(end)[:10], f"the end date is before the start date {first_last[0]}",
                          fix="swap --from and --to")


def date_grid(every: str, start, end) -> np.ndarray:
    """Regular dates from ``start`` to ``end`` inclusive: ``day``, ``week`` (every 7 days from
    ``start``) or ``month`` (the start's day of each month, clipped to short months: Jan 31 →
    Feb 29 → Mar 31)."""
    check_date_range(start, end)
    first, last = to_datetime64([start, end]).astype("datetime64[D]")
    if every in ("day", "week"):
        step = 1 if every == "day" else 7
        return np.arange(first, last + 1, step).astype("datetime64[ns]")
    if every != "month":
        raise ValueError(f"every {every!r}: use day, week or month")
    month0 = first.astype("datetime64[M]")
    months = month0 + np.arange((last.astype("datetime64[M]") - month0).astype(int) + 1)
    month_start = months.astype("datetime64[D]")
    month_len = ((months + 1).astype("datetime64[D]") - month_start).astype(int)
    offset = int((first - month0.astype("datetime64[D]")).astype(int))
    grid = month_start + np.minimum(offset, month_len - 1)
    return grid[grid <= last].astype("datetime64[ns]")
