"""`carecast forecast`: the main job — history in, forecast per category and budget year out."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.guard import FINDING, guarded, writing_output
from cli.options import (
    AmountCol,
    AsOf,
    CategoryCol,
    DaskScheduler,
    DateCol,
    Debug,
    Force,
    Format,
    FormatOption,
    GroupCol,
    Inputs,
    Interval,
    Jobs,
    ModelName,
    Output,
    Samples,
    ScenarioFiles,
    Seed,
    Sheet,
    Years,
)


@guarded
def forecast(
    inputs: Inputs = None,
    date_col: DateCol = None,
    category_col: CategoryCol = None,
    amount_col: AmountCol = None,
    group_col: GroupCol = None,
    sheet: Sheet = None,
    scenario: ScenarioFiles = None,
    years: Years = 3,
    as_of: AsOf = None,
    model: ModelName = "auto",
    interval: Interval = 0.8,
    seed: Seed = 0,
    samples: Samples = 1000,
    jobs: Jobs = None,
    dask_scheduler: DaskScheduler = None,
    output_format: FormatOption = Format.table,
    output: Output = None,
    force: Force = False,
    fail_on_shortfall: Annotated[
        bool,
        typer.Option(
            "--fail-on-shortfall",
            help="Exit 1 when any row (category, domain or total) runs short of its budget in "
            "any year shown.",
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
    from cli.inputs import forecast_report

    if output is not None:
        # fail before minutes of fitting
        formats.check_output_target(
            output, force=force, inputs=formats.files_named(inputs, scenario)
        )
    report = forecast_report(
        inputs, (date_col, category_col, amount_col, group_col), sheet, scenario,
        years=years, as_of=as_of, model=model, interval=interval, seed=seed, samples=samples,
        jobs=jobs, scheduler=dask_scheduler,
    )  # fmt: skip

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
            print(render.shortfall_line(report), file=sys.stderr)
            raise typer.Exit(FINDING)
