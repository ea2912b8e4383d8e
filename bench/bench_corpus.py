"""Benchmark `frontline extract` over a corpus: articles per second per core, --jobs 1 vs 2 (and a
2-worker dask.distributed LocalCluster), all in the same run, with the output bytes compared.

    .venv/bin/python bench/bench_corpus.py              # 150 Wikipedia + 36 dev articles, 1 round
    .venv/bin/python bench/bench_corpus.py --rounds 2   # alternate the executors twice
    .venv/bin/python bench/bench_corpus.py --no-dask --limit 40

Times are wall-clock for the whole `extract_corpus` call, so worker start-up and each worker's
gazetteer load are included (what a user waits for). "per core" divides by the workers used.
Needs ../shared (data/wikipedia_syria_articles_2023, eval/articles); the archive is unpacked to
a temporary directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("FRONTLINE_SHARED", ROOT.parent / "shared"))


def corpus(tmp: Path, limit: int | None) -> list:
    from extract.corpus import find_files

    archive = SHARED / "data" / "wikipedia_syria_articles_2023" / "syria_articles_md.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp / "wikipedia", filter="data")
    shutil.copytree(SHARED / "eval" / "articles", tmp / "dev")
    docs, _ = find_files([str(tmp / "wikipedia"), str(tmp / "dev")])
    docs = [d for d in docs if not d.source.lower().endswith("readme.md")]
    return docs[:limit] if limit else docs


def timed(docs, **executor) -> tuple[float, str, int, int]:
    from extract import to_csv
    from extract.corpus import extract_corpus

    t0 = time.perf_counter()
    result = extract_corpus(docs, **executor)
    wall = time.perf_counter() - t0
    text = to_csv(result.proposals)
    return wall, hashlib.sha256(text.encode()).hexdigest()[:16], len(result.proposals), len(
        result.errors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--no-dask", action="store_true", help="skip the LocalCluster executor")
    args = ap.parse_args()

    import gazetteer

    gazetteer.load()  # build the cache once, outside the timings
    with tempfile.TemporaryDirectory() as tmp:
        docs = corpus(Path(tmp), args.limit or None)
        print(f"{len(docs)} articles, {os.cpu_count()} cores on the machine, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)
        runs: dict[str, list] = {"jobs 1": [], "jobs 2": []}
        cluster = None
        if not args.no_dask:
            import distributed

            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               silence_logs=40)
            runs["dask 2 workers"] = []
        try:
            for _ in range(args.rounds):
                runs["jobs 1"].append(timed(docs, jobs=1))
                runs["jobs 2"].append(timed(docs, jobs=2))
                if cluster is not None:
                    runs["dask 2 workers"].append(
                        timed(docs, scheduler=cluster.scheduler_address))
        finally:
            if cluster is not None:
                cluster.close()
    base = min(r[0] for r in runs["jobs 1"])
    rows = []
    for name, results in runs.items():
        best = min(r[0] for r in results)
        cores = 1 if name == "jobs 1" else 2
        rows.append({
            "executor": name, "articles": len(docs), "best_wall_s": round(best, 2),
            "walls_s": [round(r[0], 2) for r in results],
            "articles_per_s": round(len(docs) / best, 2),
            "articles_per_s_per_core": round(len(docs) / best / cores, 2),
            "speedup_vs_jobs1": round(base / best, 2),
            "proposals": results[0][2], "failed_files": results[0][3],
            "csv_sha256": results[0][1],
        })
    same = len({r["csv_sha256"] for r in rows}) == 1
    for r in rows:
        print(f"{r['executor']:>15}: {r['best_wall_s']:6.2f} s  {r['articles_per_s']:6.2f} "
              f"articles/s  {r['articles_per_s_per_core']:6.2f} /s/core  "
              f"×{r['speedup_vs_jobs1']:.2f} vs jobs 1  {r['proposals']} proposals  "
              f"sha {r['csv_sha256']}")
    print(f"output bytes identical across executors: {same}")
    print(json.dumps({"rows": rows, "identical": same}), file=sys.stderr)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
