"""`carecast check` through the command line: snapshots written, held, moved and explained.

Most tests use `--model seasonal-naive` (a second instead of several); the default model goes
through the same code and is checked once, and by the CI example (test_ci_example.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from models.sample import SAMPLE_PATH

runner = CliRunner()
FAST = ("--model", "seasonal-naive")


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A copy of the bundled sample that a test may edit."""
    path = tmp_path / "grootboek.csv"
    shutil.copy(SAMPLE_PATH, path)
    return path


@pytest.fixture
def snapshot(tmp_path: Path, ledger: Path) -> Path:
    path = tmp_path / "forecast.snapshot.toml"
    made = run("check", "--snapshot", str(path), str(ledger), *FAST, "--update")
    assert made.exit_code == 0, made.stderr
    assert "a new snapshot of 80 figures" in made.stderr
    return path


def change_month(path: Path, month: str, category: str, add: float | str) -> None:
    """Add `add` euro to one month of one category (or write the text `add` there)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    prefix = f"{month};{category};"
    hits = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert len(hits) == 1
    old = float(lines[hits[0]][len(prefix) :].strip().replace(".", "").replace(",", "."))
    new = add if isinstance(add, str) else f"{old + add:.2f}".replace(".", ",")
    lines[hits[0]] = f"{prefix}{new}\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_a_new_snapshot_holds_the_forecasts_figures(snapshot: Path, ledger: Path) -> None:
    """The snapshot's figures are the json output's annual rows, rounded the same way."""
    import tomllib

    data = tomllib.loads(snapshot.read_text(encoding="utf-8"))
    forecast = run("forecast", str(ledger), *FAST, "--format", "json")
    annual = json.loads(forecast.stdout)["annual"]
    assert len(data["figures"]) == len(annual) == 80
    for row, fig in zip(annual, data["figures"], strict=True):
        assert (fig["category"], fig["year"], fig["level"]) == (
            row["category"], row["year"], row["level"]
        )  # fmt: skip
        assert (fig["total"], fig["lower"], fig["upper"]) == (
            row["total"], row["lower"], row["upper"]
        )  # fmt: skip
        assert "budget" not in fig  # no budget: left out, never 0
    assert data["settings"]["model"] == "seasonal-naive"
    assert data["inputs"][0]["sha256"] == json.loads(forecast.stdout)["inputs"][0]["sha256"]
    assert set(data["versions"]) >= {"prophet", "cmdstanpy", "polars"}


def test_an_unchanged_forecast_holds(snapshot: Path, ledger: Path) -> None:
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST)
    assert result.exit_code == 0, result.stderr
    assert "80 figures compared: 80 held, 0 moved" in result.stdout
    assert "Nothing changed since the snapshot." in result.stdout
    assert result.stderr == ""


def test_one_changed_month_fails_naming_the_category_year_and_input(
    snapshot: Path, ledger: Path
) -> None:
    change_month(ledger, "2026-03", "6.71b Begeleiding (WMO)", 20_000.0)
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "moved"
    moved = {(m["category"], m["year"], m["field"]) for m in data["moved"]}
    # 2026 holds the changed month as an actual: exactly 20.000 more, in the category, its
    # domain and the total; nothing else in 2026 moved
    for category in ("6.71b Begeleiding (WMO)", "wmo", "totaal"):
        assert (category, 2026, "total") in moved
        key = (category, 2026, "total")
        (row,) = [m for m in data["moved"] if (m["category"], m["year"], m["field"]) == key]
        assert row["change"] == pytest.approx(20_000.0, abs=0.02)
    assert {c for c, y, _ in moved if y == 2026} == {"6.71b Begeleiding (WMO)", "wmo", "totaal"}
    assert data["causes"] == [
        {
            "kind": "input",
            "name": str(ledger),
            "snapshot": pytest.approx(data["causes"][0]["snapshot"]),
            "now": pytest.approx(data["causes"][0]["now"]),
        }
    ]
    assert data["causes"][0]["snapshot"] != data["causes"][0]["now"]
    table = run("check", "--snapshot", str(snapshot), str(ledger), *FAST)
    assert table.exit_code == 1
    line = next(x for x in table.stdout.splitlines() if x.startswith("6.71b Begeleiding (WMO)"))
    assert "2026" in line and "forecast" in line and "+€ 20.000 (" in line
    assert f"- input {ledger}: sha256" in table.stdout
    assert "check: " in table.stderr and "moved beyond tolerance" in table.stderr


def test_a_wide_tolerance_absorbs_the_change(snapshot: Path, ledger: Path) -> None:
    change_month(ledger, "2026-03", "6.71b Begeleiding (WMO)", 20_000.0)
    # the month itself is 20.000 (about 1 % of the year); the intervals built on it move more
    wide = run("check", "--snapshot", str(snapshot), str(ledger), *FAST,
               "--tolerance-percent", "5")  # fmt: skip
    assert wide.exit_code == 0, wide.stdout
    assert "80 held, 0 moved" in wide.stdout and "- input" in wide.stdout  # the cause is still said
    # a tolerance written into the snapshot counts too
    text = snapshot.read_text(encoding="utf-8").replace("percent = 0.01", "percent = 5.0")
    snapshot.write_text(text, encoding="utf-8")
    assert run("check", "--snapshot", str(snapshot), str(ledger), *FAST).exit_code == 0
    # and the command line wins over the file
    strict = run("check", "--snapshot", str(snapshot), str(ledger), *FAST,
                 "--tolerance-percent", "0")  # fmt: skip
    assert strict.exit_code == 1


def test_a_changed_setting_and_version_are_named_as_causes(snapshot: Path, ledger: Path) -> None:
    text = snapshot.read_text(encoding="utf-8").replace('prophet = "', 'prophet = "0.9-')
    snapshot.write_text(text, encoding="utf-8")
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--seed", "3",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 1  # new seed, new sample paths: the intervals move
    causes = {(c["kind"], c["name"]): (c["snapshot"], c["now"]) for c in
              json.loads(result.stdout)["causes"]}  # fmt: skip
    assert causes[("setting", "seed")] == ("0", "3")
    old, new = causes[("version", "prophet")]
    assert old is not None and old.startswith("0.9-") and new is not None
    assert not any(kind == "input" for kind, _ in causes)


def test_more_years_are_new_figures(snapshot: Path, ledger: Path) -> None:
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--years", "4")
    assert result.exit_code == 1
    assert "0 moved" in result.stdout and "20 new, 0 gone" in result.stdout
    assert "New since the snapshot: 6.72a Jeugdhulp begeleiding 2030" in result.stdout
    assert "- setting years: 3 → 4" in result.stdout


def test_update_rewrites_the_snapshot_and_says_what_changed(
    snapshot: Path, ledger: Path
) -> None:
    change_month(ledger, "2026-03", "6.71b Begeleiding (WMO)", 20_000.0)
    updated = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--update")
    assert updated.exit_code == 0
    assert "updated" in updated.stderr and "figure(s) moved" in updated.stderr
    assert "+€ 20.000" in updated.stdout  # what changed is shown before it is written
    assert run("check", "--snapshot", str(snapshot), str(ledger), *FAST).exit_code == 0
    assert not list(snapshot.parent.glob(".*.tmp"))


def test_scenarios_are_checked_and_fingerprinted(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
    copy = tmp_path / "baseline.toml"
    shutil.copy(root / "baseline.toml", copy)
    shutil.copy(root / "budget_midden_drenthe.toml", tmp_path / "budget_midden_drenthe.toml")
    snap = tmp_path / "s.toml"
    args = ("check", "--snapshot", str(snap), *FAST, "--scenario", str(copy))
    assert run(*args, "--update").exit_code == 0
    assert "overspend_probability" in snap.read_text(encoding="utf-8")
    assert run(*args).exit_code == 0
    # a change in the budget file the scenario refers to is a change of the scenario
    budget = tmp_path / "budget_midden_drenthe.toml"
    text = budget.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("2027 = "))
    budget.write_text(text.replace(line, "2027 = 1", 1), encoding="utf-8")
    result = run(*args, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    # the resolved scenario changed, and the file that changed it is named
    assert [(c["kind"], c["name"]) for c in data["causes"]] == [
        ("scenario", "Basis"),
        ("scenario_file", str(budget)),
    ]
    assert {m["field"] for m in data["moved"]} <= {"budget", "overspend_probability"}
    assert {m["year"] for m in data["moved"]} == {2027}


def test_the_default_model_checks_too(tmp_path: Path) -> None:
    snap = tmp_path / "s.toml"
    assert run("check", "--snapshot", str(snap), "--update").exit_code == 0
    held = run("check", "--snapshot", str(snap))
    assert held.exit_code == 0, held.stdout
    assert 'model = "auto"' in snap.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, (), "snapshot not found — create it with --update"),
        ("dir", (), "--snapshot: is a directory"),
        ("garbage", (), "[snapshot] is missing: not a carecast snapshot"),
        ("budget", (), "this is a budget file, not a snapshot — name it in a scenario's"),
        ("ok", ("--tolerance-eur", "-1"), "error: --tolerance-eur: must be a number of 0 or"),
        ("ok", ("--tolerance-percent", "inf"), "--tolerance-percent: must be a number of 0 or"),
        ("ok", ("--tolerance-probability", "nan"), "--tolerance-probability: must be between"),
        ("ok", ("--tolerance-probability", "2"), "--tolerance-probability: must be between 0"),
    ],
)
def test_bad_snapshots_and_tolerances_are_exit_2(
    tmp_path: Path, ledger: Path, setup: str | None, args: tuple[str, ...], message: str
) -> None:
    snap = tmp_path / "s.toml"
    if setup == "dir":
        snap.mkdir()
    elif setup == "garbage":
        snap.write_text('titel = "prognose"\n', encoding="utf-8")
    elif setup == "budget":
        snap.write_text('[budget]\nunit = "EUR"\n', encoding="utf-8")
    elif setup == "ok":
        assert run("check", "--snapshot", str(snap), str(ledger), *FAST, "--update").exit_code == 0
    result = run("check", "--snapshot", str(snap), str(ledger), *FAST, *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    place = "error: --tolerance" if "tolerance" in message else f"error: {snap}"
    # one line per problem (a file that is no snapshot has several), nothing else
    assert all(line.startswith(place) for line in result.stderr.splitlines())
    assert result.stdout == ""


def test_bad_input_data_is_exit_3_and_leaves_the_snapshot_alone(
    snapshot: Path, ledger: Path
) -> None:
    before = snapshot.read_bytes()
    change_month(ledger, "2026-03", "6.71b Begeleiding (WMO)", "veel")
    for extra in ((), ("--update",)):
        result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, *extra)
        assert result.exit_code == 3
        assert "'veel' is not an amount" in result.stderr
    assert snapshot.read_bytes() == before


def _edited(snapshot: Path, old: str, new: str) -> None:
    text = snapshot.read_text(encoding="utf-8")
    assert old in text
    snapshot.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('model = "seasonal-naive"', 'model = "arima"', "settings.model: model 'arima' is not"),
        ("seed = 0", 'seed = "0"', "settings.seed: seed must be a whole number"),
        ("years = 3", "years = 3.5", "settings.years: years must be a whole number"),
        ('last_complete_month = "2026-09"', "last_complete_month = 202609",
         "settings.last_complete_month: last_complete_month must be text"),
        ('prophet = "1.5.0"', "prophet = 1.5", 'versions.prophet: prophet must be text'),
        ('level = "category"', 'level = "bogus"', "figures[1].level: level 'bogus' is not one"),
        ("year = 2026", "year = 1800", "figures[1].year: year 1800 is outside 2000..2100"),
        ("total = ", "total = 1e400 #", "figures[1].total: total is too large"),
    ],
)  # fmt: skip
def test_a_damaged_snapshot_is_exit_2_naming_the_key(
    snapshot: Path, ledger: Path, old: str, new: str, message: str
) -> None:
    _edited(snapshot, old, new)
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and result.stderr.startswith(f"error: {snapshot}:")


def test_a_truncated_snapshot_is_a_bad_file_not_a_movement(snapshot: Path, ledger: Path) -> None:
    lines = snapshot.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if line.startswith("[[figures]]"))
    snapshot.write_text("".join(lines[:cut]), encoding="utf-8")
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST)
    assert result.exit_code == 2
    assert "[[figures]] is missing: the snapshot is incomplete" in result.stderr
    # --update may replace it: it says what it could not read, then writes a good one
    updated = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--update")
    assert updated.exit_code == 0, updated.stderr
    assert "warning: " in updated.stderr and "--update writes a new one" in updated.stderr
    assert run("check", "--snapshot", str(snapshot), str(ledger), *FAST).exit_code == 0


def test_update_never_replaces_a_file_that_is_no_snapshot(tmp_path: Path, ledger: Path) -> None:
    """--snapshot pointed at the ledger, or at a scenario, by mistake: the file stays."""
    scenario = tmp_path / "plan.toml"
    scenario.write_text('[scenario]\nname = "Plan"\n', encoding="utf-8")
    copy = tmp_path / "ledger_copy.csv"
    copy.write_bytes(ledger.read_bytes())
    for target, message in (
        (copy, "not a carecast snapshot, so --update does not replace it"),
        (scenario, "this is a scenario file, not a snapshot — give it with --scenario"),
    ):
        before = target.read_bytes()
        result = run("check", "--snapshot", str(target), str(ledger), *FAST, "--update")
        assert result.exit_code == 2 and message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and target.read_bytes() == before


def test_the_same_file_under_another_path_is_no_cause(
    snapshot: Path, ledger: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "elsewhere" / "renamed.csv"
    copy.parent.mkdir()
    shutil.copy(ledger, copy)
    result = run("check", "--snapshot", str(snapshot), str(copy), *FAST, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["causes"] == []


def test_a_carecast_upgrade_is_named(snapshot: Path, ledger: Path) -> None:
    _edited(snapshot, 'carecast_version = "', 'carecast_version = "0.0.1-')
    result = run("check", "--snapshot", str(snapshot), str(ledger), *FAST, "--format", "json")
    assert result.exit_code == 0  # no figure moved: the cause is said, nothing fails
    (cause,) = json.loads(result.stdout)["causes"]
    assert (cause["kind"], cause["name"]) == ("version", "carecast")
    assert cause["snapshot"].startswith("0.0.1-")


def test_a_moved_check_still_fails_when_the_reader_stops_early(
    snapshot: Path, ledger: Path
) -> None:
    """`carecast check … | head -1` under `set -o pipefail` must not turn a regression into a
    pass: the closed pipe drops the rest of the table, the exit code stays 1."""
    import subprocess
    import sys

    change_month(ledger, "2026-03", "6.71b Begeleiding (WMO)", 20_000.0)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "check", "--snapshot", str(snapshot), str(ledger), *FAST],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait() == 1, errors
    assert "Traceback" not in errors and "moved beyond tolerance" in errors
