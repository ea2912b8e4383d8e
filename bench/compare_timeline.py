"""Benchmark: build_timeline / slice_at of this tree against another tree (e.g. main), in ONE
process, calls alternated, CPU and wall time (the shared machine makes separate runs too noisy
to compare a few per cent).

    git archive main | tar -x -C /tmp/main_tree
    .venv/bin/python bench/compare_timeline.py --other /tmp/main_tree            # 1M obs, 10 rounds
    .venv/bin/python bench/compare_timeline.py --other /tmp/main_tree --obs 100000 --rounds 6

The other tree's ``layers/`` is loaded as the package ``layers_other`` beside this tree's
``layers``; data: bench_timeline's synthetic generator (1,000 distinct sources).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_timeline import FACTIONS, synthetic  # noqa: E402


def load_other(tree: Path):
    init = tree / "layers" / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"{tree}: no layers/__init__.py; extract a tree with `git archive REV | "
                         "tar -x -C DIR`")
    spec = importlib.util.spec_from_file_location("layers_other", init,
                                                  submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["layers_other"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--other", type=Path, required=True, help="the tree to compare against")
    ap.add_argument("--obs", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    other = load_other(args.other.resolve())
    import layers as this

    frame, places, _, start, span = synthetic(args.obs, max(args.obs // 100, 10))
    dates = (start + np.linspace(0, span - 1, 100).round().astype("timedelta64[D]")).astype(
        "datetime64[ns]")
    times = {name: {k: [] for k in ("build wall", "build cpu", "slice wall", "slice cpu")}
             for name in ("other", "this")}
    for r in range(args.rounds):
        pair = (("other", other), ("this", this))
        for name, mod in pair if r % 2 == 0 else pair[::-1]:
            w0, c0 = time.perf_counter(), time.process_time()
            timeline = mod.build_timeline(frame, controllers=FACTIONS)
            w1, c1 = time.perf_counter(), time.process_time()
            mod.slice_at(timeline, places, dates)
            w2, c2 = time.perf_counter(), time.process_time()
            t = times[name]
            t["build wall"].append(w1 - w0)
            t["build cpu"].append(c1 - c0)
            t["slice wall"].append(w2 - w1)
            t["slice cpu"].append(c2 - c1)
    print(f"{args.obs:,} observations, {args.rounds} alternated rounds; this ÷ other")
    for key in times["this"]:
        a, b = np.array(times["other"][key]), np.array(times["this"][key])
        print(f"{key:11s} other min {a.min():.3f} median {np.median(a):.3f} | this min "
              f"{b.min():.3f} median {np.median(b):.3f} | ratio min {b.min() / a.min():.3f} "
              f"median {np.median(b) / np.median(a):.3f}")


if __name__ == "__main__":
    main()
