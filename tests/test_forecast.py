"""The forecast engine: real Prophet fits (not mocked) and the fallbacks, kept small and fast."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models.baselines import month_from_index, month_index
from models.errors import ModelError, UsageError
from models.forecast import (
    FALLBACK,
    METHODS,
    SeriesForecast,
    forecast_categories,
    implausible,
    method_paths,
    series_seed,
)

ROOT = Path(__file__).resolve().parents[1]
FIRST = date(2025, 1, 1)


def _months_before(first: date, count: int) -> list[date]:
    start = month_index(first) - count
    return [month_from_index(start + i) for i in range(count)]


def _frame(series: dict[str, list[float]], first: date = FIRST) -> pl.DataFrame:
    rows = [
        (name, month, float(value))
        for name, values in series.items()
        for month, value in zip(_months_before(first, len(values)), values, strict=True)
    ]
    return pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    ).sort("category", "month")


def _truth(t: np.ndarray) -> np.ndarray:
    """Trend plus yearly seasonality; t counts months from the start, month 0 = January."""
    return 100_000.0 + 800.0 * t + 15_000.0 * np.sin(2 * np.pi * t / 12)


def _synthetic() -> list[float]:
    noise = np.random.default_rng(2024).normal(0.0, 1_500.0, 48)
    return list(_truth(np.arange(48)) + noise)


@pytest.fixture(scope="module")
def fitted() -> tuple[pl.DataFrame, list[SeriesForecast]]:
    frame = _frame({"6.72a Jeugdhulp": _synthetic(), "6.71a Hulp bij het huishouden": _synthetic()})
    return frame, forecast_categories(frame, FIRST, 12, seed=3, n_samples=500)


def test_prophet_forecast_is_close_to_the_truth(
    fitted: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    forecast = fitted[1][0]
    assert forecast.model == "prophet" and forecast.note is None
    assert forecast.first_month == FIRST and forecast.paths.shape == (500, 12)
    assert forecast.paths.dtype == np.float64
    truth = _truth(np.arange(48, 60))
    mean = forecast.paths.mean(axis=0)
    assert np.abs(mean / truth - 1).max() < 0.06
    assert mean.sum() == pytest.approx(truth.sum(), rel=0.02)
    # an 80 % band that is neither absurdly narrow nor wide, and covers most true months
    lower, upper = np.quantile(forecast.paths, [0.1, 0.9], axis=0)
    assert 2_000 < float(np.median(upper - lower)) < 20_000
    assert ((lower <= truth) & (truth <= upper)).mean() >= 0.75


def test_same_input_gives_the_same_bytes(
    fitted: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    frame, first = fitted
    again = forecast_categories(frame, FIRST, 12, seed=3, n_samples=500)
    for a, b in zip(first, again, strict=True):
        assert a.paths.tobytes() == b.paths.tobytes()
        assert (a.model, a.note, a.first_month) == (b.model, b.note, b.first_month)


def test_another_seed_gives_other_paths_and_categories_have_their_own_seed(
    fitted: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    frame, first = fitted
    other = forecast_categories(frame, FIRST, 12, seed=4, n_samples=500)
    assert not np.array_equal(first[0].paths, other[0].paths)
    # the same data under two names: different seeds, so different paths
    assert not np.array_equal(first[0].paths, first[1].paths)


def test_paths_do_not_depend_on_the_other_categories_or_their_order(
    fitted: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    frame, first = fitted
    name = "6.72a Jeugdhulp"
    alone = forecast_categories(
        frame.filter(pl.col("category") == name), FIRST, 12, seed=3, n_samples=500
    )
    reversed_order = forecast_categories(frame.reverse(), FIRST, 12, seed=3, n_samples=500)
    assert [f.category for f in first] == ["6.71a Hulp bij het huishouden", "6.72a Jeugdhulp"]
    assert [f.category for f in reversed_order][::-1] == [f.category for f in first]
    expected = next(f for f in first if f.category == name).paths
    assert np.array_equal(alone[0].paths, expected)
    assert np.array_equal(next(f for f in reversed_order if f.category == name).paths, expected)


def test_series_seed_is_stable_across_processes() -> None:
    """CRC-32 based: fixed numbers, unlike hash() which changes per process."""
    assert series_seed(0, "6.72a Jeugdhulp") == series_seed(0, "6.72a Jeugdhulp")
    code = "from models.forecast import series_seed; print(series_seed(0, '6.72a Jeugdhulp'))"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    assert int(out.stdout) == series_seed(0, "6.72a Jeugdhulp")
    assert series_seed(1, "6.72a Jeugdhulp") != series_seed(0, "6.72a Jeugdhulp")
    assert 0 <= series_seed(2**40, "x") < 2**32


def test_steeply_declining_series_never_goes_negative() -> None:
    """FK-18: 36 months falling 40.000 -> 8.000 with a +-3.000 seasonal swing, horizon 24."""
    t = np.arange(36)
    values = list(np.linspace(40_000, 8_000, 36) + 3_000 * np.sin(2 * np.pi * t / 12))
    [forecast] = forecast_categories(_frame({"Regeling": values}), FIRST, 24, n_samples=1000)
    # Prophet's linear trend runs into zero within the horizon: last year's months are used
    assert forecast.model == "seasonal-naive"
    assert forecast.note is not None
    assert "of its sampled months below zero: seasonal-naive used" in forecast.note
    assert forecast.paths.shape == (1000, 24)
    assert forecast.paths.min() >= 0.0
    assert not np.signbit(forecast.paths).any()  # no -0.0 either
    lower, upper = np.quantile(forecast.paths, [0.1, 0.9], axis=0)
    assert lower.min() >= 0.0 and forecast.paths.mean(axis=0).min() >= 0.0


@pytest.mark.parametrize(
    ("values", "model", "note", "zero_width"),
    [
        ([1250.0] * 24, "constant", "constant series", True),
        ([0.0] * 24, "constant", "constant series", True),
        ([500.0], "recent-mean", "too little history for an interval", True),
        ([500.0, 700.0], "recent-mean", "too little history for an interval", True),
        ([500.0, 700.0, 650.0, 900.0, 610.0], "recent-mean", "only 5 months of history", False),
    ],
)
def test_fallbacks_without_prophet(
    values: list[float], model: str, note: str, zero_width: bool
) -> None:
    [forecast] = forecast_categories(_frame({"X": values}), FIRST, 6, n_samples=200)
    assert (forecast.model, forecast.note) == (model, note)
    assert forecast.paths.shape == (200, 6)
    spread = forecast.paths.max(axis=0) - forecast.paths.min(axis=0)
    assert (spread == 0).all() == zero_width
    level = float(np.mean(values[-12:]))
    if model == "constant":
        assert (forecast.paths == values[0]).all()
    elif zero_width:
        assert (forecast.paths == level).all()
    else:
        assert forecast.paths.mean() == pytest.approx(level, rel=0.05)
        assert set(np.unique(forecast.paths)) <= {level + (v - level) for v in values}


def test_fourteen_months_get_prophet_without_yearly_seasonality() -> None:
    values = [float(v) for v in 10_000 + 150 * np.arange(14)]
    [forecast] = forecast_categories(_frame({"Nieuw": values}), FIRST, 12, n_samples=300)
    assert forecast.model == "prophet (trend only)"
    assert forecast.note == "less than 24 months: no yearly seasonality"
    assert forecast.paths.mean(axis=0)[0] == pytest.approx(10_000 + 150 * 14, rel=0.05)


def test_prophet_failure_falls_back_to_seasonal_naive_for_that_category_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import models.prophet_model as prophet_model

    real = prophet_model.prophet_paths

    def failing(months: list[date], values: np.ndarray, *args: object, **kwargs: object) -> object:
        if values[0] == 111.0:
            raise RuntimeError("Error during optimization! /tmp/abc/prophet_model-1.csv")
        return real(months, values, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prophet_model, "prophet_paths", failing)
    seasonal = [111.0] + [float(100 + 10 * (i % 12)) for i in range(1, 30)]
    frame = _frame({"A": seasonal, "B": [float(v) for v in 500 + np.arange(30)]})
    a, b = forecast_categories(frame, FIRST, 6, n_samples=100)
    assert a.model == "seasonal-naive"
    assert a.note == "prophet failed (RuntimeError): seasonal-naive used"  # no temp path in it
    assert b.model == "prophet"


def test_seasonal_naive_repeats_last_year_with_a_symmetric_bootstrap() -> None:
    pattern = [100.0, 120.0, 90.0, 300.0, 80.0, 110.0, 100.0, 95.0, 105.0, 130.0, 140.0, 400.0]
    exact = pattern * 3  # every year the same: no year-over-year change, no spread
    [same] = forecast_categories(
        _frame({"S": exact}), FIRST, 24, n_samples=50, model="seasonal-naive"
    )
    assert same.model == "seasonal-naive" and same.note is None
    assert (same.paths == np.array(pattern * 2)).all()
    noise = np.random.default_rng(1).normal(0.0, 5.0, 36)
    growing = [v + 12.0 * (i // 12) + float(noise[i]) for i, v in enumerate(exact)]
    [noisy] = forecast_categories(
        _frame({"S": growing}), FIRST, 24, n_samples=4000, model="seasonal-naive"
    )
    last_year = np.array(growing[-12:] * 2)
    assert noisy.paths.mean(axis=0) == pytest.approx(last_year, abs=2.0)
    width = np.quantile(noisy.paths, 0.9, axis=0) - np.quantile(noisy.paths, 0.1, axis=0)
    assert width[12:].mean() > width[:12].mean() > 0  # wider in the second year


def test_explicit_seasonal_naive_and_auto_model_choice() -> None:
    frame = _frame({"A": [float(v) for v in 1000 + 10 * np.arange(30)]})
    [naive] = forecast_categories(frame, FIRST, 3, n_samples=20, model="seasonal-naive")
    assert naive.model == "seasonal-naive"
    # 30 months: too short for a backtest (24 + 12), so auto takes its default for 24-35 months
    [auto] = forecast_categories(frame, FIRST, 3, n_samples=20, model="auto")
    [ets] = forecast_categories(frame, FIRST, 3, n_samples=20, model="ets")
    assert auto.model == "ets" and np.array_equal(auto.paths, ets.paths)
    assert auto.note is not None and auto.note.startswith("auto: ets, too little history")
    assert auto.backtest is None and auto.backtest_mase is None and auto.backtest_points is None
    [shorter] = forecast_categories(frame.tail(18), FIRST, 3, n_samples=20, model="auto")
    assert shorter.model == "snaive-drift"
    with pytest.raises(UsageError):
        forecast_categories(frame, FIRST, 3, model="arima")
    with pytest.raises(UsageError):
        forecast_categories(frame, FIRST, 3, seed=-1)


def test_gaps_and_a_series_that_stops_early() -> None:
    """Missing months are fine; a series that stops early is forecast from its own next month."""
    months = _months_before(FIRST, 36)
    rows = [("Gaten", m, 1000.0 + 10 * i) for i, m in enumerate(months) if i % 5 != 2]
    rows += [("Gestopt", m, 2000.0 + 5 * i) for i, m in enumerate(months[:-4])]
    frame = pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    )
    gaps, stopped = forecast_categories(frame, FIRST, 12, n_samples=100)
    assert gaps.model == "prophet" and gaps.first_month == FIRST and gaps.paths.shape == (100, 12)
    assert stopped.first_month == date(2024, 9, 1)
    assert stopped.paths.shape == (100, 16)
    assert stopped.months[0] == date(2024, 9, 1) and stopped.months[-1] == date(2025, 12, 1)
    assert stopped.note is not None and stopped.note.startswith("no data since 2024-08")


def test_history_at_or_after_first_month_is_ignored_and_empty_history_is_an_error() -> None:
    frame = _frame({"A": [float(v) for v in 500 + np.arange(14)]}, first=date(2025, 3, 1))
    [cut] = forecast_categories(frame, FIRST, 3, n_samples=50)  # Jan, Feb 2025 ignored
    [reference] = forecast_categories(frame.filter(pl.col("month") < FIRST), FIRST, 3, n_samples=50)
    assert np.array_equal(cut.paths, reference.paths)
    with pytest.raises(ModelError):
        forecast_categories(frame, date(2020, 1, 1), 3)


def test_a_fit_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    forecast_categories(_frame({"A": _synthetic()[:30]}), FIRST, 6, n_samples=50)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_import_is_lazy_quiet_and_leaves_no_temp_files(tmp_path: Path) -> None:
    """In a fresh process: `import models.forecast` loads no prophet/pandas; a fit prints
    nothing (not even Prophet's plotly message) and leaves the temp directory empty."""
    code = (
        "import sys\n"
        "import models.forecast, models.aggregate\n"
        "assert not {'prophet', 'pandas', 'cmdstanpy'} & set(sys.modules), 'eager import'\n"
        "from datetime import date\n"
        "import polars as pl\n"
        "months = [date(2022 + i // 12, i % 12 + 1, 1) for i in range(30)]\n"
        "frame = pl.DataFrame({'category': ['A'] * 30, 'month': months,\n"
        "                      'amount': [100.0 + i for i in range(30)]})\n"
        "models.forecast.forecast_categories(frame, date(2024, 7, 1), 6, n_samples=20)\n"
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert list(scratch.iterdir()) == []


def test_speedups_give_the_same_bytes_as_stock_prophet() -> None:
    """The memoised component table, numpy Fourier terms and direct JSON writing change
    nothing: stock Prophet/cmdstanpy give identical samples."""
    from models.prophet_model import prophet_paths

    months = _months_before(FIRST, 30)
    values = np.array(_synthetic()[:30])
    future = [month_from_index(month_index(FIRST) + h) for h in range(6)]
    for yearly in (True, False):
        fast = prophet_paths(months, values, future, yearly=yearly, n_samples=100, seed=9)
        stock = prophet_paths(
            months, values, future, yearly=yearly, n_samples=100, seed=9, speedups=False
        )
        assert fast.tobytes() == stock.tobytes()


def test_retail_sales_level_is_sensible(shared_file: Callable[..., Path]) -> None:
    """Prophet's example_retail_sales.csv: 12 months ahead within 15 % of the last year."""
    raw = pl.read_csv(
        shared_file("prophet_examples", "example_retail_sales.csv"), try_parse_dates=True
    )
    frame = raw.select(
        pl.lit("retail").alias("category"),
        pl.col("ds").cast(pl.Date).alias("month"),
        pl.col("y").cast(pl.Float64).alias("amount"),
    )
    last = frame.get_column("month").max()
    assert isinstance(last, date)
    first = month_from_index(month_index(last) + 1)
    [forecast] = forecast_categories(frame, first, 12, n_samples=500)
    assert forecast.model == "prophet"
    last_year = frame.tail(12).get_column("amount").to_numpy()
    mean = forecast.paths.mean(axis=0)
    assert math.isclose(mean.sum(), last_year.sum(), rel_tol=0.15)
    assert np.all(np.abs(mean / last_year - 1) < 0.15)


def test_a_broken_prophet_install_is_one_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "models.prophet_model", None)  # import now fails
    frame = _frame({"A": [float(v) for v in 500 + np.arange(30)], "B": [7.0] * 30})
    with pytest.raises(ModelError, match="Prophet cannot be loaded"):
        forecast_categories(frame, FIRST, 3, n_samples=10)
    # models that do not need Prophet still work
    a, b = forecast_categories(frame, FIRST, 3, n_samples=10, model="seasonal-naive")
    assert (a.model, b.model) == ("seasonal-naive", "constant")


# --------------------------------------------------------------------------- methods and auto


def _seasonal_only() -> list[float]:
    """A fixed yearly pattern with noise, no trend: last year's month is the right answer."""
    pattern = np.array([100, 120, 90, 300, 80, 110, 100, 95, 105, 130, 140, 400.0]) * 100
    noise = np.random.default_rng(7).normal(0.0, 200.0, 60)
    return list(np.tile(pattern, 5) + noise)


def _linear_only() -> list[float]:
    noise = np.random.default_rng(7).normal(0.0, 200.0, 60)
    return list(20_000.0 + 300.0 * np.arange(60) + noise)


@pytest.fixture(scope="module")
def auto() -> tuple[pl.DataFrame, list[SeriesForecast]]:
    frame = _frame({"Seizoen": _seasonal_only(), "Lijn": _linear_only()})
    return frame, forecast_categories(frame, FIRST, 12, seed=1, n_samples=300, model="auto")


def test_every_method_name_is_accepted() -> None:
    frame = _frame({"A": _synthetic()[:36]})
    for method in METHODS:
        [forecast] = forecast_categories(frame, FIRST, 6, n_samples=50, model=method)
        assert forecast.model == method and forecast.paths.shape == (50, 6)
        assert forecast.paths.min() >= 0.0
        paths, note = method_paths(
            method,
            _months_before(FIRST, 36),
            np.array(_synthetic()[:36]),
            forecast.months,
            n_samples=50,
            seed=series_seed(0, "A"),
        )
        assert paths.tobytes() == forecast.paths.tobytes() and note == forecast.note


def test_auto_picks_the_method_that_is_right(
    auto: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    by_name = {f.category: f for f in auto[1]}
    seasonal, linear = by_name["Seizoen"], by_name["Lijn"]
    # a pure seasonal pattern: repeating last year (or ets, which learns it) beats prophet
    assert seasonal.model in ("seasonal-naive", "ets")
    # a straight line: the drift or the trend of ets
    assert linear.model in ("snaive-drift", "ets")
    for forecast in (seasonal, linear):
        scores = forecast.backtest
        assert scores is not None and tuple(scores) == METHODS
        finite = {m: v for m, v in scores.items() if v is not None}
        assert forecast.backtest_mase == min(finite.values()) == scores[forecast.model]
        assert forecast.note is not None
        assert forecast.note.startswith(
            f"auto: {forecast.model} had the lowest backtest MASE {scores[forecast.model]:.2f} ("
        )
        assert scores["prophet"] is not None and scores["prophet"] > forecast.backtest_mase
    assert linear.backtest is not None
    assert (linear.backtest["seasonal-naive"] or 0.0) > 0.5  # "same as last year" misses growth


def test_auto_fits_the_winner_on_the_full_history_and_keeps_its_backtest(
    auto: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    from models.backtest import backtest

    frame, forecasts = auto
    for forecast in forecasts:
        alone = frame.filter(pl.col("category") == forecast.category)
        [direct] = forecast_categories(alone, FIRST, 12, seed=1, n_samples=300,
                                       model=forecast.model)
        assert direct.paths.tobytes() == forecast.paths.tobytes()
        points = forecast.backtest_points
        assert points is not None and points.as_array().shape == (36, 4)
        assert points.interval == 0.8 and sorted(set(points.k.tolist())) == [1, 2, 3]
        # the same numbers as the backtest of that method (same seed, same 500 paths)
        result = backtest(alone, methods=(forecast.model,), seed=1, n_samples=500)
        expected = result.points.select("actual", "forecast", "lower", "upper").to_numpy()
        assert np.array_equal(points.as_array(), expected)


def test_auto_is_deterministic_and_its_choice_does_not_depend_on_the_sample_count(
    auto: tuple[pl.DataFrame, list[SeriesForecast]],
) -> None:
    frame, forecasts = auto
    again = forecast_categories(frame, FIRST, 12, seed=1, n_samples=300, model="auto")
    fewer = forecast_categories(frame, FIRST, 12, seed=1, n_samples=100, model="auto")
    for a, b, c in zip(forecasts, again, fewer, strict=True):
        assert a.paths.tobytes() == b.paths.tobytes() and a.note == b.note
        assert (a.model, a.backtest) == (c.model, c.backtest)


def test_auto_prefers_ets_within_its_margin_then_the_order_of_methods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import models.backtest as backtest_module

    real = backtest_module.score
    frame = _frame({"A": _synthetic()})

    def tied(runs: list[backtest_module.OriginRun], interval: float) -> object:
        scored = real(runs, interval)
        return backtest_module.MethodScore(1.0, scored.mean_abs_error, scored.points)

    monkeypatch.setattr(backtest_module, "score", tied)
    [forecast] = forecast_categories(frame, FIRST, 3, n_samples=20, model="auto")
    assert forecast.model == "ets"  # the preferred method wins a tie

    def scored_as(mase: dict[str, float]) -> object:
        def fake(runs: list[backtest_module.OriginRun], interval: float) -> object:
            scored = real(runs, interval)
            return backtest_module.MethodScore(mase[runs[0].method], scored.mean_abs_error,
                                               scored.points)  # fmt: skip

        return fake

    # ets stays unless another method is more than 10 % better; ties among the others go by order
    for ets, chosen in ((1.09, "ets"), (1.11, "prophet")):
        mase = {"prophet": 1.0, "seasonal-naive": 1.0, "snaive-drift": 1.2, "ets": ets}
        monkeypatch.setattr(backtest_module, "score", scored_as(mase))
        [forecast] = forecast_categories(frame, FIRST, 3, n_samples=20, model="auto")
        assert forecast.model == chosen, ets

    def undefined(runs: list[backtest_module.OriginRun], interval: float) -> object:
        scored = real(runs, interval)
        error = 1.0 if runs[0].method == "snaive-drift" else 2.0
        return backtest_module.MethodScore(None, error, scored.points)

    monkeypatch.setattr(backtest_module, "score", undefined)
    [forecast] = forecast_categories(frame, FIRST, 3, n_samples=20, model="auto")
    assert forecast.model == "snaive-drift" and forecast.backtest_mase is None
    assert forecast.note is not None and "MASE undefined" in forecast.note


def test_auto_keeps_the_rules_for_constant_and_short_series() -> None:
    frame = _frame({"C": [500.0] * 48, "K": [500.0, 700.0, 650.0, 900.0, 610.0]})
    constant, short = forecast_categories(frame, FIRST, 6, n_samples=50, model="auto")
    assert (constant.model, short.model) == ("constant", "recent-mean")
    assert constant.backtest is None and short.backtest is None


def test_a_category_without_spending_for_a_year_has_ended() -> None:
    """Spending that stopped 14 months before the forecast (an Iv3 code replaced by its 2023
    successors) is forecast as exactly 0, by every method, also when its rows stop early."""
    stopped = [1000.0 + 10 * i for i in range(34)] + [0.0] * 14
    short = [1000.0 + 10 * i for i in range(34)]  # no rows at all for the last 14 months
    frame = _frame({"A": stopped}).vstack(
        _frame({"B": short}, first=month_from_index(month_index(FIRST) - 14))
    )
    for model in ("auto", "prophet", "ets"):
        a, b = forecast_categories(frame, FIRST, 12, n_samples=50, model=model)
        assert (a.model, a.note) == ("ended", "no spending since 2023-10")
        assert b.model == "ended" and b.first_month == FIRST
        assert a.paths.shape == b.paths.shape == (50, 12)
        assert not a.paths.any() and not b.paths.any()
    # 11 months without spending is a pause, not an end
    paused = [1000.0 + 10 * i for i in range(37)] + [0.0] * 11
    [c] = forecast_categories(_frame({"C": paused}), FIRST, 12, n_samples=50, model="ets")
    assert c.model != "ended"


def test_implausible_paths_names_both_reasons() -> None:
    rng = np.random.default_rng(1)
    fine = 1000 + rng.normal(0, 50, (400, 24))
    assert implausible(fine) is None
    dipping = fine - 1000 * (rng.random((400, 24)) < 0.2)  # about 20 % of months below zero
    assert implausible(dipping) is not None and "below zero" in str(implausible(dipping))
    exploding = fine.copy()
    exploding[:20] *= 1000  # 5 % of the paths: the mean of a year lies far above its 90th pct
    assert implausible(exploding) == "had a few exploding sampled paths"


def test_every_method_falls_back_when_its_paths_dip_below_zero() -> None:
    """A series that falls steeply to near zero: a trend model runs below zero, so carecast
    goes down the fallback chain and says why at each step; no path is negative."""
    t = np.arange(48)
    values = list(np.maximum(20_000 - 420.0 * t, 200.0) + 1_500 * np.sin(2 * np.pi * t / 12))
    for method in ("ets", "snaive-drift", "prophet"):
        [forecast] = forecast_categories(_frame({"X": values}), FIRST, 24, n_samples=400,
                                         model=method)  # fmt: skip
        assert forecast.model in FALLBACK.values() or forecast.model == method, forecast.note
        if forecast.model != method:
            assert forecast.note is not None
            assert f"{method} had " in forecast.note and f"{forecast.model} used" in forecast.note
        assert forecast.paths.min() >= 0.0
        assert implausible(forecast.paths) is None or forecast.model == "recent-mean"
