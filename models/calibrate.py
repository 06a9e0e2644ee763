"""Calibrated intervals: widen or narrow each category's sample paths so that an 80 % interval
covers about 80 % of held-out months, judged by the category's own rolling-origin backtest.

Why: a model's own intervals are a statement about its assumptions, not about the data. Prophet's
80 % intervals covered 40-56 % of held-out months of real monthly care cost (PBS, see
`models.prophet_model`); a controller reading "80 %" must be able to take it at its word.

Method: weighted split-conformal scaling around the path mean.

- Conformity score per held-out point, measured on the side the actual fell:
  `s = (actual - forecast) / (upper - forecast)` when the actual lies above the forecast,
  `s = (forecast - actual) / (forecast - lower)` when below. `forecast` is the mean of the paths,
  `lower`/`upper` the model's own interval at the target level. Scaling every path's deviation
  from the mean by `k` moves the interval bounds to `forecast + k * (bound - forecast)`, so a
  point is covered by the scaled interval exactly when `s <= k` - the score matches the
  correction, also for lopsided intervals. Where the model's interval has no width on that side,
  `z * sd` stands in for it (`z` the normal quantile of the level); points with neither say
  nothing about a scale and are skipped.
- Factor `k`: the q-quantile (q = the interval level) of the scores, each weighted by RECENCY to
  the power of its origin's age (1 for the latest origin, 0.5 a horizon earlier, 0.25 ...), with
  one more point of weight 1 at +infinity standing for the month to come - the finite-sample
  correction of split conformal prediction (with equal weights: the ceil((n + 1) q)-th smallest
  score), in the non-exchangeable form of Barber, Candes, Ramdas and Tibshirani (2023,
  "Conformal prediction beyond exchangeability"). When the rank falls on the extra point, the
  largest score. Bounded to [K_MIN, K_MAX]: 36 points cannot tell "twice too wide" from "a
  quiet three years", and beyond 5 the model is wrong, not its spread.
- Why recent origins weigh more: measured on PBS (benchmarks/accuracy.py, ATC1 / ATC2, 80 %
  intervals of carecast's "auto", calibrated from its backtest before each origin), equal
  weights left the intervals a little short, because errors drift over time and because "auto"
  picks the method whose backtest errors were smallest, which flatters them. Coverage by
  RECENCY: 1.0 -> 0.759 / 0.760, 0.7 -> 0.769 / 0.775, 0.5 -> 0.780 / 0.781, 0.3 -> 0.780 /
  0.781 (uncalibrated: 0.624 / 0.691). 0.5 halves a point's say per horizon (a year) back.
- Paths: `calibrated = mean + k * (path - mean)` per month. Every later sum (a year, a domain,
  the total) is taken path by path, so the correction carries into annual totals and into the
  domain and total rows without a second step: a year's deviation from its mean scales by k too.
- Never negative, mean kept: where widening pushes values below 0, clipping them at 0 would lift
  the mean - the point forecast - of a series whose spread is large next to its level (on PBS
  ATC2 it raised one series' MASE from 2.7 to 5.2). So that month's values are shifted down by
  the one amount that makes the mean of the clipped values equal the model's mean again (solved
  exactly), then clipped: the point forecast stays the model's, the lower bound rests on 0, and
  the upper bound comes down by that shift. Without values below 0 nothing is shifted.
- Pooling: a category with fewer than MIN_POINTS usable held-out points gets the factor of all
  categories' scores together (scores are scale-free, so they pool). Twelve is one year of
  months: fewer than that leaves the 80 % quantile resting on one or two points.

One factor per category covers all horizons together: the backtest has too few points per step
to correct each horizon apart. Where the model's intervals grow more slowly with the horizon than
its errors do, the first months stay a little too wide and the last a little too narrow.

Year totals come out less well covered than months: 0.71 / 0.74 for "auto" on PBS, and only
0.42 / 0.55 for Prophet alone (uncalibrated 0.16 / 0.39). The monthly paths of most models -
Prophet's above all - vary more independently from month to month than real errors do, so a
year's sum of them is too narrow, and one factor per category cannot change that correlation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from models.forecast import SeriesForecast

if TYPE_CHECKING:
    from models.backtest import BacktestPoints

K_MIN = 0.5
K_MAX = 5.0
MIN_POINTS = 12
RECENCY = 0.5
POINT_COLUMNS = ("actual", "forecast", "lower", "upper", "sd")


def conformity_scores(points: np.ndarray | pl.DataFrame, interval: float) -> np.ndarray:
    """The score of each usable held-out point (see the module docstring), in input order."""
    return _scores(points, interval)[0]


def _scores(points: np.ndarray | pl.DataFrame, interval: float) -> tuple[np.ndarray, np.ndarray]:
    """(scores of the usable points, their weights by origin age)."""
    _check_interval(interval)
    actual, forecast, lower, upper, sd = _columns(points)
    age = _origin_age(points, actual.size)
    above = actual >= forecast
    reach = np.where(above, upper - forecast, forecast - lower)
    z = NormalDist().inv_cdf((1.0 + interval) / 2.0)
    with np.errstate(invalid="ignore"):
        reach = np.where(reach > 0.0, reach, z * sd)
        usable = np.isfinite(actual) & np.isfinite(forecast) & np.isfinite(reach) & (reach > 0.0)
    scores = np.abs(actual[usable] - forecast[usable]) / reach[usable]
    return np.asarray(scores, dtype=np.float64), RECENCY ** age[usable]


def calibration_factor(points: np.ndarray | pl.DataFrame, interval: float) -> float:
    """The factor k by which the paths' deviations from their mean should be scaled.

    `points` holds held-out points: a frame with columns actual, forecast, lower, upper, sd, or
    an array of shape (n, 5) in that column order. The model's interval in them must be at the
    level `interval`. A frame may say which backtest origin each point came from, by `k` (1 =
    the latest origin, as in `BacktestPoints`) or by an `origin` date; points without one weigh
    the same. No usable point: 1.0 (nothing to correct with).
    """
    return _factor(*_scores(points, interval), interval)


def calibration_factors(
    points: pl.DataFrame, interval: float, *, min_points: int = MIN_POINTS
) -> dict[str, float]:
    """A factor per category of `points` (column `category` plus the point columns).

    Categories with fewer than `min_points` usable points get the factor of all points pooled.
    """
    return {
        category: factor
        for category, (factor, _) in _factors(points, interval, min_points)[0].items()
    }


def _factors(
    points: pl.DataFrame, interval: float, min_points: int
) -> tuple[dict[str, tuple[float, bool]], float]:
    """({category: (factor, pooled?)}, the pooled factor)."""
    by_category = {
        str(key[0]): _scores(rows, interval)
        for key, rows in points.partition_by("category", as_dict=True, maintain_order=True).items()
    }
    pooled = _factor(
        np.concatenate([np.empty(0), *(s for s, _ in by_category.values())]),
        np.concatenate([np.empty(0), *(w for _, w in by_category.values())]),
        interval,
    )
    factors = {
        category: (_factor(scores, weights, interval), False)
        if scores.size >= min_points
        else (pooled, True)
        for category, (scores, weights) in by_category.items()
    }
    return factors, pooled


def calibrate_forecasts(
    forecasts: Sequence[SeriesForecast], interval: float, *, min_points: int = MIN_POINTS
) -> list[SeriesForecast]:
    """Each forecast with its paths scaled by its category's factor, learnt from its
    `backtest_points` (as `model="auto"` leaves them).

    Categories with fewer than `min_points` usable points - including those without a backtest
    (too short, or another model than "auto") - get the factor of all categories' points pooled;
    with no points anywhere nothing changes. Backtest points made at another interval level than
    `interval` have their bounds moved to it first, assuming a normal shape (z_target / z_made
    times the distance to the forecast). A changed forecast says so in its note.
    """
    frames = [
        _points_frame(f.category, f.backtest_points, interval)
        for f in forecasts
        if f.backtest_points is not None
    ]
    if not frames:
        return list(forecasts)
    factors, pooled = _factors(pl.concat(frames), interval, min_points)
    calibrated = []
    for forecast in forecasts:
        factor, shared = factors.get(forecast.category, (pooled, True))
        spread = forecast.paths.max(axis=0) > forecast.paths.min(axis=0)
        if factor == 1.0 or not spread.any():  # a zero-width interval stays one: nothing to scale
            calibrated.append(forecast)
            continue
        note = (
            f"interval scaled by {factor:.2f} to match the "
            f"{'pooled backtest of all categories' if shared else 'backtest'}"
        )
        calibrated.append(
            replace(
                forecast,
                paths=calibrate_paths(forecast.paths, factor),
                note=f"{forecast.note}; {note}" if forecast.note else note,
                calibration=factor,
            )
        )
    return calibrated


def calibrate_paths(paths: np.ndarray, factor: float) -> np.ndarray:
    """Scale each path's deviation from the per-month mean by `factor`; never below 0, the
    per-month mean kept (see the module docstring).

    `paths` has shape (n_samples, months) and holds no negative value. A factor of exactly 1
    returns an unchanged copy.
    """
    if not (math.isfinite(factor) and factor > 0.0):
        raise ValueError(f"factor must be a positive number, not {factor}")
    values = np.asarray(paths, dtype=np.float64)
    if factor == 1.0:
        return values.copy()
    mean = values.mean(axis=0)
    scaled = mean + factor * (values - mean)
    short = np.flatnonzero((scaled < 0.0).any(axis=0))
    if short.size:
        scaled[:, short] -= _shift(scaled[:, short], mean[short])
    result: np.ndarray = np.maximum(scaled, 0.0) + 0.0  # `+ 0.0`: no -0.0 reaches any output
    return result


def _shift(values: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Per column the shift t >= 0 with mean(max(values - t, 0)) == mean (mean >= 0).

    With the column sorted high to low (x_1 >= x_2 >= ...), for t between x_(j+1) and x_j the
    clipped mean is (x_1 + ... + x_j - j t) / n, so t = (x_1 + ... + x_j - n mean) / j for the
    j at which that t lies in its own interval (the clipped mean falls steadily with t).
    """
    n = values.shape[0]
    ordered = -np.sort(-values, axis=0)
    j = np.arange(1, n + 1, dtype=np.float64)[:, None]
    t = (np.cumsum(ordered, axis=0) - n * np.maximum(mean, 0.0)) / j
    below = np.vstack([ordered[1:], np.full((1, values.shape[1]), -np.inf)])
    valid = (t >= below) & (t <= ordered)
    first = valid.argmax(axis=0)  # a solution always exists: the clipped mean is continuous
    shift: np.ndarray = np.maximum(t[first, np.arange(values.shape[1])], 0.0)
    return shift


