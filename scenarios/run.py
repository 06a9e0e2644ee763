"""The one place the steps of a forecast are composed: load → prepare → fit → sum up.

Everything here returns data (polars frames and frozen dataclasses); rendering is cli/'s job.
Scenario files (issue: scenarios) will plug in between "fit" and "sum up", acting on sample paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

from models.aggregate import annual_summary, monthly_summary
from models.calibrate import calibrate_forecasts
from models.categories import domain_sort_key, domains_for
from models.errors import InputDataError, UsageError, read_all
from models.forecast import (
    ENDED_AFTER_MONTHS,
    MODEL_CHOICES,
    SeriesForecast,
    forecast_categories,
)
from models.history import category_facts, prepare_history
from models.loading import ColumnChoice, History, SourceInfo, load_history
from models.parallel import Progress
from models.series import SEPARATOR, series_key, shown, split_series
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
    # how, not what: these never change a figure (see models.parallel)
    jobs: int = 1
    scheduler: str | None = None

    def check(self) -> None:
        """Reject settings that cannot give a meaningful forecast, before any work is done."""
        if not 0 <= self.years <= MAX_YEARS:
            raise UsageError(
                f"--years must be between 0 and {MAX_YEARS}, got {self.years}",
                hint="--years 3 shows the current year and the 3 budget years after it",
            )
        if not 0.0 < self.interval < 1.0:
            raise UsageError(
                f"--interval must be between 0 and 1, got {self.interval}",
                hint="0.8 means an 80 % interval",
            )
        if self.model not in MODELS:
            raise UsageError(f"unknown --model {self.model!r}", hint="use " + " or ".join(MODELS))
        if not 100 <= self.samples <= 20_000:
            raise UsageError(
                f"--samples must be between 100 and 20000, got {self.samples}",
                hint="the default 1000 is plenty for an 80 % interval; use more for a 95 % one",
            )
        if self.jobs < 1:
            raise UsageError(
                f"must be 1 or more, got {self.jobs}",
                where="--jobs",
                hint="--jobs 1 fits in this process; leave it out to use every core",
            )


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
    group: str | None = None  # the gemeente (or other group) of a grouped input


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario file as the report used it. `sha256` is of the resolved scenario (its TOML
    with `extends` and a budget file applied), so a change in a parent or budget file shows."""

    name: str
    path: str
    sha256: str
    files: tuple[tuple[str, str], ...] = ()  # every file read for it: path, sha256 of its bytes


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
    progress: Progress | None = None,
) -> ForecastReport:
    """Load the inputs and forecast them. `labels` renames inputs in the report (the bundled
    sample's install path differs per machine; its label does not)."""
    settings.check()
    history = load_history(paths, columns or ColumnChoice(), sheet)
    if labels:
        sources = tuple(replace(s, path=labels.get(s.path, s.path)) for s in history.sources)
        history = replace(history, sources=sources)
    return forecast_history(
        history, settings, caption=caption, scenario_files=scenario_files, progress=progress
    )


