"""The shipped example scenarios and budget, and the `scenario new` template, against the
bundled sample's categories; `scenario new` and `scenario check` on the command line."""

from __future__ import annotations

import csv
import importlib.util
import tomllib
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType

import pytest
import tomli_w
from typer.testing import CliRunner

from cli.app import app
from models.categories import domains_for
from models.sample import SAMPLE_PATH
from scenarios.budget import load_budget_file
from scenarios.parse import dumps_scenario, load_scenario, match_category
from scenarios.template import new_scenario_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"
SCENARIOS = sorted(p for p in EXAMPLES.glob("*.toml") if "scenario" in tomllib.loads(p.read_text()))
BUDGET = EXAMPLES / "budget_midden_drenthe.toml"
FORECAST_YEARS = range(2026, 2030)  # the sample runs through 2026-09

with SAMPLE_PATH.open(encoding="utf-8", newline="") as _handle:
    CATEGORIES = sorted({row["Taakveld"] for row in csv.DictReader(_handle, delimiter=";")})


def test_the_examples_are_there() -> None:
    names = {p.name for p in EXAMPLES.glob("*.toml")}
    assert names == {
        "baseline.toml",
        "tariff_indexation.toml",
        "volume_growth.toml",
        "phased_measure.toml",
        "budget_cut.toml",
        "budget_midden_drenthe.toml",
    }
    assert len(SCENARIOS) == 5


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_example_loads_against_the_sample(path: Path) -> None:
    scenario = load_scenario(path, CATEGORIES)
    assert scenario.name and scenario.description
    assert scenario.budget is not None  # all of them measure against the begroting


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_file_round_trips_through_tomli_w(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert tomllib.loads(tomli_w.dumps(data)) == data


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_resolved_example_dumps_and_loads_back(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path, CATEGORIES)
    dumped = tmp_path / path.name
    dumped.write_text(dumps_scenario(scenario), encoding="utf-8")
    assert load_scenario(dumped, CATEGORIES) == scenario


def test_the_example_budget_covers_every_sample_category() -> None:
    budget = load_budget_file(BUDGET)
    assert budget.unit == "kEUR"
    matched = {match_category(name, CATEGORIES): years for name, years in budget.amounts.items()}
    assert set(matched) == set(CATEGORIES)
    for category, years in matched.items():
        assert set(FORECAST_YEARS) <= set(years), category
    zero = sorted(str(c) for c, years in matched.items() if not any(years.values()))
    assert zero == ["6.71d Overige maatwerkarrangementen (WMO)", "6.74c Gesloten plaatsing"]
    assert budget.provenance is not None and "begroting 2024" in budget.provenance


def test_the_example_budget_starts_from_the_real_2024_begroting() -> None:
    amounts = load_budget_file(BUDGET).amounts
    assert amounts["6.72a Jeugdhulp begeleiding"][2024] == 1_653_000.0  # CBS: Lasten 1653.0
    assert amounts["6.71a Huishoudelijke hulp (WMO)"][2024] == 5_655_000.0
    for years in amounts.values():
        for year in range(2025, 2030):
            expected = Decimal(years[2024] / 1000) * Decimal("1.03") ** (year - 2024)
            assert years[year] == float(expected.quantize(Decimal(1), ROUND_HALF_UP) * 1000)


def test_scenario_specifics() -> None:
    (indexation,) = load_scenario(EXAMPLES / "tariff_indexation.toml", CATEGORIES).indexation
    assert (indexation.year, indexation.tariff_percent) == (2027, 4.954)
    (volume,) = load_scenario(EXAMPLES / "volume_growth.toml", CATEGORIES).volume
    assert volume.applies_to == ("6.71a Huishoudelijke hulp (WMO)",)
    assert volume.growth_percent_per_year == 3.0
    (measure,) = load_scenario(EXAMPLES / "phased_measure.toml", CATEGORIES).measure
    assert (measure.effect_percent, measure.ramp_months) == (-5.0, 6)


def test_the_budget_cut_is_five_percent_from_2027() -> None:
    base = load_scenario(EXAMPLES / "baseline.toml", CATEGORIES).budget
    cut = load_scenario(EXAMPLES / "budget_cut.toml", CATEGORIES).budget
    assert base is not None and cut is not None
    for name, years in base.amounts.items():
        for year, amount in years.items():
            kilo = Decimal(amount / 1000)
            expected = (
                kilo
                if year < 2027
                else (kilo * Decimal("0.95")).quantize(Decimal(1), ROUND_HALF_UP)
            )
            assert cut.amounts[name][year] == float(expected * 1000), (name, year)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_example_budget", ROOT / "scripts" / "make_example_budget.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_budgets_are_what_the_script_writes(
    shared_file: Callable[..., Path],
) -> None:
    iv3_dir = shared_file("nl_iv3_taakvelden", "iv3_2024_begroting.csv").parent
    written = _script().build(iv3_dir, SAMPLE_PATH)
    for name, text in written.items():
        assert (EXAMPLES / name).read_text(encoding="utf-8") == text, name


def test_the_template_loads_against_the_data(tmp_path: Path) -> None:
    domains = domains_for(CATEGORIES)
    path = tmp_path / "new.toml"
    path.write_text(new_scenario_text(CATEGORIES, domains, 2026), encoding="utf-8")
    scenario = load_scenario(path, CATEGORIES, domains=domains)
    assert scenario.budget is None  # no amounts given: no invented budget
    assert "[budget]" in path.read_text()  # but the comment says how to add one
    assert [
        len(scenario.indexation),
        len(scenario.volume),
        len(scenario.measure),
        len(scenario.one_off),
    ] == [1, 1, 1, 1]
    assert domains[scenario.measure[0].applies_to[0]] == "jeugd"
    assert domains[scenario.volume[0].applies_to[0]] == "wmo"


def test_the_template_writes_a_budget_when_given_amounts(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    actuals = {'Jeugd "A"': 1000.4, "Wmo B": 2_000_000.0}
    path.write_text(new_scenario_text(list(actuals), {}, 2027, budget=actuals), encoding="utf-8")
    scenario = load_scenario(path, list(actuals))
    assert scenario.budget is not None
    assert scenario.budget.amounts == {
        'Jeugd "A"': {2027: 1000.0, 2028: 1000.0, 2029: 1000.0, 2030: 1000.0},
        "Wmo B": {2027: 2e6, 2028: 2e6, 2029: 2e6, 2030: 2e6},
    }


# --- scenario new and check on the command line ----------------------------------------------

runner = CliRunner()


def test_scenario_check_takes_every_example_budget_files_too() -> None:
    files = [str(p) for p in sorted(EXAMPLES.glob("*.toml"))]
    result = runner.invoke(app, ["scenario", "check", *files, "--data", str(SAMPLE_PATH)])
    assert result.exit_code == 0, result.stderr
    assert f"ok: {BUDGET}: budget file, 17 categories, years 2024–2029" in result.stderr
    assert result.stderr.count("ok: ") == len(files)


def test_scenario_check_refuses_a_one_off_in_the_actuals(tmp_path: Path) -> None:
    path = tmp_path / "laat.toml"
    path.write_text(
        '[scenario]\nname = "Laat"\n[[one_off]]\nname = "x"\ncategory = "6.72a"\n'
        "month = 2026-03-01\namount_eur = 5\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["scenario", "check", str(path)]).exit_code == 0
    result = runner.invoke(app, ["scenario", "check", str(path), "--data", str(SAMPLE_PATH)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f'error: {path}:6: one_off[1].month ("x"): month 2026-03 is already in the actuals '
        "(the forecast starts in 2026-10) — move it to a forecast month or leave it out: the "
        "actuals already hold it"
    )


def test_scenario_check_checks_a_budget_file_against_the_data(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        '[budget]\nunit = "kEUR"\n[budget.categories."6.72a Jeugdhulp behandeling"]\n2026 = 1\n'
        '[budget.categories."6.72d Jeugdhulp zonder verblijf overig"]\n2026 = 0\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scenario", "check", str(path), "--data", str(SAMPLE_PATH)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f'error: {path}:3: budget.categories."6.72a Jeugdhulp behandeling": ')


def test_scenario_new_on_an_existing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mijn.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["scenario", "new", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {path}: file exists — use --force to replace it"
    assert path.read_text(encoding="utf-8") == "# mine\n"
    folder = runner.invoke(app, ["scenario", "new", str(tmp_path)])
    assert folder.exit_code == 2 and "--output" not in folder.stderr


def test_scenario_help_names_its_placeholders() -> None:
    new = runner.invoke(app, ["scenario", "new", "--help"]).stdout
    assert "{FILE}" in new and "--data DATA" in new and "{path}" not in new
    check = runner.invoke(app, ["scenario", "check", "--help"]).stdout
    assert "{FILE...}" in check and "--data DATA" in check and "--data <list[Path]>" not in check
