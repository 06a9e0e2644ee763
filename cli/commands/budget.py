"""`carecast budget from-iv3`: a budget TOML from a real Iv3 begroting file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.guard import guarded, writing_output
from cli.options import Debug, Force

app = typer.Typer(help="Make budget files.", no_args_is_help=True)

# cli.options.Output without a metavar shows `<path>` in --help
OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write to this file (atomically) instead of stdout."
    ),
]


@app.command("from-iv3")
@guarded
def from_iv3(
    file: Annotated[
        Path,
        typer.Argument(help="A CBS Iv3 begroting file (';', × € 1.000).", metavar="FILE"),
    ],
    gemeente: Annotated[
        str,
        typer.Option(
            "--gemeente",
            metavar="NAME",
            help="The municipality as CBS spells it, e.g. Midden-Drenthe.",
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year", metavar="YEAR", help="Budget year (default: the year in the file name)."
        ),
    ] = None,
    output: OutputFile = None,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Turn the care taakvelden of one gemeente in an Iv3 begroting into a budget TOML.

    Example: carecast budget from-iv3 iv3_2024_begroting.csv --gemeente Midden-Drenthe -o b.toml
    """
    from cli import formats
    from scenarios.budget import budget_from_iv3, dumps_budget

    if output is not None:
        formats.check_output_target(output, force=force, inputs=[file])
    budget = budget_from_iv3(file, gemeente, year=year)
    for note in budget.notes:
        print(f"note: {file}: {note}", file=sys.stderr)
    text = dumps_budget(budget)
    with writing_output(str(output or "stdout")):
        if output is None:
            sys.stdout.write(text)
        else:
            formats.write_output(text, output, force=force)
            print(f"wrote {output}", file=sys.stderr)
