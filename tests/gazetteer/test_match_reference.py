"""The optimised matcher gives exactly the hits of its plain definition (reference_match.py):
same places, qualities, chosen names and tie order, on the embedded gazetteer and, when
../shared is present, on the Who's On First store (77k names, many shared spellings)."""

from __future__ import annotations

import random

import pytest

import gazetteer
from gazetteer.match import find
from gazetteer.normalize import keys

from . import reference_match


def queries(gz, n: int, seed: int = 5) -> list[str]:
    """Names of the index as written, respelled, with one-letter typos, and word-dropped."""
    rng = random.Random(seed)
    text = gz.index.name_text
    out = []
    for _ in range(n):
        name = text[rng.randrange(len(text))]
        kind = rng.randrange(4)
        if kind == 1 and len(name) > 3:  # one letter typed wrong, missing or extra
            i = rng.randrange(1, len(name) - 1)
            out.append(rng.choice([name[:i] + name[i + 1:], name[:i] + "a" + name[i:],
                                   name[:i] + rng.choice("eioulnrst") + name[i + 1:]]))
        elif kind == 2:
            out.append(name.replace("ou", "u").replace("ay", "ei").replace("-", " "))
        elif kind == 3 and " " in name:
            out.append(name.split(" ", 1)[1] + "x")
        else:
            out.append(name)
    return out


def assert_same_hits(gz, names):
    ix = gz.index
    for name in names:
        q = keys(name)
        assert find(ix, q) == reference_match.find(ix, q), name


def test_find_matches_its_plain_definition_on_the_embedded_gazetteer():
    gz = gazetteer.load()
    assert_same_hits(gz, queries(gz, 1500))


def test_find_matches_its_plain_definition_on_the_wof_store(fresh_home, shared_data):
    from gazetteer.imports import import_file

    wof = shared_data / "wof_gazetteer_sy_lb"
    if not (wof / "wof_sy_places.csv.gz").exists():
        pytest.skip(f"{wof} is absent")
    import_file(wof / "wof_sy_places.csv.gz")
    gz = gazetteer.load()
    assert_same_hits(gz, queries(gz, 3000))


def test_a_bucket_key_keeps_the_lowest_name_of_each_place():
    """The skeleton buckets store each distinct key once with one name per place (its lowest
    id): the matchers keep a place's first name among equal scores, so no other could win."""
    gz = gazetteer.load()
    ix = gz.index
    checked = 0
    for group in ix.groups.values():
        for ids, norms, (order, members) in ((group[0], group[1], group[4]),
                                             (group[2], group[3], group[5])):
            expected: dict[str, dict[int, int]] = {}
            for nid, norm in zip(ids, norms, strict=True):
                first = expected.setdefault(norm, {})
                place = ix.name_place[nid]
                first[place] = min(first.get(place, nid), nid)
            assert sorted(order) == sorted(expected)
            assert [len(k) for k in order] == sorted(len(k) for k in order)
            for key, got in zip(order, members, strict=True):
                assert list(got) == sorted(expected[key].values())
                checked += 1
    assert checked > 1000
