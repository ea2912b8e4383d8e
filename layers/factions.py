"""Factions: who can hold a place, their colours and every name reports use for them.

Factions are data: a TOML (or YAML) file lists ``[[faction]]`` tables with ``id``, ``label``,
``colour``, ``aliases`` and optional ``allies``. The bundled default maps the Syrian civil war
(``layers/data/factions/syria.toml``); the Russo-Ukrainian (``ukraine``) and Sudanese (``sudan``)
wars are bundled beside it. ``load_factions(name_or_path)`` takes a bundled name or any file.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rapidfuzz import fuzz, process

from .errors import FactionsFileError, UnknownFaction

#: The controller value that means "fighting, no one holds it" (status ``contested``).
CONTESTED = "contested"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Faction:
    """One side. ``aliases`` are the names reports use ("SAA", "regime"…); ``allies`` are ids."""

    id: str
    label: str
    colour: str
    aliases: tuple[str, ...] = ()
    allies: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "colour": self.colour,
                "aliases": list(self.aliases), "allies": list(self.allies)}


def alias_key(text: str) -> str:
    """Case-, accent- and punctuation-blind key: ``"Jabhat al-Nuṣra"`` → ``"jabhat al nusra"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _NON_WORD.sub(" ", stripped.casefold()).strip()
    return key[4:] if key.startswith("the ") else key


class Factions:
    """The factions of one conflict, in file order, with alias lookup."""

    def __init__(self, factions: list[Faction], *, path: str = "", name: str = "",
                 region: str = ""):
        self._factions = tuple(factions)
        self.path = path
        self.name = name
        #: the gazetteer region of this war (gazetteer/data/regions.toml), from ``[meta] region``
        self.region = region
        self._by_id = {f.id: f for f in self._factions}
        self._by_key: dict[str, Faction] = {}
        for f in self._factions:
            for text in (f.id, f.label, *f.aliases):
                self._by_key.setdefault(alias_key(text), f)

    def __iter__(self) -> Iterator[Faction]:
        return iter(self._factions)

    def __len__(self) -> int:
        return len(self._factions)

    def __contains__(self, faction_id: object) -> bool:
        return faction_id in self._by_id

    def __getitem__(self, faction_id: str) -> Faction:
        try:
            return self._by_id[faction_id]
        except KeyError:
            raise UnknownFaction(faction_id, self.suggest(faction_id), path=self.path) from None

    def __repr__(self) -> str:
        return f"Factions({', '.join(self.ids)}; path={self.path!r})"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self._factions)

    @property
    def colours(self) -> dict[str, str]:
        return {f.id: f.colour for f in self._factions}

    def resolve(self, text: str) -> Faction:
        """The faction whose id, label or alias matches ``text`` (case/accents/punctuation ignored).

        Raises UnknownFaction with the closest aliases. The literal ``contested`` is not a
        faction: callers handle it (see ``CONTESTED``).
        """
        found = self._by_key.get(alias_key(text))
        if found is None:
            raise UnknownFaction(str(text), self.suggest(str(text)), path=self.path)
        return found

    def suggest(self, text: str, *, limit: int = 3) -> list[str]:
        """Closest ids/aliases to ``text``, as ``"alias (faction id)"``, best first."""
        keys = list(self._by_key)
        if not keys or not alias_key(text):
            return []
        # 68: below it the "closest" aliases share a letter pattern, not a meaning
        # ("martians" → "AANES"); no suggestion is better than a misleading one.
        hits = process.extract(alias_key(text), keys, scorer=_closeness, limit=limit * 3,
                               score_cutoff=68)
        out: list[str] = []
        for key, _score, _ in hits:
            f = self._by_key[key]
            label = next((a for a in (f.id, *f.aliases, f.label) if alias_key(a) == key), key)
            item = label if label == f.id else f"{label} ({f.id})"
            if item not in out:
                out.append(item)
            if len(out) == limit:
                break
        return out


def _closeness(a: str, b: str, **_kw) -> float:
    """Whole-string similarity averaged with WRatio: "Nusr" ranks "Nusra" above "Jabhat
    al-Nusra", while a word inside a long alias still counts."""
    return (fuzz.ratio(a, b) + fuzz.WRatio(a, b)) / 2


def default_factions_path() -> Path:
    return Path(str(resources.files("layers") / "data" / "factions" / "syria.toml"))


