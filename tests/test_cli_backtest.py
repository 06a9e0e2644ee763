"""`carecast backtest` through the command line."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def test_backtest_json_on_the_sample() -> None:
    result = runner.invoke(
        app, ["backtest", "--method", "seasonal-naive", "--method", "ets", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["settings"]["origins"] == 3 and data["settings"]["horizon_months"] == 12
    summary = data["summary"]
    assert {r["method"] for r in summary} == {"seasonal-naive", "ets"}
    assert len({r["category"] for r in summary}) == 17
    for overview in data["methods"]:
        mases = [r["mase"] for r in summary if r["method"] == overview["method"]]
        # the overview is the plain mean and median of the per-category scores
        assert overview["mean_mase"] == pytest.approx(statistics.mean(mases), abs=1e-3)
        assert overview["median_mase"] == pytest.approx(statistics.median(mases), abs=1e-3)
    for row in summary:
        assert 0.0 <= row["coverage"] <= 1.0 and row["n_origins"] == 3
    for year in data["years"]:  # a year's error is the difference of its two totals
        assert year["error_eur"] == pytest.approx(year["forecast"] - year["actual"], abs=0.02)


def test_backtest_table_and_csv() -> None:
    table = runner.invoke(app, ["backtest", "--method", "seasonal-naive", "--origins", "2"])
    assert table.exit_code == 0, table.stderr
    assert "MASE per category" in table.stdout and "seasonal-naive" in table.stdout
    as_csv = runner.invoke(app, ["backtest", "--method", "ets", "--format", "csv"])
    rows = list(csv.DictReader(as_csv.stdout.splitlines()))
    assert len(rows) == 17 and rows[0]["method"] == "ets"
    twice = runner.invoke(app, ["backtest", "--method", "ets", "--method", "ets", "--format",
                                "csv"])  # fmt: skip
    assert twice.stdout == as_csv.stdout  # a method named twice is scored once


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--method", "magic"], "magic"),
        (["--origins", "0"], "error: --origins: must be 1 to 12, got 0"),
        (["--horizon-months", "40"], "error: --horizon-months: must be 1 to 36, got 40"),
        (["--interval", "2"], "--interval"),
        (["--seed", "-1"], "error: --seed: must be 0 or more, not -1"),
    ],
)
def test_backtest_usage_errors(args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["backtest", *args])
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_too_short_a_history_is_a_clear_error(tmp_path: Path) -> None:
    rows = [f"{2024 + m // 12}-{m % 12 + 1:02d};Wmo;{1000 + m}" for m in range(30)]
    short = tmp_path / "kort.csv"
    short.write_text("Maand;Categorie;Bedrag\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["backtest", str(short), "--method", "ets"])
    assert result.exit_code == 2
    assert "enough history" in result.stderr


def test_backtest_pbs_atc1(shared_file: Callable[..., Path]) -> None:
    pbs = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    result = runner.invoke(
        app,
        ["backtest", str(pbs), "--date-col", "Month", "--category-col", "ATC1",
         "--amount-col", "Cost", "--method", "seasonal-naive", "--method", "ets",
         "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    methods = {m["method"]: m for m in json.loads(result.stdout)["methods"]}
    assert methods["ets"]["categories"] == 15
    assert methods["ets"]["mean_mase"] < methods["seasonal-naive"]["mean_mase"]
