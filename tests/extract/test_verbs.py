"""Control verbs and their voice, states, modality and negation, on single sentences."""

import pytest

from extract.actors import ActorMatcher
from extract.verbs import SentenceView, statements
from layers.factions import load_factions

from .fakes import FakeGazetteer

GZ = FakeGazetteer()
MATCHER = ActorMatcher(load_factions())


def said(sentence: str, prev_actor=None):
    places = tuple(
        (m.start, m.end) for m in GZ.mentions(sentence) if m.text not in ("Syria", "Lebanon")
    )
    sv = SentenceView(
        sentence,
        places,
        (),
        tuple(MATCHER.find(sentence)),
        MATCHER.incumbent,
        MATCHER.resolve_word,
        prev_actor,
    )
    return sorted(
        (sentence[slice(*sv.places[i])], st.controller, st.kind)
        for st in statements(sv)
        for i in st.places
    ) + [("anaphora", st.controller, st.anaphor) for st in statements(sv) if st.anaphor]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The Syrian army has regained control of the strategic town of Qusair on the border "
            "with Lebanon.",
            [("Qusair", "government", "change")],
        ),
        (
            "Government troops backed by Hezbollah fighters captured the nearby town of Rankous, "
            "AP said.",
            [("Rankous", "government", "change")],
        ),
        (
            "The city of Palmyra, captured by rebels in late March, is quiet.",
            [("Palmyra", "opposition", "change")],
        ),
        (
            "Rankous, a former opposition stronghold that fell to the regime on Wednesday, is "
            "calm.",
            [("Rankous", "government", "change")],
        ),
        (
            "Assad is keen to recapture the Nasib crossing, which the regime lost to rebels in "
            "2015.",
            [("Nasib", "opposition", "change")],
        ),
        (
            "Forces loyal to Assad captured Sarkha before sweeping rebels out of Maaloula.",
            [("Maaloula", "government", "change"), ("Sarkha", "government", "change")],
        ),
        (
            "Nusra Front fighters brought reinforcements into Bukamal and forced out Islamic "
            "State gunmen.",
            [("Bukamal", "hts", "change")],
        ),
        (
            "Rebels withdrew from Qusair after an onslaught by the Syrian army.",
            [("Qusair", "government", "change")],
        ),
        (
            "ISIL militants and their baathist allies seized Palmyra.",
            [("Palmyra", "isis", "change")],
        ),
        (
            "Turkish troops and rebels were reported to have captured Saraqib.",
            [("Saraqib", "turkey_backed", "change")],
        ),
    ],
)
def test_change_verbs_and_voice(sentence, expected):
    assert said(sentence) == sorted(expected)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Shelling hit rebel-held Douma on Friday.", [("Douma", "opposition", "state")]),
        (
            "Only the towns of Hawsh Arab and Jbaadin remained in rebel hands.",
            [("Hawsh Arab", "opposition", "state"), ("Jbaadin", "opposition", "state")],
        ),
        (
            "Strikes hit Douma, an opposition stronghold since early in the revolt.",
            [("Douma", "opposition", "state")],
        ),
        (
            "Jets attacked a string of opposition strongholds, including Kafr Zita, on Sunday.",
            [("Kafr Zita", "opposition", "state")],
        ),
        ("He said Jibbeh had never been in opposition hands.", [("Jibbeh", "government", "state")]),
        (
            "Government forces took control of areas on Mleiha's edges.",
            [("Mleiha", "contested", "state")],
        ),
        ("Around 41% of Aleppo was held by the SDF.", [("Aleppo", "contested", "state")]),
        (
            "Syrian government soldiers burn an opposition flag at the Nasib crossing.",
            [("Nasib", "government", "state")],
        ),
    ],
)
def test_states(sentence, expected):
    assert said(sentence) == sorted(expected)


NOTHING = [
    "The regime offensive to retake Daraya began in June.",
    "Rebels are trying to capture Saraqib.",
    "ISIS threatened to storm Palmyra.",
    "When Aleppo was recaptured from the opposition, the regime would turn east.",
    "Investigators entered Douma on Tuesday.",  # not a side
    "Warplanes struck Douma and Daraya, killing ten.",  # an attack, no control statement
    "Talks on Aleppo continued in Geneva.",
    "Rankous, a former opposition stronghold, was shelled.",
    "Rebels in rebel-held east Aleppo were shelled.",  # only part of the city
    "The army failed to capture Saraqib.",
    "Members of IS were forced out of Bukamal.",  # the winner is not named
    "The army overran hills overlooking Rankous.",
    "The Lebanese Army recaptured all of Qusair.",  # a side this factions file does not name
    "The situation escalated between Turkey and Iraq on the day Iraqi forces entered Aleppo.",
    "The Akhtarin Military Council captured Saraqib.",  # "Military" is part of a name here
]


@pytest.mark.parametrize("sentence", NOTHING)
def test_no_control_statement(sentence):
    assert said(sentence) == []


def test_a_passive_expulsion_is_not_a_capture_by_the_expelled():
    assert said("ISIL captured Homs, before they were pushed out again by air strikes.") == [
        ("Homs", "isis", "change")
    ]


def test_anaphora_is_left_to_the_caller():
    assert said("Regime troops later captured the village after a battle.") == [
        ("anaphora", "government", "village")
    ]


def test_nominal_capture_takes_the_previous_actor_when_none_is_named():
    assert said(
        "The capture of Sarkha and Maaloula comes a day after the speech.", prev_actor="government"
    ) == [("Maaloula", "government", "change"), ("Sarkha", "government", "change")]


def test_nominal_captures_name_their_taker():
    assert said(
        "ISIL drove Iraqi government forces out of key cities, followed by its capture of Homs."
    ) == [("Homs", "isis", "change")]
    assert said(
        "The SDF assault began in March and resulted in the capture of Palmyra in May."
    ) == [("Palmyra", "sdf", "change")]
    assert (
        said("Turkey fired tear gas at Kurds trying to celebrate the liberation of Aleppo.") == []
    )
