"""Benchmark: reading big events files (issue 18). Synthetic files from bench/gen_events.py
(seeded); every ratio is against a baseline measured in the same run.

    .venv/bin/python bench/bench_ingest.py json     # reader cost per row, 10,000 vs 200,000 rows
    .venv/bin/python bench/bench_ingest.py check    # `frontline events check`, 1M clean rows,
                                                    #   against a bare pandas.read_csv
    .venv/bin/python bench/bench_ingest.py slice    # `frontline slice` 300,000 rows × 10,000
                                                    #   places × 120 monthly dates, against the
                                                    #   plain pandas loop; answers compared
                                                    #   (--rows N: another number of rows)
    add --write bench/RESULTS-ingest.md to append the numbers there.

Commands are timed as a user runs them (a subprocess, wall clock, best of --repeats); the
in-process rows time the library call alone (gazetteer already loaded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import gen_events  # noqa: E402

PY = sys.executable
FRONTLINE = str(Path(PY).with_name("frontline"))


def prepare(tmp: Path) -> None:
    """Commands run as an installed copy runs: the project's bytecode compiled (pip does that on
    install; a source tree under PYTHONDONTWRITEBYTECODE=1 would recompile every module on every
    start) and a private FRONTLINE_HOME whose gazetteer cache is built once, before timing."""
    import os

    subprocess.run([PY, "-m", "compileall", "-q", *(str(ROOT / d) for d in (
        "gazetteer", "layers", "mapper", "extract", "frontline"))], check=False,
        stdout=subprocess.DEVNULL)
    os.environ["FRONTLINE_HOME"] = str(tmp / "home")
    subprocess.run([PY, "-c", "import gazetteer; gazetteer.load()"], check=True)


def best(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


CPU: dict[str, float] = {}  # command label → best CPU seconds (user + sys) of its process


def run(cmd: list[str], repeats: int, *, label: str | None = None) -> float:
    """Best wall time of ``cmd`` as a subprocess; its best CPU time goes to ``CPU[label]`` (on
    a shared machine CPU is the steadier measure: waiting for a core is not counted)."""
    import resource

    cpu = []

    def go():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    wall = best(go, repeats)
    CPU[label or " ".join(cmd[:3])] = min(cpu)
    return wall


def part_json(tmp: Path, repeats: int) -> list[str]:
    from layers.readers import read_table

    rows = []
    per_row = {}
    for n in (10_000, 200_000):
        path = tmp / f"events{n}.json"
        gen_events.write(gen_events.clean(n, n_places=2_000, named=0), path)
        secs = best(lambda p=path: read_table(p), repeats)
        per_row[n] = secs / n * 1e6
        rows.append(f"| read_table, JSON array, {n:,} rows | {secs:.3f} s | "
                    f"{per_row[n]:.2f} µs/row |")
    ratio = per_row[200_000] / per_row[10_000]
    rows.append(f"| per-row cost, 200,000 / 10,000 | | **{ratio:.2f}×** |")
    return rows


def part_check(tmp: Path, repeats: int) -> list[str]:
    import gazetteer
    from layers import read_observations

    path = tmp / "clean1m.csv"
    gen_events.write(gen_events.clean(1_000_000), path)
    bare_cmd = run([PY, "-c", f"import pandas; pandas.read_csv({str(path)!r})"], repeats,
                   label="bare")
    check_cmd = run([FRONTLINE, "events", "check", str(path)], repeats, label="check")
    bare = best(lambda: pd.read_csv(path), repeats)
    gz = gazetteer.load()
    lib = best(lambda: read_observations(path, gazetteer=gz), repeats)
    return [
        f"| `python -c 'pandas.read_csv(F)'` (command) | {bare_cmd:.2f} s | 1.0× |",
        f"| `frontline events check F` (command) | {check_cmd:.2f} s | "
        f"**{check_cmd / bare_cmd:.1f}×** |",
        f"| CPU (user + sys) of the two commands | {CPU['bare']:.2f} s, {CPU['check']:.2f} s | "
        f"**{CPU['check'] / CPU['bare']:.1f}×** |",
        f"| pandas.read_csv(F) (in process) | {bare:.2f} s | 1.0× |",
        f"| read_observations(F) (in process) | {lib:.2f} s | **{lib / bare:.1f}×** |",
    ]


def pandas_loop(path: Path, dates: np.ndarray) -> pd.DataFrame:
    """The baseline: read the CSV, then per date keep rows up to it and each place's last row."""
    ev = pd.read_csv(path, dtype={"place": str, "lat": str, "lon": str}, keep_default_na=False)
    ev["date"] = pd.to_datetime(ev["date"])
    ev["key"] = ev["place"] + "|" + ev["lat"] + "|" + ev["lon"]
    ev = ev.sort_values("date", kind="stable")
    out = []
    for d in dates:
        last = ev[ev["date"] <= d].groupby("key", sort=False).tail(1)
        out.append(pd.DataFrame({"date": d, "line": last.index.to_numpy() + 2,
                                 "controller": last["controller"].to_numpy()}))
    return pd.concat(out, ignore_index=True)


