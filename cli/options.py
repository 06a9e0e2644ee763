"""Command-line parameters shared by several commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

Inputs = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Spend history: CSV, Excel (.xlsx) or Parquet; several are combined. "
        "None: the bundled illustrative sample.",
        show_default=False,
    ),
]
DateCol = Annotated[
    str | None, typer.Option("--date-col", help="Date/month column (detected when omitted).")
]
CategoryCol = Annotated[
    str | None, typer.Option("--category-col", help="Category column (detected when omitted).")
]
AmountCol = Annotated[
    str | None, typer.Option("--amount-col", help="Amount column (detected when omitted).")
]
GroupCol = Annotated[
    str | None,
    typer.Option(
        "--group-col",
        help="A level above category (gemeente): every group x category is its own series "
        "(detected when omitted).",
    ),
]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Excel sheet to read.")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Cut the history after this month (YYYY-MM).", metavar="YYYY-MM"),
]
ScenarioFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenario",
        "-s",
        help="Scenario file (TOML); repeat to compare scenarios side by side.",
    ),
]
Years = Annotated[int, typer.Option("--years", help="Budget years shown after the current year T.")]
ModelName = Annotated[
    str,
    typer.Option(
        "--model",
        help="auto (per category the method with the best backtest, intervals calibrated), "
        "prophet, seasonal-naive, snaive-drift or ets.",
    ),
]
Interval = Annotated[
    float, typer.Option("--interval", help="Width of the uncertainty interval (0.8 = 80 %).")
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the sample paths.")]
Samples = Annotated[int, typer.Option("--samples", help="Sample paths per category.", hidden=True)]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", help="Worker processes for the fits (default: all cores); same results."
    ),
]
DaskScheduler = Annotated[
    str | None,
    typer.Option(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="Fit on an existing Dask cluster (tcp://host:8786); needs carecast[dask].",
    ),
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of unexpected errors.")]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table for people; csv/json for machines; markdown for reports.",
    ),
]


class InspectFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


InspectFormatOption = Annotated[
    InspectFormat,
    typer.Option(
        "--format", "-f", case_sensitive=False, help="table for people; csv/json for machines."
    ),
]
