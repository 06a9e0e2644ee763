"""Forecasters that need nothing but numpy: the fallbacks and the baselines beside Prophet.

Each returns sample paths of shape (n_samples, horizon) in the same form as the Prophet adapter,
so annual sums and intervals are computed the same way whatever the model. The paths are not
clipped here; `models.forecast` clips every model's paths at 0 in one place. All are cheap
(milliseconds per series) and deterministic given the generator.

- `constant_paths`: every path equals the constant (a zero-width interval). Used for constant
  series, including all-zero ones, where a fitted model would only produce noise (FK-17).
- `recent_mean_paths`: level = mean of the last up to 12 months; paths = level plus residuals of
  those months drawn with replacement, independently per month. Below 3 months there is nothing
  to draw from that means anything, so the paths are the level itself.
- `seasonal_naive_paths` ("seasonal-naive"): each month repeats the latest observed value of the
  same calendar month (for a month never observed, the mean of the last 12 observations).
  Uncertainty: a seasonal random walk whose yearly steps are past year-over-year changes (see
  `_seasonal_walk`), with a random sign so that the mean stays at last year's value while the
  spread includes the growth that "same as last year" misses.
- `snaive_drift_paths` ("snaive-drift"): the same plus the mean year-over-year difference per year
  ahead (the drift), with the drift's own estimation error in the spread.
- `ets_paths` ("ets"): damped additive Holt-Winters with yearly seasonality, on the log scale for
  positive series; parameters by a grid search on the one-step-ahead errors (`ets_fit`), paths by
  running the state equations with bootstrapped errors.

Measured on PBS Cost per ATC1 (15 series, 3 origins x 12 months; `benchmarks/methods_pbs.py`):
mean MASE / 80 % coverage: seasonal-naive 1.55 / 84 %, snaive-drift 1.52 / 77 %, ets 1.23 / 79 %
(Prophet 1.63 / 47 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

RECENT_MONTHS = 12
MIN_MONTHS_FOR_INTERVAL = 3
MIN_BLOCKS = 3  # past years needed before seasonal naive draws whole years of changes


def month_index(month: date) -> int:
    """Months since year 0, so month arithmetic is plain integer arithmetic."""
    return month.year * 12 + month.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def constant_paths(value: float, horizon: int, n_samples: int) -> np.ndarray:
    return np.full((n_samples, horizon), float(value), dtype=np.float64)


def recent_mean_paths(
    values: np.ndarray, horizon: int, n_samples: int, rng: np.random.Generator
) -> tuple[np.ndarray, str | None]:
    """Level of the last up to 12 months plus bootstrapped residuals; returns (paths, note)."""
    recent = np.asarray(values, dtype=np.float64)[-RECENT_MONTHS:]
    level = float(recent.mean())
    if recent.size < MIN_MONTHS_FOR_INTERVAL:
        return constant_paths(level, horizon, n_samples), "too little history for an interval"
    residuals = recent - level
    draws = rng.choice(residuals, size=(n_samples, horizon), replace=True)
    return level + draws, None


def seasonal_naive_paths(
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str | None]:
    """Last year's same month, with a bootstrap of year-over-year differences; (paths, note).

    `months` must be distinct and ascending; `future` consecutive months after the last of them.
    """
    return _seasonal_walk(months, values, future, n_samples, rng, drift=False)


def snaive_drift_paths(
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str | None]:
    """Seasonal naive plus the mean year-over-year change per year ahead; (paths, note)."""
    return _seasonal_walk(months, values, future, n_samples, rng, drift=True)


def _seasonal_walk(
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    n_samples: int,
    rng: np.random.Generator,
    *,
    drift: bool,
) -> tuple[np.ndarray, str | None]:
    """Seasonal random walk (with drift when asked) from the latest value of each calendar month.

    Year-over-year changes are relative (y_t / y_(t-12) - 1) when the series is positive (see
    `multiplicative`), so the changes of years with a lower level do not understate today's
    spread, and absolute otherwise. The shock of a forecast year is the change of one past year,
    calendar month by calendar month (a block of 12 consecutive months, drawn per path and year):
    months of one year move together as they do in reality, which keeps annual intervals honest.
    Where a block lacks a month, that month gets a change drawn from all changes.

    Without drift the shocks keep their size but get a random sign per path and year: the mean of
    the paths stays at last year's value while the spread is that of the real error of "same as
    last year", growth included (centring the changes would hide the growth that seasonal naive
    misses). With drift the mean year-over-year difference in EUR is added every year and the
    shocks are centred.
    """
    index = np.array([month_index(m) for m in months], dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    first = int(index[0])
    notes: list[str] = []

    latest: dict[int, int] = {}  # calendar month (0..11) -> position of its latest observation
    for position, month in enumerate(index):
        latest[int(month) % 12] = position
    recent_level = float(y[-RECENT_MONTHS:].mean())
    if len(latest) < 12:
        notes.append("some calendar months never observed: recent mean used for them")

    relative = multiplicative(y)
    grid = np.full(int(index[-1]) - first + 1, np.nan)
    grid[index - first] = y
    # changes[j] belongs to month first + 12 + j
    changes = grid[12:] / grid[:-12] - 1.0 if relative else grid[12:] - grid[:-12]
    pool = changes[np.isfinite(changes)]
    if pool.size == 0:
        notes.append("too little history for an interval" + (" or a drift" if drift else ""))
        pool = np.zeros(1, dtype=np.float64)
    # the drift in EUR per year: the mean of the year-over-year differences (in percent it is
    # dominated by the fast growth of small early years: measured worse on PBS)
    differences = grid[12:] - grid[:-12]
    differences = differences[np.isfinite(differences)]
    step = float(differences.mean()) if drift and differences.size else 0.0
    # the drift is an estimate from few years: its standard error (months of one year are not
    # independent, so the count is in years) widens each path's own drift. One difference says
    # nothing about its own uncertainty, so then the drift itself is the error.
    drift_error = 0.0
    if drift and differences.size > 1:
        drift_error = float(differences.std()) / np.sqrt(max(1.0, differences.size / 12))
    elif drift:
        drift_error = abs(step)

    horizon = len(future)
    shocks = _year_blocks(changes, pool, first, month_index(future[0]), horizon, n_samples, rng)
    extra = pool - pool.mean() if drift else pool
    years = -(-horizon // 12)
    signs = (
        np.ones((n_samples, years))
        if drift
        else rng.choice(np.array([-1.0, 1.0]), size=(n_samples, years))
    )
    shocks = (shocks - (pool.mean() if drift else 0.0)) * np.repeat(signs, 12, axis=1)[:, :horizon]
    path_step = step + drift_error * rng.standard_normal(n_samples) if drift_error else step

    paths = np.empty((n_samples, horizon), dtype=np.float64)
    for h, month in enumerate(future):
        if h >= 12:
            # the same calendar month one year earlier is already a path value
            base, steps = paths[:, h - 12], 1
        else:
            target = month_index(month)
            anchor = latest.get(target % 12)
            if anchor is None:
                base, steps = np.full(n_samples, recent_level), 1
            else:
                base = np.full(n_samples, y[anchor])
                steps = (target - int(index[anchor])) // 12
        # a gap before the forecast: the steps before the last get independent changes
        more = None
        if steps > 1:
            more = rng.choice(extra, size=(n_samples, steps - 1))
            if not drift:
                more = more * rng.choice(np.array([-1.0, 1.0]), size=more.shape)
        if relative:
            factor = 1.0 + shocks[:, h]
            if more is not None:
                factor = factor * np.prod(1.0 + more, axis=1)
            paths[:, h] = base * factor + steps * path_step
        else:
            total = shocks[:, h]
            if more is not None:
                total = total + more.sum(axis=1)
            paths[:, h] = base + steps * path_step + total
    note = "; ".join(notes) if notes else None
    return paths, note


def _year_blocks(
    changes: np.ndarray,
    pool: np.ndarray,
    first: int,
    start: int,
    horizon: int,
    n_samples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Per path and forecast year, the changes of one past year aligned by calendar month.

    With fewer than MIN_BLOCKS whole past years every month is drawn on its own from all changes:
    one or two years to choose from would make most paths the same. `changes[j]` is the change of
    month first + 12 + j (NaN if unknown); `start` the month index of the first forecast month.
    Returns (n_samples, horizon), uncentred.
    """
    years = -(-horizon // 12)
    offset = (start - first - 12) % 12  # the first j in the calendar month of `start`
    starts = np.arange(offset, changes.size - 11, 12)  # whole past years only
    drawn = np.full((n_samples, years * 12), np.nan)
    if starts.size >= MIN_BLOCKS:
        chosen = rng.choice(starts, size=(n_samples, years))
        positions = (chosen[:, :, None] + np.arange(12)).reshape(n_samples, years * 12)
        drawn = changes[positions]
    drawn = drawn[:, :horizon]
    missing = ~np.isfinite(drawn)
    if missing.any():
        drawn[missing] = rng.choice(pool, size=int(missing.sum()))
    return drawn


# --------------------------------------------------------------------------- exponential smoothing

SEASON = 12
MIN_MONTHS_SEASONAL = 24
# The parameter grid searched for the one-step-ahead SSE (see `ets_fit`). Small values first, so a
# tie goes to the smoother model. beta <= alpha and gamma <= 1 - alpha are enforced (the usual
# admissible region of the error-correction form).
ETS_ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9)
ETS_BETAS = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)
ETS_GAMMAS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
ETS_PHIS = (0.8, 0.9, 0.95, 0.98)
# log scale only when the smallest month is at least this share of the median: one month with
# almost nothing (credit notes netting out) would otherwise dominate the fit on the log scale.
LOG_MIN_SHARE = 0.01
# Simulation guards (see `ets_paths`): errors beyond this many robust standard deviations
# (1.4826 MAD) are clipped, and log-scale paths stop at this multiple of the largest month.
WINSOR_MADS = 3.0
LOG_CAP_FACTOR = 10.0


