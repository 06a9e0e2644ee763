"""Calibrated intervals: split-conformal scaling of sample paths (models.calibrate)."""

from __future__ import annotations

from datetime import date
from statistics import NormalDist

import numpy as np
import polars as pl
import pytest

from models.backtest import BacktestPoints
from models.calibrate import (
    K_MAX,
    K_MIN,
    calibrate_forecasts,
    calibrate_paths,
    calibration_factor,
    calibration_factors,
    conformity_scores,
)
from models.forecast import SeriesForecast

LEVEL = 0.8
SIGMA = 50.0
Z80 = NormalDist().inv_cdf(0.9)


def _season(months: int) -> np.ndarray:
    """A monthly spending level with a yearly pattern and a slow rise."""
    t = np.arange(months)
    return 10_000.0 + 15.0 * t + 800.0 * np.sin(2 * np.pi * t / 12)


def _points(paths: np.ndarray, actual: np.ndarray) -> pl.DataFrame:
    """Held-out points as a backtest reports them: mean, quantile bounds and sd of the paths."""
    lower, upper = np.quantile(paths, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
    return pl.DataFrame({"actual": actual, "forecast": paths.mean(axis=0), "lower": lower,
                         "upper": upper, "sd": paths.std(axis=0)})


def _model_paths(level: np.ndarray, spread: float, rng: np.random.Generator) -> np.ndarray:
    """A model that knows the level but believes the noise has sd `spread`."""
    return level + rng.normal(0.0, spread, size=(2000, level.size))


def _coverage(paths: np.ndarray, actual: np.ndarray) -> float:
    lower, upper = np.quantile(paths, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
    return float(((actual >= lower) & (actual <= upper)).mean())


def test_too_narrow_intervals_are_widened_to_the_target_coverage_on_fresh_data() -> None:
    """Noise sd 50, the model believes 25: its 80 % interval covers about 47 %. Calibrated on
    240 backtest months, the scaled paths cover 80 % (+-5 points) of 600 months never seen."""
    rng = np.random.default_rng(20)
    level = _season(840)
    seen, fresh = slice(0, 240), slice(240, 840)
    actual = level + rng.normal(0.0, SIGMA, level.size)
    paths = _model_paths(level, SIGMA / 2, rng)

    factor = calibration_factor(_points(paths[:, seen], actual[seen]), LEVEL)
    assert factor == pytest.approx(2.0, rel=0.15)
    assert _coverage(paths[:, fresh], actual[fresh]) < 0.55
    calibrated = calibrate_paths(paths[:, fresh], factor)
    assert _coverage(calibrated, actual[fresh]) == pytest.approx(LEVEL, abs=0.05)


def test_already_calibrated_points_give_a_factor_of_about_one() -> None:
    rng = np.random.default_rng(21)
    level = _season(1200)
    actual = level + rng.normal(0.0, SIGMA, level.size)
    factor = calibration_factor(_points(_model_paths(level, SIGMA, rng), actual), LEVEL)
    assert factor == pytest.approx(1.0, abs=0.06)


def test_factor_by_hand() -> None:
    """Forecast 100, interval 90..110: actuals 95, 110, 80, 130 score 0.5, 1, 2, 3. For q = 0.5
    the rank is ceil(5 * 0.5) = 3 -> k = 2; for q = 0.8 it is ceil(5 * 0.8) = 4 -> k = 3."""
    points = np.array([[a, 100.0, 90.0, 110.0, 7.0] for a in (95.0, 110.0, 80.0, 130.0)])
    assert conformity_scores(points, 0.5).tolist() == [0.5, 1.0, 2.0, 3.0]
    assert calibration_factor(points, 0.5) == 2.0
    assert calibration_factor(points, 0.8) == 3.0
    # with two points ceil(3 * 0.8) = 3 exceeds n: the largest score
    assert calibration_factor(points[:2], 0.8) == 1.0


def test_recent_origins_weigh_more_by_hand() -> None:
    """Scores 0.5, 1, 2, 3 from origins 3, 2, 1, 1 weigh 0.25, 0.5, 1, 1, plus 1 for the month to
    come: cumulative shares 0.25/3.75, 0.75/3.75, 1.75/3.75 = 0.47, 2.75/3.75 = 0.73. The
    0.5-quantile is 3 (equal weights: 2), the 0.4-quantile 2."""
    frame = pl.DataFrame({"actual": [95.0, 110.0, 80.0, 130.0], "forecast": 100.0, "lower": 90.0,
                          "upper": 110.0, "sd": 7.0, "k": [3, 2, 1, 1]})
    assert calibration_factor(frame, 0.5) == 3.0
    assert calibration_factor(frame, 0.4) == 2.0
    assert calibration_factor(frame.drop("k"), 0.5) == 2.0
    by_date = frame.with_columns(
        pl.col("k").replace_strict({1: date(2024, 1, 1), 2: date(2023, 1, 1), 3: date(2022, 1, 1)})
        .alias("origin")
    ).drop("k")
    assert calibration_factor(by_date, 0.5) == 3.0


def test_scores_use_the_side_the_actual_fell_and_sd_where_the_interval_has_no_width() -> None:
    lopsided = np.array([[130.0, 100.0, 95.0, 120.0, 0.0], [90.0, 100.0, 95.0, 120.0, 0.0]])
    assert conformity_scores(lopsided, LEVEL).tolist() == [1.5, 2.0]
    flat = np.array([[100.0 + Z80 * 10.0, 100.0, 100.0, 100.0, 10.0]])
    assert conformity_scores(flat, LEVEL) == pytest.approx([1.0])
    # no width and no sd (a constant forecast), or a missing actual: nothing to learn from
    useless = np.array([[120.0, 100.0, 100.0, 100.0, 0.0], [np.nan, 100.0, 90.0, 110.0, 5.0]])
    assert conformity_scores(useless, LEVEL).size == 0
    assert calibration_factor(useless, LEVEL) == 1.0


def test_frame_and_array_agree_and_bad_input_is_refused() -> None:
    rng = np.random.default_rng(22)
    level = _season(36)
    frame = _points(_model_paths(level, SIGMA, rng), level + rng.normal(0.0, SIGMA, 36))
    array = frame.select("actual", "forecast", "lower", "upper", "sd").to_numpy()
    assert calibration_factor(frame, LEVEL) == calibration_factor(array, LEVEL)
    with pytest.raises(ValueError, match="lack column"):
        calibration_factor(frame.drop("sd"), LEVEL)
    with pytest.raises(ValueError, match="shape"):
        calibration_factor(array[:, :4], LEVEL)
    with pytest.raises(ValueError, match="interval"):
        calibration_factor(array, 1.0)
    with pytest.raises(ValueError, match="positive"):
        calibrate_paths(np.ones((3, 2)), 0.0)


def test_factor_is_bounded() -> None:
    base = [100.0, 99.0, 101.0, 1.0]
    wild = np.array([[100.0 + 1000.0 * (i % 2 * 2 - 1), *base] for i in range(40)])
    tight = np.array([[100.0 + 0.001 * (i % 2 * 2 - 1), *base] for i in range(40)])
    assert calibration_factor(wild, LEVEL) == K_MAX
    assert calibration_factor(tight, LEVEL) == K_MIN


def test_small_categories_get_the_pooled_factor() -> None:
    """Category A has 30 points scoring 2, B 30 points scoring 1, C only 5 points scoring 4:
    A and B keep their own factor, C gets the factor of all 65 scores."""
    def rows(category: str, score: float, n: int) -> list[tuple[object, ...]]:
        return [(category, 100.0 + score * 10.0, 100.0, 90.0, 110.0, 5.0)] * n

    points = pl.DataFrame(
        rows("A", 2.0, 30) + rows("B", 1.0, 30) + rows("C", 4.0, 5),
        schema=["category", "actual", "forecast", "lower", "upper", "sd"],
        orient="row",
    )
    scores = np.array([2.0] * 30 + [1.0] * 30 + [4.0] * 5)
    pooled = float(np.sort(scores)[int(np.ceil(66 * LEVEL)) - 1])
    assert calibration_factors(points, LEVEL) == {"A": 2.0, "B": 1.0, "C": pooled}
    assert calibration_factors(points, LEVEL, min_points=3)["C"] == 4.0


def test_annual_sums_of_calibrated_paths_widen_by_the_same_factor() -> None:
    rng = np.random.default_rng(23)
    level = _season(24)
    paths = level + rng.normal(0.0, SIGMA, size=(4000, 24)).cumsum(axis=1)  # correlated months
    calibrated = calibrate_paths(paths, 1.7)
    assert calibrated.mean(axis=0) == pytest.approx(paths.mean(axis=0), rel=1e-12)
    for year in (slice(0, 12), slice(12, 24)):
        before, after = paths[:, year].sum(axis=1), calibrated[:, year].sum(axis=1)
        assert after.std() == pytest.approx(1.7 * before.std(), rel=1e-9)
        bounds_before = np.quantile(before, [0.1, 0.9]) - before.mean()
        bounds_after = np.quantile(after, [0.1, 0.9]) - after.mean()
        assert bounds_after == pytest.approx(1.7 * bounds_before, rel=1e-9)


def test_widening_stops_at_zero_keeping_the_mean_and_a_factor_of_one_changes_nothing() -> None:
    """Means 20 and 2; tripled deviations give [-10, 50] and [-4, 8]. Clipping alone would lift
    the means to 25 and 4; shifted down by 10 and 4 first, they stay 20 and 2."""
    paths = np.array([[10.0, 0.0], [30.0, 4.0]])
    assert calibrate_paths(paths, 3.0).tolist() == [[0.0, 0.0], [40.0, 4.0]]
    rng = np.random.default_rng(26)
    skewed = rng.gamma(1.5, 100.0, size=(1000, 24))
    wide = calibrate_paths(skewed, 4.0)
    assert wide.min() == 0.0
    assert wide.mean(axis=0) == pytest.approx(skewed.mean(axis=0), rel=1e-9)
    assert (np.quantile(wide, 0.9, axis=0) > np.quantile(skewed, 0.9, axis=0)).all()
    same = calibrate_paths(paths, 1.0)
    assert same.tolist() == paths.tolist() and same is not paths
    assert not np.signbit(calibrate_paths(np.array([[1.0], [3.0]]), 2.0)).any()


def _backtest(paths: np.ndarray, actual: np.ndarray, interval: float = LEVEL) -> BacktestPoints:
    frame = _points(paths, actual)
    if interval != LEVEL:  # the bounds a backtest at that level would report
        lower, upper = np.quantile(paths, [(1 - interval) / 2, (1 + interval) / 2], axis=0)
        frame = frame.with_columns(pl.Series("lower", lower), pl.Series("upper", upper))
    n = actual.size
    return BacktestPoints(
        interval=interval, k=np.ones(n, dtype=np.int64), h=np.arange(1, n + 1),
        actual=actual, forecast=frame["forecast"].to_numpy(), lower=frame["lower"].to_numpy(),
        upper=frame["upper"].to_numpy(), sd=frame["sd"].to_numpy(), pit=np.full(n, 0.5),
    )


def test_calibrate_forecasts_uses_each_backtest_and_pools_for_the_rest() -> None:
    rng = np.random.default_rng(24)
    level = _season(60)
    actual = level + rng.normal(0.0, SIGMA, 60)
    narrow = _model_paths(level, SIGMA / 2, rng)
    start = date(2025, 1, 1)
    fresh = _model_paths(_season(12), SIGMA / 2, rng)

    def forecast(name: str, paths: np.ndarray, points: BacktestPoints | None) -> SeriesForecast:
        return SeriesForecast(name, "prophet", None, start, paths, backtest_points=points)

    own, short, constant = calibrate_forecasts(
        [
            forecast("A", fresh, _backtest(narrow, actual)),
            forecast("B", fresh, None),
            forecast("C", np.full((2000, 12), 500.0), None),
        ],
        LEVEL,
    )
    factor = calibration_factor(_points(narrow, actual), LEVEL)
    assert own.paths.tobytes() == calibrate_paths(fresh, factor).tobytes()
    assert own.note == f"interval scaled by {factor:.2f} to match the backtest"
    assert short.paths.tobytes() == own.paths.tobytes()  # A's points are all the pool has
    assert short.note is not None and "pooled backtest of all categories" in short.note
    assert constant.paths.tobytes() == np.full((2000, 12), 500.0).tobytes()
    assert constant.note is None
    # nothing learnt anywhere: nothing changes
    untouched = calibrate_forecasts([forecast("B", fresh, None)], LEVEL)
    assert untouched[0].paths is fresh


def test_backtest_points_at_another_level_are_moved_to_the_target_level() -> None:
    """Points made at 80 % and read for a 90 % target give about the factor that points made at
    90 % give (the move assumes a normal shape, exact here)."""
    rng = np.random.default_rng(25)
    level = _season(600)
    actual = level + rng.normal(0.0, SIGMA, 600)
    narrow = _model_paths(level, SIGMA / 2, rng)
    start = date(2025, 1, 1)
    paths = _model_paths(_season(12), SIGMA / 2, rng)
    made_80, made_90 = (
        calibrate_forecasts(
            [SeriesForecast("A", "ets", None, start, paths,
                            backtest_points=_backtest(narrow, actual, made))],
            0.9,
        )[0]
        for made in (0.8, 0.9)
    )
    assert made_80.note is not None and made_90.note is not None
    k80, k90 = (float(f.note.split(" by ")[1].split(" ")[0]) for f in (made_80, made_90))
    assert k80 == pytest.approx(k90, abs=0.1)
