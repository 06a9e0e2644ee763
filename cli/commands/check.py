"""`carecast check`: the forecast of today against a snapshot, for regression checks in CI."""

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
    DaskScheduler,
    DateCol,
    Debug,
    GroupCol,
    Inputs,
    InspectFormat,
    Interval,
    Jobs,
    ModelName,
    Samples,
    ScenarioFiles,
    Seed,
    Sheet,
    Years,
)


@guarded
def check(
    snapshot: Annotated[
        Path,
        typer.Option(
            "--snapshot",
            metavar="FILE",
            help="The snapshot (TOML) to compare with; --update writes it.",
        ),
    ],
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
    update: Annotated[
        bool,
        typer.Option("--update", help="Rewrite the snapshot with today's forecast (atomically)."),
    ] = False,
    tolerance_eur: Annotated[
        float | None,
        typer.Option(
            "--tolerance-eur",
            metavar="EUR",
            help="A money figure holds when it moved at most this many euro... [snapshot: 1]",
        ),
    ] = None,
    tolerance_percent: Annotated[
        float | None,
        typer.Option(
            "--tolerance-percent",
            metavar="PCT",
            help="...or at most this percentage of itself. [snapshot: 0.01]",
        ),
    ] = None,
    tolerance_probability: Annotated[
        float | None,
        typer.Option(
            "--tolerance-probability",
            metavar="P",
            help="How far an overspend probability may move (0.01: one point). [snapshot: 0.01]",
        ),
    ] = None,
    output_format: Annotated[
        InspectFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="table for people; json for machines; csv: a row per moved figure.",
        ),
    ] = InspectFormat.table,
    debug: Debug = False,
) -> None:
    """Forecast again and compare with a snapshot: exit 0 when every figure holds, 1 when one
    moved beyond tolerance (with the likely cause: a changed input, scenario, setting or library
    version), 2/3 for bad files.

    Tolerances come from the options, else from the snapshot's [tolerance], else EUR 1 or
    0.01 %. --update writes the snapshot (a new one, or today's figures) and exits 0.

    Example: carecast check --snapshot snapshot.toml grootboek.csv --scenario begroting.toml
    """
    from dataclasses import replace

    from cli import formats, render
    from cli.inputs import forecast_report
    from models.errors import ProblemList, UsageError
    from models.versions import carecast_version, library_versions
    from scenarios.snapshot import (
        Tolerance,
        compare,
        dumps_snapshot,
        load_snapshot,
        looks_like_snapshot,
        snapshot_of,
    )

    exists = snapshot.exists()
    if snapshot.is_dir():
        raise UsageError("is a directory", source=str(snapshot), where="--snapshot",
                         hint="give the snapshot's file name")  # fmt: skip
    if not exists and not update:
        raise UsageError(
            "snapshot not found",
            source=str(snapshot),
            where="--snapshot",
            hint="create it with --update (and commit it), then check against it",
        )
    if update:
        formats.check_output_target(
            snapshot, force=True, inputs=formats.files_named(inputs, scenario), option="--snapshot"
        )
    then = None
    if exists:
        try:
            then = load_snapshot(snapshot)
        except ProblemList as error:
            if not update:
                raise
            if not looks_like_snapshot(snapshot):  # some other file of the user's: keep it
                raise UsageError(
                    "not a carecast snapshot, so --update does not replace it",
                    source=str(snapshot),
                    where="--snapshot",
                    hint="give the snapshot a file name of its own",
                ) from None
            # asked to rewrite it: a snapshot that cannot be read is replaced, and said so
            for line in error.lines():
                print(line.replace("error: ", "warning: ", 1), file=sys.stderr)
            print(f"warning: {snapshot}: cannot be read; --update writes a new one",
                  file=sys.stderr)  # fmt: skip
    base = then.tolerance if then is not None else Tolerance()
    given = {"eur": tolerance_eur, "percent": tolerance_percent,
             "probability": tolerance_probability}  # fmt: skip
    tolerance = replace(base, **{k: v for k, v in given.items() if v is not None})
    tolerance.check()

    report = forecast_report(
        inputs, (date_col, category_col, amount_col, group_col), sheet, scenario,
        years=years, as_of=as_of, model=model, interval=interval, seed=seed, samples=samples,
        jobs=jobs, scheduler=dask_scheduler,
    )  # fmt: skip
    now = snapshot_of(
        report, carecast_version=carecast_version(), versions=library_versions(),
        tolerance=tolerance,
    )  # fmt: skip
    comparison = compare(then, now, tolerance) if then is not None else None

    with writing_output():
        if output_format is InspectFormat.json:
            data = formats.check_dict(comparison, now, str(snapshot), updated=update)
            sys.stdout.write(formats.dumps_json(data))
        elif output_format is InspectFormat.csv:
            sys.stdout.write(formats.check_csv(comparison))
        else:
            render.print_renderables(render.check_renderables(comparison, now), sys.stdout)

    if update:
        with writing_output(str(snapshot)):
            formats.write_output(dumps_snapshot(now), snapshot, force=True)
        if comparison is None:
            print(f"wrote {snapshot}: a new snapshot of {len(now.figures)} figures",
                  file=sys.stderr)  # fmt: skip
        else:
            moved = len({m.figure.key for m in comparison.moved})
            print(
                f"updated {snapshot}: {moved} figure(s) moved, {len(comparison.added)} new, "
                f"{len(comparison.removed)} gone",
                file=sys.stderr,
            )
        return
    assert comparison is not None
    if not comparison.ok:
        moved = len({m.figure.key for m in comparison.moved})
        print(
            f"check: against {snapshot}: {moved} figure(s) moved beyond tolerance, "
            f"{len(comparison.added)} new, {len(comparison.removed)} gone",
            file=sys.stderr,
        )
        raise typer.Exit(FINDING)
