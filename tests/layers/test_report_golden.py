"""The report on files with one row of every kind of problem equals the golden saved before the
vectorized rewrite of layers/observations.py (same problems, same order, same usable rows)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from layers import check_observations, read_observations
from tests.layers.fake_gazetteer import FakeGazetteer

DATA = Path(__file__).parent / "data"


def report(path: Path) -> dict:
    """What the golden holds: the check report, the usable rows and the dropped lines."""
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=dt.date(2024, 1, 1))
    rep = check_observations(obs).to_dict()
    rep["file"] = "every_problem.csv"
    for p in rep["problems"]:
        p["file"] = "every_problem.csv"
    rep["frame"] = json.loads(obs.frame.astype(str).to_json(orient="records"))
    rep["dropped_lines"] = list(obs.dropped_lines)
    return rep


@pytest.mark.parametrize("name", ["every_problem.csv", "every_problem.geojson"])
def test_report_matches_the_golden(name):
    golden = json.loads((DATA / f"{name}.golden.json").read_text(encoding="utf-8"))
    got = report(DATA / name)
    assert got["problems"] == golden["problems"]
    assert got == golden
    assert got["rows_read"] == got["usable"] + got["dropped"]
