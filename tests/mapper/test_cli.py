"""The root CLI: version, help, lazy command loading, error handling."""

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from mapper import __version__
from mapper.cli import COMMANDS, app
from mapper.commands._common import handles_errors

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"frontline {__version__}"


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_unknown_command_is_a_usage_error():
    result = runner.invoke(app, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_gazetteer_command_does_not_import_geopandas():
    code = (
        "import sys\n"
        "from mapper.cli import app\n"
        "try:\n"
        "    app(['gazetteer', 'resolve', 'Douma', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('geopandas' in sys.modules, 'folium' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_handles_errors_turns_user_errors_into_exit_1(capsys):
    @handles_errors
    def boom():
        raise FileNotFoundError(2, "No such file", "missing.csv")

    with pytest.raises(typer.Exit) as info:
        boom()
    assert info.value.exit_code == 1
    assert "missing.csv" in capsys.readouterr().err


def test_handles_errors_turns_geos_errors_into_exit_1(capsys):
    shapely = pytest.importorskip("shapely")

    @handles_errors
    def boom():
        raise shapely.errors.GEOSException("IllegalArgumentException: mixed dimension")

    with pytest.raises(typer.Exit):
        boom()
    assert "geometry error" in capsys.readouterr().err


def test_handles_errors_lets_bugs_through():
    @handles_errors
    def bug():
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        bug()


def _command_paths(command, prefix=()):
    """Every command and sub-command of the CLI, as argument lists."""
    yield list(prefix)
    for name in getattr(command, "commands", {}) or {}:
        yield from _command_paths(command.commands[name], (*prefix, name))


def test_no_help_shows_a_typer_type_label_metavar():
    """`--version <bool>`, `<str>`, `<list[str]>`: flags show no metavar, values a click-style
    name (TEXT, PATH, DATE…) in every command's --help."""
    import re

    import typer

    from mapper.cli import app as cli_app

    root = typer.main.get_command(cli_app)
    paths = list(_command_paths(root))
    assert len(paths) > 12 and ["gazetteer", "resolve"] in paths
    for path in paths:
        result = CliRunner().invoke(cli_app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        labels = re.findall(r"<(?:bool|str|int|float|file|dir|path|datetime|list\[[^>]*\]|"
                            r"[\w-]+(?:\|[\w-]+)+)>", result.output)
        assert labels == [], (path, labels)
        assert "--help" in result.output
    flag_help = CliRunner().invoke(cli_app, ["--help"], terminal_width=200).output
    assert re.search(r"--version\s+Print the version", flag_help), flag_help
