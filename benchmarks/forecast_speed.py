"""How fast is carecast's forecast against the Prophet loop a user would write by hand?

Issue target: on PBS by ATC2 (84 monthly series, 204 months), 60 months ahead with intervals,
carecast must take at most 1.0x the wall time of the hand loop, both on one core.

Measured, each in its own pinned child process (`taskset -c CPU`, thread pools set to 1):

  (a) hand loop: pandas groupby; per series `Prophet().fit(df)` and
      `m.predict(m.make_future_dataframe(60, freq="MS"))` (default 80 % intervals, 1000 samples);
  (b) engine: `forecast_categories(...)` + `annual_summary(...)` (+ `monthly_summary` shown apart);
  (c) the whole CLI, `carecast forecast PBS_tidy.csv ... --years 5 --format json`, if installed,
      with the default model (auto) and with `--model prophet`;
  and `carecast --help`.

For (a) and (b) the in-process model time (imports and reading excluded) and the wall time of
the whole child (interpreter start, imports and reading included) are printed. `--breakdown`
adds a separate engine run that splits the time into Stan fit, predictive sampling and the rest.

    .venv/bin/python benchmarks/forecast_speed.py [--repeat 3] [--cpu 0] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PBS = ROOT.parent / "shared" / "data" / "pbs_australia_monthly" / "PBS_tidy.csv"
HORIZON = 60
ONE_THREAD = dict.fromkeys(
    ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
     "POLARS_MAX_THREADS", "STAN_NUM_THREADS"),
    "1",
)


# --------------------------------------------------------------------------- children


def _child_hand() -> dict[str, Any]:
    """The loop a user writes by hand (logging silenced as a user would, which only helps it)."""
    started = time.perf_counter()
    import logging

    import pandas as pd
    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    imported = time.perf_counter()
    raw = pd.read_csv(PBS, parse_dates=["Month"])
    data = raw.groupby(["ATC2", "Month"], as_index=False)["Cost"].sum()
    loaded = time.perf_counter()
    results = {}
    for name, group in data.groupby("ATC2"):
        df = group.rename(columns={"Month": "ds", "Cost": "y"})[["ds", "y"]]
        m = Prophet()
        m.fit(df)
        results[name] = m.predict(m.make_future_dataframe(HORIZON, freq="MS"))
    done = time.perf_counter()
    return {
        "series": len(results),
        "import_s": imported - started,
        "load_s": loaded - imported,
        "model_s": done - loaded,
    }


def _pbs_monthly() -> Any:
    import polars as pl

    raw = pl.read_csv(PBS, try_parse_dates=True)
    return (
        raw.group_by("ATC2", "Month")
        .agg(pl.col("Cost").sum())
        .sort("ATC2", "Month")
        .rename({"ATC2": "category", "Month": "month", "Cost": "amount"})
    )


def _child_engine(breakdown: bool) -> dict[str, Any]:
    started = time.perf_counter()
    from models.aggregate import annual_summary, monthly_summary
    from models.forecast import forecast_categories

    monthly = _pbs_monthly()
    last = monthly.get_column("month").max()
    assert isinstance(last, date)
    first = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    domains = dict.fromkeys(monthly.get_column("category").unique().to_list(), "overig")
    loaded = time.perf_counter()
    # Prophet is imported lazily by the first fit; time that import apart from the model work
    import models.prophet_model as prophet_model

    imported = time.perf_counter()
    timers: dict[str, float] = {}
    if breakdown:
        _instrument(prophet_model, timers)
    fit_start = time.perf_counter()
    forecasts = forecast_categories(monthly, first, HORIZON, seed=0, n_samples=1000)
    fitted = time.perf_counter()
    years = list(range(first.year, first.year + (HORIZON + first.month - 1) // 12))
    annual = annual_summary(monthly, forecasts, domains, years)
    summarised = time.perf_counter()
    monthly_rows = monthly_summary(monthly, forecasts, domains, start_year=first.year - 1)
    monthly_done = time.perf_counter()
    models: dict[str, int] = {}
    for f in forecasts:
        models[f.model] = models.get(f.model, 0) + 1
    return {
        "series": len(forecasts),
        "models": models,
        "annual_rows": annual.height,
        "monthly_rows": monthly_rows.height,
        "import_s": imported - loaded,  # the lazy prophet import
        "load_s": loaded - started,
        "forecast_s": fitted - fit_start,
        "annual_s": summarised - fitted,
        "monthly_s": monthly_done - summarised,
        "model_s": summarised - fit_start,
        "timers": timers,
    }


def _instrument(prophet_model: Any, timers: dict[str, float]) -> None:
    """Wrap the expensive steps with timers (for --breakdown only: it adds a little overhead)."""
    from prophet import Prophet
    from prophet.models import CmdStanPyBackend

    def wrap(owner: Any, name: str, key: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers[key] = timers.get(key, 0.0) + time.perf_counter() - t

        setattr(owner, name, timed)

    wrap(prophet_model, "prophet_paths", "prophet_paths (all Prophet work)")
    wrap(Prophet, "fit", "Prophet.fit")
    wrap(Prophet, "preprocess", "  of which preprocess (pandas)")
    wrap(CmdStanPyBackend, "fit", "  of which Stan optimise (JSON, subprocess, CSV)")
    wrap(Prophet, "predictive_samples", "Prophet.predictive_samples")


# --------------------------------------------------------------------------- parent


def _pinned(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") else []


def _run_child(kind: str, cpu: int, breakdown: bool = False) -> tuple[dict[str, Any], float]:
    command = [*_pinned(cpu), sys.executable, __file__, "--child", kind]
    if breakdown:
        command.append("--breakdown")
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1]), wall


def _cli_available() -> Path | None:
    exe = Path(sys.executable).parent / "carecast"
    if not exe.exists():
        print("(c) skipped: no carecast executable next to this Python")
        return None
    probe = subprocess.run([sys.executable, "-c", "import cli.app"], capture_output=True,
                           text=True, cwd=ROOT)
    if probe.returncode != 0:
        print("(c) skipped: the cli package is not importable yet")
        return None
    return exe


def _time_command(command: list[str], cpu: int) -> tuple[float, int, str]:
    env = {**os.environ, **ONE_THREAD}
    started = time.perf_counter()
    result = subprocess.run([*_pinned(cpu), *command], capture_output=True, text=True, env=env,
                            cwd=ROOT)
    return time.perf_counter() - started, result.returncode, result.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["hand", "engine"])
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=0)
    args = parser.parse_args()
    if args.child == "hand":
        print(json.dumps(_child_hand()))
        return
    if args.child == "engine":
        print(json.dumps(_child_engine(args.breakdown)))
        return
    if not PBS.exists():
        raise SystemExit(f"data not present: {PBS}")

    print(f"PBS by ATC2, {HORIZON} months ahead, 1000 samples, pinned to CPU {args.cpu}, "
          f"{args.repeat} run(s) each (best shown)")
    hand = min((_run_child("hand", args.cpu) for _ in range(args.repeat)),
               key=lambda r: r[0]["model_s"])
    engine = min((_run_child("engine", args.cpu) for _ in range(args.repeat)),
                 key=lambda r: r[0]["model_s"])
    n = hand[0]["series"]
    h, e = hand[0], engine[0]
    print(f"(a) hand loop    model {h['model_s']:6.2f} s  {1000 * h['model_s'] / n:5.1f} ms/series"
          f"   whole process {hand[1]:6.2f} s (import {h['import_s']:.2f} s,"
          f" read {h['load_s']:.2f} s)")
    print(f"(b) engine       model {e['model_s']:6.2f} s  {1000 * e['model_s'] / n:5.1f} ms/series"
          f"   whole process {engine[1]:6.2f} s (prophet import {e['import_s']:.2f} s,"
          f" read {e['load_s']:.2f} s)")
    print(f"    forecast_categories {e['forecast_s']:.2f} s, annual_summary {e['annual_s']:.3f} s"
          f" ({e['annual_rows']} rows); monthly_summary {e['monthly_s']:.3f} s"
          f" ({e['monthly_rows']} rows), models {e['models']}")
    print(f"    ratio engine/hand: model {e['model_s'] / h['model_s']:.2f}x,"
          f" whole process {engine[1] / hand[1]:.2f}x   (target <= 1.00x)")

    if args.breakdown:
        detail, _ = _run_child("engine", args.cpu, breakdown=True)
        print("    breakdown (instrumented run):")
        timers = detail["timers"]
        order = ["prophet_paths (all Prophet work)", "Prophet.fit",
                 "  of which preprocess (pandas)",
                 "  of which Stan optimise (JSON, subprocess, CSV)", "Prophet.predictive_samples"]
        for key in order:
            seconds = timers.get(key, 0.0)
            print(f"      {key:50s} {seconds:6.2f} s  {1000 * seconds / n:5.1f} ms/series")
        rest = detail["model_s"] - detail["timers"].get("prophet_paths (all Prophet work)", 0.0)
        print(f"      {'rest (polars, seeding, clipping, annual)':50s} {rest:6.2f} s")

    exe = _cli_available()
    if exe is not None:
        command = [str(exe), "forecast", str(PBS), "--date-col", "Month", "--category-col",
                   "ATC2", "--amount-col", "Cost", "--years", "5", "--format", "json"]
        # The default (auto: a 3-origin backtest of every method per category, then calibrated
        # intervals) and Prophet alone (one fit per category, the hand loop's work).
        for label, extra in (("default (auto)", []), ("--model prophet", ["--model", "prophet"])):
            runs = [_time_command([*command, *extra], args.cpu) for _ in range(args.repeat)]
            wall, code, err = min(runs)
            status = "ok" if code == 0 else f"exit {code}: {err.splitlines()[-1] if err else ''}"
            print(f"(c) CLI forecast --format json, {label:16s} {wall:6.2f} s  ({status});"
                  f" vs hand-loop process {wall / hand[1]:.2f}x")
        helps = [_time_command([str(exe), "--help"], args.cpu) for _ in range(max(3, args.repeat))]
        print(f"    carecast --help              {min(r[0] for r in helps):6.2f} s")


if __name__ == "__main__":
    main()
