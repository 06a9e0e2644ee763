"""Scale: many series on one machine (--jobs) and on Dask, and a 10-million-line input.

Issue targets (Scale), measured side by side in one run, each command in its own process:

1. Throughput, series per second, on PBS (336 series: Concession x Type as the group, ATC2 as
   the category) and on the national sample (scripts/make_national_sample.py, the first
   --gemeenten by name): `carecast forecast --jobs 2` against the plain hand-written Prophet
   loop (pandas groupby; per series Prophet().fit and predict with its default intervals) on
   the same series and horizon. Target: at least 1.8x the loop's rate on 2 cores, with the same
   bytes as --jobs 1. `--model prophet` is the like-for-like comparison; the default (auto:
   four methods backtested per series, then calibrated) is shown too.
2. Where the time goes per series: an in-process run of the steps (load, fit and sampling,
   calibration, sums, json), one core.
3. A declarations file (scripts/make_declarations.py, --lines, default 10 million): wall time
   and peak memory of `carecast inspect` (streaming) against pandas read_csv + groupby.
4. Dask: a LocalCluster with 2 worker processes against --jobs 2 on PBS, prophet: the ratio.

    .venv/bin/python benchmarks/scale.py [--gemeenten 40] [--lines 10000000] [--parts ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PBS = ROOT.parent / "shared" / "data" / "pbs_australia_monthly" / "PBS_tidy.csv"
CARECAST = Path(sys.executable).parent / "carecast"
YEARS = 3
PARTS = ["pbs", "national", "breakdown", "declarations", "dask"]


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB (the process itself, not its workers) and exit code."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    # stderr to a file, not a pipe: a chatty child (Prophet's log lines) would fill a pipe
    # that nobody reads until it ends, and wait forever
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log,
                                   env=environment, cwd=ROOT)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        log.seek(0)
        errors = log.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"  ! {' '.join(command[:3])}… exited {code}: {errors.strip()[-300:]}")
    return wall, usage.ru_maxrss / 1024, code


HAND_LOOP = """
import logging, sys, time
import pandas as pd
from prophet import Prophet
logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
logging.getLogger("prophet").setLevel(logging.WARNING)
path, group, category, horizon = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
raw = pd.read_csv(path, sep=";", decimal=",", parse_dates=["Maand"])
data = raw.groupby([group, category, "Maand"], as_index=False)["Bedrag"].sum()
for _, series in data.groupby([group, category]):
    df = series.rename(columns={"Maand": "ds", "Bedrag": "y"})[["ds", "y"]]
    m = Prophet()
    m.fit(df)
    m.predict(m.make_future_dataframe(horizon, freq="MS"))
