"""Tables for people, with rich. The only module that imports rich.

Output to stdout is data, messages to stderr. No colour when stdout is not a terminal or NO_COLOR
is set (rich honours both); numbers never wrap or get cropped: when the table is wider than the
terminal, it is printed wider rather than cut.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import Any, TextIO

import polars as pl
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from cli.formats import caption_text, method_overview, year_label
from cli.money import euro, interval, percent, risk
from models.backtest import BacktestResult
from models.history import CategoryFacts
from models.loading import SourceInfo
from models.parallel import Progress
from models.series import shown
from scenarios.run import ForecastReport
from scenarios.snapshot import Comparison, Figure, Snapshot

NAME_MIN = 15
ALL_GROUPS = "All groups"
NAME_WORD_MAX = 20  # a longer word may be folded, so that four years fit 80 columns


def _name_width(names: Sequence[str]) -> int:
    """The name column's narrowest width: its longest word, so words wrap whole."""
    longest = max((len(word) for name in names for word in name.split()), default=0)
    return max(NAME_MIN, min(longest, NAME_WORD_MAX))


PROGRESS_AFTER_SECONDS = 1.0  # a run shorter than this shows no bar at all


@contextlib.contextmanager
def progress_bar(what: str) -> Iterator[Progress | None]:
    """A callback `(done, total)` that draws a progress bar on stderr (series done, rate, time
    left) once a run has taken PROGRESS_AFTER_SECONDS; None (nothing drawn) when stderr is not
    a terminal, so logs and pipes stay clean."""
    if not is_terminal(sys.stderr):
        yield None
        return
    bar = RichProgress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("series, {task.fields[rate]}/s"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    started = time.perf_counter()
    task: TaskID | None = None

    def update(done: int, total: int) -> None:
        nonlocal task
        elapsed = time.perf_counter() - started
        if task is None:
            if elapsed < PROGRESS_AFTER_SECONDS:
                return
            bar.start()
            task = bar.add_task(what, total=total, rate="–")
        bar.update(task, completed=done, rate=f"{done / elapsed:.1f}")
        if done == total:  # the fits are done; what follows (sums, output) takes a moment
            bar.stop()

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


def notes(sources: Sequence[SourceInfo]) -> None:
    """What the loader did beyond reading (dropped blank or total rows, kept duplicates), stderr."""
    for source in sources:
        for note in source.notes:
            print(f"note: {source.path}: {' '.join(note.split())}", file=sys.stderr)


def warn(messages: Sequence[str]) -> None:
    """Warnings go to stderr, one line each, so stdout stays clean data."""
    for message in messages:
        print(f"warning: {' '.join(message.split())}", file=sys.stderr)


class _Console(Console):
    """rich ends the process with exit 1 on a closed pipe; we let the error boundary decide
    (a reader that stops early, `| head`, is not a failure)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


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


PLAIN_NOTES_WIDTH = 100


def is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def is_plain(out: TextIO) -> bool:
    """Plain output: not a terminal (a pipe, a CI log, a file), or NO_COLOR set."""
    return not is_terminal(out) or bool(os.environ.get("NO_COLOR"))


def _plain_width(items: Sequence[Table | Text]) -> int:
    """As wide as the widest line of any table at its natural width: nothing wraps, nothing
    is cropped, so every row of a CI log can be found with grep. Notes wrap at that width, or
    at PLAIN_NOTES_WIDTH when the tables are narrower."""
    probe = _Console(width=10_000, no_color=True, highlight=False, emoji=False)
    widths = [probe.measure(item).maximum for item in items if isinstance(item, Table)]
    return max([*widths, _needed_width(items), PLAIN_NOTES_WIDTH])


def print_renderables(
    items: Sequence[Table | Text], out: TextIO, plain: bool | None = None
) -> None:
    """Tables and notes to `out`. A terminal gets its own width (names wrap, amounts never get
    cropped); plain output (see `is_plain`) gets no colour and no wrapping at all."""
    plain = is_plain(out) if plain is None else plain
    if plain:  # color_system None: no escape codes at all, bold and dim included
        buffer = io.StringIO()
        console = _Console(
            file=buffer, width=_plain_width(items), color_system=None, highlight=False,
            emoji=False,
        )  # fmt: skip
        for item in items:
            # notes as one line each, like table rows: whole names for grep
            console.print(item, soft_wrap=isinstance(item, Text))
        out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
        return
    console = _Console(file=out, highlight=False, emoji=False)
    needed = _needed_width(items)
    if needed > console.width:  # wider than the terminal rather than cut: no number is lost
        console = _Console(file=out, width=needed, highlight=False, emoji=False)
    for item in items:
        console.print(item)


def renderables_text(items: Sequence[Table | Text]) -> str:
    """Plain text for --output FILE: no colour codes, no wrapping."""
    buffer = io.StringIO()
    print_renderables(items, buffer, plain=True)
    return buffer.getvalue()


def _forecast_cell(row: dict[str, Any]) -> Text:
    cell = Text(euro(row["total"]), no_wrap=True)
    spread = interval(row["lower"], row["upper"])
    if row["upper"] - row["lower"] < 0.5:  # too little history, or a constant series
        spread = "no interval"
    cell.append("\n" + spread, style="dim")
    return cell


def _budgeted(annual: pl.DataFrame) -> set[tuple[Any, ...]]:
    """(scenario, group, domain or "totaal", year) where at least one category has a budget:
    a subtotal without one there is a "partial budget", elsewhere "no budget"."""
    rows = annual.filter((pl.col("level") == "category") & pl.col("budget").is_not_null())
    groups = rows["group"] if "group" in rows.columns else [None] * rows.height
    found: set[tuple[Any, ...]] = set()
    for (scenario, domain, year), group in zip(
        rows.select("scenario", "domain", "year").iter_rows(), groups, strict=True
    ):
        for place in {group, None}:  # a group's budget also counts for the rows over all groups
            found |= {(scenario, place, domain, year), (scenario, place, "totaal", year)}
    return found


def _budget_cell(row: dict[str, Any], budgeted: set[tuple[Any, ...]]) -> Text:
    """`N € 249.689` over `risk 73 %` and the budget: the difference with its V/N mark, the
    chance of overspending and what it is measured against."""
    if row["budget"] is None:
        key = (row["scenario"], row.get("group"), row["category"], row["year"])
        some = row["level"] != "category" and key in budgeted
        return Text("partial budget" if some else "no budget", style="dim")
    difference = row["difference"]
    mark = "N" if difference < 0 else "V"
    cell = Text(f"{mark} {euro(abs(difference))}", no_wrap=True, style="red" if mark == "N" else "")
    cell.append(f"\nrisk {risk(row['overspend_probability'])}", style="dim")
    cell.append(f"\nof {euro(row['budget'])}", style="dim")
    return cell


def _year_table(
    title: str,
    rows: pl.DataFrame,
    report: ForecastReport,
    make_cell: Callable[[dict[str, Any]], Text],
) -> Table:
    """Categories as rows (then domain subtotals and the total), the years as columns."""
    group_of_rows = rows["group"][0] if "group" in rows.columns and rows.height else None
    models = {c.category: c.model for c in report.categories if c.group == group_of_rows}
    table = _table(title)
    body: list[tuple[Text, list[Text]]] = []
    section_ends: list[bool] = []
    groups = list(rows.group_by(["category", "level"], maintain_order=True))
    if sum(str(key[1]) == "domain" for key, _ in groups) == 1:
        # one domain only: its subtotal would repeat the total line
        groups = [g for g in groups if str(g[0][1]) != "domain"]
    for index, (key, group) in enumerate(groups):
        category, row_level = str(key[0]), str(key[1])
        by_year = {r["year"]: r for r in group.iter_rows(named=True)}
        cells = [make_cell(by_year[year]) for year in report.years]
        if row_level == "category":
            # † marks a category that did not get the model asked for (a fallback)
            asked = report.settings.model
            mark = "" if asked == "auto" or models.get(category, asked) == asked else " †"
            name = Text(category + mark)
        elif row_level == "domain":
            name = Text(f"Subtotal {category}", style="bold")
        else:
            name = Text("Total", style="bold")
        body.append((name, cells))
        next_level = str(groups[index + 1][0][1]) if index + 1 < len(groups) else None
        section_ends.append(next_level != row_level)
    names = [name.plain for name, _ in body]
    table.add_column("Category", min_width=_name_width(names), overflow="fold", ratio=1)
    for column, year in enumerate(report.years):
        # min_width = the widest amount, so a narrow terminal widens the table, never crops it
        table.add_column(
            year_label(report, year), justify="right", no_wrap=True, min_width=_widest(body, column)
        )
    for (name, cells), end_section in zip(body, section_ends, strict=True):
        table.add_row(name, *cells, end_section=end_section)
    return table


def _side_by_side(
    report: ForecastReport, title: str, make_cell: Callable[[dict[str, Any]], Text]
) -> Table:
    """Scenarios next to each other, per domain and in total."""
    table = _table(title)
    summary = report.annual.filter(pl.col("level") != "category")
    if "group" in summary.columns:  # grouped: the scenarios compared over all groups
        summary = summary.filter(pl.col("group").is_null())
    body: list[tuple[Text, list[Text]]] = []
    for scenario in report.scenarios:
        for key, group in summary.filter(pl.col("scenario") == scenario).group_by(
            ["category"], maintain_order=True
        ):
            by_year = {r["year"]: r for r in group.iter_rows(named=True)}
            label = "total" if str(key[0]) == "totaal" else str(key[0])
            body.append(
                (Text(f"{scenario}: {label}"), [make_cell(by_year[y]) for y in report.years])
            )
    names = [name.plain for name, _ in body]
    table.add_column("Scenario", min_width=_name_width(names), overflow="fold", ratio=1)
    for column, year in enumerate(report.years):
        table.add_column(
            year_label(report, year), justify="right", no_wrap=True, min_width=_widest(body, column)
        )
    for name, cells in body:
        table.add_row(name, *cells)
    return table


def by_group(rows: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """A grouped report's rows per group, then those over all groups (group null), each with
    a label for titles; an ungrouped report's rows as they are."""
    if "group" not in rows.columns:
        return [("", rows)]
    groups = rows["group"].drop_nulls().unique(maintain_order=True).to_list()
    parts = [(f"; {group}", rows.filter(pl.col("group") == group)) for group in groups]
    return [*parts, (f"; {ALL_GROUPS.lower()}", rows.filter(pl.col("group").is_null()))]


def forecast_tables(report: ForecastReport) -> list[Table | Text]:
    level = f"{report.settings.interval:.0%}".replace("%", " %")
    renderables: list[Table | Text] = []
    budget_cell = partial(_budget_cell, budgeted=_budgeted(report.annual))
    for scenario in report.scenarios:
        rows = report.annual.filter(pl.col("scenario") == scenario)
        for label, part in by_group(rows):
            renderables.append(
                _year_table(
                    f"Forecast per category, euro (scenario: {scenario}{label})", part, report,
                    _forecast_cell,
                )
            )  # fmt: skip
        if rows["budget"].is_not_null().any():
            renderables.append(
                _year_table(
                    f"Budget − forecast, euro: V overschot, N tekort (scenario: {scenario})",
                    rows,
                    report,
                    budget_cell,
                )
            )
    if len(report.scenarios) > 1:
        if report.annual["budget"].is_not_null().any():
            title = "Scenarios side by side: budget − forecast, euro (V overschot, N tekort)"
            renderables.append(_side_by_side(report, title, budget_cell))
        else:
            title = "Scenarios side by side: forecast, euro"
            renderables.append(_side_by_side(report, title, _forecast_cell))
    notes = [caption_text(report, level)]
    if report.annual["budget"].is_not_null().any():
        notes.append(
            "Risk: the share of sample paths whose year total exceeds the budget; a subtotal has "
            "a budget only when all its categories have one."
        )
    counts = {m: sum(c.model == m for c in report.categories) for m in
              sorted({c.model for c in report.categories})}  # fmt: skip
    used = ", ".join(f"{m} {n}" for m, n in counts.items())
    if report.settings.model == "auto":
        calibrated = any(c.calibration is not None for c in report.categories)
        scored = any(c.backtest_mase is not None for c in report.categories)
        notes.append(
            f"Models chosen per category by backtest (lowest MASE): {used}"
            + ("; intervals calibrated on each category's backtest" if calibrated else
               "; intervals not calibrated" if scored else
               " (no backtest score: intervals not calibrated)")  # fmt: skip
            + ". --format json gives the choice and score per category."
        )
    else:
        if set(counts) != {report.settings.model}:
            notes.append(
                f"† not the model asked for ({report.settings.model}): models used {used} — "
                "--format json gives the reason per category."
            )
        notes.append(
            "Intervals are the model's own, not checked against a backtest (--model auto "
            "calibrates them)."
        )
    renderables.append(Text("\n".join(notes)))
    return renderables


def shortfall_line(report: ForecastReport) -> str:
    """One line for --fail-on-shortfall: how many rows run short, and the largest tekorten."""
    short = report.annual.filter(pl.col("difference") < 0).sort("difference")
    several = len(report.scenarios) > 1
    shown = []
    for row in short.head(3).iter_rows(named=True):
        name = {"total": "Total", "domain": f"Subtotal {row['category']}"}.get(
            row["level"], row["category"]
        )
        scenario = f" ({row['scenario']})" if several else ""
        shown.append(f"{name} {row['year']}{scenario} N {euro(-row['difference'])}")
    more = f" and {short.height - 3} more" if short.height > 3 else ""
    return (
        f"shortfall: {short.height} row(s) run short of their budget: " + ", ".join(shown) + more
    )


def backtest_renderables(result: BacktestResult) -> list[Table | Text]:
    """An overview per method, then MASE per category and method (the best marked *)."""
    overview = _table(
        f"Backtest: up to {result.origins} origin{'s' * (result.origins != 1)} × "
        f"{result.horizon} month{'s' * (result.horizon != 1)}, "
        f"{result.interval:.0%} intervals".replace("%", " %")
    )
    for name in ("Method", "MASE mean", "median", "sMAPE", "coverage", "year error", "year cov."):
        overview.add_column(name, justify="left" if name == "Method" else "right", no_wrap=True)
    for row in method_overview(result.summary).iter_rows(named=True):
        overview.add_row(
            row["method"],
            _number(row["mean_mase"]),
            _number(row["median_mase"]),
            _number(row["mean_smape"], 1, " %"),
            percent(row["coverage"]),
            _number(row["mean_annual_error_percent"], 1, " %"),
            percent(row["year_coverage"]),
        )
    per_category = _table("MASE per category (lower is better; 1 = as good as last year's month)")
    names = [shown(name) for name in result.summary["category"].unique().to_list()]
    per_category.add_column("Category", min_width=_name_width(names), overflow="fold", ratio=1)
    for method in result.methods:
        per_category.add_column(method, justify="right", no_wrap=True, min_width=len(method))
    for key, group in result.summary.group_by(["category"], maintain_order=True):
        scores = {r["method"]: r["mase"] for r in group.iter_rows(named=True)}
        known = [v for v in scores.values() if v is not None]
        best = min(known) if known else None
        cells = [
            _number(scores.get(m)) + (" *" if best is not None and scores.get(m) == best else "")
            for m in result.methods
        ]
        per_category.add_row(Text(shown(str(key[0]))), *cells)
    note = Text(
        "MASE: mean absolute error divided by the in-sample error of last year's same month. "
        "coverage: share of held-out months inside the interval; year: the 12-month totals."
    )
    return [overview, per_category, note]


_FIELD_NAMES = {
    "total": "forecast",
    "lower": "lower bound",
    "upper": "upper bound",
    "budget": "budget",
    "overspend_probability": "risk",
}


def _figure_name(figure: Figure, scenarios: int, grouped: bool = False) -> str:
    name = "Total" if figure.level == "total" else figure.category
    if figure.level == "domain":
        name = f"Subtotal {name}"
    if grouped:
        name = f"{figure.group or ALL_GROUPS} / {name}"
    return f"{figure.scenario}: {name}" if scenarios > 1 else name


def _check_value(field: str, value: float | None) -> str:
    if value is None:
        return "—" if field != "budget" else "no budget"
    return risk(value) if field == "overspend_probability" else euro(value)


def check_renderables(comparison: Comparison | None, now: Snapshot) -> list[Table | Text]:
    """What moved beyond tolerance (a row per figure value), then what held and the likely
    causes. A new snapshot has nothing to compare: one line says so."""
    if comparison is None:
        return [Text(f"New snapshot: {len(now.figures)} figures, nothing to compare yet.")]
    scenarios = len({f.scenario for f in now.figures})
    grouped = any(f.group is not None for f in now.figures)
    name_of = partial(_figure_name, scenarios=scenarios, grouped=grouped)
    t = comparison.tolerance
    eur = euro(t.eur) if float(t.eur).is_integer() else f"€ {t.eur:g}".replace(".", ",")
    shares = f"{t.percent:g} %; risk ± {t.probability * 100:g} pt".replace(".", ",")
    allowed = f"{eur} or {shares}"
    out: list[Table | Text] = []
    if comparison.moved:
        table = _table(f"Moved beyond tolerance ({allowed})")
        names = [name_of(m.figure) for m in comparison.moved]
        table.add_column("Category", min_width=_name_width(names), overflow="fold", ratio=1)
        for name in ("Year", "Figure", "Snapshot", "Now", "Change"):
            table.add_column(name, justify="left" if name == "Figure" else "right", no_wrap=True)
        for m in comparison.moved:
            change = "—"
            if m.change is not None:
                if m.field == "overspend_probability":
                    change = f"{m.change * 100:+.0f} points"
                else:
                    change = f"{'+' if m.change >= 0 else '-'}{euro(abs(m.change))}"
                    if m.change_percent is not None:
                        change += f" ({m.change_percent:+.2f} %)".replace(".", ",")
            table.add_row(
                Text(name_of(m.figure)),
                str(m.figure.year),
                _FIELD_NAMES[m.field],
                _check_value(m.field, m.then),
                _check_value(m.field, m.now),
                change,
            )
        out.append(table)
    lines = []
    for label, figures in (("New since the snapshot", comparison.added),
                           ("Gone since the snapshot", comparison.removed)):  # fmt: skip
        if figures:
            shown = [f"{name_of(f)} {f.year}" for f in figures[:8]]
            more = f" and {len(figures) - 8} more" if len(figures) > 8 else ""
            lines.append(f"{label}: " + ", ".join(shown) + more + ".")
    moved = len({m.figure.key for m in comparison.moved})
    lines.append(
        f"{comparison.checked} figures compared: {comparison.held} held, {moved} moved "
        f"(tolerance {allowed}); {len(comparison.added)} new, {len(comparison.removed)} gone."
    )
    if comparison.causes:
        lines.append("Changed since the snapshot (likely causes):")
        lines += [f"- {_cause_text(c.kind, c.name, c.then, c.now)}" for c in comparison.causes]
    elif not comparison.ok:
        lines.append(
            "No input, scenario, setting or library version changed since the snapshot: "
            "the forecast itself moved (another machine? see 'Use in CI' in the README)."
        )
    else:
        lines.append("Nothing changed since the snapshot.")
    out.append(Text("\n".join(lines)))
    return out


def _cause_text(kind: str, name: str, then: str | None, now: str | None) -> str:
    if then is None:
        return f"{kind} {name} is new ({now})"
    if now is None:
        return f"{kind} {name} is gone (was {then})"
    return f"{kind} {name}: {then} → {now}"


def _number(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",") + unit


def inspect_renderables(
    sources: Sequence[SourceInfo],
    facts: Sequence[CategoryFacts],
    domains: dict[str, str],
    yearly: pl.DataFrame,
    last_complete: str,
    excluded: str | None,
    max_years: int = 4,
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
            *([("group column", source.group_column)] if source.group_column else []),
            ("amount column", f"{source.amount_column or '—'} ({source.number_format})"),
            ("data rows", f"{source.rows:,}".replace(",", ".")),
            ("sha256", source.sha256),
        ]
        details += [("note", note) for note in source.notes]
        for what, value in details:
            table.add_row(what, Text(value))
        out.append(table)

    cats = _table("Categories")
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
            min_width={"First": 7, "Last": 7, "Months": 6}.get(name),
        )
    for f in facts:
        cats.add_row(
            Text(shown(f.category)),
            domains.get(f.category, ""),
            f"{f.first_month:%Y-%m}",
            f"{f.last_month:%Y-%m}",
            str(f.months),
            _month_list(f.missing_months),
            _month_list(f.negative_months),
        )
    out.append(cats)

    years = sorted(yearly["year"].unique().to_list())[-max_years:]
    totals = _table(
        "Yearly totals, euro" + (" (last years only)" if len(years) == max_years else "")
    )
    body: list[tuple[Text, list[Text]]] = []
    for category in [f.category for f in facts]:
        rows = yearly.filter(pl.col("category") == category)
        by_year = {r["year"]: r for r in rows.iter_rows(named=True)}
        cells = []
        for year in years:
            r = by_year.get(year)
            if r is None:
                cells.append(Text("—"))
            else:
                year_cell = Text(euro(r["amount"]))
                if r["months"] != 12:  # a part year, on its own line to keep the column narrow
                    year_cell.append(f"\n{r['months']} months", style="dim")
                cells.append(year_cell)
        body.append((Text(shown(category)), cells))
    names = [label.plain for label, _ in body]
    totals.add_column("Category", overflow="fold", min_width=_name_width(names), ratio=1)
    for column, year in enumerate(years):
        totals.add_column(str(year), justify="right", no_wrap=True, min_width=_widest(body, column))
    for label, cells in body:
        totals.add_row(label, *cells)
    out.append(totals)
    lines = [f"Last complete month: {last_complete}."]
    if excluded:
        lines.append(f"Incomplete last month left out of forecasts: {excluded}.")
    out.append(Text("\n".join(lines)))
    return out


def _table(title: str) -> Table:
    """One table style everywhere: no outer edge, one rule under the header, tight padding."""
    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="left",
    )


def _widest(body: Sequence[tuple[Text, list[Text]]], column: int) -> int:
    """The widest line in one column: its min_width, so amounts are never cropped."""
    return max((line.cell_len for _, cells in body for line in cells[column].split()), default=1)


def _month_list(months: Sequence[date], limit: int = 6) -> str:
    if not months:
        return "—"
    shown = [f"{m:%Y-%m}" for m in months[:limit]]
    more = f" (+{len(months) - limit} more)" if len(months) > limit else ""
    return ", ".join(shown) + more
