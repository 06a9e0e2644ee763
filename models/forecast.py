"""Forecast every care category as sample paths of monthly spend.

Which model a category gets (the name is in `SeriesForecast.model`, reasons in `note`):

1. a constant series of at least 2 months, including all zeros -> "constant": every path equals the
   constant, a zero-width interval, note "constant series" (a fit would only produce noise, FK-17);
2. fewer than 12 months -> "recent-mean": the mean of the last up to 12 months plus bootstrapped
   residuals; below 3 months a zero-width interval, note "too little history for an interval";
3. `model="seasonal-naive"` -> "seasonal-naive" (see `models.baselines`);
4. 12-23 months -> "prophet (trend only)": Prophet without yearly seasonality, which is not
   identifiable from less than two years (FK-15);
5. 24 months or more -> "prophet".

If Prophet fails for a category (optimiser failure, non-finite samples), or more than 10 % of its
sampled months fall below zero (a trend running into zero, where clipping would bias the mean
upwards), that category falls back to "seasonal-naive" with a note saying why; the other
categories carry on. If Prophet cannot even be imported, that is a ModelError (exit 4) rather than
a fallback everywhere. Months are counted as observed months: gaps in the history are allowed and
are not zeros.
`model="auto"` currently behaves exactly like `model="prophet"`.

Horizon: all forecasts end at `first_month + horizon - 1`. A category whose data stops before the
last complete month starts its own forecast the month after its last observation, so its paths
are longer than `horizon` and cover the months in between too (noted); the caller decides
whether to show them. History rows at or after `first_month` are ignored.

Never negative: every model's paths are clipped at 0 value by value. The point forecast (the mean
of the clipped paths), monthly bounds and annual intervals are all computed from those same
clipped values, so they agree with each other (FK-18).

Seeds: each category gets its own seed from the user's seed and a CRC-32 of the category name
(stable across processes and Python runs, unlike `hash()`), so a category's paths depend neither
on the other categories, nor on their order, nor on which process fits them.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from models.baselines import (
    constant_paths,
    month_from_index,
    month_index,
    recent_mean_paths,
    seasonal_naive_paths,
)
from models.errors import ModelError, UsageError

MODEL_CHOICES = ("prophet", "seasonal-naive", "auto")
MIN_MONTHS_PROPHET = 12
MIN_MONTHS_YEARLY = 24
# Above this share of negative sampled months a Prophet forecast is replaced (see below).
MAX_CLIPPED_SHARE = 0.10


@dataclass(frozen=True)
class SeriesForecast:
    """Sample paths of one category's monthly spend.

    `paths[i, h]` is sample path i in month `first_month + h`; float64, never negative. All
    forecasts of one call end in the same month. `first_month` equals the caller's first month,
    or is earlier when the category's data stops early (then the paths are longer).
    """

    category: str
    model: str  # "prophet", "prophet (trend only)", "seasonal-naive", "recent-mean", "constant"
    note: str | None
    first_month: date
    paths: np.ndarray

    @property
    def months(self) -> list[date]:
        """The forecast months, one per column of `paths`."""
        start = month_index(self.first_month)
        return [month_from_index(start + h) for h in range(self.paths.shape[1])]


def series_seed(seed: int, category: str) -> int:
    """The seed of one category: [0, 2**32), from the user seed and CRC-32 of the UTF-8 name."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(category.encode("utf-8"))])
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def forecast_categories(
    monthly: pl.DataFrame,
    first_month: date,
    horizon: int,
    *,
    seed: int = 0,
    n_samples: int = 1000,
    model: str = "prophet",
) -> list[SeriesForecast]:
    """Forecast each category of `monthly` (category, month, amount), in the frame's order.

    `first_month` is the month after the last complete month of the whole data set; `horizon`
    the number of months from there. See the module docstring for the model rules.
    """
    if model not in MODEL_CHOICES:
        raise UsageError(
            f"unknown model {model!r}",
            where="--model",
            hint="choose one of " + ", ".join(MODEL_CHOICES),
        )
    if seed < 0:
        raise UsageError(f"seed must be 0 or more, not {seed}", where="--seed")
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 month, not {horizon}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, not {n_samples}")
    if first_month.day != 1:
        raise ValueError(f"first_month must be the first of a month, not {first_month}")
    missing = {"category", "month", "amount"} - set(monthly.columns)
    if missing:
        raise ValueError(f"monthly lacks column(s) {sorted(missing)}")

    end_index = month_index(first_month) + horizon - 1
    amount = pl.col("amount")
    history = (
        monthly.filter((pl.col("month") < first_month) & amount.is_not_null() & amount.is_finite())
        .group_by("category", "month")
        .agg(amount.sum())
        .sort("category", "month")
    )
    by_category = history.partition_by("category", as_dict=True, include_key=False)
    forecasts: list[SeriesForecast] = []
    for category in monthly.get_column("category").unique(maintain_order=True).to_list():
        rows = by_category.get((category,), history.clear().drop("category"))
        months: list[date] = rows.get_column("month").to_list()
        values = rows.get_column("amount").to_numpy().astype(np.float64)
        if not months:
            raise ModelError(
                f"category {category!r} has no history before {first_month:%Y-%m}",
                where="forecast",
                hint="check the date column and --as-of",
            )
        forecasts.append(
            _forecast_series(
                str(category),
                months,
                values,
                end_index,
                n_samples=n_samples,
                seed=series_seed(seed, str(category)),
                model=model,
                first_month=first_month,
            )
        )
    return forecasts


