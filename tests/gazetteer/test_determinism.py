"""Same query, same answer, in every process: ties must not follow Python's per-process string
hash order (PYTHONHASHSEED), which decides how sets iterate."""

from __future__ import annotations

import csv
import gzip
import os
import random
import subprocess
import sys

import pytest

SEEDS = ("1", "2", "3")


@pytest.fixture(scope="module")
def wof_home(shared_data, tmp_path_factory):
    home = tmp_path_factory.mktemp("wof_home")
    env = {**os.environ, "FRONTLINE_HOME": str(home)}
    for name in ("wof_sy_places.csv.gz", "wof_lb_places.csv.gz"):
        subprocess.run([sys.executable, "-m", "mapper", "gazetteer", "import",
                        str(shared_data / "wof_gazetteer_sy_lb" / name), "--format", "wof"],
                       env=env, check=True, capture_output=True)
    return home


@pytest.fixture(scope="module")
def typo_names(shared_data, tmp_path_factory) -> str:
    """400 village names from the WOF file, one inner letter dropped (seeded)."""
    rng = random.Random(3)
    with gzip.open(shared_data / "wof_gazetteer_sy_lb" / "wof_sy_places.csv.gz", "rt",
                   encoding="utf-8") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    out = []
    for name in rng.sample(names, 400):
        if len(name) > 4:
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1:]
        out.append(name)
    path = tmp_path_factory.mktemp("typos") / "typos.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return str(path)


def test_resolve_json_is_identical_under_every_hash_seed(wof_home, typo_names):
    outputs = set()
    for seed in SEEDS:
        env = {**os.environ, "FRONTLINE_HOME": str(wof_home), "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "mapper", "gazetteer", "resolve",
                               "--file", typo_names, "--json"],
                              env=env, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr  # 1: some typo is not found
        assert "Traceback" not in done.stderr
        assert done.stdout.count("\n") == 400
        outputs.add(done.stdout)
    assert len(outputs) == 1, "resolve output depends on the process's hash seed"
