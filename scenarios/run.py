"""The one place the steps of a forecast are composed: load → prepare → fit → sum up.

Everything here returns data (polars frames and frozen dataclasses); rendering is cli/'s job.
Scenario files (issue: scenarios) will plug in between "fit" and "sum up", acting on sample paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from models.aggregate import annual_summary, monthly_summary
from models.calibrate import calibrate_forecasts
from models.categories import domain_sort_key, domains_for
from models.errors import UsageError
from models.forecast import (
    ENDED_AFTER_MONTHS,
    MODEL_CHOICES,
    SeriesForecast,
    forecast_categories,
)
from models.history import category_facts, prepare_history
from models.loading import ColumnChoice, History, SourceInfo, load_history
from scenarios.apply import apply_scenario, timing_warnings
from scenarios.parse import dumps_scenario, load_scenario, match_category
from scenarios.schema import Scenario

BASELINE = "baseline"
MODELS = MODEL_CHOICES
MAX_YEARS = 10  # budget years after T that can be shown; paths are drawn this far


@dataclass(frozen=True)
class ForecastSettings:
    years: int = 3
    as_of: date | None = None
    model: str = "auto"
    interval: float = 0.8
    seed: int = 0
    samples: int = 1000

    def check(self) -> None:
        """Reject settings that cannot give a meaningful forecast, before any work is done."""
        if not 0 <= self.years <= MAX_YEARS:
            raise UsageError(f"--years must be between 0 and {MAX_YEARS}, got {self.years}")
        if not 0.0 < self.interval < 1.0:
            raise UsageError(
                f"--interval must be between 0 and 1, got {self.interval}",
                hint="0.8 means an 80 % interval",
            )
        if self.model not in MODELS:
            raise UsageError(f"unknown --model {self.model!r}", hint="use " + " or ".join(MODELS))
        if not 100 <= self.samples <= 20_000:
            raise UsageError(f"--samples must be between 100 and 20000, got {self.samples}")


@dataclass(frozen=True)
class CategoryInfo:
    category: str
    domain: str
    model: str
    note: str | None
    first_month: date
    last_month: date
    months: int
    backtest_mase: float | None = None  # of the chosen model (--model auto)
    calibration: float | None = None  # factor applied to the interval (--model auto)


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario file as the report used it. `sha256` is of the resolved scenario (its TOML
    with `extends` and a budget file applied), so a change in a parent or budget file shows."""

    name: str
    path: str
    sha256: str


