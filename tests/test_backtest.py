"""Rolling-origin backtests: the metrics by hand, where the origins fall, and that no fit peeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl
import pytest

import models.backtest as backtest_module
from models.backtest import (
    backtest,
    coverage,
    mase,
    mase_scale,
    origin_months,
    smape,
)
from models.baselines import month_from_index, month_index
from models.forecast import METHODS, FittedPaths, fit_method

END = date(2024, 12, 1)  # the last month of every test series
BASELINES = ("seasonal-naive", "snaive-drift", "ets")


def _series(count: int, seed: int = 0) -> np.ndarray:
    t = np.arange(count)
    noise = np.random.default_rng(seed).normal(0.0, 300.0, count)
    return 20_000.0 + 150.0 * t + 3_000.0 * np.sin(2 * np.pi * t / 12) + noise


def _frame(series: dict[str, np.ndarray]) -> pl.DataFrame:
    rows = []
    for name, values in series.items():
        start = month_index(END) - len(values) + 1
        rows += [(name, month_from_index(start + i), float(v)) for i, v in enumerate(values)]
    return pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    )


# --------------------------------------------------------------------------- metrics by hand


def test_mase_scale_by_hand() -> None:
    # fewer than 13 months: lag-1 naive, |12-10|, |11-12|, |15-11|, |14-15| -> 8 / 4
    assert mase_scale(np.array([10.0, 12.0, 11.0, 15.0, 14.0])) == 2.0
    # 14 months: seasonal pairs (12, 0) and (13, 1): |13 - 10| and |15 - 10| -> 4
    training = np.array([10.0] * 12 + [13.0, 15.0])
    assert mase_scale(training) == 4.0
    # a missing month (NaN) drops its pair
    gapped = training.copy()
    gapped[12] = np.nan
    assert mase_scale(gapped) == 5.0
    assert mase_scale(np.array([7.0])) is None
    assert mase_scale(np.full(15, 3.0)) == 0.0


def test_mase_by_hand() -> None:
    actual, forecast = np.array([13.0, 16.0, 12.0]), np.array([14.0, 14.0, 14.0])
    # errors 1, 2, 2: mean 5/3, scaled by 2
    assert mase(actual, forecast, 2.0) == pytest.approx(5 / 6)
    # two origins, each with its own scale: 1/2, 2/2, 2/4
    assert mase(actual, forecast, np.array([2.0, 2.0, 4.0])) == pytest.approx((0.5 + 1 + 0.5) / 3)
    # a zero scale (training repeated itself exactly) has no MASE; its points are left out
    assert mase(actual, forecast, 0.0) is None
    assert mase(actual, forecast, None) is None
    assert mase(actual, forecast, np.array([0.0, 2.0, np.nan])) == pytest.approx(1.0)


def test_smape_by_hand() -> None:
    actual = np.array([100.0, 0.0, 50.0, 0.0])
    forecast = np.array([80.0, 0.0, 100.0, 10.0])
    # 200*20/180, 0 (both zero), 200*50/150, 200*10/10
    expected = (4000 / 180 + 0.0 + 10000 / 150 + 200.0) / 4
    assert smape(actual, forecast) == pytest.approx(expected)
    assert smape(np.array([5.0]), np.array([5.0])) == 0.0


def test_coverage_by_hand() -> None:
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    lower = np.array([0.0, 2.0, 3.5, 5.0])
    upper = np.array([1.0, 3.0, 4.0, 6.0])
    assert coverage(actual, lower, upper) == 0.5  # bounds count as inside


# --------------------------------------------------------------------------- origins


def test_origins_are_spaced_a_horizon_apart_from_the_end() -> None:
    assert origin_months(date(2024, 12, 1), 3, 12) == [
        date(2023, 12, 1),
        date(2022, 12, 1),
        date(2021, 12, 1),
    ]
    assert origin_months(date(2024, 3, 1), 2, 6) == [date(2023, 9, 1), date(2023, 3, 1)]


@pytest.fixture(scope="module")
def result() -> backtest_module.BacktestResult:
    frame = _frame({"A": _series(60), "B": _series(30, seed=1), "C": _series(44, seed=2)})
    return backtest(frame, methods=BASELINES, n_samples=300, seed=1)


def test_points_sit_after_their_origin_and_hold_the_actuals(
    result: backtest_module.BacktestResult,
) -> None:
    points = result.points
    a = points.filter((pl.col("category") == "A") & (pl.col("method") == "ets"))
    assert a.height == 36
    assert sorted(set(a["origin"].to_list())) == [
        date(2021, 12, 1), date(2022, 12, 1), date(2023, 12, 1)
    ]
    for origin, month, h in a.select("origin", "month", "h").iter_rows():
        assert month_index(month) - month_index(origin) == h and 1 <= h <= 12
    truth = dict(zip(_frame({"A": _series(60)})["month"], _series(60), strict=True))
    assert all(truth[m] == v for m, v in a.select("month", "actual").iter_rows())
    assert (a["lower"] <= a["forecast"]).all() and (a["forecast"] <= a["upper"]).all()
    # B: 30 months, so only 18 before the latest origin: skipped, with the reason
    assert result.skipped == (
        ("B", "only 18 months up to the latest origin 2023-12, 24 needed"),
    )
    # C: 44 months: the latest origin has 32 months before it, the next only 20 (dropped)
    c = result.summary.filter(pl.col("category") == "C")
    assert c["n_origins"].to_list() == [1, 1, 1] and c["n_points"].to_list() == [12, 12, 12]


def test_summary_and_years_follow_from_the_points(result: backtest_module.BacktestResult) -> None:
    points = result.points.filter((pl.col("category") == "A") & (pl.col("method") == "ets"))
    # the scale of the oldest origin, recomputed from its 24 training months
    values = _series(60)
    scale = mase_scale(values[:24])
    oldest = points.filter(pl.col("origin") == date(2021, 12, 1))
    assert oldest["scaled_error"].to_numpy() == pytest.approx(
        (oldest["actual"] - oldest["forecast"]).abs().to_numpy() / scale
    )
    row = result.summary.filter((pl.col("category") == "A") & (pl.col("method") == "ets")).row(
        0, named=True
    )
    assert row["mase"] == pytest.approx(points["scaled_error"].mean())
    inside = (points["lower"] <= points["actual"]) & (points["actual"] <= points["upper"])
    assert row["coverage"] == pytest.approx(inside.mean())
    assert row["smape"] == pytest.approx(
        smape(points["actual"].to_numpy(), points["forecast"].to_numpy())
    )
    years = result.years.filter((pl.col("category") == "A") & (pl.col("method") == "ets"))
    assert years.height == 3 and (years["months"] == 12).all()
    sums = points.group_by("origin").agg(pl.col("actual").sum(), pl.col("forecast").sum())
    joined = years.join(sums, on="origin", suffix="_points")
    assert joined["actual"].to_numpy() == pytest.approx(joined["actual_points"].to_numpy())
    assert joined["forecast"].to_numpy() == pytest.approx(joined["forecast_points"].to_numpy())
    assert joined["error_eur"].to_numpy() == pytest.approx(
        (joined["forecast"] - joined["actual"]).to_numpy()
    )
    assert row["annual_error_eur"] == pytest.approx(years["error_eur"].abs().mean())
    assert row["annual_error_percent"] == pytest.approx(
        (years["error_eur"].abs() / years["actual"] * 100).mean()
    )
    # by horizon: A has 3 origins and C one, so 4 points per method and h
    assert result.by_horizon.height == 3 * 12
    assert result.by_horizon["method"].unique(maintain_order=True).to_list() == list(BASELINES)
    assert (result.by_horizon["n_points"] == 4).all()


def test_no_fit_sees_a_month_after_its_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two checks: every fit is handed only months up to its origin, and making every month
    after an origin absurd (x 1e6) leaves that origin's forecasts bit for bit the same."""
    frame = _frame({"A": _series(60)})
    real = fit_method
    seen: list[tuple[date, date]] = []

    def spy(
        method: str, months: Sequence[date], values: np.ndarray, future: Sequence[date],
        **kwargs: int,
    ) -> FittedPaths:
        seen.append((months[-1], future[0]))
        return real(method, months, values, future, **kwargs)

    monkeypatch.setattr(backtest_module, "fit_method", spy)
    clean = backtest(frame, n_samples=200)
    assert len(seen) == 3 * len(METHODS)
    assert all(month_index(last) < month_index(first) for last, first in seen)
    monkeypatch.setattr(backtest_module, "fit_method", real)

    forecast_columns = ["forecast", "lower", "upper", "sd"]
    for origin in (date(2021, 12, 1), date(2022, 12, 1), date(2023, 12, 1)):
        poisoned = frame.with_columns(
            pl.when(pl.col("month") > origin)
            .then(pl.col("amount") * 1e6)
            .otherwise(pl.col("amount"))
        )
        again = backtest(poisoned, n_samples=200)
        keep = pl.col("origin") == origin
        assert again.points.filter(keep).select(forecast_columns).equals(
            clean.points.filter(keep).select(forecast_columns)
        )
        assert not again.points.filter(keep)["actual"].equals(clean.points.filter(keep)["actual"])