def multiplicative(values: np.ndarray) -> bool:
    """Model changes in percent: every month positive and none below LOG_MIN_SHARE of the median."""
    y = np.asarray(values, dtype=np.float64)
    return bool((y > 0).all()) and float(y.min()) >= LOG_MIN_SHARE * float(np.median(y))


@dataclass(frozen=True)
class EtsFit:
    """A fitted damped additive Holt-Winters model (on the log scale when `log`).

    States are those after the last month `last` (a month index): `level`, `trend`, and `season`
    indexed by calendar month (0 = January). `residuals` are the one-step-ahead errors of the
    observed months on the model's scale.
    """

    alpha: float
    beta: float
    gamma: float
    phi: float
    log: bool
    seasonal: bool
    last: int
    level: float
    trend: float
    season: np.ndarray
    residuals: np.ndarray
    sse: float
    top: float  # the largest month on the model's scale


def ets_fit(months: Sequence[date], values: np.ndarray) -> EtsFit:
    """Fit damped additive Holt-Winters by a grid search on the one-step-ahead SSE.

    Model (error-correction form, one season of 12 months, m = month, c = its calendar month):

        forecast  f_m = l + phi * b + s[c]
        error     e_m = y_m - f_m
        update    l <- l + phi*b + alpha*e,  b <- phi*b + beta*e,  s[c] <- s[c] + gamma*e

    y is log(amount) when every month is positive (and none tiny, `LOG_MIN_SHARE`), which makes
    trend and seasonality multiplicative in effect - spending grows by percentages; otherwise the
    raw amounts. Fewer than 24 observed months: no seasonality (s stays 0, gamma 0), because one
    year cannot separate a seasonal pattern from noise.

    Initial states come from the first two years (classical decomposition): level and trend from
    the two yearly means, seasonal indices from the detrended months averaged over both years and
    centred. Without seasonality the "years" are the first two blocks of min(12, n // 2) months.

    All (alpha, beta, gamma, phi) in the fixed grid ETS_* are filtered at once (numpy, one pass over
    the months with a vector per parameter set) and the set with the smallest SSE wins; ties go to
    the first in grid order. A missing month has no error: its states are carried forward.
    """
    y_obs = np.asarray(values, dtype=np.float64)
    first = month_index(months[0])
    positions = np.array([month_index(m) - first for m in months], dtype=np.int64)
    return _ets_fit_scale(y_obs, positions, first, log=multiplicative(y_obs))