"""


def pbs_input(folder: Path) -> Path:
    """PBS Cost as a grouped Dutch-style file: Gemeente (Concession/Type), Taakveld (ATC2)."""
    import polars as pl

    raw = pl.read_csv(PBS, try_parse_dates=True)
    frame = raw.select(
        pl.concat_str("Concession", pl.lit(" "), "Type").alias("Gemeente"),
        pl.col("Month").dt.strftime("%Y-%m").alias("Maand"),
        pl.col("ATC2").alias("Taakveld"),
        pl.col("Cost").alias("Bedrag"),
    )
    path = folder / "pbs_grouped.csv"
    frame.write_csv(path, separator=";", decimal_comma=True)
    return path


def national_input(folder: Path, gemeenten: int) -> Path:
    path = folder / "national.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_national_sample.py"),
                    "--output", str(path), "--gemeenten", str(gemeenten)], check=True,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    text = path.read_text(encoding="utf-8")
    text = text.replace("Periode;Taakveld;Lasten", "Maand;Taakveld;Bedrag", 1)
    path.write_text(text, encoding="utf-8")
    return path


def series_count(path: Path) -> int:
    import polars as pl

    frame = pl.read_csv(path, separator=";", infer_schema=False)
    return frame.select("Gemeente", "Taakveld").n_unique()


def horizon_months(path: Path) -> int:
    """Months from the data's last month to the end of T + YEARS (carecast's default)."""
    import polars as pl

    last = pl.read_csv(path, separator=";", infer_schema=False)["Maand"].max()
    return (YEARS + 1) * 12 - int(str(last)[5:7])


def throughput(name: str, path: Path, folder: Path) -> None:
    series = series_count(path)
    horizon = horizon_months(path)
    print(f"\n1. throughput on {name}: {series} series, {horizon} months ahead")
    hand, _, _ = run([sys.executable, "-c", HAND_LOOP, str(path), "Gemeente", "Taakveld",
                      str(horizon)])  # fmt: skip
    print(f"   hand-written Prophet loop (1 process)  {hand:7.1f} s  {series / hand:6.1f} series/s")
    outputs: dict[str, bytes] = {}
    for model in ("prophet", "auto"):
        for jobs in (1, 2):
            out = folder / f"{name}-{model}-{jobs}.json"
            wall, _, code = run([str(CARECAST), "forecast", str(path), "--model", model,
                                 "--jobs", str(jobs), "--format", "json", "-o", str(out),
                                 "--force"])  # fmt: skip
            if code == 0:
                outputs[f"{model}-{jobs}"] = out.read_bytes()
            rate = series / wall
            print(f"   carecast --model {model:7s} --jobs {jobs}  {wall:7.1f} s  "
                  f"{rate:6.1f} series/s  {hand / wall:4.2f}x the loop's rate")  # fmt: skip
        same = outputs.get(f"{model}-1") == outputs.get(f"{model}-2")
        print(f"   --model {model}: --jobs 2 gives the same bytes as --jobs 1: {same}")


def breakdown(path: Path) -> None:
    """One core, in this process: the steps of a --model prophet forecast."""
    from cli.formats import dumps_json, report_dict
    from models import calibrate, forecast
    from models.loading import load_history
    from scenarios import run as run_module

    timers: dict[str, float] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers[label] = timers.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    import models.prophet_model as prophet_model

    timed(run_module, "load_history", "load and aggregate the file")
    timed(run_module, "forecast_categories", "fit and sample every series")
    timed(prophet_model._MonthlyProphet, "fit", "  of which Prophet.fit (Stan optimising)")
    timed(prophet_model._MonthlyProphet, "predictive_samples", "  of which Prophet's sampling")
    timed(run_module, "calibrate_forecasts", "calibrate")
    timed(run_module, "annual_summary", "annual sums (path by path)")
    timed(run_module, "monthly_summary", "monthly rows")
    del calibrate, forecast, load_history
    settings = run_module.ForecastSettings(model="prophet", jobs=1)
    started = time.perf_counter()
    report = run_module.run_forecast([path], settings)
    middle = time.perf_counter()
    dumps_json(report_dict(report))
    timers["json"] = time.perf_counter() - middle
    total = time.perf_counter() - started + timers["json"]
    series = len(report.categories)
    print(f"\n2. where the time goes (PBS, --model prophet, one core, {series} series)")
    for label, seconds in timers.items():
        print(f"   {label:42s} {seconds:6.2f} s  {1000 * seconds / series:6.1f} ms/series")
    print(f"   {'total':42s} {total:6.2f} s")


PANDAS_GROUPBY = """
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1], sep=";", decimal=",")
frame.groupby(["Product", "Periode"])["Bedrag"].sum()
"""


def declarations(folder: Path, lines: int) -> None:
    path = folder / "declaraties.csv"
    script = ROOT / "scripts" / "make_declarations.py"
    subprocess.run([sys.executable, str(script), "--output", str(path), "--lines", str(lines)],
                   check=True, stderr=subprocess.DEVNULL)  # fmt: skip
    size = path.stat().st_size / 2**20
    print(f"\n3. a declarations file: {lines:,} lines, {size:,.0f} MB")
    wall, peak, _ = run([str(CARECAST), "inspect", str(path), "--format", "csv"])
    print(f"   carecast inspect (streaming)       {wall:6.1f} s   peak {peak:7,.0f} MB")
    pandas_wall, pandas_peak, _ = run([sys.executable, "-c", PANDAS_GROUPBY, str(path)])
    print(f"   pandas read_csv + groupby          {pandas_wall:6.1f} s   "
          f"peak {pandas_peak:7,.0f} MB")
    print(f"   carecast / pandas: time {wall / pandas_wall:.2f}x, memory {peak / pandas_peak:.2f}x")
    path.unlink()


def dask_overhead(path: Path, folder: Path) -> None:
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)  # fmt: skip
    try:
        command = [str(CARECAST), "forecast", str(path), "--model", "prophet", "--format", "json"]
        local, _, _ = run([*command, "--jobs", "2", "-o", str(folder / "j2.json"), "--force"])
        dask, _, _ = run([*command, "--dask-scheduler", cluster.scheduler_address,
                          "-o", str(folder / "dask.json"), "--force"])  # fmt: skip
    finally:
        cluster.close()
    same = (folder / "j2.json").read_bytes() == (folder / "dask.json").read_bytes()
    print("\n4. Dask LocalCluster (2 worker processes) against --jobs 2, PBS, prophet")
    print(f"   --jobs 2 {local:6.1f} s   dask {dask:6.1f} s   ratio {dask / local:.2f}x   "
          f"same bytes: {same}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gemeenten", type=int, default=40, help="national sample size")
    parser.add_argument("--lines", type=int, default=10_000_000, help="declarations lines")
    parser.add_argument(
        "--parts", nargs="+", default=PARTS, choices=PARTS, help="what to run (default: all)"
    )
    args = parser.parse_args(argv)
    if not PBS.exists():
        print(f"benchmark data not found: {PBS}", file=sys.stderr)
        return 2
    print(f"{os.cpu_count()} cores; carecast {CARECAST}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        pbs = pbs_input(folder)
        if "pbs" in args.parts:
            throughput("PBS", pbs, folder)
        if "national" in args.parts:
            throughput(f"the national sample ({args.gemeenten} gemeenten)",
                       national_input(folder, args.gemeenten), folder)  # fmt: skip
        if "breakdown" in args.parts:
            breakdown(pbs)
        if "declarations" in args.parts:
            declarations(folder, args.lines)
        if "dask" in args.parts:
            dask_overhead(pbs, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
