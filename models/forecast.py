"""Forecast every care category as sample paths of monthly spend.

Methods (`METHODS`; each one turns a category's history into sample paths through `method_paths`,
which the backtest calls too, so a backtest measures exactly what a forecast does):

- "prophet": Prophet (see `models.prophet_model`); with 12-23 months "prophet (trend only)",
  without yearly seasonality, which is not identifiable from less than two years (FK-15);
- "seasonal-naive", "snaive-drift", "ets": the numpy baselines of `models.baselines`.

Rules that come before the method, for every method (the name is in `SeriesForecast.model`,
reasons in `note`):

1. a constant series of at least 2 months, including all zeros -> "constant": every path equals the
   constant, a zero-width interval, note "constant series" (a fit would only produce noise, FK-17);
2. spending before, but none in the 12 months before the forecast starts -> "ended": every path is
   0, note "no spending since YYYY-MM" (an Iv3 code replaced by its 2023 successors, a closed
   scheme: forecasting it would count its spending twice, and the clipped noise of a model fitted
   to a run of zeros is spending that will not come). For `forecast_categories` "before the
   forecast starts" means before `first_month`, also for a category whose data stops early;
3. fewer than 12 months -> "recent-mean": the mean of the last up to 12 months plus bootstrapped
   residuals; below 3 months a zero-width interval, note "too little history for an interval".

If a method fails for a category (Prophet: optimiser failure, non-finite samples), or its paths
are implausible (`implausible`: more than 10 % of the sampled months below zero, where clipping
would bias the mean upwards; or a few paths exploding, so that the mean of a year lies above its
90th percentile), that category falls back down FALLBACK (prophet, ets, snaive-drift ->
seasonal-naive -> recent-mean, which is kept whatever it gives) with a note saying why; the other
categories carry on. Backtests go through the same rules, so "auto" scores what it will use.
If Prophet cannot even be imported, that is a ModelError (exit 4) rather than
a fallback everywhere. Months are counted as observed months: gaps in the history are allowed and
are not zeros.

`model="auto"` chooses per category by a rolling-origin backtest (`models.backtest`; 3 origins of 12
months, 500 sample paths, seeded like the category): the method with the lowest mean MASE wins, ties
going to the earlier method in METHODS, except that "ets" (AUTO_PREFERRED) stays the choice when its
MASE is within AUTO_MARGIN (10 %) of the lowest; if no method has a MASE (an in-sample scale of 0, a
series that repeats itself exactly) the lowest mean absolute error decides. The winner is then
fitted on the full history. The backtest sample count is fixed, so the choice depends on the data
and the seed only, not on `n_samples`. The rules above (constant, fewer than 12 months) still come
first. A history too short for one backtest origin (24 months of training plus 12 held out) gets a
default chosen by measurement (see AUTO_SHORT_DEFAULT): "snaive-drift" below 24 months, "ets" from
24 months. The forecast keeps the per-method MASE (`backtest`), the winner's (`backtest_mase`) and
the winner's backtest points (`backtest_points`, for interval calibration). Cost: one Prophet fit
(~30 ms) and a few ms of numpy per origin: about 2 s for 15 series.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from models.baselines import (
    constant_paths,
    ets_paths,
    month_from_index,
    month_index,
    recent_mean_paths,
    seasonal_naive_paths,
    snaive_drift_paths,
)
from models.errors import ModelError, UsageError
from models.parallel import Progress, map_series

if TYPE_CHECKING:
    from models.backtest import BacktestPoints

METHODS = ("prophet", "seasonal-naive", "snaive-drift", "ets")
MODEL_CHOICES = (*METHODS, "auto")
MIN_MONTHS_PROPHET = 12
ENDED_AFTER_MONTHS = 12  # months without spending after which a category counts as ended
MIN_MONTHS_YEARLY = 24
# Above this share of negative sampled months a Prophet forecast is replaced (see below).
MAX_CLIPPED_SHARE = 0.10
# model="auto": the backtest it runs, and the method for histories too short for it.
AUTO_ORIGINS = 3
AUTO_HORIZON = 12
AUTO_SAMPLES = 500
AUTO_INTERVAL = 0.8
# The method that is best over many series keeps a category unless another beats it clearly on
# the category's own backtest: 36 held-out months rank close methods by chance. Measured on PBS
# (benchmarks/accuracy.py, mean MASE of "auto", ATC1 / ATC2): a margin of 0 gave 1.194 / 1.852,
# 0.05 gave 1.196 / 1.821, 0.10 gave 1.184 / 1.834; on the volume series (Scripts), which nothing
# was tuned on, 0 gave 0.838 / 0.830 and 0.10 0.840 / 0.818 (AutoETS 0.892 / 0.875).
AUTO_PREFERRED = "ets"
AUTO_MARGIN = 0.10
# Too short for a backtest: measured on PBS (ATC1 and ATC2, histories cut to 14-35 months, 12
# months ahead): below 24 months snaive-drift had the lowest error (ets without seasonality the
# highest), from 24 months ets (`benchmarks/methods_pbs.py --short`).
AUTO_SHORT_DEFAULT = "ets"
AUTO_SHORTER_DEFAULT = "snaive-drift"  # fewer than MIN_MONTHS_YEARLY months

_Baseline = Callable[
    [Sequence[date], np.ndarray, Sequence[date], int, np.random.Generator],
    tuple[np.ndarray, "str | None"],
]
_BASELINES: dict[str, _Baseline] = {
    "seasonal-naive": seasonal_naive_paths,
    "snaive-drift": snaive_drift_paths,
    "ets": ets_paths,
}


@dataclass(frozen=True)
class SeriesForecast:
    """Sample paths of one category's monthly spend.

    `paths[i, h]` is sample path i in month `first_month + h`; float64, never negative. All
    forecasts of one call end in the same month. `first_month` equals the caller's first month,
    or is earlier when the category's data stops early (then the paths are longer).

    Only with `model="auto"` and a history long enough for a backtest: `backtest` maps each
    method to its mean backtest MASE (None where the MASE is undefined), `backtest_mase` is the
    chosen method's, and `backtest_points` holds the chosen method's backtest forecasts next to
    the actuals (see `models.backtest.BacktestPoints`).
    """

    category: str
    model: str  # a method, "prophet (trend only)", "recent-mean", "constant" or "ended"
    note: str | None
    first_month: date
    paths: np.ndarray
    backtest_mase: float | None = None
    backtest: Mapping[str, float | None] | None = None
    backtest_points: BacktestPoints | None = None
    calibration: float | None = None  # the factor `models.calibrate` scaled the paths by

    @property
    def months(self) -> list[date]:
        """The forecast months, one per column of `paths`."""
        start = month_index(self.first_month)
        return [month_from_index(start + h) for h in range(self.paths.shape[1])]


@dataclass(frozen=True)
class FittedPaths:
    """What one method made of one history: the model actually used, clipped paths, a note."""

    model: str
    paths: np.ndarray
    note: str | None


def series_seed(seed: int, category: str) -> int:
    """The seed of one category: [0, 2**32), from the user seed and CRC-32 of the UTF-8 name."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(category.encode("utf-8"))])
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def category_series(
    monthly: pl.DataFrame, before: date | None = None
) -> dict[str, tuple[list[date], np.ndarray]]:
    """Each category's observed months (ascending) and amounts, in the frame's order.

    Several rows of one month are summed; null and non-finite amounts are left out (a missing
    month is not a zero); with `before`, rows at or after that month too. A category without
    any remaining month maps to empty lists.
    """
    missing = {"category", "month", "amount"} - set(monthly.columns)
    if missing:
        raise ValueError(f"monthly lacks column(s) {sorted(missing)}")
    amount = pl.col("amount")
    keep = amount.is_not_null() & amount.is_finite()
    if before is not None:
        keep &= pl.col("month") < before
    history = (
        monthly.filter(keep)
        .group_by("category", "month")
        .agg(amount.sum())
        .sort("category", "month")
    )
    by_category = history.partition_by("category", as_dict=True, include_key=False)
    series: dict[str, tuple[list[date], np.ndarray]] = {}
    for category in monthly.get_column("category").unique(maintain_order=True).to_list():
        rows = by_category.get((category,), history.clear().drop("category"))
        months: list[date] = rows.get_column("month").to_list()
        series[str(category)] = (months, rows.get_column("amount").to_numpy().astype(np.float64))
    return series


