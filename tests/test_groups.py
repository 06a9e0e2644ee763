"""A grouping level above category (gemeente): every group x category is its own series, with
domain and total rows per group and over all groups."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
FAST = ("--model", "ets")
CATEGORIES = ("6.72a Jeugdhulp begeleiding", "6.71a Huishoudelijke hulp (WMO)")


def region(path: Path, gemeenten: tuple[str, ...] = ("Aa en Hunze", "Midden-Drenthe"),
           header: str = "Gemeente") -> Path:  # fmt: skip
    """42 months (2023-01 … 2026-06) per gemeente and category, with seasonality and noise."""
    lines = [f"{header};Periode;Taakveld;Bedrag"]
    for gemeente in gemeenten:
        size = len(gemeente) % 5 + 1  # each gemeente its own numbers, whoever else is there
        for c, category in enumerate(CATEGORIES):
            rng = np.random.default_rng([size, c])
            for m in range(42):
                level = size * (100_000 + 40_000 * c) * (1 + 0.004 * m)
                amount = level * (1 + 0.08 * np.sin(2 * np.pi * m / 12)) + rng.normal(0, 2_000)
                month = f"{2023 + m // 12}-{m % 12 + 1:02d}"
                cell = f"{amount:.2f}".replace(".", ",")
                lines.append(f"{gemeente};{month};{category};{cell}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def forecast_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["forecast", *args, *FAST, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_every_group_and_category_is_a_series_with_its_own_subtotals(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    data = forecast_json(str(path))
    assert [(c["group"], c["category"]) for c in data["categories"]] == [
        ("Aa en Hunze", CATEGORIES[0]), ("Aa en Hunze", CATEGORIES[1]),
        ("Midden-Drenthe", CATEGORIES[0]), ("Midden-Drenthe", CATEGORIES[1]),
    ]  # fmt: skip
    annual = data["annual"]
    levels = {(r["group"], r["level"], r["category"]) for r in annual}
    for gemeente in ("Aa en Hunze", "Midden-Drenthe"):
        assert {(gemeente, "domain", "jeugd"), (gemeente, "domain", "wmo"),
                (gemeente, "total", "totaal")} <= levels  # fmt: skip
    # over all groups: domains and the total only, group null
    everyone = {(r["level"], r["category"]) for r in annual if r["group"] is None}
    assert everyone == {("domain", "jeugd"), ("domain", "wmo"), ("total", "totaal")}


def test_all_groups_rows_sum_the_groups_and_actuals_match_the_file(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    data = forecast_json(str(path))
    # an independent read of the file: actuals of 2026 per gemeente (January to June)
    actual: dict[str | None, float] = defaultdict(float)
    with path.open(encoding="utf-8") as handle:
        for gemeente, month, _, amount in list(csv.reader(handle, delimiter=";"))[1:]:
            if month.startswith("2026"):
                actual[gemeente] += float(amount.replace(",", "."))
                actual[None] += float(amount.replace(",", "."))
    rows = {(r["group"], r["level"], r["year"]): r for r in data["annual"]}
    for group in ("Aa en Hunze", "Midden-Drenthe", None):
        assert rows[(group, "total", 2026)]["actual"] == pytest.approx(actual[group], abs=0.05)
    for year in data["settings"]["years"]:
        one, two, both = (rows[(g, "total", year)] for g in ("Aa en Hunze", "Midden-Drenthe", None))
        assert both["total"] == pytest.approx(one["total"] + two["total"], abs=0.05)
        # summed paths: the interval of the sum is narrower than the sum of the intervals
        if year > 2026:
            assert both["upper"] - both["lower"] < (one["upper"] - one["lower"]) + (
                two["upper"] - two["lower"]
            )


def test_a_groups_forecast_does_not_depend_on_the_other_groups(tmp_path: Path) -> None:
    """Seeds are per series (group and category), so adding a gemeente changes nothing else."""
    both = forecast_json(str(region(tmp_path / "both.csv")))
    alone = forecast_json(str(region(tmp_path / "alone.csv", ("Midden-Drenthe",))))

    def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
        return [r for r in data["annual"]
                if r["group"] == "Midden-Drenthe" and r["level"] == "category"]  # fmt: skip

    assert rows(both) == rows(alone) and rows(alone)


def test_group_column_by_name_or_option_and_its_errors(tmp_path: Path) -> None:
    named = region(tmp_path / "named.csv", header="Regiogemeente")
    plain = runner.invoke(app, ["inspect", str(named), "--format", "json"])
    # a column of an unknown name is not a group by itself: like a provider column, it is
    # left out, and its lines are summed per category and month
    assert plain.exit_code == 0, plain.stderr
    inspected = json.loads(plain.stdout)
    assert sorted(c["category"] for c in inspected["categories"]) == sorted(CATEGORIES)
    assert inspected["inputs"][0]["category_column"] == "Taakveld"
    data = json.loads(runner.invoke(app, ["forecast", str(named), "--group-col", "Regiogemeente",
                                          *FAST, "--format", "json"]).stdout)  # fmt: skip
    assert {c["group"] for c in data["categories"]} == {"Aa en Hunze", "Midden-Drenthe"}

    missing = tmp_path / "missing.csv"
    text = region(tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    text[5] = ";" + text[5].split(";", 1)[1]
    missing.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(missing)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {missing}:6:1: column 'Gemeente': empty group")

    ungrouped = tmp_path / "los.csv"
    ungrouped.write_text("Periode;Taakveld;Bedrag\n2025-01;6.72a Jeugdhulp;1,00\n",
                         encoding="utf-8")  # fmt: skip
    mixed = runner.invoke(app, ["inspect", str(tmp_path / "r.csv"), str(ungrouped)])
    assert mixed.exit_code == 3 and "this file has no group column" in mixed.stderr

    wide = tmp_path / "breed.csv"
    wide.write_text("Gemeente;Taakveld;jan 2025;feb 2025\nAssen;Jeugd;1,00;2,00\n",
                    encoding="utf-8")  # fmt: skip
    refused = runner.invoke(app, ["inspect", str(wide)])
    assert refused.exit_code == 3
    assert "a group column ('Gemeente') needs a long file" in refused.stderr


def test_scenarios_apply_to_every_group_and_amounts_are_refused(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    base = forecast_json(str(path))
    scenario = tmp_path / "index.toml"
    scenario.write_text('[scenario]\nname = "Index"\n[[indexation]]\nyear = 2027\n'
                        'tariff_percent = 10.0\napplies_to = ["jeugd"]\n',
                        encoding="utf-8")  # fmt: skip
    indexed = forecast_json(str(path), "--scenario", str(scenario))

    def totals(data: dict[str, Any]) -> dict[tuple[str | None, str], float]:
        return {(r["group"], r["category"]): r["forecast"] for r in data["annual"]
                if r["year"] == 2027 and r["level"] != "total"}  # fmt: skip

    before, after = totals(base), totals(indexed)
    for gemeente in ("Aa en Hunze", "Midden-Drenthe"):
        jeugd, wmo = (gemeente, CATEGORIES[0]), (gemeente, CATEGORIES[1])
        assert after[jeugd] == pytest.approx(1.10 * before[jeugd], abs=0.02)  # cents
        assert after[wmo] == before[wmo]
    budget = tmp_path / "budget.toml"
    budget.write_text('[scenario]\nname = "B"\n[budget]\nunit = "EUR"\n'
                      f'[budget.categories."{CATEGORIES[0]}"]\n2027 = 1000000\n',
                      encoding="utf-8")  # fmt: skip
    refused = runner.invoke(app, ["forecast", str(path), *FAST, "--scenario", str(budget)])
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"error: {budget}: [budget] name amounts for one")


def test_tables_show_each_group_then_all_groups(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    result = runner.invoke(app, ["forecast", str(path), *FAST])
    assert result.exit_code == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.startswith("Forecast per")]
    assert titles == [
        "Forecast per category, euro (scenario: baseline; Aa en Hunze)",
        "Forecast per category, euro (scenario: baseline; Midden-Drenthe)",
        "Forecast per category, euro (scenario: baseline; all groups)",
    ]
    md = runner.invoke(app, ["forecast", str(path), *FAST, "--format", "markdown"])
    assert "### Forecast per category, euro — scenario: baseline; all groups" in md.stdout
    csv_out = runner.invoke(app, ["forecast", str(path), *FAST, "--format", "csv"])
    header = csv_out.stdout.splitlines()[0].split(",")
    assert header[:3] == ["scenario", "group", "category"]


def test_a_grouped_snapshot_holds(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    snapshot = tmp_path / "s.toml"
    assert runner.invoke(app, ["check", "--snapshot", str(snapshot), str(path), *FAST,
                               "--update"]).exit_code == 0  # fmt: skip
    assert 'group = "Midden-Drenthe"' in snapshot.read_text(encoding="utf-8")
    held = runner.invoke(app, ["check", "--snapshot", str(snapshot), str(path), *FAST])
    assert held.exit_code == 0, held.stdout


def test_a_new_scenario_for_grouped_data_runs_on_it(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    scenario = tmp_path / "nieuw.toml"
    made = runner.invoke(app, ["scenario", "new", str(scenario), "--data", str(path)])
    assert made.exit_code == 0, made.stderr
    text = scenario.read_text(encoding="utf-8")
    assert "one_off" not in text.split("# The data has a group column")[1]
    assert "Midden-Drenthe" not in text  # it names categories, not series
    data = forecast_json(str(path), "--scenario", str(scenario))
    assert data["scenarios"] == ["Nieuw scenario"]


def test_grouped_json_fits_the_schema(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).resolve().parents[1] / "cli" / "schema" /
                         "output.schema.json").read_text(encoding="utf-8"))  # fmt: skip
    path = region(tmp_path / "regio.csv")
    Draft202012Validator(schema).validate(forecast_json(str(path)))
    inspected = runner.invoke(app, ["inspect", str(path), "--format", "json"])
    data = json.loads(inspected.stdout)
    Draft202012Validator(schema).validate(data)
    assert data["inputs"][0]["group_column"] == "Gemeente"
    assert {c["group"] for c in data["categories"]} == {"Aa en Hunze", "Midden-Drenthe"}


def test_a_scenario_naming_a_category_one_gemeente_lacks(tmp_path: Path) -> None:
    """Names are checked against all gemeenten; where a gemeente lacks one, it just does not
    apply there. `scenario check --data` refuses euro amounts on grouped data, as forecast does."""
    path = region(tmp_path / "regio.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not (line.startswith("Aa en Hunze")
                                           and CATEGORIES[0] in line)]  # fmt: skip
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    scenario = tmp_path / "m.toml"
    scenario.write_text('[scenario]\nname = "M"\n[[measure]]\nname = "POH"\n'
                        f'applies_to = ["{CATEGORIES[0]}"]\nstart = 2027-01-01\n'
                        "effect_percent = -10.0\nramp_months = 1\n", encoding="utf-8")  # fmt: skip
    base, measured = forecast_json(str(path)), forecast_json(str(path), "--scenario", str(scenario))

    def row(data: dict[str, Any], group: str, category: str) -> float:
        (found,) = [r["forecast"] for r in data["annual"] if r["year"] == 2027
                    and r["group"] == group and r["category"] == category]  # fmt: skip
        return float(found)

    assert row(measured, "Midden-Drenthe", CATEGORIES[0]) == pytest.approx(
        0.9 * row(base, "Midden-Drenthe", CATEGORIES[0]), abs=0.02
    )
    assert row(measured, "Aa en Hunze", CATEGORIES[1]) == row(base, "Aa en Hunze", CATEGORIES[1])
    budget = tmp_path / "b.toml"
    budget.write_text('[scenario]\nname = "B"\n[[one_off]]\nname = "x"\n'
                      f'category = "{CATEGORIES[0]}"\nmonth = 2027-03-01\namount_eur = 1000\n',
                      encoding="utf-8")  # fmt: skip
    checked = runner.invoke(app, ["scenario", "check", str(budget), "--data", str(path)])
    assert checked.exit_code == 2 and "[[one_off]] name amounts for one" in checked.stderr


def test_backtest_of_grouped_data_names_group_and_category(tmp_path: Path) -> None:
    path = region(tmp_path / "regio.csv")
    result = runner.invoke(app, ["backtest", str(path), "--method", "ets", "--origins", "1",
                                 "--format", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "\x1f" not in result.stdout
    assert f"Midden-Drenthe / {CATEGORIES[0]}" in result.stdout
