"""Apply a scenario to forecast sample paths: indexation, volume, measures, one-offs.

A scenario acts after fitting, on every sample path at once (a factor and an amount per month,
broadcast over all paths). So the intervals, annual sums and overspend probabilities that are
computed from the paths stay right, and N scenarios share one fit. The input forecasts are never
modified; `apply_scenario` returns new `SeriesForecast` objects.

Only forecast months are touched: the actuals are what happened, whatever a scenario says. Month m
below is a forecast month of the category, y its year.

Order, and the formula of each step (p, g, e in percent: 4.96 means 4.96 %):

1. Price and volume multiply.
   - indexation: factor Π (1 + p/100) over the indexations with year ≤ y. An indexation holds from
     January of its year on and compounds with later years' indexations.
   - volume: factor (1 + g/100) ** (k/12), k = months from the later of `start` and the first
     forecast month to m (0 in that month, so it is × 1.0): growth before the forecast is already
     in the actuals, so it is not added again as a jump. `end` is the last month with growth:
     from the month after it, k stays at (end − start) + 1 months, the level reached.
2. Measures, in month i of the measure (i = 1 in its start month), from `start` to `end`
   (inclusive; no end: to the horizon), with share s = min(i / ramp_months, 1) (s = 1 when
   ramp_months is 0):
   - effect_percent e: factor (1 + s·e/100), multiplied like step 1;
   - effect_eur_per_month a: adds s·a euro to the month.
   Percentage measures scale the indexed, volume-adjusted path; euro amounts are added after all
   factors, as written (they are not indexed, nor scaled by a percentage measure).
3. One-offs add their amount in their month.

So each path becomes  path × F(m) + A(m)  with F the product of all factors of steps 1-2 and A the
sum of the euro amounts of steps 2-3. Nothing is clipped afterwards: the model's paths are already
at or above zero, percentages cannot go below -100 %, and a euro amount (a terugvordering, a
reversal) may make a month negative, as credit notes do in the actuals; `timing_warnings` and the
caller say so. Multiplication commutes, so the order of the
entries within a file does not matter.

`applies_to` names domains ("jeugd", "wmo", "overig": every category of that domain) or
categories; an empty `applies_to` means every category. Category names are resolved with `match`
(the parser's `match_category`: the data category a name refers to, or None); without `match` a
name must equal a category exactly. A one-off dated in a month that is already actual for its
category is an error; one dated after the forecast horizon is outside what is shown and has no
effect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from models.baselines import month_index
from models.errors import UsageError
from models.forecast import SeriesForecast
from scenarios.schema import DOMAIN_NAMES, Scenario

Matcher = Callable[[str], str | None]
# One adjustment: the month indexes (months since year 0) of a forecast's columns -> a factor or an
# amount per column. Working on calendar months means a category whose forecast starts early
# (its data stopped early) gets the same calendar effect as the others.
Step = Callable[[np.ndarray], np.ndarray]


def apply_scenario(
    forecasts: Sequence[SeriesForecast],
    scenario: Scenario,
    domains: Mapping[str, str],
    match: Matcher | None = None,
    *,
    skip_unknown: bool = False,
) -> list[SeriesForecast]:
    """The forecasts with `scenario` applied to every sample path, in the same order.

    `domains` maps every forecast category to its domain. Raises UsageError (naming the scenario
    file) for a name that refers to no forecast category and for a one-off in an actual month;
    with `skip_unknown` (one group of a grouped input, whose names were checked against all
    groups) such a name just does not apply here.
    """
    categories = [f.category for f in forecasts]
    missing = [c for c in categories if c not in domains]
    if missing:
        raise ValueError(f"no domain for categories {missing}")
    resolve = _Resolver(scenario, categories, domains, match, skip_unknown)

    factors: dict[str, list[Step]] = {}
    amounts: dict[str, list[Step]] = {}

    def add(steps: dict[str, list[Step]], targets: Sequence[str], step: Step) -> None:
        for category in targets:
            steps.setdefault(category, []).append(step)

    for idx in scenario.indexation:
        targets = resolve(idx.applies_to, f"indexation {idx.year}")
        add(factors, targets, _indexation_factor(idx.year, idx.tariff_percent))
    for vol in scenario.volume:
        targets = resolve(vol.applies_to, f"volume from {vol.start:%Y-%m}")
        add(factors, targets, _volume_factor(vol.growth_percent_per_year, vol.start, vol.end))
    for measure in scenario.measure:
        targets = resolve(measure.applies_to, f"measure {measure.name!r}")
        start, end, ramp = measure.start, measure.end, measure.ramp_months
        if measure.effect_percent is not None:
            add(factors, targets, _measure_factor(measure.effect_percent, start, end, ramp))
        if measure.effect_eur_per_month is not None:
            add(amounts, targets, _measure_amount(measure.effect_eur_per_month, start, end, ramp))

    by_category = {f.category: f for f in forecasts}
    for one_off in scenario.one_off:
        where = f"one_off {one_off.name!r}"
        (category,) = resolve((one_off.category,), where, domains_allowed=False)
        first = by_category[category].first_month
        if one_off.month < first:
            raise UsageError(
                f"month {one_off.month:%Y-%m} is already in the actuals",
                source=scenario.source,
                where=where,
                hint=f"the forecast of {category!r} starts in {first:%Y-%m}",
            )
        add(amounts, [category], _one_off_amount(one_off.amount_eur, one_off.month))

    result = []
    for forecast in forecasts:
        index = month_index(forecast.first_month) + np.arange(forecast.paths.shape[1])
        factor = np.ones(index.shape, dtype=np.float64)
        for step in factors.get(forecast.category, []):
            factor = factor * step(index)
        amount = np.zeros(index.shape, dtype=np.float64)
        for step in amounts.get(forecast.category, []):
            amount = amount + step(index)
        adjusted = np.asarray(forecast.paths, dtype=np.float64) * factor + amount + 0.0
        result.append(replace(forecast, paths=adjusted))
    return result


def timing_warnings(scenario: Scenario, first_forecast: date, last_shown: date) -> list[str]:
    """Entries that start inside the actuals or lie beyond the years shown: applied as documented,
    but a controller should know."""
    name = f"scenario {scenario.name!r}"
    warnings: list[str] = []
    last_actual = date(first_forecast.year - (first_forecast.month == 1),
                       (first_forecast.month - 2) % 12 + 1, 1)  # fmt: skip
    for idx in scenario.indexation:
        if idx.year < first_forecast.year or (
            idx.year == first_forecast.year and first_forecast.month > 1
        ):
            warnings.append(
                f"{name}: the {idx.year} indexation is applied to the forecast months only; "
                f"the actuals up to {last_actual:%Y-%m} may already carry those tariffs"
            )
    for measure in scenario.measure:
        if measure.start < first_forecast:
            warnings.append(
                f"{name}: measure {measure.name!r} started {measure.start:%Y-%m}, before the "
                f"forecast ({first_forecast:%Y-%m}); its effect so far is in the actuals, the "
                "forecast months get the effect its plan reaches then"
            )
    entries = [(f"measure {m.name!r}", m.start) for m in scenario.measure]
    entries += [(f"one_off {o.name!r}", o.month) for o in scenario.one_off]
    entries += [(f"volume from {v.start:%Y-%m}", v.start) for v in scenario.volume]
    for label, start in entries:
        if start > last_shown:
            warnings.append(
                f"{name}: {label} starts after the last month shown ({last_shown:%Y-%m}); "
                "show more years with --years to see it"
            )
    return warnings


class _Resolver:
    """`applies_to` entries → forecast categories, with errors that name the scenario file."""

    def __init__(
        self,
        scenario: Scenario,
        categories: Sequence[str],
        domains: Mapping[str, str],
        match: Matcher | None,
        skip_unknown: bool = False,
    ) -> None:
        self.scenario = scenario
        self.categories = list(categories)
        self.domains = domains
        self.match = match
        self.skip_unknown = skip_unknown

    def __call__(
        self, names: Sequence[str], where: str, *, domains_allowed: bool = True
    ) -> list[str]:
        if not names:
            return list(self.categories)
        chosen: set[str] = set()
        for name in names:
            domain = name.strip().casefold()
            if domains_allowed and domain in DOMAIN_NAMES:
                chosen.update(c for c in self.categories if self.domains[c] == domain)
            else:
                found = self._category(name, where)
                if found is not None:
                    chosen.add(found)
        return [c for c in self.categories if c in chosen]  # forecast order, no duplicates

    def _category(self, name: str, where: str) -> str | None:
        found = self.match(name) if self.match is not None else name
        if found is None and self.skip_unknown:
            return None  # one group's part: the category is another group's
        if found is None:
            raise UsageError(
                f"unknown category {name!r}",
                source=self.scenario.source,
                where=where,
                hint="use a category of the data or a domain (" + ", ".join(DOMAIN_NAMES) + ")",
            )
        if found not in self.categories:
            raise UsageError(
                f"category {name!r} is not forecast",
                source=self.scenario.source,
                where=where,
                hint="it has no recent data (see carecast inspect)",
            )
        return found


def _indexation_factor(year: int, percent: float) -> Step:
    def factor(index: np.ndarray) -> np.ndarray:
        return np.where(index // 12 >= year, 1.0 + percent / 100.0, 1.0)

    return factor


def _volume_factor(percent: float, start: date, end: date | None) -> Step:
    first = month_index(start)
    last = month_index(end) if end is not None else None

    def factor(index: np.ndarray) -> np.ndarray:
        if index.size == 0:
            return np.ones(0)
        origin = max(first, int(index[0]))  # growth before the forecast is in the actuals
        held = index if last is None else np.minimum(index, last + 1)
        k = np.maximum(held - origin, 0)
        return np.asarray(np.power(1.0 + percent / 100.0, k / 12.0), dtype=np.float64)

    return factor


def _measure_share(start: date, end: date | None, ramp_months: int) -> Step:
    """s = min(i / ramp, 1) in month i = 1, 2, … of the measure; 0 before start and after end."""
    first = month_index(start)
    last = month_index(end) if end is not None else None

    def share(index: np.ndarray) -> np.ndarray:
        i = index - first + 1
        s = np.minimum(i / ramp_months, 1.0) if ramp_months > 0 else np.ones(index.shape)
        active = i >= 1
        if last is not None:
            active &= index <= last
        return np.where(active, s, 0.0)

    return share


def _measure_factor(percent: float, start: date, end: date | None, ramp_months: int) -> Step:
    share = _measure_share(start, end, ramp_months)
    return lambda index: 1.0 + share(index) * percent / 100.0


def _measure_amount(eur_per_month: float, start: date, end: date | None, ramp_months: int) -> Step:
    share = _measure_share(start, end, ramp_months)
    return lambda index: share(index) * eur_per_month


def _one_off_amount(amount: float, month: date) -> Step:
    target = month_index(month)
    return lambda index: np.where(index == target, amount, 0.0)
