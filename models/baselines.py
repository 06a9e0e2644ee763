"""Simple forecasters that need nothing but numpy: the fallbacks and the explicit baseline.

Each returns sample paths of shape (n_samples, horizon) in the same form as the Prophet adapter,
so annual sums and intervals are computed the same way whatever the model. The paths are not
clipped here; `models.forecast` clips every model's paths at 0 in one place.

- `constant_paths`: every path equals the constant (a zero-width interval). Used for constant
  series, including all-zero ones, where a fitted model would only produce noise (FK-17).
- `recent_mean_paths`: level = mean of the last up to 12 months; paths = level plus residuals of
  those months drawn with replacement, independently per month. Below 3 months there is nothing
  to draw from that means anything, so the paths are the level itself.
- `seasonal_naive_paths`: each month repeats the latest observed value of the same calendar month
  (for a month never observed, the mean of the last 12 observations). Uncertainty is a seasonal
  random walk: every year-step adds one year-over-year difference drawn with replacement from the
  history, centred so that the mean of the paths stays at the seasonal-naive point forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

RECENT_MONTHS = 12
MIN_MONTHS_FOR_INTERVAL = 3


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
    observed = {month_index(m): float(v) for m, v in zip(months, values, strict=True)}
    notes: list[str] = []

    latest: dict[int, int] = {}  # calendar month (0..11) -> index of its latest observation
    for index in sorted(observed):
        latest[index % 12] = index
    recent_level = float(np.mean([observed[i] for i in sorted(observed)[-RECENT_MONTHS:]]))
    if len(latest) < 12:
        notes.append("some calendar months never observed: recent mean used for them")

    diffs = np.array(
        [observed[i] - observed[i - 12] for i in sorted(observed) if i - 12 in observed],
        dtype=np.float64,
    )
    if diffs.size == 0:
        notes.append("too little history for an interval")
        centred = np.zeros(1, dtype=np.float64)
    else:
        centred = diffs - diffs.mean()

    horizon = len(future)
    paths = np.empty((n_samples, horizon), dtype=np.float64)
    for h, month in enumerate(future):
        if h >= 12:
            # the same calendar month one year earlier is already a path value
            paths[:, h] = paths[:, h - 12] + rng.choice(centred, size=n_samples)
            continue
        index = month_index(month)
        anchor = latest.get(index % 12)
        if anchor is None:
            base, steps = recent_level, 1
        else:
            base, steps = observed[anchor], (index - anchor) // 12
        step_draws = rng.choice(centred, size=(n_samples, steps))
        paths[:, h] = base + step_draws.sum(axis=1)
    note = "; ".join(notes) if notes else None
    return paths, note
