"""ACLED import: real line numbers when quoted notes span lines or blank lines appear, the exit
code, the CSV writer (quoting only where needed, same bytes as pandas), broken files."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from layers import ObservationsFileError, load_factions
from layers.acled import _row_lines, csv_bytes, import_acled, read_acled
from layers.io import _csv
from mapper.cli import app

HEADER = ("event_id_cnty,event_date,event_type,sub_event_type,actor1,assoc_actor_1,location,"
          "latitude,longitude,geo_precision,source,source_scale,notes\n")
GOOD = ("SYR1,18 March 2018,Battles,Government regains territory,Military Forces of Syria "
        "(2000-),,Douma,33.5711,36.4033,1,SANA,National,{note}\n")
UNKNOWN = ("SYR2,19 March 2018,Battles,Non-state actor overtakes territory,Martian Brigade,,"
           "Tadef,36.35,37.53,1,Twitter,New media,{note}\n")
runner = CliRunner()


def _write(tmp_path, text: str):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_quoted_notes_over_several_lines_keep_real_line_numbers(tmp_path):
    text = (HEADER + GOOD.format(note='"Army units entered the town.\nSANA said so.\n\nEnd."')
            + "\n"  # a blank line: not a row
            + GOOD.format(note="plain") + UNKNOWN.format(note='"two\nlines"')
            + UNKNOWN.format(note="one line"))
    path = _write(tmp_path, text)
    frame = read_acled(path)
    assert len(frame) == 4
    assert frame.attrs["lines"].tolist() == [2, 7, 8, 10]
    res = import_acled(frame, factions=load_factions(), path=str(path))
    assert [(p.line, p.column, p.value) for p in res.report.problems] == [
        (8, "actor1", "Martian Brigade"), (10, "actor1", "Martian Brigade")]
    assert res.frame["note"].tolist()[0] == "Army units entered the town.\nSANA said so.\n\nEnd."
    # the physical line really starts the reported row
    lines = text.split("\n")
    assert lines[8 - 1].startswith("SYR2,") and lines[10 - 1].startswith("SYR2,")


def test_crlf_and_bom_and_no_final_newline(tmp_path):
    text = "\ufeff" + (HEADER + GOOD.format(note='"a\r\nb"') + UNKNOWN.format(note="x")) \
        .replace("\n", "\r\n").rstrip("\r\n")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    frame = read_acled(path)
    assert frame.attrs["lines"].tolist() == [2, 4]
    (p,) = import_acled(frame, factions=load_factions(), path=str(path)).report.problems
    assert p.line == 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet='ab ,"\n', max_size=8), st.booleans()),
                min_size=1, max_size=12))
def test_row_lines_match_the_csv_module(rows):
    """Whatever the quoting and line breaks (\n) inside the notes, the start line of every row is
    the one Python's csv module reports (a bare \r, which csv counts as a line, is left out)."""
    buf = io.StringIO(newline="")
    import csv

    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["a", "notes"])
    blanks = 0
    for note, blank in rows:
        w.writerow(["x", note])
        if blank:
            buf.write("\n")
            blanks += 1
    data = buf.getvalue().encode("utf-8")
    reader = csv.reader(io.StringIO(buf.getvalue(), newline=""))
    want, last = [], 0
    for row in reader:
        start, last = last + 1, reader.line_num
        if row:
            want.append(start)
    assert _row_lines(data, len(rows)).tolist() == want[1:]


def test_cli_exit_code_follows_the_report(tmp_path):
    ok = _write(tmp_path, HEADER + GOOD.format(note="fine"))
    out = tmp_path / "obs.csv"
    res = runner.invoke(app, ["events", "import", str(ok), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 rows read = 1 mapped + 0 skipped" in res.output
    bad = _write(tmp_path, HEADER + GOOD.format(note="fine") + UNKNOWN.format(note="x"))
    res = runner.invoke(app, ["events", "import", str(bad), "-o", str(out)])
    assert res.exit_code == 1
    assert "export.csv:3:actor1" in res.output
    assert len(pd.read_csv(out)) == 1  # the mapped row is still written


def test_broken_export_is_a_clear_error(tmp_path):
    path = _write(tmp_path, HEADER + "SYR1,18 March 2018,Battles\n" + GOOD.format(note="x"))
    with pytest.raises(ObservationsFileError, match=r"line 2: 3 fields but the header has 13"):
        read_acled(path)
    res = runner.invoke(app, ["events", "import", str(path), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 1
    assert "line 2: 3 fields" in res.output and "Traceback" not in res.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + GOOD.format(note="caf\xe9")).encode("latin-1"))
    with pytest.raises(ObservationsFileError, match="line 2: not UTF-8"):
        read_acled(latin)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ObservationsFileError, match="empty file"):
        read_acled(empty)


def test_csv_bytes_equal_pandas_for_observations():
    frame = pd.DataFrame({
        "date": ["2018-03-18", "2018-03-19", "2018-03-20"],
        "place": ["Douma", 'Kafr "Zita"', "Tell, Abyad"],
        "lat": [33.5711, 35.0, -0.25], "lon": [36.4033, 36.125, 180.0],
        "note": ["two\nlines", "", "plain"]})
    assert csv_bytes(frame) == _csv(frame).encode("utf-8").replace(b",35.0,", b",35,") \
        .replace(b",180.0,", b",180,")  # numbers in their shortest form
    frame.loc[2, "note"] = "cr\r"  # pandas leaves a lone CR unquoted; it must be quoted
    assert csv_bytes(frame).endswith(b',"cr\r"\n')
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), keep_default_na=False)
    assert back["place"].tolist() == frame["place"].tolist()
    assert back["note"].tolist() == frame["note"].tolist()
    assert np.allclose(back["lat"], frame["lat"])
    assert csv_bytes(frame.iloc[:0]) == b"date,place,lat,lon,note\n"