@dataclass(frozen=True)
class ForecastReport:
    sources: tuple[SourceInfo, ...]
    settings: ForecastSettings
    last_complete_month: date
    first_forecast_month: date
    years: tuple[int, ...]
    scenarios: tuple[str, ...]
    categories: tuple[CategoryInfo, ...]
    annual: pl.DataFrame  # scenario, category, domain, level, year, actual, forecast, total, ...
    monthly: pl.DataFrame  # scenario, category, domain, level, month, amount, lower, upper, kind
    warnings: tuple[str, ...]
    caption: str | None
    scenario_sources: tuple[ScenarioSource, ...] = ()

    def has_shortfall(self) -> bool:
        """True when any row's total exceeds its budget (difference = budget − total < 0)."""
        return bool(self.annual.filter(pl.col("difference") < 0).height)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Number of months from start to end (both first-of-month), end exclusive."""
    return (end.year - start.year) * 12 + end.month - start.month


def run_forecast(
    paths: Sequence[Path],
    settings: ForecastSettings,
    columns: ColumnChoice | None = None,
    sheet: str | None = None,
    caption: str | None = None,
    labels: dict[str, str] | None = None,
    scenario_files: Sequence[Path] = (),
) -> ForecastReport:
    """Load the inputs and forecast them. `labels` renames inputs in the report (the bundled
    sample's install path differs per machine; its label does not)."""
    settings.check()
    history = load_history(paths, columns or ColumnChoice(), sheet)
    if labels:
        sources = tuple(replace(s, path=labels.get(s.path, s.path)) for s in history.sources)
        history = replace(history, sources=sources)
    return forecast_history(history, settings, caption=caption, scenario_files=scenario_files)


def forecast_history(
    history: History,
    settings: ForecastSettings,
    caption: str | None = None,
    scenario_files: Sequence[Path] = (),
) -> ForecastReport:
    """Fit once per category, then apply each scenario to the same sample paths."""
    settings.check()
    prepared = prepare_history(history, settings.as_of)
    warnings = list(prepared.warnings)
    last = prepared.last_complete_month
    first_forecast = add_months(last, 1)
    current_year = first_forecast.year
    years = tuple(range(current_year, current_year + settings.years + 1))
    # Paths are always drawn up to T + MAX_YEARS and then cut, so the figures of year T do not
    # depend on how many years are shown (Prophet's trend draws depend on the horizon length).
    horizon = months_between(first_forecast, date(current_year + MAX_YEARS + 1, 1, 1))
    shown_end = date(years[-1], 12, 1)

    facts = {f.category: f for f in category_facts(prepared.monthly)}
    recent = prepared.monthly.filter(
        (pl.col("amount") != 0) & (pl.col("month") > add_months(last, -ENDED_AFTER_MONTHS))
    )
    if recent.height == 0:
        raise UsageError(
            f"no category has spending in the {ENDED_AFTER_MONTHS} months up to {last:%Y-%m}",
            hint="check --as-of",
        )
    monthly = prepared.monthly
    domains = domains_for(monthly["category"].unique().to_list(), history.domains)
    order = sorted(domains, key=lambda c: domain_sort_key(c, domains[c]))
    monthly = (
        monthly.with_columns(
            pl.col("category").replace_strict({c: i for i, c in enumerate(order)}).alias("_order")
        )
        .sort("_order", "month")
        .drop("_order")
    )

    # Scenario files are checked against the data's categories before minutes of fitting.
    scenarios = [
        load_scenario(path, order, domains=domains, first_forecast_month=first_forecast)
        for path in scenario_files
    ] or [Scenario(BASELINE)]
    names = [scenario.name for scenario in scenarios]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        files = [str(path) for path, n in zip(scenario_files, names, strict=True) if n in twice]
        raise UsageError(
            "two scenarios have the same name: " + ", ".join(twice),
            source=", ".join(files),
            hint="give each [scenario] a name of its own",
        )

    # Ended categories (no spending in the last year) keep their actuals, with a forecast of 0.
    forecasts: list[SeriesForecast] = forecast_categories(
        monthly,
        first_forecast,
        horizon,
        seed=settings.seed,
        n_samples=settings.samples,
        model=settings.model,
    )
    ended = sorted(f.category for f in forecasts if f.model == "ended")
    if ended:
        warnings.append(
            f"{len(ended)} categor{'y' if len(ended) == 1 else 'ies'} without spending in the "
            f"last {ENDED_AFTER_MONTHS} months shown as 0 (they look ended): " + ", ".join(ended)
        )
    sparse = sorted(
        c
        for c, f in facts.items()
        if c not in ended and f.months < 2 / 3 * (months_between(f.first_month, f.last_month) + 1)
    )
    if sparse:
        warnings.append(
            "months without data are missing, not zero; these categories miss more than a "
            "third of their months, so their forecast assumes spending in every month: "
            + ", ".join(sparse)
            + " — if the export leaves out months without spending, add them as 0"
        )
    # scaled to what each category's backtest says its interval covers (model auto only)
    forecasts = calibrate_forecasts(forecasts, settings.interval)
    by_category = {f.category: f for f in forecasts}
    forecasts = [_cut(by_category[c], shown_end) for c in order]

    annual_parts, monthly_parts = [], []
    for scenario in scenarios:
        adjusted = apply_scenario(
            forecasts, scenario, domains, lambda name: match_category(name, order)
        )
        warnings += timing_warnings(scenario, first_forecast, shown_end)
        warnings += _negative_months(scenario, adjusted)
        budgets = _budget_by_category(scenario, order, years)
        tag = pl.lit(scenario.name).alias("scenario")
        annual = annual_summary(
            monthly, adjusted, domains, years, settings.interval, budgets=budgets
        ).with_columns(tag)
        annual_parts.append(annual)
        monthly_parts.append(
            monthly_summary(
                monthly, adjusted, domains, settings.interval, start_year=current_year
            ).with_columns(tag)
        )
        if scenario.budget is not None:
            warnings += _unbudgeted(scenario, order, years, budgets)
            warnings += _implausible_budgets(scenario, annual)
    annual = pl.concat(annual_parts).select("scenario", pl.exclude("scenario"))
    monthly_rows = pl.concat(monthly_parts).select("scenario", pl.exclude("scenario"))
    categories = tuple(
        CategoryInfo(
            category=f.category,
            domain=domains[f.category],
            model=f.model,
            note=f.note,
            first_month=facts[f.category].first_month,
            last_month=facts[f.category].last_month,
            months=facts[f.category].months,
            backtest_mase=f.backtest_mase,
            calibration=f.calibration,
        )
        for f in forecasts
    )
    return ForecastReport(
        sources=history.sources,
        settings=settings,
        last_complete_month=last,
        first_forecast_month=first_forecast,
        years=years,
        scenarios=tuple(names),
        categories=categories,
        annual=annual,
        monthly=monthly_rows,
        warnings=tuple(warnings),
        caption=caption,
        scenario_sources=tuple(
            ScenarioSource(
                scenario.name,
                str(path),
                hashlib.sha256(dumps_scenario(scenario).encode("utf-8")).hexdigest(),
            )
            for path, scenario in zip(scenario_files, scenarios[: len(scenario_files)], strict=True)
        ),
    )


def _cut(forecast: SeriesForecast, last_month: date) -> SeriesForecast:
    """Keep the sampled months up to `last_month` (the end of the last year shown)."""
    keep = months_between(forecast.first_month, last_month) + 1
    return replace(forecast, paths=forecast.paths[:, :keep])


def _budget_by_category(
    scenario: Scenario, categories: Sequence[str], years: Sequence[int]
) -> dict[tuple[str, int], float]:
    """The scenario's budget keyed by the data's category names (file names may be Iv3 codes)."""
    if scenario.budget is None:
        return {}
    budgets: dict[tuple[str, int], float] = {}
    for name, by_year in scenario.budget.amounts.items():
        category = match_category(name, categories)
        if category is None:  # the parser already refused unknown names; be safe anyway
            continue
        for year, amount in by_year.items():
            if year in years:
                budgets[(category, year)] = budgets.get((category, year), 0.0) + amount
    return budgets


def _budget_years(scenario: Scenario) -> set[int]:
    if scenario.budget is None:
        return set()
    return {year for by_year in scenario.budget.amounts.values() for year in by_year}


def _implausible_budgets(scenario: Scenario, annual: pl.DataFrame) -> list[str]:
    """A budget far below the forecast usually means a unit slip (kEUR read as EUR)."""
    low = annual.filter(
        (pl.col("level") == "category")
        & (pl.col("budget") > 0)
        & (pl.col("budget") < 0.2 * pl.col("total"))
    )
    if low.height == 0:
        return []
    first = low.row(0, named=True)
    return [
        f"scenario {scenario.name!r}: {low.height} budget line(s) below a fifth of the forecast, "
        f"e.g. {first['category']} {first['year']}: budget {first['budget']:,.0f} against "
        f"{first['total']:,.0f} — check the budget's unit (EUR or kEUR)"
    ]


def _negative_months(scenario: Scenario, forecasts: Sequence[SeriesForecast]) -> list[str]:
    """Euro amounts (refunds, measures) may push a month below zero: allowed, but said."""
    negative = [f.category for f in forecasts if (f.paths.mean(axis=0) < 0).any()]
    if not negative:
        return []
    return [
        f"scenario {scenario.name!r}: its euro amounts make spending negative in some months "
        "of " + ", ".join(negative) + " (counted in full, as credit notes are)"
    ]


def _unbudgeted(
    scenario: Scenario,
    categories: Sequence[str],
    years: Sequence[int],
    budgets: dict[tuple[str, int], float],
) -> list[str]:
    """Say which shown years lack a budget, so an empty cell is never read as a zero budget."""
    missing = [f"{c} {y}" for c in categories for y in years if (c, y) not in budgets]
    if not missing:
        return []
    covered = sorted({y for _, y in budgets} | _budget_years(scenario))
    if not any(y in years for y in covered):
        return [
            f"scenario {scenario.name!r}: the budget covers "
            + (", ".join(map(str, covered)) if covered else "no year")
            + f", the forecast shows {years[0]}–{years[-1]}: nothing to compare"
            + " (budget from-iv3 has --year to label a begroting for another year)"
        ]
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return [f"scenario {scenario.name!r}: no budget for {shown}; those rows show no difference"]
