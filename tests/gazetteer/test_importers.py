"""Importers on the real third-party files (../shared/data) and on small files built here."""

from __future__ import annotations

import gzip
import zipfile

import pytest

import gazetteer
from gazetteer import GazetteerDataError
from gazetteer.imports import detect_format, import_file, manifest
from gazetteer.readers import ReadReport
from gazetteer.readers.geonames import read_geonames
from gazetteer.readers.wof import read_wof_csv, read_wof_geojson

from .conftest import DATA

GEONAMES_ROW = ("273675\tAarsâl\tAarsal\tAarsal,Arsal,`Arsal,عرسال\t34.17944\t36.42083\tP\tPPL\tLB"
                "\t\t11\t\t\t\t40000\t\t1400\tAsia/Beirut\t2016-01-01\n")


def test_geonames_lb_dump(shared_data):
    report = ReadReport("LB")
    recs = list(read_geonames(shared_data / "geonames_lb" / "LB.txt.gz", source="geonames:LB",
                              report=report))
    assert report.rows == 24209
    by_id = {r.place.id: r.place for r in recs}
    arsal = by_id["geonames:273675"]
    assert (arsal.lat, arsal.lon, arsal.country) == (34.17944, 36.42083, "LB")
    assert "`Arsal" in arsal.names and arsal.admin1 == "Baalbek-Hermel"
    kinds = {r.place.kind for r in recs}
    assert {"village", "town", "hill"} <= kinds
    assert len(recs) > 3000  # populated places and kept feature codes


def test_import_geonames_then_resolve(fresh_home, shared_data):
    r = import_file(shared_data / "geonames_lb" / "LB.txt.gz")
    assert r.format == "geonames" and r.places > 3000
    gz = gazetteer.load()
    assert any(s.name == "import:LB" for s in gz.sources)
    c = gz.resolve_one("Ersal", country="LB")
    assert c.id == "geonames:273675"
    assert gz.resolve_one("El Qâa").place.country == "LB"


def test_wof_csv_and_geojsonl(shared_data):
    wof = shared_data / "wof_gazetteer_sy_lb"
    report = ReadReport("sy")
    csv_recs = list(read_wof_csv(wof / "wof_sy_places.csv.gz", source="wof", report=report))
    assert report.rows == 10600 and len(csv_recs) > 10000
    douma = next(r for r in csv_recs if r.place.id == "geonames:170592")
    assert douma.alt_ids and douma.alt_ids[0].startswith("wof:")
    assert douma.place.country == "SY" and "دوما" in douma.place.names
    geo = list(read_wof_geojson(wof / "wof_admin_lb.geojsonl.gz", source="wof"))
    assert len(geo) > 3000
    aarsal = next(r.place for r in geo if r.place.id == "geonames:273675")
    assert aarsal.admin1 and abs(aarsal.lat - 34.179) < 0.01


def test_import_wof_then_alt_ids_and_villages(fresh_home, shared_data):
    wof = shared_data / "wof_gazetteer_sy_lb"
    r = import_file(wof / "wof_sy_places.csv.gz")
    assert r.format == "wof"
    gz = gazetteer.load()
    c = gz.resolve_one("Jub`adin")
    assert abs(c.lat - 33.822) < 0.02
    wof_id = next(a for a, pos in gz.index.id_to_pos.items()
                  if a.startswith("wof:") and gz.index.places[pos].id == c.id)
    assert gz.get(wof_id).id == c.id
    assert [e["name"] for e in manifest()] == ["wof_sy_places"]


def test_plain_csv_import(fresh_home):
    r = import_file(DATA / "user_places.csv")
    assert r.format == "csv" and r.places == 2
    gz = gazetteer.load()
    c = gz.resolve_one("Qaryet Test")
    assert c.id.startswith("csv-user_places:") and c.place.country == "SY"
    assert gz.resolve_one("قرية تست").id == c.id


def test_format_detection(tmp_path, shared_data):
    assert detect_format(shared_data / "geonames_lb" / "LB.txt.gz") == "geonames"
    assert detect_format(shared_data / "wof_gazetteer_sy_lb" / "wof_lb_places.csv.gz") == "wof"
    assert detect_format(shared_data / "wof_gazetteer_sy_lb" / "wof_admin_sy.geojsonl.gz") == "wof"
    assert detect_format(DATA / "user_places.csv") == "csv"


def test_geonames_zip(tmp_path, fresh_home):
    z = tmp_path / "XX.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "not data")
        zf.writestr("XX.txt", GEONAMES_ROW)
    r = import_file(z)
    assert (r.format, r.places) == ("geonames", 1)


@pytest.mark.parametrize(("name", "content", "match"), [
    ("bad.zip", b"PK\x03\x04 this is not really a zip", "not a readable zip"),
    ("empty.zip", None, "no data file"),
    ("bad.txt.gz", b"\x1f\x8b\x08\x00garbage", "cannot read"),
    ("cols.txt", b"1\t2\t3\n" * 10, "columns"),
    ("missing.csv", b"name,latitude\nX,1\n", "missing column"),
    ("nothing.csv", b"name,lat,lon\nX,north,east\n", "no places read"),
    ("bad.geojsonl", b"{not json\n" * 6, "GeoJSON"),
])
def test_bad_files_give_clear_errors(tmp_path, fresh_home, name, content, match):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("notes.md", "x")
    else:
        path.write_bytes(content)
    with pytest.raises(GazetteerDataError, match=match) as err:
        import_file(path)
    assert str(path) in str(err.value)


def test_missing_file_and_directory(tmp_path, fresh_home):
    with pytest.raises(FileNotFoundError):
        import_file(tmp_path / "nope.csv")
    with pytest.raises(GazetteerDataError, match="directory"):
        import_file(tmp_path)


def test_stored_import_is_deterministic(tmp_path, fresh_home):
    a = import_file(DATA / "user_places.csv", name="one")
    first = open(a.path, "rb").read()
    b = import_file(DATA / "user_places.csv", name="one")
    assert open(b.path, "rb").read() == first
    assert gzip.decompress(first).count(b"\n") == 2
