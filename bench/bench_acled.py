"""Benchmark: ACLED import vs a bare ``pandas.read_csv`` of the same file (issue 20).

Target: importing a 1,000,000-row ACLED-layout export (read + map + write the observations CSV)
costs <= 3x a bare ``pandas.read_csv(path)`` of it, both timed in the same run (best of N).

    .venv/bin/python bench/bench_acled.py            # quick: 100,000 rows
    .venv/bin/python bench/bench_acled.py --full     # 1,000,000 rows

Synthetic rows in ACLED's export layout (31 columns), seeded: ACLED actor names (with units and
associated actors), "18 March 2018" dates, 20% territory sub-event types, 0.1% unknown actors,
notes unique per row (as ACLED's are), a few quoted fields with commas.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers import load_factions  # noqa: E402
from layers.acled import import_acled, read_acled, write_observations  # noqa: E402

COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
           "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
           "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
           "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
           "source_scale", "notes", "fatalities", "tags", "timestamp"]
SUB_TYPES = ["Government regains territory", "Non-state actor overtakes territory",
             "Non-violent transfer of territory", "Armed clash",
             "Shelling/artillery/missile attack",
             "Air/drone strike", "Attack", "Peaceful protest", "Remote explosive/landmine/IED",
             "Looting/property destruction"]
SUB_P = [0.08, 0.1, 0.02, 0.3, 0.2, 0.12, 0.08, 0.05, 0.03, 0.02]
ACTORS = ["Military Forces of Syria (2000-2024)", "Military Forces of Syria (2000-) 4th Armored "
          "Division", "Islamic State (Syria)", "HTS: Hayat Tahrir al Sham",
          "QSD: Syrian Democratic Forces", "Syrian National Army", "Military Forces of Turkey "
          "(2016-)", "Opposition Rebels (Syria)", "Hezbollah", "NDF: National Defence Forces"]
ASSOC = ["", "", "", "Military Forces of Russia (2000-)", "Military Forces of Turkey (2016-)",
         "Hezbollah; Militia (Pro-Iran)"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
NOTES = [f"On {{d}}, fighters took control of village {i} after clashes; reportedly {i} killed."
         if i % 5 == 0 else f"On {{d}}, forces entered town {i} following an agreement." for i in
         range(40)]


def synthetic(n: int, *, seed: int = 20120315) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 4000, n)
    dates = pd.to_datetime("2012-01-01") + pd.to_timedelta(day, unit="D")
    date_text = (pd.Series(dates.day).astype(str).str.zfill(2) + " "
                 + pd.Series(np.array(MONTHS, dtype=object)[dates.month - 1]) + " "
                 + pd.Series(dates.year).astype(str))
    place = rng.integers(0, 20000, n)
    actor = np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), n)]
    unknown = rng.random(n) < 0.001
    actor[unknown] = "Unidentified Armed Group (Syria)"
    notes = pd.Series(np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), n)])
    ids = pd.Series(np.arange(n)).astype(str)
    notes = notes.str.replace("{d}", "", regex=False) + " (report " + ids + ", village " + \
        pd.Series(place).astype(str) + ")"
    return pd.DataFrame({
        "event_id_cnty": "SYR" + ids, "event_date": date_text, "year": pd.Series(dates.year),
        "time_precision": 1, "disorder_type": "Political violence", "event_type": "Battles",
        "sub_event_type": np.array(SUB_TYPES, dtype=object)[rng.choice(len(SUB_TYPES), n, p=SUB_P)],
        "actor1": actor, "assoc_actor_1": np.array(ASSOC, dtype=object)[rng.integers(0, 6, n)],
        "inter1": 1, "actor2": "Islamic State (Syria)", "assoc_actor_2": "", "inter2": 2,
        "interaction": 12, "civilian_targeting": "", "iso": 760, "region": "Middle East",
        "country": "Syria", "admin1": "Aleppo", "admin2": "Jebel Saman", "admin3": "Atareb",
        "location": "Village " + pd.Series(place).astype(str),
        "latitude": np.round(32.5 + (place % 140) * 0.035, 4),
        "longitude": np.round(35.8 + (place // 140) * 0.04, 4),
        "geo_precision": rng.integers(1, 4, n), "source": "SOHR; Enab Baladi",
        "source_scale": np.array(["National", "New media", "Other"], dtype=object)[
            rng.integers(0, 3, n)],
        "notes": notes, "fatalities": rng.integers(0, 20, n), "tags": "",
        "timestamp": 1600000000}, columns=COLUMNS)


def timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU is the process's, all threads (pyarrow's too)."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="1,000,000 rows (default 100,000)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (bare read, then import)")
    args = ap.parse_args(argv)
    n = 1_000_000 if args.full else 100_000
    factions = load_factions()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acled.csv"
        synthetic(n).to_csv(path, index=False)
        out = Path(tmp) / "obs.csv"
        mb = path.stat().st_size / 1e6

        def bare():
            pd.read_csv(path)

        phases: list[tuple[float, float, float]] = []
        result = []

        def full_import():
            t0 = time.perf_counter()
            frame = read_acled(path)
            t1 = time.perf_counter()
            res = import_acled(frame, factions=factions, path=str(path))
            t2 = time.perf_counter()
            write_observations(out, res.frame)
            phases.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
            result[:] = [res]

        full_import()  # warm up (imports, caches)
        phases.clear()
        rounds = [(timed(bare), timed(full_import)) for _ in range(args.repeat)]  # interleaved
    r = result[0].report
    wall_b, wall_i = min(b[0] for b, _ in rounds), min(i[0] for _, i in rounds)
    cpu_b, cpu_i = min(b[1] for b, _ in rounds), min(i[1] for _, i in rounds)
    per_round = sorted(i[0] / b[0] for b, i in rounds)
    p_read, p_map, p_write = min(phases, key=sum)
    print(f"rows: {n:,} ({mb:.0f} MB); {r.summary_line()}")
    print(f"bare pandas.read_csv: {wall_b:.2f} s; import (read + map + write): {wall_i:.2f} s;"
          f" ratio {wall_i / wall_b:.2f}x (target <= 3x), best of {args.repeat} each")
    print(f"  CPU time: bare {cpu_b:.2f} s, import {cpu_i:.2f} s, ratio {cpu_i / cpu_b:.2f}x;"
          f" same-round wall ratios {', '.join(f'{x:.2f}' for x in per_round)}")
    print(f"  phases of the best import: read_acled {p_read:.2f} s, import_acled {p_map:.2f} s,"
          f" write_observations {p_write:.2f} s")
    return 0 if wall_i <= 3 * wall_b else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
