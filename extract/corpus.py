"""Extraction over a corpus: many files → per-file results, on one core, local processes or a
Dask cluster, with the same output whatever the executor.

>>> files = find_files(["archive/", "extra/*.md"])
>>> result = extract_corpus(files, jobs=4)                       # local processes
>>> result = extract_corpus(files, scheduler="tcp://10.0.0.5:8786")  # dask.distributed

The submitting side reads each file's bytes (workers need not share its disk); a worker decodes
and extracts them, loading the gazetteer and factions once per worker process. Results come back
in any order and are put back in input order (sorted by path), so the proposals — and the CSV
written from them — are byte-identical for every executor. A file that cannot be read, is not
UTF-8, or makes the extractor raise is reported in ``errors`` and counted; it never stops a run.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .dates import from_iso
from .extract import Extractor, Proposal, Report

# What a directory contributes: report text files (other files in it are skipped, and counted).
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".text")
# Tasks in flight per worker: enough to keep workers busy, bounded so a million-file archive is
# never read into memory at once.
IN_FLIGHT_PER_WORKER = 4


class CorpusError(ValueError):
    """A corpus argument that names nothing, or contradictory executor options."""


@dataclass(frozen=True, slots=True)
class Document:
    """One input: ``source`` is the name written into ``source_file``; ``path`` where it lives."""

    source: str
    path: str


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that gave no proposals because it could not be read or extracted."""

    source: str
    path: str
    reason: str  # unreadable, encoding, extractor
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}: {self.message}"


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one worker returns for one file."""

    source: str
    proposals: tuple[Proposal, ...] = ()
    report: Report | None = None
    error: FileError | None = None


@dataclass(frozen=True, slots=True)
class CorpusResult:
    """Proposals in input order, the merged report, and the files that failed (in input order)."""

    proposals: list[Proposal]
    report: Report
    files: int
    errors: tuple[FileError, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())  # non-text files found in directories

    @property
    def succeeded(self) -> int:
        return self.files - len(self.errors)


# ------------------------------------------------------------------ inputs
def find_files(
    patterns: Iterable[str], *, suffixes: tuple[str, ...] = TEXT_SUFFIXES
) -> tuple[list[Document], list[str]]:
    """Files named by ``patterns`` (files, directories searched recursively, globs), sorted by
    path, each once; and the non-text files skipped inside directories.

    A file named directly is read whatever its suffix (its source name is its file name); files
    found under a directory are named by their path relative to it. A pattern that names nothing
    raises CorpusError. ``-`` is standard input.
    """
    found: dict[str, Document] = {}
    skipped: set[str] = set()
    for pattern in patterns:
        if pattern == "-":
            found.setdefault("-", Document("-", "-"))
            continue
        p = Path(pattern)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file():
                    continue
                if f.suffix.lower() in suffixes:
                    found.setdefault(str(f), Document(f.relative_to(p).as_posix(), str(f)))
                else:
                    skipped.add(str(f))
            continue
        if p.is_file():
            found.setdefault(str(p), Document(p.name, str(p)))
            continue
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else []
        if not matches:
            raise FileNotFoundError(2, "No such file or directory (or nothing matches)", pattern)
        for m in matches:
            if Path(m).is_file():
                found.setdefault(m, Document(Path(m).name, m))
    docs = sorted(found.values(), key=lambda d: (d.path != "-", d.path))
    return docs, sorted(skipped - set(found))


def read_bytes(doc: Document) -> bytes | FileError:
    """The file's bytes, or a FileError saying why it could not be read."""
    try:
        if doc.path == "-":
            import sys

            return sys.stdin.buffer.read()
        return Path(doc.path).read_bytes()
    except OSError as exc:
        return FileError(doc.source, doc.path, "unreadable",
                         f"{exc.strerror or exc}. Check that it exists and is readable.")


# ------------------------------------------------------------------ the work of one file
@functools.cache
def _extractor_parts(factions: str | None):
    import os

    import gazetteer
    from layers.factions import load_factions

    sides = load_factions(factions)
    # the war's own gazetteer region ([meta] region of the factions file) unless the user set one
    region = os.environ.get("FRONTLINE_GAZETTEER_REGION") or sides.region or None
    return gazetteer.load(region=region), sides