def part_slice(tmp: Path, repeats: int, rows: int = 300_000) -> list[str]:
    import geopandas as gpd

    import gazetteer
    from layers import read_observations

    path = tmp / f"slice{rows}.csv"
    gen_events.write(gen_events.clean(rows, n_places=10_000), path)
    dates = np.array([np.datetime64(f"{2012 + i // 12}-{i % 12 + 1:02d}-01") for i in range(120)],
                     dtype="datetime64[ns]")
    at = ",".join(str(d)[:10] for d in dates.astype("datetime64[D]"))
    out = tmp / "out.parquet"
    ours = run([FRONTLINE, "slice", str(path), "--at", at, "-o", str(out)], repeats,
               label="slice")
    loop_script = tmp / "loop.py"  # the same loop as a whole command (start-up included)
    days = [str(d) for d in dates.astype("datetime64[D]")]
    loop_script.write_text(
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\nimport numpy as np\n"
        "from bench.bench_ingest import pandas_loop\n"
        f"pandas_loop(Path({str(path)!r}), np.array({days!r}, dtype='datetime64[ns]'))\n",
        encoding="utf-8")
    loop_cmd = run([PY, str(loop_script)], repeats, label="loop")
    # The same two commands in alternating pairs: on a shared host whose speed drifts within
    # minutes, a ratio of two commands run seconds apart is steadier than one of two bests
    paired = []
    for _ in range(repeats):
        mine = run([FRONTLINE, "slice", str(path), "--at", at, "-o", str(out)], 1, label="pair")
        paired.append(run([PY, str(loop_script)], 1, label="pair") / mine)
    # The floor of any command that reads this CSV and writes this GeoParquet: start Python,
    # import pandas and pyarrow, read the file with pyarrow's CSV reader (no checks at all),
    # and write the same table (timed in process, from the file written above, re-read).
    floor_cmd = run([PY, "-c", "import pandas, pyarrow.parquet, pyarrow.csv as c; "
                     f"c.read_csv({str(path)!r})"], repeats, label="floor")
    import pyarrow.parquet as pq

    written = pq.read_table(out, read_dictionary=[
        "place_id", "place", "controller", "status", "certainty", "source", "sources",
        "geometry"])
    ints = ["obs_row"]  # the writer's own settings (layers/io.py): the cheapest it found
    write = best(lambda: pq.write_table(
        written, tmp / "again.parquet", compression="snappy", row_group_size=len(written),
        write_statistics=[c for c in ("date", "since", "obs_row", "confidence")],
        use_dictionary=[c for c in written.column_names if c not in ints],
        column_encoding=dict.fromkeys(ints, "DELTA_BINARY_PACKED")), repeats)
    base_result = {}

    def base():
        base_result["frame"] = pandas_loop(path, dates)
    baseline = best(base, repeats)
    # identical answers: the baseline's last row per place and date, through the row's place id
    obs = read_observations(path, gazetteer=gazetteer.load())
    line_pid = pd.Series(obs.frame["place_id"].to_numpy(dtype=object),
                         index=obs.frame["row"].to_numpy())
    b = base_result["frame"]
    b = pd.DataFrame({"date": b["date"].astype("datetime64[ns]"),
                      "place_id": line_pid.reindex(b["line"].to_numpy()).to_numpy(),
                      "controller": b["controller"].to_numpy(dtype=object)})
    got = gpd.read_parquet(out)
    g = pd.DataFrame({"date": pd.to_datetime(got["date"]).astype("datetime64[ns]"),
                      "place_id": got["place_id"].to_numpy(dtype=object),
                      "controller": got["controller"].to_numpy(dtype=object)})
    # Area observations (an area's row sets every member place, layers/regions.py) are beyond
    # the plain loop: the areas and the places they reach are compared apart from the rest.
    area_rows = obs.area_rows if obs.area_rows is not None else obs.frame.iloc[:0]
    touched = set(area_rows["place_id"].astype(str)) | set(
        obs.frame.loc[obs.frame["row"].isin(area_rows["row"]), "place_id"].astype(str))
    b = b[~b["place_id"].isin(touched)]
    reached = g["place_id"].isin(touched).to_numpy()
    g = g[~reached]
    key = ["date", "place_id"]
    same = (len(b) == len(g)) and b.sort_values(key).reset_index(drop=True).equals(
        g.sort_values(key).reset_index(drop=True))
    return [f"| plain pandas loop (read_csv + 120 × filter + last row per place) | "
            f"{baseline:.2f} s | 1.0× |",
            f"| the same loop as a command (`python loop.py`, start-up included) | "
            f"{loop_cmd:.2f} s | {loop_cmd / baseline:.2f}× |",
            f"| `frontline slice F --at <120 dates> -o out.parquet` (command) | {ours:.2f} s | "
            f"**{baseline / ours:.1f}× faster** than the loop in process, "
            f"{loop_cmd / ours:.1f}× than the loop command |",
            f"| loop command ÷ `frontline slice`, {repeats} alternated pairs | "
            f"{', '.join(f'{r:.1f}×' for r in paired)} | median **{np.median(paired):.1f}×** |",
            f"| CPU (user + sys): loop command, `frontline slice` | {CPU['loop']:.2f} s, "
            f"{CPU['slice']:.2f} s | **{CPU['loop'] / CPU['slice']:.1f}×** less CPU |",
            f"| floor: start-up + pyarrow read of the CSV (command) + the GeoParquet write "
            f"(in process) | {floor_cmd:.2f} + {write:.2f} s | the loop command is "
            f"{loop_cmd / (floor_cmd + write):.1f}× the floor |",
            f"| answers identical ({len(g):,} place-dates; {int(reached.sum()):,} more of "
            f"{len(touched)} places that area rows reach are not the loop's) | "
            f"{'yes' if same else 'NO'} | |"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("part", choices=["json", "check", "slice"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--rows", type=int, default=300_000,
                    help="slice: observations in the file (10,000 places either way; the fixed "
                         "costs, start-up and the 1.15M-row output, weigh less as it grows)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp))
        part = {"json": part_json, "check": part_check, "slice": part_slice}[a.part]
        rows = part(Path(tmp), a.repeats, a.rows) if a.part == "slice" else part(
            Path(tmp), a.repeats)
    head = (f"\n### {a.part} — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.machine()}, python {platform.python_version()}, pandas {pd.__version__}"
            f"\n\n`{Path(PY).name} bench/bench_ingest.py {a.part} --repeats {a.repeats}"
            f"{f' --rows {a.rows}' if a.part == 'slice' and a.rows != 300_000 else ''}`\n\n"
            "| what | time | ratio |\n|---|---|---|")
    text = "\n".join([head, *rows]) + "\n"
    print(text)
    if a.write:
        with a.write.open("a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
