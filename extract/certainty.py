"""Certainty from attribution: who says it, and whether anyone independent confirms it.

A control statement is ``claimed`` when it sits in the scope of a partisan source ("state TV
said …", "…, said the commander", "according to the group") or under a hedge ("reportedly",
"could not be independently verified", "are said to have"); it is ``confirmed`` in the author's own
voice, when an independent source reports it (an observatory, a wire agency), or when a sentence
confirms it ("a statement confirmed by a UK-based rights group", "both sides agree").
Scope: a source before its speech verb governs what follows ("X said that …"); a source after a
comma governs what precedes (", AP said"). Lexicons: data/attribution.toml.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .lexicon import alternation, load


@dataclass(frozen=True, slots=True)
class Attribution:
    """Sentence-level attribution facts, with the spans partisan sources govern."""

    partisan_scopes: tuple[tuple[int, int], ...]  # offsets within the sentence
    hedged: bool
    confirmed: bool
    disclaimer_only: bool  # the sentence is nothing but "The reports could not be verified."
    independent: bool = False  # an independent source (monitor, reporter, witnesses) reports it

    def certainty_at(self, pos: int) -> str:
        if self.hedged:
            return "claimed"
        if self.confirmed:
            return "confirmed"
        if any(s <= pos < e for s, e in self.partisan_scopes):
            return "claimed"
        return "confirmed"


# "said on 12 December 2025", "said on Tuesday": when it was said, not what
_SPEECH_DATE = re.compile(
    r"\b(?:on|late|early)\s+(?:\w+day\b|\d{1,2}\s+[A-Z][a-z]+(?:\s+\d{4})?|"
    r"[A-Z][a-z]+\s+\d{1,2}(?:,?\s+\d{4})?)"
)
_BACKREF = re.compile(
    r"^\W*(?:the|that|this|these|those|such)\s+(?:\w+\s+)?(?:reports?|claims?|accounts?|"
    r"announcements?|statements?|assertions?)\s+(?:was|were|is|are|has\s+been|have\s+been|"
    r"could\s+not\s+be|cannot\s+be|remains?|remained)\b",
    re.I,
)
SUBORDINATE = re.compile(
    r"^\W*(?:although|though|even though|while|whereas|despite|as)\b[^,;]*$", re.I
)


@functools.cache
def _rx():
    lex = load("attribution")
    partisan = alternation(lex["partisan"])
    speech = alternation(
        lex["speech"]
        + [f"'s {w}" for w in lex.get("speech_nouns", [])]
        + [f"{w} by" for w in lex.get("speech_by", [])]
    )
    gap = r"(?:[\s,]+[\w'’\-]+){0,4}?[\s,]+"
    return {
        # "state TV said", "Hezbollah's declaration", "pro-regime accounts say"
        "before": re.compile(
            r"(?<![\w-])(?P<src>"
            + partisan
            + r")(?:"
            + gap
            + r"|\s*)(?P<verb>"
            + speech
            + r")(?![\w])",
            re.I,
        ),
        # "said state television", "according to the group", "spread by pro-Assad outlets"
        "after": re.compile(
            r"(?<![\w-])(?P<verb>"
            + speech
            + r")(?:"
            + gap
            + r"|\s+)(?P<src>"
            + partisan
            + r")(?![\w])",
            re.I,
        ),
        "confirm": re.compile(r"(?<![\w-])" + alternation(lex["confirm"]) + r"(?![\w])", re.I),
        "independent": re.compile(
            r"(?<![\w-])(?:(?P<src>" + alternation(lex.get("independent", ["(?!)"])) + r")"
            + r"(?:[\s,]+[\w'’\-]+){0,6}?[\s,]+(?:" + speech + r")"
            + r"|(?:" + speech + r")(?:[\s,]+[\w'’\-]+){0,4}?[\s,]+(?:"
            + alternation(lex.get("independent", ["(?!)"])) + r"))(?![\w])",
            re.I,
        ),
        "hedge": re.compile(r"(?<![\w-])" + alternation(lex["hedges"]) + r"(?![\w])", re.I),
        "disclaim": re.compile(
            r"(?<![\w-])" + alternation(lex.get("disclaimers", lex["hedges"])) + r"(?![\w])", re.I
        ),
    }


def attribution(sentence: str, *, faction_speakers: list[tuple[int, int]] = ()) -> Attribution:
    """Attribution facts of one sentence. ``faction_speakers``: actor spans followed by a speech
    verb.
    """
    rx = _rx()
    scopes: list[tuple[int, int]] = []
    n = len(sentence)
    for m in rx["before"].finditer(sentence):
        tail = re.match(r"[^,;:.]*", sentence[m.end() :]).group(0)
        if SUBORDINATE.match(sentence[: m.start()]) and "," in sentence[m.end() :]:
            # "Although the ministry said X, Y": the source governs its own clause only
            scopes.append((m.end(), m.end() + sentence[m.end() :].index(",")))
            continue
        if (
            re.search(r",\s*(?:[\w'’\-]+\s+){0,3}$", sentence[: m.start()])
            and len(_SPEECH_DATE.sub(" ", tail).split()) <= 3
        ):  # ", state TV said" (on 12 December) governs the sentence before it
            scopes.append((0, m.start()))
        else:
            scopes.append((m.end(), n))
    for m in rx["after"].finditer(sentence):
        trailing = re.match(
            r"(?:said|says|say|told|reported|added|according to|stated|claimed)\b", m["verb"], re.I
        )
        if m["verb"].lower().startswith("according"):
            scopes.append((0, n))  # "according to state media" qualifies the whole sentence
        elif trailing and sentence[: m.start()].rstrip().endswith(","):
            scopes.append((0, m.start()))
        else:
            scopes.append((m.end(), n))
    scopes.extend(faction_speakers)
    hedge = rx["hedge"].search(sentence)
    confirm = [m for m in rx["confirm"].finditer(sentence)]
    negated = bool(
        re.search(
            r"\b(?:not|no|cannot|couldn't|without)\b[\w\s]{0,20}(?:confirm|verif)", sentence, re.I
        )
    )
    confirmed = bool(confirm) and not negated
    hedged = bool(hedge) and not confirmed
    disclaimer = (
        bool(rx["disclaim"].search(sentence))
        and len(sentence) < 90
        and not re.search(r"\b(?:captured|seized|held|took)\b", sentence)
    )
    # "The report was disputed, but if true, …": a sentence that opens by disowning the report
    # just told disclaims it, whatever follows
    opener = _BACKREF.match(sentence)
    if opener and rx["disclaim"].search(sentence, opener.start(), opener.end() + 40):
        disclaimer = True
    independent = bool(rx["independent"].search(sentence)) and not hedge
    return Attribution(tuple(scopes), hedged, confirmed, disclaimer, independent)
