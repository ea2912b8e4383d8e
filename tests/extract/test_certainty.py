"""Certainty from attribution and confirmation."""

import pytest

from extract.certainty import attribution


def certainty(sentence: str, word: str) -> str:
    return attribution(sentence).certainty_at(sentence.index(word))


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        (
            "The army regained control of Qusair, Syrian state television said Wednesday, a "
            "statement confirmed by a "
            "UK-based rights group.",
            "regained",
            "confirmed",
        ),
        (
            "Only Hawsh Arab remained in rebel hands, said the commander who spoke to an "
            "Associated Press reporter.",
            "remained",
            "claimed",
        ),
        (
            "The AP quoted Syria's state news agency as saying forces captured Sarkha.",
            "captured",
            "claimed",
        ),
        (
            "A Syrian military commander said troops also seized Jibbeh, the agency added.",
            "seized",
            "claimed",
        ),
        (
            "State media shows footage of forces outside Jisr al-Shughour, captured by rebels in "
            "late March.",
            "captured",
            "confirmed",
        ),
        (
            "The Syrian Observatory said government forces took control of areas on Mleiha's "
            "edges.",
            "took",
            "confirmed",
        ),
        ("Government troops captured the town of Rankous, AP said.", "captured", "confirmed"),
        (
            "Pro-regime accounts said the army recaptured the Sugar Factory.",
            "recaptured",
            "claimed",
        ),
        (
            "Syrian Army forces also entered Al-Thawrah according to Syrian government media.",
            "entered",
            "claimed",
        ),
        ("Government forces are said to have recaptured Sarkha.", "recaptured", "claimed"),
        ("The capture of the town could not be independently verified.", "capture", "claimed"),
        (
            "An activist told The Associated Press that Nusra fighters forced out IS gunmen.",
            "forced",
            "confirmed",
        ),
    ],
)
def test_certainty(sentence, word, expected):
    assert certainty(sentence, word) == expected


def test_a_bare_disclaimer_sentence_is_flagged():
    assert attribution("The reports could not be independently verified.").disclaimer_only
    assert not attribution("Rebels captured the town, which could not be verified.").disclaimer_only


def test_a_sentence_that_opens_by_disputing_the_report_disclaims_it_whatever_follows():
    from extract.certainty import attribution

    long = ("The claim was disputed by local activists, but if true, such an advance would cut the "
            "road between the two towns and leave the garrison isolated for weeks.")
    assert attribution(long).disclaimer_only
    told = ("The report said government forces had captured two villages on the road, and "
            "activists disputed nothing of it in the weeks that followed.")
    assert not attribution(told).disclaimer_only
