"""Rolling-origin backtests: how well would each method have forecast the months we already know?

Origins: for a category whose last observed month is L, origin k (k = 1..`origins`) is the month
L - k * horizon. Each fit sees the category's months up to and including its origin, never a month
after it, and forecasts the `horizon` months after it (origin + 1 .. origin + horizon), which all
lie at or before L: every origin has a full horizon of held-out months, and the held-out windows
of the origins follow each other without overlap, the latest ending at L. An origin with fewer
than `min_train` observed months up to it (default 24, two years: Prophet and ETS need two years
for a yearly pattern) is dropped; a category left without any origin is skipped, with the
reason in `BacktestResult.skipped`. Months missing from the data are neither trained on nor
scored.

Every fit goes through `models.forecast.fit_method`, the same function a forecast uses (with its
rules for constant and short series and Prophet's fallback), seeded with the category's seed, so
the backtest measures what `carecast forecast --model METHOD` would have produced then.

Per held-out month: the forecast is the mean of the clipped sample paths, lower/upper their
quantiles at (1 - interval) / 2 and (1 + interval) / 2 (numpy's "linear" method, as in
`models.aggregate`), `sd` their standard deviation, and `pit` the share of paths below the actual
(ties count half): uniform between 0 and 1 when the paths are calibrated, which is what an
interval calibration needs. Per origin, the first 12 held-out months (fewer if the horizon is
shorter) also form a year: the actual total against the sum of the paths over the same observed
months, so the year interval is taken from summed paths like the budget tables do.

The metrics are the small functions below (`mase_scale`, `mase`, `smape`, `coverage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from models.aggregate import QUANTILE_METHOD
from models.baselines import month_from_index, month_index
from models.forecast import METHODS, category_series, fit_method, series_seed

SEASON = 12
MIN_TRAIN = 24
YEAR_MONTHS = 12

POINTS_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "method": pl.String(),
    "origin": pl.Date(),
    "h": pl.Int64(),
    "month": pl.Date(),
    "actual": pl.Float64(),
    "forecast": pl.Float64(),
    "lower": pl.Float64(),
    "upper": pl.Float64(),
    "sd": pl.Float64(),
    "pit": pl.Float64(),
    "scaled_error": pl.Float64(),
}
YEARS_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "method": pl.String(),
    "origin": pl.Date(),
    "months": pl.Int64(),
    "actual": pl.Float64(),
    "forecast": pl.Float64(),
    "lower": pl.Float64(),
    "upper": pl.Float64(),
    "error_eur": pl.Float64(),
    "error_percent": pl.Float64(),
    "model": pl.String(),
    "note": pl.String(),
}
SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "method": pl.String(),
    "mase": pl.Float64(),
    "smape": pl.Float64(),
    "coverage": pl.Float64(),
    "annual_error_eur": pl.Float64(),
    "annual_error_percent": pl.Float64(),
    "year_coverage": pl.Float64(),
    "n_points": pl.Int64(),
    "n_origins": pl.Int64(),
}


# --------------------------------------------------------------------------- metrics


def mase_scale(training: np.ndarray, season: int = SEASON) -> float | None:
    """The MASE denominator: in-sample mean |y_t - y_(t-season)| of the training months.

    `training` is one value per consecutive month, NaN for a missing month (pairs with a missing
    side are left out). With fewer than season + 1 observed months, or no complete seasonal pair,
    the lag-1 naive is used instead. None when there is no pair at all.
    """
    y = np.asarray(training, dtype=np.float64)
    lags = (season, 1) if int(np.isfinite(y).sum()) > season else (1,)
    for lag in lags:
        diffs = np.abs(y[lag:] - y[:-lag]) if y.size > lag else np.empty(0)
        diffs = diffs[np.isfinite(diffs)]
        if diffs.size:
            return float(diffs.mean())
    return None


def mase(
    actual: np.ndarray, forecast: np.ndarray, scale: float | np.ndarray | None
) -> float | None:
    """Mean absolute scaled error: mean |actual - forecast| / scale.

    `scale` is one number, or one per point (points of several origins, each scaled by its own
    origin's `mase_scale`). Points whose scale is None, NaN or 0 are left out - a zero scale means
    the training data repeated itself exactly and no error can be put on that scale. None when no
    point is left.
    """
    if scale is None:
        return None
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    s = np.broadcast_to(np.asarray(scale, dtype=np.float64), a.shape)
    usable = np.isfinite(s) & (s > 0)
    if not usable.any():
        return None
    return float(np.mean(np.abs(a[usable] - f[usable]) / s[usable]))


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent: mean 200 |a - f| / (|a| + |f|), a term being 0 when a = f = 0."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    denominator = np.abs(a) + np.abs(f)
    terms = np.divide(
        200.0 * np.abs(a - f), denominator, out=np.zeros(a.shape), where=denominator > 0
    )
    return float(terms.mean())


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside their interval, bounds included."""
    a = np.asarray(actual, dtype=np.float64)
    return float(np.mean((np.asarray(lower) <= a) & (a <= np.asarray(upper))))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BacktestPoints:
    """One method's backtest of one category, one entry per held-out month (oldest origin first).

    `k` the origin number (origin = last month - k * horizon), `h` months after the origin (1..),
    `actual`, `forecast` (mean of paths), `lower`/`upper` (quantiles at `interval`), `sd` of the
    paths, `pit` the share of paths below the actual (ties half). `as_array()` gives the (n, 4)
    matrix [actual, forecast, lower, upper].
    """

    interval: float
    k: np.ndarray
    h: np.ndarray
    actual: np.ndarray
    forecast: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    sd: np.ndarray
    pit: np.ndarray

    def as_array(self) -> np.ndarray:
        return np.column_stack([self.actual, self.forecast, self.lower, self.upper])


@dataclass(frozen=True)
class BacktestResult:
    """Frames of one backtest (column lists: the *_SCHEMA constants and `by_horizon` below).

    - `points`: category x method x origin x held-out month (h = 1..horizon);
    - `years`: category x method x origin, the first 12 held-out months summed; `error_eur` =
      forecast - actual (positive: forecast too high), `error_percent` of the actual total
      (null when that is 0); `model` is the model actually used (a rule or fallback may differ
      from the method), `note` why;
    - `summary`: category x method: `mase` (mean scaled error over all points), `smape`,
      `coverage` (share of points inside their interval), `annual_error_eur` and
      `annual_error_percent` (mean absolute), `year_coverage`, `n_points`, `n_origins`;
    - `by_horizon`: method x h over all categories: `mean_abs_error` (EUR), `mean_scaled_error`,
      `coverage`, `n_points`;
    - `skipped`: (category, reason) of categories too short for any origin.
    """

    points: pl.DataFrame
    years: pl.DataFrame
    summary: pl.DataFrame
    by_horizon: pl.DataFrame
    skipped: tuple[tuple[str, str], ...]
    methods: tuple[str, ...]
    origins: int
    horizon: int
    interval: float


@dataclass(frozen=True)
class OriginRun:
    """One method forecast from one origin: held-out months and what the paths said of them."""

    method: str
    k: int
    origin: int  # month index
    model: str
    note: str | None
    months: np.ndarray  # month indices of the observed held-out months
    h: np.ndarray
    actual: np.ndarray
    forecast: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    sd: np.ndarray
    pit: np.ndarray
    scale: float | None
    year_months: int
    year_actual: float
    year_forecast: float
    year_lower: float
    year_upper: float


@dataclass(frozen=True)
class MethodScore:
    """A method's backtest of one category, pooled over its origins."""

    mase: float | None
    mean_abs_error: float
    points: BacktestPoints


def origin_months(last: date, origins: int, horizon: int) -> list[date]:
    """Origin k = `last` - k * horizon months, k = 1..origins (latest first)."""
    end = month_index(last)
    return [month_from_index(end - k * horizon) for k in range(1, origins + 1)]


def backtest_series(
    months: Sequence[date],
    values: np.ndarray,
    *,
    seed: int,
    origins: int = 3,
    horizon: int = 12,
    methods: Sequence[str] = METHODS,
    n_samples: int = 500,
    interval: float = 0.8,
    min_train: int = MIN_TRAIN,
) -> tuple[list[OriginRun], str | None]:
    """Backtest one history (ascending distinct months) with the series seed `seed`.

    Returns the runs, method by method and oldest origin first, and the reason when no origin
    has `min_train` months of training (then no runs).
    """
    index = np.array([month_index(m) for m in months], dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    if index.size == 0:
        return [], "no history"
    probabilities = [(1.0 - interval) / 2.0, (1.0 + interval) / 2.0]
    latest_first = origin_months(months[-1], origins, horizon)
    placed = [(k, month_index(o)) for k, o in enumerate(latest_first, start=1)]
    usable = [(k, o) for k, o in placed if int((index <= o).sum()) >= min_train]
    if not usable:
        latest = month_from_index(placed[0][1]) if placed else months[-1]
        have = int((index <= month_index(latest)).sum())
        return [], (
            f"only {have} months up to the latest origin {latest:%Y-%m}, {min_train} needed"
        )
    usable.reverse()  # oldest origin first

    runs: list[OriginRun] = []
    for method in methods:
        for k, origin in usable:
            train = index <= origin
            train_months = [m for m, keep in zip(months, train, strict=True) if keep]
            future = [month_from_index(origin + h) for h in range(1, horizon + 1)]
            fitted = fit_method(
                method, train_months, y[train], future, n_samples=n_samples, seed=seed
            )
            held = (index > origin) & (index <= origin + horizon)
            steps = index[held] - origin
            paths = fitted.paths[:, steps - 1]
            actual = y[held]
            lower, upper = np.quantile(paths, probabilities, axis=0, method=QUANTILE_METHOD)
            first = int(index[train][0])
            regular = np.full(origin - first + 1, np.nan)
            regular[index[train] - first] = y[train]
            in_year = steps <= YEAR_MONTHS
            year_paths = paths[:, in_year].sum(axis=1)
            year_lower, year_upper = np.quantile(
                year_paths, probabilities, method=QUANTILE_METHOD
            )
            runs.append(
                OriginRun(
                    method=method,
                    k=k,
                    origin=origin,
                    model=fitted.model,
                    note=fitted.note,
                    months=index[held],
                    h=steps,
                    actual=actual,
                    forecast=paths.mean(axis=0),
                    lower=lower,
                    upper=upper,
                    sd=paths.std(axis=0),
                    pit=(paths < actual).mean(axis=0) + 0.5 * (paths == actual).mean(axis=0),
                    scale=mase_scale(regular),
                    year_months=int(in_year.sum()),
                    year_actual=float(actual[in_year].sum()),
                    year_forecast=float(year_paths.mean()),
                    year_lower=float(year_lower),
                    year_upper=float(year_upper),
                )
            )
    return runs, None


def score(runs: Sequence[OriginRun], interval: float) -> MethodScore:
    """Pool one method's runs of one category: MASE over all points, each scaled by its origin."""
    scales = np.concatenate(
        [np.full(r.h.size, np.nan if r.scale is None else r.scale) for r in runs]
    )

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in runs])

    actual, forecast = joined("actual"), joined("forecast")
    points = BacktestPoints(
        interval=interval,
        k=np.concatenate([np.full(r.h.size, r.k) for r in runs]),
        h=joined("h"),
        actual=actual,
        forecast=forecast,
        lower=joined("lower"),
        upper=joined("upper"),
        sd=joined("sd"),
        pit=joined("pit"),
    )
    error = float(np.mean(np.abs(actual - forecast))) if actual.size else float("inf")
    return MethodScore(mase=mase(actual, forecast, scales), mean_abs_error=error, points=points)


