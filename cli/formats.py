"""Machine and report formats: csv, json and markdown. Plain text, never through rich.

Numbers are rounded once, here: money to cents, probabilities to four decimals. Rows keep the
report's order, so the same report always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from cli.money import euro, interval
from cli.versions import carecast_version, library_versions
from models.errors import UsageError
from models.history import CategoryFacts
from models.loading import SourceInfo
from scenarios.run import ForecastReport

ANNUAL_FIELDS = (
    "scenario", "category", "domain", "level", "year", "actual", "forecast", "total",
    "lower", "upper", "budget", "difference", "overspend_probability", "model",
)  # fmt: skip
MONTHLY_FIELDS = (
    "scenario", "category", "domain", "level", "month", "amount", "lower", "upper", "kind",
)  # fmt: skip
MONEY = {"actual", "forecast", "total", "lower", "upper", "budget", "difference", "amount"}


def _plain(name: str, value: Any) -> Any:
    """One value as json/csv carry it: money in cents, dates as text, no NaN."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if name in MONEY:
            return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        return round(value, 4) + 0.0
    if isinstance(value, date):
        return f"{value:%Y-%m}" if name == "month" else value.isoformat()
    return value


def _rows(frame: pl.DataFrame, fields: Iterable[str]) -> list[dict[str, Any]]:
    names = [f for f in fields if f in frame.columns]
    return [
        {n: _plain(n, v) for n, v in zip(names, row, strict=True)}
        for row in frame.select(names).iter_rows()
    ]


def report_dict(report: ForecastReport) -> dict[str, Any]:
    s = report.settings
    return {
        "carecast_version": carecast_version(),
        "versions": library_versions(),
        "inputs": [{"path": i.path, "sha256": i.sha256, "rows": i.rows} for i in report.sources],
        "settings": {
            "model": s.model,
            "seed": s.seed,
            "interval": s.interval,
            "samples": s.samples,
            "as_of": None if s.as_of is None else f"{s.as_of:%Y-%m}",
            "years": list(report.years),
            "last_complete_month": f"{report.last_complete_month:%Y-%m}",
            "first_forecast_month": f"{report.first_forecast_month:%Y-%m}",
        },
        "scenarios": list(report.scenarios),
        "categories": [
            {
                "category": c.category,
                "domain": c.domain,
                "model": c.model,
                "note": c.note,
                "first_month": f"{c.first_month:%Y-%m}",
                "last_month": f"{c.last_month:%Y-%m}",
                "months": c.months,
            }
            for c in report.categories
        ],
        "warnings": list(report.warnings),
        "annual": _rows(report.annual, ANNUAL_FIELDS),
        "monthly": _rows(report.monthly, MONTHLY_FIELDS),
    }


def inspect_dict(
    sources: Sequence[SourceInfo],
    facts: Sequence[CategoryFacts],
    domains: Mapping[str, str],
    yearly: pl.DataFrame,
    last_complete_month: str,
    excluded_partial_month: str | None,
) -> dict[str, Any]:
    return {
        "carecast_version": carecast_version(),
        "inputs": [
            {
                "path": s.path,
                "sha256": s.sha256,
                "rows": s.rows,
                "format": s.file_format,
                "layout": s.layout,
                "encoding": s.encoding,
                "separator": s.separator,
                "sheet": s.sheet,
                "header_line": s.header_line,
                "date_column": s.date_column,
                "date_format": s.date_format,
                "category_column": s.category_column,
                "amount_column": s.amount_column,
                "number_format": s.number_format,
                "notes": list(s.notes),
            }
            for s in sources
        ],
        "last_complete_month": last_complete_month,
        "excluded_partial_month": excluded_partial_month,
        "categories": [
            {
                "category": f.category,
                "domain": domains.get(f.category, "overig"),
                "first_month": f"{f.first_month:%Y-%m}",
                "last_month": f"{f.last_month:%Y-%m}",
                "months": f.months,
                "missing_months": [f"{m:%Y-%m}" for m in f.missing_months],
                "negative_months": [f"{m:%Y-%m}" for m in f.negative_months],
            }
            for f in facts
        ],
        "yearly": _rows(yearly, ("category", "year", "months", "amount")),
    }


def dumps_json(data: Mapping[str, Any]) -> str:
    # allow_nan=False: an unnoticed NaN must fail here, not in the reader's JSON parser.
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _csv_cell(name: str, value: Any) -> str:
    value = _plain(name, value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if name in MONEY else f"{value:.4f}"
    return str(value)


def to_csv(frame: pl.DataFrame, fields: Iterable[str]) -> str:
    names = [f for f in fields if f in frame.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in frame.select(names).iter_rows():
        writer.writerow([_csv_cell(n, v) for n, v in zip(names, row, strict=True)])
    return buffer.getvalue()


def report_csv(report: ForecastReport) -> str:
    return to_csv(report.annual, ANNUAL_FIELDS)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def report_markdown(report: ForecastReport) -> str:
    """A pipe table per scenario: categories as rows, years as columns, interval in brackets."""
    level = f"{report.settings.interval:.0%}".replace("%", " %")
    lines: list[str] = []
    for scenario in report.scenarios:
        rows = report.annual.filter(pl.col("scenario") == scenario)
        lines.append(f"### Forecast of spending per category — scenario: {scenario}")
        lines.append("")
        header = ["Category", "Domain"] + [year_label(report, y) for y in report.years]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * 2 + "---:|" * len(report.years))
        for key, group in rows.group_by(["category", "level"], maintain_order=True):
            category, row_level = str(key[0]), str(key[1])
            cells = []
            by_year = {r["year"]: r for r in group.iter_rows(named=True)}
            for year in report.years:
                r = by_year[year]
                cells.append(f"{euro(r['total'])} ({interval(r['lower'], r['upper'])})")
            name = _md_escape(category)
            if row_level != "category":
                name = f"**{name if row_level == 'domain' else 'Totaal'}**"
            domain = "" if row_level == "total" else str(group["domain"][0])
            lines.append("| " + " | ".join([name, domain, *cells]) + " |")
        lines.append("")
    lines.append(caption_text(report, level))
    return "\n".join(lines) + "\n"


def year_label(report: ForecastReport, year: int) -> str:
    """The current year gets a star: it is actuals to date plus forecast."""
    return (
        f"{year}*"
        if year == report.first_forecast_month.year and report.first_forecast_month.month > 1
        else str(year)
    )


def caption_text(report: ForecastReport, level: str) -> str:
    parts = [
        f"Amounts: actuals + forecast in euro; brackets: {level} interval from summed sample paths."
    ]
    first = report.first_forecast_month
    if first.month > 1:
        parts.append(
            f"{first.year}*: actuals January–{_month_name(first.month - 1)} plus forecast "
            f"{_month_name(first.month)}–December."
        )
    if report.caption:
        parts.append(report.caption)
    return " ".join(parts)


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month_name(month: int) -> str:
    return _MONTHS[month - 1]


def check_output_target(path: Path, *, force: bool) -> None:
    """Refuse a target we must not write, before any work is done."""
    if path.exists() and not force:
        raise UsageError("output file exists", source=str(path), hint="use --force to replace it")
    if path.is_dir():
        raise UsageError("output path is a directory", source=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError("output folder does not exist", source=str(path))


def write_output(text: str, path: Path, *, force: bool) -> None:
    """Write atomically: a temporary file beside the target, then one rename.

    An existing file is only replaced with --force, and an error leaves it untouched.
    """
    check_output_target(path, force=force)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
