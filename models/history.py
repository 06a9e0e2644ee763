"""What a forecast may learn from: the history cut at its last complete month, and facts about it.

Incomplete last month rule (`prepare_history`):

* With `as_of`, the history is cut after that month and nothing is guessed: the user knows their
  books. An `as_of` after the data's last month or before its first is a usage error.
* Without it, the last month of the data is left out as incomplete, with a warning that names it
  and says why, when

  (a) the data has real booking dates (the day of month varies; monthly data stamped on a fixed
      day such as the 15th does not count) and the latest one falls before the 21st of that
      month (bookings stopped part-way through it), or
  (b) the month's total over all categories is below 50 % of the median monthly total of the 12
      months before it (at least 3 of them with data, median above zero): a two-week export.

The loader's warnings (`History.warnings`: overlapping inputs, amounts in thousands, ...) come
first in `PreparedHistory.warnings`, so every command that prepares a history shows them.

The forecast starts after `last_complete_month`, never from the wall clock, so the same input
gives the same forecast on any day. A left-out month is forecast, not treated as zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from models.errors import InputDataError, UsageError
from models.loading import History

PARTIAL_BEFORE_DAY = 21  # latest booking before this day of the month → the month is partial
PARTIAL_SHARE = 0.5  # month total below this share of the recent median → the month is partial
BASELINE_MONTHS = 12
BASELINE_MIN_MONTHS = 3


@dataclass(frozen=True)
class PreparedHistory:
    monthly: pl.DataFrame
    last_complete_month: date
    excluded_partial_month: date | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CategoryFacts:
    category: str
    first_month: date
    last_month: date
    months: int
    missing_months: tuple[date, ...]
    negative_months: tuple[date, ...]


def parse_as_of(text: str) -> date:
    """`YYYY-MM` → the first of that month; anything else is a usage error."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(
            f"'{text}' is not a month", where="--as-of", hint="write YYYY-MM, e.g. 2024-06"
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def prepare_history(history: History, as_of: date | None = None) -> PreparedHistory:
    """Cut the history at `as_of`, or at its last complete month (rule in the module docstring)."""
    monthly = history.monthly
    if monthly.height == 0:
        raise InputDataError("the inputs hold no amounts", hint="check the files and columns")
    first: date = monthly["month"].min()  # type: ignore[assignment]
    last: date = monthly["month"].max()  # type: ignore[assignment]

    if as_of is not None:
        cut = as_of.replace(day=1)
        if cut > last:
            raise UsageError(
                f"{cut:%Y-%m} is after the last month of the data ({last:%Y-%m})",
                where="--as-of",
                hint=f"choose a month from {first:%Y-%m} to {last:%Y-%m}",
            )
        if cut < first:
            raise UsageError(
                f"{cut:%Y-%m} is before the first month of the data ({first:%Y-%m})",
                where="--as-of",
                hint=f"choose a month from {first:%Y-%m} to {last:%Y-%m}",
            )
        kept = monthly.filter(pl.col("month") <= cut)
        warnings = list(history.warnings)
        if cut < last:
            later = monthly.filter(pl.col("month") > cut)["month"].n_unique()
            warnings.append(f"history cut at {cut:%Y-%m} (--as-of): {_months(later)} left out")
        return PreparedHistory(kept, cut, None, tuple(warnings))

    reason = _partial_reason(history, last)
    if reason is None:
        return PreparedHistory(monthly, last, None, history.warnings)
    kept = monthly.filter(pl.col("month") < last)
    if kept.height == 0:
        raise InputDataError(
            f"the only month in the data, {last:%Y-%m}, looks incomplete: {reason}",
            hint=f"use --as-of {last:%Y-%m} to use it anyway",
        )
    warning = (
        f"{last:%Y-%m} left out as incomplete: {reason}; it is forecast instead"
        f" (use --as-of {last:%Y-%m} to keep it)"
    )
    return PreparedHistory(kept, _month_before(last), last, (*history.warnings, warning))


def _partial_reason(history: History, last: date) -> str | None:
    """Why the last month looks incomplete, or None when it looks complete."""
    latest = history.last_date
    if (
        history.day_level_dates
        and latest is not None
        and latest.replace(day=1) == last
        and latest.day < PARTIAL_BEFORE_DAY
    ):
        return f"the latest booking date is {latest:%Y-%m-%d}, before the {PARTIAL_BEFORE_DAY}st"

    totals = history.monthly.group_by("month").agg(pl.col("amount").sum())
    window_start = _months_back(last, BASELINE_MONTHS)
    before = totals.filter((pl.col("month") >= window_start) & (pl.col("month") < last))
    if before.height < BASELINE_MIN_MONTHS:
        return None
    median = float(before["amount"].median())  # type: ignore[arg-type]
    current = float(totals.filter(pl.col("month") == last)["amount"].sum())
    if median > 0 and current < PARTIAL_SHARE * median:
        share = 100 * current / median
        return (
            f"its total is {share:.0f} % of the median month in the {BASELINE_MONTHS} months"
            " before it"
        )
    return None


def category_facts(monthly: pl.DataFrame) -> list[CategoryFacts]:
    """Per category: its span, the months with data, the gaps and the net-negative months."""
    summed = (
        monthly.group_by("category", "month").agg(pl.col("amount").sum()).sort("category", "month")
    )
    facts = []
    for (category,), group in summed.group_by("category", maintain_order=True):
        months: list[date] = group["month"].to_list()
        present = set(months)
        span = pl.date_range(months[0], months[-1], "1mo", eager=True).to_list()
        facts.append(
            CategoryFacts(
                category=str(category),
                first_month=months[0],
                last_month=months[-1],
                months=len(months),
                missing_months=tuple(month for month in span if month not in present),
                negative_months=tuple(group.filter(pl.col("amount") < 0)["month"].to_list()),
            )
        )
    return facts


def yearly_totals(monthly: pl.DataFrame) -> pl.DataFrame:
    """Per category and calendar year: the summed amount and the number of months with data."""
    return (
        monthly.group_by("category", pl.col("month").dt.year().cast(pl.Int64).alias("year"))
        .agg(pl.col("amount").sum(), pl.col("month").n_unique().cast(pl.Int64).alias("months"))
        .sort("category", "year")
    )


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _month_before(month: date) -> date:
    return _months_back(month, 1)


def _months(count: int) -> str:
    return f"{count} month" + ("" if count == 1 else "s")
