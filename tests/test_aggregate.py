"""Annual and monthly tables, checked against a direct numpy calculation on hand-made paths."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from models.aggregate import annual_summary, monthly_summary
from models.categories import domains_for, taakveld_of
from models.forecast import SeriesForecast

FIRST = date(2025, 10, 1)  # forecast starts in October: 2025 = 9 months actual + 3 forecast
HORIZON = 15  # Oct 2025 .. Dec 2026
N = 400
DOMAINS = {"A jeugd": "jeugd", "B jeugd": "jeugd", "C wmo": "wmo"}


def _months(start: date, count: int) -> list[date]:
    out = []
    year, month = start.year, start.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _history() -> list[tuple[str, date, float]]:
    rows = []
    for k, category in enumerate(DOMAINS):
        for i, month in enumerate(_months(date(2024, 1, 1), 21)):  # Jan 2024 .. Sep 2025
            if category == "C wmo" and month == date(2025, 2, 1):
                continue  # a gap: missing, not zero
            rows.append((category, month, 1000.0 * (k + 1) + 10.0 * i + 0.37))
    return rows


def _frame(rows: list[tuple[str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    )


def _forecasts() -> list[SeriesForecast]:
    rng = np.random.default_rng(12345)
    out = []
    for k, category in enumerate(DOMAINS):
        level = 1000.0 * (k + 1)
        paths = level + rng.gamma(2.0, 150.0 * (k + 1), size=(N, HORIZON))
        out.append(SeriesForecast(category, "prophet", None, FIRST, paths))
    return out


def _expected(
    rows: list[tuple[str, date, float]],
    forecasts: list[SeriesForecast],
    members: list[str],
    year: int,
    interval: float,
) -> tuple[float, float, float, float]:
    """Written apart from the module: (actual, forecast, lower, upper) for a set of categories."""
    actual = sum(a for c, m, a in rows if c in members and m.year == year and m < FIRST)
    total_paths = np.zeros(N)
    for f in forecasts:
        if f.category not in members:
            continue
        months = _months(f.first_month, f.paths.shape[1])
        for h in [h for h, m in enumerate(months) if m.year == year]:
            total_paths += f.paths[:, h]
    totals = actual + total_paths
    lower = np.percentile(totals, 100 * (1 - interval) / 2)
    upper = np.percentile(totals, 100 * (1 + interval) / 2)
    return actual, float(total_paths.mean()), float(lower), float(upper)


def _row(table: pl.DataFrame, category: str, year: int) -> dict[str, Any]:
    rows = table.filter((pl.col("category") == category) & (pl.col("year") == year)).to_dicts()
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("interval", [0.8, 0.5])
def test_annual_rows_match_a_direct_calculation(interval: float) -> None:
    rows, forecasts = _history(), _forecasts()
    table = annual_summary(_frame(rows), forecasts, DOMAINS, [2024, 2025, 2026], interval)
    groups = {
        "A jeugd": ["A jeugd"],
        "B jeugd": ["B jeugd"],
        "C wmo": ["C wmo"],
        "jeugd": ["A jeugd", "B jeugd"],
        "wmo": ["C wmo"],
        "totaal": list(DOMAINS),
    }
    for label, members in groups.items():
        for year in (2024, 2025, 2026):
            actual, forecast, lower, upper = _expected(rows, forecasts, members, year, interval)
            got = _row(table, label, year)
            assert got["actual"] == pytest.approx(actual, rel=1e-12, abs=1e-9)
            assert got["forecast"] == pytest.approx(forecast, rel=1e-12, abs=1e-9)
            assert got["total"] == pytest.approx(actual + forecast, rel=1e-12)
            assert got["lower"] == pytest.approx(lower, rel=1e-12)
            assert got["upper"] == pytest.approx(upper, rel=1e-12)


def test_row_order_labels_and_columns() -> None:
    table = annual_summary(_frame(_history()), _forecasts(), DOMAINS, [2025, 2026])
    assert table.columns == [
        "category",
        "domain",
        "level",
        "year",
        "actual",
        "forecast",
        "total",
        "lower",
        "upper",
        "model",
        "budget",
        "difference",
        "overspend_probability",
    ]
    assert table.select("category", "domain", "level", "year").rows() == [
        ("A jeugd", "jeugd", "category", 2025),
        ("A jeugd", "jeugd", "category", 2026),
        ("B jeugd", "jeugd", "category", 2025),
        ("B jeugd", "jeugd", "category", 2026),
        ("C wmo", "wmo", "category", 2025),
        ("C wmo", "wmo", "category", 2026),
        ("jeugd", "jeugd", "domain", 2025),
        ("jeugd", "jeugd", "domain", 2026),
        ("wmo", "wmo", "domain", 2025),
        ("wmo", "wmo", "domain", 2026),
        ("totaal", "totaal", "total", 2025),
        ("totaal", "totaal", "total", 2026),
    ]
    assert table.get_column("model").to_list() == ["prophet"] * 6 + [None] * 6


def test_current_year_is_actuals_to_date_plus_remaining_months() -> None:
    rows, forecasts = _history(), _forecasts()
    got = _row(annual_summary(_frame(rows), forecasts, DOMAINS, [2025]), "A jeugd", 2025)
    to_date = sum(a for c, m, a in rows if c == "A jeugd" and m.year == 2025)  # Jan..Sep
    rest = forecasts[0].paths[:, :3].sum(axis=1).mean()  # Oct..Dec
    assert got["actual"] == pytest.approx(to_date)
    assert got["total"] == pytest.approx(to_date + rest)
    # a year of actuals only has a zero-width interval
    past = _row(annual_summary(_frame(rows), forecasts, DOMAINS, [2024]), "A jeugd", 2024)
    assert past["forecast"] == 0.0
    assert past["lower"] == past["upper"] == past["actual"]


def test_summed_monthly_bounds_are_wider_than_the_summed_path_interval() -> None:
    forecasts = _forecasts()
    table = annual_summary(_frame(_history()), forecasts, DOMAINS, [2026])
    paths = forecasts[0].paths[:, 3:15]  # 2026
    naive_lower = np.quantile(paths, 0.1, axis=0).sum()
    naive_upper = np.quantile(paths, 0.9, axis=0).sum()
    got = _row(table, "A jeugd", 2026)
    assert naive_upper - naive_lower > 1.5 * (got["upper"] - got["lower"])
    assert got["lower"] > naive_lower
    assert got["upper"] < naive_upper
    # and for a domain: summing category bounds is wider again than summing paths
    jeugd = _row(table, "jeugd", 2026)
    a, b = _row(table, "A jeugd", 2026), _row(table, "B jeugd", 2026)
    assert jeugd["upper"] - jeugd["lower"] < (a["upper"] - a["lower"] + b["upper"] - b["lower"])


def test_domain_rows_add_paths_sample_by_sample() -> None:
    """Paths built so that A and B cancel sample by sample: the domain has no spread at all."""
    base = np.linspace(0.0, 1000.0, N)[:, None] * np.ones((1, HORIZON))
    forecasts = [
        SeriesForecast("A jeugd", "prophet", None, FIRST, 1000.0 + base),
        SeriesForecast("B jeugd", "prophet", None, FIRST, 2000.0 - base),
        SeriesForecast("C wmo", "constant", "constant series", FIRST, np.full((N, HORIZON), 5.0)),
    ]
    table = annual_summary(_frame(_history()), forecasts, DOMAINS, [2026])
    jeugd = _row(table, "jeugd", 2026)
    assert jeugd["lower"] == pytest.approx(jeugd["upper"])
    assert jeugd["forecast"] == pytest.approx(12 * 3000.0)
    assert _row(table, "A jeugd", 2026)["upper"] > _row(table, "A jeugd", 2026)["lower"]


def test_monthly_rows_add_up_to_annual_rows_to_the_cent() -> None:
    rows, forecasts = _history(), _forecasts()
    frame = _frame(rows)
    annual = annual_summary(frame, forecasts, DOMAINS, [2024, 2025, 2026])
    monthly = monthly_summary(frame, forecasts, DOMAINS)
    sums: dict[tuple[str, int], float] = defaultdict(float)
    for category, month, amount in monthly.select("category", "month", "amount").iter_rows():
        sums[category, month.year] += amount
    for category, year, total in annual.select("category", "year", "total").iter_rows():
        assert round(sums[category, year], 2) == round(total, 2), (category, year)


def test_monthly_rows_kinds_bounds_and_gaps() -> None:
    rows, forecasts = _history(), _forecasts()
    monthly = monthly_summary(_frame(rows), forecasts, DOMAINS, interval=0.8, start_year=2025)
    assert monthly.columns == [
        "category",
        "domain",
        "level",
        "month",
        "amount",
        "lower",
        "upper",
        "kind",
    ]
    a = monthly.filter(pl.col("category") == "A jeugd")
    assert a.get_column("month").to_list() == _months(date(2025, 1, 1), 9 + HORIZON)
    assert a.get_column("kind").to_list() == ["actual"] * 9 + ["forecast"] * HORIZON
    actual = a.filter(pl.col("kind") == "actual")
    assert (actual["lower"] == actual["amount"]).all()
    assert (actual["upper"] == actual["amount"]).all()
    forecast = a.filter(pl.col("kind") == "forecast")
    paths = forecasts[0].paths
    assert forecast["amount"].to_numpy() == pytest.approx(paths.mean(axis=0), rel=1e-12)
    assert forecast["lower"].to_numpy() == pytest.approx(np.percentile(paths, 10, axis=0))
    assert forecast["upper"].to_numpy() == pytest.approx(np.percentile(paths, 90, axis=0))
    # C has no February 2025: no row for it (a missing month is not a zero) ...
    c_months = monthly.filter(pl.col("category") == "C wmo").get_column("month").to_list()
    assert date(2025, 2, 1) not in c_months
    # ... and the wmo domain has no row either, while the total sums what is there
    wmo = monthly.filter(pl.col("category") == "wmo").get_column("month").to_list()
    assert date(2025, 2, 1) not in wmo
    feb = date(2025, 2, 1)
    feb_total = monthly.filter((pl.col("category") == "totaal") & (pl.col("month") == feb))
    expected = sum(v for c, m, v in rows if m == date(2025, 2, 1))
    assert feb_total["amount"].item() == pytest.approx(expected)
    # domain forecast months: mean and quantiles of the summed paths
    jeugd = monthly.filter((pl.col("category") == "jeugd") & (pl.col("kind") == "forecast"))
    summed = forecasts[0].paths + forecasts[1].paths
    assert jeugd["amount"].to_numpy() == pytest.approx(summed.mean(axis=0), rel=1e-12)
    assert jeugd["upper"].to_numpy() == pytest.approx(np.percentile(summed, 90, axis=0))


def test_a_category_whose_data_stops_early_is_forecast_from_its_own_month() -> None:
    rows = [r for r in _history() if not (r[0] == "C wmo" and r[1] >= date(2025, 7, 1))]
    forecasts = _forecasts()
    rng = np.random.default_rng(7)
    forecasts[2] = SeriesForecast(
        "C wmo", "prophet", None, date(2025, 7, 1), rng.uniform(0, 100, (N, HORIZON + 3))
    )
    frame = _frame(rows)
    annual = annual_summary(frame, forecasts, DOMAINS, [2025, 2026])
    actual, forecast, lower, upper = _expected(rows, forecasts, ["C wmo"], 2025, 0.8)
    got = _row(annual, "C wmo", 2025)
    assert (got["actual"], got["forecast"]) == (pytest.approx(actual), pytest.approx(forecast))
    assert (got["lower"], got["upper"]) == (pytest.approx(lower), pytest.approx(upper))
    _, forecast_total, lower_total, _ = _expected(rows, forecasts, list(DOMAINS), 2025, 0.8)
    assert _row(annual, "totaal", 2025)["forecast"] == pytest.approx(forecast_total)
    assert _row(annual, "totaal", 2025)["lower"] == pytest.approx(lower_total)
    monthly = monthly_summary(frame, forecasts, DOMAINS)
    july = monthly.filter(pl.col("month") == date(2025, 7, 1))
    assert dict(july.select("category", "kind").iter_rows()) == {
        "A jeugd": "actual",
        "B jeugd": "actual",
        "C wmo": "forecast",
        "jeugd": "actual",
        "wmo": "forecast",
        "totaal": "forecast",
    }


def test_history_rows_inside_the_forecast_are_not_counted_twice() -> None:
    rows = _history() + [("A jeugd", date(2025, 10, 1), 1e9)]  # an incomplete month
    table = annual_summary(_frame(rows), _forecasts(), DOMAINS, [2025])
    assert _row(table, "A jeugd", 2025)["actual"] < 1e6


def test_inconsistent_input_is_refused() -> None:
    frame, forecasts = _frame(_history()), _forecasts()
    with pytest.raises(ValueError, match="runs past"):
        annual_summary(frame, forecasts, DOMAINS, [2027])
    with pytest.raises(ValueError, match="no domain"):
        annual_summary(frame, forecasts, {"A jeugd": "jeugd"}, [2025])
    with pytest.raises(ValueError, match="without a forecast"):
        annual_summary(frame, forecasts[:2], DOMAINS, [2025])
    with pytest.raises(ValueError, match="interval"):
        monthly_summary(frame, forecasts, DOMAINS, interval=1.0)
    short = SeriesForecast("C wmo", "prophet", None, FIRST, np.ones((N - 1, HORIZON)))
    odd = [*forecasts[:2], short]
    with pytest.raises(ValueError, match="number of sample paths"):
        annual_summary(frame, odd, DOMAINS, [2025])


def test_quantiles_use_linear_interpolation() -> None:
    """Four paths, 80 %: 'linear' gives 0.3 * gap above the minimum; other methods differ."""
    paths = np.array([[0.0], [10.0], [20.0], [30.0]])
    forecast = SeriesForecast("A jeugd", "prophet", None, date(2026, 12, 1), paths)
    history = _frame([("A jeugd", date(2026, 11, 1), 100.0)])
    got = _row(annual_summary(history, [forecast], {"A jeugd": "jeugd"}, [2026]), "A jeugd", 2026)
    assert got["lower"] == pytest.approx(100.0 + 3.0)
    assert got["upper"] == pytest.approx(100.0 + 27.0)


# --- budgets: difference = budget − total, overspend probability ------------------------------


def _budgets(years: tuple[int, ...] = (2025, 2026)) -> dict[tuple[str, int], float]:
    return {
        (category, year): 20_000.0 * (k + 1) + 1000.0 * (year - 2025)
        for k, category in enumerate(DOMAINS)
        for year in years
    }


def test_difference_is_budget_minus_total_and_domains_add_up() -> None:
    budgets = _budgets()
    table = annual_summary(_frame(_history()), _forecasts(), DOMAINS, [2025, 2026], budgets=budgets)
    for row in table.iter_rows(named=True):
        assert row["difference"] == row["budget"] - row["total"], row
    for year in (2025, 2026):
        a, b, c = (_row(table, name, year) for name in DOMAINS)
        jeugd, wmo, total = (_row(table, name, year) for name in ("jeugd", "wmo", "totaal"))
        assert jeugd["budget"] == budgets["A jeugd", year] + budgets["B jeugd", year]
        assert jeugd["difference"] == pytest.approx(a["difference"] + b["difference"], rel=1e-12)
        assert wmo["difference"] == pytest.approx(c["difference"], rel=1e-12)
        assert total["budget"] == pytest.approx(sum(budgets[k, year] for k in DOMAINS))
        assert total["difference"] == pytest.approx(
            a["difference"] + b["difference"] + c["difference"], rel=1e-12
        )


def test_a_domain_with_an_unbudgeted_category_has_no_budget() -> None:
    budgets = _budgets()
    del budgets["B jeugd", 2026]
    table = annual_summary(_frame(_history()), _forecasts(), DOMAINS, [2025, 2026], budgets=budgets)
    for label in ("B jeugd", "jeugd", "totaal"):  # partial: null, not a fake overschot
        row = _row(table, label, 2026)
        assert (row["budget"], row["difference"], row["overspend_probability"]) == (
            None,
            None,
            None,
        ), label
    assert _row(table, "jeugd", 2025)["budget"] is not None
    assert _row(table, "A jeugd", 2026)["budget"] is not None
    assert _row(table, "wmo", 2026)["budget"] == budgets["C wmo", 2026]


def test_without_budgets_the_budget_columns_are_null() -> None:
    table = annual_summary(_frame(_history()), _forecasts(), DOMAINS, [2025, 2026])
    for name in ("budget", "difference", "overspend_probability"):
        assert table.get_column(name).dtype == pl.Float64
        assert table.get_column(name).is_null().all(), name


def test_overspend_probability_counts_paths_above_the_budget() -> None:
    rows, forecasts = _history(), _forecasts()
    year_totals: dict[str, np.ndarray] = {}
    for members in (["A jeugd"], ["A jeugd", "B jeugd"]):
        actual = sum(a for c, m, a in rows if c in members and m.year == 2025 and m < FIRST)
        summed = sum(f.paths[:, :3].sum(axis=1) for f in forecasts if f.category in members)
        year_totals[members[-1]] = actual + summed  # Jan..Sep actual + Oct..Dec path sums
    a_median = float(np.median(year_totals["A jeugd"]))
    b_median = float(np.median(year_totals["B jeugd"])) - a_median  # so jeugd's budget = its median
    frame = _frame(rows)

    def probabilities(a: float, b: float) -> tuple[float, float]:
        budgets = {("A jeugd", 2025): a, ("B jeugd", 2025): b, ("C wmo", 2025): 1.0}
        table = annual_summary(frame, forecasts, DOMAINS, [2025], budgets=budgets)
        return (
            _row(table, "A jeugd", 2025)["overspend_probability"],
            _row(table, "jeugd", 2025)["overspend_probability"],
        )

    at_median = probabilities(a_median, b_median)
    assert at_median[0] == pytest.approx(0.5, abs=0.05)
    assert at_median[1] == pytest.approx(0.5, abs=0.05)
    assert probabilities(10 * a_median, 10 * b_median) == (0.0, 0.0)
    assert probabilities(0.0, 0.0) == (1.0, 1.0)
    # the domain's probability comes from its summed paths, not from its categories' probabilities
    budget = float(np.quantile(year_totals["B jeugd"], 0.3))
    expected = float((year_totals["B jeugd"] > budget).mean())
    assert probabilities(a_median, budget - a_median)[1] == pytest.approx(expected)


def test_a_year_of_actuals_only_is_certainly_over_or_under() -> None:
    rows, forecasts = _history(), _forecasts()
    spent = sum(a for c, m, a in rows if c == "A jeugd" and m.year == 2024)
    for budget, probability in ((spent - 1.0, 1.0), (spent + 1.0, 0.0), (spent, 0.0)):
        table = annual_summary(
            _frame(rows), forecasts, DOMAINS, [2024], budgets={("A jeugd", 2024): budget}
        )
        row = _row(table, "A jeugd", 2024)
        assert row["overspend_probability"] == probability
        assert row["difference"] == pytest.approx(budget - spent)


def test_a_budget_for_a_category_without_forecast_is_refused() -> None:
    with pytest.raises(ValueError, match="budgets for categories without a forecast"):
        annual_summary(
            _frame(_history()), _forecasts(), DOMAINS, [2025], budgets={("D jeugd", 2025): 1.0}
        )


def _midden_drenthe_lasten(path: Path) -> dict[str, float]:
    """Taakveld label → Lasten in euro, for Midden-Drenthe's 2023 care taakvelden (csv module)."""
    care = re.compile(r"6\.(6|7[1-4][a-d]|8[12][ab])$")  # the 2023 care codes, old ones left out
    out: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter=";"):
            label = record["Taakveld"].strip()
            if record["Gemeenten"] == "Midden-Drenthe" and care.match(label.split()[0]):
                out[label] = float(record["Lasten"]) * 1000.0
    return out


