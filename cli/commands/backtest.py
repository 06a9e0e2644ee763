"""`carecast backtest`: how well each method would have forecast months we already know."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.guard import guarded, writing_output
from cli.options import (
    AmountCol,
    AsOf,
    CategoryCol,
    DateCol,
    Debug,
    Force,
    GroupCol,
    Inputs,
    InspectFormat,
    InspectFormatOption,
    Output,
    Sheet,
)


@guarded
def backtest(
    inputs: Inputs = None,
    date_col: DateCol = None,
    category_col: CategoryCol = None,
    amount_col: AmountCol = None,
    group_col: GroupCol = None,
    sheet: Sheet = None,
    as_of: AsOf = None,
    origins: Annotated[
        int, typer.Option("--origins", help="Forecast origins, a horizon apart, at month ends.")
    ] = 3,
    horizon_months: Annotated[
        int, typer.Option("--horizon-months", help="Months forecast from each origin.")
    ] = 12,
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="Methods to score (repeatable): prophet, seasonal-naive, snaive-drift, ets. "
            "Default: all.",
        ),
    ] = None,
    interval: Annotated[float, typer.Option("--interval", help="Interval width scored.")] = 0.8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample paths.")] = 0,
    output_format: InspectFormatOption = InspectFormat.table,
    output: Output = None,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Rolling-origin accuracy per category and method, against the baselines.

    Each fit sees only the months up to its origin. Scores: MASE (scaled by the in-sample error
    of last year's same month), sMAPE, interval coverage, and the error of the year total in euro
    and percent.

    Example: carecast backtest grootboek.csv --origins 3 --horizon-months 12
    """
    from cli import formats, render
    from cli.inputs import resolve_inputs
    from models.backtest import backtest as run_backtest
    from models.errors import UsageError
    from models.forecast import METHODS
    from models.history import parse_as_of, prepare_history
    from models.loading import ColumnChoice, load_history
    from models.series import shown

    methods = tuple(dict.fromkeys(method or METHODS))  # a method named twice is scored once
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise UsageError(f"unknown --method {', '.join(unknown)}", hint="use " + ", ".join(METHODS))
    for name, value, top in (("--origins", origins, 12), ("--horizon-months", horizon_months, 36)):
        if not 1 <= value <= top:
            raise UsageError(
                f"must be 1 to {top}, got {value}",
                where=name,
                hint="the defaults are 3 origins of 12 months",
            )
    if seed < 0:
        raise UsageError(
            f"must be 0 or more, not {seed}", where="--seed", hint="any whole number from 0"
        )
    if not 0.0 < interval < 1.0:
        raise UsageError(
            f"--interval must be between 0 and 1, got {interval}",
            hint="0.8 means an 80 % interval",
        )
    if output is not None:
        formats.check_output_target(output, force=force, inputs=inputs or [])
    chosen = resolve_inputs(inputs)
    history = load_history(
        chosen.paths,
        ColumnChoice(date=date_col, category=category_col, amount=amount_col, group=group_col),
        sheet,
    )
    prepared = prepare_history(history, parse_as_of(as_of) if as_of else None)
    render.notes(history.sources)  # as forecast says them: dropped rows, (no category), …
    render.warn(prepared.warnings)
    result = run_backtest(
        prepared.monthly,
        origins=origins,
        horizon=horizon_months,
        methods=methods,
        seed=seed,
        interval=interval,
    )
    if result.summary.height == 0:
        raise UsageError(
            "no category has enough history to backtest",
            hint=f"each origin needs 24 months before it and {horizon_months} after it; "
            "try fewer --origins or a shorter --horizon-months",
        )
    render.warn(
        [f"{shown(category)}: not backtested ({reason})" for category, reason in result.skipped]
    )
    with writing_output(str(output or "stdout")):
        if output_format is InspectFormat.table:
            items = render.backtest_renderables(result)
            if output is None:
                render.print_renderables(items, sys.stdout)
                return
            text = render.renderables_text(items)
        elif output_format is InspectFormat.json:
            text = formats.dumps_json(formats.backtest_dict(result, seed))
        else:
            text = formats.to_csv(formats.shown_keys(result.summary), formats.BACKTEST_FIELDS)
        if output is None:
            sys.stdout.write(text)
        else:
            formats.write_output(text, output, force=force)
