"""Seeded generators of synthetic events files for the ingest and bundle benchmarks.

Every generator is deterministic for its arguments (numpy ``default_rng(seed)``) and writes plain
events files a user could have written (date, place or lat/lon, controller, status, certainty,
source). Places are a mix of real gazetteer names (only names the bundled gazetteer resolves on
their own, so no row depends on disambiguation) and points given by lat/lon inside Syria's
bounding box; controllers are faction ids of the bundled factions file.

    .venv/bin/python bench/gen_events.py clean  N_ROWS OUT.csv   [--places P] [--seed S]
    .venv/bin/python bench/gen_events.py json   N_ROWS OUT.json  [--places P] [--seed S]
    .venv/bin/python bench/gen_events.py random N_CHANGES OUT.csv [--places P] [--seed S]
    .venv/bin/python bench/gen_events.py fronts N_STEPS OUT.csv  [--places P] [--seed S]
                                                                [--start YYYY-MM-DD]

- ``clean``: N rows over P places (default 10,000), dates over 2012–2021, at most one row per
  place and date (so "the last row per place" is the whole timeline rule; no conflicts).
- ``random``: the bundle worst case, P places (default 5,000) each given a first holder on
  2012-01-01, then N changes (default 50,000) of a random place to a random other faction on
  random days.
- ``fronts``: moving fronts, P places (default 20,000); four factions seeded at random centres
  take the places nearest them; then each weekly step one faction (in turn, random order) takes
  the few dozen (20–40) enemy places nearest its territory (by distance to its nearest place).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FACTIONS = ("government", "opposition", "hts", "isis", "sdf", "turkey_backed")
START = np.datetime64("2012-01-01", "D")
BBOX = (35.7, 32.3, 42.0, 37.3)  # lon0, lat0, lon1, lat1 (Syria, roughly)


def gazetteer_names(limit: int, *, seed: int = 7) -> list[tuple[str, str]]:
    """Up to ``limit`` (name, place id) pairs the bundled gazetteer resolves without context to
    distinct places (names sampled from its places, seeded)."""
    import gazetteer
    from gazetteer.errors import GazetteerError

    gz = gazetteer.load()
    names = sorted({p.name for p in gz.places if p.country == "SY" and p.name.isascii()
                    and "," not in p.name and '"' not in p.name})
    rng = np.random.default_rng(seed)
    out, seen = [], set()
    for i in rng.permutation(len(names)).tolist():
        if len(out) == limit:
            break
        try:
            pid = gz.resolve_one(names[i]).place.id
        except GazetteerError:
            continue
        if pid not in seen:
            seen.add(pid)
            out.append((names[i], pid))
    return out


def places(n: int, *, seed: int, named: int) -> pd.DataFrame:
    """``n`` places: the first ``named`` by gazetteer name, the rest points (lat, lon)."""
    rng = np.random.default_rng(seed)
    names = gazetteer_names(named) if named else []
    k = n - len(names)
    lat = np.round(rng.uniform(BBOX[1], BBOX[3], k), 5)
    lon = np.round(rng.uniform(BBOX[0], BBOX[2], k), 5)
    return pd.DataFrame({
        "place": [nm for nm, _ in names] + [""] * k,
        "lat": [""] * len(names) + [f"{v:.5f}" for v in lat],
        "lon": [""] * len(names) + [f"{v:.5f}" for v in lon],
    })


def clean(n_rows: int, *, n_places: int = 10_000, seed: int = 20160327, named: int = 2_000,
          span_days: int = 3650) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pl = places(n_places, seed=seed + 1, named=named)
    # distinct (place, day) pairs: sample from the grid without replacement
    cells = rng.choice(n_places * span_days, size=n_rows, replace=False)
    place, day = cells // span_days, cells % span_days
    order = np.lexsort((place, day))
    place, day = place[order], day[order]
    frame = pl.iloc[place].reset_index(drop=True)
    frame.insert(0, "date", (START + day.astype("timedelta64[D]")).astype(str))
    frame["controller"] = np.array(FACTIONS, dtype=object)[rng.integers(0, len(FACTIONS), n_rows)]
    frame["status"] = np.array(["held", "besieged"], dtype=object)[
        rng.choice(2, n_rows, p=[0.9, 0.1])]
    frame["source"] = [f"https://example.org/report/{i}" for i in rng.integers(0, 5000, n_rows)]
    return frame


def random_changes(n_changes: int, *, n_places: int = 5_000, seed: int = 11,
                   span_days: int = 3650) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pl = places(n_places, seed=seed + 1, named=0)
    k = len(FACTIONS)
    first = rng.integers(0, k, n_places)
    who = rng.integers(0, n_places, n_changes)
    day = np.sort(rng.integers(1, span_days, n_changes))
    holder = first.copy()
    ctrl = np.empty(n_changes, dtype=np.int64)
    for i, p in enumerate(who.tolist()):  # a generator, not a hot path: each change its holder
        ctrl[i] = (holder[p] + 1 + rng.integers(0, k - 1)) % k
        holder[p] = ctrl[i]
    place = np.concatenate([np.arange(n_places), who])
    days = np.concatenate([np.zeros(n_places, dtype=np.int64), day])
    frame = pl.iloc[place].reset_index(drop=True)
    frame.insert(0, "date", (START + days.astype("timedelta64[D]")).astype(str))
    frame["controller"] = np.array(FACTIONS, dtype=object)[np.concatenate([first, ctrl])]
    frame["source"] = "https://example.org/synthetic"
    return frame.drop_duplicates(["date", "place", "lat", "lon"], keep="last")


def moving_fronts(n_steps: int, *, n_places: int = 20_000, seed: int = 5,
                  factions: int = 4, start: str | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pl = places(n_places, seed=seed + 1, named=0)
    xy = np.column_stack([pl["lon"].astype(float), pl["lat"].astype(float)])
    centres = xy[rng.choice(n_places, factions, replace=False)]
    holder = np.argmin(((xy[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    rows_place = [np.arange(n_places)]
    rows_day = [np.zeros(n_places, dtype=np.int64)]
    rows_ctrl = [holder.copy()]
    for step in range(1, n_steps + 1):
        f = int(rng.integers(0, factions))
        mine = holder == f
        if not mine.any() or mine.all():
            continue
        enemy = np.flatnonzero(~mine)
        dist = _nearest_distance(xy[mine], xy[enemy])
        take = enemy[np.argsort(dist, kind="stable")[:int(rng.integers(20, 41))]]
        holder[take] = f
        rows_place.append(take)
        rows_day.append(np.full(len(take), 7 * step, dtype=np.int64))
        rows_ctrl.append(np.full(len(take), f, dtype=np.int64))
    place = np.concatenate(rows_place)
    frame = pl.iloc[place].reset_index(drop=True)
    first = START if start is None else np.datetime64(start, "D")
    frame.insert(0, "date", (first + np.concatenate(rows_day).astype("timedelta64[D]"))
                 .astype(str))
    frame["controller"] = np.array(FACTIONS, dtype=object)[np.concatenate(rows_ctrl)]
    frame["source"] = "https://example.org/synthetic"
    return frame


def _nearest_distance(targets: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Distance from each query point to its nearest target (shapely's STRtree: no scipy)."""
    import shapely

    tree = shapely.STRtree(shapely.points(targets))
    (q, t), dist = tree.query_nearest(shapely.points(queries), return_distance=True,
                                      all_matches=False)
    out = np.empty(len(queries))
    out[q] = dist
    return out


def write(frame: pd.DataFrame, out: Path) -> None:
    if out.suffix == ".json":
        rows = frame.to_dict(orient="records")
        out.write_text("[\n" + ",\n".join(json.dumps(r, indent=1) for r in rows) + "\n]\n",
                       encoding="utf-8")
    else:
        frame.to_csv(out, index=False)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=["clean", "json", "random", "fronts"])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--places", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--start", help="fronts: first date (default 2012-01-01; 1,500 weekly "
                    "steps from then run past today, so long runs start earlier)")
    a = ap.parse_args(argv)
    if a.start is not None and a.kind != "fronts":
        ap.error("--start applies to fronts only")
    kw = {k: v for k, v in (("n_places", a.places), ("seed", a.seed), ("start", a.start))
          if v is not None}
    frame = {"clean": clean, "json": clean, "random": random_changes,
             "fronts": moving_fronts}[a.kind](a.n, **kw)
    write(frame, a.out)
    print(f"wrote {len(frame)} rows to {a.out}")


if __name__ == "__main__":
    main()
