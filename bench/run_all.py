"""Run every benchmark in bench/ (quick sizes by default; pass --full for the issue sizes).

Each bench_<area>.py prints its own table and ratios against the baseline it measures in the same
run. Usage: .venv/bin/python bench/run_all.py [--full] [AREA ...]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    full = "--full" in argv
    areas = [a for a in argv if not a.startswith("-")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if areas:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in areas]
    failed = []
    for script in scripts:
        print(f"\n=== {script.name}{' --full' if full else ''}", flush=True)
        cmd = [sys.executable, str(script)] + (["--full"] if full else [])
        if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
