"""How accurate is each forecasting method on real monthly cost, and what does `auto` cost?

Data: PBS (Australian prescriptions) monthly Cost per ATC1 (15 series, 204 months; `--by ATC2` for
84 series). Printed:

1. the rolling-origin backtest of every method (3 origins x 12 months, 500 paths, 80 %
   intervals): mean and median MASE, monthly and annual coverage, mean absolute annual error
   in percent, and the seconds each method took;
2. `model="auto"` on the full history: wall time (Prophet import included) and the choices;
3. `auto` judged honestly: chosen on the data up to each of the 3 origins only (its own inner
   backtest never sees the held-out year), then scored on the year after that origin;
4. with `--short`: histories cut to 14-35 months (too short for a backtest), each baseline 12
   months ahead from 6 origins, MASE on the lag-1 scale so lengths compare - the measurement
   behind `models.forecast.AUTO_SHORT_DEFAULT`.

    .venv/bin/python benchmarks/methods_pbs.py [--by ATC1|ATC2] [--short]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.backtest import backtest, coverage, mase_scale  # noqa: E402
from models.baselines import month_from_index, month_index  # noqa: E402
from models.forecast import (  # noqa: E402
    METHODS,
    category_series,
    fit_method,
    forecast_categories,
    series_seed,
)
from models.loading import ColumnChoice, load_history  # noqa: E402

PBS = ROOT.parent / "shared" / "data" / "pbs_australia_monthly" / "PBS_tidy.csv"


def methods_table(monthly: pl.DataFrame) -> None:
    print("1. backtest, 3 origins x 12 months, 80 % intervals")
    print(f"   {'method':15s} {'MASE':>6s} {'median':>6s} {'cover':>6s} {'year':>6s} "
          f"{'year %':>7s} {'seconds':>8s}")
    for method in METHODS:
        started = time.perf_counter()
        result = backtest(monthly, methods=(method,), n_samples=500)
        seconds = time.perf_counter() - started
        s = result.summary
        print(f"   {method:15s} {s['mase'].mean():6.3f} {s['mase'].median():6.3f} "
              f"{s['coverage'].mean():6.1%} {s['year_coverage'].mean():6.1%} "
              f"{s['annual_error_percent'].mean():6.1f}% {seconds:8.2f}")


def auto_full(monthly: pl.DataFrame) -> None:
    last = monthly["month"].max()
    assert last is not None
    first = month_from_index(month_index(last) + 1)  # type: ignore[arg-type]
    started = time.perf_counter()
    forecasts = forecast_categories(monthly, first, 12, model="auto", n_samples=1000)
    seconds = time.perf_counter() - started
    choices = Counter(f.model for f in forecasts)
    print(f"2. auto on {len(forecasts)} series, full history: {seconds:.2f} s "
          f"(Prophet already imported); chose {dict(choices)}")


def auto_nested(monthly: pl.DataFrame) -> None:
    last = monthly["month"].max()
    assert last is not None
    end = month_index(last)  # type: ignore[arg-type]
    series = category_series(monthly)
    scaled, inside, choices = [], [], Counter[str]()
    for k in (1, 2, 3):
        origin = end - 12 * k
        first = month_from_index(origin + 1)
        for f in forecast_categories(monthly.filter(pl.col("month") < first), first, 12,
                                     model="auto", n_samples=500):
            months, values = series[f.category]
            index = np.array([month_index(m) for m in months])
            train = values[index <= origin]
            held = values[(index > origin) & (index <= origin + 12)]
            lower, upper = np.quantile(f.paths, [0.1, 0.9], axis=0)
            scaled.append(np.mean(np.abs(held - f.paths.mean(axis=0))) / (mase_scale(train) or 1))
            inside.append(coverage(held, lower, upper))
            choices[f.model] += 1
    print(f"3. auto chosen without the held-out year: mean MASE {np.mean(scaled):.3f}, "
          f"coverage {np.mean(inside):.1%}; chose {dict(choices)}")


def short_histories(monthly: pl.DataFrame) -> None:
    print("4. short histories (no backtest possible): MASE on the lag-1 scale, mean / median / "
          "80 % coverage")
    series = category_series(monthly)
    methods = ("seasonal-naive", "snaive-drift", "ets")
    for length in (14, 18, 21, 24, 30, 35):
        found: dict[str, tuple[list[float], list[float]]] = {m: ([], []) for m in methods}
        for category, (months, values) in series.items():
            for k in range(1, 7):
                origin = len(values) - 1 - 12 * k
                if origin - length + 1 < 0:
                    continue
                train = values[origin - length + 1 : origin + 1]
                held = values[origin + 1 : origin + 13]
                scale = float(np.mean(np.abs(np.diff(train))))
                if scale == 0:
                    continue
                future = [month_from_index(month_index(months[origin]) + h) for h in range(1, 13)]
                for method in methods:
                    paths = fit_method(method, months[origin - length + 1 : origin + 1], train,
                                       future, n_samples=300,
                                       seed=series_seed(0, category)).paths
                    lower, upper = np.quantile(paths, [0.1, 0.9], axis=0)
                    found[method][0].append(np.mean(np.abs(held - paths.mean(axis=0))) / scale)
                    found[method][1].append(coverage(held, lower, upper))
        cells = "  ".join(
            f"{m} {np.mean(a):.2f}/{np.median(a):.2f}/{np.mean(c):.0%}"
            for m, (a, c) in found.items()
        )
        print(f"   {length} months: {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--by", default="ATC1", choices=("ATC1", "ATC2"))
    parser.add_argument("--short", action="store_true")
    args = parser.parse_args()
    history = load_history([PBS], ColumnChoice(date="Month", category=args.by, amount="Cost"))
    monthly = history.monthly
    print(f"PBS Cost per {args.by}: {monthly['category'].n_unique()} series")
    methods_table(monthly)
    auto_full(monthly)
    auto_nested(monthly)
    if args.short:
        short_histories(monthly)


if __name__ == "__main__":
    main()
