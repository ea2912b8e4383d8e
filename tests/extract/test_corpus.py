"""extract.corpus: files → proposals on one core, local processes and a dask.distributed cluster,
byte-identical whatever the executor; per-file errors counted, never fatal (bundled gazetteer)."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from extract import to_csv
from extract.corpus import CorpusError, Document, extract_corpus, find_files
from extract.extract import Extractor
from mapper.cli import app

runner = CliRunner()

# Sentences in the shape of wire reports, about different towns, controllers and dates; each
# file gets a different mix so per-file order and file order both matter.
SENTENCES = [
    "On {d} March 2013 rebels captured the town of Saraqib after days of fighting.",
    "Government forces regained control of Qusair on {d} June 2013, state television said.",
    "Islamic State fighters seized Palmyra on {d} May 2015, activists said.",
    "The Syrian army took back Aleppo's eastern districts on {d} December 2016.",
    "Kurdish-led forces captured Manbij on {d} August 2016.",
    "Warplanes struck Idlib on {d} April 2017; no change of control was reported.",
]


def _corpus(root, n: int = 9):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sub = root / ("a" if i % 2 else "b")
        sub.mkdir(exist_ok=True)
        lines = [SENTENCES[(i + k) % len(SENTENCES)].format(d=(i + k) % 27 + 1) for k in range(3)]
        (sub / f"r{i:02d}.txt").write_text(" ".join(lines) + "\n", encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not text")
    return root


def test_find_files_sorts_dedupes_and_skips(tmp_path):
    root = _corpus(tmp_path / "c")
    docs, skipped = find_files([str(root), str(root / "a" / "r01.txt"), str(root / "b" / "*.txt")])
    paths = [d.path for d in docs]
    assert paths == sorted(paths) and len(paths) == len(set(paths)) == 9
    assert docs[0].source == "a/r01.txt"  # found under the directory: relative name kept
    assert skipped == [str(root / "notes.pdf")]
    with pytest.raises(FileNotFoundError, match="nothing"):
        find_files([str(tmp_path / "absent-*.txt")])


def test_processes_give_the_same_bytes_and_errors_are_counted(tmp_path, monkeypatch):
    root = _corpus(tmp_path / "c")
    (root / "b" / "latin1.txt").write_bytes("Rebels captured Saraqib \xe9.".encode("latin-1"))
    (root / "b" / "boom.txt").write_text("BOOM Rebels captured Saraqib.", encoding="utf-8")
    real = Extractor.extract

    def flaky(self, text, **kw):
        if text.startswith("BOOM"):
            raise IndexError("list index out of range")
        return real(self, text, **kw)

    monkeypatch.setattr(Extractor, "extract", flaky)  # fork start: workers inherit it
    docs, skipped = find_files([str(root)])
    docs.append(Document("gone.txt", str(root / "gone.txt")))  # deleted after listing
    one = extract_corpus(docs, skipped=skipped)
    seen = []
    two = extract_corpus(docs, jobs=2, progress=lambda done, total, src: seen.append(done))
    assert to_csv(one.proposals) == to_csv(two.proposals)
    assert len(one.proposals) >= 9
    assert seen == list(range(1, len(docs) + 1))
    for res in (one, two):
        assert res.files == 12 and res.succeeded == 9
        assert [(e.source, e.reason) for e in res.errors] == [
            ("b/boom.txt", "extractor"), ("b/latin1.txt", "encoding"), ("gone.txt", "unreadable")]
        assert res.report.documents == 9
    assert "0xe9" in one.errors[1].message and "UTF-8" in one.errors[1].message
    sources = [p.source_file for p in one.proposals]
    assert sources == sorted(sources, key=[d.source for d in docs].index)
    with pytest.raises(CorpusError):
        extract_corpus(docs, jobs=0)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    # process workers: the same pickling and per-process gazetteer load as a real cluster
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as lc:
        yield lc


def test_local_cluster_matches_single_process(tmp_path, cluster, shared_dir):
    import distributed

    root = _corpus(tmp_path / "c")
    articles = tmp_path / "articles"
    shutil.copytree(shared_dir / "eval" / "articles", articles)
    (articles / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    docs, _ = find_files([str(root), str(articles)])
    one = extract_corpus(docs)
    with distributed.Client(cluster) as client:
        on_cluster = extract_corpus(docs, client=client)
        assert len(client.nthreads()) == 2
    assert to_csv(one.proposals).encode() == to_csv(on_cluster.proposals).encode()
    assert len(one.proposals) > 30
    assert [e.source for e in on_cluster.errors] == ["bad.txt"]
    assert on_cluster.report.to_dict() == one.report.to_dict()


def test_cli_jobs_and_scheduler_write_identical_files(tmp_path, cluster):
    root = _corpus(tmp_path / "c")
    (root / "a" / "bad.txt").write_bytes(b"\xff not utf-8")
    outs = {}
    for name, extra in {"one": [], "jobs": ["--jobs", "2"],
                        "dask": ["--scheduler", cluster.scheduler_address]}.items():
        outs[name] = tmp_path / f"{name}.csv"
        res = runner.invoke(app, ["extract", str(root), "-o", str(outs[name]), *extra])
        assert res.exit_code == 0, res.output
        assert "10 files = 9 extracted + 1 failed" in res.stderr
        assert "1 non-text files in directories skipped" in res.stderr
        assert "failed:" in res.stderr and "bad.txt: encoding" in res.stderr
    assert outs["one"].read_bytes() == outs["jobs"].read_bytes() == outs["dask"].read_bytes()


def test_cli_bad_scheduler_is_a_clean_error(tmp_path):
    src = tmp_path / "r.txt"
    src.write_text(SENTENCES[0].format(d=3), encoding="utf-8")
    res = runner.invoke(app, ["extract", str(src), "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 1 and "tcp://127.0.0.1:9" in res.stderr
    assert "Traceback" not in res.output


def test_a_worker_that_dies_is_reported_not_fatal(tmp_path, monkeypatch):
    import os

    root = _corpus(tmp_path / "c", n=4)
    (root / "a" / "die.txt").write_text("DIE Rebels captured Saraqib.", encoding="utf-8")
    real = Extractor.extract

    def dies(self, text, **kw):
        if text.startswith("DIE"):
            os._exit(3)  # the worker process is killed mid-file
        return real(self, text, **kw)

    monkeypatch.setattr(Extractor, "extract", dies)
    docs, _ = find_files([str(root)])
    res = extract_corpus(docs, jobs=2)
    assert res.files == 5
    failed = {e.source: e.reason for e in res.errors}
    assert failed.get("a/die.txt") == "worker" and set(failed.values()) == {"worker"}
