"""Readers: every format, BOM, stdin, and the line (or feature) each record came from."""

from __future__ import annotations

import io
import json
import sys

import pytest

from layers.errors import ObservationsFileError
from layers.readers import read_records, sniff_format

ROWS = [
    {"date": "2016-03-27", "place": "Palmyra", "controller": "SAA", "source": "https://a.example"},
    {"date": "2015-05", "place": "Palmyra", "controller": "ISIS", "note": "spring offensive"},
]


def _write(tmp_path, name, text, *, bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _check(raw, lines):
    assert [r.line for r in raw.records] == lines
    assert raw.records[0].fields["place"] == "Palmyra"
    assert raw.records[1].fields["date"] == "2015-05"


@pytest.mark.parametrize("bom", [False, True])
def test_csv_lines_count_the_header_and_multiline_fields(tmp_path, bom):
    text = ('Date,Place,Controller,Note\n'
            '2016-03-27,Palmyra,SAA,"two\nlines"\n'
            '\n'
            '2015-05,Palmyra,ISIS,x\n')
    raw = read_records(_write(tmp_path, "e.csv", text, bom=bom))
    _check(raw, [2, 5])  # header line 1; the quoted field spans lines 2-3; a blank line 4
    assert raw.columns == ("Date", "Place", "Controller", "Note")
    assert raw.records[0].fields["note"] == "two\nlines"


def test_tsv(tmp_path):
    raw = read_records(_write(tmp_path, "e.tsv", "date\tplace\tcontroller\n"
                                                  "2016-03-27\tPalmyra\tSAA\n2015-05\tPalmyra\tISIS\n"))
    _check(raw, [2, 3])


@pytest.mark.parametrize("bom", [False, True])
def test_json_array_gives_the_line_each_item_starts_on(tmp_path, bom):
    text = "[\n" + ",\n".join(json.dumps(r, indent=1) for r in ROWS) + "\n]\n"
    raw = read_records(_write(tmp_path, "e.json", text, bom=bom))
    second = text.splitlines().index("{", 2) + 1
    _check(raw, [2, second])


def test_json_lines(tmp_path):
    text = json.dumps(ROWS[0]) + "\n\n" + json.dumps(ROWS[1]) + "\n"
    _check(read_records(_write(tmp_path, "e.jsonl", text)), [1, 3])


def test_yaml_lines_and_dates(tmp_path):
    text = ("# events\n- date: 2016-03-27\n  place: Palmyra\n  controller: SAA\n"
            "- date: 2015-05\n  place: Palmyra\n  controller: ISIS\n")
    raw = read_records(_write(tmp_path, "e.yaml", text, bom=True))
    _check(raw, [2, 5])
    assert raw.records[0].fields["date"] == "2016-03-27"  # YAML's date type back to ISO text


def test_geojson_features_flip_lon_lat(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [38.28, 34.55]},
         "properties": ROWS[0]},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [38.28, 34.55]},
         "properties": ROWS[1]},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
         "properties": ROWS[1]},
    ]}
    raw = read_records(_write(tmp_path, "e.geojson", json.dumps(fc)))
    _check(raw, [1, 2, 3])
    assert {r.unit for r in raw.records} == {"feature"}
    assert raw.records[0].fields["lat"] == 34.55 and raw.records[0].fields["lon"] == 38.28
    assert raw.records[2].fields["__geometry_error__"] == "LineString"


@pytest.mark.parametrize(("text", "fmt"), [
    ("date,place,controller\n2016,A,B\n", "csv"),
    ("date\tplace\tcontroller\n2016\tA\tB\n", "tsv"),
    ('[{"date": "2016"}]', "json"),
    ('{"date": "2016"}\n{"date": "2017"}\n', "jsonl"),
    ('{"type": "FeatureCollection", "features": []}', "geojson"),
    ("- date: 2016\n  place: A\n", "yaml"),
])
def test_sniffing(text, fmt):
    assert sniff_format(text) == fmt


def test_stdin_with_bom(monkeypatch):
    data = "\ufeffdate,place,controller\n2016-03-27,Palmyra,SAA\n2015-05,Palmyra,ISIS\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8"))))
    raw = read_records("-")
    assert raw.path == "<stdin>" and raw.format == "csv"
    _check(raw, [2, 3])
    assert raw.columns[0] == "date"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("e.csv", "", "empty file"),
    ("e.json", '{"a": 1}', "array of objects"),
    ("e.json", '[{"a": 1}, 2]', "expected an object"),
    ("e.json", '[{"a": 1} {"b": 2}]', "bad JSON"),
    ("e.jsonl", '{"a": 1}\n{oops\n', ":2: bad JSON line"),
    ("e.yaml", "a: [1\n", "bad YAML"),
    ("e.geojson", '{"type": "Feature"', "bad GeoJSON"),
])
def test_unreadable_files_say_where(tmp_path, name, text, expected):
    with pytest.raises(ObservationsFileError) as info:
        read_records(_write(tmp_path, name, text))
    assert expected in str(info.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("date,place\n2016,Ḥalab\n".encode("utf-16"))
    with pytest.raises(ObservationsFileError, match="UTF-8"):
        read_records(path)
