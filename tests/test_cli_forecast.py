"""`carecast forecast` through the command line, as a user runs it."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from models.sample import SAMPLE_PATH

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def sample_json() -> dict[str, Any]:
    result = runner.invoke(app, ["forecast", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def sample_actuals_by_category_year() -> dict[tuple[str, int], float]:
    """An independent read of the bundled sample with the csv module (not the loader)."""
    sums: dict[tuple[str, int], float] = defaultdict(float)
    with SAMPLE_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for period, category, amount in reader:
            sums[(category, int(period[:4]))] += float(amount.replace(".", "").replace(",", "."))
    return sums


def test_sample_table_has_domains_total_and_caption() -> None:
    result = run("forecast")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Subtotal jeugd" in out and "Subtotal wmo" in out and "Total" in out
    assert "Illustrative" in out or "illustrative" in out
    assert "€ " in out and "\x1b[" not in out  # Dutch money, no colour codes when not a terminal
    assert "2026*" in out  # the current year: actuals to date plus forecast


def test_sample_table_fits_an_80_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal, long names wrap and the table fits 80 columns; amounts stay whole."""
    import io

    from cli import render
    from cli.inputs import resolve_inputs
    from scenarios.run import ForecastSettings, run_forecast

    monkeypatch.setenv("COLUMNS", "80")
    chosen = resolve_inputs(None)
    report = run_forecast(chosen.paths, ForecastSettings(), caption=chosen.caption)
    screen = io.StringIO()
    render.print_renderables(render.forecast_tables(report), screen, plain=False)
    lines = screen.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    (first,) = [line for line in lines if line.startswith("6.74a Jeugd")]
    assert len(re.findall(r"€ \d{1,3}(?:\.\d{3})+", first)) == 4  # T and three years, whole
    assert "6.74a Jeugd behandeling GGZ zonder verblijf" not in screen.getvalue()  # wrapped


