"""write_frame / write_layers: every format opens in geopandas, writes are atomic and
reproducible."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from layers.errors import OutputFormatError
from layers.io import write_frame, write_layers


@pytest.fixture
def frame():
    return gpd.GeoDataFrame({
        "date": pd.to_datetime(["2016-01-01", "2016-02-01"]),
        "place": pd.array(["Ḥalab", None], dtype="string"),
        "controller": pd.array(["government", "isis"], dtype="string"),
        "obs_row": pd.array([2, None], dtype="Int64"),
    }, geometry=[Point(37.13, 36.2), Point(38.28, 34.55)], crs="EPSG:4326")


def _read(path):
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    return gpd.read_file(path)


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".geojson", ".csv"])
def test_round_trip_and_same_bytes(tmp_path, frame, ext):
    path = tmp_path / "sub" / f"out{ext}"
    write_frame(path, frame)
    first = path.read_bytes()
    back = _read(path)
    assert len(back) == 2
    assert back["controller"].tolist() == ["government", "isis"]
    assert back["place"].iloc[0] == "Ḥalab" and pd.isna(back["place"].iloc[1])
    if ext == ".csv":
        assert back["date"].tolist() == ["2016-01-01", "2016-02-01"]
        assert back["geometry"].iloc[0] == "POINT (37.13 36.2)"
    else:
        assert back.crs.to_epsg() == 4326
        assert back.geometry.iloc[1].equals(Point(38.28, 34.55))
    write_frame(path, frame)
    assert path.read_bytes() == first  # same inputs, same bytes
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left


def test_geojson_dates_are_plain_days(tmp_path, frame):
    path = tmp_path / "o.geojson"
    write_frame(path, frame)
    assert '"date": "2016-01-01"' in path.read_text(encoding="utf-8")


def test_gpkg_several_layers(tmp_path, frame):
    path = tmp_path / "multi.gpkg"
    write_layers(path, {"control": frame, "other": frame.iloc[:1]})
    import pyogrio

    assert [name for name, _ in pyogrio.list_layers(path)] == ["control", "other"]
    assert len(gpd.read_file(path, layer="other")) == 1


def test_single_layer_formats_split_layers(tmp_path, frame):
    write_layers(tmp_path / "x.geojson", {"a": frame, "b": frame})
    assert {p.name for p in tmp_path.iterdir()} == {"x.a.geojson", "x.b.geojson"}


def test_failed_write_keeps_the_old_file(tmp_path, frame, monkeypatch):
    path = tmp_path / "o.gpkg"
    write_frame(path, frame)
    before = path.read_bytes()
    import pyogrio

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", boom)
    with pytest.raises(OSError):
        write_frame(path, frame)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["o.gpkg"]


def test_unknown_extension(tmp_path, frame):
    with pytest.raises(OutputFormatError, match=r"cannot write \.shp"):
        write_frame(tmp_path / "o.shp", frame)


def test_categoricals_are_written_as_plain_text(tmp_path, frame):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.assign(controller=frame["controller"].astype("category"))
    path = tmp_path / "c.parquet"
    write_frame(path, frame)
    assert pa.types.is_string(pq.read_schema(path).field("controller").type) or \
        pa.types.is_large_string(pq.read_schema(path).field("controller").type)
    write_frame(tmp_path / "c.gpkg", frame)
    back = gpd.read_file(tmp_path / "c.gpkg")
    assert back["controller"].tolist() == ["government", "isis"]


# ---- write_slice: GeoParquet straight from the slice's codes (issue 18)

def _slice(tmp_path, include_unknown, *, plain=False):
    """A small slice; ``plain``: of the places as a plain table (lat/lon, no geometry)."""
    import datetime as dt

    from layers import build_timeline, read_observations
    from layers.timeline import slice_table

    path = tmp_path / "events.csv"
    path.write_text("date,place,lat,lon,controller,status,source\n"
                    "2016-01-10,Ḥalab,36.2,37.13,government,,https://a\n"
                    "2016-02-01,,34.55,38.28,isis,besieged,\n"
                    "2016-03-01,Ḥalab,36.2,37.13,opposition,,https://b\n", encoding="utf-8")
    obs = read_observations(path, today=dt.date(2024, 1, 1))
    return slice_table(build_timeline(obs), obs.place_table if plain else obs.places,
                       ["2016-01-15", "2016-02-15", "2016-04-01"], include_unknown=include_unknown)


@pytest.mark.parametrize("include_unknown", [False, True])
def test_write_slice_parquet_reads_back_as_geopandas_writes_it(tmp_path, include_unknown):
    import json

    import pyarrow.parquet as pq
    from geopandas.testing import assert_geodataframe_equal

    from layers.io import _plain_categoricals, write_slice

    piece = _slice(tmp_path, include_unknown)
    assert len(piece) == (6 if include_unknown else 5)
    ours, theirs = tmp_path / "ours.parquet", tmp_path / "theirs.parquet"
    write_slice(ours, piece)
    first = ours.read_bytes()
    write_slice(ours, piece)
    assert ours.read_bytes() == first  # same inputs, same bytes
    _plain_categoricals(piece.to_geodataframe()).to_parquet(theirs, index=False)
    back = gpd.read_parquet(ours)
    assert_geodataframe_equal(back, gpd.read_parquet(theirs))
    assert back.crs.to_epsg() == 4326
    assert back["controller"].isna().sum() == (1 if include_unknown else 0)
    a, b = pq.read_schema(ours), pq.read_schema(theirs)
    assert a.remove_metadata() == b.remove_metadata()  # same column types
    assert a.metadata[b"pandas"] == b.metadata[b"pandas"]
    assert a.field("geometry").metadata == b.field("geometry").metadata
    geo_a, geo_b = (json.loads(s.metadata[b"geo"]) for s in (a, b))
    assert geo_a.pop("creator") != geo_b.pop("creator")
    assert geo_a == geo_b  # crs, geometry_types and bbox as geopandas writes them


def test_write_slice_other_formats_go_through_the_geodataframe(tmp_path):
    from layers.io import write_slice

    piece = _slice(tmp_path, False)
    (tmp_path / "ref").mkdir()
    for ext in (".csv", ".geojson", ".gpkg"):
        out, ref = tmp_path / f"s{ext}", tmp_path / "ref" / f"s{ext}"
        write_slice(out, piece)
        write_frame(ref, piece.to_geodataframe())
        assert out.read_bytes() == ref.read_bytes()


@pytest.mark.parametrize("include_unknown", [False, True])
def test_write_slice_of_the_place_table_is_the_same_file(tmp_path, include_unknown):
    """A slice of the places as a plain table (what ``frontline slice`` passes: no geometry
    objects) writes every format byte for byte as the slice of their GeoDataFrame."""
    from layers.io import write_slice

    plain, drawn = _slice(tmp_path, include_unknown, plain=True), _slice(tmp_path, include_unknown)
    assert "geometry" not in plain.places and "geometry" in drawn.places
    (tmp_path / "plain").mkdir()
    (tmp_path / "drawn").mkdir()
    for ext in (".parquet", ".csv", ".geojson", ".gpkg"):  # one name: a GPKG layer is its stem
        a, b = tmp_path / "plain" / f"s{ext}", tmp_path / "drawn" / f"s{ext}"
        write_slice(a, plain)
        write_slice(b, drawn)
        assert a.read_bytes() == b.read_bytes(), ext


def test_stored_wgs84_projjson_is_pyproj_s():
    """The PROJJSON a slice stores without importing pyproj (layers/data/epsg4326.projjson) is
    EPSG:4326; with this PROJ, exactly what pyproj gives."""
    import pyproj

    from layers.io import _wgs84

    stored = _wgs84()
    assert pyproj.CRS.from_json_dict(stored).to_epsg() == 4326
    assert stored == pyproj.CRS("EPSG:4326").to_json_dict()


def test_geoparquet_lonlat_points_with_a_missing_coordinate(tmp_path):
    """LonLat points with a NaN go through geopandas' points (the file geopandas would give)."""
    from layers.io import LonLat, geoparquet_bytes

    frame = pd.DataFrame({"place": pd.Categorical(["a", "b"])})
    lon, lat = np.array([1.0, np.nan]), np.array([2.0, np.nan])
    geometry = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    assert geoparquet_bytes(frame, LonLat(lon, lat)) == geoparquet_bytes(frame, geometry)
    ok = LonLat(np.array([1.0, 3.0]), np.array([2.0, 4.0]))
    assert geoparquet_bytes(frame, ok) == geoparquet_bytes(
        frame, gpd.GeoSeries(gpd.points_from_xy(ok.lon, ok.lat), crs="EPSG:4326"))


