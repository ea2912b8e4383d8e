"""Benchmark `frontline extract`: speed over the Wikipedia Syria articles, quality on the seeds.

    .venv/bin/python bench/bench_extract.py            # quick: seeds + 20 articles, both modes
    .venv/bin/python bench/bench_extract.py --full     # all 150 articles
    .venv/bin/python bench/bench_extract.py --full --sample 50 --seed 7   # rows for a hand-check

Baseline (same run): the same extractor scanning every sentence for place names
(``prefilter=False``) instead of only sentences carrying a control cue and their neighbours.
Needs ../shared (seeds, eval set, wikipedia_syria_articles_2023); the archive is unpacked to a
temporary directory.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("FRONTLINE_SHARED", ROOT.parent / "shared"))


def articles(limit: int | None) -> list[tuple[str, str]]:
    archive = SHARED / "data" / "wikipedia_syria_articles_2023" / "syria_articles_md.tar.gz"
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
        paths = sorted(Path(tmp).rglob("*.md"))[:limit]
        return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def run(docs, gz, factions, *, prefilter: bool):
    from extract import Extractor, Report

    ex = Extractor(gazetteer=gz, factions=factions, prefilter=prefilter)
    t0 = time.perf_counter()
    out, report = [], Report()
    for name, text in docs:
        props, rep = ex.extract(text, source=name)
        out += props
        report.merge(rep)
    return out, report, time.perf_counter() - t0


def seed_scores(gz, factions) -> dict:
    from extract.evaluate import evaluate_folder

    return evaluate_folder(SHARED / "seeds", SHARED / "eval" / "seed_events.csv",
                           gazetteer=gz, factions=factions).to_dict(details=False)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--full", action="store_true", help="all 150 articles (default: 20)")
    ap.add_argument(
        "--no-baseline", action="store_true", help="skip the scan-every-sentence baseline"
    )
    ap.add_argument(
        "--sample", type=int, default=0, help="print N random proposals (for a hand-check)"
    )
    ap.add_argument("--seed", type=int, default=7, help="random seed of the sample")
    ap.add_argument("--csv", help="write all proposals of the run here")
    args = ap.parse_args()

    import gazetteer
    from extract import to_csv
    from layers.factions import load_factions

    t0 = time.perf_counter()
    gz, factions = gazetteer.load(), load_factions()
    load_s = time.perf_counter() - t0
    docs = articles(None if args.full else 20)
    props, report, fast_s = run(docs, gz, factions, prefilter=True)
    result = {
        "articles": len(docs),
        "gazetteer_load_s": round(load_s, 2),
        "extract_s": round(fast_s, 2),
        "proposals": len(props),
        **{k: v for k, v in report.to_dict().items() if k != "proposals"},
    }
    if not args.no_baseline:
        base, _, base_s = run(docs, gz, factions, prefilter=False)
        result |= {
            "baseline_scan_all_s": round(base_s, 2),
            "baseline_proposals": len(base),
            "speedup_vs_baseline": round(base_s / fast_s, 2),
        }
    result["seeds"] = seed_scores(gz, factions)
    print(json.dumps(result, indent=2))
    if args.csv:
        Path(args.csv).write_text(to_csv(props), encoding="utf-8")
    if args.sample:
        rows = list(csv.DictReader(io.StringIO(to_csv(props))))
        random.Random(args.seed).shuffle(rows)
        for i, r in enumerate(rows[: args.sample], 1):
            print(
                f"\n{i}. {r['source_file']} | {r['date']} ({r['date_precision']}) {r['place']} "
                f"[{r['mention']}] "
                f"→ {r['controller']} {r['kind']} {r['certainty']} | cue: {r['cue']}\n   "
                f"{r['evidence']}"
            )


if __name__ == "__main__":
    main()