def method_paths(
    method: str,
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    *,
    n_samples: int,
    seed: int,
) -> tuple[np.ndarray, str | None]:
    """Sample paths (n_samples x len(future), clipped at 0) of `method` for one history; (paths,
    note). The rules of the module docstring apply (constant, short series, Prophet fallback).

    `months` ascending and distinct, at least one; `future` consecutive months after the last of
    them; `seed` in [0, 2**32). The same arguments give the same bytes.
    """
    fitted = fit_method(method, months, values, future, n_samples=n_samples, seed=seed)
    return fitted.paths, fitted.note


def fit_method(
    method: str,
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    *,
    n_samples: int,
    seed: int,
) -> FittedPaths:
    """`method_paths`, also saying which model was used in the end (a rule or a fallback may
    replace the method asked for)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    values = np.asarray(values, dtype=np.float64)
    horizon = len(future)
    rng = np.random.default_rng(seed)
    n = len(values)

    name: str
    note: str | None
    ended = ended_note(months, values, future[0])
    if n >= 2 and float(values.min()) == float(values.max()):
        name, note = "constant", "constant series"
        paths = constant_paths(float(values[0]), horizon, n_samples)
    elif ended is not None:
        name, note = "ended", ended
        paths = constant_paths(0.0, horizon, n_samples)
    elif n < MIN_MONTHS_PROPHET:
        name = "recent-mean"
        paths, note = recent_mean_paths(values, horizon, n_samples, rng)
        if note is None:
            note = f"only {n} months of history"
    else:
        name, paths, note = _with_fallbacks(method, months, values, future, n_samples, seed, rng)
    notes = [note] if note else []
    below = float((paths < 0.0).mean())
    if below > 0.0:
        share = "<0.1%" if below < 0.001 else f"{below:.1%}"
        notes.append(f"{share} of sampled values were below 0 and clipped to 0")
    # `+ 0.0` turns -0.0 into 0.0, so no "-0.0" reaches any output
    clipped = np.maximum(paths, 0.0) + 0.0
    return FittedPaths(model=name, paths=clipped, note="; ".join(notes) if notes else None)


def ended_note(months: Sequence[date], values: np.ndarray, first: date) -> str | None:
    """"no spending since YYYY-MM" when the last month with spending (a non-zero amount) lies
    ENDED_AFTER_MONTHS or more months before `first`; None otherwise, and for a series that
    never had spending (a constant 0, see rule 1)."""
    spent = np.flatnonzero(np.asarray(values) != 0.0)
    if spent.size == 0:
        return None
    last = months[int(spent[-1])]
    if month_index(first) - month_index(last) - 1 < ENDED_AFTER_MONTHS:
        return None
    return f"no spending since {last:%Y-%m}"


# Where a method's paths are implausible, the next one is tried; the last one is kept regardless.
FALLBACK = {
    "prophet": "seasonal-naive",
    "ets": "seasonal-naive",
    "snaive-drift": "seasonal-naive",
    "seasonal-naive": "recent-mean",
}


def implausible(paths: np.ndarray) -> str | None:
    """Why sample paths (unclipped) do not describe spending, or None.

    - more than MAX_CLIPPED_SHARE of the sampled months below 0: clipping them would turn the
      model's noise into spending (the mean of clipped paths rises while the series falls);
    - a 12-month total whose mean over paths lies above its 90th percentile: a few paths
      explode (a steep trend compounding on the log scale), so the point forecast would lie
      outside its own 80 % interval.
    """
    below = float((paths < 0.0).mean())
    if below > MAX_CLIPPED_SHARE:
        return f"had {below:.0%} of its sampled months below zero"
    months = paths.shape[1] - paths.shape[1] % 12
    if months:
        years = np.maximum(paths[:, :months], 0.0).reshape(paths.shape[0], -1, 12).sum(axis=2)
        high = np.quantile(years, 0.9, axis=0)
        if (years.mean(axis=0) > high * (1 + 1e-9) + 1e-9).any():
            return "had a few exploding sampled paths"
    return None


def _with_fallbacks(
    method: str,
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    n_samples: int,
    seed: int,
    rng: np.random.Generator,
) -> tuple[str, np.ndarray, str | None]:
    """The method's paths, or those of the first method down FALLBACK whose paths are plausible;
    (model name, unclipped paths, note saying what was replaced and why)."""
    notes: list[str] = []
    current = method
    while True:
        if current == "prophet":
            name, paths, note, failed = _prophet(months, values, future, n_samples, seed)
        elif current == "recent-mean":
            name, failed = current, None
            paths, note = recent_mean_paths(values, len(future), n_samples, rng)
        else:
            name, failed = current, None
            paths, note = _BASELINES[current](months, values, future, n_samples, rng)
        why = failed or implausible(paths)
        if why is None or current not in FALLBACK:
            notes += [note] if note else []
            return name, paths, "; ".join(notes) or None
        current = FALLBACK[current]
        notes.append(f"{name} {why}: {current} used")


def _prophet(
    months: Sequence[date], values: np.ndarray, future: Sequence[date], n_samples: int, seed: int
) -> tuple[str, np.ndarray, str | None, str | None]:
    """Prophet's unclipped paths; (model name, paths, note, why it failed or None)."""
    yearly = len(values) >= MIN_MONTHS_YEARLY
    name = "prophet" if yearly else "prophet (trend only)"
    note = None if yearly else "less than 24 months: no yearly seasonality"
    prophet_paths = _load_prophet()
    try:
        paths = prophet_paths(months, values, future, yearly=yearly, n_samples=n_samples, seed=seed)
        if paths.shape != (n_samples, len(future)) or not np.isfinite(paths).all():
            raise FloatingPointError("prophet returned non-finite or misshapen samples")
    except Exception as error:  # noqa: BLE001 - any Prophet/Stan failure means: fall back
        # only the type: messages carry temporary file paths and would break byte-identity
        return name, np.zeros((n_samples, len(future))), note, f"failed ({type(error).__name__})"
    return name, paths, note, None


