"""`carecast scenario new | check | show`: write, validate and read scenario files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.guard import guarded, writing_output
from cli.options import Debug, Force

app = typer.Typer(
    help="Write, check and show scenario files (TOML what-ifs).",
    no_args_is_help=True,
)

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Spend history whose categories the scenario must name (repeatable). "
        "Default for `new`: the bundled sample.",
    ),
]


@app.command("new")
@guarded
def new(
    path: Annotated[Path, typer.Argument(help="The scenario file to write.")],
    data: DataOption = None,
    force: Force = False,
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
    from scenarios.template import new_scenario_text

    formats.check_output_target(path, force=force, inputs=data or [])
    chosen = resolve_inputs(data)
    history = load_history(chosen.paths)
    prepared = prepare_history(history)
    categories = prepared.monthly["category"].unique(maintain_order=True).to_list()
    domains = domains_for(categories, history.domains)
    # the first year whose every month is a forecast month: the template's dates lie there
    first_year = prepared.last_complete_month.year + 1
    text = new_scenario_text(categories, domains, first_year)
    with writing_output(str(path)):
        formats.write_output(text, path, force=force)
    print(f"wrote {path}: edit it, then run carecast forecast --scenario {path}", file=sys.stderr)


@app.command("check")
@guarded
def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to validate.")],
    data: DataOption = None,
    debug: Debug = False,
) -> None:
    """Validate scenario files; every problem at once, exit 2 when there is one.

    With --data, category names are checked against that history as well.

    Example: carecast scenario check voorjaarsnota.toml --data grootboek.csv
    """
    from models.categories import domains_for
    from models.errors import CarecastError, ProblemList
    from models.loading import load_history
    from scenarios.parse import load_scenario

    categories: list[str] | None = None
    domains: dict[str, str] | None = None
    if data:
        history = load_history(data)
        categories = history.monthly["category"].unique(maintain_order=True).to_list()
        domains = domains_for(categories, history.domains)
    problems: list[CarecastError] = []
    for file in files:
        try:
            scenario = load_scenario(file, categories, domains=domains)
        except ProblemList as error:
            problems += error.problems
        except CarecastError as error:
            problems.append(error)
        else:
            print(f"ok: {file}: scenario {scenario.name!r}", file=sys.stderr)
    if categories is None:
        print("note: category names not checked against data (use --data)", file=sys.stderr)
    if problems:
        raise ProblemList(problems)


@app.command("show")
@guarded
def show(
    file: Annotated[Path, typer.Argument(help="The scenario file.")],
    debug: Debug = False,
) -> None:
    """Print the resolved scenario (with `extends` applied) as TOML.

    Example: carecast scenario show scenarios/examples/tariff_indexation.toml
    """
    from scenarios.parse import dumps_scenario, load_scenario

    with writing_output():
        sys.stdout.write(dumps_scenario(load_scenario(file)))