def test_plain_output_never_wraps_or_crops_a_cell() -> None:
    """Not a terminal (a CI log, a pipe): every name on one line with its amounts."""
    result = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(app, ["forecast"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in (
        "6.74a Jeugd behandeling GGZ zonder verblijf",
        "6.74b Jeugdhulp crisis/LTA/GGZ-verblijf",
        "Total",
    ):
        (line,) = [x for x in lines if x.startswith(name + " ")]
        assert len(re.findall(r"€ \d{1,3}(?:\.\d{3})+", line)) == 4, line
    assert "\x1b[" not in result.stdout


def test_json_current_year_actuals_match_an_independent_sum(sample_json: dict[str, Any]) -> None:
    actuals = sample_actuals_by_category_year()
    first = sample_json["settings"]["first_forecast_month"]
    year = int(first[:4])
    rows = [r for r in sample_json["annual"] if r["level"] == "category" and r["year"] == year]
    assert rows
    for row in rows:
        assert row["actual"] == pytest.approx(actuals[(row["category"], year)], abs=0.01)
        assert row["total"] == pytest.approx(row["actual"] + row["forecast"], abs=0.02)
        assert row["lower"] <= row["total"] <= row["upper"]


def test_json_domain_and_total_rows_sum_their_categories(sample_json: dict[str, Any]) -> None:
    annual = sample_json["annual"]
    for year in sample_json["settings"]["years"]:
        cats = [r for r in annual if r["level"] == "category" and r["year"] == year]
        for domain in {r["domain"] for r in cats}:
            expected = sum(r["forecast"] for r in cats if r["domain"] == domain)
            (row,) = [
                r
                for r in annual
                if r["level"] == "domain" and r["category"] == domain and r["year"] == year
            ]
            assert row["forecast"] == pytest.approx(expected, abs=0.05 * len(cats))
        (total,) = [r for r in annual if r["level"] == "total" and r["year"] == year]
        assert total["category"] == "totaal"
        assert total["total"] == pytest.approx(sum(r["total"] for r in cats), abs=0.05 * len(cats))
        # A sum of uncertain parts is relatively narrower than its parts (summed sample paths).
        width = total["upper"] - total["lower"]
        assert 0 < width < sum(r["upper"] - r["lower"] for r in cats)


def test_json_shape_follows_the_design(sample_json: dict[str, Any]) -> None:
    assert sample_json["scenarios"] == ["baseline"]
    assert sample_json["inputs"][0]["path"].startswith("bundled sample")
    assert len(sample_json["inputs"][0]["sha256"]) == 64
    settings = sample_json["settings"]
    assert settings["seed"] == 0 and settings["interval"] == 0.8 and settings["model"] == "auto"
    row = sample_json["annual"][0]
    for key in (
        "scenario",
        "category",
        "domain",
        "year",
        "actual",
        "forecast",
        "total",
        "lower",
        "upper",
        "budget",
        "difference",
        "overspend_probability",
    ):
        assert key in row
    assert row["budget"] is None and row["difference"] is None  # no budget: null, never zero
    month = sample_json["monthly"][0]
    assert set(month) >= {"scenario", "category", "month", "amount", "lower", "upper", "kind"}
    assert {m["kind"] for m in sample_json["monthly"]} == {"actual", "forecast"}
    assert all(c["model"] for c in sample_json["categories"])
    # The default "auto": every sample category (93 months) was backtested and calibrated, and
    # its note names the same choice, score and factor.
    for c in sample_json["categories"]:
        assert c["model"] in {"prophet", "seasonal-naive", "snaive-drift", "ets"}
        assert c["backtest_mase"] > 0 and 0.5 <= c["calibration"] <= 5.0
        assert f"{c['model']} had the lowest backtest MASE {c['backtest_mase']:.2f}" in c["note"]
        assert f"scaled by {c['calibration']:.2f}" in c["note"]


def test_monthly_rows_add_up_to_annual_rows(sample_json: dict[str, Any]) -> None:
    monthly: dict[tuple[str, int], float] = defaultdict(float)
    for m in sample_json["monthly"]:
        monthly[(m["category"], int(m["month"][:4]))] += m["amount"]
    for row in sample_json["annual"]:
        assert monthly[(row["category"], row["year"])] == pytest.approx(row["total"], abs=1.0)


def test_csv_and_markdown() -> None:
    result = run("forecast", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert rows and rows[0]["scenario"] == "baseline"
    assert all(r["budget"] == "" for r in rows)
    assert "e+" not in result.stdout  # never scientific notation
    md = run("forecast", "--format", "markdown")
    assert md.exit_code == 0
    assert "| Category |" in md.stdout and "**Total**" in md.stdout


def test_output_is_written_once_and_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "forecast.csv"
    first = run("forecast", "--format", "csv", "--output", str(target))
    assert first.exit_code == 0, first.stderr
    assert target.read_text(encoding="utf-8").startswith("scenario,category")
    target.write_text("mine", encoding="utf-8")
    again = run("forecast", "--format", "csv", "--output", str(target))
    assert again.exit_code == 2
    assert str(target) in again.stderr and "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == "mine"
    forced = run("forecast", "--format", "csv", "--output", str(target), "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("scenario,category")
    assert [p.name for p in tmp_path.iterdir()] == ["forecast.csv"]  # no temporary left behind


def _months_of(amount: str) -> str:
    return "Periode;Taakveld;Lasten\n" + "".join(
        f"{year}-{month:02d};6.72a Jeugdhulp begeleiding;{amount}\n"
        for year in (2022, 2023, 2024, 2025)
        for month in range(1, 13)
    )


def test_a_history_of_only_zeros_is_a_data_error(tmp_path: Path) -> None:
    zeros = tmp_path / "nullen.csv"
    zeros.write_text(_months_of("0,00"), encoding="utf-8")
    result = run("forecast", str(zeros))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {zeros}: no category has spending in the 12 months")
    assert "--as-of" not in result.stderr
    cut = run("forecast", str(zeros), "--as-of", "2025-06")
    assert cut.exit_code == 2 and "check --as-of" in cut.stderr


def test_a_negative_history_is_forecast_as_zero_and_said(tmp_path: Path) -> None:
    credit = tmp_path / "credit.csv"
    credit.write_text(_months_of("-100.000,00"), encoding="utf-8")
    result = run("forecast", str(credit), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "warning: 1 category with a negative total over the last 12 months" in result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    future = [r for r in rows if r["level"] == "category" and int(r["year"]) > 2025]
    assert future and all(float(r["total"]) == 0.0 for r in future)


def test_force_never_writes_over_a_file_the_scenario_reads(tmp_path: Path) -> None:
    """The budget file of a scenario and the scenario it extends are inputs too."""
    budget = tmp_path / "begroting.toml"
    budget.write_text(
        '[budget]\nunit = "kEUR"\n\n[budget.categories."6.6 Maatwerkvoorziening (WMO)"]\n'
        "2027 = 2100\n",
        encoding="utf-8",
    )
    parent = tmp_path / "basis.toml"
    parent.write_text('[scenario]\nname = "Basis"\n\n[budget]\nfile = "begroting.toml"\n',
                      encoding="utf-8")  # fmt: skip
    child = tmp_path / "plan.toml"
    child.write_text('[scenario]\nname = "Plan"\nextends = "basis.toml"\n', encoding="utf-8")
    for target in (budget, parent):
        before = target.read_bytes()
        args = ["--scenario", str(child), "--model", "ets", "--output", str(target), "--force"]
        result = run("forecast", "--format", "csv", *args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {target}: --output: the file is one of the")
        assert result.stderr.count("\n") == 1  # refused before loading and fitting
        assert target.read_bytes() == before
        snap = run("check", "--snapshot", str(target), "--update", *args[:4])
        assert snap.exit_code == 2 and target.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["forecast", "does-not-exist.csv"], 3, "does-not-exist.csv"),
        (["forecast", "--as-of", "2026-13"], 2, "2026-13"),
        (["forecast", "--interval", "1.5"], 2, "--interval"),
        (["forecast", "--years", "-1"], 2, "--years"),
        (["forecast", "--model", "magic"], 2, "magic"),
        (["forecast", "--date-col", "Datum"], 2, "Datum"),
    ],
)
def test_user_errors_are_one_line_with_the_documented_code(
    args: list[str], code: int, needle: str
) -> None:
    result = run(*args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, cli.app; "
        "print(sorted(m for m in ('prophet','pandas','polars','rich','numpy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# Real data from ../shared/data (skipped where the folder is absent, as on a user's machine).


def test_pbs_by_atc1(shared_file: Callable[..., Path]) -> None:
    pbs = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    result = run(
        "forecast",
        str(pbs),
        "--date-col",
        "Month",
        "--category-col",
        "ATC1_desc",
        "--amount-col",
        "Cost",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["settings"]["last_complete_month"] == "2008-06"
    assert len(data["categories"]) == 15
    assert all(c["domain"] == "overig" for c in data["categories"])
    # Sensible: the whole of 2009 within 25 % of 12 × the mean month of the last history year.
    history: dict[str, float] = defaultdict(float)
    with pbs.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if "2007-07-01" <= row["Month"] <= "2008-06-01":
                history["all"] += float(row["Cost"])
    (total,) = [r for r in data["annual"] if r["level"] == "total" and r["year"] == 2009]
    assert 0.75 * history["all"] < total["total"] < 1.5 * history["all"]


def test_pbs_by_atc2_has_84_categories(shared_file: Callable[..., Path]) -> None:
    pbs = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    result = run(
        "forecast",
        str(pbs),
        "--date-col",
        "Month",
        "--category-col",
        "ATC2",
        "--amount-col",
        "Cost",
        "--format",
        "csv",
        "--years",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert len({r["category"] for r in rows if r["level"] == "category"}) == 84
    assert all(float(r["lower"]) >= 0 for r in rows)


def test_prophet_retail_example(shared_file: Callable[..., Path]) -> None:
    retail = shared_file("prophet_examples", "example_retail_sales.csv")
    result = run("forecast", str(retail), "--format", "json", "--years", "1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["categories"]) == 1
    values = [float(r["y"]) for r in csv.DictReader(retail.open(newline=""))]
    last_twelve = sum(values[-12:])
    year = int(data["settings"]["first_forecast_month"][:4])
    # US retail sales grow a few percent a year: next full year within -10 % .. +25 %.
    (total,) = [r for r in data["annual"] if r["level"] == "total" and r["year"] == year + 1]
    assert 0.9 * last_twelve < total["total"] < 1.25 * last_twelve


def test_a_reader_closing_the_pipe_early_is_not_a_failure() -> None:
    for fmt in ("table", "csv"):
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "forecast", "--format", fmt],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # like `| head -1`
        errors = process.stderr.read()
        assert process.wait() == 0, errors
        assert b"Traceback" not in errors


def test_a_full_disk_is_a_one_line_error_not_a_bug() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "forecast", "--format", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("error: stdout: cannot write")


def test_option_parser_errors_are_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "forecast", "--years", "abc"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--years" in lines[0]
    assert "not a whole number" in lines[0] and "Input should be" not in lines[0]


def test_a_command_group_without_its_command_shows_its_help() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "scenario"], capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("Usage: ") and "scenario [OPTIONS] COMMAND" in done.stderr
    assert "Write a complete, valid starting scenario" in done.stderr
    assert "error:" not in done.stderr


def test_output_never_replaces_a_device_or_a_pipe(tmp_path: Path) -> None:
    """--force replaces a file, never /dev/null or a named pipe (it would become a file)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        result = run("forecast", "--model", "seasonal-naive", "-o", str(target), "--force")
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: {target}: --output: is not a regular file — write to a file; leave out "
            "--output to write to stdout\n"
        )
    assert stat.S_ISFIFO(fifo.stat().st_mode) and Path("/dev/null").is_char_device()


def test_fail_on_shortfall_without_budget_says_nothing_was_checked() -> None:
    result = run("forecast", "--fail-on-shortfall", "--format", "csv")
    assert result.exit_code == 0
    assert "nothing checked" in result.stderr