def _points_frame(category: str, points: BacktestPoints, interval: float) -> pl.DataFrame:
    """One category's backtest points as a frame, bounds moved to `interval` if needed."""
    lower, upper = points.lower, points.upper
    if points.interval != interval:
        ratio = NormalDist().inv_cdf((1.0 + interval) / 2.0) / NormalDist().inv_cdf(
            (1.0 + points.interval) / 2.0
        )
        lower = points.forecast + ratio * (lower - points.forecast)
        upper = points.forecast + ratio * (upper - points.forecast)
    return pl.DataFrame(
        {
            "category": [category] * int(points.actual.size),
            "actual": points.actual,
            "forecast": points.forecast,
            "lower": lower,
            "upper": upper,
            "sd": points.sd,
            "k": points.k,
        },
        schema={
            "category": pl.String,
            **dict.fromkeys(POINT_COLUMNS, pl.Float64),
            "k": pl.Int64,
        },
    )


def _factor(scores: np.ndarray, weights: np.ndarray, interval: float) -> float:
    """The weighted q-quantile with the +infinity point of weight 1 (module docstring), bounded."""
    if scores.size == 0:
        return 1.0
    order = np.argsort(scores, kind="stable")
    share = np.cumsum(weights[order]) / (float(weights.sum()) + 1.0)
    rank = int(np.searchsorted(share, interval - 1e-12))  # the first share >= interval
    k = float(scores[order[min(rank, scores.size - 1)]])
    return min(max(k, K_MIN), K_MAX)


