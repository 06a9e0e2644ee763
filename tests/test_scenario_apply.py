"""Scenarios on sample paths, checked against values worked out by hand (see scenarios/apply.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from models.aggregate import annual_summary
from models.categories import leading_code
from models.errors import UsageError
from models.forecast import SeriesForecast
from scenarios.apply import apply_scenario, timing_warnings
from scenarios.schema import Indexation, Measure, OneOff, Scenario, Volume

FIRST = date(2025, 10, 1)  # T = 2025: Oct..Dec 2025 forecast, then 2026 and 2027
HORIZON = 27  # Oct 2025 .. Dec 2027
N = 300
BEGELEIDING = "6.72a Jeugdhulp begeleiding"
PLEEGZORG = "6.73a Pleegzorg"
HUISHOUDELIJK = "6.71a Huishoudelijke hulp (WMO)"
DOMAINS = {BEGELEIDING: "jeugd", PLEEGZORG: "jeugd", HUISHOUDELIJK: "wmo"}


def _months(start: date, count: int) -> list[date]:
    out = []
    year, month = start.year, start.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


MONTHS = _months(FIRST, HORIZON)


def _forecasts() -> list[SeriesForecast]:
    rng = np.random.default_rng(2026)
    return [
        SeriesForecast(
            c, "prophet", None, FIRST, 1000.0 * (k + 1) + rng.gamma(2.0, 200.0, (N, HORIZON))
        )
        for k, c in enumerate(DOMAINS)
    ]


def _flat(value: float = 100.0, horizon: int = HORIZON) -> list[SeriesForecast]:
    paths = np.full((N, horizon), value)
    return [SeriesForecast(c, "constant", None, FIRST, paths.copy()) for c in DOMAINS]


def _match(name: str) -> str | None:
    """A stand-in for the parser's match_category: exact name or the same Iv3 code."""
    for category in DOMAINS:
        if name == category or leading_code(name) == leading_code(category):
            return category
    return None


def _by_name(forecasts: list[SeriesForecast]) -> dict[str, np.ndarray]:
    return {f.category: f.paths for f in forecasts}


def _history() -> pl.DataFrame:
    rows = [(c, m, 1000.0) for c in DOMAINS for m in _months(date(2024, 1, 1), 21)]
    return pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    )


def _year_forecast(forecasts: list[SeriesForecast], category: str, year: int) -> float:
    table = annual_summary(_history(), forecasts, DOMAINS, [year])
    row = table.filter((pl.col("category") == category) & (pl.col("year") == year))
    return float(row["forecast"].item())


def test_indexation_raises_its_year_and_later_years_of_the_named_categories_only() -> None:
    base = _forecasts()
    scenario = Scenario("index", indexation=(Indexation(2026, 10.0, ("jeugd",)),))
    got = _by_name(apply_scenario(base, scenario, DOMAINS))
    before = _by_name(base)
    in_2025 = [h for h, m in enumerate(MONTHS) if m.year == 2025]
    later = [h for h, m in enumerate(MONTHS) if m.year >= 2026]
    for category in (BEGELEIDING, PLEEGZORG):
        assert np.array_equal(got[category][:, in_2025], before[category][:, in_2025])
        np.testing.assert_allclose(got[category][:, later], 1.1 * before[category][:, later])
    assert np.array_equal(got[HUISHOUDELIJK], before[HUISHOUDELIJK])
    # in the annual table: exactly 10 % more in 2026, and in 2027 without a 2027 indexation
    adjusted = apply_scenario(base, scenario, DOMAINS)
    for year in (2026, 2027):
        assert _year_forecast(adjusted, PLEEGZORG, year) == pytest.approx(
            1.1 * _year_forecast(base, PLEEGZORG, year), rel=1e-12
        )
        assert _year_forecast(adjusted, HUISHOUDELIJK, year) == _year_forecast(
            base, HUISHOUDELIJK, year
        )


