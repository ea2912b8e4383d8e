"""The extraction lexicons (control verbs, attribution, generic actor words), loaded from
data/*.toml.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources


@functools.cache
def load(name: str) -> dict:
    """One bundled lexicon file by stem (``"verbs"``, ``"attribution"``, ``"actors"``)."""
    text = (resources.files("extract") / "data" / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def alternation(words) -> str:
    """A regex alternation of literal phrases (longest first, so "took control of" beats "took").

    Entries are regex fragments already; spaces match any run of whitespace.
    """
    # longest literal first; lookaheads ("took(?! place)") do not count towards the length
    items = sorted(
        {w for w in words if w},
        key=lambda w: len(re.sub(r"\(\?<?[!=][^)]*\)", "", w)),
        reverse=True,
    )
    return "(?:" + "|".join(w.replace(" ", r"\s+") for w in items) + ")"


@functools.cache
def word_regex(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + alternation(words) + r"(?![\w-])", re.IGNORECASE)