def _forecast_series(
    category: str,
    months: list[date],
    values: np.ndarray,
    end_index: int,
    *,
    n_samples: int,
    seed: int,
    model: str,
    first_month: date,
) -> SeriesForecast:
    """One category: pick the model, draw paths, clip them at 0."""
    notes: list[str] = []
    start_index = min(month_index(months[-1]) + 1, month_index(first_month))
    if start_index < month_index(first_month):
        notes.append(
            f"no data since {months[-1]:%Y-%m}: forecast from {month_from_index(start_index):%Y-%m}"
        )
    future = [month_from_index(i) for i in range(start_index, end_index + 1)]
    horizon = len(future)
    rng = np.random.default_rng(seed)
    n = len(values)

    name: str
    note: str | None
    if n >= 2 and float(values.min()) == float(values.max()):
        name, note = "constant", "constant series"
        paths = constant_paths(float(values[0]), horizon, n_samples)
    elif n < MIN_MONTHS_PROPHET:
        name = "recent-mean"
        paths, note = recent_mean_paths(values, horizon, n_samples, rng)
        if note is None:
            note = f"only {n} months of history"
    elif model == "seasonal-naive":
        name = "seasonal-naive"
        paths, note = seasonal_naive_paths(months, values, future, n_samples, rng)
    else:
        yearly = n >= MIN_MONTHS_YEARLY
        name = "prophet" if yearly else "prophet (trend only)"
        note = None if yearly else "less than 24 months: no yearly seasonality"
        prophet_paths = _load_prophet()
        try:
            paths = prophet_paths(
                months, values, future, yearly=yearly, n_samples=n_samples, seed=seed
            )
            if paths.shape != (n_samples, horizon) or not np.isfinite(paths).all():
                raise FloatingPointError("prophet returned non-finite or misshapen samples")
        except Exception as error:  # noqa: BLE001 - any Prophet/Stan failure means: fall back
            # only the type: messages carry temporary file paths and would break byte-identity
            name = "seasonal-naive"
            paths, fallback_note = seasonal_naive_paths(months, values, future, n_samples, rng)
            note = f"prophet failed ({type(error).__name__}): seasonal-naive used"
            if fallback_note:
                note += "; " + fallback_note
        else:
            below = float((paths < 0.0).mean())
            if below > MAX_CLIPPED_SHARE:
                # A linear trend running into zero: clipping would turn its noise into spend
                # (the mean of clipped paths rises while the series falls), so use last year.
                name = "seasonal-naive"
                paths, fallback_note = seasonal_naive_paths(
                    months, values, future, n_samples, rng
                )
                note = (
                    f"prophet's trend fell below zero in {below:.0%} of sampled months: "
                    "seasonal-naive used"
                )
                if fallback_note:
                    note += "; " + fallback_note
    if note:
        notes.append(note)

    below = float((paths < 0.0).mean())
    if below > 0.0:
        share = "<0.1%" if below < 0.001 else f"{below:.1%}"
        notes.append(f"{share} of sampled values were below 0 and clipped to 0")
    # `+ 0.0` turns -0.0 into 0.0, so no "-0.0" reaches any output
    clipped = np.maximum(paths, 0.0) + 0.0
    return SeriesForecast(
        category=category,
        model=name,
        note="; ".join(notes) if notes else None,
        first_month=future[0],
        paths=clipped,
    )


def _load_prophet() -> Callable[..., np.ndarray]:
    """The Prophet adapter, imported on first use (0.3-1 s). A broken install is one clear error
    (exit 4), not a silent fallback in every category."""
    try:
        from models.prophet_model import prophet_paths
    except Exception as error:  # noqa: BLE001 - numpy/CmdStan mismatches raise various types
        raise ModelError(
            f"Prophet cannot be loaded ({type(error).__name__}: {error})",
            where="forecast",
            hint="reinstall carecast, or use --model seasonal-naive",
        ) from error
    return prophet_paths
