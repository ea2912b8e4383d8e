"""Observation dates: the three precisions, impossible dates, regular grids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from layers.dates import date_grid, format_date, parse_date, to_datetime64
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
