"""Ingest: column aliases never override a canonical column, a non-place ``id`` is ignored,
delimiters are sniffed, JSON is read in linear time, Parquet/GeoParquet are read directly."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers import read_observations
from layers.readers import read_records, read_table, sniff_delimiter
from tests.layers.fake_gazetteer import FakeGazetteer

TODAY = dt.date(2024, 1, 1)


def _read(tmp_path, text, name="e.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)


@pytest.mark.parametrize("header", ["date,place,name,controller", "date,name,place,controller"])
def test_an_alias_never_overrides_the_canonical_column(tmp_path, header):
    cols = header.split(",")
    row = {"date": "2016-01-01", "place": "Douma", "name": "Aleppo", "controller": "SAA"}
    obs = _read(tmp_path, header + "\n" + ",".join(row[c] for c in cols) + "\n")
    assert obs.frame["place"].tolist() == ["Douma"]  # not Aleppo, whatever the column order
    [p] = obs.problems
    assert (p.code, p.severity, p.line, p.column) == ("duplicate-column", "warning", 1, "name")
    assert "'place'" in p.message and "'name'" in p.message


def test_two_aliases_of_one_field_the_first_wins_with_a_warning(tmp_path):
    obs = _read(tmp_path, "date,town,village,faction\n2016-01-01,Douma,Aleppo,SAA\n")
    assert obs.frame["place"].tolist() == ["Douma"]
    assert [(p.code, p.column) for p in obs.problems] == [("duplicate-column", "village")]


def test_a_row_number_id_is_not_a_place_id(tmp_path):
    obs = _read(tmp_path, "id,date,place,controller\n1,2016-01-01,Douma,SAA\n"
                          "2,2016-01-02,Aleppo,SAA\n")
    assert obs.frame["place_id"].tolist() == ["geonames:4", "geonames:1"]  # no row dropped
    [p] = obs.problems
    assert (p.code, p.severity, p.column, p.value) == ("not-place-id", "warning", "id", "1")
    assert "place_id" in p.fix


def test_an_id_of_place_ids_is_used(tmp_path):
    obs = _read(tmp_path, "id,date,controller\ngeonames:3,2016-01-01,SAA\n"
                          "point:35.1,36.2,2016-01-02,SAA\n".replace("point:35.1,36.2",
                                                                     '"point:35.1,36.2"'))
    assert obs.frame["place_id"].tolist() == ["geonames:3", "point:35.1,36.2"]
    assert not obs.problems


def test_place_id_beats_id(tmp_path):
    obs = _read(tmp_path, "id,place_id,date,controller\n7,geonames:3,2016-01-01,SAA\n")
    assert obs.frame["place_id"].tolist() == ["geonames:3"]
    assert {p.code for p in obs.problems} <= {"duplicate-column", "not-place-id"}


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"),
                                                 ("|", "pipe")])
def test_a_semicolon_csv_reads_correctly(tmp_path, delimiter, name):
    text = "date;place;controller;source;note\n2016-01-01;Douma;SAA;https://a.example;a, b\n" \
           "2016-01-02;Aleppo;rebels;;\"x;y\"\n".replace(";", delimiter)
    obs = _read(tmp_path, text)
    assert obs.frame["place"].tolist() == ["Douma", "Aleppo"]
    assert obs.frame["note"].tolist() == ["a, b", "x" + delimiter + "y"]
    [p] = obs.problems
    assert (p.code, p.severity, p.value) == ("delimiter", "info", name)
    assert obs.summary()["errors"] == obs.summary()["warnings"] == 0


def test_a_comma_csv_says_nothing_about_its_delimiter(tmp_path):
    obs = _read(tmp_path, "date,place,controller,note\n2016-01-01,Douma,SAA,\"a; b\"\n")
    assert not obs.problems


def test_a_tsv_says_nothing_about_its_tabs(tmp_path):
    path = tmp_path / "e.tsv"
    path.write_text("date\tplace\tcontroller\n2016-01-01\tDouma\tSAA\n", encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    assert obs.frame["place"].tolist() == ["Douma"] and not obs.problems


def test_utf16_and_other_bytes_name_the_fix_and_the_line(tmp_path):
    """Excel's "Unicode text" is UTF-16 (with a BOM, or without one: NUL bytes); a Windows-1252
    file is an error naming the line, the byte and the fix (stdin too: test_check.py)."""
    from layers import ObservationsFileError

    text = "date,place,controller\n2016-01-01,Douma,SAA\n"
    for encoding in ("utf-16", "utf-16-le"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        with pytest.raises(ObservationsFileError, match=r"UTF-16 text .*re-save the file as "
                                                        r"UTF-8"):
            read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    bad = tmp_path / "cp1252.csv"
    bad.write_bytes("date,place,controller\n2016-01-01,Dou\u00e9ma,SAA\n".encode("cp1252"))
    with pytest.raises(ObservationsFileError, match=r"cp1252\.csv: line 2: not UTF-8 \(byte e9 "
                       r"at offset 36, in '2016-01-01,Dou.ma,SAA'\); re-save the file as UTF-8"):
        read_observations(bad, gazetteer=FakeGazetteer(), today=TODAY)


@pytest.mark.parametrize(("head", "expected"), [
    ("date,place,controller", ","), ("date;place;controller", ";"), ("a\tb\tc", "\t"),
    ("a|b|c", "|"), ("single", ","), ('"a;b",c,d', ","), ("\n\n a;b;c,d", ";")])
def test_sniff_delimiter(head, expected):
    assert sniff_delimiter(head + "\n1,2,3\n") == expected


def test_json_lines_are_counted_from_the_previous_item(tmp_path):
    items = [{"date": "2016-01-01", "place": f"p{i}", "controller": "SAA",
              "note": "two\nlines" if i % 3 else ""} for i in range(500)]
    text = "[\n" + ",\n".join(json.dumps(r, indent=2) for r in items) + "\n]\n"
    path = tmp_path / "e.json"
    path.write_text(text, encoding="utf-8")
    lines = [r.line for r in read_records(path).records]
    expected = [i + 1 for i, line in enumerate(text.splitlines()) if line == "{"]
    assert lines == expected


def test_csv_with_a_field_over_two_lines_keeps_physical_lines(tmp_path):
    table = read_table(_write(tmp_path, "e.csv", 'date,place,controller,note\n'
                              '2016-01-01,Douma,SAA,"one\ntwo"\n\n2016-01-02,Aleppo,SAA,x\n'))
    assert table.lines.tolist() == [2, 5]
    assert table.frame["note"].tolist() == ["one\ntwo", "x"]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parquet_events_are_read_directly(tmp_path):
    df = pd.DataFrame({"Date": pd.to_datetime(["2016-01-01", "2016-01-02"]),
                       "place": ["Douma", "nowhere"], "controller": ["SAA", "SAA"]})
    path = tmp_path / "e.parquet"
    df.to_parquet(path)
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    assert obs.format == "parquet" and obs.rows_read == 2
    assert obs.frame["date_text"].tolist() == ["2016-01-01"]
    [p] = obs.errors
    assert (p.code, p.line, p.unit) == ("unknown-place", 2, "row")
    assert str(p).startswith(f"{path}:row 2:place:")


def test_geoparquet_points_become_lat_lon(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"date": ["2016-01-01", "2016-01-02", "2016-01-03"], "controller": ["SAA", "ISIS", "SAA"],
         "place": ["Hill 412", "", "x"]},
        geometry=[shapely.Point(36.5, 35.25), shapely.Point(38.28, 34.55),
                  shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
    path = tmp_path / "e.geoparquet"
    gdf.to_parquet(path)
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    assert obs.frame["place_id"].tolist() == ["point:35.25,36.5", "point:34.55,38.28"]
    assert obs.frame["place"].tolist() == ["Hill 412", "34.55,38.28"]
    [p] = [p for p in obs.errors if p.code == "bad-geometry"]
    assert (p.line, p.value) == (3, "LineString")
    assert obs.dropped_lines == (3,)


@pytest.mark.parametrize("ext", [".parquet", ".geojson"])
def test_points_stored_in_a_projected_crs_are_read_as_lon_lat(tmp_path, ext):
    """Points stored in another CRS (QGIS writes the layer's, e.g. Web Mercator metres: a
    GeoParquet column's ``crs``, or the pre-RFC 7946 ``crs`` member GDAL writes into GeoJSON)
    are transformed to lon/lat: the same places as the EPSG:4326 file, not "bad coordinates"."""
    gdf = gpd.GeoDataFrame(
        {"date": ["2016-01-01", "2016-01-02"], "controller": ["SAA", "ISIS"]},
        geometry=[shapely.Point(36.5, 35.25), shapely.Point(38.28, 34.55)], crs="EPSG:4326")
    plain, metres = tmp_path / f"lonlat{ext}", tmp_path / f"metres{ext}"
    for frame, path in ((gdf, plain), (gdf.to_crs("EPSG:3857"), metres)):
        frame.to_parquet(path) if ext == ".parquet" else frame.to_file(path, driver="GeoJSON")
    if ext == ".geojson":
        assert "EPSG::3857" in metres.read_text(encoding="utf-8")
    want = read_observations(plain, gazetteer=FakeGazetteer(), today=TODAY)
    got = read_observations(metres, gazetteer=FakeGazetteer(), today=TODAY)
    assert not got.problems and got.frame["place_id"].tolist() == [
        "point:35.25,36.5", "point:34.55,38.28"] == want.frame["place_id"].tolist()
    assert got.frame[["lat", "lon"]].to_numpy() == pytest.approx(
        want.frame[["lat", "lon"]].to_numpy(), abs=1e-9)


def test_geoparquet_with_an_unreadable_crs_names_the_file_and_the_fix(tmp_path):
    import pyarrow.parquet as pq

    from layers import ObservationsFileError

    gdf = gpd.GeoDataFrame({"date": ["2016-01-01"], "controller": ["SAA"]},
                           geometry=[shapely.Point(36.5, 35.25)], crs="EPSG:3857")
    path = tmp_path / "odd.parquet"
    gdf.to_parquet(path)
    table = pq.read_table(path)
    geo = json.loads(table.schema.metadata[b"geo"])
    geo["columns"]["geometry"]["crs"] = {"type": "NotACRS", "name": "made up"}
    pq.write_table(table.replace_schema_metadata(
        {**table.schema.metadata, b"geo": json.dumps(geo).encode()}), path)
    with pytest.raises(ObservationsFileError, match=r"odd\.parquet: column 'geometry' names a "
                       r"CRS pyproj cannot read .*re-save the file in EPSG:4326"):
        read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)


def test_decimal_commas_in_coordinates(tmp_path):
    """A spreadsheet in a German or French locale saves "33,5717" (semicolons between
    fields): the same point as 33.5717. A text with both marks is still bad coordinates."""
    path = tmp_path / "e.csv"
    path.write_text("date;lat;lon;controller\n2016-01-01;33,5717;36,4027;SAA\n"
                    "2016-01-02;33.5717;36.4027;ISIS\n2016-01-03;1,033.5;36,4;SAA\n",
                    encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    assert obs.frame["place_id"].tolist() == ["point:33.5717,36.4027"] * 2
    [p] = obs.errors
    assert (p.code, p.line, p.value) == ("bad-coordinates", 4, "1,033.5")


def test_a_workbook_or_a_wrapped_json_says_what_to_save_instead(tmp_path):
    from layers import ObservationsFileError

    book = tmp_path / "log.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)))  # what a workbook (a ZIP) starts with
    with pytest.raises(ObservationsFileError, match=r"log\.xlsx: a spreadsheet workbook.*"
                                                    r"export the sheet as CSV"):
        read_observations(book, gazetteer=FakeGazetteer(), today=TODAY)
    api = tmp_path / "api.json"
    api.write_text(json.dumps({"status": 200, "count": 2, "data": [
        {"date": "2016-01-01", "place": "Douma"}, {"date": "2016-01-02", "place": "Aleppo"}]}),
        encoding="utf-8")
    with pytest.raises(ObservationsFileError, match=r"must be an array of objects.*whose 'data' "
                                                    r"holds 2 objects: save that array alone"):
        read_observations(api, gazetteer=FakeGazetteer(), today=TODAY)


def test_one_place_given_three_ways_is_one_place(tmp_path):
    """A point given by place_id and by lat/lon, and a gazetteer id given by place_id and by
    name, are one place each: one row of ``places``, and same-day copies are duplicates."""
    from tests.layers.fake_gazetteer import FakeGazetteer

    gz = FakeGazetteer()
    aleppo = gz.resolve_one("Aleppo").place
    path = tmp_path / "e.csv"
    path.write_text(
        "date,place,place_id,lat,lon,controller\n"
        "2016-01-01,,\"point:36.20000,37.13\",,,SAA\n"
        "2016-01-01,,,36.2,37.13,SAA\n"
        f"2016-02-01,,{aleppo.id},,,SAA\n"
        "2016-02-01,Aleppo,,,,SAA\n"
        "2016-03-01,Aleppo,,,,rebels\n", encoding="utf-8")
    obs = read_observations(path, gazetteer=gz, today=TODAY)
    assert sorted(obs.places["place_id"]) == sorted(["point:36.2,37.13", aleppo.id])
    dups = [(p.line, p.related) for p in obs.problems if p.code == "duplicate"]
    assert dups == [(3, (2,)), (5, (4,))]
    assert obs.frame["row"].tolist() == [2, 4, 6]
    assert obs.rows_read == len(obs.frame) + len(obs.dropped_lines)


def test_the_frame_is_the_same_built_in_threads(tmp_path, monkeypatch):
    import layers.observations as observations

    path = tmp_path / "e.csv"
    path.write_text("date,place,lat,lon,controller,status,note\n"
                    "2016-01-01,Aleppo,,,SAA,,\n"
                    "2016-01-02,,36.2,37.13,contested,,a note\n"
                    "2016-01-03,Douma,,,rebels,besieged,\n", encoding="utf-8")
    frames = []
    for rows in (0, 10 ** 9):  # every file threaded, then none
        monkeypatch.setattr(observations, "_THREADED_ROWS", rows)
        frames.append(read_observations(path, gazetteer=FakeGazetteer(), today=TODAY).frame)
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert frames[0]["controller"].isna().sum() == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_are_not_rows_and_lines_stay_physical(tmp_path, newline):
    rows = ["date,place,controller", "2016-01-01,Aleppo,SAA", "", "2016-01-02,Douma,rebels",
            "", "", "2016-01-03,Aleppo,rebels", ""]
    path = tmp_path / "e.csv"
    path.write_bytes(newline.join(rows).encode("utf-8"))
    table = read_table(path)
    assert table.lines.tolist() == [2, 4, 7]
    assert table.frame["place"].tolist() == ["Aleppo", "Douma", "Aleppo"]


def _same_report(path, gazetteer, today):
    from layers import check_observations

    full = read_observations(path, gazetteer=gazetteer, today=today)
    light = read_observations(path, gazetteer=gazetteer, today=today, columns=())
    assert check_observations(light).to_dict() == check_observations(full).to_dict()
    assert light.dropped_lines == full.dropped_lines and len(light.frame) == len(full.frame)
    pd.testing.assert_frame_equal(pd.DataFrame(light.places), pd.DataFrame(full.places))
    return full, light


@pytest.mark.parametrize("name", ["every_problem.csv", "every_problem.geojson"])
def test_a_check_without_the_text_columns_reports_the_same(name):
    from pathlib import Path

    _same_report(Path(__file__).parent / "data" / name, FakeGazetteer(), TODAY)


def test_a_check_without_the_text_columns_expands_areas_the_same(tmp_path, monkeypatch):
    """No two rows share a place and a date: the light frame, with an area row (its member
    rows are built with every column)."""
    from layers import regions
    from tests.layers.test_regions import AREA, AREAS_TOML, PLACES

    areas = tmp_path / "areas.toml"
    areas.write_text(AREAS_TOML, encoding="utf-8")
    monkeypatch.setattr(regions, "AREAS_FILE", areas)
    path = tmp_path / "e.csv"
    path.write_text("date,place,controller,source,note\n"
                    "2015-01-01,Aleppo,government,https://a.example/1,\n"
                    "2015-06-01,North Region,isis,https://a.example/area,a note\n"
                    "2015-06-02,Aleppo,opposition,https://a.example/3,\n", encoding="utf-8")
    full, light = _same_report(path, FakeGazetteer((*PLACES, AREA)), dt.date(2025, 1, 1))
    assert "note" not in light.frame and "note" in full.frame
    pd.testing.assert_frame_equal(light.area_rows, full.area_rows)
    assert len(full.area_rows) > 0


@pytest.mark.parametrize("scatter", [0, 1 << 26])
def test_singletons_by_bitmap_and_by_hash_agree(monkeypatch, scatter):
    import numpy as np

    import layers.observations as observations

    monkeypatch.setattr(observations, "_SCATTER_KEYS", scatter)
    day = np.array(["2016-01-01", "2016-01-02", "2016-01-01", "2016-01-03"], dtype="datetime64[D]")
    assert observations._singletons(np.array([0, 0, 1, 0]), day)
    assert not observations._singletons(np.array([0, 0, 0, 1]), day)  # place 0, 2016-01-01 twice
    assert observations._singletons(np.array([3]), day[:1])
