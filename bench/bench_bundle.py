"""Benchmark: `frontline bundle` end to end on the two synthetic logs of issue 18.

1. ``random``: the worst case, P places (full: 5,000) each flipping to a random other faction
   N times in all (full: 50,000 changes over ten years; about 3,650 slider dates).
2. ``fronts``: moving fronts, P places (full: 20,000), four factions taking the 20–40 enemy
   places nearest their territory every week for S steps (full: 1,500 weeks from 1995-01-01,
   so no date lies in the future).

Both come from bench/gen_events.py (seeded: the same files every run). Each log is bundled by
the command a user runs, in a fresh process, once with ``--jobs 1`` (the baseline, in process)
and once with ``--jobs N`` (default: every core), in the same run. For each run: wall time,
the stage times the command prints with ``--verbose``, and peak memory sampled from /proc every
0.1 s over the command's whole process group (the largest single process, and the sum of all
processes at the same instant: worker processes count). The two bundles' files are compared
by sha256: the bytes must not depend on ``--jobs``.

    .venv/bin/python bench/bench_bundle.py --quick          # small logs (a test-sized run)
    .venv/bin/python bench/bench_bundle.py                  # full sizes
    .venv/bin/python bench/bench_bundle.py --only fronts --jobs 2 --write bench/RESULTS-bundle.md
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = {  # kind: (generator kind, N, places, extra generator args)
    "full": {"random": ("random", 50_000, 5_000, []),
             "fronts": ("fronts", 1_500, 20_000, ["--start", "1995-01-01"])},
    "quick": {"random": ("random", 3_000, 400, []),
              "fronts": ("fronts", 80, 1_500, ["--start", "2015-01-01"])},
}
TARGETS = {"random": 60.0, "fronts": 30.0}  # seconds (issue 18), full sizes


def frontline() -> list[str]:
    exe = Path(sys.executable).with_name("frontline")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mapper"]


def generate(kind: str, size: str, folder: Path) -> Path:
    gen, n, places, extra = SIZES[size][kind]
    out = folder / f"{kind}-{size}.csv"
    if not out.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_events.py"), gen, str(n),
                        str(out), "--places", str(places), *extra], check=True,
                       stdout=subprocess.DEVNULL)
    return out


def _group_rss(pgid: int) -> tuple[int, int]:
    """(largest process, sum) resident bytes of the processes in process group ``pgid``."""
    page = os.sysconf("SC_PAGE_SIZE")
    sizes = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            sizes.append(int(fields[21]) * page)  # field 24: rss in pages
    return (max(sizes), sum(sizes)) if sizes else (0, 0)


def run_bundle(events: Path, out: Path, jobs: int) -> dict:
    """One `frontline bundle --verbose` in a fresh process group: wall, stages, peak memory."""
    cmd = [*frontline(), "bundle", str(events), "-o", str(out), "--jobs", str(jobs),
           "--verbose"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=ROOT)
    peak_one = peak_all = 0
    while proc.poll() is None:
        one, total = _group_rss(proc.pid)
        peak_one, peak_all = max(peak_one, one), max(peak_all, total)
        time.sleep(0.1)
    wall = time.perf_counter() - started
    err = proc.stderr.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    stages = {m.group(1).strip(): float(m.group(2))
              for m in re.finditer(r"^  (\S.*?)\s+([0-9.]+) s$", err, re.M)}
    return {"wall": wall, "stages": stages, "peak_one_mb": peak_one / 1e6,
            "peak_all_mb": peak_all / 1e6, "summary": [line for line in err.splitlines()
                                                        if "rows read" in line]}


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small logs")
    ap.add_argument("--only", choices=sorted(TARGETS), action="append")
    ap.add_argument("--jobs", type=int, default=0, help="workers of the pooled run "
                    "(default: every core)")
    ap.add_argument("--data", type=Path, help="folder keeping the generated logs between runs")
    ap.add_argument("--write", type=Path, help="write the results as Markdown here")
    a = ap.parse_args(argv)
    from mapper.bundle import available_cores

    size = "quick" if a.quick else "full"
    jobs = a.jobs or available_cores()
    kinds = a.only or sorted(TARGETS)
    lines = [f"# Bundle benchmark ({size})", "",
             f"{platform.node()} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} at "
             f"start · {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC", "",
             "| log | rows | --jobs | wall s | peak MB (largest / all processes) | same bytes "
             "| stages (s) |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        data = a.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            events = generate(kind, size, data)
            results, trees = {}, {}
            for j in dict.fromkeys([1, jobs]):
                out = Path(tmp) / f"site-{kind}-{j}"
                results[j] = run_bundle(events, out, j)
                trees[j] = tree(out)
            same = all(t == trees[1] for t in trees.values())
            for j, r in results.items():
                stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
                ratio = "" if j == 1 else f" (×{results[1]['wall'] / r['wall']:.2f})"
                lines.append(f"| {kind} | {'; '.join(r['summary'])} | {j} | {r['wall']:.1f}"
                             f"{ratio} | {r['peak_one_mb']:.0f} / {r['peak_all_mb']:.0f} | "
                             f"{'yes' if same else 'NO'} ({len(trees[j])} files) | {stages} |")
                print(lines[-1], flush=True)
            if not same:
                raise SystemExit(f"{kind}: the bundle's bytes depend on --jobs")
            if size == "full":
                best = min(r["wall"] for r in results.values())
                lines.append(f"|  | target ≤ {TARGETS[kind]:.0f} s | | "
                             f"{'met' if best <= TARGETS[kind] else 'NOT met'} | | | |")
    text = "\n".join(lines) + "\n"
    if a.write:
        a.write.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