def forecast_categories(
    monthly: pl.DataFrame,
    first_month: date,
    horizon: int,
    *,
    seed: int = 0,
    n_samples: int = 1000,
    model: str = "prophet",
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    keep_until: date | None = None,
) -> list[SeriesForecast]:
    """Forecast each category of `monthly` (category, month, amount), in the frame's order.

    `first_month` is the month after the last complete month of the whole data set; `horizon`
    the number of months from there. `model` is one of METHODS or "auto". See the module
    docstring for the model rules.

    `jobs` > 1 fits the categories in that many worker processes, `scheduler` on a Dask cluster
    (see `models.parallel`); the result is the same to the byte, as a category's paths depend
    only on its own history and seed. `progress(done, total)` follows the fitting.

    `keep_until` (a month) returns the paths only up to that month: they are still drawn for
    the whole horizon (a Prophet trend draw depends on its length), but a worker sends back no
    more than is used.
    """
    if model not in MODEL_CHOICES:
        raise UsageError(
            f"unknown model {model!r}",
            where="--model",
            hint="choose one of " + ", ".join(MODEL_CHOICES),
        )
    if seed < 0:
        raise UsageError(
            f"must be 0 or more, not {seed}", where="--seed", hint="any whole number from 0"
        )
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 month, not {horizon}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, not {n_samples}")
    if first_month.day != 1:
        raise ValueError(f"first_month must be the first of a month, not {first_month}")

    end_index = month_index(first_month) + horizon - 1
    work: list[tuple[str, list[date], np.ndarray]] = []
    for category, (months, values) in category_series(monthly, before=first_month).items():
        if not months:
            raise ModelError(
                f"category {category!r} has no history before {first_month:%Y-%m}",
                where="forecast",
                hint="check the date column and --as-of",
            )
        work.append((category, months, values))
    keep_index = end_index if keep_until is None else min(month_index(keep_until), end_index)
    one = partial(_kept, keep_index=keep_index, end_index=end_index, n_samples=n_samples,
                  seed=seed, model=model, first_month=first_month)  # fmt: skip
    return map_series(one, work, jobs=jobs, scheduler=scheduler, progress=progress)


