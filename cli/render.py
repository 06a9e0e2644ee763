"""Tables for people, with rich. The only module that imports rich.

Output to stdout is data, messages to stderr. No colour when stdout is not a terminal or NO_COLOR
is set (rich honours both); numbers never wrap or get cropped: when the table is wider than the
terminal, it is printed wider rather than cut.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

import polars as pl
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.formats import caption_text, year_label
from cli.money import euro, interval
from models.history import CategoryFacts
from models.loading import SourceInfo
from scenarios.run import ForecastReport

NAME_MIN = 15


def notes(sources: Sequence[SourceInfo]) -> None:
    """What the loader did beyond reading (dropped blank or total rows, kept duplicates), stderr."""
    for source in sources:
        for note in source.notes:
            print(f"note: {source.path}: {' '.join(note.split())}", file=sys.stderr)


def warn(messages: Sequence[str]) -> None:
    """Warnings go to stderr, one line each, so stdout stays clean data."""
    for message in messages:
        print(f"warning: {' '.join(message.split())}", file=sys.stderr)


FILE_WIDTH = 100  # tables written with --output do not depend on the terminal


def _needed_width(items: Sequence[Table | Text]) -> int:
    """The narrowest width at which no unwrappable cell (an amount) has to be cropped.

    Wrappable columns count with their min_width; unwrappable ones with min_width plus padding.
    """
    widest = 0
    for item in items:
        if isinstance(item, Table):
            widths = [(c.min_width or 0) + (2 if c.no_wrap else 0) for c in item.columns]
            widest = max(widest, sum(widths))
    return widest


def _console_for(file: TextIO, items: Sequence[Table | Text], width: int | None = None) -> Console:
    console = Console(file=file, width=width, highlight=False, emoji=False)
    needed = _needed_width(items)
    if needed > console.width:  # wider than the terminal rather than cut: numbers are never lost
        console = Console(file=file, width=needed, highlight=False, emoji=False)
    return console


def print_renderables(items: Sequence[Table | Text], out: TextIO) -> None:
    console = _console_for(out, items)
    for item in items:
        console.print(item)


def renderables_text(items: Sequence[Table | Text]) -> str:
    """Plain text for --output FILE: no colour codes, a fixed width."""
    buffer = io.StringIO()
    console = _console_for(buffer, items, FILE_WIDTH)
    console.no_color = True
    for item in items:
        console.print(item)
    return buffer.getvalue()


def forecast_tables(report: ForecastReport) -> list[Table | Text]:
    level = f"{report.settings.interval:.0%}".replace("%", " %")
    models = {c.category: c.model for c in report.categories}
    renderables: list[Table | Text] = []
    for scenario in report.scenarios:
        rows = report.annual.filter(pl.col("scenario") == scenario)
        table = Table(
            title=f"Forecast per category, euro (scenario: {scenario})",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
            title_justify="left",
        )
        body: list[tuple[Text, list[Text], bool]] = []
        groups = list(rows.group_by(["category", "level"], maintain_order=True))
        if sum(str(key[1]) == "domain" for key, _ in groups) == 1:
            # one domain only: its subtotal would repeat the total line
            groups = [g for g in groups if str(g[0][1]) != "domain"]
        for index, (key, group) in enumerate(groups):
            category, row_level = str(key[0]), str(key[1])
            by_year = {r["year"]: r for r in group.iter_rows(named=True)}
            cells: list[Text] = []
            for year in report.years:
                r = by_year[year]
                cell = Text(euro(r["total"]), no_wrap=True)
                cell.append("\n" + interval(r["lower"], r["upper"]), style="dim")
                cells.append(cell)
            if row_level == "category":
                mark = "" if models.get(category, "prophet") == "prophet" else " †"
                name = Text(category + mark)
            elif row_level == "domain":
                name = Text(f"Subtotal {category}", style="bold")
            else:
                name = Text("Total", style="bold")
            next_level = str(groups[index + 1][0][1]) if index + 1 < len(groups) else None
            body.append((name, cells, next_level != row_level))
        table.add_column("Category", min_width=NAME_MIN, overflow="fold", ratio=1)
        for column, year in enumerate(report.years):
            # min_width = the widest amount, so a narrow terminal widens the table, never crops it
            widest = max(line.cell_len for _, cells, _ in body for line in cells[column].split())
            table.add_column(
                year_label(report, year), justify="right", no_wrap=True, min_width=widest
            )
        for name, cells, end_section in body:
            table.add_row(name, *cells, end_section=end_section)
        renderables.append(table)
    notes = [caption_text(report, level)]
    others = sorted({c.model for c in report.categories if c.model != "prophet"})
    if others:
        notes.append(
            "† model other than Prophet: "
            + "; ".join(f"{m} ({sum(c.model == m for c in report.categories)})" for m in others)
            + " — see --format json for the reason per category."
        )
    renderables.append(Text("\n".join(notes)))
    return renderables


def inspect_renderables(
    sources: Sequence[SourceInfo],
    facts: Sequence[CategoryFacts],
    domains: dict[str, str],
    yearly: pl.DataFrame,
    last_complete: str,
    excluded: str | None,
    max_years: int = 5,
) -> list[Table | Text]:
    out: list[Table | Text] = []
    for source in sources:
        table = Table(
            title=f"Input {source.path}",
            box=box.SIMPLE,
            show_header=False,
            title_justify="left",
            pad_edge=False,
        )
        table.add_column("what", style="bold", no_wrap=True)
        table.add_column("value", overflow="fold")
        details = [
            ("format", source.file_format + (f", sheet {source.sheet}" if source.sheet else "")),
            ("layout", source.layout),
            ("encoding", source.encoding or "—"),
            ("separator", repr(source.separator) if source.separator else "—"),
            ("header line", str(source.header_line) if source.header_line else "—"),
            ("date column", f"{source.date_column} ({source.date_format})"),
            ("category column", source.category_column or "—"),
            ("amount column", f"{source.amount_column or '—'} ({source.number_format})"),
            ("data rows", f"{source.rows:,}".replace(",", ".")),
            ("sha256", source.sha256),
        ]
        details += [("note", note) for note in source.notes]
        for what, value in details:
            table.add_row(what, Text(value))
        out.append(table)

    cats = Table(title="Categories", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for name, justify in (
        ("Category", "left"),
        ("Domain", "left"),
        ("First", "left"),
        ("Last", "left"),
        ("Months", "right"),
        ("Missing months", "left"),
        ("Negative months", "left"),
    ):
        cats.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            overflow="fold",
            no_wrap=name in {"First", "Last", "Months"},
        )
    for f in facts:
        cats.add_row(
            Text(f.category),
            domains.get(f.category, ""),
            f"{f.first_month:%Y-%m}",
            f"{f.last_month:%Y-%m}",
            str(f.months),
            _month_list(f.missing_months),
            _month_list(f.negative_months),
        )
    out.append(cats)

    years = sorted(yearly["year"].unique().to_list())[-max_years:]
    totals = Table(
        title="Yearly totals, euro" + (" (last years only)" if len(years) == max_years else ""),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
    )
    totals.add_column("Category", overflow="fold", min_width=NAME_MIN, ratio=1)
    for year in years:
        totals.add_column(str(year), justify="right", no_wrap=True)
    for category in [f.category for f in facts]:
        rows = yearly.filter(pl.col("category") == category)
        by_year = {r["year"]: r for r in rows.iter_rows(named=True)}
        cells = []
        for year in years:
            r = by_year.get(year)
            if r is None:
                cells.append("—")
            else:
                partial = "" if r["months"] == 12 else f" ({r['months']} mo)"
                cells.append(euro(r["amount"]) + partial)
        totals.add_row(Text(category), *cells)
    out.append(totals)
    lines = [f"Last complete month: {last_complete}."]
    if excluded:
        lines.append(f"Incomplete last month left out of forecasts: {excluded}.")
    out.append(Text("\n".join(lines)))
    return out


def _month_list(months: Sequence[date], limit: int = 6) -> str:
    if not months:
        return "—"
    shown = [f"{m:%Y-%m}" for m in months[:limit]]
    more = f" (+{len(months) - limit} more)" if len(months) > limit else ""
    return ", ".join(shown) + more