def test_indexations_compound_and_resolve_category_names() -> None:
    base = _forecasts()
    scenario = Scenario(
        "index",
        source="voorjaarsnota.toml",
        indexation=(
            Indexation(2026, 10.0, ("6.72a",)),  # a code, resolved by `match`
            Indexation(2027, 5.0, ("6.72a", "jeugd")),  # domain and category overlap: once
        ),
    )
    adjusted = apply_scenario(base, scenario, DOMAINS, _match)
    assert _year_forecast(adjusted, BEGELEIDING, 2026) == pytest.approx(
        1.1 * _year_forecast(base, BEGELEIDING, 2026), rel=1e-12
    )
    assert _year_forecast(adjusted, BEGELEIDING, 2027) == pytest.approx(
        1.1 * 1.05 * _year_forecast(base, BEGELEIDING, 2027), rel=1e-12
    )
    assert _year_forecast(adjusted, PLEEGZORG, 2026) == _year_forecast(base, PLEEGZORG, 2026)
    assert _year_forecast(adjusted, PLEEGZORG, 2027) == pytest.approx(
        1.05 * _year_forecast(base, PLEEGZORG, 2027), rel=1e-12
    )


def test_empty_applies_to_means_every_category() -> None:
    base = _forecasts()
    got = apply_scenario(base, Scenario("all", indexation=(Indexation(2026, 2.0),)), DOMAINS)
    for before, after in zip(base, got, strict=True):
        np.testing.assert_allclose(after.paths[:, 3:], 1.02 * before.paths[:, 3:])


def test_a_ramped_measure_phases_in_holds_and_stops() -> None:
    base = _forecasts()
    measure = Measure(
        "Praktijkondersteuner",
        date(2026, 2, 1),
        (BEGELEIDING,),
        end=date(2026, 11, 1),
        effect_percent=-20.0,
        ramp_months=4,
    )
    got = _by_name(apply_scenario(base, Scenario("m", measure=(measure,)), DOMAINS))
    ratio = got[BEGELEIDING] / _by_name(base)[BEGELEIDING]
    expected = []
    for month in MONTHS:
        if date(2026, 2, 1) <= month <= date(2026, 11, 1):
            expected.append({2: 0.95, 3: 0.90, 4: 0.85}.get(month.month, 0.80))
        else:
            expected.append(1.0)
    assert expected[4:9] == [0.95, 0.90, 0.85, 0.80, 0.80]  # Feb..Jun 2026, as the brief says
    np.testing.assert_allclose(ratio, np.tile(expected, (N, 1)), rtol=1e-12)
    assert np.array_equal(got[PLEEGZORG], _by_name(base)[PLEEGZORG])


def test_a_measure_without_ramp_works_in_full_from_its_start_month() -> None:
    measure = Measure("m", date(2026, 1, 1), ("wmo",), effect_percent=-10.0)
    got = _by_name(apply_scenario(_flat(), Scenario("m", measure=(measure,)), DOMAINS))
    assert got[HUISHOUDELIJK][0, :3].tolist() == [100.0] * 3
    np.testing.assert_allclose(got[HUISHOUDELIJK][:, 3:], 90.0)


def test_a_euro_measure_adds_a_ramped_amount() -> None:
    measure = Measure(
        "Inkoop",
        date(2026, 1, 1),
        (PLEEGZORG,),
        end=date(2026, 6, 1),
        effect_eur_per_month=-30.0,
        ramp_months=3,
    )
    got = _by_name(apply_scenario(_flat(), Scenario("m", measure=(measure,)), DOMAINS))
    expected = [100.0] * 3 + [90.0, 80.0, 70.0, 70.0, 70.0, 70.0] + [100.0] * (HORIZON - 9)
    np.testing.assert_allclose(got[PLEEGZORG], np.tile(expected, (N, 1)))


