"""Annual and monthly tables from actuals plus forecast sample paths (pure numpy/polars).

Why sample paths: the interval of a year, a domain or the total is a statement about a sum, and
the quantiles of a sum are not the sum of the quantiles. Summing monthly bounds overstates the
width (FK-21). So every sum here is taken path by path - over the months of a year, and over the
categories of a domain or the total (path i of every category added to path i of the others) -
and the quantiles are taken of the summed paths.

Quantiles use numpy's default method ("linear" interpolation between order statistics), fixed
here so that the numbers do not move with a library default.

Actuals are history months before a category's first forecast month; later history rows are
covered by the forecast and ignored. A year's `actual` plus the path sums of its forecast months
is the year-end estimate (eindejaarsprognose): for the current year, actuals to date plus the
forecast of the remaining months.

Budgets (the begroting and meerjarenraming) are compared to that year-end estimate:
`difference` = budget − total (negative: a tekort, positive: an overschot), and
`overspend_probability` = the share of sample paths whose year total exceeds the budget. A domain
or the total has a budget only when every category in it has one for that year: a sum over part
of the categories would compare a partial budget to the full spending and fake a tekort, or hide
one. Without a budget the three columns are null, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from models.baselines import month_from_index, month_index
from models.forecast import SeriesForecast

TOTAL = "totaal"
DOMAIN_ORDER = ("jeugd", "wmo", "overig")
QUANTILE_METHOD: Final = "linear"

ANNUAL_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "domain": pl.String(),
    "level": pl.String(),
    "year": pl.Int64(),
    "actual": pl.Float64(),
    "forecast": pl.Float64(),
    "total": pl.Float64(),
    "lower": pl.Float64(),
    "upper": pl.Float64(),
    "model": pl.String(),
    "budget": pl.Float64(),
    "difference": pl.Float64(),
    "overspend_probability": pl.Float64(),
}
MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "domain": pl.String(),
    "level": pl.String(),
    "month": pl.Date(),
    "amount": pl.Float64(),
    "lower": pl.Float64(),
    "upper": pl.Float64(),
    "kind": pl.String(),
}


@dataclass(frozen=True)
class _Member:
    """One category: its actual months and its forecast."""

    category: str
    domain: str
    model: str
    actual: dict[int, float]  # month index -> amount, months before the forecast
    start: int  # month index of the first forecast month
    paths: np.ndarray


@dataclass(frozen=True)
class _Group:
    """A row label and the categories it sums."""

    category: str
    domain: str
    level: str
    model: str | None
    members: tuple[_Member, ...]


def annual_summary(
    monthly: pl.DataFrame,
    forecasts: Sequence[SeriesForecast],
    domains: Mapping[str, str],
    years: Sequence[int],
    interval: float = 0.8,
    budgets: Mapping[tuple[str, int], float] | None = None,
) -> pl.DataFrame:
    """A row per category and year, then per domain and year, then "totaal" per year.

    `forecast` is the mean over paths of the sum of the year's forecast months; `lower`/`upper`
    are quantiles over paths of `actual` + that path's sum. Every year must lie within the
    forecast horizon (a year cut short would understate its total).

    `budgets` maps (category, year) to euro. The budget columns are always there: null where a
    row has no budget (see the module docstring for domains and the total). Budgets for years
    not asked for are ignored; one for a category that is not forecast is refused.
    """
    probabilities = _probabilities(interval)
    members = _members(monthly, forecasts, domains)
    if members:
        end = month_index(forecasts[0].first_month) + forecasts[0].paths.shape[1] - 1
        for year in years:
            if month_index(date(year, 12, 1)) > end:
                raise ValueError(f"year {year} runs past the last forecast month {_label(end)}")
    n_samples = members[0].paths.shape[0] if members else 1
    budgets = dict(budgets or {})
    unknown = sorted({c for c, _ in budgets} - {m.category for m in members})
    if unknown:
        raise ValueError(f"budgets for categories without a forecast: {unknown}")

    # per category and year: the sum of actuals, and each path's sum over the forecast months
    actual: dict[tuple[str, int], float] = {}
    sums: dict[tuple[str, int], np.ndarray] = {}
    for member in members:
        for year in years:
            actual[member.category, year] = sum(
                v for i, v in member.actual.items() if i // 12 == year
            )
            first = max(year * 12 - member.start, 0)
            last = min(year * 12 + 12 - member.start, member.paths.shape[1])
            if first < last:
                sums[member.category, year] = member.paths[:, first:last].sum(axis=1)
            else:
                sums[member.category, year] = np.zeros(n_samples, dtype=np.float64)

    columns: dict[str, list[object]] = {name: [] for name in ANNUAL_SCHEMA}
    for group in _groups(members):
        for year in years:
            known = 0.0
            paths = np.zeros(n_samples, dtype=np.float64)
            for member in group.members:  # path i is added to path i: a sample-by-sample sum
                known += actual[member.category, year]
                paths = paths + sums[member.category, year]
            forecast = float(paths.mean())
            totals = known + paths
            lower, upper = np.quantile(totals, probabilities, method=QUANTILE_METHOD)
            keys = [(member.category, year) for member in group.members]
            budget = difference = overspend = None
            if keys and all(key in budgets for key in keys):
                budget = float(sum(budgets[key] for key in keys))
                difference = budget - (known + forecast)
                overspend = float((totals > budget).mean())
            row = (group.category, group.domain, group.level, year, known, forecast,
                   known + forecast, float(lower), float(upper), group.model,
                   budget, difference, overspend)
            for name, cell in zip(ANNUAL_SCHEMA, row, strict=True):
                columns[name].append(cell)
    return pl.DataFrame(columns, schema=ANNUAL_SCHEMA)


def monthly_summary(
    monthly: pl.DataFrame,
    forecasts: Sequence[SeriesForecast],
    domains: Mapping[str, str],
    interval: float = 0.8,
    start_year: int | None = None,
) -> pl.DataFrame:
    """A row per category x month (actuals from `start_year` on, then forecast months), then the
    same per domain and for "totaal".

    kind "actual": lower = upper = amount. kind "forecast": amount = mean of the paths, bounds =
    quantiles of that month's values. A domain month is a forecast as soon as one of its
    categories is forecast in it; months in which none of its categories has data are left out
    (a missing month is not a zero).
    """
    probabilities = _probabilities(interval)
    members = _members(monthly, forecasts, domains)
    first_actual = month_index(date(start_year, 1, 1)) if start_year is not None else None

    columns: dict[str, list[object]] = {name: [] for name in MONTHLY_SCHEMA}
    for group in _groups(members):
        # month index -> (sum of actuals, sum of path columns or None)
        cells: dict[int, tuple[float, np.ndarray | None]] = {}
        for member in group.members:
            for index, value in member.actual.items():
                if first_actual is None or index >= first_actual:
                    known, paths = cells.get(index, (0.0, None))
                    cells[index] = (known + value, paths)
            for h in range(member.paths.shape[1]):
                index = member.start + h
                known, paths = cells.get(index, (0.0, None))
                column = member.paths[:, h]
                cells[index] = (known, column.copy() if paths is None else paths + column)
        ordered = sorted(cells)
        forecast_months: list[int] = []
        forecast_values: list[np.ndarray] = []
        for index in ordered:
            known, paths = cells[index]
            if paths is not None:
                forecast_months.append(index)
                forecast_values.append(known + paths)
        stats: dict[int, tuple[float, float, float]] = {}
        if forecast_months:
            matrix = np.column_stack(forecast_values)
            means = matrix.mean(axis=0)
            bounds = np.quantile(matrix, probabilities, axis=0, method=QUANTILE_METHOD)
            for k, index in enumerate(forecast_months):
                stats[index] = (float(means[k]), float(bounds[0, k]), float(bounds[1, k]))
        for index in ordered:
            if index in stats:
                amount, lower, upper = stats[index]
                kind = "forecast"
            else:
                amount = lower = upper = cells[index][0]
                kind = "actual"
            row = (group.category, group.domain, group.level, month_from_index(index), amount,
                   lower, upper, kind)
            for name, cell in zip(MONTHLY_SCHEMA, row, strict=True):
                columns[name].append(cell)
    return pl.DataFrame(columns, schema=MONTHLY_SCHEMA)


def _probabilities(interval: float) -> list[float]:
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must lie strictly between 0 and 1, not {interval}")
    return [(1.0 - interval) / 2.0, (1.0 + interval) / 2.0]


def _label(index: int) -> str:
    return f"{month_from_index(index):%Y-%m}"


def _members(
    monthly: pl.DataFrame, forecasts: Sequence[SeriesForecast], domains: Mapping[str, str]
) -> list[_Member]:
    """Pair each forecast with its actuals and domain; refuse inconsistent input loudly."""
    by_category = {f.category: f for f in forecasts}
    if len(by_category) != len(forecasts):
        raise ValueError("forecasts contain a category twice")
    unforecast = set(monthly.get_column("category").unique().to_list()) - set(by_category)
    if unforecast:
        raise ValueError(f"categories without a forecast: {sorted(unforecast)}")
    if len({f.paths.shape[0] for f in forecasts}) > 1:
        raise ValueError("forecasts differ in their number of sample paths")
    ends = {month_index(f.first_month) + f.paths.shape[1] for f in forecasts}
    if len(ends) > 1:
        raise ValueError("forecasts end in different months")

    actuals: dict[str, dict[int, float]] = {f.category: {} for f in forecasts}
    rows = monthly.filter(pl.col("amount").is_not_null() & pl.col("amount").is_finite())
    for category, month, amount in rows.select("category", "month", "amount").iter_rows():
        forecast = by_category[category]
        if month < forecast.first_month:
            index = month_index(month)
            actuals[category][index] = actuals[category].get(index, 0.0) + float(amount)

    members = []
    for f in forecasts:
        if f.category not in domains:
            raise ValueError(f"no domain for category {f.category!r}")
        members.append(
            _Member(
                category=f.category,
                domain=domains[f.category],
                model=f.model,
                actual=dict(sorted(actuals[f.category].items())),
                start=month_index(f.first_month),
                paths=np.asarray(f.paths, dtype=np.float64),
            )
        )
    return members


def _groups(members: Sequence[_Member]) -> list[_Group]:
    """Categories in their order, then domains (jeugd, wmo, overig, others A-Z), then the total."""
    groups = [_Group(m.category, m.domain, "category", m.model, (m,)) for m in members]
    present = {m.domain for m in members}
    order = [d for d in DOMAIN_ORDER if d in present] + sorted(present - set(DOMAIN_ORDER))
    for domain in order:
        inside = tuple(m for m in members if m.domain == domain)
        groups.append(_Group(domain, domain, "domain", None, inside))
    groups.append(_Group(TOTAL, TOTAL, "total", None, tuple(members)))
    return groups
