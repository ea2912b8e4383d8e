"""Observation dates: the three precisions, impossible dates, regular grids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from layers.dates import date_grid, format_date, iso_days, parse_date, to_datetime64
from layers.errors import InvalidDate


@pytest.mark.parametrize(("text", "date", "precision"), [
    ("2016-03-27", dt.date(2016, 3, 27), "day"),
    ("2016-03", dt.date(2016, 3, 1), "month"),
    ("2016", dt.date(2016, 1, 1), "year"),
    (" 2016-3-7 ", dt.date(2016, 3, 7), "day"),
])
def test_precisions(text, date, precision):
    assert parse_date(text) == (date, precision)
    assert format_date(date, precision) == {"day": date.isoformat(), "month": date.isoformat()[:7],
                                            "year": date.isoformat()[:4]}[precision]


@pytest.mark.parametrize("text", ["2016-02-30", "2016-13", "16-03-27", "27/03/2016", "March 2016",
                                  "1066", ""])
def test_bad_dates(text):
    with pytest.raises(InvalidDate) as info:
        parse_date(text)
    assert isinstance(info.value, ValueError) and info.value.reason


@pytest.mark.parametrize("text", [
    "2016-03-07T12:00:00Z", "2016-03-07 00:00:00", "2016-03-07T23:30:00-05:00",
    "2016-03-07T12:00:00.123+0200", "2016-03-07 9:05"])
def test_a_date_with_its_time_is_the_day_written(text):
    """Exports (pandas, spreadsheets, databases) write the time too; the zone does not move
    the day: a report's date is the local day it names."""
    assert parse_date(text) == (dt.date(2016, 3, 7), "day")
    assert iso_days([text]).tolist() == [dt.date(2016, 3, 7)]


@pytest.mark.parametrize(("text", "reason"), [
    ("7 March 2016", "a month name: write 2016-03-07"),
    ("March 7, 2016", "a month name: write 2016-03-07"),
    ("Sept 2016", "a month name: write 2016-09"),
    ("25/03/2016", "day and month in numbers: write 2016-03-25"),
    ("07/03/2016", "day and month in numbers are ambiguous: 2016-03-07 or 2016-07-03?"),
    ("31/02/2016", "not a date"),
    ("2016-03-07T25:00", "not a date"),
])
def test_other_forms_are_not_guessed_but_the_error_says_what_to_write(text, reason):
    with pytest.raises(InvalidDate) as info:
        parse_date(text)
    assert info.value.reason == reason


def test_grids():
    def iso(a):
        return [str(x)[:10] for x in a]

    assert iso(date_grid("month", "2016-01-31", "2016-05-01")) == [
        "2016-01-31", "2016-02-29", "2016-03-31", "2016-04-30"]
    assert iso(date_grid("week", "2016-01-01", "2016-01-15")) == [
        "2016-01-01", "2016-01-08", "2016-01-15"]
    assert iso(date_grid("day", "2016-12-31", "2017-01-01")) == ["2016-12-31", "2017-01-01"]
    with pytest.raises(InvalidDate):
        date_grid("day", "2017", "2016")


def test_to_datetime64_accepts_mixed_inputs():
    out = to_datetime64(["2016-04", dt.date(2016, 1, 2), np.datetime64("2016-02-02T10")])
    assert out.dtype == np.dtype("datetime64[ns]")
    assert [str(x)[:10] for x in out] == ["2016-04-01", "2016-01-02", "2016-02-02"]


def test_iso_days_agrees_with_parse_date():
    """The column fast path gives what parse_date gives for plain dates, and NaT (left to
    parse_date) for every other text: bad days, short forms, other digits, out-of-range years."""
    rng = np.random.default_rng(7)
    plain = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(
        rng.integers(1600, 2300, 3000).tolist(), rng.integers(0, 14, 3000).tolist(),
        rng.integers(0, 33, 3000).tolist(), strict=True)]
    other = ["2016-3-05", "2016-03", "2016", "", " 2016-03-05", "2016-03-05 ", "٢٠١٦-٠٣-٠٥",
             "1677-12-31", "1678-01-01", "2261-12-31", "2262-01-01", "2016-02-29", "2015-02-29",
             "2016/03/05", "20160305", "2016-03-05T00:00"]
    texts = plain + other
    got = iso_days(texts)
    for text, day in zip(texts, got.tolist(), strict=True):
        try:
            d, precision = parse_date(text)
        except InvalidDate:
            assert day is None, text
            continue
        if day is not None:
            assert (day, precision) == (d, "day"), text
        else:  # left to parse_date: not a plain YYYY-MM-DD
            assert not (len(text) == 10 and text.isascii() and precision == "day"), text