def test_same_input_same_result_and_settings_are_checked() -> None:
    frame = _frame({"A": _series(48), "D": _series(40, seed=3)})
    first = backtest(frame, methods=("snaive-drift", "ets"), n_samples=100, seed=4)
    second = backtest(frame.reverse(), methods=("snaive-drift", "ets"), n_samples=100, seed=4)
    keys = {"points": 4, "years": 3, "summary": 2}
    for name, count in keys.items():
        a, b = getattr(first, name), getattr(second, name)
        assert a.sort(a.columns[:count]).equals(b.sort(b.columns[:count])), name
    # the other category order adds the same floats in another order: equal up to rounding
    assert first.by_horizon["mean_abs_error"].to_numpy() == pytest.approx(
        second.by_horizon["mean_abs_error"].to_numpy(), rel=1e-12
    )
    again = backtest(frame, methods=("snaive-drift", "ets"), n_samples=100, seed=4)
    for name in keys | {"by_horizon": 0}:
        assert getattr(first, name).equals(getattr(again, name)), name
    other = backtest(frame, methods=("ets",), n_samples=100, seed=5)
    assert not other.points["forecast"].equals(first.points.filter(
        pl.col("method") == "ets")["forecast"])
    with pytest.raises(ValueError, match="methods"):
        backtest(frame, methods=("arima",))
    with pytest.raises(ValueError, match="interval"):
        backtest(frame, interval=1.0)


def test_gaps_are_not_scored_and_short_training_is_configurable() -> None:
    values = _series(40)
    frame = _frame({"G": values}).filter(pl.col("month") != date(2024, 6, 1))
    result = backtest(frame, methods=("seasonal-naive",), n_samples=50, min_train=12)
    points = result.points
    # min_train 12: origins with 28 and 16 months before them; the 2024-06 gap is not a point
    assert sorted(set(points["origin"].to_list())) == [date(2022, 12, 1), date(2023, 12, 1)]
    assert points.height == 23 and date(2024, 6, 1) not in points["month"].to_list()
    year = result.years.filter(pl.col("origin") == date(2023, 12, 1)).row(0, named=True)
    assert year["months"] == 11
