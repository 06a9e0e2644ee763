"""The one place the steps of a forecast are composed: load → prepare → fit → sum up.

Everything here returns data (polars frames and frozen dataclasses); rendering is cli/'s job.
Scenario files (issue: scenarios) will plug in between "fit" and "sum up", acting on sample paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from models.aggregate import annual_summary, monthly_summary
from models.categories import domain_sort_key, domains_for
from models.errors import UsageError
from models.forecast import SeriesForecast, forecast_categories
from models.history import category_facts, prepare_history
from models.loading import ColumnChoice, History, SourceInfo, load_history

BASELINE = "baseline"
MODELS = ("prophet", "seasonal-naive")
# A category with no data in this many months before the end of the history has stopped
# (for example an Iv3 code replaced by its 2023 successors); forecasting it would count twice.
ENDED_AFTER_MONTHS = 12


@dataclass(frozen=True)
class ForecastSettings:
    years: int = 3
    as_of: date | None = None
    model: str = "prophet"
    interval: float = 0.8
    seed: int = 0
    samples: int = 1000

    def check(self) -> None:
        """Reject settings that cannot give a meaningful forecast, before any work is done."""
        if not 0 <= self.years <= 10:
            raise UsageError(f"--years must be between 0 and 10, got {self.years}")
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
) -> ForecastReport:
    """Load the inputs and forecast them. `labels` renames inputs in the report (the bundled
    sample's install path differs per machine; its label does not)."""
    settings.check()
    history = load_history(paths, columns or ColumnChoice(), sheet)
    if labels:
        sources = tuple(replace(s, path=labels.get(s.path, s.path)) for s in history.sources)
        history = replace(history, sources=sources)
    return forecast_history(history, settings, caption=caption)


def forecast_history(
    history: History, settings: ForecastSettings, caption: str | None = None
) -> ForecastReport:
    settings.check()
    prepared = prepare_history(history, settings.as_of)
    warnings = list(prepared.warnings)
    last = prepared.last_complete_month
    first_forecast = add_months(last, 1)
    current_year = first_forecast.year
    years = tuple(range(current_year, current_year + settings.years + 1))
    horizon = months_between(first_forecast, date(years[-1] + 1, 1, 1))

    facts = {f.category: f for f in category_facts(prepared.monthly)}
    ended = sorted(
        c for c, f in facts.items() if months_between(f.last_month, last) >= ENDED_AFTER_MONTHS
    )
    if ended:
        warnings.append(
            f"{len(ended)} categor{'y' if len(ended) == 1 else 'ies'} without data in the last "
            f"{ENDED_AFTER_MONTHS} months not forecast (they look ended): " + ", ".join(ended)
        )
    monthly = prepared.monthly.filter(~pl.col("category").is_in(ended))
    if monthly.height == 0:
        raise UsageError(
            f"no category has data in the {ENDED_AFTER_MONTHS} months up to {last:%Y-%m}",
            hint="check --as-of",
        )

    domains = domains_for(monthly["category"].unique().to_list(), history.domains)
    order = sorted(domains, key=lambda c: domain_sort_key(c, domains[c]))
    monthly = (
        monthly.with_columns(
            pl.col("category").replace_strict({c: i for i, c in enumerate(order)}).alias("_order")
        )
        .sort("_order", "month")
        .drop("_order")
    )

    forecasts: list[SeriesForecast] = forecast_categories(
        monthly,
        first_forecast,
        horizon,
        seed=settings.seed,
        n_samples=settings.samples,
        model=settings.model,
    )
    by_category = {f.category: f for f in forecasts}
    forecasts = [by_category[c] for c in order]

    annual = annual_summary(monthly, forecasts, domains, years, settings.interval)
    monthly_rows = monthly_summary(
        monthly, forecasts, domains, settings.interval, start_year=current_year
    )
    categories = tuple(
        CategoryInfo(
            category=f.category,
            domain=domains[f.category],
            model=f.model,
            note=f.note,
            first_month=facts[f.category].first_month,
            last_month=facts[f.category].last_month,
            months=facts[f.category].months,
        )
        for f in forecasts
    )
    return ForecastReport(
        sources=history.sources,
        settings=settings,
        last_complete_month=last,
        first_forecast_month=first_forecast,
        years=years,
        scenarios=(BASELINE,),
        categories=categories,
        annual=_with_budget_columns(annual),
        monthly=monthly_rows.with_columns(pl.lit(BASELINE).alias("scenario")).select(
            "scenario", pl.exclude("scenario")
        ),
        warnings=tuple(warnings),
        caption=caption,
    )


def _with_budget_columns(annual: pl.DataFrame) -> pl.DataFrame:
    """The baseline has no budget yet: budget, difference and probability are null, never zero."""
    return annual.with_columns(
        pl.lit(BASELINE).alias("scenario"),
        pl.lit(None, dtype=pl.Float64).alias("budget"),
        pl.lit(None, dtype=pl.Float64).alias("difference"),
        pl.lit(None, dtype=pl.Float64).alias("overspend_probability"),
    ).select("scenario", pl.exclude("scenario"))
