"""Observation dates: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, with the precision kept.

A month or a year stands for its first day when ordering observations; the precision travels with
the observation so that maps and reports can show "March 2016" rather than a false "2016-03-01".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import numpy as np

from .errors import InvalidDate

Precision = Literal["day", "month", "year"]

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")
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
    m = _DATE.match(text)
    if not m:
        raise InvalidDate(text, "not a date")
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


def iso_days(texts: list[str]) -> np.ndarray:
    """Each text that is a plain ``YYYY-MM-DD`` (ASCII digits, a real date, a year in range) as
    ``datetime64[D]``, NaT for every other text: what ``parse_date`` gives those texts, for a
    whole column's distinct dates at once (the other texts still go through ``parse_date``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(texts, pa.string())
    plain = pc.match_substring_regex(arr, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    day = pc.strptime(pc.if_else(plain, arr, None), format="%Y-%m-%d", unit="s",
                      error_is_null=True)
    out = day.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    year = out.astype("datetime64[Y]").astype(np.int64) + 1970
    # strptime rolls a day past the month's end over (2015-02-29 → 03-01): a real date is one
    # that prints back as its text
    real = out.astype(str) == np.asarray(texts, dtype=object).astype(str)
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


def date_grid(every: str, start, end) -> np.ndarray:
    """Regular dates from ``start`` to ``end`` inclusive: ``day``, ``week`` (every 7 days from
    ``start``) or ``month`` (the start's day of each month, clipped to short months: Jan 31 →
    Feb 29 → Mar 31)."""
    first, last = to_datetime64([start, end]).astype("datetime64[D]")
    if last < first:
        raise InvalidDate(str(end)[:10], f"is before the start {first}")
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
