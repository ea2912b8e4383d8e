"""The bundle uses the machine (issue 18): a process pool for the per-date work whose files are
the same bytes for any --jobs, stage timing (--verbose) and the changelog built as columns."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mapper import escape, styles
from mapper.bundle import BundleOptions, changes_html, pool_jobs, write_bundle
from mapper.cli import app
from mapper.model import iso
from mapper.pipeline import prepare
from mapper.render import slider_days
from mapper.stages import Stages

FACTIONS = """
[[faction]]
id = "north"
label = "Northern <League>"
colour = "#1f77b4"

[[faction]]
id = "south"
label = "Southern Union"
colour = "#d62728"

[[faction]]
id = "east"
label = "Eastern Front"
colour = "#2ca02c"
"""


def _events(n_places: int = 36, n_changes: int = 120, *, seed: int = 3) -> str:
    """A seeded log: places on a jittered grid, a first holder each, then random changes (some
    contested, some claimed, sources that are and are not links, notes with markup)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_places)))
    lat = 10 + (np.arange(n_places) // side) * 0.2 + rng.uniform(0, 0.1, n_places)
    lon = 20 + (np.arange(n_places) % side) * 0.2 + rng.uniform(0, 0.1, n_places)
    factions = np.array(["north", "south", "east"])
    place = np.r_[np.arange(n_places), rng.integers(0, n_places, n_changes)]
    day = np.r_[np.zeros(n_places, dtype=int), np.sort(rng.integers(1, 700, n_changes))]
    who = factions[rng.integers(0, 3, len(place))]
    status = np.where(rng.random(len(place)) < 0.1, "contested", "held")
    certainty = np.where(rng.random(len(place)) < 0.2, "claimed", "confirmed")
    source = np.where(rng.random(len(place)) < 0.5, "https://example.org/r?a=1&b=<2>",
                      "wire report <b>")
    note = np.where(rng.random(len(place)) < 0.3, "fighting <i>near</i> & around", "")
    dates = (np.datetime64("2020-01-01") + day.astype("timedelta64[D]")).astype(str)
    frame = pd.DataFrame({"date": dates, "place": [f"P{p:02d}" for p in place],
                          "lat": lat[place].round(4), "lon": lon[place].round(4),
                          "controller": who, "status": status, "certainty": certainty,
                          "source": source, "note": note})
    return frame.drop_duplicates(["date", "place"], keep="last").to_csv(index=False)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jobs")
    (folder / "events.csv").write_text(_events(), encoding="utf-8")
    (folder / "factions.toml").write_text(FACTIONS, encoding="utf-8")
    return prepare(folder / "events.csv", factions=folder / "factions.toml")


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_file_is_the_same_bytes_for_jobs_1_2_and_4(prepared, tmp_path):
    options = dict(images=3, data_dates=30, gif_frames=20)
    trees = {}
    for jobs in (1, 2, 4):
        stages = Stages()
        write_bundle(prepared, tmp_path / f"j{jobs}", BundleOptions(jobs=jobs, **options),
                     stages=stages)
        trees[jobs] = _tree(tmp_path / f"j{jobs}")
        assert {"territory", "fronts", "frames", "stats"} <= set(stages.times)
    assert len([f for f in trees[1] if f.startswith("data/territory/")]) == 30
    assert len([f for f in trees[1] if f.startswith("images/map-")]) == 3
    assert "images/timeline.gif" in trees[1]
    assert trees[2] == trees[1]
    assert trees[4] == trees[1]


def test_stats_cover_every_slider_date_without_dissolving_each(prepared, tmp_path):
    out = tmp_path / "site"
    manifest = write_bundle(prepared, out, BundleOptions(images=0, gif=False, data_dates=5))
    stats = pd.read_csv(out / "data/stats.csv")
    assert sorted(set(stats["date"])) == manifest["dates"]["slider"]
    # one date's areas and places agree with that date's territory file
    import json

    date = manifest["dates"]["data"][-1]
    territory = json.loads((out / "data/territory" / f"{date}.geojson").read_text())
    day = stats[stats["date"] == date].set_index("controller")
    for feature in territory["features"]:
        props = feature["properties"]
        assert day.loc[props["controller"], "places"] == props["places"]
        assert day.loc[props["controller"], "area_km2"] == pytest.approx(props["area_km2"])


def test_default_jobs_run_a_small_bundle_in_process(prepared):
    days, _ = slider_days(prepared.model)
    assert pool_jobs(prepared, days, BundleOptions(jobs=None)) == 1
    assert pool_jobs(prepared, days, BundleOptions(jobs=3)) == 3
    assert pool_jobs(prepared, days, BundleOptions()) == 1


def test_default_jobs_of_a_big_bundle_are_capped_for_memory(prepared, monkeypatch):
    import mapper.bundle as bundle_mod

    days, _ = slider_days(prepared.model)
    monkeypatch.setattr(bundle_mod, "POOL_MIN_WORK", 0)
    monkeypatch.setattr(bundle_mod, "available_cores", lambda: 16)
    assert pool_jobs(prepared, days, BundleOptions(jobs=None)) == bundle_mod.DEFAULT_MAX_JOBS
    assert pool_jobs(prepared, days, BundleOptions(jobs=8)) == 8  # asked for: given
    monkeypatch.setattr(bundle_mod, "available_cores", lambda: 2)
    assert pool_jobs(prepared, days, BundleOptions(jobs=None)) == 2


def _changes_reference(prepared, *, title: str, lang: str) -> str:
    """The changelog built row by row (the way it was before it became columns)."""
    ui = styles.ui_strings(lang)
    model = prepared.model
    iv, obs = model.intervals, model.observations
    labels = {f.id: f.label for f in model.factions}
    place = model.places["label"].to_numpy(dtype=object)[iv["place_pos"].to_numpy()]
    prev_ctrl = iv.groupby("place_pos")["controller"].shift(1)
    order = np.lexsort((place.astype(str), -iv["day"].to_numpy()))
    rows, current = [], None
    for k in order:
        day = int(iv["day"].iat[k])
        if day != current:
            if current is not None:
                rows.append("</tbody></table></section>")
            current, date = day, iso(day)
            rows.append(
                f'<section id="d{date}"><h2><a href="index.html#date={date}">{date}</a> '
                f'<small>— <a href="index.html#date={date}">{escape.text(ui["open_map"])}</a>'
                f"</small></h2><table><thead><tr><th>{escape.text(ui['place'])}</th>"
                f"<th>{escape.text(ui['controller'])}</th><th>{escape.text(ui['status'])}</th>"
                f"<th>{escape.text(ui['certainty'])}</th><th>{escape.text(ui['source'])}</th>"
                f"<th>{escape.text(ui['note'])}</th></tr></thead><tbody>")
        ctrl, before = iv["controller"].iat[k], prev_ctrl.iat[k]
        label = labels.get(ctrl, ctrl if isinstance(ctrl, str) else ui["unknown"])
        if isinstance(before, str) and before != ctrl:
            label = f"{labels.get(before, before)} → {label}"
        o = int(iv["obs"].iat[k])
        source = note = ""
        if o >= 0:
            src = obs["source"].iat[o]
            source = escape.link(src, src) if isinstance(src, str) and src else ""
            note = escape.text(obs["note"].iat[o]) if isinstance(obs["note"].iat[o], str) else ""
        else:
            source = escape.text(ui["disagreement"])
        status, certainty = iv["status"].iat[k], iv["certainty"].iat[k]
        rows.append(
            f"<tr><td>{escape.text(place[k])}</td><td>{escape.text(label)}</td>"
            f"<td>{escape.text(ui['statuses'].get(status, status))}</td>"
            f"<td>{escape.text(ui['certainties'].get(certainty, certainty))}</td>"
            f"<td>{source}</td><td>{note}</td></tr>")
    if current is not None:
        rows.append("</tbody></table></section>")
    return "\n".join(rows)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_changelog_columns_equal_the_row_by_row_page(prepared, lang):
    page = changes_html(prepared, title="T <x>", lang=lang)
    body = _changes_reference(prepared, title="T <x>", lang=lang)
    assert body and f"\n{body}\n</body>" in page
    assert "Northern &lt;League&gt;" in page and "<League>" not in page
    assert 'href="https://example.org/r?a=1&amp;b=&lt;2&gt;"' in page
    assert "wire report &lt;b&gt;" in page and html.escape("<i>near</i>") in page


def test_cli_verbose_prints_every_stage_and_jobs_is_an_option(prepared, tmp_path):
    result = CliRunner().invoke(app, [
        "bundle", str(prepared.inputs["events"]), "-o", str(tmp_path / "site"),
        "--factions", str(prepared.inputs["factions"]), "--images", "1", "--no-gif",
        "--jobs", "1", "--verbose"])
    assert result.exit_code == 0, result.output
    for stage in ("read", "timeline", "cells", "index.html", "changes.html", "data files",
                  "stats", "territory", "fronts", "frames", "manifest", "write"):
        assert any(line.strip().startswith(stage) and line.rstrip().endswith(" s")
                   for line in result.output.splitlines()), (stage, result.output)
    assert "workers: 1" in result.output
    quiet = CliRunner().invoke(app, [
        "bundle", str(prepared.inputs["events"]), "-o", str(tmp_path / "site2"),
        "--factions", str(prepared.inputs["factions"]), "--images", "1", "--no-gif"])
    assert quiet.exit_code == 0 and "  territory" not in quiet.output
    bad = CliRunner().invoke(app, ["bundle", str(prepared.inputs["events"]), "--jobs", "0"])
    assert bad.exit_code != 0 and "--jobs" in bad.output


def test_stages_add_up_and_drive_a_bar():
    ended, bars = [], []

    from contextlib import contextmanager

    @contextmanager
    def bar(name, total):
        steps = []
        bars.append((name, total, steps))
        yield steps.append

    stages = Stages(on_end=lambda name, s: ended.append(name), bar=bar)
    with stages.stage("a", total=3) as advance:
        for _ in range(3):
            advance(1)
    with stages.stage("b"):
        pass
    with stages.stage("a"):
        pass
    assert list(stages.times) == ["a", "b"] and ended == ["a", "b", "a"]
    assert bars == [("a", 3, [1, 1, 1])]
    assert stages.total() == pytest.approx(sum(stages.times.values()))


def test_frame_workers_import_no_table_or_geometry_library():
    """A frame worker (mapper/frames.py) holds matplotlib and vertex arrays only (issue 18:
    every process of the bundle counts towards its memory)."""
    import subprocess
    import sys

    heavy = ("pandas", "geopandas", "shapely", "pyproj", "pyarrow", "layers")
    out = subprocess.run([sys.executable, "-c", "import sys, mapper.frames; print(sorted(m for "
                          f"m in {heavy!r} if m in sys.modules))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
