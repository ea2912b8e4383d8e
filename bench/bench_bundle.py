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
0.05 s over the command's whole process group: the largest single process, and the sum of the
resident sizes of all processes at the same instant (parent, workers, forkserver, resource
tracker: the issue's "all processes" figure, < 1 GB), with what each process held at that
instant. The two bundles' files are compared by sha256: the bytes must not depend on
``--jobs``. ``--baseline DIR`` measures another source tree (e.g. main, extracted with ``git
archive main | tar -x -C DIR``) in the same run, its runs alternating with this tree's, and
says whether this tree's files are the same bytes as the baseline's.

    .venv/bin/python bench/bench_bundle.py --quick          # small logs (a test-sized run)
    .venv/bin/python bench/bench_bundle.py                  # full sizes
    .venv/bin/python bench/bench_bundle.py --only fronts --jobs 2 --write bench/RESULTS-bundle.md
    .venv/bin/python bench/bench_bundle.py --baseline /tmp/main-tree   # before/after, same run
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
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
PEAK_MB = 1000  # issue 18: every process of the bundle together, at any instant


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


def _group_rss(pgid: int) -> dict[int, tuple[int, str]]:
    """Resident bytes and a short name of every process in process group ``pgid``."""
    page = os.sysconf("SC_PAGE_SIZE")
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            found[int(entry.name)] = (int(fields[21]) * page, _role(entry.path, pgid,
                                                                    int(fields[1])))
    return found


def _role(proc: str, pgid: int, ppid: int) -> str:
    """parent, forkserver, resource tracker or worker (a forkserver's children are workers)."""
    if int(Path(proc).name) == pgid:
        return "parent"
    if ppid != pgid:
        return "worker"
    try:
        cmd = Path(proc, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    for key, role in (("forkserver", "forkserver"), ("resource_tracker", "tracker")):
        if key in cmd:
            return role
    return "worker"


def _composition(sample: dict[int, tuple[int, str]]) -> str:
    """'parent 610 + 2 worker 101, 99 + forkserver 12 + tracker 11' (MB) of one sample."""
    roles: dict[str, list[int]] = {}
    for rss, role in sample.values():
        roles.setdefault(role, []).append(round(rss / 1e6))
    order = ["parent", "worker", "forkserver", "tracker", "?"]
    parts = []
    for role in (r for r in order if r in roles):
        sizes = ", ".join(map(str, sorted(roles[role], reverse=True)))
        parts.append(f"{role} {sizes}" if len(roles[role]) == 1
                     else f"{len(roles[role])} {role}s {sizes}")
    return " + ".join(parts)


def run_bundle(events: Path, out: Path, jobs: int, *, tree_dir: Path | None = None) -> dict:
    """One `frontline bundle --verbose` in a fresh process group: wall, stages, peak memory.
    ``tree_dir``: run the source tree there instead (a baseline, e.g. main extracted with
    ``git archive``), as ``python -m mapper`` with that tree first on PYTHONPATH."""
    env = dict(os.environ)
    if tree_dir is None:
        cmd = frontline()
    else:
        cmd = [sys.executable, "-m", "mapper"]
        env["PYTHONPATH"] = os.pathsep.join([str(tree_dir), env.get("PYTHONPATH", "")])
    cmd = [*cmd, "bundle", str(events), "-o", str(out), "--jobs", str(jobs), "--verbose"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=tree_dir or ROOT, env=env)
    peak_one = peak_all = 0
    at_peak = ""
    while proc.poll() is None:
        sample = _group_rss(proc.pid)
        sizes = [rss for rss, _ in sample.values()]
        if sizes:
            peak_one = max(peak_one, max(sizes))
            if sum(sizes) > peak_all:
                peak_all, at_peak = sum(sizes), _composition(sample)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    err = proc.stderr.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    stages = {m.group(1).strip(): float(m.group(2))
              for m in re.finditer(r"^  (\S.*?)\s+([0-9.]+) s$", err, re.M)}
    return {"wall": wall, "stages": stages, "peak_one_mb": peak_one / 1e6,
            "peak_all_mb": peak_all / 1e6, "at_peak": at_peak,
            "summary": [line for line in err.splitlines() if "rows read" in line]}


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
    ap.add_argument("--baseline", type=Path, help="a source tree to measure in the same run "
                    "(e.g. main: git archive main | tar -x -C DIR); its runs alternate with "
                    "this tree's")
    ap.add_argument("--write", type=Path, help="write the results as Markdown here")
    a = ap.parse_args(argv)
    from mapper.bundle import available_cores

    size = "quick" if a.quick else "full"
    jobs = a.jobs or available_cores()
    kinds = a.only or sorted(TARGETS)
    trees_to_run = {"this tree": None}
    if a.baseline is not None:
        trees_to_run = {"baseline": a.baseline.resolve(), "this tree": None}
    lines = [f"# Bundle benchmark ({size})", "",
             f"{platform.node()} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} at "
             f"start · {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC", "",
             "| log | tree | rows | --jobs | wall s | peak MB (largest / all processes) | "
             "all processes at the peak (MB) | same bytes | stages (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        data = a.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            events = generate(kind, size, data)
            results, trees = {}, {}
            for j in dict.fromkeys([1, jobs]):
                for name, tree_dir in trees_to_run.items():  # alternating: same conditions
                    out = Path(tmp) / f"site-{kind}-{j}-{name.replace(' ', '-')}"
                    results[name, j] = run_bundle(events, out, j, tree_dir=tree_dir)
                    trees[name, j] = tree(out)
                    shutil.rmtree(out)
            for name in trees_to_run:
                same = all(trees[name, j] == trees[name, 1] for j in (1, jobs))
                for j in dict.fromkeys([1, jobs]):
                    r = results[name, j]
                    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
                    ratio = ("" if j == 1 else
                             f" (×{results[name, 1]['wall'] / r['wall']:.2f})")
                    bytes_note = f"{'yes' if same else 'NO'} ({len(trees[name, j])} files)"
                    if name != "baseline" and ("baseline", j) in trees:
                        bytes_note += (", = baseline" if trees["baseline", j] == trees[name, j]
                                       else ", differ from baseline")
                    lines.append(f"| {kind} | {name} | {'; '.join(r['summary'])} | {j} | "
                                 f"{r['wall']:.1f}{ratio} | {r['peak_one_mb']:.0f} / "
                                 f"{r['peak_all_mb']:.0f} | {r['at_peak']} | {bytes_note} | "
                                 f"{stages} |")
                    print(lines[-1], flush=True)
                if not same:
                    raise SystemExit(f"{kind} ({name}): the bundle's bytes depend on --jobs")
            if size == "full":
                mine = [r for (name, _), r in results.items() if name == "this tree"]
                best = min(r["wall"] for r in mine)
                memory = max(r["peak_all_mb"] for r in mine)
                lines.append(f"|  | | target ≤ {TARGETS[kind]:.0f} s, < {PEAK_MB} MB all "
                             f"processes | | {'met' if best <= TARGETS[kind] else 'NOT met'} | "
                             f"{'met' if memory < PEAK_MB else 'NOT met'} | | | |")
    text = "\n".join(lines) + "\n"
    if a.write:
        a.write.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