def test_volume_compounds_monthly_and_holds_after_its_end() -> None:
    flat = _flat(horizon=40)
    volume = Volume(5.0, FIRST, (HUISHOUDELIJK,))
    got = _by_name(apply_scenario(flat, Scenario("v", volume=(volume,)), DOMAINS))[HUISHOUDELIJK]
    assert got[0, 0] == 100.0  # the start month is × 1.0
    assert got[0, 12] == pytest.approx(105.0, rel=1e-12)
    assert got[0, 36] == pytest.approx(115.7625, rel=1e-12)  # 100 × 1.05³ after 36 months
    assert np.all(got == got[0])  # every path alike
    # `end` is the last month with growth: Oct 2025 .. Sep 2026 are 12 months, a year of 5 %
    held = Volume(5.0, FIRST, (HUISHOUDELIJK,), end=date(2026, 9, 1))
    got = _by_name(apply_scenario(flat, Scenario("v", volume=(held,)), DOMAINS))[HUISHOUDELIJK]
    np.testing.assert_allclose(got[:, 12:], 105.0, rtol=1e-12)
    later = Volume(12.0, date(2026, 1, 1))  # before its start: × 1.0
    got = _by_name(apply_scenario(flat, Scenario("v", volume=(later,)), DOMAINS))[PLEEGZORG]
    assert got[0, :4].tolist() == [100.0, 100.0, 100.0, 100.0]
    assert got[0, 4] == pytest.approx(100.0 * 1.12 ** (1 / 12), rel=1e-12)


def test_a_one_off_lands_in_exactly_one_month_on_every_path() -> None:
    base = _forecasts()
    one_off = OneOff("Nabetaling aanbieder", "6.73a", date(2026, 3, 1), 150_000.0)
    got = _by_name(apply_scenario(base, Scenario("o", one_off=(one_off,)), DOMAINS, _match))
    added = got[PLEEGZORG] - _by_name(base)[PLEEGZORG]
    march = MONTHS.index(date(2026, 3, 1))
    np.testing.assert_allclose(added[:, march], 150_000.0)
    assert np.count_nonzero(added) == N  # nothing in any other month
    for category in (BEGELEIDING, HUISHOUDELIJK):
        assert np.array_equal(got[category], _by_name(base)[category])


def test_a_one_off_in_an_actual_month_is_an_error_naming_file_and_one_off() -> None:
    one_off = OneOff("Nabetaling aanbieder", PLEEGZORG, date(2025, 3, 1), 150_000.0)
    scenario = Scenario("o", source="najaarsnota.toml", one_off=(one_off,))
    with pytest.raises(UsageError) as caught:
        apply_scenario(_forecasts(), scenario, DOMAINS)
    line = caught.value.one_line()
    assert "najaarsnota.toml" in line
    assert "Nabetaling aanbieder" in line
    assert "month 2025-03 is already in the actuals" in line


def test_a_one_off_counts_from_its_own_categorys_first_forecast_month() -> None:
    """A category whose data stopped early is forecast from an earlier month: that is no actual."""
    early = SeriesForecast(PLEEGZORG, "prophet", None, date(2025, 7, 1), np.ones((N, HORIZON + 3)))
    forecasts = [f if f.category != PLEEGZORG else early for f in _flat()]
    one_off = OneOff("x", PLEEGZORG, date(2025, 8, 1), 10.0)
    got = _by_name(apply_scenario(forecasts, Scenario("o", one_off=(one_off,)), DOMAINS))
    assert got[PLEEGZORG][0, :3].tolist() == [1.0, 11.0, 1.0]
    index = Indexation(2026, 10.0)  # calendar months, also for the earlier start
    got = _by_name(apply_scenario(forecasts, Scenario("i", indexation=(index,)), DOMAINS))
    assert got[PLEEGZORG][0, 5:8].tolist() == pytest.approx([1.0, 1.1, 1.1])  # Dec, Jan, Feb


def test_steps_apply_in_the_documented_order() -> None:
    """Jan 2026 on a flat 100: 100 × 1.10 (index) × 0.80 (measure %) − 5 (measure €) + 7 = 90."""
    scenario = Scenario(
        "order",
        one_off=(OneOff("plus", BEGELEIDING, date(2026, 1, 1), 7.0),),
        measure=(
            Measure("eur", date(2026, 1, 1), (BEGELEIDING,), effect_eur_per_month=-5.0),
            Measure("pct", date(2026, 1, 1), (BEGELEIDING,), effect_percent=-20.0),
        ),
        indexation=(Indexation(2026, 10.0, (BEGELEIDING,)),),
    )
    got = _by_name(apply_scenario(_flat(), scenario, DOMAINS))[BEGELEIDING]
    assert got[0, :5].tolist() == pytest.approx([100.0, 100.0, 100.0, 90.0, 83.0])


