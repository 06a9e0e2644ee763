"""`carecast forecast`: the main job — history in, forecast per category and budget year out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.guard import FINDING, guarded, writing_output
from cli.options import (
    AmountCol,
    AsOf,
    CategoryCol,
    DateCol,
    Debug,
    Force,
    Format,
    FormatOption,
    Inputs,
    Output,
    Sheet,
)


@guarded
def forecast(
    inputs: Inputs = None,
    date_col: DateCol = None,
    category_col: CategoryCol = None,
    amount_col: AmountCol = None,
    sheet: Sheet = None,
    scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Scenario file (TOML); repeat to compare scenarios side by side.",
        ),
    ] = None,
    years: Annotated[
        int, typer.Option("--years", help="Budget years shown after the current year T.")
    ] = 3,
    as_of: AsOf = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="auto (per category the method with the best backtest, intervals calibrated), "
            "prophet, seasonal-naive, snaive-drift or ets.",
        ),
    ] = "auto",
    interval: Annotated[
        float, typer.Option("--interval", help="Width of the uncertainty interval (0.8 = 80 %).")
    ] = 0.8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample paths.")] = 0,
    samples: Annotated[
        int, typer.Option("--samples", help="Sample paths per category.", hidden=True)
    ] = 1000,
    output_format: FormatOption = Format.table,
    output: Output = None,
    force: Force = False,
    fail_on_shortfall: Annotated[
        bool,
        typer.Option(
            "--fail-on-shortfall", help="Exit 1 when any year's total exceeds its budget."
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Forecast spending per care category for the current year and the budget years after it.

    The current year T is actuals to date plus the forecast for its remaining months; the forecast
    starts after the last complete month of the data, never from today's date.

    Example: carecast forecast ledger.csv --years 4 --format markdown
    """
    from cli import formats, render
    from cli.inputs import resolve_inputs
    from models.history import parse_as_of
    from models.loading import ColumnChoice
    from scenarios.run import ForecastSettings, run_forecast

    if output is not None:
        # fail before minutes of fitting
        formats.check_output_target(
            output, force=force, inputs=[*(inputs or []), *(scenario or [])]
        )
    settings = ForecastSettings(
        years=years,
        as_of=parse_as_of(as_of) if as_of else None,
        model=model,
        interval=interval,
        seed=seed,
        samples=samples,
    )
    chosen = resolve_inputs(inputs)
    report = run_forecast(
        chosen.paths,
        settings,
        ColumnChoice(date=date_col, category=category_col, amount=amount_col),
        sheet,
        caption=chosen.caption,
        labels=chosen.labels,
        scenario_files=scenario or [],
    )
    render.notes(report.sources)
    render.warn(report.warnings)

    with writing_output(str(output or "stdout")):
        if output_format is Format.table:
            items = render.forecast_tables(report)
            if output is None:
                render.print_renderables(items, sys.stdout)
            else:
                formats.write_output(render.renderables_text(items), output, force=force)
        else:
            text = {
                Format.csv: formats.report_csv,
                Format.json: lambda r: formats.dumps_json(formats.report_dict(r)),
                Format.markdown: formats.report_markdown,
            }[output_format](report)
            if output is None:
                sys.stdout.write(text)
            else:
                formats.write_output(text, output, force=force)

    if fail_on_shortfall:
        if report.annual["budget"].is_null().all():
            # a check that cannot fail must not look like one in a pipeline
            render.warn(["--fail-on-shortfall: no budget for the years shown, nothing checked"])
        elif report.has_shortfall():
            print("shortfall: at least one year's total exceeds its budget", file=sys.stderr)
            raise typer.Exit(FINDING)
