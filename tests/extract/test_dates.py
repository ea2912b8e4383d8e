"""Dates in report text: explicit, relative to the piece, vague, seasons, offsets."""

import datetime as dt

import pytest

from extract import dates as d

ANCHOR = d.from_iso("2014-04-13")  # a Sunday


def first(text, anchor=ANCHOR):
    found = [m for m in d.find_dates(text, anchor) if m.guess is not None]
    return (found[0].guess.iso(), found[0].guess.precision) if found else None


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("July 7, 2018", "2018-07-07", "day"),
        ("on 24 January 2016", "2016-01-24", "day"),
        ("On 9 April", "2014-04-09", "day"),
        ("On 9 May", "2013-05-09", "day"),  # later than the report: last year's May
        ("fell to the regime on Wednesday", "2014-04-09", "day"),
        ("on Sunday", "2014-04-13", "day"),  # the report's own day
        ("last Friday", "2014-04-11", "day"),
        ("this morning, Monday", "2014-04-14", "day"),  # "this morning" names the day of writing
        ("after midnight Friday", "2014-04-11", "day"),
        ("yesterday", "2014-04-12", "day"),
        ("earlier this month", "2014-04", "month"),
        ("captured by rebels in late March", "2014-03", "month"),
        ("in 2015", "2015", "year"),
        ("last year", "2013", "year"),
        ("three days ago", "2014-04-10", "day"),
    ],
)
def test_resolves_against_the_piece_date(text, iso, precision):
    assert first(text) == (iso, precision)


def test_seasons_are_month_precision_over_the_whole_season():
    g = [m.guess for m in d.find_dates("which it occupied last spring", d.from_iso("2015-05-08"))][
        0
    ]
    assert (g.iso(), g.precision, g.start, g.end) == (
        "2014-04",
        "month",
        dt.date(2014, 3, 1),
        dt.date(2014, 5, 31),
    )
    g = [m.guess for m in d.find_dates("In spring 2015, an offensive", None)][0]
    assert (g.start, g.end) == (dt.date(2015, 3, 1), dt.date(2015, 5, 31))


def test_relative_dates_need_an_anchor():
    assert first("on Sunday", None) is None
    assert first("July 7, 2018", None) == ("2018-07-07", "day")


def test_offsets_are_found_and_applied():
    (m,) = [
        x
        for x in d.find_dates("almost two months after the army drove IS out", ANCHOR)
        if x.kind == "after"
    ]
    assert m.offset == (2, "month")
    assert d.minus(d.from_iso("2016-05-04"), 2, "month").iso() == "2016-03"
    assert d.minus(ANCHOR, 1, "day").iso() == "2014-04-12"


def test_narrative_anchor_runs_forward():
    running = d.narrative(d.from_iso("2017-10"))  # "(October 2017 – February 2018)"
    assert first("On 29 January", running) == ("2018-01-29", "day")
    assert first("On 12 November", running) == ("2017-11-12", "day")
    # a month far ahead of where the story is looks back: the nearest year wins
    assert first("in late November", d.narrative(d.from_iso("2014-01"))) == ("2013-11", "month")


def test_bad_iso_dates_name_the_value():
    with pytest.raises(ValueError, match="2014-13-45"):
        d.from_iso("2014-13-45")
