"""How accurate is carecast's forecast, and do its 80 % intervals hold 80 %?

Issue target (Forecasts a council can trust), on PBS Cost per ATC1 (15 series) and per ATC2 (84
series; all-zero ones dropped): carecast's default forecast has a mean MASE at most AutoETS's and
at most 0.9x seasonal naive's, and its 80 % intervals cover between 75 % and 85 % of held-out
months.

Protocol, the same for every method: rolling origin, 3 origins x 12 months ahead, the origins 6
months apart and the last forecast window ending in the last month of the data (the protocol of the
issue's own figures; `--step 12` gives non-overlapping windows like `carecast backtest`). Each
method sees only the months before its origin. Metrics are `models.backtest`'s: MASE per series
over all its held-out months (each scaled by its own origin's in-sample seasonal naive error),
sMAPE, and coverage of the interval; then the mean and median over series. "year cov." is the
coverage of the 12-month total of each origin (sums of paths; AutoETS gives no paths, so none).

Methods:

- carecast METHOD (`--method`, default "auto"): `forecast_categories(..., model=METHOD)`, raw and
  calibrated (`models.calibrate.calibrate_forecasts`; with a method other than "auto" the
  calibration points come from `models.backtest.backtest` of that method on the same history);
- seasonal naive: carecast's "seasonal-naive" (last year's month; bootstrap intervals);
- AutoETS: statsforecast's `AutoETS(season_length=12)`, its 80 % level intervals. Optional
  (`pip install -e '.[bench]'`); without it the column is skipped.

"s/series" is the wall time of one forecast of one series (one origin), calibration included.

    .venv/bin/python benchmarks/accuracy.py [--method auto] [--levels ATC1 ATC2] [--step 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models.backtest import backtest, coverage, mase, mase_scale, smape
from models.baselines import month_from_index, month_index
from models.calibrate import calibrate_forecasts
from models.forecast import METHODS, MODEL_CHOICES, SeriesForecast, forecast_categories
from models.loading import ColumnChoice, load_history

ROOT = Path(__file__).resolve().parents[1]
PBS = ROOT.parent / "shared" / "data" / "pbs_australia_monthly" / "PBS_tidy.csv"
SEASON = 12


@dataclass
class Scores:
    """One method on one series: held-out points of every origin, and the 12-month totals."""

    actual: list[np.ndarray] = field(default_factory=list)
    forecast: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    scale: list[np.ndarray] = field(default_factory=list)
    year_inside: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    fits: int = 0

    def add(self, actual: np.ndarray, forecast: np.ndarray, lower: np.ndarray,
            upper: np.ndarray, scale: float | None) -> None:
        self.actual.append(actual)
        self.forecast.append(forecast)
        self.lower.append(lower)
        self.upper.append(upper)
        self.scale.append(np.full(actual.size, np.nan if scale is None else scale))

    def row(self) -> dict[str, float | None]:
        a, f = np.concatenate(self.actual), np.concatenate(self.forecast)
        return {
            "mase": mase(a, f, np.concatenate(self.scale)),
            "smape": smape(a, f),
            "coverage": coverage(a, np.concatenate(self.lower), np.concatenate(self.upper)),
            "year_coverage": float(np.mean(self.year_inside)) if self.year_inside else None,
            "seconds": self.seconds / max(self.fits, 1),
        }


def load(level: str, value: str = "Cost") -> pl.DataFrame:
    """PBS `value` per `level` (ATC1 or ATC2) as carecast loads it; all-zero series dropped."""
    monthly = load_history([PBS], ColumnChoice(date="Month", category=level, amount=value)).monthly
    alive = (
        monthly.group_by("category")
        .agg((pl.col("amount") != 0).any().alias("alive"))
        .filter("alive")
        .get_column("category")
    )
    return monthly.filter(pl.col("category").is_in(alive.to_list())).sort("category", "month")


def origins(last: date, count: int, horizon: int, step: int) -> list[date]:
    """First forecast months, oldest first; the last window ends in `last`."""
    end = month_index(last) - horizon + 1
    return [month_from_index(end - step * k) for k in reversed(range(count))]


def _regular(months: Sequence[date], values: np.ndarray) -> np.ndarray:
    """One value per calendar month from the first to the last, NaN where missing."""
    index = np.array([month_index(m) for m in months])
    out = np.full(index[-1] - index[0] + 1, np.nan)
    out[index - index[0]] = values
    return out


def _path_scores(
    scores: Scores, paths: np.ndarray, first: date, actual: dict[int, float],
    scale: float | None, interval: float,
) -> None:
    """Score sample paths starting at `first` against the observed months among them."""
    start = month_index(first)
    steps = [h for h in range(paths.shape[1]) if start + h in actual]
    columns = paths[:, steps]
    truth = np.array([actual[start + h] for h in steps])
    probabilities = [(1 - interval) / 2, (1 + interval) / 2]
    lower, upper = np.quantile(columns, probabilities, axis=0)
    scores.add(truth, columns.mean(axis=0), lower, upper, scale)
    year = columns[:, : min(SEASON, len(steps))].sum(axis=1)
    low, high = np.quantile(year, probabilities)
    scores.year_inside.append(bool(low <= truth[:SEASON].sum() <= high))


def _autoets() -> Callable[..., Any] | None:
    try:
        from statsforecast.models import AutoETS
    except ImportError:
        return None
    model: Callable[..., Any] = AutoETS
    return model


def run_level(level: str, args: argparse.Namespace) -> pl.DataFrame:
    monthly = load(level, args.value)
    series = {
        str(c): (rows.get_column("month").to_list(), rows.get_column("amount").to_numpy())
        for (c,), rows in monthly.partition_by("category", as_dict=True).items()
    }
    last = monthly.get_column("month").max()
    assert isinstance(last, date)
    label = f"carecast {args.method}"
    calibrated_label = f"{label}, calibrated"
    names = [label, *([] if args.no_calibrate else [calibrated_label]), "seasonal naive"]
    autoets = _autoets()
    if autoets is not None:
        names.append("AutoETS")
        autoets(season_length=SEASON).forecast(y=np.arange(48.0) % 12 + 1, h=2)  # compile once
    scores = {(name, c): Scores() for name in names for c in series}

    for first in origins(last, args.origins, args.horizon, args.step):
        history = monthly.filter(pl.col("month") < first)
        actuals = {
            c: {month_index(m): float(v) for m, v in zip(*series[c], strict=True) if m >= first}
            for c in series
        }
        scales = {}
        for c, (months, values) in series.items():
            seen = sum(m < first for m in months)
            scales[c] = mase_scale(_regular(months[:seen], values[:seen]))

        started = time.perf_counter()
        raw = forecast_categories(history, first, args.horizon, seed=args.seed,
                                  n_samples=args.samples, model=args.method)
        fitted = time.perf_counter()
        calibrated = _calibrate(raw, history, args)
        done = time.perf_counter()
        naive = forecast_categories(history, first, args.horizon, seed=args.seed,
                                    n_samples=args.samples, model="seasonal-naive")
        naive_done = time.perf_counter()
        per_series = {
            label: (fitted - started) / len(raw),
            calibrated_label: (done - started) / len(raw),
            "seasonal naive": (naive_done - done) / len(naive),
        }
        runs = {label: raw, calibrated_label: calibrated, "seasonal naive": naive}
        for name in names:
            if name == "AutoETS":
                continue
            forecasts = runs[name]
            for f in forecasts:
                s = scores[name, f.category]
                _path_scores(s, f.paths, f.first_month, actuals[f.category],
                             scales[f.category], args.interval)
                s.seconds += per_series[name]
                s.fits += 1

        if autoets is not None:
            level_pct = round(100 * args.interval)
            for c, (months, values) in series.items():
                train = values[: sum(m < first for m in months)]
                held = np.array([actuals[c][month_index(first) + h] for h in range(args.horizon)])
                tick = time.perf_counter()
                out = autoets(season_length=SEASON).forecast(
                    y=train.astype(np.float64), h=args.horizon, level=[level_pct]
                )
                s = scores["AutoETS", c]
                s.seconds += time.perf_counter() - tick
                s.fits += 1
                s.add(held, out["mean"], out[f"lo-{level_pct}"], out[f"hi-{level_pct}"],
                      scales[c])

    rows = [{"method": name, "category": c, **scores[name, c].row()}
            for name in names for c in series]
    return pl.DataFrame(rows)


def _calibrate(
    raw: list[SeriesForecast], history: pl.DataFrame, args: argparse.Namespace
) -> list[SeriesForecast]:
    """Calibrated forecasts; for a fixed method the points come from a backtest of it."""
    if args.no_calibrate:
        return raw
    if args.method == "auto":
        return calibrate_forecasts(raw, args.interval)
    from dataclasses import replace

    from models.backtest import BacktestPoints

    result = backtest(history, methods=[args.method], seed=args.seed, interval=args.interval)
    by_category = result.points.partition_by("category", as_dict=True)
    with_points = []
    for f in raw:
        rows = by_category.get((f.category,))
        points = None
        if rows is not None:
            n = rows.height
            points = BacktestPoints(
                interval=args.interval, k=np.zeros(n, dtype=np.int64),
                h=rows.get_column("h").to_numpy(),
                **{c: rows.get_column(c).to_numpy()
                   for c in ("actual", "forecast", "lower", "upper", "sd", "pit")},
            )
        with_points.append(replace(f, backtest_points=points))
    return calibrate_forecasts(with_points, args.interval)


def summarise(level: str, table: pl.DataFrame, interval: float) -> str:
    per_method = (
        table.group_by("method", maintain_order=True)
        .agg(
            pl.col("mase").mean().alias("mean"),
            pl.col("mase").median().alias("median"),
            pl.col("smape").mean().alias("smape"),
            pl.col("coverage").mean().alias("coverage"),
            pl.col("year_coverage").mean().alias("year"),
            pl.col("seconds").mean().alias("seconds"),
            pl.len().alias("series"),
        )
    )
    naive = table.filter(pl.col("method") == "seasonal naive").select(
        "category", pl.col("mase").alias("naive")
    )
    beats = (
        table.join(naive, on="category")
        .group_by("method", maintain_order=True)
        .agg((pl.col("mase") < pl.col("naive")).sum().alias("beats"))
    )
    per_method = per_method.join(beats, on="method", maintain_order="left")
    pct = round(100 * interval)
    lines = [
        f"{level}: {per_method['series'][0]} series",
        f"  {'method':<32} {'MASE mean':>9} {'median':>7} {'sMAPE':>6} "
        f"{f'{pct}% cov.':>8} {'year cov.':>9} {'beats snaive':>12} {'s/series':>9}",
    ]
    for r in per_method.iter_rows(named=True):
        year = "-" if r["year"] is None else f"{r['year']:.2f}"
        lines.append(
            f"  {r['method']:<32} {r['mean']:>9.3f} {r['median']:>7.3f} {r['smape']:>6.2f} "
            f"{r['coverage']:>8.3f} {year:>9} {r['beats']:>5} of {r['series']:<3}"
            f" {r['seconds']:>9.3f}"
        )
    by_name = {r["method"]: r for r in per_method.iter_rows(named=True)}
    candidate = next(
        (by_name[n] for n in by_name if n.endswith("calibrated")), by_name[per_method["method"][0]]
    )
    checks = [
        ("<= 0.9 x seasonal naive MASE",
         candidate["mean"] <= 0.9 * by_name["seasonal naive"]["mean"]),
        (f"{pct}% coverage within [0.75, 0.85]", 0.75 <= candidate["coverage"] <= 0.85),
    ]
    if "AutoETS" in by_name:
        checks.insert(0, ("<= AutoETS MASE", candidate["mean"] <= by_name["AutoETS"]["mean"]))
    lines.append(
        f"  targets for {candidate['method']}: "
        + "; ".join(f"{text}: {'yes' if ok else 'NO'}" for text, ok in checks)
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--method", choices=MODEL_CHOICES, default="auto",
                        help="carecast's method under test (default: auto)")
    parser.add_argument("--levels", nargs="+", default=["ATC1", "ATC2"], choices=["ATC1", "ATC2"])
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--step", type=int, default=6, help="months between origins (default 6)")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-calibrate", action="store_true",
                        help="leave the intervals as the model made them")
    parser.add_argument("--csv", type=Path, help="also write the per-series scores here")
    parser.add_argument(
        "--value", choices=["Cost", "Scripts"], default="Cost",
        help="Scripts (volume) checks on series nothing was tuned on that settings carry over",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not PBS.exists():
        print(f"benchmark data not found: {PBS}", file=sys.stderr)
        return 2
    if _autoets() is None:
        print("statsforecast is not installed: AutoETS skipped "
              "(pip install -e '.[bench]')", file=sys.stderr)
    if args.method not in (*METHODS, "auto"):
        parser.error(f"unknown method {args.method}")
    print(f"PBS {args.value}; origins {args.origins} x {args.horizon} months, {args.step} months "
          f"apart; {args.samples} paths; seed {args.seed}")
    tables = []
    for level in args.levels:
        table = run_level(level, args)
        tables.append(table.with_columns(pl.lit(level).alias("level")))
        print(summarise(level, table, args.interval), flush=True)
    if args.csv:
        pl.concat(tables).write_csv(args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