def forecast_history(
    history: History,
    settings: ForecastSettings,
    caption: str | None = None,
    scenario_files: Sequence[Path] = (),
    progress: Progress | None = None,
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
        problem = f"no category has spending in the {ENDED_AFTER_MONTHS} months up to {last:%Y-%m}"
        if settings.as_of is not None:
            raise UsageError(problem, hint="check --as-of")
        raise InputDataError(  # the data itself: nothing to forecast from
            problem + " (every amount there is 0)",
            source=", ".join(source.path for source in history.sources) or None,
            hint="check the export: the amount column, or the months it covers",
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

    # Scenario files are checked against the data's categories before minutes of fitting; with
    # groups, against the plain category names (a scenario applies to every group's series).
    plain = list(dict.fromkeys(split_series(c)[1] for c in order))
    plain_domains = {split_series(c)[1]: d for c, d in domains.items()}
    seen = [Path(path).resolve() for path in scenario_files]
    twice = [str(path) for path, real in zip(scenario_files, seen, strict=True)
             if seen.count(real) > 1]  # fmt: skip
    if twice:
        raise UsageError(
            "the same scenario file is given twice",
            source=twice[0],
            where="--scenario",
            hint="give each scenario once",
        )
    # every bad file is reported in one go, so a second one does not wait for the first
    scenarios = read_all(
        scenario_files,
        partial(read_scenario, categories=plain, domains=plain_domains,
                first_forecast=first_forecast, grouped=history.grouped),
    ) or [Scenario(BASELINE)]  # fmt: skip
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
        jobs=settings.jobs,
        scheduler=settings.scheduler,
        progress=progress,
        keep_until=shown_end,
    )
    ended = sorted(f.category for f in forecasts if f.model == "ended")
    if ended:
        warnings.append(
            f"{len(ended)} categor{'y' if len(ended) == 1 else 'ies'} without spending in the "
            f"last {ENDED_AFTER_MONTHS} months shown as 0 (they look ended): "
            + ", ".join(map(shown, ended))
        )
    # Spending cannot be negative: paths are clipped at 0, so a history of credit notes alone
    # is forecast as 0, which is right for spending but deserves a word.
    negative = (
        recent.group_by("category").agg(pl.col("amount").sum()).filter(pl.col("amount") < 0)
    )["category"].sort().to_list()
    if negative:
        warnings.append(
            f"{len(negative)} categor{'y' if len(negative) == 1 else 'ies'} with a negative "
            f"total over the last {ENDED_AFTER_MONTHS} months, forecast as 0 or little "
            "(spending is never negative): " + ", ".join(map(shown, negative))
            + " — check the sign of their amounts"
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
            + ", ".join(map(shown, sparse))
            + " — if the export leaves out months without spending, add them as 0"
        )
    # scaled to what each category's backtest says its interval covers (model auto only)
    forecasts = calibrate_forecasts(forecasts, settings.interval)
    by_category = {f.category: f for f in forecasts}
    forecasts = [by_category[c] for c in order]

    annual_parts, monthly_parts = [], []
    parts = _by_group(forecasts, monthly, domains) if history.grouped else [
        _Part(None, forecasts, monthly, domains)
    ]  # fmt: skip
    for scenario in scenarios:
        tag = pl.lit(scenario.name).alias("scenario")
        all_adjusted: list[SeriesForecast] = []
        for part in parts:
            names_here = [f.category for f in part.forecasts]
            adjusted = apply_scenario(
                part.forecasts, scenario, part.domains,
                partial(match_category, categories=names_here), skip_unknown=history.grouped,
            )  # fmt: skip
            warnings += _negative_months(scenario, adjusted)
            budgets = _budget_by_category(scenario, names_here, years)
            group = pl.lit(part.group, dtype=pl.String).alias("group")
            annual = annual_summary(
                part.monthly, adjusted, part.domains, years, settings.interval, budgets=budgets
            ).with_columns(tag, group)
            annual_parts.append(annual)
            monthly_parts.append(
                monthly_summary(
                    part.monthly, adjusted, part.domains, settings.interval,
                    start_year=current_year,
                ).with_columns(tag, group)
            )  # fmt: skip
            if scenario.budget is not None:
                warnings += _unbudgeted(scenario, names_here, years, budgets)
                warnings += _implausible_budgets(scenario, annual)
            all_adjusted += [replace(f, category=series_key(part.group, f.category))
                             for f in adjusted]  # fmt: skip
        warnings += timing_warnings(scenario, first_forecast, shown_end)
        if history.grouped:  # domains and the total over all groups: summed paths again
            everyone = pl.lit(None, dtype=pl.String).alias("group")
            annual_parts.append(
                annual_summary(monthly, all_adjusted, domains, years, settings.interval)
                .filter(pl.col("level") != "category")
                .with_columns(tag, everyone)
            )
            monthly_parts.append(
                monthly_summary(monthly, all_adjusted, domains, settings.interval,
                                start_year=current_year)
                .filter(pl.col("level") != "category")
                .with_columns(tag, everyone)
            )  # fmt: skip
    front = ["scenario", "group"] if history.grouped else ["scenario"]
    annual = pl.concat(annual_parts).select(*front, pl.exclude(*front, "group"))
    monthly_rows = pl.concat(monthly_parts).select(*front, pl.exclude(*front, "group"))
    categories = tuple(
        CategoryInfo(
            category=split_series(f.category)[1],
            group=split_series(f.category)[0],
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
                tuple((f, _file_sha256(f)) for f in scenario.files),
            )
            for path, scenario in zip(scenario_files, scenarios[: len(scenario_files)], strict=True)
        ),
    )


