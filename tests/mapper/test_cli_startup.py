"""What the CLI imports to start: lazy package attributes, the version without
importlib.metadata, and typer's coercion without pydantic (mapper/cli.py ``_quicken``)."""

import importlib
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest

import layers
import mapper
from mapper.cli import COMMANDS, _LazyCommandMap, app

# every name `from layers import X` gave before its attributes became lazy: none may go missing
LAYERS_EXPORTS = {
    "CONTESTED": "factions", "CheckReport": "check", "Diff": "diff", "Faction": "factions",
    "Factions": "factions", "FactionsFileError": "errors", "InvalidDate": "errors",
    "LayersError": "errors", "ObservationSet": "observations",
    "ObservationsFileError": "errors", "OutputFormatError": "errors", "Problem": "problems",
    "StateMatrix": "timeline", "Timeline": "timeline", "UnknownFaction": "errors",
    "build_timeline": "timeline", "check_observations": "check", "diff_states": "diff",
    "load_factions": "factions", "read_observations": "observations", "slice_at": "timeline",
    "write_frame": "io", "write_layers": "io",
}


def _run(code: str, tmp_path: Path) -> str:
    env = {"FRONTLINE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("name", sorted(LAYERS_EXPORTS))
def test_every_layers_name_is_importable(name):
    value = getattr(layers, name)
    module = importlib.import_module(f"layers.{LAYERS_EXPORTS[name]}")
    assert value is getattr(module, name)
    assert name in layers.__all__ and name in dir(layers)


def test_layers_star_import_gives_all():
    namespace: dict = {}
    exec("from layers import *", namespace)
    assert set(LAYERS_EXPORTS) <= set(namespace)


def test_unknown_layers_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        layers.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from layers import no_such_name", {})


def test_import_layers_imports_no_submodule_until_used(tmp_path):
    code = ("import sys, layers\n"
            "before = sorted(m for m in sys.modules if m.startswith('layers.'))\n"
            "geopandas = 'geopandas' in sys.modules\n"
            "layers.io.write_frame  # a bare `import layers` still reaches its submodules\n"
            "print(before, geopandas)\n")
    assert _run(code, tmp_path) == "[] False"


def test_version_is_the_installed_one():
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("frontline-mapper")
    except PackageNotFoundError:  # a source tree without install
        pytest.skip("frontline-mapper is not installed")
    assert mapper.__version__ == installed


def test_version_does_not_import_importlib_metadata(tmp_path):
    code = ("import sys\n"
            "from mapper.cli import app\n"
            "try:\n"
            "    app(['--version'], prog_name='frontline')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('importlib.metadata' in sys.modules, 'pydantic' in sys.modules)\n")
    assert _run(code, tmp_path) == "False False"


@pytest.mark.parametrize(("argv", "code", "unused"), [
    # a clean check prints to stdout only: not even rich's console
    (["events", "check", "events.csv"], 0, ("pydantic", "typer._adapters", "rich")),
    (["slice", "events.csv", "--at", "2012-01-01", "-o", "out.csv"], 0,
     ("pydantic", "typer._adapters", "rich")),  # its plain stderr lines need no rich either
    (["slice", "events.csv", "--at", "2012-01-01", "-o", "out.csv", "--every", "month"], 1,
     ("pydantic", "typer._adapters", "rich.live")),  # both --at and --every: an error
])
def test_slice_and_check_do_not_import_pydantic(tmp_path, argv, code, unused):
    (tmp_path / "events.csv").write_text("date,place,lat,lon,controller\n"
                                         "2012-01-01,Alpha,35.1,36.7,government\n")
    script = ("import sys\n"
              "from mapper.cli import app\n"
              "try:\n"
              f"    app({argv!r}, prog_name='frontline')\n"
              "except SystemExit as stop:\n"
              "    status = stop.code\n"
              f"print(status, sorted(m for m in {unused!r} if m in sys.modules))\n")
    assert _run(script, tmp_path) == f"{code} []"


# --- the quick coercion gives what typer's own coercion gives, value for value -------------

def _every_command():
    import typer

    root = typer.main.get_command(app)
    stack = [root, *(root.commands[name] for name in COMMANDS)]
    while stack:
        command = stack.pop()
        yield command
        if not isinstance(getattr(command, "commands", None), _LazyCommandMap):
            stack.extend(getattr(command, "commands", {}).values())


def _outcome(runtime_param, value, param, ctx):
    try:
        out = runtime_param.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 — the error is what gets compared
        return ("error", type(exc).__name__, str(exc))
    return ("value", type(out).__name__, out)


class _Colour(Enum):
    red = "red"


def test_quick_coercion_matches_typers_on_every_parameter(tmp_path, monkeypatch):
    import typer
    from typer._coercion import build_runtime_param

    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.csv").write_text("x\n")
    (tmp_path / "dir").mkdir()
    values = [None, "", "x", "file.csv", "./file.csv", "dir//file.csv", "dir", "dir/",
              "missing.csv", "-", "é.csv", "\udcff", "  padded ", True, False, 0, 1.5,
              Path("file.csv"), Path("dir"), Path("missing.csv"), _Colour.red,
              ("a", "b"), (), ["file.csv"], ("a", 1), ("\udcff",)]
    checked = 0
    for command in _every_command():
        ctx = typer.Context(command)
        params = [*command.params, command.get_help_option(ctx)]
        for param in params:
            quick = getattr(param, "_runtime_param", None)
            if quick is None or not hasattr(quick, "quick"):
                continue
            typers = build_runtime_param(param.type_descriptor)
            choices = [m for m in getattr(param.type_descriptor.annotation, "__members__",
                                          {}).values()]
            for value in [*values, *choices, *(m.value for m in choices),
                          *(str(m.value).upper() for m in choices)]:
                got = _outcome(quick, value, param, ctx)
                want = _outcome(typers, value, param, ctx)
                assert got == want, (command.name, param.name, value)
                checked += 1
    assert checked > 1000  # every command's str, Path, list, bool and choice parameters


# --- info() without rich prints what rich prints --------------------------------------------

@pytest.mark.parametrize("message", [
    "events.csv: 300000 rows read = 300000 used + 0 dropped (0 errors, 0 warnings)",
    "wrote 1156604 rows (120 dates × 10013 places) to out/slice.parquet",
    "  leading and trailing spaces  ", "", "x" * 500, "حلب Aleppo 阿勒颇 🙂 e\u0301",
    "12 report groups contested: confirmed sources disagree within the window of 3 days",
    # not plain: rich's own printing, as before
    "a :warning: here", "events.csv:12: duplicate: same row", "tab\there", "cr\rhere",
    "two\nlines", "bell\x07", "[bold]not markup[/bold]", "C:\\data\\x.csv:3:",
])
def test_info_prints_what_rich_prints(message, capsys, monkeypatch):
    from rich.console import Console

    from mapper.commands import _common

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    _common.info(message)
    got = capsys.readouterr().err
    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False,
                                                                highlight=False)
    assert got == capsys.readouterr().err


def test_console_script_keeps_openblas_to_one_thread_unless_the_user_says(monkeypatch):
    import tomllib
    from pathlib import Path

    from mapper import cli

    scripts = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(
        encoding="utf-8"))["project"]["scripts"]
    assert scripts["frontline"] == "mapper.cli:run"
    seen = []
    monkeypatch.setattr(cli, "app", lambda **kw: seen.append(
        (kw, __import__("os").environ.get("OPENBLAS_NUM_THREADS"))))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    cli.run()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    cli.run()
    assert seen == [({"prog_name": "frontline"}, "1"), ({"prog_name": "frontline"}, "4")]
