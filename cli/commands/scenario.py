"""`carecast scenario new | check | show`: write, validate and read scenario files."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.guard import guarded, writing_output
from cli.options import Debug

app = typer.Typer(
    help="Write, check and show scenario files (TOML what-ifs).",
    no_args_is_help=True,
)

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        metavar="DATA",
        help="Spend history whose categories the scenario must name (repeatable). "
        "Default for `new`: the bundled sample.",
    ),
]
ForceNew = Annotated[bool, typer.Option("--force", help="Replace an existing FILE.")]


def _check_new_target(path: Path, *, force: bool) -> None:
    """Refuse to write FILE before any work; the messages name the file, not `--output`
    (FILE is an argument here, so cli/formats' `--output` wording would mislead)."""
    from models.errors import UsageError

    if path.is_dir():
        raise UsageError("is a directory", source=str(path), hint="give a file name")
    if path.exists() and not force:
        raise UsageError("file exists", source=str(path), hint="use --force to replace it")
    if not path.resolve().parent.is_dir():
        raise UsageError(
            "folder does not exist", source=str(path), hint=f"create {path.resolve().parent} first"
        )


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@app.command("new")
@guarded
def new(
    path: Annotated[Path, typer.Argument(help="The scenario file to write.", metavar="FILE")],
    data: DataOption = None,
    force: ForceNew = False,
    debug: Debug = False,
) -> None:
    """Write a complete, valid starting scenario, filled from the data's categories.

    Example: carecast scenario new voorjaarsnota.toml --data grootboek.csv
    """
    from cli import formats
    from cli.inputs import resolve_inputs
    from models.categories import domains_for
    from models.history import prepare_history
    from models.loading import load_history
    from models.series import split_series
    from scenarios.template import new_scenario_text

    _check_new_target(path, force=force)
    formats.check_output_target(path, force=force, inputs=data or [])
    chosen = resolve_inputs(data)
    history = load_history(chosen.paths)
    prepared = prepare_history(history)
    # a grouped input's series share their categories: the scenario names those
    keys = prepared.monthly["category"].unique(maintain_order=True).to_list()
    categories = list(dict.fromkeys(split_series(key)[1] for key in keys))
    domains = domains_for(categories, history.domains)
    # the first year whose every month is a forecast month: the template's dates lie there
    first_year = prepared.last_complete_month.year + 1
    text = new_scenario_text(categories, domains, first_year, grouped=history.grouped)
    with writing_output(str(path)):
        formats.write_output(text, path, force=force)
    print(f"wrote {path}: edit it, then run carecast forecast --scenario {path}", file=sys.stderr)


@app.command("check")
@guarded
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Scenario files (or budget files) to validate.", metavar="FILE..."),
    ],
    data: DataOption = None,
    debug: Debug = False,
) -> None:
    """Validate scenario files; every problem at once, exit 2 when there is one.

    A file with only a [budget] table is checked as a budget file. With --data, category names
    are checked against that history as well, and one-offs must lie after its actuals.

    Example: carecast scenario check voorjaarsnota.toml --data grootboek.csv
    """
    from models.categories import domains_for
    from models.errors import read_all
    from models.history import prepare_history
    from models.loading import load_history
    from models.series import split_series
    from scenarios.parse import is_budget_file, load_budget
    from scenarios.run import read_scenario

    categories: list[str] | None = None
    domains: dict[str, str] | None = None
    first_forecast: date | None = None
    grouped = False
    if data:
        history = load_history(data)
        grouped = history.grouped
        keys = history.monthly["category"].unique(maintain_order=True).to_list()
        categories = list(dict.fromkeys(split_series(key)[1] for key in keys))
        domains = domains_for(categories, history.domains)
        # as `forecast` does: the forecast starts after the last complete month
        first_forecast = _next_month(prepare_history(history).last_complete_month)

    def check_one(file: Path) -> None:
        if is_budget_file(file):
            budget = load_budget(file, categories)
            print(f"ok: {file}: budget file, {_budget_summary(budget.amounts)}", file=sys.stderr)
            return
        scenario = read_scenario(file, categories, domains, first_forecast, grouped=grouped)
        print(f"ok: {file}: scenario {scenario.name!r}", file=sys.stderr)

    try:
        read_all(files, check_one)
    finally:
        if categories is None:
            print("note: category names not checked against data (use --data)", file=sys.stderr)


def _budget_summary(amounts: dict[str, dict[int, float]]) -> str:
    """ "6 categories, years 2024–2029" (or "years 2024, 2026" when there are gaps)."""
    years = sorted({year for by_year in amounts.values() for year in by_year})
    count = f"{len(amounts)} categor{'y' if len(amounts) == 1 else 'ies'}"
    if not years:
        return count
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{count}, years {years[0]}–{years[-1]}"
    return f"{count}, year{'s' if len(years) > 1 else ''} " + ", ".join(map(str, years))


@app.command("show")
@guarded
def show(
    file: Annotated[Path, typer.Argument(help="The scenario file.", metavar="FILE")],
    debug: Debug = False,
) -> None:
    """Print the resolved scenario (with `extends` applied) as TOML.

    Example: carecast scenario show scenarios/examples/tariff_indexation.toml
    """
    from scenarios.parse import dumps_scenario, load_scenario

    with writing_output():
        sys.stdout.write(dumps_scenario(load_scenario(file)))
