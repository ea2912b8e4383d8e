"""Actor mentions in text, through the factions file's aliases (plus a few generic words).

Short all-capital aliases ("IS", "SAA", "HTS") match case-sensitively so that "is" stays a verb;
everything else ignores case. Longest alias first, so "opposition forces" beats "opposition".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layers.factions import UnknownFaction, alias_key

from .lexicon import load


@dataclass(frozen=True, slots=True)
class Actor:
    start: int
    end: int
    text: str
    faction: str  # faction id


class ActorMatcher:
    """Finds faction mentions; built once per factions file."""

    def __init__(self, factions):
        self.factions = factions
        table: dict[str, str] = {}
        for f in factions:
            for text in (f.label, *f.aliases):
                table.setdefault(text, f.id)
        lex = load("actors")
        for word, alias in lex.get("generic", {}).items():
            if not alias:
                table.setdefault(word, "")
                continue
            try:
                table.setdefault(word, factions.resolve(alias).id)
            except UnknownFaction:
                continue  # this factions file has no such side: the generic word names nobody
        try:
            self.incumbent = factions.resolve(lex.get("incumbent", {}).get("alias", "")).id
        except UnknownFaction:
            self.incumbent = None
        exact = sorted((a for a in table if len(a) <= 3 and a.isupper()), key=len, reverse=True)
        loose = sorted((a for a in table if a not in exact), key=len, reverse=True)
        self._by_key = {alias_key(a): fid for a, fid in table.items()}
        self._generic = {alias_key(w) for w in lex.get("generic", {})}
        nouns = lex.get("attributive", {}).get("before", [])
        self._attributive = re.compile(
            r"\s+(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in nouns) + r")\b",
            re.I,
        ) if nouns else re.compile(r"(?!)")
        # one-word lower-case aliases are common nouns ("army", "regime"): a nationality can
        # override them
        self._common = {alias_key(a) for a in table if a.islower()}
        # nationality adjectives that name the home side in this factions file ("Syrian troops")
        self._home = {
            w
            for a in table
            for w in re.findall(
                r"\b([A-Z][a-z]+(?:ish|i|ian|an|ese))\s+(?:army|troops|forces|government)\b", a
            )
            if table[a] == _incumbent(lex, factions)
        }
        self._by_exact = {a: table[a] for a in exact}
        phrases = lex.get("phrases", {})
        self._metonyms = dict(phrases.get("metonyms", {}))
        heads = phrases.get("heads", [])
        self._heads = {h.casefold() for h in heads}
        self._modifiers = {w.casefold() for w in phrases.get("modifiers", [])}
        self._patron = re.compile(
            r"(?<![\w-])(?:[Pp]ro-(?P<pro>[A-Z][\w.’']*)|(?P<pat>[A-Z][\w.’']*?)\s?-\s?(?:"
            + "|".join(map(re.escape, phrases.get("patron_links", [])))
            + r"))(?![\w-])"
        )
        self._nation = re.compile(
            r"(?<![\w-])(?P<nat>[A-Z][a-z]+(?:ish|i|ian|an|ese))\s+(?:"
            + "|".join(re.escape(h).replace(r"\ ", r"\s+")
                       for h in phrases.get("nation_heads", heads))
            + r")(?![\w-])"
        )
        self._led_by = re.compile(
            r"\s*,?\s*(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                   for w in phrases.get("led_by", [])) + r")\s+(?:the\s+)?$",
            re.I,
        )
        self._incumbent_id = _incumbent(lex, factions)
        verbs = phrases.get("subject_verbs", [])
        self._metonym_subject = re.compile(
            r"(?<![\w-])(?P<who>"
            + "|".join(re.escape(w) for w in sorted(self._metonyms, key=len, reverse=True))
            + r")(?:(?:['’]s\s+(?:\w+\s+)?(?i:"
            + "|".join(re.escape(h).replace(r"\ ", r"\s+")
                       for h in phrases.get("nation_heads", []) + ["military command",
                                                                   "defence ministry",
                                                                   "defense ministry"])
            + r"))|\s+(?:(?:has|have|had|also|now|then|later|on\s+\w+day)\s+)*(?:"
            + "|".join(map(re.escape, verbs))
            + r"))(?![\w-])"
        ) if self._metonyms and verbs else re.compile(r"(?!)")
        self._loyal = re.compile(
            r"(?<![\w-])(?:" + "|".join(map(re.escape, heads)) + r")\s+(?:loyal|allied)\s+to\s+",
            re.I,
        )
        coref = phrases.get("coreference", [])
        self._coref = (
            re.compile(
                r"(?<![\w-])(?:(?P<pron>its|their|his|her)\s+(?:own\s+)?(?:"
                + "|".join(map(re.escape, heads))
                + r")|the\s+(?:"
                + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in coref)
                + r"))(?![\w-])",
                re.I,
            )
            if coref
            else None
        )
        bare = phrases.get("bare_coreference", [])
        self._bare = (
            re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, bare)) + r")(?![\w-])", re.I)
            if bare
            else None
        )
        parts = []
        if exact:
            parts.append("(?-i:" + "|".join(re.escape(a) for a in exact) + ")")
        parts.append("|".join(_loose(a) for a in loose))
        self._rx = re.compile(
            r"(?:(?<![\w-])|(?<=\bal-)|(?<=\bel-))(?:" + "|".join(parts) + r")(?:'s|’s)?(?![\w])",
            re.IGNORECASE,
        )

    def find(
        self,
        text: str,
        start: int = 0,
        end: int | None = None,
        *,
        antecedent: str | None = None,
        insurgent: str | None = None,
    ) -> list[Actor]:
        """Actor mentions in ``text[start:end]``; ``antecedent`` is the side named last before the
        text, which "the group", "the militia" stand for; ``insurgent`` the non-incumbent side
        named last in the piece, which a bare "extremists" stands for."""
        out = []
        for m in self._rx.finditer(text, start, len(text) if end is None else end):
            raw = re.sub(r"['’]s$", "", m.group(0))
            fid = self._by_exact.get(raw) or self._by_key.get(alias_key(raw))
            key = alias_key(raw)
            if key in self._generic and self._attributive.match(text, m.start() + len(raw)):
                continue  # "the military airport": an adjective of a place
            if (
                key in self._generic
                and out
                and re.fullmatch(r"[\s-]*", text[out[-1].end : m.start()])
            ):
                continue  # "SDF troops": the generic word belongs to the actor just named
            if (
                fid
                and key in self._generic
                and raw[:1].isupper()
                and re.match(r"\s+[A-Z]", text[m.end() :])
                and m.start() > 0
                and not re.search(r"[.!?:]\s*$|^\s*$", text[: m.start()])
            ):
                continue  # "Akhtarin Military Council": part of a name, not the army
            if fid and (key in self._generic or key in self._common):
                # "Turkish troops", "Iraqi army": a nationality makes a generic word someone else's
                nat = re.search(
                    r"\b([A-Z][a-z]+(?:ish|i|ian|an|ese)|US|U\.S\.)\s+$",
                    text[max(0, m.start() - 20) : m.start()],
                )
                if nat:
                    try:
                        fid = self.factions.resolve(f"{nat.group(1)} forces").id
                    except UnknownFaction:
                        fid = "" if nat.group(1) not in self._home else fid
            if fid:
                out.append(Actor(m.start(), m.start() + len(raw), raw, fid))
        hi = len(text) if end is None else end
        if self._heads:
            out = self._phrases(text, out, start, hi)
        if self._coref is not None:
            out = self._corefs(text, out, start, hi, antecedent)
        if self._bare is not None:
            out = self._bare_corefs(text, out, start, hi, insurgent)
        return out

    def _bare_corefs(self, text, actors, lo, hi, insurgent):
        out = list(actors)
        for m in self._bare.finditer(text, lo, hi):
            if any(a.start < m.end() and m.start() < a.end for a in out):
                continue
            before = [a for a in out if a.end <= m.start() and a.faction != self._incumbent_id]
            fid = before[-1].faction if before else insurgent
            if fid and fid != self._incumbent_id:
                out.append(Actor(m.start(), m.end(), m.group(0), fid))
        out.sort(key=lambda a: a.start)
        return out

    def _corefs(self, text, actors, lo, hi, antecedent):
        """ "its fighters", "their forces" → the side named before them in the sentence; "the
        group", "the militia" → that side, or the one named in an earlier sentence."""
        out = list(actors)
        for m in self._coref.finditer(text, lo, hi):
            if any(a.start < m.end() and m.start() < a.end for a in out):
                continue
            before = [a for a in out if a.end <= m.start()]
            fid = before[-1].faction if before else antecedent
            if fid:
                out.append(Actor(m.start(), m.end(), m.group(0), fid))
        out.sort(key=lambda a: a.start)
        return out

    # ------------------------------------------------------------ actor phrases
    def _side_of(self, word: str) -> str | None:
        """The side a patron or nationality word stands for in this factions file, or None:
        "Turkey"/"Ankara"/"Turkish" → the side aliased "Turkish forces"; the home nationality →
        the incumbent."""
        word = word.strip(".’'")
        fid = self._by_exact.get(word) or self._by_key.get(alias_key(word))
        if fid:
            return fid
        adj = self._metonyms.get(word, word)
        for form in (f"{adj}-backed", f"{adj} forces", f"{adj} army", f"{adj} troops",
                     f"{adj} military", f"{adj}s"):
            fid = self._by_key.get(alias_key(form))
            if fid:
                return fid
        if adj in self._home and self._incumbent_id:
            return self._incumbent_id
        return None

    def _phrases(self, text: str, actors: list[Actor], lo: int, hi: int) -> list[Actor]:
        """Noun phrases whose head or patron decides the side (see data/actors.toml [phrases])."""
        out = list(actors)
        # "Syrian forces", "Sudanese troops": a nationality before a group noun
        for m in self._nation.finditer(text, lo, hi):
            if any(a.start < m.end() and m.start() < a.end for a in out):
                continue
            fid = self._side_of(m["nat"])
            if fid:
                out.append(Actor(m.start(), m.end(), m.group(0), fid))
        # "Russia said", "Ukraine's military command confirmed", "Damascus announced": a country
        # or capital as the subject of a speech or capture verb stands for its state's side
        for m in self._metonym_subject.finditer(text, lo, hi):
            if any(a.start < m.end("who") and m.start() < a.end for a in out):
                continue
            fid = self._side_of(m["who"])
            if fid:
                out.append(Actor(m.start(), m.end("who"), m["who"], fid))
        # "Turkish-backed rebels", "Ankara-aligned forces", "pro-Turkish fighters"
        for m in self._patron.finditer(text, lo, hi):
            fid = self._side_of(m["pro"] or m["pat"])
            end = self._phrase_end(text, m.end(), out, hi)
            if end is None:
                continue
            if fid is None:
                continue  # "US-backed SDF": the noun phrase's own side stands
            out = [a for a in out if not (m.start() <= a.start < end)]
            out.append(Actor(m.start(), end, text[m.start():end], fid))
        out.sort(key=lambda a: a.start)
        # "forces loyal to Assad": the side of the one they are loyal to
        for m in self._loyal.finditer(text, lo, hi):
            b = next((a for a in out if 0 <= a.start - m.end() <= 25
                      and re.fullmatch(r"[\w\s'’.-]*", text[m.end():a.start])), None)
            if b is None or any(m.start() < a.end and a.start < m.end() for a in out):
                continue
            out.append(Actor(m.start(), m.end(), m.group(0), b.faction))
        out.sort(key=lambda a: a.start)
        # "rebels led by HTS": the leader's side
        for i in range(len(out) - 1):
            a, b = out[i], out[i + 1]
            if a.faction != b.faction and self._led_by.fullmatch(text[a.end:b.start] + " "):
                out[i] = Actor(a.start, a.end, a.text, b.faction)
        return out

    def _phrase_end(self, text: str, pos: int, actors: list[Actor], hi: int) -> int | None:
        """Where the noun phrase after a patron ends: its first group noun or actor name (and
        any group nouns, actor names or "(ABBR)" right after), or None when none comes first."""
        end = None
        for tok in re.finditer(r"\s*(\([A-Z]{2,6}\)|[\w’'-]+)", text[pos:hi]):
            a = next((x for x in actors if x.start <= pos + tok.start(1) < x.end), None)
            word = tok.group(1)
            if a is not None:
                end = a.end
            elif word.casefold() in self._heads or (end is not None and word.startswith("(")):
                end = pos + tok.end(1)
            elif end is not None or not (word[:1].isupper() or word.casefold() in self._modifiers):
                break
            if tok.end() > 60:
                break
            if a is not None:
                # continue after the actor's end
                continue
        return end

    def resolve_word(self, word: str) -> str | None:
        """The faction of one phrase ("rebel", "regime", "Islamic State"), or None."""
        return self._by_exact.get(word) or self._by_key.get(alias_key(word)) or None



def _incumbent(lex, factions):
    try:
        return factions.resolve(lex.get("incumbent", {}).get("alias", "")).id
    except UnknownFaction:
        return None


def _loose(alias: str) -> str:
    # hyphens, spaces and apostrophes interchangeable ("al-Nusra" / "al Nusra")
    out = []
    for ch in alias:
        if ch in " -":
            out.append(r"[\s\-]+")
        elif ch in "'’ʿ":
            out.append("['’ʿ]?")
        else:
            out.append(re.escape(ch))
    return "".join(out)
