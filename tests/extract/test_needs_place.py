"""A control statement about a place the gazetteer does not know is still proposed, flagged
``needs_place`` with the gazetteer's suggestions, so the reviewer can place it (issue 17)."""

import csv
import io

import gazetteer
from extract import extract_texts, to_csv
from layers.factions import load_factions

FACTIONS = load_factions()
UKRAINE = load_factions("ukraine")


def _run(text, factions=FACTIONS, region=None):
    gz = gazetteer.load(region=region) if region else gazetteer.load()
    props, report = extract_texts([("wire.txt", text)], gazetteer=gz, factions=factions)
    return props, report


def test_an_unknown_village_is_proposed_with_needs_place():
    props, report = _run("Government forces captured the village of Tell Zorbakhan on 4 May 2016, "
                         "a monitoring group said.")
    unplaced = [p for p in props if p.needs_place]
    assert len(unplaced) == 1, props
    p = unplaced[0]
    assert p.mention == "Tell Zorbakhan" and p.place == "Tell Zorbakhan"
    assert p.place_id == "" and p.controller == "government" and p.date == "2016-05-04"
    assert report.unresolved  # still counted as an unresolved mention
    row = next(csv.DictReader(io.StringIO(to_csv(props))))
    assert row["needs_place"] == "true" and row["lat"] == "" and row["lon"] == ""


def test_resolved_places_are_not_flagged_and_suggestions_come_for_a_near_miss():
    props, _ = _run("Russian forces seized Kupiansk on 27 February 2022 and stormed the village "
                    "of Kupyansk-Vuzlovyy, officials said.", factions=UKRAINE, region="ukraine")
    placed = [p for p in props if not p.needs_place]
    assert placed and all(p.place_id and p.suggestions == "" for p in placed)
    row = next(csv.DictReader(io.StringIO(to_csv(placed))))
    assert row["needs_place"] == "false"


def test_a_faction_name_is_never_an_unplaced_place():
    props, _ = _run("The army recaptured Hezbollah on Monday.")
    assert not [p for p in props if p.needs_place]


def test_a_capitalised_modifier_is_not_an_unplaced_place():
    props, _ = _run("Ukrainian soldiers captured Russian mortar shells on 11 November 2022 near "
                    "the front.", factions=UKRAINE, region="ukraine")
    assert not [p for p in props if p.needs_place], props


def test_a_disclaimer_two_sentences_later_makes_the_report_a_claim():
    from .fakes import FakeGazetteer

    text = ("Rebels seized Saraqib on 3 March 2013, insurgents told reporters.\nSome said they "
            "held the whole town. The reports could not be independently verified.")
    props, _ = extract_texts([("w.txt", text)], gazetteer=FakeGazetteer(), factions=FACTIONS)
    assert [(p.place, p.certainty) for p in props] == [("Saraqib", "confirmed")]
    text = text.replace("reporters.\n", "reporters. ")  # one paragraph: the disclaimer covers it
    props, _ = extract_texts([("w.txt", text)], gazetteer=FakeGazetteer(), factions=FACTIONS)
    assert [(p.place, p.certainty) for p in props] == [("Saraqib", "claimed")]
