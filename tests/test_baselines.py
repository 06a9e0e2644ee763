"""The numpy baselines: seasonal naive, seasonal naive with drift, and damped Holt-Winters (ets)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

import models.baselines as baselines
from models.baselines import (
    ets_fit,
    ets_paths,
    month_from_index,
    month_index,
    seasonal_naive_paths,
    snaive_drift_paths,
)
from models.forecast import METHODS, method_paths

START = month_index(date(2019, 1, 1))
PATTERN = np.array([100, 120, 90, 300, 80, 110, 100, 95, 105, 130, 140, 400], dtype=np.float64)
BASELINES = {
    "seasonal-naive": seasonal_naive_paths,
    "snaive-drift": snaive_drift_paths,
    "ets": ets_paths,
}


def _months(count: int, start: int = START) -> list[date]:
    return [month_from_index(start + i) for i in range(count)]


def _future(count: int, after: int) -> list[date]:
    return _months(count, START + after)


def _trend_seasonal(count: int, noise: float = 0.0, seed: int = 5) -> np.ndarray:
    """Growth of 1 % a month times a +-20 % yearly pattern, plus optional noise."""
    t = np.arange(count)
    level = 10_000.0 * 1.01**t * (1.0 + 0.2 * np.sin(2 * np.pi * t / 12))
    return level + np.random.default_rng(seed).normal(0.0, noise, count)


@pytest.mark.parametrize("method", sorted(BASELINES))
def test_paths_have_the_right_shape_and_are_deterministic(method: str) -> None:
    values = _trend_seasonal(40, noise=150.0)
    make = BASELINES[method]
    future = _future(18, 40)
    first, _ = make(_months(40), values, future, 300, np.random.default_rng(1))
    again, _ = make(_months(40), values, future, 300, np.random.default_rng(1))
    other, _ = make(_months(40), values, future, 300, np.random.default_rng(2))
    assert first.shape == (300, 18) and first.dtype == np.float64
    assert first.tobytes() == again.tobytes()
    assert not np.array_equal(first, other)
    assert np.isfinite(first).all()


@pytest.mark.parametrize("method", METHODS[1:])
def test_method_paths_are_clipped_and_seeded(method: str) -> None:
    """A series falling towards zero: every method's paths stay at or above 0."""
    t = np.arange(36)
    values = np.linspace(4_000.0, 300.0, 36) + 200.0 * np.sin(2 * np.pi * t / 12)
    paths, _ = method_paths(method, _months(36), values, _future(24, 36), n_samples=200, seed=3)
    again, _ = method_paths(method, _months(36), values, _future(24, 36), n_samples=200, seed=3)
    assert paths.shape == (200, 24) and paths.min() >= 0.0 and not np.signbit(paths).any()
    assert paths.tobytes() == again.tobytes()


def test_seasonal_naive_mean_is_last_year_and_its_interval_includes_the_growth() -> None:
    """10 % growth a year: "same as last year" is 10 % too low, and its 80 % band must say so."""
    years = 6
    values = np.concatenate([PATTERN * 1.1**y for y in range(years)])
    values = values * (1 + np.random.default_rng(0).normal(0, 0.01, values.size))
    paths, note = seasonal_naive_paths(
        _months(values.size), values, _future(12, values.size), 4000, np.random.default_rng(0)
    )
    assert note is None
    last_year = values[-12:]
    assert paths.mean(axis=0) == pytest.approx(last_year, rel=0.01)
    truth = PATTERN * 1.1**years
    lower, upper = np.quantile(paths, [0.1, 0.9], axis=0)
    # the band reaches the 10 % growth (a centred bootstrap of the changes would stop near +2 %),
    # and the truth sits at its edge: "same as last year" errs by the growth
    assert (upper >= 0.97 * truth).all() and (lower <= last_year).all()
    assert (upper / last_year).min() > 1.07
    # a year's months move together: the annual total's band is as wide, relatively, as a
    # month's (independent months would make it about sqrt(12) times narrower)
    total_upper = np.quantile(paths.sum(axis=1), 0.9)
    assert total_upper >= 0.97 * truth.sum()


def test_snaive_drift_adds_the_mean_yearly_change() -> None:
    """An exact linear trend on a seasonal pattern with negative months (a correction booked, so
    additive): every year-over-year change is 12 x 50, the drift 600 a year, and no spread."""
    values = np.tile(PATTERN - 500.0, 3) + 50.0 * np.arange(36)
    paths, note = snaive_drift_paths(
        _months(36), values, _future(24, 36), 50, np.random.default_rng(0)
    )
    assert note is None
    expected = np.tile(PATTERN - 500.0, 2) + 50.0 * np.arange(36, 60)
    np.testing.assert_allclose(paths, np.broadcast_to(expected, (50, 24)), rtol=1e-12)


