"""Snapshots: tolerance rules by hand, comparison of hand-made snapshots, the TOML round trip and
precise errors for a damaged snapshot file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from models.errors import ProblemList, UsageError
from scenarios.snapshot import (
    Figure,
    Snapshot,
    Tolerance,
    compare,
    dumps_snapshot,
    load_snapshot,
)


def figure(category: str, year: int, total: float, budget: float | None = None,
           level: str = "category") -> Figure:  # fmt: skip
    values: dict[str, float | None] = {"total": total, "lower": total - 100, "upper": total + 100}
    if budget is not None:
        values |= {"budget": budget, "overspend_probability": 0.25}
    return Figure("baseline", category, "jeugd", level, year, values)


def snapshot(*figures: Figure, **changes: object) -> Snapshot:
    base = Snapshot(
        carecast_version="0.1.0",
        tolerance=Tolerance(),
        settings={"model": "auto", "seed": 0, "interval": 0.8, "samples": 1000, "years": 3,
                  "as_of": "", "last_complete_month": "2026-09"},  # fmt: skip
        versions={"prophet": "1.5.0", "polars": "2.1.0"},
        inputs=(("ledger.csv", "a" * 64, 120),),
        scenarios=(),
        figures=figures,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_money_holds_within_euro_or_percent_whichever_allows_more() -> None:
    t = Tolerance(eur=10.0, percent=0.1, probability=0.02)
    # on 1.000.000 the percent allows 1.000 euro; on 1.000 the 10 euro allows more than 0.1 %
    assert t.holds_money(1_000_000.0, 1_001_000.0)
    assert not t.holds_money(1_000_000.0, 1_001_000.02)
    assert t.holds_money(1_000.0, 1_010.0) and not t.holds_money(1_000.0, 1_010.02)
    assert t.holds_money(-500.0, -510.0)  # a credit balance moves like any amount
    assert t.holds_probability(0.50, 0.52) and not t.holds_probability(0.50, 0.53)
    zero = Tolerance(eur=0.0, percent=0.0, probability=0.0)
    assert zero.holds_money(1234.56, 1234.56) and not zero.holds_money(1234.56, 1234.57)


def test_compare_lists_moved_values_new_and_gone_figures() -> None:
    then = snapshot(figure("A", 2026, 1000.0), figure("A", 2027, 2000.0), figure("B", 2026, 500.0))
    moved_a = replace(figure("A", 2027, 2000.0), values={"total": 2050.0, "lower": 1900.0,
                                                           "upper": 2100.0})  # fmt: skip
    now = snapshot(figure("A", 2026, 1000.5), moved_a, figure("C", 2026, 10.0))
    result = compare(then, now, Tolerance(eur=1.0, percent=0.0))
    assert not result.ok
    assert result.checked == 2 and result.held == 1  # A 2026 moved by 0.50: holds
    assert [(m.figure.category, m.figure.year, m.field, m.then, m.now) for m in result.moved] == [
        ("A", 2027, "total", 2000.0, 2050.0)  # lower and upper are unchanged
    ]
    assert result.moved[0].change == 50.0 and result.moved[0].change_percent == 2.5
    assert [f.category for f in result.added] == ["C"]
    assert [f.category for f in result.removed] == ["B"]
    assert result.causes == ()  # same inputs, settings and versions


def test_a_budget_that_appears_is_a_movement() -> None:
    then = snapshot(figure("A", 2026, 1000.0))
    now = snapshot(figure("A", 2026, 1000.0, budget=900.0))
    result = compare(then, now, Tolerance())
    assert {m.field for m in result.moved} == {"budget", "overspend_probability"}
    assert all(m.then is None and m.change is None for m in result.moved)


def test_causes_name_inputs_scenarios_settings_and_versions() -> None:
    then = snapshot(scenarios=(("Voorjaarsnota", "v.toml", "b" * 64),))
    now = snapshot(
        inputs=(("ledger.csv", "c" * 64, 121), ("extra.csv", "d" * 64, 5)),
        scenarios=(("Voorjaarsnota", "v.toml", "e" * 64),),
        settings={**then.settings, "seed": 7},
        versions={"prophet": "1.6.0", "polars": "2.1.0"},
    )
    causes = [(c.kind, c.name, c.then, c.now) for c in compare(then, now, Tolerance()).causes]
    assert causes == [
        ("input", "extra.csv", None, "sha256 dddddddddddd…, 5 rows"),
        ("input", "ledger.csv", "sha256 aaaaaaaaaaaa…, 120 rows", "sha256 cccccccccccc…, 121 rows"),
        ("scenario", "Voorjaarsnota", "sha256 bbbbbbbbbbbb…", "sha256 eeeeeeeeeeee…"),
        ("setting", "seed", "0", "7"),
        ("version", "prophet", "1.5.0", "1.6.0"),
    ]


def test_dump_and_load_give_the_same_snapshot(tmp_path: Path) -> None:
    original = snapshot(
        figure("6.72a Jeugdhulp begeleiding", 2026, 2_562_713.96, budget=2_400_000.0),
        figure("jeugd", 2026, 13_339_428.01, level="domain"),
        tolerance=Tolerance(eur=5.0, percent=0.5, probability=0.05),
        scenarios=(("Voorjaarsnota 2027", "scenarios/v.toml", "f" * 64),),
    )
    path = tmp_path / "snapshot.toml"
    text = dumps_snapshot(original)
    path.write_text(text, encoding="utf-8")
    assert load_snapshot(path) == original
    assert dumps_snapshot(load_snapshot(path)) == text  # stable bytes


def test_a_damaged_snapshot_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.toml"
    text = dumps_snapshot(snapshot(figure("A", 2026, 1000.0)))
    text = text.replace("eur = 1.0", "euro = 1.0").replace("total = 1000.0", 'total = "1000"')
    text = text.replace("year = 2026", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        load_snapshot(path)
    lines = caught.value.lines()
    assert any("tolerance.euro: unknown key 'euro'" in line and "did you mean 'eur'" in line
               for line in lines), lines  # fmt: skip
    assert any("figures[1].total: total must be a number" in line for line in lines), lines
    assert any("figures[1].year: year is missing" in line for line in lines), lines
    assert all(line.startswith(f"error: {path}:") for line in lines)


def test_a_file_that_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text('[scenario]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="this is a scenario file, not a snapshot"):
        load_snapshot(path)
    path.write_text('[prognose]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        load_snapshot(path)
    text = "\n".join(caught.value.lines())
    assert "not a carecast snapshot" in text and "unknown key 'prognose'" in text
    path.write_text("[snapshot\nformat = 1\n", encoding="utf-8")
    with pytest.raises(ProblemList) as syntax:
        load_snapshot(path)
    assert syntax.value.lines()[0].startswith(f"error: {path}:1:")
    path.write_text("[snapshot]\nformat = 1\n\n[[figures]]\ndomain =\n", encoding="utf-8")
    with pytest.raises(ProblemList) as cut:  # a file cut off mid-line
        load_snapshot(path)
    assert cut.value.lines()[0].startswith(f"error: {path}:5:")
    assert cut.value.lines()[0].endswith(" — write a new snapshot with --update")