def test_slice_to_geoparquet_imports_no_geopandas(tmp_path):
    """``frontline slice F -o out.parquet`` needs no geometry object: neither geopandas nor
    pyproj is imported (their import is a tenth of the command on a big log, issue 18)."""
    import subprocess
    import sys

    events = tmp_path / "events.csv"
    events.write_text("date,place,lat,lon,controller\n2016-01-10,,36.2,37.13,government\n"
                      "2016-02-01,,34.55,38.28,isis\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    script = ("import atexit, sys\n"
              "atexit.register(lambda: print(sorted(m for m in ('geopandas', 'pyproj') "
              "if m in sys.modules), file=sys.stderr))\n"
              "from mapper.cli import run\n"
              f"sys.argv = ['frontline', 'slice', {str(events)!r}, '--at', '2016-03-01', "
              f"'-o', {str(out)!r}]\nrun()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**__import__("os").environ, "FRONTLINE_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    back = gpd.read_parquet(out)
    assert back.crs.to_epsg() == 4326 and len(back) == 2


def test_geoparquet_dictionary_columns_read_back_as_plain_text(tmp_path):
    """Categoricals are written as Parquet dictionaries, also past the dictionary page limit
    (the writer then falls back to plain pages); readers get plain strings and equal values."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from layers.io import geoparquet_bytes

    n = 60_000
    names = np.array([f"place number {i} with a long name" for i in range(n)], dtype=object)
    codes = np.r_[np.arange(n), -1, 3]  # a missing value and a repeat
    frame = pd.DataFrame({"place": pd.Categorical.from_codes(codes, categories=names),
                          "controller": pd.Categorical.from_codes(codes % 2, ["a", "b"])})
    geometry = gpd.GeoSeries([Point(float(i % 90), 1.0) for i in range(len(codes))],
                             crs="EPSG:4326")
    path = tmp_path / "big.parquet"
    path.write_bytes(geoparquet_bytes(frame, geometry))
    assert pq.read_schema(path).field("place").type in (pa.string(), pa.large_string())
    back = gpd.read_parquet(path)
    expected = [None if c < 0 else names[c] for c in codes]
    assert back["place"].astype(object).where(back["place"].notna(), None).tolist() == expected
    assert back["controller"].tolist() == ["a" if c % 2 == 0 else "b" for c in codes]
    assert back.geometry.x.tolist() == geometry.x.tolist()


def test_geoparquet_with_a_missing_geometry(tmp_path):
    from layers.io import geoparquet_bytes

    frame = pd.DataFrame({"place": pd.Categorical(["a", "b", "a"])})
    geometry = gpd.GeoSeries([Point(1.0, 2.0), None], crs="EPSG:4326")
    path = tmp_path / "g.parquet"
    path.write_bytes(geoparquet_bytes(frame, geometry, rows=np.array([0, 1, 0])))
    back = gpd.read_parquet(path)
    assert back.geometry.isna().tolist() == [False, True, False]
    assert back.geometry.iloc[2].equals(Point(1.0, 2.0))


def test_geoparquet_from_columns_is_the_frame_s_file(tmp_path):
    """A mapping of columns writes the bytes its DataFrame writes (NaT and NaN as nulls); row
    numbers are delta-encoded, text is stored as dictionaries, numbers keep their statistics."""
    import pyarrow.parquet as pq

    from layers.io import geoparquet_bytes

    n = 5_000
    rng = np.random.default_rng(1)
    when = np.datetime64("2016-01-01", "ns") + rng.integers(0, 50, n).astype("timedelta64[D]")
    when[::7] = np.datetime64("NaT")
    columns = {
        "date": when,
        "place": pd.Categorical.from_codes(rng.integers(-1, 3, n), categories=["a", "b", "c"]),
        "obs_row": pd.arrays.IntegerArray(rng.integers(2, 10**6, n), rng.random(n) < 0.1),
        "confidence": np.where(rng.random(n) < 0.2, np.nan, rng.random(n).round(2)),
    }
    geometry = gpd.GeoSeries([Point(1.0, 2.0), Point(3.0, 4.0)], crs="EPSG:4326")
    rows = rng.integers(0, 2, n)
    data = geoparquet_bytes(columns, geometry, rows=rows)
    assert data == geoparquet_bytes(pd.DataFrame(columns), geometry, rows=rows)
    path = tmp_path / "c.parquet"
    path.write_bytes(data)
    back = gpd.read_parquet(path)
    assert back["date"].isna().sum() == len(when[::7])
    assert back["confidence"].isna().sum() == np.isnan(columns["confidence"]).sum()
    assert back["obs_row"].isna().sum() == columns["obs_row"].isna().sum()
    meta = pq.ParquetFile(path).metadata.row_group(0)
    chunk = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert "DELTA_BINARY_PACKED" in chunk["obs_row"].encodings
    assert "RLE_DICTIONARY" in chunk["place"].encodings
    assert chunk["place"].statistics is None
    assert chunk["date"].statistics.has_min_max and chunk["obs_row"].statistics.has_min_max


@pytest.mark.parametrize("kind", ["points", "mixed", "none"])
def test_wkb_of_points_is_shapely_s(kind):
    import pyarrow as pa
    import shapely

    from layers.io import _wkb

    rng = np.random.default_rng(5)
    xy = rng.uniform(-180, 180, (500, 2))
    xy[:3] = [[-0.0, 0.0], [1e300, -1e-300], [36.2, 37.13]]
    shapes = shapely.points(xy)
    if kind == "mixed":  # 3D, lines, empty points: shapely writes them
        shapes = np.r_[shapes, [Point(1, 2, 3), shapely.LineString([(0, 0), (1, 1)]), Point()]]
    if kind == "none":
        shapes = np.r_[shapes, [None]]
    assert _wkb(shapes).equals(pa.array(shapely.to_wkb(shapes, flavor="iso"), pa.binary()))