def _ets_fit_scale(y_obs: np.ndarray, positions: np.ndarray, first: int, *, log: bool) -> EtsFit:
    """`ets_fit` on one scale (log or raw)."""
    y = np.full(int(positions[-1]) + 1, np.nan)
    y[positions] = np.log(y_obs) if log else y_obs
    seasonal = y_obs.size >= MIN_MONTHS_SEASONAL

    level0, trend0, season0 = _initial_states(y, first, seasonal)
    grid = np.array(
        [
            (a, b, g, p)
            for a in ETS_ALPHAS
            for b in ETS_BETAS
            for g in (ETS_GAMMAS if seasonal else (0.0,))
            for p in ETS_PHIS
            if b <= a and g <= 1.0 - a
        ],
        dtype=np.float64,
    )
    _, _, _, errors = _ets_filter(y, first, grid, level0, trend0, season0)
    sse = np.nansum(errors**2, axis=1)
    sse[~np.isfinite(sse)] = np.inf
    best = int(np.argmin(sse))
    params = grid[best : best + 1]
    level, trend, season, chosen = _ets_filter(y, first, params, level0, trend0, season0)
    residuals = chosen[0][np.isfinite(chosen[0])]
    alpha, beta, gamma, phi = (float(x) for x in params[0])
    return EtsFit(
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        phi=phi,
        log=log,
        seasonal=seasonal,
        last=first + int(positions[-1]),
        level=float(level[0]),
        trend=float(trend[0]),
        season=season[0].copy(),
        residuals=residuals,
        sse=float(sse[best]),
        top=float(np.nanmax(y)),
    )


