"""Scenarios through the command line: forecast --scenario, scenario new|check|show, budget."""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"


def forecast_json(*scenarios: str) -> dict[str, Any]:
    args = ["forecast", "--format", "json"]
    for name in scenarios:
        args += ["--scenario", str(EXAMPLES / name)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def side_by_side() -> dict[str, Any]:
    return forecast_json("baseline.toml", "budget_cut.toml", "tariff_indexation.toml")


def budget_file_in_euro() -> dict[tuple[str, int], float]:
    """An independent read of the example budget (tomllib, kEUR × 1000)."""
    with (EXAMPLES / "budget_midden_drenthe.toml").open("rb") as handle:
        raw = tomllib.load(handle)["budget"]
    assert raw["unit"] == "kEUR"
    return {
        (category, int(year)): float(amount) * 1000
        for category, years in raw["categories"].items()
        for year, amount in years.items()
    }


def rows(data: dict[str, Any], scenario: str, level: str = "category") -> list[dict[str, Any]]:
    return [r for r in data["annual"] if r["scenario"] == scenario and r["level"] == level]


def test_budget_difference_and_probability_against_the_file(side_by_side: dict[str, Any]) -> None:
    budgets = budget_file_in_euro()
    base = rows(side_by_side, "Basis")
    assert base
    for row in base:
        assert row["budget"] == pytest.approx(budgets[(row["category"], row["year"])])
        assert row["difference"] == pytest.approx(row["budget"] - row["total"], abs=0.02)
        assert 0.0 <= row["overspend_probability"] <= 1.0
    for domain in ("jeugd", "wmo"):
        for year in side_by_side["settings"]["years"]:
            (sub,) = [
                r
                for r in rows(side_by_side, "Basis", "domain")
                if r["category"] == domain and r["year"] == year
            ]
            parts = [r["difference"] for r in base if r["domain"] == domain and r["year"] == year]
            assert sub["difference"] == pytest.approx(sum(parts), abs=0.05 * len(parts))


def test_a_budget_cut_moves_only_the_budget(side_by_side: dict[str, Any]) -> None:
    base = {(r["category"], r["year"]): r for r in rows(side_by_side, "Basis")}
    cut = {(r["category"], r["year"]): r for r in rows(side_by_side, "Taakstelling 5 % vanaf 2027")}
    with (EXAMPLES / "budget_cut.toml").open("rb") as handle:
        cut_file = tomllib.load(handle)["budget"]["categories"]
    for (category, year), row in cut.items():
        assert row["total"] == base[(category, year)]["total"]  # spending unchanged
        if year >= 2027:
            assert row["budget"] == pytest.approx(float(cut_file[category][str(year)]) * 1000)
        else:
            assert row["budget"] == base[(category, year)]["budget"]


def test_tariff_indexation_raises_2027_by_the_vng_rate(side_by_side: dict[str, Any]) -> None:
    rate = 0.9 * 4.18 + 0.1 * 1.82 + 1.01  # the example's OVA, ppc and correction, by hand
    base = {(r["category"], r["year"]): r for r in rows(side_by_side, "Basis")}
    indexed = rows(side_by_side, "Indexatie 2027 (VNG)")
    for row in indexed:
        before = base[(row["category"], row["year"])]
        if row["year"] == 2027:  # every month of 2027 is a forecast month
            expected = before["forecast"] * (1 + rate / 100)
            assert row["forecast"] == pytest.approx(expected, abs=0.02)  # cents, both rounded
        elif row["year"] == 2026:
            assert row["total"] == before["total"]


def test_fail_on_shortfall_exits_1_on_a_tekort() -> None:
    result = runner.invoke(
        app,
        [
            "forecast",
            "--scenario",
            str(EXAMPLES / "baseline.toml"),
            "--format",
            "csv",
            "--fail-on-shortfall",
        ],
    )
    assert result.exit_code == 1
    table = list(csv.DictReader(result.stdout.splitlines()))
    short = sorted((r for r in table if r["difference"] and float(r["difference"]) < 0),
                   key=lambda r: float(r["difference"]))  # fmt: skip
    assert short
    # the one line names how many rows ran short and the largest tekort first
    (line,) = result.stderr.splitlines()[-1:]
    assert line.startswith(f"shortfall: {len(short)} row(s) run short of their budget: ")
    first = short[0]
    name = {"totaal": "Total", "jeugd": "Subtotal jeugd", "wmo": "Subtotal wmo"}.get(
        first["category"], first["category"]
    )
    tekort = f"{round(-float(first['difference'])):,}".replace(",", ".")
    assert f": {name} {first['year']} N € {tekort}" in line


def test_an_indexation_inside_the_actuals_names_the_last_actual_month(tmp_path: Path) -> None:
    """The sample's actuals end in 2026-09; a 2026 indexation only reaches the forecast."""
    scenario = tmp_path / "t.toml"
    scenario.write_text('[scenario]\nname = "t"\n[[indexation]]\nyear = 2026\n'
                        "tariff_percent = 3.0\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["forecast", "--model", "seasonal-naive", "--scenario",
                                 str(scenario)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "the 2026 indexation is applied to the forecast months only; the actuals up to " \
        "2026-09 may already carry those tariffs" in result.stderr  # fmt: skip


def test_table_and_markdown_show_v_n_and_risk() -> None:
    args = [
        "forecast",
        "--scenario",
        str(EXAMPLES / "baseline.toml"),
        "--scenario",
        str(EXAMPLES / "budget_cut.toml"),
    ]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.stderr
    assert "N € " in table.stdout and "V € " in table.stdout and "risk" in table.stdout
    assert "Scenarios side by side" in table.stdout
    md = runner.invoke(app, [*args, "--format", "markdown"])
    assert "V overschot, N tekort" in md.stdout


def test_a_subtotal_says_partial_budget_only_where_some_category_has_one(tmp_path: Path) -> None:
    plan = tmp_path / "een.toml"
    plan.write_text(
        '[scenario]\nname = "Een"\n\n[budget]\nunit = "EUR"\n\n'
        '[budget.categories."6.6 Maatwerkvoorziening (WMO)"]\n2027 = 2000000\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["forecast", "--scenario", str(plan), "--model", "ets",
                                 "--years", "1"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    table = result.stdout.split("Budget − forecast")[1]
    rows = {line.split("  ")[0]: line for line in table.splitlines()
            if line.startswith(("Subtotal", "Total"))}  # fmt: skip
    # 2026: nothing budgeted anywhere; 2027: one wmo category, so wmo and the total are partial
    assert rows["Subtotal wmo"].split()[2:] == ["no", "budget", "partial", "budget"]
    assert rows["Total"].split()[1:] == ["no", "budget", "partial", "budget"]
    assert rows["Subtotal jeugd"].split()[2:] == ["no", "budget", "no", "budget"]


def test_scenario_new_check_show_and_forecast(tmp_path: Path) -> None:
    path = tmp_path / "mijn.toml"
    made = runner.invoke(app, ["scenario", "new", str(path)])
    assert made.exit_code == 0, made.stderr
    assert path.exists()
    again = runner.invoke(app, ["scenario", "new", str(path)])
    assert again.exit_code == 2 and "--force" in again.stderr
    checked = runner.invoke(app, ["scenario", "check", str(path)])
    assert checked.exit_code == 0, checked.stderr
    shown = runner.invoke(app, ["scenario", "show", str(path)])
    assert shown.exit_code == 0 and "[scenario]" in shown.stdout
    tomllib.loads(shown.stdout)  # valid TOML
    run = runner.invoke(app, ["forecast", "--scenario", str(path), "--format", "csv"])
    assert run.exit_code == 0, run.stderr


def test_show_resolves_extends() -> None:
    shown = runner.invoke(app, ["scenario", "show", str(EXAMPLES / "tariff_indexation.toml")])
    assert shown.exit_code == 0, shown.stderr
    data = tomllib.loads(shown.stdout)
    assert data["scenario"]["name"] == "Indexatie 2027 (VNG)"
    assert "6.72a Jeugdhulp begeleiding" in data["budget"]["categories"]  # from the parent


def test_a_bad_scenario_reports_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "fout.toml"
    bad.write_text(
        '[scenario]\nname = "Fout"\n\n'
        '[[volume]]\napplies_to = ["6.71a Huishoudelijke hulp (WMO)"]\n'
        "growth_percent_per_yer = 3.0\nfrom = 2027-01-01\n\n"
        '[[measure]]\nname = "X"\napplies_to = ["Jeugdhulp verbljif"]\n'
        "start = 2027-01-01\neffect_percent = 0.05\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["forecast", "--scenario", str(bad), "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith(f"error: {bad}") for line in lines)
    text = result.stderr
    assert "growth_percent_per_year" in text  # did you mean
    assert "Jeugdhulp verbljif" in text
    assert "0.05" in text
    assert not out.exists()
    checked = runner.invoke(
        app,
        [
            "scenario",
            "check",
            str(bad),
            "--data",
            str(
                Path(__file__).resolve().parents[1]
                / "models"
                / "data"
                / "sample_midden_drenthe.csv"
            ),
        ],
    )
    assert checked.exit_code == 2 and len(checked.stderr.strip().splitlines()) >= 3


def test_every_bad_scenario_file_is_reported_in_one_run(tmp_path: Path) -> None:
    comma = tmp_path / "a.toml"
    comma.write_text(
        '[scenario]\nname = "A"\n\n[[volume]]\ngrowth_percent_per_year = 3,5\nfrom = 2027-01-01\n',
        encoding="utf-8",
    )
    misspelt = tmp_path / "b.toml"
    misspelt.write_text(
        '[scenario]\nname = "B"\n\n[[volume]]\ngroth_percent_per_year = 2.0\nfrom = 2027-01-01\n',
        encoding="utf-8",
    )
    good = tmp_path / "c.toml"
    good.write_text('[scenario]\nname = "C"\n', encoding="utf-8")
    missing = tmp_path / "d.toml"
    args = ["forecast", "--format", "csv"]
    for path in (comma, good, misspelt, missing):
        args += ["--scenario", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {comma}:5:") and "3.5" in lines[0]
    assert any(line.startswith(f"error: {misspelt}:5:") and "did you mean" in line
               for line in lines)  # fmt: skip
    assert lines[-1].startswith(f"error: {missing}") and "not found" in lines[-1]
    assert not any(str(good) in line for line in lines)
    assert result.stdout == ""


def test_files_that_extend_each_other_report_each_problem_once(tmp_path: Path) -> None:
    first, second = tmp_path / "d.toml", tmp_path / "e.toml"
    first.write_text('[scenario]\nname = "D"\nextends = "e.toml"\n', encoding="utf-8")
    second.write_text(
        '[scenario]\nname = "E"\nextends = "d.toml"\n\n[budget]\nfile = "weg.toml"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["forecast", "--scenario", str(first), "--scenario", str(second)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(set(lines)) == 3  # two cycles (one seen from each file), one budget
    assert sum("budget file not found" in line for line in lines) == 1
    again = runner.invoke(app, ["forecast", "--scenario", str(first), "--scenario",
                                str(tmp_path / "." / "d.toml")])  # fmt: skip
    assert again.exit_code == 2
    assert again.stderr == f"error: {first}: --scenario: the same scenario file is given twice" \
        " — give each scenario once\n"


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "komma.toml"
    bad.write_text(
        '[scenario]\nname = "K"\n\n[[volume]]\ngrowth_percent_per_year = 3,5\nfrom = 2027-01-01\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scenario", "check", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}:5:" in result.stderr and "3.5" in result.stderr


def test_budget_from_iv3_real_file(tmp_path: Path, shared_file: Callable[..., Path]) -> None:
    source = shared_file("nl_iv3_taakvelden", "iv3_2023_begroting.csv")
    target = tmp_path / "budget.toml"
    result = runner.invoke(
        app, ["budget", "from-iv3", str(source), "--gemeente", "Midden-Drenthe", "-o", str(target)]
    )
    assert result.exit_code == 0, result.stderr
    budget = tomllib.loads(target.read_text(encoding="utf-8"))["budget"]
    with source.open(encoding="utf-8", newline="") as handle:
        lasten = {
            r["Taakveld"].split(" ")[0]: r["Lasten"]
            for r in csv.DictReader(handle, delimiter=";")
            if r["Gemeenten"] == "Midden-Drenthe"
        }
    (label,) = [c for c in budget["categories"] if c.startswith("6.72a ")]
    assert budget["unit"] == "kEUR"
    assert float(budget["categories"][label]["2023"]) == float(lasten["6.72a"])
    wrong = runner.invoke(app, ["budget", "from-iv3", str(source), "--gemeente", "Midden Drente"])
    assert wrong.exit_code == 2 and "Midden-Drenthe" in wrong.stderr


def test_a_shortfall_still_fails_when_the_reader_stops_early() -> None:
    """The json of a forecast is large enough that `| head -1` closes the pipe mid-write: the
    rest is dropped quietly, and --fail-on-shortfall still exits 1."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "forecast", "--model", "seasonal-naive", "--format",
         "json", "--scenario", str(EXAMPLES / "baseline.toml"), "--fail-on-shortfall"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait() == 1, errors
    assert "Traceback" not in errors and errors.splitlines()[-1].startswith("shortfall: ")


@pytest.mark.parametrize(
    ("share", "shown"),
    [(0.0, "0 %"), (0.004, "<1 %"), (0.005, "<1 %"), (0.012, "1 %"), (0.5, "50 %"),
     (0.994, "99 %"), (0.998, ">99 %"), (1.0, "100 %")],  # fmt: skip
)
def test_risk_never_rounds_to_certainty(share: float, shown: str) -> None:
    from cli.money import risk

    assert risk(share) == shown


@pytest.mark.parametrize(
    ("unit", "amount", "words"),
    [("kEUR", 2_100_000, "over twenty times the forecast"),  # euro written as kEUR
     ("EUR", 2_100, "below a fifth of the forecast")],  # kEUR written as EUR  # fmt: skip
)
def test_a_budget_unit_slip_is_warned_about(
    tmp_path: Path, unit: str, amount: int, words: str
) -> None:
    plan = tmp_path / "eenheid.toml"
    plan.write_text(
        f'[scenario]\nname = "E"\n\n[budget]\nunit = "{unit}"\n\n'
        f'[budget.categories."6.6 Maatwerkvoorziening (WMO)"]\n2027 = {amount}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["forecast", "--scenario", str(plan), "--model", "ets"])
    assert result.exit_code == 0
    line = next(x for x in result.stderr.splitlines() if "budget line(s)" in x)
    assert f"1 budget line(s) {words}, e.g. 6.6 Maatwerkvoorziening (WMO) 2027" in line
    assert line.endswith("— check the budget's unit (EUR or kEUR)")
