"""Named facilities, lists of villages after "the villages of", and the clause rules that came with
them (issue 17). Sentences composed for this file, about other places than the annotated articles;
the embedded gazetteer (with its sourced supplement of bases and crossings) resolves them.
"""

import functools

import pytest

import gazetteer
from extract import extract_texts
from layers.factions import load_factions


@functools.cache
def _gz(region):
    return gazetteer.load(region=region) if region else gazetteer.load()


def run(text: str, date: str = "2016-05-10", theatre: str = "syria"):
    factions = load_factions(theatre)
    gz = _gz(getattr(factions, "region", "") or None if theatre != "syria" else None)
    props, _ = extract_texts(
        [("wire.txt", text)], gazetteer=gz, factions=factions, default_date=date
    )
    return props


def rows(props):
    return sorted((p.mention, p.place, p.controller, p.needs_place) for p in props)


def test_every_name_of_a_villages_of_list_is_proposed_known_or_not():
    props = run("On 5 May 2016, rebels captured the villages of Khirbet Zawraqiyah, Tell Madiq "
                "and Atarib after a night of fighting.")
    by_mention = {p.mention: p for p in props}
    assert {"Khirbet Zawraqiyah", "Tell Madiq", "Atarib"} <= set(by_mention), rows(props)
    assert all(p.controller == "opposition" and p.date == "2016-05-05" for p in props)
    assert by_mention["Khirbet Zawraqiyah"].needs_place and by_mention["Tell Madiq"].needs_place
    assert not by_mention["Atarib"].needs_place


def test_an_unknown_hamlet_after_a_capture_verb_is_proposed():
    props = run("Government troops captured the hamlet of Tell Bazzam on 2 June 2015.")
    assert [(p.mention, p.controller, p.needs_place) for p in props] == [
        ("Tell Bazzam", "government", True)
    ]


def test_the_capital_city_of_a_state_is_not_a_listed_place():
    props = run("The army recaptured Sinjar, the capital city of Sinjar District, on Friday.")
    assert all("District" not in p.mention for p in props), rows(props)


def test_a_named_airbase_under_another_spelling_of_its_kind():
    props = run("Opposition fighters captured the Menagh airfield on 6 August 2013.")
    assert [(p.place, p.controller, p.mention) for p in props] == [
        ("Menagh Air Base", "opposition", "Menagh airfield")
    ]


def test_military_before_a_facility_noun_is_an_adjective_not_the_army():
    props = run("Rebels stormed the Taftanaz military airport on 11 January 2013.")
    assert [(p.place, p.controller) for p in props] == [("Taftanaz Air Base", "opposition")]


def test_a_unit_base_the_gazetteer_does_not_know_is_proposed_by_its_name():
    props = run("On 3 May 2017, Kurdish-led SDF fighters captured the Regiment 113 base.")
    assert [(p.mention, p.controller, p.needs_place) for p in props] == [
        ("Regiment 113 base", "sdf", True)
    ]


def test_a_base_named_by_a_nationality_is_not_a_place():
    props = run("Rebels entered the Russian air base on 3 May 2017 and seized Atarib.")
    assert all("air base" not in p.mention for p in props), rows(props)


def test_an_unknown_border_crossing_is_proposed_at_its_town():
    props = run("Rebels seized the Atarib border crossing on 3 May 2013.")
    assert [(p.mention, p.place_id.startswith("geonames:"), p.controller) for p in props] == [
        ("Atarib border crossing", True, "opposition")
    ]


def test_crossings_named_at_their_places():
    props = run("Rebels took control of two border crossings with Turkey at Bab al-Salameh and "
                "Kassab on 19 July 2012.")
    # "at Kassab" names the town the crossing stands at: the town or its crossing will do
    assert [(p.mention, p.controller) for p in props] == [
        ("Bab al-Salameh", "opposition"), ("Kassab", "opposition")
    ], rows(props)
    assert props[0].place == "Bab al-Salameh Border Crossing"


@pytest.mark.parametrize(
    "sentence",
    [
        "Menagh airbase is the second base to be captured by rebels this month.",
        "Menagh airbase became the first airport to be overrun by rebels in the north.",
    ],
)
def test_an_ordinal_copula_makes_the_place_the_subject_of_the_passive(sentence):
    props = run(sentence, date="2013-08-06")
    assert [(p.place, p.controller) for p in props] == [("Menagh Air Base", "opposition")]


def test_a_coordinated_second_predicate_ends_the_object():
    props = run("Rebels seized control of parts of the highway and torched the police station in "
                "the centre of Atarib on Monday.")
    assert not [p for p in props if "Atarib" in p.mention], rows(props)


def test_bare_extremists_stand_for_the_insurgent_side_named_before_in_the_piece():
    props = run("Islamic State fighters attacked the garrison at dawn, a monitor said.\n\n"
                "In May 2015, extremists took control of the town of Sukhnah.")
    assert [(p.mention, p.controller) for p in props] == [("Sukhnah", "isis")]


def test_bare_extremists_never_stand_for_the_government():
    props = run("Government forces shelled the area.\n\nExtremists took control of Atarib.")
    assert all(p.controller != "government" for p in props), rows(props)


def test_and_then_ends_the_clause_that_a_month_dates():
    props = run("In March 2016, rebels captured Atarib and then a few weeks later they took "
                "Sarmin.", date="2016-06-01")
    dates = {p.mention: p.date for p in props}
    assert dates.get("Atarib") == "2016-03", rows(props)


