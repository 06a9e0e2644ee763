"""The JSON contract: every `--format json` output of every command validates against the schema
shipped in the package (cli/schema/output.schema.json), and carries the versions that decide the
numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "cli" / "schema" / "output.schema.json"
EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict[str, Any], command: str) -> None:
    """Against the command's own definition, and against the schema as a whole (oneOf: the
    output matches exactly one command's shape)."""
    Draft202012Validator(SCHEMA).validate(data)
    one = {**SCHEMA, "oneOf": None, "$ref": f"#/$defs/{command}"}
    del one["oneOf"]
    Draft202012Validator(one).validate(data)


def json_of(*args: str, code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == code, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert set(SCHEMA["$defs"]) >= {"forecast", "inspect", "backtest", "check"}


def test_the_schema_ships_in_the_package() -> None:
    """The wheel carries it (hatch takes every file inside the package folders)."""
    from importlib.resources import files

    shipped = files("cli").joinpath("schema", "output.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_forecast_json_of_the_sample() -> None:
    data = json_of("forecast", "--model", "seasonal-naive")
    validate(data, "forecast")
    assert {"prophet", "cmdstanpy", "polars"} <= set(data["versions"])
    assert data["carecast_version"]


def test_forecast_json_with_scenarios_and_budgets() -> None:
    data = json_of(
        "forecast", "--model", "seasonal-naive",
        "--scenario", str(EXAMPLES / "baseline.toml"),
        "--scenario", str(EXAMPLES / "budget_cut.toml"),
    )  # fmt: skip
    validate(data, "forecast")
    assert len(data["scenario_files"]) == 2
    assert any(row["budget"] is not None for row in data["annual"])


def test_forecast_json_of_the_default_model() -> None:
    validate(json_of("forecast"), "forecast")


def test_forecast_json_of_real_data(shared_file: Callable[..., Path]) -> None:
    pbs = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    data = json_of("forecast", str(pbs), "--date-col", "Month", "--category-col", "ATC1_desc",
                   "--amount-col", "Cost", "--model", "seasonal-naive")  # fmt: skip
    validate(data, "forecast")


def test_inspect_json() -> None:
    data = json_of("inspect")
    validate(data, "inspect")
    assert {"prophet", "cmdstanpy", "polars"} <= set(data["versions"])


def test_backtest_json() -> None:
    data = json_of("backtest", "--method", "seasonal-naive", "--method", "ets")
    validate(data, "backtest")


def test_check_json_new_held_and_moved(tmp_path: Path) -> None:
    snap = tmp_path / "s.toml"
    fast = ("--model", "seasonal-naive")
    new = json_of("check", "--snapshot", str(snap), *fast, "--update")
    validate(new, "check")
    assert new["status"] == "new" and new["updated"] is True
    held = json_of("check", "--snapshot", str(snap), *fast)
    validate(held, "check")
    assert held["status"] == "held" and held["figures"]["held"] == 80
    moved = json_of("check", "--snapshot", str(snap), *fast, "--years", "2", "--seed", "1",
                    code=1)  # fmt: skip
    validate(moved, "check")
    assert moved["status"] == "moved" and moved["moved"] and moved["removed"]


def test_version_flag_names_the_numeric_libraries() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "--version"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names[:4] == ["carecast", "prophet", "cmdstanpy", "polars"]
    assert all(len(line.split()) == 2 for line in done.stdout.splitlines())


@pytest.mark.parametrize("command", ["forecast", "inspect", "backtest", "check"])
def test_every_command_with_json_output_is_covered(command: str) -> None:
    """A new command with --format json must get a definition (and a test above)."""
    assert command in SCHEMA["$defs"]
    helps = runner.invoke(app, [command, "--help"])
    assert "json" in helps.stdout
