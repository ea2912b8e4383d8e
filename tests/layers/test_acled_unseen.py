"""ACLED import on a second, different export the rules were not written against: another column
order and subset, ISO and abbreviated dates, associated actors deciding, bad rows."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers import ObservationsFileError, load_factions
from layers.acled import import_acled, load_rules

SAMPLE = """\
data_id,iso,event_id_cnty,event_date,year,event_type,sub_event_type,actor1,assoc_actor_1,actor2,\
admin1,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities
1,760,SYR20001,2016-08-12,2016,Battles,Non-state actor overtakes territory,Opposition Rebels \
(Syria),Military Forces of Turkey (2016-),Islamic State (Syria),Aleppo,Jarablus,36.8175,38.0111,\
1,Reuters,International,Rebels backed by Turkish troops entered the town.,4
2,760,SYR20002,3 Dec 2016,2016,Battles,Government regains territory,Military Forces of Syria \
(2000-) Republican Guard,Hezbollah,Opposition Rebels (Syria),Aleppo,Masaken Hanano,36.2265,\
37.1798,2,SANA,National,Army units claimed control of the district.,10
3,760,SYR20003,2016-12-05,2016,Violence against civilians,Attack,Islamic State (Syria),,Civilians \
(Syria),Homs,Tadmor,34.5602,38.2675,1,SOHR,Other,Civilians killed.,3
4,760,SYR20004,2017-02-30,2017,Battles,Government regains territory,Military Forces of Syria \
(2000-),,Islamic State (Syria),Aleppo,Al Bab,36.3708,37.5157,1,SANA,National,,0
5,760,SYR20005,2017-03-01,2017,Battles,Non-violent transfer of territory,Military Forces of \
Syria (2000-),,QSD: Syrian Democratic Forces,Aleppo,Manbij,north,37.9500,1,SANA,National,,0
6,760,SYR20006,2017-03-02,2017,Battles,Non-state actor overtakes territory,Martian Brigade,\
Unknown Militia,Islamic State (Syria),Aleppo,Tadef,36.3500,37.5300,1,Twitter,New media,,0
7,760,SYR20007,2017-03-03,2017,Battles,Non-state actor overtakes territory,Unidentified Armed \
Group (Syria),YPG: Peoples Protection Units,Islamic State (Syria),Ar-Raqqa,Tabqa,35.8356,38.5481,\
1,ANHA,Subnational,,0
"""


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_unseen_sample():
    res = import_acled(_frame(SAMPLE), factions=load_factions(), path="sample.csv")
    r = res.report
    assert (r.rows_read, r.mapped, r.skipped, r.reported) == (7, 3, 1, 3)
    assert r.skipped_by_type == {"Attack": 1}
    f = res.frame.set_index("place")
    # an allied state military in assoc_actor_1 decides: rebels with Turkish troops
    assert f.loc["Jarablus", "controller"] == "turkey_backed"
    assert "controller from associated actor Military Forces of Turkey" in f.loc["Jarablus", "note"]
    # a unit after the dated name; "claimed" wording; geo_precision 2; abbreviated month
    assert f.loc["Masaken Hanano", "controller"] == "government"
    assert f.loc["Masaken Hanano", "certainty"] == "claimed"
    assert f.loc["Masaken Hanano", "date"] == "2016-12-03"
    assert f.loc["Masaken Hanano", "note"].startswith("approximate location")
    # actor1 unknown but a known associated actor
    assert f.loc["Tabqa", "controller"] == "sdf"
    got = {(p.line, p.column) for p in r.problems}
    assert got == {(5, "event_date"), (6, "latitude"), (7, "actor1")}


def test_missing_columns_is_a_clear_error():
    with pytest.raises(ObservationsFileError, match=r"sample.csv: line 1: missing ACLED column"):
        import_acled(_frame("event_date,location\n2017-01-01,X\n"), factions=load_factions(),
                     path="sample.csv")


TYPES = [*load_rules().sub_event_types, "Armed clash", "Peaceful protest", ""]
ACTORS = ["Military Forces of Syria (2000-2024)", "Islamic State (Syria)", "Hayat Tahrir al-Sham",
          "QSD: Syrian Democratic Forces", "Syrian National Army", "Hezbollah", "Nobody Known", ""]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from(ACTORS),
                          st.sampled_from(["1 May 2018", "2018-05-02", "not a date"]),
                          st.sampled_from(["35.1", "", "95"])), max_size=30))
def test_accounting_holds_for_any_rows(rows):
    frame = pd.DataFrame(rows, columns=["sub_event_type", "actor1", "event_date", "latitude"])
    frame = frame.assign(location="Somewhere", longitude="38.0")
    r = import_acled(frame, factions=load_factions()).report
    assert r.rows_read == len(rows) == r.mapped + r.skipped + r.reported