def test_a_refund_is_added_in_full_never_clipped() -> None:
    """A terugvordering larger than the month's spending counts in full, as a credit note does."""
    refund = OneOff("Terugvordering", HUISHOUDELIJK, date(2026, 1, 1), -1e6)
    got = apply_scenario(_flat(), Scenario("Terug", one_off=(refund,)), DOMAINS)
    wmo = _by_name(got)[HUISHOUDELIJK]
    assert wmo[:, 3].tolist() == [100.0 - 1e6] * N
    assert wmo.sum() == pytest.approx(100.0 * wmo.size - 1e6 * N)


def test_volume_before_the_forecast_starts_from_the_first_forecast_month() -> None:
    """Growth since 2025-01 is in the actuals already: no jump in the first forecast month."""
    early = Volume(12.0, date(2025, 1, 1), (HUISHOUDELIJK,))
    got = _by_name(apply_scenario(_flat(), Scenario("v", volume=(early,)), DOMAINS))
    wmo = got[HUISHOUDELIJK]
    assert wmo[0, 0] == 100.0
    assert wmo[0, 12] == pytest.approx(112.0, rel=1e-12)


def test_timing_warnings() -> None:
    scenario = Scenario(
        "W",
        indexation=(Indexation(2025, 3.0),),
        measure=(Measure("Oud", date(2025, 1, 1), effect_percent=-5.0),),
        one_off=(OneOff("Ver", HUISHOUDELIJK, date(2040, 1, 1), 10.0),),
    )
    warnings = timing_warnings(scenario, FIRST, date(2027, 12, 1))
    text = " ".join(warnings)
    assert len(warnings) == 3
    assert "2025 indexation" in text and "'Oud'" in text and "'Ver'" in text


def test_unknown_names_are_errors_naming_the_file() -> None:
    scenario = Scenario(
        "x", source="s.toml", indexation=(Indexation(2026, 1.0, ("6.99z Onbekend",)),)
    )
    with pytest.raises(UsageError, match="unknown category") as caught:
        apply_scenario(_forecasts(), scenario, DOMAINS, _match)
    assert caught.value.source == "s.toml"
    with pytest.raises(UsageError, match="is not forecast"):
        apply_scenario(_forecasts(), scenario, DOMAINS, lambda name: "6.72 Oud")
    # a domain without categories in the data is no error: it has nothing to touch
    overig = Scenario("x", indexation=(Indexation(2026, 1.0, ("overig",)),))
    base = _forecasts()
    for before, after in zip(base, apply_scenario(base, overig, DOMAINS), strict=True):
        assert np.array_equal(before.paths, after.paths)


def test_n_scenarios_share_one_fit_and_leave_the_input_alone() -> None:
    base = _forecasts()
    copies = [f.paths.copy() for f in base]
    high = Scenario("hoog", indexation=(Indexation(2026, 6.0),), volume=(Volume(4.0, FIRST),))
    low = Scenario(
        "laag",
        measure=(
            Measure("rem", date(2026, 1, 1), ("jeugd",), effect_percent=-15.0, ramp_months=6),
        ),
        one_off=(OneOff("terug", HUISHOUDELIJK, date(2026, 5, 1), -500.0),),
    )
    first = apply_scenario(base, high, DOMAINS)
    second = apply_scenario(base, low, DOMAINS)
    for f, original in zip(base, copies, strict=True):
        assert np.array_equal(f.paths, original)
    for a, b, f in zip(first, second, base, strict=True):
        assert a is not f and a.paths is not f.paths
        assert (a.category, a.model, a.first_month) == (f.category, f.model, f.first_month)
        assert not np.array_equal(a.paths, b.paths)
    again = apply_scenario(base, high, DOMAINS)
    assert all(np.array_equal(a.paths, b.paths) for a, b in zip(first, again, strict=True))