def bundled_factions() -> dict[str, Path]:
    """The bundled factions files by name (``"syria"``, ``"ukraine"``, ``"sudan"``)."""
    folder = Path(str(resources.files("layers") / "data" / "factions"))
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def factions_path(name_or_path: str | Path | None = None) -> Path:
    """A bundled name (``"ukraine"``) or a path → the file; ``None`` → the bundled Syria file.

    A name with no file of that name nearby and no bundled file raises FileNotFoundError naming
    the bundled names.
    """
    if not name_or_path:
        return default_factions_path()
    text = str(name_or_path)
    p = Path(text)
    if p.exists() or p.suffix or "/" in text or "\\" in text:
        return p.resolve()
    bundled = bundled_factions()
    if text.casefold() in bundled:
        return bundled[text.casefold()]
    raise FileNotFoundError(
        f"factions {text!r}: no such file and no bundled factions of that name; "
        f"use one of {', '.join(bundled)} or the path of a TOML/YAML factions file"
    )


def load_factions(path: str | Path | None = None) -> Factions:
    """Load a factions file (TOML, or YAML by extension) or a bundled one by name
    (``"syria"``, ``"ukraine"``, ``"sudan"``); ``None`` → the bundled Syria file."""
    return _load(str(factions_path(path)))


@functools.cache
def _load(path: str) -> Factions:
    p = Path(path)
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(p.read_text(encoding="utf-8-sig")) or {}
        else:
            data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise FactionsFileError(f"{path}: not a valid factions file: {exc}") from None
    except Exception as exc:  # yaml.YAMLError and friends
        raise FactionsFileError(f"{path}: not a valid factions file: {exc}") from None
    return parse_factions(data, path=path)


def parse_factions(data: dict, *, path: str = "<factions>") -> Factions:
    """Validate the parsed file; every problem is collected and raised as one FactionsFileError."""
    problems: list[str] = []
    entries = data.get("faction") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FactionsFileError(f"{path}: no [[faction]] tables; each faction needs id, label, "
                                "colour and aliases")
    factions: list[Faction] = []
    owner: dict[str, str] = {}
    for i, e in enumerate(entries, start=1):
        where = f"{path}: faction #{i}"
        if not isinstance(e, dict):
            problems.append(f"{where}: expected a table")
            continue
        fid = str(e.get("id", "")).strip()
        if not _ID.match(fid):
            problems.append(f"{where}: id {fid!r} must be lower-case letters, digits and _")
            continue
        where = f"{path}: faction {fid!r}"
        if fid == CONTESTED:
            problems.append(f"{where}: 'contested' is reserved (it means status contested)")
        colour = str(e.get("colour", e.get("color", ""))).strip()
        if not _COLOUR.match(colour):
            problems.append(f"{where}: colour {colour!r} must be #rgb or #rrggbb")
        aliases = e.get("aliases", [])
        allies = e.get("allies", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}: aliases must be a list of strings")
            aliases = []
        if not isinstance(allies, list) or not all(isinstance(a, str) for a in allies):
            problems.append(f"{where}: allies must be a list of faction ids")
            allies = []
        f = Faction(id=fid, label=str(e.get("label", fid)).strip() or fid, colour=colour.lower(),
                    aliases=tuple(a.strip() for a in aliases if a.strip()), allies=tuple(allies))
        for text in (f.id, f.label, *f.aliases):
            key = alias_key(text)
            if key == CONTESTED:
                problems.append(f"{where}: alias {text!r} is reserved (it means status contested)")
            elif key in owner and owner[key] != fid:
                problems.append(f"{where}: alias {text!r} already names faction {owner[key]!r}")
            owner.setdefault(key, fid)
        factions.append(f)
    ids = [f.id for f in factions]
    for fid in {x for x in ids if ids.count(x) > 1}:
        problems.append(f"{path}: faction id {fid!r} is defined twice")
    for f in factions:
        for ally in f.allies:
            if ally not in ids:
                problems.append(f"{path}: faction {f.id!r}: ally {ally!r} is not a faction id")
    if problems:
        raise FactionsFileError("; ".join(problems))
    meta = data.get("meta", {}) if isinstance(data.get("meta", {}), dict) else {}
    return Factions(factions, path=path, name=str(meta.get("name", "")),
                    region=str(meta.get("region", "")).strip())