def test_midden_drenthe_2023_begroting_against_its_jaarrekening(
    shared_file: Callable[..., Path],
) -> None:
    begroting_file = shared_file("nl_iv3_taakvelden", "iv3_2023_begroting.csv")
    jaarrekening_file = shared_file("nl_iv3_taakvelden", "iv3_2023_jaarrekening.csv")

    # inputs, read with polars: the jaarrekening as twelve equal actual months of 2023
    def lasten(path: Path) -> dict[str, float]:
        frame = pl.read_csv(path, separator=";").filter(pl.col("Gemeenten") == "Midden-Drenthe")
        result = {}
        for label, value in frame.select("Taakveld", "Lasten").iter_rows():
            taakveld = taakveld_of(label)
            if taakveld is not None and taakveld.first_year <= 2023 <= (taakveld.last_year or 2023):
                result[label.strip()] = float(value) * 1000.0
        return result

    spent, planned = lasten(jaarrekening_file), lasten(begroting_file)
    categories = list(spent)
    year_2023 = _months(date(2023, 1, 1), 12)
    rows = [(c, month, spent[c] / 12.0) for c in categories for month in year_2023]
    forecasts = [
        SeriesForecast(c, "constant", None, date(2024, 1, 1), np.full((50, 12), spent[c] / 12.0))
        for c in categories
    ]
    domains = domains_for(categories)
    budgets = {(c, 2023): planned[c] for c in categories}
    table = annual_summary(_frame(rows), forecasts, domains, [2023], budgets=budgets)

    # expected, read apart with the csv module
    begroting = _midden_drenthe_lasten(begroting_file)
    jaarrekening = _midden_drenthe_lasten(jaarrekening_file)
    assert set(categories) == set(begroting) == set(jaarrekening)
    assert len(categories) == 19
    for label in categories:
        row = _row(table, label, 2023)
        expected = begroting[label] - jaarrekening[label]
        assert row["difference"] == pytest.approx(expected, abs=1e-6), label
        assert row["overspend_probability"] == (1.0 if expected < 0 else 0.0), label
    assert _row(table, "6.72a Jeugdhulp begeleiding", 2023)["difference"] == pytest.approx(
        1_255_000.0 - 2_169_000.0
    )  # as printed in the two files

    def domain_of_code(label: str) -> str:
        return "wmo" if label.startswith(("6.6 ", "6.71", "6.81")) else "jeugd"

    for domain in ("jeugd", "wmo"):
        members = [label for label in begroting if domain_of_code(label) == domain]
        row = _row(table, domain, 2023)
        expected = sum(begroting[m] for m in members) - sum(jaarrekening[m] for m in members)
        assert row["difference"] == pytest.approx(expected, abs=1e-6), domain
        assert row["difference"] == pytest.approx(
            sum(_row(table, m, 2023)["difference"] for m in members), abs=1e-6
        )
        assert row["budget"] == pytest.approx(sum(begroting[m] for m in members))
    assert _row(table, "jeugd", 2023)["difference"] < 0  # 2023: jeugd over its begroting
