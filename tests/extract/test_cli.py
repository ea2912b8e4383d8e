"""`frontline extract` and `frontline extract-score` via typer's CliRunner (bundled gazetteer)."""

import json

from typer.testing import CliRunner

from mapper.cli import app

runner = CliRunner()
TEXT = "On 3 March 2013 rebels captured the town of Saraqib. Warplanes later struck Aleppo.\n"


def test_extract_writes_csv_and_counts(tmp_path):
    src, out = tmp_path / "report.txt", tmp_path / "out.csv"
    src.write_text(TEXT, encoding="utf-8")
    res = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("date,date_precision,") and len(lines) == 2
    assert "Saraqib" in lines[1] and "opposition" in lines[1] and "2013-03-03" in lines[1]
    assert "1 documents" in res.stderr and "1 proposals" in res.stderr


def test_extract_jsonl_from_stdin_with_date():
    res = runner.invoke(
        app,
        ["extract", "-", "--date", "2013-03-05", "--format", "jsonl"],
        input="Rebels captured Saraqib on Sunday, activists said.\n",
    )
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout.splitlines()[0])
    assert (row["date"], row["controller"], row["source_file"]) == ("2013-03-03", "opposition", "-")


def test_extract_errors_are_clean(tmp_path):
    res = runner.invoke(app, ["extract", str(tmp_path / "missing.txt")])
    assert res.exit_code == 1 and "missing.txt" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["extract", "-", "--date", "2013-02-30"], input="x")
    assert res.exit_code == 1 and "2013-02-30" in res.stderr


def test_extract_score(tmp_path):
    pred, truth = tmp_path / "p.csv", tmp_path / "t.csv"
    src = tmp_path / "report.txt"
    src.write_text(TEXT, encoding="utf-8")
    assert runner.invoke(app, ["extract", str(src), "-o", str(pred)]).exit_code == 0
    truth.write_text(
        "seed,article_date,date,place,lat,lon,controller,kind,certainty,evidence\n"
        "report.txt,2013-03-05,2013-03,Saraqib,35.8644,36.8006,opposition,change,confirmed,x\n"
        "report.txt,2013-03-05,2013-03,Aleppo,36.2,37.16,government,state,confirmed,y\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["extract-score", str(pred), str(truth), "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert (s["precision"], s["recall"], s["certainty_accuracy"]) == (1.0, 0.5, 1.0)
    res = runner.invoke(app, ["extract-score", str(pred), str(truth)])
    assert "precision 1.000" in res.stdout and "missed row" in res.stdout