def _kept(
    category: str, months: list[date], values: np.ndarray, *, keep_index: int, **kwargs: Any
) -> SeriesForecast:
    """`_forecast_series`, its paths cut after month index `keep_index`."""
    forecast = _forecast_series(category, months, values, **kwargs)
    keep = keep_index - month_index(forecast.first_month) + 1
    if keep >= forecast.paths.shape[1]:
        return forecast
    return replace(forecast, paths=np.ascontiguousarray(forecast.paths[:, :keep]))


def _forecast_series(
    category: str,
    months: list[date],
    values: np.ndarray,
    *,
    end_index: int,
    n_samples: int,
    seed: int,
    model: str,
    first_month: date,
) -> SeriesForecast:
    """One category: pick the method (by backtest for "auto"), draw paths, clip them at 0.
    `seed` is the user's seed; the category's own comes from it and the name."""
    seed = series_seed(seed, category)
    ended = ended_note(months, values, first_month)
    if ended is not None:  # also for data that stops early (its own forecast would start later)
        paths = constant_paths(0.0, end_index - month_index(first_month) + 1, n_samples)
        return SeriesForecast(category, "ended", ended, first_month, paths)
    notes: list[str] = []
    start_index = min(month_index(months[-1]) + 1, month_index(first_month))
    if start_index < month_index(first_month):
        notes.append(
            f"no data since {months[-1]:%Y-%m}: forecast from {month_from_index(start_index):%Y-%m}"
        )
    future = [month_from_index(i) for i in range(start_index, end_index + 1)]

    choice = _auto_choice(months, values, seed) if model == "auto" else None
    if choice is not None:
        notes.append(choice.note)
        method = choice.method
    else:  # with "auto" a rule (constant, short) decides before any method is used
        method = AUTO_SHORTER_DEFAULT if model == "auto" else model
    fitted = fit_method(method, months, values, future, n_samples=n_samples, seed=seed)
    if fitted.note:
        notes.append(fitted.note)
    return SeriesForecast(
        category=category,
        model=fitted.model,
        note="; ".join(notes) if notes else None,
        first_month=future[0],
        paths=fitted.paths,
        backtest_mase=choice.mase if choice else None,
        backtest=choice.by_method if choice else None,
        backtest_points=choice.points if choice else None,
    )


