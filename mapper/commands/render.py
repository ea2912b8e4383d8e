"""`frontline render`, `frontline bundle` and `frontline demo`: maps people can open."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gazetteer._io import atomic_write_text

from ._common import EVENTS_FORMATS, fail, handles_errors, info, print_json_line
from .timeline import SourcesOpt, WindowOpt

app = typer.Typer()


class Lang(StrEnum):
    en = "en"
    ar = "ar"


Events = Annotated[Path, typer.Argument(help=f"Events file ({EVENTS_FORMATS}).",
                                        exists=True, dir_okay=False)]
At = Annotated[str | None, typer.Option("--at", help="Date shown first, YYYY-MM-DD "
                                        "(default: the last date).")]
From = Annotated[str | None, typer.Option("--from", help="First slider date, YYYY-MM-DD.")]
To = Annotated[str | None, typer.Option("--to", help="Last slider date, YYYY-MM-DD.")]
Every = Annotated[str | None, typer.Option("--every", help="Regular slider steps instead of the "
                                           "change dates: 7D, 2W, 1M, 1Y…")]
FactionsOpt = Annotated[str | None, typer.Option("--factions", help="Factions: a bundled name "
                        "(syria, ukraine, sudan) or a TOML/YAML file (default: syria).")]
Theatre = Annotated[Path | None, typer.Option("--theatre", help="Polygon file the territory "
                    "cells are clipped to (country outline…).", exists=True, dir_okay=False)]
Outlines = Annotated[Path | None, typer.Option("--outlines", help="Polygon/line file drawn as "
                     "outlines (e.g. Natural Earth countries); default: the theatre outline.",
                     exists=True, dir_okay=False)]
Title = Annotated[str, typer.Option("--title", help="Map title.")]
LangOpt = Annotated[Lang, typer.Option("--lang", case_sensitive=False,
                                       help="Interface and place-name language (ar: Arabic "
                                       "names where the gazetteer has them, right-to-left).")]
Offline = Annotated[bool, typer.Option("--offline", help="Make no network request at all: no "
                                       "tile layer, outlines only (Leaflet is inlined by "
                                       "default anyway).")]
Cdn = Annotated[bool, typer.Option("--cdn", help="Load Leaflet from the CDN instead of "
                                   "inlining it: a smaller page that needs the network.")]
LeafletDir = Annotated[Path | None, typer.Option("--leaflet-dir", help="Folder with leaflet.js "
                       "and leaflet.css to inline (default: the xstatic-leaflet package).",
                       file_okay=False)]
Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")]
LocalitiesOpt = Annotated[bool, typer.Option("--localities", help="Also draw every gazetteer "
                          "place of the theatre that is not observed (import a village "
                          "gazetteer first: `frontline gazetteer import`), hollow, in the state "
                          "of the territory cell it lies in.")]


def _report(observations) -> dict:
    """Every input row ends in the map or in this report."""
    for problem in observations.problems:
        info(str(problem))
    summary = observations.summary()
    info(f"{summary['rows_read']} rows read: {summary['usable']} mapped, "
         f"{summary['dropped']} dropped ({summary['errors']} errors, "
         f"{summary['warnings']} warnings), {summary['places']} places")
    return summary


def _prepare(events, *, factions, theatre, outlines, lang, window=None, sources=None,
             localities=False, stages=None, **render):
    """What render and bundle share: read and lay out the events, report every row, and the
    render options (``render``: title, at, start, end, every, offline, cdn, leaflet_dir)."""
    from layers.reconcile import load_sources, parse_window

    from ..pipeline import prepare

    options = _options(lang=lang, **render)  # bad options fail before any reading
    window_days, weights = parse_window(window), load_sources(sources)
    prepared = prepare(events, factions=factions, theatre=theatre, outlines=outlines,
                       lang=lang.value, window_days=window_days, sources=weights,
                       localities=localities, stages=stages)
    _report_theatre(prepared)
    if localities:
        _report_localities(prepared)
    return prepared, _report(prepared.observations), options


def _report_localities(prepared) -> None:
    """How many localities the map draws, from which gazetteer layers, and why others not."""
    found = prepared.model.localities
    if found is None:
        info("localities: none drawn: the map needs at least 2 places for territory cells")
        return
    info(found.summary())
    import gazetteer

    if not any(source.kind == "import" for source in gazetteer.load().sources):
        info("localities: no village-level gazetteer is imported, so only the embedded and "
             "curated places are drawn; `frontline gazetteer import FILE` (e.g. Who's On "
             "First SY places) adds every village")


def _locality_counts(prepared, wanted: bool) -> dict:
    """The --json keys of --localities: the accounting and the sources of those drawn."""
    found = prepared.model.localities
    if not wanted:
        return {}
    if found is None:
        return {"localities": 0}
    return {"localities": found.counts["drawn"], "locality_counts": found.counts,
            "locality_sources": dict(found.by_source)}


def _report_theatre(prepared) -> None:
    """Name the theatre the cells are clipped to, its repair warnings and places outside it."""
    found = prepared.theatre
    if found is not None:
        info(f"theatre: {found.source}")
        for warning in found.warnings:
            info(f"warning: {warning}")
    outside = [] if prepared.topology is None else list(prepared.topology.places_outside)
    if outside:
        info(f"warning: {len(outside)} place(s) lie outside the theatre and hold no land "
             f"({', '.join(outside[:5])}{' …' if len(outside) > 5 else ''})")


def _options(*, title, lang, at, start, end, every, offline, cdn, leaflet_dir):
    from ..render import RenderOptions, asset_mode, check_dates

    options = RenderOptions(title=title, lang=lang.value, at=at, start=start, end=end,
                            every=every, offline=offline, cdn=cdn, leaflet_dir=leaflet_dir)
    asset_mode(options)  # --cdn with --offline: a clear error
    check_dates(at=at, start=start, end=end)  # a mistyped date too, not after a big read
    return options


@app.command("render")
@handles_errors
def render(
    events: Events,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.",
                                         dir_okay=False)] = Path("map.html"),
    at: At = None, start: From = None, end: To = None, every: Every = None,
    factions: FactionsOpt = None, theatre: Theatre = None, outlines: Outlines = None,
    title: Title = "Frontline", lang: LangOpt = Lang.en, offline: Offline = False,
    cdn: Cdn = False, leaflet_dir: LeafletDir = None, json: Json = False,
    window: WindowOpt = None, sources: SourcesOpt = None,
    localities: LocalitiesOpt = False,
) -> None:
    """Write one self-contained interactive map (HTML) with a date slider over the changes."""
    from ..render import render_html

    started = time.perf_counter()
    prepared, summary, options = _prepare(
        events, factions=factions, theatre=theatre, outlines=outlines, title=title, lang=lang,
        at=at, start=start, end=end, every=every, offline=offline, cdn=cdn,
        leaflet_dir=leaflet_dir, window=window, sources=sources, localities=localities)
    html = render_html(prepared.model, options)
    atomic_write_text(output, html)
    info(f"wrote {output} ({len(html.encode()) / 1e6:.2f} MB) in "
         f"{time.perf_counter() - started:.1f} s")
    if json:
        print_json_line({**summary, "output": str(output), "bytes": len(html.encode()),
                         **_locality_counts(prepared, localities)})


@app.command("bundle")
@handles_errors
def bundle(
    events: Events,
    output: Annotated[Path, typer.Option("-o", "--output", help="Bundle directory (replaced "
                                         "atomically).", file_okay=False)] = Path("site"),
    at: At = None, start: From = None, end: To = None, every: Every = None,
    factions: FactionsOpt = None, theatre: Theatre = None, outlines: Outlines = None,
    title: Title = "Frontline", lang: LangOpt = Lang.en, offline: Offline = False,
    cdn: Cdn = False, leaflet_dir: LeafletDir = None,
    images: Annotated[int, typer.Option("--images", help="How many dates get a PNG map "
                                        "(evenly spread, always the last).", min=0)] = 6,
    gif: Annotated[bool, typer.Option("--gif/--no-gif", help="Animated GIF of the period.")] = True,
    json: Json = False, localities: LocalitiesOpt = False,
    window: WindowOpt = None, sources: SourcesOpt = None,
    jobs: Annotated[int | None, typer.Option("--jobs", help="Processes drawing the frames (this "
                    "one and N-1 small workers); 1 = all in this process. Default: every core "
                    "up to 3 (memory), or in process for a small bundle. The files are the "
                    "same bytes whatever the number.", min=1)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Print each stage's wall time "
                       "(read, timeline, cells, territory, fronts, stats, frames…).")] = False,
) -> None:
    """Write a static site: map, changelog, data files, images and a manifest."""
    from ..bundle import BundleOptions, write_bundle

    started = time.perf_counter()
    stages = _stages(verbose)
    prepared, summary, options = _prepare(
        events, factions=factions, theatre=theatre, outlines=outlines, title=title, lang=lang,
        at=at, start=start, end=end, every=every, offline=offline, cdn=cdn,
        leaflet_dir=leaflet_dir, window=window, sources=sources, localities=localities,
        stages=stages)
    manifest = write_bundle(prepared, output, BundleOptions(render=options, images=images,
                                                            gif=gif, jobs=jobs), stages=stages)
    info(f"wrote {output}/ ({len(manifest['files'])} files) in "
         f"{time.perf_counter() - started:.1f} s")
    if verbose:
        info(f"stages: {stages.total():.1f} s timed of {time.perf_counter() - started:.1f} s "
             f"(workers: {_workers(prepared, options, images, gif, jobs)})")
    if json:
        print_json_line({**summary, "output": str(output), "files": len(manifest["files"]),
                         **_locality_counts(prepared, localities)})


def _stages(verbose: bool):
    """Stage timing for --verbose (a line per stage on stderr) and progress bars on long stages
    when stderr is a terminal."""
    from rich.console import Console

    from ..stages import Stages, rich_bar

    console = Console(stderr=True)
    return Stages(on_end=(lambda name, seconds: info(f"  {name:<13} {seconds:7.2f} s"))
                  if verbose else None, bar=rich_bar(console))


def _workers(prepared, options, images, gif, jobs) -> int:
    """The number of worker processes the bundle used (for --verbose)."""
    from ..bundle import BundleOptions, pool_jobs
    from ..render import slider_days

    days, _ = slider_days(prepared.model, start=options.start, end=options.end,
                          every=options.every, at=options.at)
    return pool_jobs(prepared, days, BundleOptions(render=options, images=images, gif=gif,
                                                   jobs=jobs))


@app.command("demo")
@handles_errors
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="Site directory.",
                                         file_okay=False)] = Path("site"),
    examples: Annotated[Path, typer.Option("--examples", help="Folder with the example events "
                                           "files.", file_okay=False)] = Path("examples"),
    offline: Offline = False, cdn: Cdn = False, leaflet_dir: LeafletDir = None,
    outlines: Outlines = None,
) -> None:
    """Build the example site: the Syria dataset into DIR/ and the seed articles into DIR/seeds/."""
    from ..bundle import BundleOptions, write_demo
    from ..render import RenderOptions, asset_mode

    syria = examples / "syria" / "observations.csv"
    seeds = examples / "seeds.csv"
    if not seeds.is_file() and not syria.is_file():
        fail(f"no example events in {examples}/ (looked for {syria} and {seeds}). Run from the "
             "repository root or pass --examples DIR.")
    main = syria if syria.is_file() else seeds
    jobs = [(main, "Syrian civil war: control of places" if main == syria else
             "Seed articles: control of places")]
    if seeds.is_file():
        jobs.append((seeds, "Seed articles: control of places"))
    started = time.perf_counter()
    options = RenderOptions(offline=offline, cdn=cdn, leaflet_dir=leaflet_dir)
    asset_mode(options)
    def report(prepared) -> None:  # each events file's accounting, then its theatre
        _report(prepared.observations)
        _report_theatre(prepared)

    manifest = write_demo(jobs, output, options=BundleOptions(render=options), report=report,
                          outlines=outlines)
    info(f"wrote {output}/ ({len(manifest['files'])} files) in "
         f"{time.perf_counter() - started:.1f} s — open {output}/index.html")
