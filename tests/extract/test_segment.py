"""Splitting compilations into dated pieces, and pieces into sentences."""

from extract import dates as d
from extract.segment import segment
from extract.sentences import sentences

DIGEST = """Syrian forces take three villages

Troops seized Sarkha on Monday.
(Source / 14.04.2014)

Jets hit rebel bastions

Rebels held Douma on Sunday.
(Source: Syrian Coalition / 13.04.2014)
"""


def test_source_trailers_close_the_piece_above():
    pieces = segment(DIGEST)
    assert [(p.how, p.anchor.iso()) for p in pieces] == [
        ("trailer", "2014-04-14"),
        ("trailer", "2014-04-13"),
    ]
    assert "Sarkha" in DIGEST[pieces[0].start : pieces[0].end]
    assert "Douma" in DIGEST[pieces[1].start : pieces[1].end]


def test_date_lines_open_a_piece_with_the_headline_above():
    text = (
        "Posts tagged Syria\n\nRebels dig in for Daraa fight\n\nApril 25, 2018\n\n"
        "Rebels hold the Old City.\n"
    )
    pieces = segment(text, default=d.from_iso("2018-07-09"))
    assert [(p.how, p.anchor.iso()) for p in pieces] == [
        ("default", "2018-07-09"),
        ("dateline", "2018-04-25"),
    ]
    assert text[pieces[1].start :].startswith("Rebels dig in")


def test_undated_text_without_default_is_reported_undated():
    (piece,) = segment("Rebels captured the town.")
    assert piece.anchor is None and piece.how == "none"


def test_markdown_headings_and_front_matter():
    text = (
        "---\ntitle: Palmyra offensive (March 2016)\npubDate: 2023-07-06 00:07\n---\n"
        "Lead text.\n\n## Background\n\nIn 2015 IS took the city.\n\n## 2017\n\nThe army entered.\n"
    )
    pieces = segment(text)
    assert [(p.how, p.anchor.iso()) for p in pieces] == [
        ("title", "2016-03"),
        ("title", "2016-03"),
        ("heading", "2017"),
    ]
    ranged = segment("---\nsubject: Offensive (April–June 2015)\n---\nText.\n")[0].anchor
    assert (ranged.iso(), ranged.end.isoformat()) == ("2015-04", "2015-06-30")
    spans = segment("## Fighting (March–May 2014)\nx\n## Insurgency (July 2011–April 2012)\ny\n")
    assert [(p.anchor.iso(), p.anchor.end.isoformat()) for p in spans] == [
        ("2014-03", "2014-05-31"),
        ("2011-07", "2012-04-30"),
    ]


def test_sentences_keep_abbreviations_and_lines():
    text = (
        "The U.S. said on Oct. 15 that rebels won. Troops left.\nHEADLINE WITHOUT STOP\nLast one."
    )
    got = [text[s:e] for s, e in sentences(text)]
    assert got == [
        "The U.S. said on Oct. 15 that rebels won.",
        "Troops left.",
        "HEADLINE WITHOUT STOP",
        "Last one.",
    ]
