"""load(): embedded region + supplement CSVs + imports, cached in the user store."""

from __future__ import annotations

import shutil

import pytest

import gazetteer
from gazetteer.cache import cache_files
from gazetteer.readers import ReadReport
from gazetteer.readers.csv_places import read_places_csv
from gazetteer.readers.embedded import in_region, region_config

from .conftest import DATA


def test_supplement_loader_reads_every_csv_and_reports_bad_rows(fresh_home, tmp_path):
    supp = tmp_path / "supp"
    shutil.copytree(DATA / "supplement", supp)
    gz = gazetteer.load(supplement_dir=supp)
    c = gz.resolve_one("Tell Zarzour")
    assert c.id == "local:test-qalamoun-hill"
    assert c.place.kind == "hill" and c.place.source == "https://example.org/fixture"
    assert gz.resolve_one("كفر نهر").id == "local:test-kfar-nahr"
    assert gz.resolve_one("Kfr Nahr").id == "local:test-kfar-nahr"
    # the bad-latitude and nameless rows are reported with file, line and field
    assert any("line 4" in p and "'lat'" in p for p in gz.problems)
    assert any("line 5" in p and "'name'" in p for p in gz.problems)
    kinds = {s.kind for s in gz.sources}
    assert {"embedded", "supplement"} <= kinds


def test_embedded_default_is_region_filtered_and_cached(fresh_home):
    gz = gazetteer.load()
    countries = {p.country for p in gz.places}
    assert {"SY", "LB"} <= countries
    assert countries <= {"SY", "LB", "TR", "IQ", "JO", "IL", "PS"}
    assert gz.resolve_one("Douma", country="SY").id == "geonames:170592"
    names = {f.name.split("-")[0] for f in cache_files()}
    assert {"index", "embedded"} <= names
    again = gazetteer.load()
    assert again is gz  # memoized while no input changes


def test_cache_rebuilds_when_a_supplement_changes(fresh_home, tmp_path):
    supp = tmp_path / "supp"
    supp.mkdir()
    (supp / "a.csv").write_text("id,name,alt_names,lat,lon,country,admin1,kind,source\n"
                                "local:x1,Qaryat Alpha,,35.1,36.1,SY,Hama,village,https://e.org\n",
                                encoding="utf-8")
    gz1 = gazetteer.load(supplement_dir=supp)
    assert gz1.resolve_one("Qaryat Alpha").id == "local:x1"
    (supp / "b.csv").write_text("id,name,alt_names,lat,lon,country,admin1,kind,source\n"
                                "local:x2,Qaryat Beta,,35.2,36.2,SY,Hama,village,https://e.org\n",
                                encoding="utf-8")
    gz2 = gazetteer.load(supplement_dir=supp)
    assert gz2 is not gz1
    assert gz2.resolve_one("Qaryat Beta").id == "local:x2"


def test_corrupt_cache_is_rebuilt(fresh_home):
    gazetteer.load()
    for f in cache_files():
        if f.name.startswith("index-"):
            f.write_bytes(b"not a pickle")
    import sys

    sys.modules["gazetteer.load"]._LOADED.clear()  # a new process would not have it memoized
    assert gazetteer.load().resolve_one("Douma", country="SY").id == "geonames:170592"


def test_unknown_region_is_a_clear_error(fresh_home):
    with pytest.raises(ValueError, match="unknown gazetteer region 'mars'"):
        gazetteer.load(region="mars")


def test_region_border_zone_filter():
    cfg = region_config("levant")
    assert in_region("SY", 0, 0, cfg)
    assert in_region("TR", 36.2, 36.16, cfg)       # Antakya, by the Syrian border
    assert not in_region("TR", 41.0, 29.0, cfg)    # Istanbul
    assert not in_region("FR", 36.2, 36.16, cfg)


def test_csv_missing_columns_is_a_clear_error():
    with pytest.raises(gazetteer.GazetteerDataError, match=r"line 1.*missing column.*lon"):
        list(read_places_csv(DATA / "bad_missing_columns.csv", source="t", id_prefix="t"))


def test_csv_reader_reports_rows():
    report = ReadReport("x")
    recs = list(read_places_csv(DATA / "supplement" / "fixture_places.csv", source="t",
                                id_prefix="local", report=report))
    assert report.rows == 4 and report.kept == 2 == len(recs)
    assert recs[0].place.names == ("Tell Zarzour", "Tal Zarzur", "تل زرزور")


def test_module_level_resolve(fresh_home):
    assert gazetteer.resolve("Aleppo", country="SY")[0].place.country == "SY"
    assert gazetteer.resolve_one("Aleppo").name == "Aleppo"