def _initial_states(y: np.ndarray, first: int, seasonal: bool) -> tuple[float, float, np.ndarray]:
    """Level (one month before the first), trend and seasonal indices from the first two years."""
    period = SEASON if seasonal else max(1, min(SEASON, y.size // 2))
    block1, block2 = y[:period], y[period : 2 * period]
    mean1 = float(np.nanmean(block1)) if np.isfinite(block1).any() else float(np.nanmean(y))
    mean2 = float(np.nanmean(block2)) if np.isfinite(block2).any() else mean1
    trend = (mean2 - mean1) / period
    # block 1's mean sits at its middle month (period - 1) / 2; the state is one month earlier
    level = mean1 - (period + 1) / 2 * trend
    season = np.zeros(SEASON, dtype=np.float64)
    if seasonal:
        t = np.arange(2 * period, dtype=np.float64)
        detrended = y[: 2 * period] - (mean1 + (t - (period - 1) / 2) * trend)
        by_month = detrended.reshape(2, SEASON)
        counts = np.isfinite(by_month).sum(axis=0)
        sums = np.nansum(by_month, axis=0)
        indices = np.divide(sums, counts, out=np.zeros(SEASON), where=counts > 0)
        indices -= indices[counts > 0].mean() if (counts > 0).any() else 0.0
        # position t of the history is calendar month (first + t) % 12
        season[(first + np.arange(SEASON)) % SEASON] = indices
    return level, trend, season


def _ets_filter(
    y: np.ndarray,
    first: int,
    params: np.ndarray,
    level0: float,
    trend0: float,
    season0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the smoothing equations for K parameter sets at once: final (level, trend, season)
    and the one-step errors, shape (K, months), NaN where a month is missing."""
    alpha, beta, gamma, phi = (params[:, j] for j in range(4))
    count = params.shape[0]
    level = np.full(count, level0)
    trend = np.full(count, trend0)
    season = np.tile(season0, (count, 1))
    errors = np.full((count, y.size), np.nan)
    for t, value in enumerate(y):
        c = (first + t) % SEASON
        damped = phi * trend
        base = level + damped
        if np.isnan(value):
            level, trend = base, damped
            continue
        error = value - (base + season[:, c])
        errors[:, t] = error
        level = base + alpha * error
        trend = damped + beta * error
        season[:, c] += gamma * error
    return level, trend, season, errors


def ets_paths(
    months: Sequence[date],
    values: np.ndarray,
    future: Sequence[date],
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str | None]:
    """Sample paths of the fitted `ets_fit` model; (paths, note).

    Each path runs the state equations forward with one-step errors drawn with replacement from
    the model's own centred in-sample errors (after its first year, whose errors are flattered
    by initial states estimated from those same months), scaled up by sqrt(n / (n - p)) for the
    p = 17 (6 without seasonality) fitted values, which matters for short histories. Because
    the level, trend and season absorb each drawn error, the paths spread further with every
    month ahead, and a year's months move together as they do in reality. On the log scale the
    paths are exponentiated, so the mean of the paths (the point forecast) includes the
    lognormal-type upward correction.

    Two guards against compounding on the log scale: errors beyond WINSOR_MADS robust standard
    deviations from their median are clipped before drawing, and log-scale paths are capped at
    LOG_CAP_FACTOR times the largest month of the history.
    """
    fit = ets_fit(months, values)
    pool = fit.residuals[SEASON:] if fit.residuals.size >= 2 * SEASON else fit.residuals
    if pool.size > 4:
        # a level shift leaves one huge error; drawn again and again and compounded through the
        # trend on the log scale it made absurd paths (PBS ATC2: a mean 1e5 times the truth)
        middle = float(np.median(pool))
        spread = WINSOR_MADS * 1.4826 * float(np.median(np.abs(pool - middle)))
        if spread > 0:
            pool = np.clip(pool, middle - spread, middle + spread)
    pool = pool - pool.mean() if pool.size else np.zeros(1)
    # in-sample errors understate out-of-sample ones by the fitted degrees of freedom: 4
    # parameters, level and trend, 11 free seasonal indices (the classical sqrt(n / (n - p)))
    n = fit.residuals.size
    fitted = 4 + 2 + (SEASON - 1 if fit.seasonal else 0)
    pool = pool * np.sqrt(n / max(n - fitted, 1))
    steps = month_index(future[-1]) - fit.last
    draws = rng.choice(pool, size=(n_samples, steps))
    level = np.full(n_samples, fit.level)
    trend = np.full(n_samples, fit.trend)
    season = np.tile(fit.season, (n_samples, 1))
    out = np.empty((n_samples, steps), dtype=np.float64)
    for h in range(steps):
        c = (fit.last + 1 + h) % SEASON
        damped = fit.phi * trend
        base = level + damped
        error = draws[:, h]
        out[:, h] = base + season[:, c] + error
        level = base + fit.alpha * error
        trend = damped + fit.beta * error
        season[:, c] += fit.gamma * error
    columns = [month_index(m) - fit.last - 1 for m in future]
    paths = out[:, columns]
    if fit.log:
        paths = np.exp(np.minimum(paths, fit.top + np.log(LOG_CAP_FACTOR)))
    note = None if fit.seasonal else "less than 24 months: no yearly seasonality"
    return paths, note