def backtest(
    monthly: pl.DataFrame,
    *,
    origins: int = 3,
    horizon: int = 12,
    methods: Sequence[str] = METHODS,
    seed: int = 0,
    n_samples: int = 500,
    interval: float = 0.8,
    min_train: int = MIN_TRAIN,
) -> BacktestResult:
    """Rolling-origin backtest of every category of `monthly` (category, month, amount) with every
    method; see the module docstring. Categories keep the frame's order, methods the given one."""
    if origins < 1 or horizon < 1:
        raise ValueError(f"origins and horizon must be at least 1, not {origins} and {horizon}")
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must lie strictly between 0 and 1, not {interval}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"methods must be some of {', '.join(METHODS)}, not {list(methods)}")
    if seed < 0 or n_samples < 1 or min_train < 2:
        raise ValueError("seed must be >= 0, n_samples >= 1 and min_train >= 2")

    point_rows: list[tuple[object, ...]] = []
    year_rows: list[tuple[object, ...]] = []
    summary_rows: list[tuple[object, ...]] = []
    skipped: list[tuple[str, str]] = []
    for category, (months, values) in category_series(monthly).items():
        runs, reason = backtest_series(
            months,
            values,
            seed=series_seed(seed, category),
            origins=origins,
            horizon=horizon,
            methods=methods,
            n_samples=n_samples,
            interval=interval,
            min_train=min_train,
        )
        if reason is not None:
            skipped.append((category, reason))
            continue
        for method in methods:
            mine = [r for r in runs if r.method == method]
            for r in mine:
                origin = month_from_index(r.origin)
                scaled = (
                    np.abs(r.actual - r.forecast) / r.scale
                    if r.scale
                    else np.full(r.h.size, np.nan)
                )
                for j in range(r.h.size):
                    point_rows.append(
                        (category, method, origin, int(r.h[j]), month_from_index(int(r.months[j])),
                         float(r.actual[j]), float(r.forecast[j]), float(r.lower[j]),
                         float(r.upper[j]), float(r.sd[j]), float(r.pit[j]),
                         None if np.isnan(scaled[j]) else float(scaled[j]))
                    )
                error = r.year_forecast - r.year_actual
                percent = 100.0 * error / abs(r.year_actual) if r.year_actual != 0 else None
                year_rows.append(
                    (category, method, origin, r.year_months, r.year_actual, r.year_forecast,
                     r.year_lower, r.year_upper, error, percent, r.model, r.note)
                )
            summary_rows.append(_summary_row(category, method, mine, interval))

    points = pl.DataFrame(point_rows, schema=POINTS_SCHEMA, orient="row")
    return BacktestResult(
        points=points,
        years=pl.DataFrame(year_rows, schema=YEARS_SCHEMA, orient="row"),
        summary=pl.DataFrame(summary_rows, schema=SUMMARY_SCHEMA, orient="row"),
        by_horizon=_by_horizon(points, methods),
        skipped=tuple(skipped),
        methods=tuple(methods),
        origins=origins,
        horizon=horizon,
        interval=interval,
    )


