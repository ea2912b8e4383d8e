"""The pipeline on small texts with an in-memory gazetteer: dates, merging, anaphora, output."""

import json

from extract import extract_texts, to_csv, to_jsonl
from layers.factions import load_factions

from .fakes import FakeGazetteer

FACTIONS = load_factions()


def run(text, date=None):
    props, report = extract_texts(
        [("doc.txt", text)], gazetteer=FakeGazetteer(), factions=FACTIONS, default_date=date
    )
    return [(p.place, p.controller, p.kind, p.date, p.certainty) for p in props], report


def test_a_change_dated_by_a_weekday_and_the_article_date():
    rows, report = run("Syrian troops captured Sarkha on Monday, state media said.", "2014-04-16")
    assert rows == [("Sarkha", "government", "change", "2014-04-14", "claimed")]
    assert (report.documents, report.sentences, report.proposals) == (1, 1, 1)


def test_duplicates_merge_and_a_confirmation_upgrades_the_piece():
    text = (
        "State media said the army captured Sarkha on Monday. The capture of Sarkha was a blow. "
        "An activist confirmed to AP that the military had taken the villages."
    )
    rows, _ = run(text, "2014-04-14")
    assert rows == [("Sarkha", "government", "change", "2014-04-14", "confirmed")]


def test_a_change_makes_the_state_of_the_same_place_redundant():
    text = (
        "Airstrikes on Sunday targeted the opposition-held village of Um Al-Mayadeen. "
        "Regime troops later captured the village after a battle with opposition fighters."
    )
    rows, _ = run(text, "2018-07-09")
    # "later" is after Sunday 8 July, so the day is not said: month precision
    assert rows == [("Um Al-Mayadeen", "government", "change", "2018-07", "confirmed")]


def test_two_sides_holding_one_place_cancel_out_and_are_reported():
    text = (
        "Only Jbaadin remained in rebel hands, said the commander. "
        "An activist said Jbaadin had never been in opposition hands."
    )
    rows, report = run(text, "2014-04-14")
    assert rows == []
    assert report.conflicts and report.conflicts[0][1] == "Jbaadin"


def test_contested_beats_a_side_and_transient_captures_are_void():
    text = (
        "The opposition town of Mleiha was bombed. The army took control of areas on Mleiha's "
        "edges. "
        "Fighting raged around Bukamal. The Islamic State briefly captured the town for several "
        "hours."
    )
    rows, _ = run(text, "2014-04-13")
    assert rows == [("Mleiha", "contested", "state", "2014-04-13", "confirmed")]


def test_places_without_control_statements_give_nothing():
    rows, report = run(
        "Barrel bombs hit Douma and Daraya. Talks on Aleppo resumed. A chemical attack hit Kafr "
        "Zita.",
        "2014-04-12",
    )
    assert rows == [] and report.sentences == 3


def test_undated_text_keeps_explicit_dates_and_reports_the_rest():
    rows, report = run(
        "On 3 March 2013 rebels captured Saraqib. Later the army entered Homs on Sunday."
    )
    assert rows[0] == ("Saraqib", "opposition", "change", "2013-03-03", "confirmed")
    assert report.undated == 1


def test_pages_dated_by_publication_take_the_era_of_their_first_date():
    text = (
        "---\ntitle: Battle of Saraqib\npubDate: 2023-07-06 00:07\n---\n"
        "The battle began on 6 November 2016.\n\n## Offensive\n\n"
        "On 7 February, rebels captured Saraqib.\n"
    )
    rows, _ = run(text)
    assert rows == [("Saraqib", "opposition", "change", "2017-02-07", "confirmed")]


def test_output_formats_carry_every_column():
    props, _ = extract_texts(
        [("doc.txt", "Rebels captured Saraqib on 3 March 2013.")],
        gazetteer=FakeGazetteer(),
        factions=FACTIONS,
    )
    header = to_csv(props).splitlines()[0].split(",")
    for col in (
        "date",
        "date_precision",
        "place",
        "place_id",
        "lat",
        "lon",
        "controller",
        "kind",
        "certainty",
        "confidence",
        "evidence",
        "source_file",
    ):
        assert col in header
    row = json.loads(to_jsonl(props).splitlines()[0])
    assert (
        row["evidence"] == "Rebels captured Saraqib on 3 March 2013."
        and row["source_file"] == "doc.txt"
    )
    assert 0 < row["confidence"] <= 1


def test_markdown_emphasis_and_area_lists():
    text = (
        "---\ntitle: Campaign (2014)\n---\n## Events\nOn 4 **March**, the Syrian Army took "
        "control of Sarkha. "
        "Rebels captured another 10 villages, encircling IS in a pocket spanning Homs, Aleppo and "
        "Saraqib governorates.\n"
    )
    rows, _ = run(text)
    assert rows == [("Sarkha", "government", "change", "2014-03-04", "confirmed")]


def test_table_rows_offsets_and_following():
    text = (
        "---\ntitle: Control of towns (2012)\n---\n"
        "| Saraqib | 1,000 | Idlib | On 3 March 2013, the army captured the town. |\n"
        "| Qusair | 2,000 | Homs | The SDF troops withdrew from Qusair, the army said. |\n\n"
        "The offensive began in June 2016 and led to the capture of Homs by the SDF two months "
        "later.\n\n"
        "On 25 February 2017, following the fall of Aleppo to the rebels, the army regrouped.\n"
    )
    rows, _ = run(text)
    assert ("Saraqib", "government", "change", "2013-03-03", "confirmed") in rows  # the row's town
    assert not [
        r for r in rows if r[0] == "Qusair"
    ]  # "SDF troops" are the SDF, no other side named
    assert ("Homs", "sdf", "change", "2016-08", "confirmed") in rows
    assert ("Aleppo", "opposition", "change", "2017-02", "confirmed") in rows
