"""``python -m mapper`` runs the ``frontline`` command."""

from .cli import app

if __name__ == "__main__":  # not when a worker process imports the main module
    app(prog_name="frontline")