def _summary_row(
    category: str, method: str, runs: Sequence[OriginRun], interval: float
) -> tuple[object, ...]:
    scored = score(runs, interval)
    pooled = scored.points
    n = int(pooled.actual.size)
    years = [r for r in runs if r.year_months]
    year_actual = np.array([r.year_actual for r in years])
    year_forecast = np.array([r.year_forecast for r in years])
    year_error = np.abs(year_forecast - year_actual)
    nonzero = year_actual != 0
    return (
        category,
        method,
        scored.mase,
        smape(pooled.actual, pooled.forecast) if n else None,
        coverage(pooled.actual, pooled.lower, pooled.upper) if n else None,
        float(year_error.mean()) if years else None,
        float(np.mean(100.0 * year_error[nonzero] / np.abs(year_actual[nonzero])))
        if nonzero.any()
        else None,
        coverage(year_actual, np.array([r.year_lower for r in years]),
                 np.array([r.year_upper for r in years])) if years else None,
        n,
        len(runs),
    )


BY_HORIZON_SCHEMA: dict[str, pl.DataType] = {
    "method": pl.String(),
    "h": pl.Int64(),
    "mean_abs_error": pl.Float64(),
    "mean_scaled_error": pl.Float64(),
    "coverage": pl.Float64(),
    "n_points": pl.Int64(),
}


def _by_horizon(points: pl.DataFrame, methods: Sequence[str]) -> pl.DataFrame:
    """Method x h over all categories and origins, in the order of `methods`.

    Summed in numpy in the row order of `points`, so the same input gives the same bits (a
    parallel group-by may add floats in another order from run to run).
    """
    method = points.get_column("method").to_numpy()
    h = points.get_column("h").to_numpy()
    actual = points.get_column("actual").to_numpy()
    error = np.abs(actual - points.get_column("forecast").to_numpy())
    scaled = points.get_column("scaled_error").to_numpy(allow_copy=True).astype(np.float64)
    inside = (points.get_column("lower").to_numpy() <= actual) & (
        actual <= points.get_column("upper").to_numpy()
    )
    rows = []
    for name in methods:
        for step in np.unique(h[method == name]):
            mask = (method == name) & (h == step)
            usable = scaled[mask][np.isfinite(scaled[mask])]
            rows.append(
                (name, int(step), float(error[mask].mean()),
                 float(usable.mean()) if usable.size else None,
                 float(inside[mask].mean()), int(mask.sum()))
            )
    return pl.DataFrame(rows, schema=BY_HORIZON_SCHEMA, orient="row")