def extract_bytes(
    source: str, path: str, data: bytes, *, factions: str | None = None,
    default_date: str | None = None,
) -> FileResult:
    """Decode (UTF-8, BOM allowed) and extract one file; never raises for what the file holds.

    Runs on workers: takes only picklable values and loads the gazetteer and ``factions`` (a
    path or a bundled name) once per process.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileResult(source, error=FileError(
            source, path, "encoding",
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}). Re-save the file "
            "as UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8)."))
    gz, fac = _extractor_parts(factions)
    default = from_iso(default_date) if default_date else None
    try:
        props, report = Extractor(gazetteer=gz, factions=fac).extract(
            text, source=source, default_date=default)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the corpus
        return FileResult(source, error=FileError(
            source, path, "extractor",
            f"{type(exc).__name__}: {exc}. The file was skipped; please report it."))
    return FileResult(source, tuple(props), report)


def _run_one(doc: Document, data: bytes | FileError, options: dict) -> FileResult:
    if isinstance(data, FileError):
        return FileResult(doc.source, error=data)
    return extract_bytes(doc.source, doc.path, data, **options)


# ------------------------------------------------------------------ executors
def extract_corpus(
    documents: list[Document],
    *,
    factions: str | None = None,
    default_date: str | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[int, int, str], None] | None = None,
    skipped: Iterable[str] = (),
) -> CorpusResult:
    """Extract every document (see the module docstring).

    ``jobs`` local processes (1: this process), or the Dask cluster at ``scheduler``
    (``tcp://host:port``) or an existing ``distributed.Client`` as ``client``. ``progress(done,
    total, source)`` is called as each file finishes.
    """
    if jobs < 1:
        raise CorpusError(f"--jobs {jobs}: give 1 or more worker processes")
    if scheduler and client is not None:
        raise CorpusError("give a scheduler address or a client, not both")
    if default_date:
        from_iso(default_date)  # a bad date fails here, once, not in every worker
    options = {"factions": factions, "default_date": default_date}
    total = len(documents)
    results: dict[int, FileResult] = {}

    def done(i: int, res: FileResult) -> None:
        if res.error is not None and not res.error.source:  # from _result: name the file
            doc = documents[i]
            res = FileResult(doc.source, error=FileError(doc.source, doc.path, res.error.reason,
                                                         res.error.message))
        results[i] = res
        if progress:
            progress(len(results), total, res.source)

    if client is not None or scheduler:
        _run_dask(documents, options, done, client=client, scheduler=scheduler)
    elif jobs == 1 or total <= 1:
        for i, doc in enumerate(documents):
            done(i, _run_one(doc, read_bytes(doc), options))
    else:
        _run_processes(documents, options, done, jobs=jobs)
    return _collect([results[i] for i in range(total)], skipped=tuple(skipped))


def _submissions(documents: list[Document]) -> Iterator[tuple[int, Document, bytes | FileError]]:
    for i, doc in enumerate(documents):
        yield i, doc, read_bytes(doc)


def _run_processes(documents, options, done, *, jobs: int) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    window = jobs * IN_FLIGHT_PER_WORKER
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: dict = {}
        for i, doc, data in _submissions(documents):
            if isinstance(data, FileError):
                done(i, FileResult(doc.source, error=data))
                continue
            pending[pool.submit(extract_bytes, doc.source, doc.path, data, **options)] = i
            while len(pending) >= window:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    done(pending.pop(f), _result(f))
        for f in list(pending):
            done(pending.pop(f), _result(f))


def _run_dask(documents, options, done, *, client=None, scheduler: str | None = None) -> None:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise CorpusError("--scheduler needs dask.distributed: pip install 'dask[distributed]'"
                          ) from exc
    own = client is None
    if own:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise CorpusError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc}). "
                              "Check the address (tcp://HOST:PORT) and that it is running."
                              ) from exc
    try:
        workers = max(1, sum(client.nthreads().values()))
        window = workers * IN_FLIGHT_PER_WORKER
        pending: dict = {}
        for i, doc, data in _submissions(documents):
            if isinstance(data, FileError):
                done(i, FileResult(doc.source, error=data))
                continue
            fut = client.submit(extract_bytes, doc.source, doc.path, data, pure=False, **options)
            pending[fut] = i
            while len(pending) >= window:
                finished = distributed.wait(list(pending), return_when="FIRST_COMPLETED").done
                for f in finished:
                    done(pending.pop(f), _result(f))
        if pending:
            distributed.wait(list(pending))
            for f in list(pending):
                done(pending.pop(f), _result(f))
    finally:
        if own:
            client.close()


def _result(future) -> FileResult:
    """A finished task's result; a worker that died on the file is that file's error."""
    try:
        return future.result()
    except Exception as exc:  # a killed worker, a broken pool: the file failed, the run goes on
        return FileResult("", error=FileError("", "", "worker", f"{type(exc).__name__}: {exc}"))


def _collect(results: list[FileResult], *, skipped: tuple[str, ...]) -> CorpusResult:
    proposals: list[Proposal] = []
    report = Report()
    errors = []
    for res in results:
        if res.error is not None:
            errors.append(res.error)
            continue
        proposals.extend(res.proposals)
        if res.report is not None:
            report.merge(res.report)
    return CorpusResult(proposals=proposals, report=report, files=len(results),
                        errors=tuple(errors), skipped=skipped)


def default_jobs() -> int:
    """The cores this process may use (for ``--jobs 0``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