def _origin_age(points: np.ndarray | pl.DataFrame, n: int) -> np.ndarray:
    """Origins back from the latest per point (0 = latest); all 0 when the points do not say."""
    if isinstance(points, pl.DataFrame):
        if "k" in points.columns:
            return points.get_column("k").cast(pl.Float64).to_numpy() - 1.0
        if "origin" in points.columns:
            rank = points.get_column("origin").rank("dense", descending=True)
            return rank.cast(pl.Float64).to_numpy() - 1.0
    return np.zeros(n)


def _columns(points: np.ndarray | pl.DataFrame) -> tuple[np.ndarray, ...]:
    if isinstance(points, pl.DataFrame):
        missing = [c for c in POINT_COLUMNS if c not in points.columns]
        if missing:
            raise ValueError(f"points lack column(s) {missing}")
        return tuple(
            points.get_column(c).cast(pl.Float64).fill_null(np.nan).to_numpy()
            for c in POINT_COLUMNS
        )
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != len(POINT_COLUMNS):
        raise ValueError(
            f"points must have shape (n, {len(POINT_COLUMNS)}) with columns "
            + ", ".join(POINT_COLUMNS)
            + f", not {array.shape}"
        )
    return tuple(array[:, i] for i in range(len(POINT_COLUMNS)))


def _check_interval(interval: float) -> None:
    if not 0.0 < interval < 1.0:
        raise ValueError(f"interval must lie strictly between 0 and 1, not {interval}")