@dataclass(frozen=True)
class _AutoChoice:
    method: str
    note: str
    mase: float | None = None
    by_method: Mapping[str, float | None] | None = None
    points: BacktestPoints | None = None


def _auto_choice(months: Sequence[date], values: np.ndarray, seed: int) -> _AutoChoice | None:
    """The method with the lowest backtest MASE (see the module docstring); None when a rule
    (constant, fewer than 12 months) decides before any method."""
    if len(values) >= 2 and float(np.min(values)) == float(np.max(values)):
        return None
    if len(values) < MIN_MONTHS_PROPHET:
        return None
    # imported here: models.backtest builds on this module
    from models.backtest import backtest_series, score

    runs, reason = backtest_series(
        months,
        values,
        seed=seed,
        origins=AUTO_ORIGINS,
        horizon=AUTO_HORIZON,
        methods=METHODS,
        n_samples=AUTO_SAMPLES,
        interval=AUTO_INTERVAL,
    )
    if reason is not None:
        default = AUTO_SHORT_DEFAULT if len(values) >= MIN_MONTHS_YEARLY else AUTO_SHORTER_DEFAULT
        note = f"auto: {default}, too little history for a backtest ({reason})"
        return _AutoChoice(default, note)
    scores = {m: score([r for r in runs if r.method == m], AUTO_INTERVAL) for m in METHODS}
    by_mase = {m: s.mase for m, s in scores.items()}
    if any(v is not None for v in by_mase.values()):
        best = min(METHODS, key=lambda m: (by_mase[m] is None, by_mase[m] or 0.0))
        ets, lowest = by_mase[AUTO_PREFERRED], by_mase[best]
        if ets is not None and lowest is not None and ets <= (1 + AUTO_MARGIN) * lowest:
            best = AUTO_PREFERRED
        others = ", ".join(f"{m} {_figure(by_mase[m])}" for m in METHODS if m != best)
        note = f"auto: {best} had the lowest backtest MASE {_figure(by_mase[best])} ({others})"
    else:
        best = min(METHODS, key=lambda m: scores[m].mean_abs_error)
        note = f"auto: {best} had the lowest backtest error (MASE undefined: a repeating series)"
    return _AutoChoice(best, note, by_mase[best], dict(by_mase), scores[best].points)


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


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