def test_the_month_may_is_not_the_modal_may():
    props = run("On 5 May 2016, rebels captured Atarib.")
    assert [(p.mention, p.date) for p in props] == [("Atarib", "2016-05-05")]
    assert run("Rebels may capture Atarib within days.") == []


def test_a_trailing_said_on_dates_an_undated_statement():
    props = run("Government troops have captured Sarmin, a war monitor said on 11 November 2015.",
                date="2016-01-01")
    assert [(p.mention, p.date) for p in props] == [("Sarmin", "2015-11-11")]


def test_a_passive_expulsion_names_the_winner_after_by():
    props = run("Rebels were driven out of Atarib and Sarmin by government troops on 5 June 2016.")
    assert sorted((p.mention, p.controller, p.date) for p in props) == [
        ("Atarib", "government", "2016-06-05"), ("Sarmin", "government", "2016-06-05")
    ]


def test_swept_into_a_city_is_taking_it():
    props = run("HTS fighters swept into Sarmin on 29 November 2024.")
    assert [(p.mention, p.controller) for p in props] == [("Sarmin", "hts")]


def test_a_place_set_off_by_a_participle_clause_is_the_subject_of_fell_to():
    props = run("Sarmin, held by rebels since 2012, fell to government forces on 9 February 2020.")
    assert sorted((p.controller, p.date) for p in props) == [
        ("government", "2020-02-09"), ("opposition", "2012")
    ]


@pytest.mark.parametrize(
    ("theatre", "text"),
    [
        ("ukraine", "Ukrainian forces have recaptured Kupiansk, President Volodymyr Zelensky said "
                    "on 12 December 2025."),
        ("sudan", "According to the RSF, its fighters seized the city of Omdurman on 1 December "
                  "2025."),
    ],
)
def test_a_head_of_state_or_a_side_as_the_source_is_a_claim(theatre, text):
    props = run(text, theatre=theatre)
    assert [p.certainty for p in props] == ["claimed"], rows(props)


def test_present_tense_holding_is_a_state_and_a_share_is_contested():
    held = run("Opposition fighters still hold Atarib, residents said on 3 July 2018.")
    assert [(p.controller, p.kind, p.date) for p in held] == [("opposition", "state", "2018-07-03")]
    share = run("Government forces now control about 70 percent of Atarib, a monitor said.")
    assert [p.controller for p in share] == ["contested"]
    assert run("The battle to control Atarib went on, and the sides held talks in Sarmin.") == []


def test_the_date_after_an_appositive_and_a_state_is_an_area():
    props = run("RSF fighters stormed the town of Omdurman, capital of Khartoum state, on 29 June "
                "2024, witnesses said.", theatre="sudan")
    assert [(p.mention, p.date) for p in props] == [("Omdurman", "2024-06-29")]


def test_a_generic_head_with_an_unknown_tail_is_the_unknown_place():
    props = run("On 14 June 2014, rebels took over Tall al-Ghumuq near the town of Sarmin.")
    assert [(p.mention, p.needs_place) for p in props] == [("Tall al-Ghumuq", True)]


def test_hilltops_beside_a_town_are_not_the_town():
    props = run("On 25 March 2016, government forces took control of several hilltops on the "
                "western side of Sarmin.")
    assert props == [], rows(props)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Sarmin returned to government control on 9 February 2020.",
         [("government", "change", "2020-02-09")]),
        ("Sarmin is back in government hands since 9 February 2020.",
         [("government", "state", "2020-02-09")]),
        ("The army cemented its control over Sarmin on 22 December 2016.",
         [("government", "state", "2016-12-22")]),
        ("Government forces have encircled Sarmin, a monitor said on 20 August 2019.", []),
    ],
)
def test_returning_to_control_and_cementing_it(sentence, expected):
    assert [(p.controller, p.kind, p.date) for p in run(sentence)] == expected


def test_the_bank_of_a_river_is_not_the_city_of_that_name():
    props = run("Ukrainian forces now hold positions on the east bank of the Dnipro near Krynky, "
                "the military said on 17 November 2023.", theatre="ukraine")
    assert all(p.mention != "Dnipro" for p in props), rows(props)


def test_scare_quotes_a_long_date_before_it_and_a_defence_ministry_as_the_side():
    props = run("Russia's Defence Ministry said on Saturday 5 August 2024 that its forces had "
                "\"liberated\" the village of Krynky.", theatre="ukraine")
    assert [(p.mention, p.controller, p.certainty, p.date) for p in props] == [
        ("Krynky", "russia", "claimed", "2024-08-05")
    ]


def test_a_nationality_names_its_side_in_under_control():
    props = run("Vovchansk has been under Russian control since 10 May 2024.", theatre="ukraine")
    assert [(p.controller, p.kind, p.date) for p in props] == [("russia", "state", "2024-05-10")]


def test_troops_and_allied_rebels_are_one_subject_led_by_the_first():
    props = run("Turkish troops and allied Syrian rebels have seized Sarmin on 18 March 2018.")
    assert [p.controller for p in props] == ["turkey_backed"]


def test_a_named_gas_field_east_of_a_city_is_the_object():
    props = run("IS militants seized the Shaer gas field east of Homs on 17 July 2014.")
    assert [(p.place, p.controller, p.date) for p in props] == [
        ("Shaer Gas Field", "isis", "2014-07-17")
    ]


def test_the_side_before_an_appositive_is_the_subject():
    props = run("Jaish al-Fatah, an alliance of Islamist groups, took Sarmin on 28 March 2015.")
    assert [(p.mention, p.controller) for p in props] == [("Sarmin", "opposition")]
