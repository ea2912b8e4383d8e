"""Place-name spans in free text for the extractor."""

from __future__ import annotations

import pytest


def spans(gz, text):
    return [(m.text, m.candidates[0].id) for m in gz.mentions(text)]


def test_finds_latin_and_arabic_spans_longest_first(tiny):
    text = "Regime forces took al-Qusayr and Yabroud; in دوما fighting went on near Kafr Zayta."
    found = spans(tiny, text)
    assert ("al-Qusayr", "t:qusayr-homs") in found
    assert ("Yabroud", "t:yabrud") in found
    assert ("دوما", "t:douma-sy") in found
    assert ("Kafr Zayta", "t:kafr-zita") in found
    for m in tiny.mentions(text):
        assert text[m.start:m.end] == m.text


def test_multiword_span_wins_over_its_parts(tiny):
    found = spans(tiny, "Clashes in 'Assal al-Ward overnight.")
    assert found == [("'Assal al-Ward", "t:assal")]


@pytest.mark.parametrize("text", [
    "The road was cut.",                  # common English word, lower case
    "Road blocks everywhere.",            # common word at the start of a sentence
    "the douma report",                   # lower case name in prose
    "",
    "x" * 10_000,
])
def test_common_words_and_lowercase_do_not_match(tiny, text):
    assert tiny.mentions(text) == []


def test_capitalised_common_word_mid_sentence_matches(tiny):
    assert spans(tiny, "They reached Road by noon.") == [("Road", "t:road")]


def test_candidates_are_ranked(tiny):
    m = tiny.mentions("Shelling hit Douma.")[0]
    assert [c.id for c in m.candidates][:2] == ["t:douma-sy", "t:douma-lb"]


def test_longer_close_spelling_beats_the_exact_word_inside_it(tiny):
    # "Arsal al-Ward" must not become Arsal (Lebanon) just because "Arsal" matches exactly.
    found = spans(tiny, "They moved from Arsal toward Arsal al-Ward at dawn.")
    assert found == [("Arsal", "t:arsal"), ("Arsal al-Ward", "t:assal")]