def read_scenario(
    path: Path,
    categories: Sequence[str] | None,
    domains: Mapping[str, str] | None,
    first_forecast: date | None,
    *,
    grouped: bool,
) -> Scenario:
    """One scenario file, read, resolved and checked against the data (when given)."""
    scenario = load_scenario(path, categories, domains=domains, first_forecast_month=first_forecast)
    if grouped:
        refuse_amounts_with_groups(path, scenario)
    return scenario


def refuse_amounts_with_groups(path: Path, scenario: Scenario) -> None:
    """A budget, a one-off or a measure in euro is an amount for one municipality: over several
    groups it would count once per group. Percentages apply to every group's series alike."""
    what = [
        name
        for name, present in (
            ("[budget]", scenario.budget is not None),
            ("[[one_off]]", bool(scenario.one_off)),
            ("effect_eur_per_month", any(m.effect_eur_per_month is not None
                                         for m in scenario.measure)),
        )
        if present
    ]  # fmt: skip
    if what:
        raise UsageError(
            f"{' and '.join(what)} name amounts for one municipality; the input has a group "
            "column, so they would count once per group",
            source=str(path),
            hint="run the groups one by one for budgets and euro amounts; percentages "
            "(indexation, volume, effect_percent) apply to every group",
        )


def _file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class _Part:
    """One group's series under their plain category names (or all series, ungrouped)."""

    group: str | None
    forecasts: list[SeriesForecast]
    monthly: pl.DataFrame
    domains: dict[str, str]


def _by_group(
    forecasts: Sequence[SeriesForecast], monthly: pl.DataFrame, domains: Mapping[str, str]
) -> list[_Part]:
    """Split series keys (models.series) into one part per group, in the forecasts' order."""
    parts: dict[str, _Part] = {}
    for forecast in forecasts:
        group, category = split_series(forecast.category)
        assert group is not None  # grouped history: every key has a group
        part = parts.setdefault(group, _Part(group, [], monthly.clear(), {}))
        part.forecasts.append(replace(forecast, category=category))
        part.domains[category] = domains[forecast.category]
    keys = monthly["category"].str.split_exact(SEPARATOR, 1).struct.rename_fields(["g", "c"])
    split = monthly.with_columns(keys.alias("_key")).unnest("_key")
    for (group,), rows in split.partition_by("g", as_dict=True, maintain_order=True).items():
        if group in parts:
            parts[str(group)] = replace(
                parts[str(group)], monthly=rows.select(pl.col("c").alias("category"), "month",
                                                       "amount")  # fmt: skip
            )
    return list(parts.values())


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
    """A budget far from the forecast usually means a unit slip: kEUR amounts written with
    unit EUR (a fifth or less), or euro amounts with unit kEUR (twenty times or more)."""
    lines = annual.filter(
        (pl.col("level") == "category") & (pl.col("budget") > 0) & (pl.col("total") > 0)
    )
    found = []
    for far, words in (
        (pl.col("budget") < 0.2 * pl.col("total"), "below a fifth of"),
        (pl.col("budget") > 20 * pl.col("total"), "over twenty times"),
    ):
        rows = lines.filter(far)
        if rows.height:
            first = rows.row(0, named=True)
            found.append(
                f"scenario {scenario.name!r}: {rows.height} budget line(s) {words} the forecast, "
                f"e.g. {first['category']} {first['year']}: budget {_whole(first['budget'])} "
                f"against {_whole(first['total'])} — check the budget's unit (EUR or kEUR)"
            )
    return found


def _whole(amount: float) -> str:
    """`2500000.4` -> `2.500.000`, as the tables write euro."""
    return f"{amount:,.0f}".replace(",", ".")


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
    listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return [f"scenario {scenario.name!r}: no budget for {listed}; those rows show no difference"]
