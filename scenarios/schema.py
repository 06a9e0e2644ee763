"""What a scenario is, as data: the parsed, validated form of a scenario TOML file.

Reading and validating TOML lives in scenarios/toml_files.py and scenarios/parse.py; applying a
scenario to sample paths in scenarios/apply.py. Every amount here is in euro (a kEUR budget is
scaled when read) and every percentage is a percent (4.96 means 4.96 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# `applies_to` names domains or categories; an empty tuple means every category.
DOMAIN_NAMES = ("jeugd", "wmo", "overig")


@dataclass(frozen=True)
class Indexation:
    """Tariff (price) indexation from January of `year` on; it compounds with later years.

    `tariff_percent` is the rate applied. When the file gives the VNG-style parts instead, it is
    ova_weight × ova_percent + (1 − ova_weight) × ppc_percent + correction_percent, where the
    correction is the catch-up (nacalculatie) of an earlier year's provisional rate.
    """

    year: int
    tariff_percent: float
    applies_to: tuple[str, ...] = ()
    ova_percent: float | None = None
    ppc_percent: float | None = None
    ova_weight: float = 0.9
    correction_percent: float = 0.0


@dataclass(frozen=True)
class Volume:
    """Demand growth, compounding month by month from `start` (scenarios/apply.py has the
    formula for each month).

    `until` (`end` here) is the last month with growth; from the month after it the level stays
    at (1 + g/100) ** (((months from `from` to `until`) + 1) / 12), g being
    growth_percent_per_year. So `from = 2027-01-01, until = 2027-12-01` holds × 1.02 for a 2 %
    growth: a full year's worth, and a next [[volume]] from 2028-01-01 carries on from there.
    """

    growth_percent_per_year: float
    start: date  # key `from` in the file; first of a month
    applies_to: tuple[str, ...] = ()
    end: date | None = None  # key `until`: the last month with growth; the level stays after it


@dataclass(frozen=True)
class Measure:
    """A named policy measure, phased in linearly over `ramp_months` from `start`.

    Exactly one of effect_percent (multiplies) and effect_eur_per_month (adds) is set. In month i
    of the measure (i = 1 at `start`) the effect is min(i / ramp_months, 1) × the full effect; after
    `end` (inclusive last month) it stops.
    """

    name: str
    start: date
    applies_to: tuple[str, ...] = ()
    end: date | None = None
    effect_percent: float | None = None
    effect_eur_per_month: float | None = None
    ramp_months: int = 0


@dataclass(frozen=True)
class OneOff:
    """An amount added to one category in one month (a back payment, a reversal)."""

    name: str
    category: str
    month: date
    amount_eur: float


@dataclass(frozen=True)
class Budget:
    """The begroting and meerjarenraming: euro per category per year."""

    amounts: dict[str, dict[int, float]]  # category (as written in the file) -> year -> euro
    unit: str = "EUR"  # as written in the file: "EUR" or "kEUR" (amounts above are in euro)
    # The file it came from (a scenario or a budget file), for messages; not part of equality,
    # so a budget read back from its own dump compares equal.
    source: str | None = field(default=None, compare=False)
    provenance: str | None = None  # the `source` key of [budget]: where the figures come from
    # What reading left out and why (budget_from_iv3: taakvelden with no Lasten); not in files.
    notes: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str | None = field(default=None, compare=False)  # the scenario file, for messages
    description: str = ""
    # As written in the file; already applied below. Not part of equality: a resolved scenario
    # and its self-contained dump (scenarios.parse.dumps_scenario) are the same scenario.
    extends: str | None = field(default=None, compare=False)
    # every file read to resolve it (itself, what it extends, budget files), for fingerprints
    files: tuple[str, ...] = field(default=(), compare=False)
    budget: Budget | None = None
    indexation: tuple[Indexation, ...] = ()
    volume: tuple[Volume, ...] = ()
    measure: tuple[Measure, ...] = ()
    one_off: tuple[OneOff, ...] = field(default_factory=tuple)
