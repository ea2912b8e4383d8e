"""From an events file to everything a map or bundle shows: observations, timeline, cells, model.

The one place where render, bundle and demo load their inputs, so the three agree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from layers.factions import load_factions
from layers.observations import read_observations
from layers.timeline import build_timeline

from .model import MapModel, model_from_layers


@dataclass(frozen=True)
class Prepared:
    """The layers of one events file and the map model built from them."""

    observations: object   # layers.observations.ObservationSet
    timeline: object       # layers.timeline.Timeline
    topology: object | None  # layers.cells.CellTopology (None with fewer than 2 places)
    factions: object       # layers.factions.Factions
    model: MapModel
    inputs: dict[str, Path]
    theatre: object | None = None  # layers.theatre.Theatre (source, repair warnings) or None


def place_names(place_ids, gazetteer) -> dict[str, tuple[str, ...]]:
    """Every gazetteer name of each place (Arabic script included); places the gazetteer does
    not know (points given by lat/lon) keep only the names the events file used."""
    if gazetteer is None:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for pid in place_ids:
        try:
            place = gazetteer.get(pid)
        except LookupError:
            continue
        found[pid] = tuple(place.names)
    return found


OUTLINE_MARGIN_DEG = 2.0  # outlines are kept this far around the places, so the map has context


def read_outlines(path: str | Path, *, clip_to: tuple[float, float, float, float] | None = None):
    """Every polygon boundary of a file (Natural Earth countries, admin areas) as lines in
    EPSG:4326: internal borders are kept, unlike a dissolved theatre. ``clip_to`` (minx, miny,
    maxx, maxy) keeps a world file from embedding every country on the page. GeoJSON,
    GeoPackage, Shapefile and TopoJSON (e.g. the npm ``world-atlas`` package) are read."""
    import geopandas as gpd
    import numpy as np
    import shapely

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    try:
        frame = gpd.read_file(f"/vsigzip/{path}" if path.suffix == ".gz" else path)
    except Exception as exc:  # pyogrio raises its own error family
        raise ValueError(f"{path}: cannot read the outlines file ({exc}); give a GeoJSON, "
                         "GeoPackage or Shapefile of polygons or lines") from exc
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geoms = shapely.make_valid(np.asarray(frame.geometry.values))
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    lines = np.where(polygonal, shapely.boundary(geoms), geoms)
    if clip_to is not None:
        lines = shapely.clip_by_rect(lines, *clip_to)
    parts = shapely.get_parts(lines)
    parts = parts[np.isin(shapely.get_type_id(parts), [1, 2]) & ~shapely.is_empty(parts)]
    if not len(parts):
        raise ValueError(f"{path}: no polygons or lines to draw ({len(frame)} features read)")
    return shapely.multilinestrings(parts)


def map_localities(gazetteer, topology, observed_ids, *, theatre=None, lang: str = "en"):
    """The gazetteer's localities in ``topology`` (layers/localities.py) with a display label
    in ``lang`` (Arabic names for ``ar``)."""
    from layers.localities import candidates_from_rows, find_localities

    from .model import display_label

    rows = gazetteer.index.rows
    names = [p.names for p in gazetteer.places] if lang == "ar" else None
    found = find_localities(candidates_from_rows(rows, names), topology,
                            observed_ids=observed_ids, theatre=theatre)
    import dataclasses

    frame = found.frame
    labels = [display_label(n, others, lang)
              for n, others in zip(frame["name"], frame["names"], strict=True)]
    return dataclasses.replace(found, frame=frame.assign(label=labels))


def _around(places) -> tuple[float, float, float, float] | None:
    if not len(places):
        return None
    minx, miny, maxx, maxy = places.total_bounds
    m = OUTLINE_MARGIN_DEG
    return (minx - m, miny - m, maxx + m, maxy + m)


def _needs_gazetteer(place_ids) -> bool:
    return any(not str(pid).startswith("point:") for pid in place_ids)


def _load_gazetteer():
    import gazetteer

    return gazetteer.load()


def region_gazetteer(faction_set):
    """The gazetteer of the war's own region when its factions file names one (``[meta] region``,
    e.g. the bundled ukraine and sudan files); ``None`` (the lazy default region) otherwise.
    ``FRONTLINE_GAZETTEER_REGION`` still wins when set."""
    region = getattr(faction_set, "region", "")
    if not region:
        return None
    import os

    import gazetteer

    return gazetteer.load(region=os.environ.get("FRONTLINE_GAZETTEER_REGION") or region)


def prepare(events: str | Path, *, factions: str | Path | None = None,
            theatre: str | Path | None = None, outlines: str | Path | None = None,
            lang: str = "en", gazetteer=None, max_radius_km: float | None = None,
            window_days: int | None = None, sources=None,
            localities: bool = False, stages=None) -> Prepared:
    """Read ``events`` and build every layer the map needs. ``gazetteer`` defaults to
    ``gazetteer.load()`` (loaded only when the file names places). The cells are clipped to
    ``theatre`` or, without one, to the factions file's ``[theatre] countries``.
    ``localities``: also every unobserved gazetteer place of the theatre, in its cell's state.
    ``stages`` (mapper.stages.Stages) receives the wall time of read, timeline, cells and model."""
    from .stages import Stages

    stages = stages or Stages()
    with stages.stage("read"):
        faction_set = load_factions(factions)
        if gazetteer is None:
            gazetteer = region_gazetteer(faction_set)
        observations = read_observations(events, factions=faction_set, gazetteer=gazetteer)
    with stages.stage("timeline"):
        # several sources for one place: weights and window (layers/reconcile.py)
        timeline = build_timeline(observations, window_days=window_days, sources=sources)
    place_ids = observations.places["place_id"].astype(str).tolist()
    if gazetteer is None and _needs_gazetteer(place_ids):
        gazetteer = _load_gazetteer()
    names = place_names(place_ids, gazetteer)
    topology = None
    from layers.theatre import resolve_theatre, theatre_settings

    # --theatre FILE, else the outline of the factions file's [theatre] countries
    factions_path = getattr(faction_set, "path", None)
    found = resolve_theatre(theatre, factions_path=factions_path)
    theatre_geom = None if found is None else found.geometry
    if max_radius_km is None:
        max_radius_km = theatre_settings(factions_path).unknown_beyond_km
    if len(place_ids) >= 2:
        from layers.cells import build_cells

        with stages.stage("cells"):
            topology = build_cells(observations.places, theatre=theatre_geom,
                                   max_radius_km=max_radius_km)
    outline = None
    if outlines is not None:
        outline = read_outlines(outlines, clip_to=_around(observations.places))
    elif theatre_geom is not None:
        outline = theatre_geom
    with stages.stage("model"):
        model = model_from_layers(observations, timeline, faction_set, names=names, lang=lang,
                                  topology=topology, outline=outline)
        if localities and topology is not None:
            import dataclasses

            found_localities = map_localities(gazetteer or _load_gazetteer(), topology,
                                              place_ids, theatre=theatre_geom, lang=lang)
            model = dataclasses.replace(model, localities=found_localities)
    inputs = {"events": Path(events)}
    # the factions file as loaded (a bundled name or the default resolves to its file) counts as
    # an input too: it sets the colours
    for key, value in (("factions", getattr(faction_set, "path", "") or factions or None),
                       ("theatre", theatre),
                       ("outlines", outlines),
                       ("sources", getattr(sources, "path", None))):
        if value is not None and Path(value).is_file():
            inputs[key] = Path(value)
    return Prepared(observations=observations, timeline=timeline, topology=topology,
                    factions=faction_set, model=model, inputs=inputs, theatre=found)
