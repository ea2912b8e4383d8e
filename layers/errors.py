"""Errors of the layers package; each also inherits the builtin a caller would naturally catch."""

from __future__ import annotations


class LayersError(Exception):
    """Base of every layers error."""


class UnknownFaction(LayersError, LookupError):
    """``value`` names no faction; ``suggestions`` holds the closest aliases."""

    def __init__(self, value: str, suggestions: list[str] | None = None, *, path: str = ""):
        self.value = value
        self.suggestions = list(suggestions or [])
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        where = f" in {path}" if path else ""
        super().__init__(
            f"unknown controller {value!r}: no faction id or alias{where} matches.{hint} "
            "Use a faction id or alias, or add the alias to the factions file."
        )


class FactionsFileError(LayersError, ValueError):
    """A factions file is malformed (names the file, the faction and the field)."""


class ObservationsFileError(LayersError, ValueError):
    """An events file cannot be read at all (bad format, bad header); row problems are Problems."""


class InvalidDate(LayersError, ValueError):
    """A date is not ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (or is impossible); ``reason`` says
    what is wrong without repeating the value."""

    def __init__(self, value: str, reason: str, *, fix: str = "write YYYY-MM-DD, YYYY-MM or YYYY"):
        self.value = value
        self.reason = reason
        super().__init__(f"{value!r}: {reason}; {fix}")


class OutputFormatError(LayersError, ValueError):
    """An output path has an extension no writer handles."""
