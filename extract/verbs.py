"""Control statements in one sentence: who gains or holds which named place, by cue and voice.

Works on a sentence string plus the place spans and actor spans found in it. Returns
``Statement`` records naming place spans (by index), the controller, ``change``/``state`` and the
cue. Voice decides roles: "X captured Y" (winner before the verb, places after), "Y was captured
by X" / "Y, captured by X" (places before, winner after "by"), "Y fell to X", "X lost Y to Z",
"X drove Z out of Y", "X withdrew from Y" (winner only if one other side is named), "X-held Y",
"Y remained in X hands", "Y, an X stronghold". Modal or negated verbs ("trying to capture",
"threatened to", "failed to") and hypothetical clauses give nothing. Cue lexicons live in
data/verbs.toml.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from layers.factions import CONTESTED

from .actors import Actor
from .lexicon import alternation, load

_LOCATIVE = {
    "in",
    "near",
    "at",
    "outside",
    "around",
    "from",
    "to",
    "into",
    "towards",
    "toward",
    "with",
    "across",
    "between",
    "by",
    "through",
    "via",
    "on",
    "inside",
    "against",
    "beyond",
    "within",
    "off",
    "past",
    "over",
    "under",
    "behind",
    "than",
}
_BOUNDARY = re.compile(
    r"[.;:!?()]|,\s+(?!including\b)(?:thus\s+|thereby\s+)?[a-z]+ing\b|\s[—–]\s|—|\s-\s|\b(?:before|after|while|but|when|though|although|as|since|following|amid|"
    r"said|says|saying|according to|which|who|whose|where|near|outside|overlooking|around|"
    r"close to|followed by|"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|"
    r"south-west)(?:ern)? of|on the (?:outskirts|edges?|border|road|highway|frontier)|along|"
    r"towards?|"
    r"with|to|comes?|came|then|and (?:then |later )?(?:a |the )?(?:\w+ )?(?:said|killed|hit|"
    r"attacked))\b"
    # "seized control of sections of the borders and torched the headquarters in X": a second
    # predicate ends the first verb's object
    r"|\band\s+(?:then\s+|later\s+|also\s+)?(?-i:[a-z]{3,}ed)\s+(?:the|a|an|its|their)\b",
    re.I,
)
_CLAUSE_START = re.compile(
    r"[.;:!?()]|\s[—–]\s|—|\b(?:that|which|who|whose|said|says|saying|after|before|"
    r"but|while|when|as|since|because|although|though)\b",
    re.I,
)
_OTHER_NP = re.compile(
    r"\b(?:other|territor\w*|areas?|positions?|villages|towns|cities|parts?|posts?|bases?|"
    r"and\s+(?:the\s+)?\w+s)\b",
    re.I,
)
_NOMINAL_VERB = re.compile(
    r"\b(?:resulted in|resulting in|led to|leading to|completed|complete|announced|announcing|"
    r"spearheaded|participated in|culminated in|ended with|ending with|achieved|secured|"
    r"declared|confirmed|claimed|role in)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$",
    re.I,
)
_REL = re.compile(r"\b(?:which|that|who|whom)\b", re.I)
# a lower-case adjective by its ending ("ancient", "besieged", "strategic", "Kurdish", "northern"),
# as a class rather than a list of the words one text used
_ADJ = r"(?-i:[a-z]+(?:ent|ant|ed|ic|al|ish|ian|ite|ern|ive|ous|ary|ful|less))"
_ANAPHOR = re.compile(
    r"^\s*(?:the|this|that)\s+(?:(?:nearby|key|small|large|rebel|opposition|border|town|"
    + _ADJ + r"|[\w]+-(?:majority|held|controlled|populated|dominated))\s+){0,2}"
    r"(?P<noun>village|town|city|hamlet|"
    r"district|neighbourhood|neighborhood|suburb|crossing|base|airport|airbase|settlement|"
    r"enclave)\b(?!\s+of\b|\s+(?-i:[A-Z]))",
    re.I,
)
_LOSER_WORDS = re.compile(
    r"\b(?:fighters|militants|gunmen|jihadists|terrorists|them|rebels|forces|troops|"
    r"insurgents|soldiers|militia|militias|army)\b",
    re.I,
)
_DIRECTION = re.compile(
    r"^\s*(?:the\s+)?(?:east|west|north|south|eastern|western|northern|southern|north-?east(?:ern)?|"
    r"north-?west(?:ern)?|south-?east(?:ern)?|south-?west(?:ern)?|central|rural|parts|areas|"
    r"countryside|outskirts|suburbs|districts|neighbou?rhoods)\b"
    r"(?!\s+of\b)",  # "the Shaer gas field east of Homs": where it lies, not a part of it
    re.I,
)
_HELD_FILLER = re.compile(
    r"^[\s,]*(?:(?:the|a|an|strategic|key|nearby|border|town|city|village|hamlet|district|"
    r"suburb|neighbou?rhood|crossing|base|airport|airbase|enclave|area|of|besieged|"
    r"small|large|frontline|" + _ADJ + r"|[A-Z][\w'’-]*)\s+)*$"
)


_REL_SUBJECT = re.compile(
    r",?\s*\b(?:who|which)\s+(?:(?:had|has|have|was|were|also|now|then|later|\w+ly)\s+){0,2}$",
    re.I,
)
_PRONOUN_SUBJECT = re.compile(
    r"^\W*(?:(?:on|in|at|early|late|earlier|later|last|this|[A-Z][a-z]+day|\d+,?|\w+ly|"
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+){0,6}"
    r"(?:they|it|he|she|we)\s+(?:(?:had|has|have|had|was|were|also|now|already|then|\w+ly)\s+){0,2}$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Statement:
    """One control statement of a sentence (offsets are within the sentence)."""

    places: tuple[int, ...]  # indices into the sentence's place spans
    controller: str  # faction id or "contested"
    kind: str  # change | state
    cue: str
    pos: int  # offset of the cue
    how: str  # object | subject | antecedent | anaphora | list | adjective
    anaphor: str = ""  # "village": the place is the previous sentence's village
    weak: bool = False  # inferred (withdrawal, never-held, nominal without actor)
    loser: str = ""  # the side that withdrew (a withdrawal it reports itself is a concession)


@dataclass(frozen=True, slots=True)
class SentenceView:
    text: str
    places: tuple[tuple[int, int], ...]  # usable place spans (not areas, not countries)
    areas: tuple[
        tuple[int, int], ...
    ]  # spans of area names (ignored as places, skipped as antecedents)
    actors: tuple[Actor, ...]
    incumbent: str | None
    resolve_word: object  # callable: str -> faction id | None
    prev_actor: str | None = (
        None  # the last actor of the previous sentence (for "The capture of X")
    )
    sides: tuple[str, ...] = ()  # the factions file's side ids


@functools.cache
def _lex():
    v = load("verbs")
    ch, st, mod = v["change"], v["state"], v["modality"]

    def rx(words, suffix=""):
        return re.compile(r"(?<![\w-])(?P<cue>" + alternation(words) + r")(?![\w-])" + suffix, re.I)

    return {
        "active": rx(ch["active"]),
        "passive_only": {w.lower() for w in ch["passive_only"]},
        "nominal": rx(ch["nominal"]),
        "fell_to": rx(ch["fell_to"], r"\s+"),
        "lost_to": rx(ch["lost_to"], r"(?P<obj>[^.;]{0,90}?)\bto\s+"),
        "expel": rx(
            ch["expel"], r"(?P<loser>[^.;]{1,60}?)\s+" + alternation(ch["expel_prep"]) + r"\s+"
        ),
        "expel_out": rx(ch["expel_out"]),
        # "<loser> were driven out of <place> by <winner>"
        "expelled_by": re.compile(
            r"\b(?:was|were|been|being|get|got)\s+(?:\w+ly\s+)?(?P<cue>"
            + alternation(ch["expel"])
            + r")\s+"
            + alternation(ch["expel_prep"])
            + r"\s+",
            re.I,
        ),
        "withdraw": rx(ch["withdraw"]),
        "retreat_to": rx(ch.get("retreat_to", []), r"\s+"),
        "handover": rx(ch["handover"], r"(?P<obj>[^.;]{0,80}?)\bto\s+"),
        "held_adj": re.compile(
            r"(?P<fac>(?:[\w'’]+[\s-])?[\w'’]+)-(?P<cue>"
            + alternation(st["held_adjective"])
            + r")(?![\w-])",
            re.I,
        ),
        "held_by": rx(st["held_by"], r"\s+"),
        "in_control": rx(st.get("in_control", []), r"\s+"),
        "holds": rx(st.get("holds", []), r"\s+(?!of\b|over\b|on\b|talks\b|a\b|an\b)"),
        "hands": re.compile(
            r"(?P<pre>\b(?:fell|fallen|falls)\s+into\s+)?\bin\s+(?:the\s+)?(?P<fac>[\w'’-]+(?:\s[\w'’-]+)?)\s+"
            r"(?P<cue>hands)\b|\b(?P<pre2>came\s+)?under\s+(?:the\s+)?(?P<fac2>[\w'’-]+(?:\s[\w'’-]+)?)\s+"
            r"(?P<cue2>control)\b",
            re.I,
        ),
        "stronghold": re.compile(
            r"(?P<pre>\b(?:an?|the|its|their|last|main|key|major|former|remaining|"
            r"biggest|largest|final|one|of)\s+(?:[\w'’-]+\s+){0,2})?(?P<fac>[\w'’-]+)\s+(?P<cue>"
            + alternation(st["stronghold"])
            + r")\b",
            re.I,
        ),
        "noun_of": re.compile(
            r"\b(?:the|an?)\s+(?P<fac>[\w'’-]+)(?:-held|-controlled)?\s+(?P<cue>"
            + alternation(st["place_nouns"])
            + r")\s+of\s+",
            re.I,
        ),
        "flag": re.compile(r"(?P<cue>" + st["flag"] + r")\s+", re.I),
        "partial": {w.lower() for w in load("verbs")["partial"]["heads"]},
        "quantity": re.compile(load("verbs")["partial"]["quantity"], re.I),
        "captives": re.compile(
            r"^\s*(?:(?:the|a|an|some|several|dozens|hundreds|of|at|least|about|around|more|than|over|"
            r"\d[\d,]*|\w+ty|two|three|four|five|six|seven|eight|nine|ten|twelve|\w+)\s+){0,4}?(?:"
            + "|".join(load("verbs")["partial"]["captives"])
            + r")\b",
            re.I,
        ),
        "facility": re.compile(
            r"\b(?:"
            + "|".join(
                sorted(map(re.escape, load("verbs")["partial"]["facility"]), key=len, reverse=True)
            )
            + r")\b",
            re.I,
        ),
        "modal": {w.lower() for w in mod["before"]},
        "conditional": {w.lower() for w in mod["conditional"]},
        "future": re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in mod["future"]) + r")\b", re.I
        ),
        "hedge_to": {w.lower() for w in mod["hedge_to"]},
        "realized_to": {w.lower() for w in mod.get("realized_to", [])},
        "past": {w.lower() for w in mod["past"]},
    }


# ---------------------------------------------------------------- helpers over one sentence
def _word_before(text: str, pos: int) -> str:
    m = re.search(r"([\w'’]+)\W*$", text[:pos])
    return m.group(1).lower() if m else ""


def _prev_words(text: str, pos: int, n: int, *, keep_case: bool = False) -> list[str]:
    start = max((m.end() for m in _CLAUSE_START.finditer(text, 0, pos)), default=0)
    words = re.findall(r"[\w'’]+", text[start:pos])[-n:]
    return words if keep_case else [w.lower() for w in words]


def _clause_start(text: str, pos: int) -> int:
    return max((m.end() for m in _CLAUSE_START.finditer(text, 0, pos)), default=0)


def _span_end(text: str, pos: int) -> int:
    m = _BOUNDARY.search(text, pos)
    return m.start() if m else len(text)


def _modal(sv: SentenceView, pos: int) -> bool:
    """Intention, attempt, negation or hypothesis governs the verb at ``pos``."""
    lx = _lex()
    hedge = r"\b(?:" + "|".join(lx["hedge_to"]) + r")\s+to\s+have\s+(?:\w+ly\s+)?$"
    if re.search(hedge, sv.text[:pos], re.I):
        return False  # "are said to have recaptured": a hedge (claimed), not an intention
    words = _prev_words(sv.text, pos, 5)
    raw = _prev_words(sv.text, pos, 5, keep_case=True)
    # "On 5 May, rebels captured": the month is not the modal
    if any(w in lx["modal"] and r != "May" for w, r in zip(words, raw, strict=True)):
        return True
    if words and words[-1] == "to":
        # "to capture", "set to retake" — but "managed to take", "the first to fall" happened
        return not (len(words) >= 2 and words[-2] in lx["realized_to"])
    if len(words) >= 2 and words[-1] == "have" and words[-2] == "to":
        return (
            len(words) < 3 or words[-3] not in lx["hedge_to"]
        )  # "said to have captured" is a hedge
    start = _clause_start(sv.text, pos)
    clause_first = re.match(r"\W*([\w']+)", sv.text[max(0, start - 8) : pos])
    lead = re.search(r"\b(if|unless|once|when|should)\b[^,;]*$", sv.text[:pos], re.I)
    if lead and lx["future"].search(sv.text) and clause_first is not None:
        return True
    return False


def _in_past(sv: SentenceView, pos: int) -> bool:
    return any(w in _lex()["past"] for w in _prev_words(sv.text, pos, 4))


def _faction(sv: SentenceView, phrase: str) -> str | None:
    phrase = phrase.strip()
    fid = sv.resolve_word(phrase)
    if fid is None and " " in phrase:
        fid = sv.resolve_word(phrase.split()[-1])
    return fid


def _actor_before(sv: SentenceView, pos: int, *, strict: bool = True) -> Actor | None:
    """The subject: the first actor of the clause before ``pos`` ("ISIL and its allies seized")."""
    if strict and re.match(r"\w+ing\b", sv.text[pos:]) and re.search(
        r"\b(?:before|after|while|since|when|by|upon|on)\s+$", sv.text[:pos], re.I
    ):
        # "X fought Y for hours before withdrawing from Z": the main clause's subject
        first = next((a for a in sv.actors if a.end <= pos and _subject_ok(sv, a)), None)
        if first is not None:
            return first
    rel = _REL_SUBJECT.search(sv.text[:pos]) if strict else None
    if rel:
        # "fighting the Kurds, who gained control of X": the relative pronoun's antecedent
        own = next((a for a in sv.actors if 0 <= rel.start() - a.end <= 2), None)
        if own is not None:
            return own
    if strict:
        # "Jaish al-Fatah, an alliance of Islamist groups, took X": the actor before the appositive
        appos = next((a for a in reversed(sv.actors) if a.end <= pos and re.fullmatch(
            r"\s*,\s+(?:a|an|the)\s[^,;]{0,70},\s*(?:(?:has|have|had|also|then|\w+ly)\s+)*",
            sv.text[a.end : pos])), None)
        if appos is not None:
            return appos
    if strict and _PRONOUN_SUBJECT.search(sv.text[_clause_start(sv.text, pos):pos]):
        # "the regime said on Saturday it has captured X": the pronoun stands for the main subject
        first = next((a for a in sv.actors if a.end <= pos and _subject_ok(sv, a)), None)
        if first is not None:
            return first
    if strict:
        start = _clause_start(sv.text, pos)
        near = re.search(r"(?:\S+\s+){0,3}$", sv.text[start:pos])
        lo_near = start + (near.start() if near else 0)
        window = list(sv.text[lo_near:pos])
        for ps, pe in sv.places + sv.areas:  # place names are not subjects
            for j in range(max(ps, lo_near), min(pe, pos)):
                window[j - lo_near] = " "
        coordinated = any(
            a.end <= lo_near
            and re.fullmatch(
                r"\s*(?:and|along with|with)\s+(?:its\s+|their\s+)?"
                r"(?:(?-i:[a-z-]+|[A-Z][a-z]+(?:ish|i|ian|an|ese))\s+){0,2}"
                r"(?:forces|troops|units|fighters|militias?|allies|rebels|factions)\s+"
                r"(?:(?:have|has|had|also|then|\w+ly)\s+)*",
                sv.text[a.end : pos],
                re.I,
            )
            for a in sv.actors
        )  # "Syrian government and allied forces have retaken": one subject
        named_near = any(a.start < pos and a.end > lo_near for a in sv.actors)
        if not coordinated and not named_near and re.search(
            r"\b(?:forces|troops|fighters|militants|soldiers|units|police|investigators|inspectors|militias?|"
            r"army|(?-i:[A-Z][a-z]+))\b",
            "".join(window),
            re.I,
        ):
            # "the day Iraqi forces entered": a subject this factions file does not name
            return None
        comma = max(
            (
                m.end()
                for m in re.finditer(r",|\band\b(?=\s+(?:then\s+)?[a-z]+ed\b)", sv.text[:pos])
            ),
            default=0,
        )
        # "Turkish troops and allied Syrian rebels have seized": one subject, led by the first
        for lo in (start,) if coordinated else (max(start, comma), start):
            first = next(
                (a for a in sv.actors if lo <= a.start and a.end <= pos and _subject_ok(sv, a)),
                None,
            )
            if first is not None:
                return first
            if not coordinated and re.search(
                r"\b(?:forces|troops|fighters|militants|soldiers|units|police|investigators|inspectors|"
                r"militias?|(?-i:[A-Z][a-z]+))\b",
                sv.text[lo:pos],
                re.I,
            ):
                return (
                    None  # "the day Iraqi forces entered": a subject no faction of this file names
                )
    if strict and re.search(r"\b(?:they|it|he|which|who)\s+(?:\w+\s+){0,2}$", sv.text[:pos], re.I):
        first = next((a for a in sv.actors if a.end <= pos and _subject_ok(sv, a)), None)
        if first is not None:
            # "…forces, which had halted X, began…; by April they had captured Y": the main subject
            return first
    for a in reversed(sv.actors):
        if a.end > pos:
            continue
        prev = "" if re.search(r"[,;:]\s*$", sv.text[: a.start]) else _word_before(sv.text, a.start)
        if strict and prev in {"of", "against", "from", "by", "with", "on", "at"}:
            continue
        if strict and prev == "to" and _word_before(sv.text, a.start - 3) != "loyal":
            continue
        if re.match(
            r"\s*(?:-held|-controlled|\s+flag|\s+hands|\s+control|\s+stronghold)", sv.text[a.end :]
        ):
            continue
        return a
    return None


def _subject_ok(sv: SentenceView, a: Actor) -> bool:
    # a word before a comma is not this phrase's preposition ("went on, Ukrainian troops …")
    prev = "" if re.search(r"[,;:]\s*$", sv.text[: a.start]) else _word_before(sv.text, a.start)
    if prev in {"of", "against", "from", "by", "with", "on", "at", "than"}:
        return False
    if prev == "to" and _word_before(sv.text, a.start - 3) != "loyal":
        return False
    return not re.match(
        r"\s*(?:-held|-controlled|-led|\s+flag|\s+hands|\s+control|\s+stronghold|\s+positions)",
        sv.text[a.end :],
    )


def _actor_after(sv: SentenceView, pos: int, *, window: int = 45) -> Actor | None:
    for a in sv.actors:
        if pos <= a.start <= pos + window:
            return a
    return None


# "two border crossings into Turkey at A and B": crossings are named by where they stand
_CROSSINGS_AT = re.compile(
    r"\s*(?:(?:the|a|an|at\s+least|two|three|four|several|\d+|main|key|border|strategic)\s+)*"
    r"(?:border\s+)?(?:crossings?|crossing\s+points?|checkpoints?|border\s+posts?)\b"
    r"[^.;,]{0,40}?\bat\s+",
    re.I,
)


def _place_ok_as_object(sv: SentenceView, i: int, *, partial: bool, pos: int = -1) -> bool:
    s, _ = sv.places[i]
    prev = _word_before(sv.text, s)
    if prev == "at" and pos >= 0 and _CROSSINGS_AT.fullmatch(sv.text, pos, s):
        return True
    if prev in _LOCATIVE and not (partial and prev in {"in", "on", "of"}):
        return False
    return not _DIRECTION.match(sv.text[sv.places[i][1] :]) or partial


def _object_places(sv: SentenceView, pos: int) -> tuple[tuple[int, ...], bool]:
    """Places of the object after ``pos``; and whether the object is only part of them."""
    crossings = _CROSSINGS_AT.match(sv.text, pos)
    end = _span_end(sv.text, crossings.end() if crossings else pos)
    head = sv.text[pos:end]
    partial = bool(
        re.match(
            r"\s*(?:(?:the|some|of|several|more|other|a|an|number|nearby|key|strategic|large|small|"
            r"at|least|only|nearly|almost|about|around|over|all|fully|"
            r"remaining|most|much|[a-z]+ern|(?-i:[A-Z]{2,})|\d+)\s+){0,4}(?:"
            + "|".join(_lex()["partial"])
            + r")\b",
            head,
            re.I,
        )
    )
    partial = partial or bool(
        re.match(
            r"\s*(?:(?:at\s+least|about|around|nearly|almost|over|roughly|some)\s+)?"
            r"\d+(?:\.\d+)?\s?(?:%|percent|per\s+cent)\s+of\b",
            head,
            re.I,
        )
    )
    partial = partial or bool(
        re.match(
            r"\s*(?:the\s+)?(?:(?-i:[A-Z])[\w'’-]*\s+){1,3}(?:district|neighbou?rhood|"
            r"quarter|area|part)s?\s+of\b",
            head,
            re.I,
        )
    )
    inc_word = re.search(r"\bincluding\b", head, re.I)
    if partial and inc_word and any(s >= pos + inc_word.end() for s, _ in sv.places):
        # "much of the area, including Palmyra": the named place itself (but "parts of X,
        # including the airport" are still parts of X)
        partial = False
    if not partial:  # "areas on Mleiha's edges": partial head after the place ("X's outskirts")
        partial = bool(
            re.search(
                r"['’]s\s+(?:edges?|outskirts|suburbs|districts|neighbou?rhoods|eastern|western)\b",
                sv.text[pos : end + 20],
                re.I,
            )
        ) and bool(re.match(r"\s*(?:the\s+)?(?:areas?|parts?)\b", head, re.I))
        if partial:
            end = min(len(sv.text), end + 20)
    idx = tuple(
        i
        for i, (s, e) in enumerate(sv.places)
        if pos <= s < end
        and (not sv.text[pos:s].strip() or _place_ok_as_object(sv, i, partial=partial, pos=pos))
        and not _facility("" if partial else sv.text[pos:s], sv.text[e : e + 25])
    )
    if not idx or partial:
        # "retook a large area from rebels, including the key town of X": a region or collective
        # object, then the named places it includes
        inc = _INCLUDING.match(sv.text, pos)
        if inc:
            first = next(
                (
                    i
                    for i, (ps, _) in enumerate(sv.places)
                    if ps >= inc.end() and _INCLUDED_FILLER.fullmatch(sv.text[inc.end() : ps])
                ),
                None,
            )
            if first is not None:
                return _list_from(sv, first, loose=True), False
    return idx, partial


_INCLUDING = re.compile(r"[^.;]{0,90}?,?\s+(?:including|among them|such as|notably)\s+", re.I)
_INCLUDED_FILLER = re.compile(r"(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:(?:of|,)\s*)?", re.I)


def _facility(before: str, after: str) -> bool:
    """ "the base of X", "the X roundabout": the object is a facility, the place only names it."""
    if _lex()["captives"].match(before):
        return True  # "captured 50 troops in the town of X": people, not the place
    rx = _lex()["facility"]
    if rx.search(before) and not re.search(
        r"\b(?:town|village|city|hamlet|district|suburb)\s+of\s+(?:the\s+)?$", before, re.I
    ):
        return True
    return bool(
        re.match(r"(?:['’]s)?\s*(?:[\w-]+\s+){0,2}?(?:" + rx.pattern + r")", after, re.I)
        and not re.match(r"(?:['’]s)?\s*(?:and|or|,)", after)
    )


def _list_before(
    sv: SentenceView, pos: int, *, gap: int = 40, locative: bool = False
) -> tuple[int, ...]:
    """The list of places ending just before ``pos`` ("only the towns of A, B and C remained")."""
    start = _clause_start(sv.text, pos)
    cands = [i for i, (s, e) in enumerate(sv.places) if start <= s and e <= pos]
    if not cands:
        return ()
    last = cands[-1]
    if not locative and (
        _word_before(sv.text, sv.places[last][0]) in _LOCATIVE - {"of"}
        or re.search(
            r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+of\s+$",
            sv.text[: sv.places[last][0]],
            re.I,
        )
    ):
        # "the town of Jafrah, south of Deir ez-Zor, was captured": Deir ez-Zor is a landmark
        return ()
    if (
        re.search(
            r"\b(?:outskirts|edges?|suburbs?|countryside|vicinity|part|parts|areas?|bases?|positions|"
            r"districts?|neighbou?rhoods?|pockets?|outposts?)\s+(?:of|around|near)\s+(?:the\s+)?$",
            sv.text[: sv.places[last][0]],
            re.I,
        )
        and not locative
    ):
        return ()  # "two bases on the outskirts of X remained under army control": not X itself
    between = sv.text[sv.places[last][1] : pos]
    if len(between) > gap or re.search(r"[;:]", between) or _OTHER_NP.search(between):
        return ()
    out = [last]
    for i in reversed(cands[:-1]):
        joint = sv.text[sv.places[i][1] : sv.places[out[-1]][0]]
        if re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or|&)\s*", joint):
            out.append(i)
        else:
            break
    if not locative and _word_before(sv.text, sv.places[out[-1]][0]) in _LOCATIVE - {"of"}:
        return ()  # "supplies north to Idlib and Aleppo has fallen to …": the list is a destination
    return tuple(sorted(out))


# "X is the third military base to be captured by …", "X became the first city to be taken by":
# the place is the subject of the copula, the ordinal makes the capture a fact
_COPULAR_ORDINAL = re.compile(
    r"\s+(?:is|was|became|has\s+become|had\s+become)\s+(?:now\s+)?the\s+"
    r"(?:first|second|third|fourth|fifth|latest|last|next|\d+(?:st|nd|rd|th))\s+"
    r"(?:[a-z-]+\s+){0,3}?to\s+(?:have\s+)?(?:been|be)\s+$",
    re.I,
)


def _copular_subject(sv: SentenceView, pos: int) -> tuple[int, ...]:
    start = _clause_start(sv.text, pos)
    before = [i for i, (s, e) in enumerate(sv.places) if start <= s and e <= pos]
    if before and _COPULAR_ORDINAL.fullmatch(sv.text[sv.places[before[-1]][1] : pos]):
        return (before[-1],)
    return ()


def _antecedent(sv: SentenceView, pos: int) -> tuple[int, ...]:
    """The place a relative pronoun before ``pos`` stands for: the nearest named place before it."""
    window_start = max(0, pos - 60)
    rel = None
    for m in _REL.finditer(sv.text, window_start, pos):
        rel = m
    if rel is None:
        return ()
    for i in range(len(sv.places) - 1, -1, -1):
        s, e = sv.places[i]
        if e > rel.start():
            continue
        if _word_before(sv.text, s) in _LOCATIVE - {"of"} or re.search(
            r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+of\s+$",
            sv.text[:s],
            re.I,
        ):
            continue
        if rel.start() - e > 120:
            break
        return (i,)
    return ()


def _appositive_subject(sv: SentenceView, pos: int) -> tuple[int, ...]:
    """ "Idlib, a city of 150,000 people north of Homs, was among the first to fall to X": the
    place that opens the sentence, set off by a comma, is the subject of its main verb."""
    if not sv.places:
        return ()
    s, e = sv.places[0]
    if s > 4 or not re.match(r"\s*,", sv.text[e:pos]):
        return ()
    # "Khan Shaykhun, held by rebels since 2014, fell to …": the verb may follow the comma
    main = re.search(r",\s+(?:(?:has|had|have|was|were|is|are)\b[^,;]*)?$", sv.text[e:pos])
    return (0,) if main else ()


def _anaphor(sv: SentenceView, pos: int) -> str:
    m = _ANAPHOR.match(sv.text[pos:])
    return m.group("noun").lower() if m else ""


# ---------------------------------------------------------------- cue handlers
def statements(sv: SentenceView) -> list[Statement]:  # noqa: C901 — one pass per cue family
    lx = _lex()
    text = sv.text
    out: list[Statement] = []
    used: set[tuple[int, int]] = set()  # (start, end) of cues already interpreted

    def add(places, controller, kind, cue, pos, how, anaphor="", weak=False, loser=""):
        if controller is None or (not places and not anaphor):
            return
        out.append(Statement(tuple(places), controller, kind, cue, pos, how, anaphor, weak, loser))

    def overlaps(m):
        return any(m.start() < e and s < m.end() for s, e in used)

    # "<place> fell to <winner>"
    for m in lx["fell_to"].finditer(text):
        if _modal(sv, m.start()):
            continue
        used.add(m.span("cue"))
        a = _actor_after(sv, m.end(), window=25)
        places = (
            _antecedent(sv, m.start())
            or _list_before(sv, m.start(), gap=120)
            or _appositive_subject(sv, m.start())
        )
        add(places, a and a.faction, "change", m["cue"], m.start(), "subject")

    # "<loser> lost <place> to <winner>"
    for m in lx["lost_to"].finditer(text):
        if _modal(sv, m.start()):
            continue
        a = _actor_after(sv, m.end(), window=6)
        if a is None or re.search(r"\b(?:recently|the|newly)\s*$", text[: m.start()], re.I):
            continue  # "the recently lost villages": an adjective, no loser and winner said
        used.add(m.span("cue"))
        obj, _ = _object_places(sv, m.end("cue"))
        places = tuple(
            i for i in obj if sv.places[i][0] < m.start("obj") + len(m["obj"])
        ) or _antecedent(sv, m.start())
        add(places, a.faction, "change", m["cue"], m.start(), "object" if obj else "antecedent")

    # "<winner> drove <loser> out of <place>"
    for m in lx["expel"].finditer(text):
        loser = m["loser"]
        if not (
            any(m.start("loser") <= a.start < m.end("loser") for a in sv.actors)
            or _LOSER_WORDS.search(loser)
        ):
            continue
        if _modal(sv, m.start()):
            continue
        w = _actor_before(sv, m.start())
        if w is None or any(
            m.start("loser") <= a.start < m.end("loser") and a.faction == w.faction
            for a in sv.actors
        ):
            continue
        used.add(m.span("cue"))
        s_end = _span_end(text, m.end())
        places = tuple(
            i
            for i, (s, e) in enumerate(sv.places)
            if (
                m.end() <= s < max(s_end, m.end() + 1)
                and _place_ok_as_object(sv, i, partial=False)
                or s == m.end()
            )
            and not _facility(text[m.end() : s], text[e : e + 25])
        )
        add(places, w.faction, "change", m["cue"], m.start(), "object")

    # "Rebels were driven out of Qusair by Hezbollah fighters": the winner after "by"
    for m in lx["expelled_by"].finditer(text):
        first = next((i for i, (s, _) in enumerate(sv.places) if s == m.end()), None)
        if first is None or _modal(sv, m.start("cue")):
            continue
        places = _list_from(sv, first)
        by = re.match(r"[^.;]{0,40}?\bby\s+(?:the\s+)?", text[sv.places[places[-1]][1] :])
        w = _actor_after(sv, sv.places[places[-1]][1] + by.end(), window=12) if by else None
        if w is None:
            continue
        used.add(m.span("cue"))
        add(places, w.faction, "change", m["cue"], m.start("cue"), "subject")

    # "<winner> ... into <place> and forced out <loser>"
    for m in lx["expel_out"].finditer(text):
        if _modal(sv, m.start()) or _word_before(text, m.start()) in {
            "was",
            "were",
            "been",
            "being",
            "be",
        }:
            continue
        w = _actor_before(sv, m.start())
        if w is None:
            continue
        used.add(m.span("cue"))
        places = tuple(i for i, (s, e) in enumerate(sv.places) if w.end <= s and e <= m.start())
        add(places, w.faction, "change", m["cue"], m.start(), "object")

    # "<loser> withdrew from <place>": the winner is the one other side the sentence names
    for m in lx["withdraw"].finditer(text):
        if _modal(sv, m.start()):
            continue
        loser = _actor_before(sv, m.start())
        if loser is None:
            continue
        stop = re.search(
            r",\s+[a-z]+ing\b|[.;:]|,\s+(?:[\w'’-]+\s+){0,4}(?:said|says|reported|added|according)\b",
            text[m.end() :],
        )
        limit = m.end() + (stop.start() if stop else len(text))
        # the winner is named after the withdrawal ("… after an onslaught by the army"); sides
        # listed
        # before the verb are the ones withdrawing
        others = {
            a.faction
            for a in sv.actors
            if a.faction != loser.faction and m.end() <= a.start < limit
        }
        if not others and len(sv.sides) == 2 and loser.faction in sv.sides:
            # a war of two sides: what one side leaves, the other takes
            others = set(sv.sides) - {loser.faction}
        if len(others) != 1:
            continue
        used.add(m.span("cue"))
        end = _span_end(text, m.end())
        obj = tuple(
            i
            for i, (ps, pe) in enumerate(sv.places)
            if m.end() <= ps < end and not _facility(text[m.end() : ps], text[pe : pe + 25])
        )
        winner = others.pop()
        lost = loser.faction
        if obj:
            add(obj, winner, "change", m["cue"], m.start(), "object", weak=True, loser=lost)
            continue
        # "his troops withdrew from the devastated town": the town named before
        noun = _anaphor(sv, m.end())
        before = [i for i, (ps, pe) in enumerate(sv.places) if pe <= loser.start]
        if noun and before:
            add((before[-1],), winner, "change", m["cue"], m.start(), "antecedent", weak=True,
                loser=lost)
        elif noun:
            add((), winner, "change", m["cue"], m.start(), "anaphora", anaphor=noun, weak=True,
                loser=lost)

    # "<loser> retreated to <place>": the side still holds the place it fell back to
    for m in lx["retreat_to"].finditer(text):
        if _modal(sv, m.start()):
            continue
        side = _actor_before(sv, m.start())
        if side is None:
            continue
        used.add(m.span("cue"))
        places = tuple(
            i
            for i, (ps, pe) in enumerate(sv.places)
            if ps == m.end() or (m.end() <= ps < m.end() + 12
                                 and re.fullmatch(r"(?:the\s+)?(?:[a-z]+\s+){0,2}(?:of\s+)?",
                                                  text[m.end():ps]))
        )
        add(places[:1], side.faction, "state", m["cue"], m.start(), "object", weak=True)

    # "<giver> handed over <place> to <winner>"
    for m in lx["handover"].finditer(text):
        a = _actor_after(sv, m.end(), window=20)
        if a is None or _modal(sv, m.start()):
            continue
        used.add(m.span("cue"))
        obj, _ = _object_places(sv, m.end("cue"))
        add(
            tuple(i for i in obj if sv.places[i][0] < m.end("obj")),
            a.faction,
            "change",
            m["cue"],
            m.start(),
            "object",
        )

    # "the capture of X, Y and Z (by W)"
    for m in lx["nominal"].finditer(text):
        if _modal(sv, m.start()) or (
            m["cue"].lower().startswith("fall")
            and not re.match(r"[^.;]{0,60}\bto\b", text[m.end() :])
        ):
            continue
        used.add(m.span("cue"))
        obj, _ = _object_places(sv, m.end())
        by = re.match(r"[^.;]{0,60}?\b(?:by|to)\s+", text[m.end() :])
        a = _actor_after(sv, m.end() + by.end(), window=15) if by else None
        # "ISIL takeover of Idlib", "the rebel capture of X": the actor right before the noun
        a = a or next(
            (x for x in sv.actors if 0 <= m.start() - x.end <= 4 and _subject_ok(sv, x)), None
        )
        if a is None and re.search(r"\b(?:its|their)\s+$", text[: m.start()], re.I):
            # "ISIL … followed by its capture of Mosul": the sentence's subject
            a = next((x for x in sv.actors if x.end <= m.start() and _subject_ok(sv, x)), None)
        if a is None and _NOMINAL_VERB.search(text[: m.start()]):
            # "the SDF … resulted in the capture of X": only verbs that make the capture the
            # subject's own ("celebrate the liberation of X" says nothing of who took it)
            a = _actor_before(sv, m.start())
        lead = re.match(r"\W*(?:after|following)\s+(?:the\s+)?$", text[: m.start()], re.I)
        if (
            a is None and lead
        ):  # "After the capture of X, the rebels turned …": the main clause's subject
            comma = text.find(",", m.end())
            a = next(
                (x for x in sv.actors if comma != -1 and x.start > comma and _subject_ok(sv, x)),
                None,
            )
            if a is not None and re.match(
                r"[\w\s'’-]{0,30}?\b(?:retreated|withdrew|fled|pulled|lost|surrendered)\b",
                text[a.end :],
            ):
                # "…, ISIL fighters retreated": the subject is the loser, the winner unsaid
                continue
        controller = a.faction if a else sv.prev_actor
        add(obj, controller, "change", m["cue"], m.start(), "object", weak=a is None)

    # active and passive control verbs
    for m in lx["active"].finditer(text):
        if overlaps(m):
            continue
        cue, verb_end = m["cue"], m.end()
        lead = cue.lower().split()[0]
        after = text[verb_end : verb_end + 20]
        by = re.match(r"\s+(?:\w+ly\s+)?by\s+", after)
        passive_mark = _word_before(text, m.start()) in {
            "was",
            "were",
            "been",
            "being",
            "is",
            "are",
            "be",
            "get",
            "got",
        }
        if by or (passive_mark and lead in lx["passive_only"]):
            if _modal(sv, m.start()):
                continue
            a = _actor_after(sv, verb_end + (by.end() if by else 0), window=12) if by else None
            if a is None:
                continue  # "was captured" with no captor named: the winner is not said
            places = (
                _antecedent(sv, m.start())
                or _list_before(sv, m.start(), gap=60)
                or _copular_subject(sv, m.start())
            )
            noun = ""
            if not places:
                # "The Kurdish-majority city was occupied by …": the city named before
                subj = _ANAPHOR.match(text[_clause_start(text, m.start()):])
                noun = subj.group("noun").lower() if subj else ""
            add(places, a.faction, "change", cue, m.start(), "subject", anaphor=noun)
            continue
        if passive_mark:
            continue
        transient = any(
            w in {"briefly", "temporarily", "momentarily"} for w in _prev_words(text, m.start(), 3)
        )
        if not transient and (_modal(sv, m.start()) or _in_past(sv, m.start())):
            continue
        w = _actor_before(sv, m.start())
        if transient and w is not None:
            # "IS briefly captured the town": the hold did not last; the piece's change by IS there
            # is void
            obj, _ = _object_places(sv, verb_end)
            add(
                obj,
                w.faction,
                "transient",
                cue,
                m.start(),
                "object",
                anaphor="" if obj else _anaphor(sv, verb_end),
            )
            continue
        if w is None:
            continue
        obj, partial = _object_places(sv, verb_end)
        if partial:
            add(obj, CONTESTED, "state", cue, m.start(), "object")
            continue
        if obj:
            add(obj, w.faction, "change", cue, m.start(), "object")
            continue
        if re.match(r"\s+(?:it|them)\b", text[verb_end:]):
            # "shelled Baba Amr for a month before capturing it": the place named before
            before = [i for i, (ps, pe) in enumerate(sv.places) if pe <= m.start()]
            if before and not re.search(r"[.;]", text[sv.places[before[-1]][1]:m.start()]):
                add((before[-1],), w.faction, "change", cue, m.start(), "antecedent")
            continue
        if lead in {"took", "taken", "entered"}:
            continue  # bare "took"/"entered" need a named object
        ante = _antecedent(sv, m.start())
        if (
            ante
            and re.search(r"\b(?:which|that)\b[^,.;]{0,40}$", text[: m.start()], re.I)
            and not re.search(
                r"\b(?:in|on|at|from|of|by|during|after|with|under)\s+(?:which|whom)\b[^,.;]{0,40}$",
                text[: m.start()],
                re.I,
            )
        ):
            add(ante, w.faction, "change", cue, m.start(), "antecedent")
            continue
        noun = _anaphor(sv, verb_end)
        if noun:
            add((), w.faction, "change", cue, m.start(), "anaphora", anaphor=noun)

    # ---------------------------------------------------------------- states
    for m in lx["held_adj"].finditer(text):
        fac = _faction(sv, m["fac"])
        if fac is None or _in_past(sv, m.start()):
            continue
        rest_start = m.end()
        if _DIRECTION.match(text[rest_start:]):
            continue  # "rebel-held east Aleppo", "regime-held parts of": only part of the place
        nxt = next((i for i, (s, e) in enumerate(sv.places) if s >= rest_start), None)
        filler = text[rest_start : sv.places[nxt][0]] if nxt is not None else ""
        if nxt is None or sv.places[nxt][0] - rest_start > 45 or not _HELD_FILLER.match(filler):
            continue
        if re.search(
            r"[A-Z][\w'’-]*\s+(?:district|neighbou?rhood|quarter|suburb|area|part)s?\s+of\s+$",
            filler,
        ):
            continue  # "the government-held Al-Fattah district of An-Nabk": only a part of it
        add((nxt,), fac, "state", m.group(0), m.start(), "adjective")

    # "government troops were in control of X on Tuesday"
    for m in lx["in_control"].finditer(text):
        if not re.search(r"\b(?:is|are|was|were|be|been|remain(?:s|ed)?|now|still|firmly)\s+$",
                         text[: m.start()], re.I):
            continue
        if _modal(sv, m.start()) or _in_past(sv, m.start()):
            continue
        w = _actor_before(sv, m.start())
        if w is None:
            continue
        obj, partial = _object_places(sv, m.end("cue"))
        add(obj, CONTESTED if partial else w.faction, "state", m["cue"], m.start(), "object")

    for m in lx["holds"].finditer(text):
        if overlaps(m) or _modal(sv, m.start()):
            continue
        w = next((a for a in sv.actors if re.fullmatch(
            r"\s+(?:(?:now|still|currently|already|largely|effectively|firmly|also|fully)\s+)*",
            text[a.end : m.start()], re.I)), None)
        if w is None:
            continue
        obj, partial = _object_places(sv, m.end("cue"))
        add(obj, CONTESTED if partial else w.faction, "state", m["cue"], m.start(), "object")

    for m in lx["held_by"].finditer(text):
        a = _actor_after(sv, m.end(), window=15)
        if a is None or _in_past(sv, m.start()) or _modal(sv, m.start()):
            continue
        places = _antecedent(sv, m.start()) or _list_before(sv, m.start(), gap=30)
        noun = ""
        if not places:
            # "The town and nine villages, which had been controlled by rebels since 2012"
            subj = _ANAPHOR.match(text)
            noun = subj.group("noun").lower() if subj else ""
        add(places, _share(sv, places, a.faction), "state", m["cue"], m.start(), "subject",
            anaphor=noun)

    for m in lx["hands"].finditer(text):
        fac_text = m["fac"] or m["fac2"]
        fac = _faction(sv, fac_text)
        if fac is None and re.fullmatch(r"[A-Z][a-z]+(?:ish|i|ian|an|ese)", fac_text.strip()):
            # "under Russian control", "in Turkish hands": the nation's own forces
            fac = next((f for f in (sv.resolve_word(f"{fac_text.strip()} {h}")
                                    for h in ("forces", "army", "troops")) if f), None)
        if fac is None or _in_past(sv, m.start()):
            continue
        kind = "change" if (m["pre"] or m["pre2"]) else "state"
        before = [
            w.lower() for w in re.findall(r"[\w'’]+", text[max(0, m.start() - 30) : m.start()])
        ]
        weak = False
        if "never" in before or "not" in before[-3:]:
            if sv.incumbent is None or fac == sv.incumbent:
                continue
            fac, weak = (
                sv.incumbent,
                True,
            )  # "had never been in opposition hands": the state held it
        elif _modal(sv, m.start()):
            continue
        places = (
            _antecedent(sv, m.start())
            if re.search(r"\b(?:which|that)\b[^,.;]{0,40}$", text[: m.start()])
            else ()
        )
        places = places or _list_before(sv, m.start(), gap=40)
        add(
            places,
            _share(sv, places, fac),
            kind,
            m.group(0).strip(),
            m.start(),
            "subject",
            weak=weak,
        )

    for m in lx["stronghold"].finditer(text):
        fac = _faction(sv, m["fac"])
        pre = (m["pre"] or "").lower()
        if fac is None or any(w in _lex()["past"] for w in pre.split()):
            continue
        after = text[m.end() : m.end() + 60]
        places: tuple[int, ...] = ()
        inc = re.match(r"\s*,?\s*(?:including|such as|like|among them|of)\s+", after, re.I)
        if inc:
            start = m.end() + inc.end()
            places = tuple(i for i, (s, e) in enumerate(sv.places) if s == start)
            if places:
                places = _list_from(sv, places[0])
        if not places:
            before = text[: m.start()]
            appos = re.search(
                r"(?:,\s*|\s+(?:is|was|remains|remained|became|has been|had been|as)\s+)$", before
            )
            if appos or not before.strip():
                places = _list_before(sv, m.start(), gap=25, locative=True)
        add(places, fac, "state", m["cue"], m.start(), "list" if inc else "descriptor")

    for m in lx["noun_of"].finditer(text):
        fac = _faction(sv, m["fac"])
        if fac is None:
            continue
        places = tuple(i for i, (s, e) in enumerate(sv.places) if s == m.end())
        add(places, fac, "state", m.group(0).strip(), m.start(), "adjective")

    for m in lx["flag"].finditer(text):
        w = _actor_before(sv, m.start())
        if w is None or _modal(sv, m.start()):
            continue
        places = tuple(
            i
            for i, (s, e) in enumerate(sv.places)
            if m.end() <= s < _span_end(text, m.end()) + 1 or s == m.end()
        )
        add(places[:1], w.faction, "state", "flag", m.start(), "object")
    return out


def _share(sv: SentenceView, places: tuple[int, ...], controller: str) -> str:
    """ "41% of Raqqa was held by the SDF": holding part of a place makes it contested."""
    if places and _lex()["quantity"].search(
        sv.text[max(0, sv.places[places[0]][0] - 30) : sv.places[places[0]][0]]
    ):
        return CONTESTED
    return controller


def _list_from(sv: SentenceView, first: int, *, loose: bool = False) -> tuple[int, ...]:
    out = [first]
    # loose: "A, B, and the strategic C area" — a determiner and adjectives may open an item
    item = r"(?:\s*(?:the\s+)?(?:[a-z]+\s+)?)?" if loose else ""
    for i in range(first + 1, len(sv.places)):
        joint = sv.text[sv.places[out[-1]][1] : sv.places[i][0]]
        if re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or)\s*" + item, joint):
            out.append(i)
        else:
            break
    return tuple(out)