def test_snaive_drift_on_a_growing_positive_series() -> None:
    """Relative shocks, additive drift: the mean is last year plus the mean change in EUR."""
    values = _trend_seasonal(60, noise=100.0)
    paths, _ = snaive_drift_paths(
        _months(60), values, _future(12, 60), 4000, np.random.default_rng(0)
    )
    drift = float(np.mean(values[12:] - values[:-12]))
    assert paths.mean(axis=0) == pytest.approx(values[-12:] + drift, rel=0.02)
    truth = _trend_seasonal(72)[60:]
    naive = values[-12:]
    assert np.abs(paths.mean(axis=0) - truth).mean() < 0.5 * np.abs(naive - truth).mean()


def test_snaive_drift_with_a_single_difference_is_not_certain() -> None:
    values = np.concatenate([PATTERN, [PATTERN[0] + 60.0]])
    rng = np.random.default_rng(0)
    paths, _ = snaive_drift_paths(_months(13), values, _future(12, 13), 500, rng)
    assert (paths.std(axis=0) > 0).all()


def test_ets_tracks_a_trending_seasonal_series_better_than_seasonal_naive() -> None:
    values = _trend_seasonal(72, noise=100.0)
    truth = _trend_seasonal(84)[72:]
    ets, note = ets_paths(_months(72), values, _future(12, 72), 1000, np.random.default_rng(0))
    naive, _ = seasonal_naive_paths(
        _months(72), values, _future(12, 72), 1000, np.random.default_rng(0)
    )
    assert note is None
    ets_error = np.abs(ets.mean(axis=0) - truth).mean()
    naive_error = np.abs(naive.mean(axis=0) - truth).mean()
    assert ets_error < 0.3 * naive_error
    assert ets_error / truth.mean() < 0.03
    width = np.quantile(ets, 0.9, axis=0) - np.quantile(ets, 0.1, axis=0)
    assert width[-1] > width[0] > 0  # wider further ahead
    fit = ets_fit(_months(72), values)
    assert fit.log and fit.seasonal and 0.8 <= fit.phi <= 0.98


def test_ets_scale_and_seasonality_rules() -> None:
    values = _trend_seasonal(30, noise=50.0)
    with_zero = values.copy()
    with_zero[5] = 0.0
    assert ets_fit(_months(30), values).log
    assert not ets_fit(_months(30), with_zero).log  # a zero month: additive on the raw scale
    short = ets_fit(_months(20), values[:20])
    assert not short.seasonal and short.gamma == 0.0 and (short.season == 0).all()
    _, note = ets_paths(_months(20), values[:20], _future(6, 20), 10, np.random.default_rng(0))
    assert note == "less than 24 months: no yearly seasonality"


def test_ets_smoothing_equations_by_hand() -> None:
    """Two months of the filter, worked out by hand (no seasonality: s = 0)."""
    y = np.array([10.0, 13.0])
    params = np.array([[0.5, 0.2, 0.0, 0.9]])  # alpha, beta, gamma, phi
    level, trend, _, errors = baselines._ets_filter(y, 0, params, 8.0, 1.0, np.zeros(12))
    # month 1: forecast 8 + 0.9 * 1 = 8.9, error 1.1; level 8.9 + 0.55 = 9.45; trend 0.9 + 0.22
    # month 2: forecast 9.45 + 0.9 * 1.12 = 10.458, error 2.542; level 10.458 + 1.271;
    #          trend 1.008 + 0.5084
    np.testing.assert_allclose(errors[0], [1.1, 2.542])
    assert level[0] == pytest.approx(11.729)
    assert trend[0] == pytest.approx(1.5164)


def test_ets_grid_choice_is_the_smallest_sse_and_gaps_are_not_zeros() -> None:
    values = _trend_seasonal(48, noise=120.0)
    fit = ets_fit(_months(48), values)
    log_values = np.log(values)
    level0, trend0, season0 = baselines._initial_states(log_values, START, True)
    others = np.array([[0.1, 0.01, 0.05, 0.9], [0.5, 0.1, 0.2, 0.95], [0.9, 0.0, 0.0, 0.8]])
    _, _, _, errors = baselines._ets_filter(log_values, START, others, level0, trend0, season0)
    assert fit.sse <= (errors**2).sum(axis=1).min()
    assert fit.sse == pytest.approx((fit.residuals**2).sum())
    # a missing month is skipped, not read as 0: the fit stays close to the complete one
    months = _months(48)
    gap = [m for i, m in enumerate(months) if i != 30]
    gapped = ets_fit(gap, np.delete(values, 30))
    assert gapped.residuals.size == 47
    assert gapped.level == pytest.approx(fit.level, abs=0.05)


def test_ets_guards_against_a_level_shift() -> None:
    """A tenfold jump late in the history must not make paths explode on the log scale."""
    values = np.concatenate([np.full(28, 1_000.0), np.full(8, 10_000.0)])
    values = values * (1 + np.random.default_rng(1).normal(0, 0.05, 36))
    paths, _ = ets_paths(_months(36), values, _future(60, 36), 500, np.random.default_rng(0))
    assert np.isfinite(paths).all()
    assert paths.max() <= 10 * values.max() * (1 + 1e-9)
    assert paths.mean() < 3 * values[-8:].mean()
