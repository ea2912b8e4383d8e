import os
import stat

import pytest

from gazetteer._io import atomic_replace_dir, atomic_write_bytes, atomic_write_text


def test_atomic_write_creates_readable_file(tmp_path):
    out = atomic_write_text(tmp_path / "sub" / "a.txt", "hé")
    assert out.read_text(encoding="utf-8") == "hé"
    mode = stat.S_IMODE(os.stat(out).st_mode)
    assert mode & 0o044, f"published file should be group/world readable, got {oct(mode)}"
    assert [p.name for p in out.parent.iterdir()] == ["a.txt"]  # no temp file left


def test_atomic_write_failure_keeps_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")


    with pytest.raises(TypeError):
        atomic_write_bytes(target, object())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_replace_dir_swaps_and_keeps_nothing_else(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging = tmp_path / ".site.new"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    atomic_replace_dir(staging, target)
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
