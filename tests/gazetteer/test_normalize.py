"""Key functions: spelling variants meet on the normalized or skeleton key, across scripts."""

from __future__ import annotations

import pytest

from gazetteer.normalize import exact_key, normalized_key, skeleton_key, tokens

SAME_NORMALIZED = [
    ("al-Qusayr", "Al Quşayr"),
    ("Ma'aloula", "Maaloula"),
    ("Kfar Zeita", "Kafr Zeita"),
    ("Deir ez-Zor", "Dayr az-Zor"),
    ("Tell Abyad", "Tal Abyad"),
    ("Cheikh Maskine", "Sheikh Maskine"),
    ("Abou Kamal", "Abu Kamal"),
    ("Jisr al-Shughour", "Jisr ash-Shughour"),
    ("Ras al-Ain", "Ras el Ain"),
    ("Ain al-Arab", "Ayn al Arab"),
    ("Beit Jinn", "Bayt Jinn"),
]

SAME_SKELETON = [
    ("Qusair", "al-Qusayr"),
    ("Kafr Zita", "Kafr Zaytah"),
    ("Jibbeh", "Al Jubbah"),
    ("Mleha", "Al Mulayhah"),
    ("Mleiha", "Mleha"),
    ("Nassib", "Naseeb"),
    ("Morek", "Murak"),
    ("Khan Sheikhoun", "Khān Shaykhūn"),
    ("Bukamal", "Abu Kamal"),
    ("Douma", "Duma"),
    ("Rankous", "Rankus"),
]

ARABIC_LATIN = [
    ("القصير", "Qusayr"),
    ("دوما", "Douma"),
    ("كفرزيتا", "Kafr Zita"),
    ("كفر زيتا", "Kafr Zayta"),
    ("الجبة", "Jubbah"),
    ("عسال الورد", "'Assal al-Ward"),
    ("دير الزور", "Deir ez-Zor"),
    ("خان شيخون", "Khan Shaykhun"),
    ("البوكمال", "Abu Kamal"),
]


@pytest.mark.parametrize(("a", "b"), SAME_NORMALIZED)
def test_variants_share_the_normalized_key(a, b):
    assert normalized_key(a) == normalized_key(b) != ""


@pytest.mark.parametrize(("a", "b"), SAME_SKELETON)
def test_vowel_and_doubling_variants_share_the_skeleton(a, b):
    assert skeleton_key(a) == skeleton_key(b) != ""


@pytest.mark.parametrize(("arabic", "latin"), ARABIC_LATIN)
def test_arabic_script_maps_to_the_latin_skeleton(arabic, latin):
    assert skeleton_key(arabic) == skeleton_key(latin) != ""


def test_different_places_keep_different_keys():
    assert skeleton_key("Arsal") != skeleton_key("'Assal al-Ward")
    assert normalized_key("Homs") != normalized_key("Hama")
    assert skeleton_key("Idlib") != skeleton_key("Aleppo")


def test_articles_fold_but_a_name_of_articles_survives():
    assert tokens("al-Bab") == ("bab",)
    assert tokens("As") == ("as",)


def test_exact_key_unifies_apostrophes_only():
    assert exact_key("Sheikh Sa'd") == exact_key("Sheikh Sa‘d") == exact_key("SHEIKH SA’D")
    assert exact_key("Sheikh Sa'd") != exact_key("Sheikh Sad")


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x07", "---", "''", "\u202e\u200f"])
def test_degenerate_input_gives_empty_keys(bad):
    assert normalized_key(bad) == ""
    assert skeleton_key(bad) == ""


def test_control_characters_are_ignored():
    assert normalized_key("Dou\x00ma\t") == normalized_key("Douma")
