"""Did-you-mean suggestions come in the script of the query (issue 19): a Latin query gets Latin
names (the transliteration of an Arabic-script match when the gazetteer has one), an Arabic
query Arabic-script names; never an unrelated script."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import gazetteer
from gazetteer.gazetteer import script_of
from mapper.cli import app

ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
HEBREW = re.compile(r"[\u0590-\u05FF]")


@pytest.fixture(scope="module")
def gz():
    return gazetteer.load()


def _names(suggestions):
    return [s.rsplit(" (", 1)[0] for s in suggestions]


@pytest.mark.parametrize("query", ["Nowhereville", "Kafr Zeitaa Qqq", "Maaloulaaaa Xq"])
def test_latin_query_gets_latin_suggestions_only(gz, query):
    names = _names(gz.suggestions(query))
    assert names, query
    assert all(script_of(n) == "LATIN" for n in names), names
    assert not any(ARABIC.search(n) or HEBREW.search(n) for n in names), names


def test_arabic_script_match_is_shown_as_its_transliteration(gz):
    # 'Nowhereville' is close to the skeleton of an Arabic-script name only; the suggestion is
    # the same place under its Latin name
    names = _names(gz.suggestions("Nowhereville"))
    arabic_query = _names(gz.suggestions("نووهيرفيل"))
    assert arabic_query and all(script_of(n) == "ARABIC" for n in arabic_query), arabic_query
    assert len(names) == len(arabic_query)


@pytest.mark.parametrize("query", ["كفرزيتاا قق", "معلولاااا س", "حلب الجديدةة زز"])
def test_arabic_query_gets_arabic_script_suggestions_only(gz, query):
    names = _names(gz.suggestions(query))
    assert names, query
    assert all(script_of(n) == "ARABIC" for n in names), names


def test_script_of():
    assert script_of("Qusair") == "LATIN" and script_of("Al Quşayr") == "LATIN"
    assert script_of("القصير") == "ARABIC" and script_of("نهاریا") == "ARABIC"
    assert script_of("123 -") is None


def test_events_check_on_nowhereville_suggests_no_arabic_script(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("date,place,controller,source\n"
                      "2014-01-01,Nowhereville,government,https://example.org/a\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["events", "check", str(events)])
    assert "Nowhereville" in result.output and "did you mean" in result.output
    assert not ARABIC.search(result.output), result.output
    assert result.exit_code == 1
