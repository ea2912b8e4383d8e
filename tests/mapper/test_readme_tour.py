"""Every command of the README's "A short tour of the CLI" runs as written on a fresh clone: the
files it names ship with the repository (examples/)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mapper.cli import app

ROOT = Path(__file__).resolve().parents[2]


def tour_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A short tour of the CLI", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_tour_is_parsed():
    commands = tour_commands()
    assert commands[0] == ". .venv/bin/activate"
    assert len(commands) >= 12
    assert all(c.startswith("frontline ") for c in commands[1:]), commands


@pytest.mark.parametrize("command", tour_commands()[1:])
def test_tour_command_runs_as_written(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (command, result.output, result.exception)
    for option in ("-o", "--chart"):  # what the command says it writes is there
        if option in args:
            written = tmp_path / args[args.index(option) + 1]
            assert written.exists(), (command, written)
