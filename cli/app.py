"""The `carecast` command: the root Typer app, one module per command under cli/commands/.

Heavy libraries (polars, prophet, rich) are imported inside the commands, so `carecast --help`
stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.commands import backtest, budget, check, forecast, inspect, scenario
from cli.guard import INTERRUPTED, SUCCESS, USAGE, stop_on_sigterm

app = typer.Typer(
    name="carecast",
    help="Forecast social-care spending (jeugd, Wmo) per category and budget year.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command(name="forecast")(forecast.forecast)
app.command(name="inspect")(inspect.inspect)
app.command(name="backtest")(backtest.backtest)
app.command(name="check")(check.check)
app.add_typer(scenario.app, name="scenario")
app.add_typer(budget.app, name="budget")


def _show_version(value: bool) -> None:
    if value:
        from models.versions import version_lines

        for line in version_lines():
            typer.echo(line)
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show versions and exit."
        ),
    ] = False,
) -> None:
    """Forecast social-care spending (jeugd, Wmo) per category and budget year.

    Exit codes: 0 success, 1 a finding asked to fail (--fail-on-shortfall, a check that
    moved), 2 usage or
    scenario/budget file error, 3 input data error, 4 no forecast possible, 101 a bug,
    130/143 stopped by Ctrl-C/SIGTERM.
    """


def main() -> None:
    """The console entry point: command-line syntax errors become one line too (exit 2)."""
    if len(sys.argv) == 1:
        sys.argv.append("--help")  # outside standalone mode the parser would raise instead
    stop_on_sigterm()
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        print("error: interrupted", file=sys.stderr)
        sys.exit(INTERRUPTED)
    except typer.TyperException as error:  # the option parser's errors (unknown option, bad value)
        if type(error).__name__ == "NoArgsIsHelpError":  # `carecast scenario`: show its help
            print(error.format_message(), file=sys.stderr)
            sys.exit(USAGE)
        message = " ".join(error.format_message().split()).rstrip(".")
        # the value checker's wording, said the way the rest of carecast says it
        for said, meant in (
            ("Value error, ", ""),
            ("Input should be a valid integer, unable to parse string as an integer", "not a "
             "whole number"),
            ("Input should be a valid number, unable to parse string as a number", "not a number"),
        ):  # fmt: skip
            message = message.replace(said, meant)
        print(f"error: {message} — see 'carecast --help'", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", USAGE))
    sys.exit(code if isinstance(code, int) else SUCCESS)
