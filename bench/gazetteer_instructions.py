"""Deterministic cost of resolve(): CPU instructions per name, counted by valgrind.

Wall and CPU times on a shared host drift by 1.5x between states minutes apart; instruction
counts do not, so they are how two versions of the resolver are compared (A/B). Runs the bench's
10,000 mixed names (bench_gazetteer.make_names, same seed) against the WOF-imported store in a
child under ``valgrind --tool=cachegrind --cache-sim=no``, once with the resolve loop and once
without, and prints the difference per name, split into keys / find / rank:

    .venv/bin/python bench/gazetteer_instructions.py [--kind exact|variant|typo|arabic]
    .venv/bin/python bench/gazetteer_instructions.py --misses   # + cache misses of resolve()

``--misses`` also simulates the caches (a 2 MB last level, about what one core keeps when the
shared L3 is busy with other tenants) and prints data misses per name: the slow host state costs
us more than the C scan because each last-level miss then goes to memory.

Needs valgrind (apt install valgrind) and ../shared (or FRONTLINE_SHARED). Takes ~3 minutes
(~8 with --misses).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(mode: str, kind: str | None) -> None:
    """The measured program: load, warm up, then run one phase over the names."""
    sys.path.insert(0, str(HERE))
    import bench_gazetteer as bench

    import gazetteer
    from gazetteer.match import find
    from gazetteer.normalize import keys

    bench.ensure_store(Path(os.environ["FRONTLINE_HOME"]))
    gz = gazetteer.load()
    ix = gz.index
    _ = ix.groups
    names = [q for k, q, _ in bench.make_names(gz, 10_000) if kind is None or k == kind]
    for q in names[:300]:  # warm-up: derived tables, first-use imports
        gz.resolve(q)
    for i in range(len(ix.places)):  # as in the bench's best pass, Place objects are built
        ix.places[i]
    bench.clear_key_caches()
    if mode == "keys":
        for q in names:
            keys(q)
    elif mode == "find":
        for q in names:
            find(ix, keys(q))
    elif mode == "all":
        for q in names:
            gz.resolve(q, limit=5)
    print(len(names))


def count(mode: str, kind: str | None, env: dict, *, misses: bool = False
          ) -> tuple[dict[str, int], int]:
    """Valgrind's totals for one child run ({"I": …, "D1": …, "LLd": …}) and the name count."""
    sim = ["--cache-sim=yes", "--LL=2097152,16,64"] if misses else ["--cache-sim=no"]
    cmd = ["valgrind", "--tool=cachegrind", *sim, "--cachegrind-out-file=/dev/null",
           sys.executable, __file__, "--child", mode] + (["--kind", kind] if kind else [])
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    got = {}
    for event, pattern in (("I", r"I\s+refs:\s+([\d,]+)"), ("D1", r"D1\s+misses:\s+([\d,]+)"),
                           ("LLd", r"LLd\s+misses:\s+([\d,]+)")):
        m = re.search(pattern, out.stderr)
        if m is not None:
            got[event] = int(m.group(1).replace(",", ""))
    if "I" not in got:
        sys.exit(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return got, int(out.stdout.split()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=("exact", "variant", "typo", "arabic"),
                    help="only this quarter of the list")
    ap.add_argument("--misses", action="store_true",
                    help="also count data cache misses (2 MB last level simulated; slower)")
    ap.add_argument("--home", type=Path, help="user store with the WOF import (default: temp)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.kind)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    home = args.home or Path(tempfile.mkdtemp(prefix="frontline-instr-"))
    env = {**os.environ, "FRONTLINE_HOME": str(home)}
    try:
        count("none", args.kind, env)  # builds the store and caches outside the measurement
        base, n = count("none", args.kind, env)
        phases = {m: count(m, args.kind, env)[0]["I"] for m in ("keys", "find", "all")}
        cache = (count("all", args.kind, env, misses=True)[0],
                 count("none", args.kind, env, misses=True)[0]) if args.misses else None
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    k, f, a = (phases[m] - base["I"] for m in ("keys", "find", "all"))
    print(f"{args.kind or 'all'} names: {n}; instructions per name: keys {k / n:,.0f}, "
          f"find {(f - k) / n:,.0f}, rank and the rest of resolve() {(a - f) / n:,.0f}, "
          f"total {a / n:,.0f}")
    if cache is not None:
        run, idle = cache
        print(f"data cache misses per name of resolve(): L1 {(run['D1'] - idle['D1']) / n:,.0f}, "
              f"last level (2 MB simulated) {(run['LLd'] - idle['LLd']) / n:,.0f}")


if __name__ == "__main__":
    main()
