"""The Prophet adapter's settings: measured defaults, the speedups' bit-identity with stock Prophet
for every setting, the log option with its fallback, and the Dutch policy breaks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from models.baselines import month_from_index, month_index

prophet_model = pytest.importorskip("models.prophet_model")


def _months(first: date, count: int) -> list[date]:
    start = month_index(first)
    return [month_from_index(start + i) for i in range(count)]


def _series(count: int, seed: int = 3) -> np.ndarray:
    """Monthly spend with a rising level and a seasonal swing that grows with it."""
    t = np.arange(count)
    level = 50_000.0 + 400.0 * t
    noise = np.random.default_rng(seed).normal(0.0, 800.0, count)
    return level * (1.0 + 0.15 * np.sin(2 * np.pi * t / 12)) + noise


def _prophet_grid(months: list[date], changepoint_range: float) -> list[date]:
    """The changepoints stock Prophet places itself on this history."""
    import pandas as pd
    from prophet import Prophet

    model = Prophet(changepoint_range=changepoint_range)
    frame = pd.DataFrame({"ds": pd.to_datetime(months), "y": 1.0})
    model.history = model.setup_dataframe(frame, initialize_scales=True)
    model.set_changepoints()
    return [stamp.date() for stamp in model.changepoints]


def test_defaults_are_the_measured_settings() -> None:
    assert prophet_model.SEASONALITY == "multiplicative"
    assert prophet_model.CHANGEPOINT_PRIOR_SCALE == 0.2
    assert prophet_model.FOURIER_ORDER == 10
    assert prophet_model.CHANGEPOINT_RANGE == 0.95


@pytest.mark.parametrize(
    ("first", "settings"),
    [
        (date(2016, 1, 1), {}),  # the defaults, no break spanned
        (date(2016, 1, 1), {"seasonality": "additive", "changepoint_prior_scale": 0.05}),
        (date(2016, 1, 1), {"seasonality": "log", "fourier_order": 3}),
        (date(2019, 1, 1), {}),  # spans 2023-01: explicit changepoints
        (date(2019, 1, 1), {"changepoint_range": 0.8, "policy_breaks": ()}),
    ],
)
def test_speedups_give_the_same_bytes_as_stock_prophet_for_every_setting(
    first: date, settings: dict[str, object]
) -> None:
    months = _months(first, 60)
    values = _series(60)
    future = _months(month_from_index(month_index(months[-1]) + 1), 6)
    fast = prophet_model.prophet_paths(
        months, values, future, yearly=True, n_samples=50, seed=4, **settings
    )
    stock = prophet_model.prophet_paths(
        months, values, future, yearly=True, n_samples=50, seed=4, speedups=False, **settings
    )
    assert fast.shape == (50, 6)
    assert fast.tobytes() == stock.tobytes()


def test_policy_breaks_are_added_to_prophets_own_changepoints() -> None:
    months = _months(date(2003, 1, 1), 252)  # 2003-01 .. 2023-12: Prophet's grid ends 2022-11
    grid = _prophet_grid(months, prophet_model.CHANGEPOINT_RANGE)
    chosen = prophet_model.changepoints(months)
    assert max(grid) < date(2023, 1, 1)
    assert chosen == sorted([*grid, date(2015, 1, 1), date(2023, 1, 1)])
    inside = _months(date(2019, 1, 1), 72)  # a break on the grid is not doubled
    both = prophet_model.changepoints(inside)
    assert both is not None and len(set(both)) == len(both) and date(2023, 1, 1) in both
    assert set(both) - {date(2023, 1, 1)} <= set(_prophet_grid(inside, 0.95))
    assert prophet_model.changepoints(inside, ()) is None


@pytest.mark.parametrize(
    ("first", "count"),
    [
        (date(2016, 1, 1), 60),  # spans no break
        (date(2015, 1, 1), 60),  # starts on the break: nothing before it to bend from
        (date(2021, 1, 1), 30),  # 2023-01 lies in the last 20 %: too little after it
    ],
)
def test_no_break_where_the_history_does_not_span_one(first: date, count: int) -> None:
    assert prophet_model.changepoints(_months(first, count)) is None


def test_breaks_follow_gaps_like_prophet_does() -> None:
    """Prophet places its grid by row, not by calendar: so does the reproduction."""
    months = [m for i, m in enumerate(_months(date(2019, 1, 1), 72)) if i % 7 != 3]
    chosen = prophet_model.changepoints(months)
    assert chosen is not None
    grid = _prophet_grid(months, prophet_model.CHANGEPOINT_RANGE)
    assert sorted(set(chosen) - {date(2023, 1, 1)}) == sorted(set(grid) - {date(2023, 1, 1)})


def test_a_break_lets_the_trend_bend_there() -> None:
    """Flat for twenty years, then rising from 2023-01, after Prophet's last own changepoint:
    with the break the forecast follows the new slope."""
    months = _months(date(2003, 1, 1), 252)
    t = np.arange(252)
    values = 100_000.0 + np.where(t >= 240, 1_500.0 * (t - 240), 0.0)
    values += np.random.default_rng(5).normal(0.0, 500.0, 252)
    future = _months(date(2024, 1, 1), 12)
    truth = 100_000.0 + 1_500.0 * (np.arange(252, 264) - 240)
    errors = []
    for breaks in (prophet_model.POLICY_BREAKS, ()):
        paths = prophet_model.prophet_paths(
            months, values, future, yearly=False, n_samples=200, seed=1, policy_breaks=breaks
        )
        errors.append(np.abs(paths.mean(axis=0) - truth).mean())
    assert errors[0] < 0.5 * errors[1]


def test_log_falls_back_to_multiplicative_when_a_month_is_not_positive() -> None:
    months = _months(date(2016, 1, 1), 48)
    values = _series(48)
    values[5] = 0.0
    future = _months(date(2020, 1, 1), 3)
    logged = prophet_model.prophet_paths(
        months, values, future, yearly=True, n_samples=30, seed=2, seasonality="log"
    )
    multiplicative = prophet_model.prophet_paths(
        months, values, future, yearly=True, n_samples=30, seed=2, seasonality="multiplicative"
    )
    assert logged.tobytes() == multiplicative.tobytes()
    positive = prophet_model.prophet_paths(
        months, _series(48), future, yearly=True, n_samples=30, seed=2, seasonality="log"
    )
    assert (positive > 0).all()
