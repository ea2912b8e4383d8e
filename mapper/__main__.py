"""``python -m mapper`` runs the ``frontline`` command."""

from .cli import app

app(prog_name="frontline")
