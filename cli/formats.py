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
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from cli.money import euro, interval, risk
from models.backtest import BacktestResult
from models.errors import UsageError
from models.history import CategoryFacts
from models.loading import SourceInfo
from models.series import SEPARATOR, shown, split_series
from models.versions import carecast_version, library_versions
from scenarios.run import ForecastReport
from scenarios.snapshot import Comparison, Figure, Movement, Snapshot

ANNUAL_FIELDS = (
    "scenario", "group", "category", "domain", "level", "year", "actual", "forecast", "total",
    "lower", "upper", "budget", "difference", "overspend_probability", "model",
)  # fmt: skip
MONTHLY_FIELDS = (
    "scenario", "group", "category", "domain", "level", "month", "amount", "lower", "upper", "kind",
)  # fmt: skip
MONEY = {
    "actual", "forecast", "total", "lower", "upper", "budget", "difference", "amount",
    "error_eur", "annual_error_eur",
}  # fmt: skip


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
    """The json of `forecast`. A grouped input adds `group` to every row (null: all groups)."""
    s = report.settings
    grouped = "group" in report.annual.columns
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
        "scenario_files": [
            {"name": f.name, "path": f.path, "sha256": f.sha256} for f in report.scenario_sources
        ],
        "categories": [
            {
                **({"group": c.group} if grouped else {}),
                "category": c.category,
                "domain": c.domain,
                "model": c.model,
                "note": c.note,
                "first_month": f"{c.first_month:%Y-%m}",
                "last_month": f"{c.last_month:%Y-%m}",
                "months": c.months,
                "backtest_mase": _plain("backtest_mase", c.backtest_mase),
                "calibration": _plain("calibration", c.calibration),
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
    grouped = any(split_series(f.category)[0] is not None for f in facts)
    return {
        "carecast_version": carecast_version(),
        "versions": library_versions(),
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
                **({"group_column": s.group_column} if s.group_column else {}),
                "notes": list(s.notes),
            }
            for s in sources
        ],
        "last_complete_month": last_complete_month,
        "excluded_partial_month": excluded_partial_month,
        "categories": [
            {
                **({"group": split_series(f.category)[0]} if grouped else {}),
                "category": split_series(f.category)[1],
                "domain": domains.get(f.category, "overig"),
                "first_month": f"{f.first_month:%Y-%m}",
                "last_month": f"{f.last_month:%Y-%m}",
                "months": f.months,
                "missing_months": [f"{m:%Y-%m}" for m in f.missing_months],
                "negative_months": [f"{m:%Y-%m}" for m in f.negative_months],
            }
            for f in facts
        ],
        "yearly": _rows(split_keys(yearly), ("group", "category", "year", "months", "amount")),
    }


def split_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame keyed by series keys (models.series) with `group` and `category` apart."""
    keys = frame["category"].to_list()
    if not any(split_series(key)[0] is not None for key in keys):
        return frame
    return frame.with_columns(
        pl.Series("group", [split_series(k)[0] for k in keys], dtype=pl.String),
        pl.Series("category", [split_series(k)[1] for k in keys], dtype=pl.String),
    )


BACKTEST_FIELDS = (
    "category", "method", "mase", "smape", "coverage", "annual_error_eur",
    "annual_error_percent", "year_coverage", "n_points", "n_origins",
)  # fmt: skip


def method_overview(summary: pl.DataFrame) -> pl.DataFrame:
    """Per method over all categories: mean and median MASE, sMAPE, coverages, year error."""
    return summary.group_by("method", maintain_order=True).agg(
        pl.col("mase").mean().alias("mean_mase"),
        pl.col("mase").median().alias("median_mase"),
        pl.col("smape").mean().alias("mean_smape"),
        ((pl.col("coverage") * pl.col("n_points")).sum() / pl.col("n_points").sum()).alias(
            "coverage"
        ),
        pl.col("annual_error_percent").mean().alias("mean_annual_error_percent"),
        pl.col("year_coverage").mean().alias("year_coverage"),
        pl.len().alias("categories"),
    )


def backtest_dict(result: BacktestResult, seed: int) -> dict[str, Any]:
    """`carecast backtest --format json`; a grouped input's series are "group / category"."""
    return {
        "carecast_version": carecast_version(),
        "versions": library_versions(),
        "settings": {
            "origins": result.origins,
            "horizon_months": result.horizon,
            "interval": result.interval,
            "seed": seed,
            "methods": list(result.methods),
        },
        "methods": _rows(method_overview(result.summary), _OVERVIEW_FIELDS),
        "summary": _rows(shown_keys(result.summary), BACKTEST_FIELDS),
        "by_horizon": [
            {k: _plain(k, v) for k, v in row.items()}
            for row in result.by_horizon.iter_rows(named=True)
        ],
        "years": [
            {k: _plain(k, v) for k, v in row.items()}
            for row in shown_keys(result.years).iter_rows(named=True)
        ],
        "skipped": [{"category": shown(c), "reason": r} for c, r in result.skipped],
    }


_OVERVIEW_FIELDS = (
    "method", "mean_mase", "median_mase", "mean_smape", "coverage",
    "mean_annual_error_percent", "year_coverage", "categories",
)  # fmt: skip


CHECK_FIELDS = (
    "scenario", "group", "category", "domain", "level", "year", "field", "snapshot", "now",
    "change", "change_percent",
)  # fmt: skip


def _figure_dict(figure: Figure) -> dict[str, Any]:
    return {
        "scenario": figure.scenario,
        **({"group": figure.group} if figure.group is not None else {}),
        "category": figure.category,
        "domain": figure.domain,
        "level": figure.level,
        "year": figure.year,
    }


def _movement_dict(movement: Movement) -> dict[str, Any]:
    money = movement.field != "overspend_probability"
    digits = 2 if money else 4

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, digits) + 0.0

    return {
        **_figure_dict(movement.figure),
        "field": movement.field,
        "snapshot": rounded(movement.then),
        "now": rounded(movement.now),
        "change": rounded(movement.change),
        "change_percent": _plain("change_percent", movement.change_percent),
    }


def check_dict(
    comparison: Comparison | None, now: Snapshot, snapshot_path: str, *, updated: bool
) -> dict[str, Any]:
    """`carecast check --format json`. Without a comparison (a new snapshot) nothing moved."""
    t = now.tolerance
    result: dict[str, Any] = {
        "carecast_version": carecast_version(),
        "versions": library_versions(),
        "snapshot": snapshot_path,
        "updated": updated,
        "status": "new" if comparison is None else ("held" if comparison.ok else "moved"),
        "tolerance": {"eur": t.eur, "percent": t.percent, "probability": t.probability},
        "inputs": [{"path": p, "sha256": h, "rows": r} for p, h, r in now.inputs],
        "settings": {k: (None if v == "" else v) for k, v in now.settings.items()},
    }
    if comparison is None:
        counts = {"checked": 0, "held": 0, "moved": 0, "added": len(now.figures), "removed": 0}
        result |= {"figures": counts, "moved": [], "added": [], "removed": [], "causes": []}
        return result
    result |= {
        "figures": {
            "checked": comparison.checked,
            "held": comparison.held,
            "moved": len({m.figure.key for m in comparison.moved}),
            "added": len(comparison.added),
            "removed": len(comparison.removed),
        },
        "moved": [_movement_dict(m) for m in comparison.moved],
        "added": [_figure_dict(f) for f in comparison.added],
        "removed": [_figure_dict(f) for f in comparison.removed],
        "causes": [
            {"kind": c.kind, "name": c.name, "snapshot": c.then, "now": c.now}
            for c in comparison.causes
        ],
    }
    return result


def check_csv(comparison: Comparison | None) -> str:
    """A row per figure value that moved; then the figures that are new (`field` new) and
    gone (`field` gone), without values. The causes are in the table and the json."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    grouped = comparison is not None and any(
        f.group is not None for f in (*[m.figure for m in comparison.moved], *comparison.added,
                                      *comparison.removed)
    )  # fmt: skip
    fields = [f for f in CHECK_FIELDS if grouped or f != "group"]
    writer.writerow(fields)
    if comparison is not None:
        rows = [_movement_dict(m) for m in comparison.moved]
        rows += [{**_figure_dict(f), "field": "new"} for f in comparison.added]
        rows += [{**_figure_dict(f), "field": "gone"} for f in comparison.removed]
        for row in rows:
            writer.writerow([_check_cell(row, k) for k in fields])
    return buffer.getvalue()


def _check_cell(row: Mapping[str, Any], key: str) -> str:
    """Fixed decimals, as the forecast csv has: cents for money, four for the rest."""
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, float):
        money = key != "change_percent" and row["field"] != "overspend_probability"
        return f"{value:.2f}" if money else f"{value:.4f}"
    return str(value)


def shown_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Series keys as people read them ("group / category") in a `category` column."""
    return frame.with_columns(pl.col("category").str.replace_all(SEPARATOR, " / ", literal=True))


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
    """Names are data, not markup: escape what a markdown renderer would interpret."""
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)


def _md_table(
    report: ForecastReport, rows: pl.DataFrame, cell: Callable[[dict[str, Any]], str]
) -> list[str]:
    header = ["Category", "Domain"] + [year_label(report, y) for y in report.years]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * len(report.years)]
    for key, group in rows.group_by(["category", "level"], maintain_order=True):
        category, row_level = str(key[0]), str(key[1])
        by_year = {r["year"]: r for r in group.iter_rows(named=True)}
        cells = [cell(by_year[year]) for year in report.years]
        name = _md_escape(category)
        if row_level == "domain":
            name = f"**Subtotal {name}**"
        elif row_level == "total":
            name = "**Total**"
        domain = "" if row_level == "total" else str(group["domain"][0])
        lines.append("| " + " | ".join([name, domain, *cells]) + " |")
    return lines


def _md_forecast(row: dict[str, Any]) -> str:
    return f"{euro(row['total'])} ({interval(row['lower'], row['upper'])})"


def _md_budget(row: dict[str, Any]) -> str:
    if row["budget"] is None:
        return "no budget"
    mark = "N" if row["difference"] < 0 else "V"
    return f"{mark} {euro(abs(row['difference']))} (risk {risk(row['overspend_probability'])})"


def report_markdown(report: ForecastReport) -> str:
    """Per scenario a pipe table of totals (interval in brackets) and, with a budget, one of
    budget − forecast with V/N marks."""
    level = f"{report.settings.interval:.0%}".replace("%", " %")
    lines: list[str] = []
    for scenario in report.scenarios:
        rows = report.annual.filter(pl.col("scenario") == scenario)
        if "group" in rows.columns:  # grouped: a table per group, then all groups
            for group in [*rows["group"].drop_nulls().unique(maintain_order=True), None]:
                part = rows.filter(pl.col("group").is_null() if group is None
                                   else pl.col("group") == group)  # fmt: skip
                label = "all groups" if group is None else _md_escape(str(group))
                lines += [f"### Forecast per category, euro — scenario: {_md_escape(scenario)}"
                          f"; {label}", ""]  # fmt: skip
                lines += _md_table(report, part, _md_forecast) + [""]
            continue
        lines += [f"### Forecast per category, euro — scenario: {_md_escape(scenario)}", ""]
        lines += _md_table(report, rows, _md_forecast) + [""]
        if rows["budget"].is_not_null().any():
            lines += [
                f"### Budget − forecast, euro (V overschot, N tekort) — scenario: "
                f"{_md_escape(scenario)}",
                "",
            ]
            lines += _md_table(report, rows, _md_budget) + [""]
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
        actuals = "January" + ("" if first.month == 2 else f"–{_month_name(first.month - 1)}")
        rest = _month_name(first.month) + ("" if first.month == 12 else "–December")
        parts.append(f"{first.year}*: actuals {actuals} plus forecast {rest}.")
    if report.caption:
        parts.append(report.caption)
    return " ".join(parts)


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month_name(month: int) -> str:
    return _MONTHS[month - 1]


def files_named(
    inputs: Sequence[Path] | None, scenarios: Sequence[Path] | None
) -> list[Path | str]:
    """The files a run will read, known before it starts: the inputs, and each scenario with
    what it extends and its budget file."""
    from scenarios.parse import files_of_scenario

    return [
        *(inputs or []), *(scenarios or []),
        *(path for scenario in scenarios or [] for path in files_of_scenario(scenario)),
    ]  # fmt: skip


def check_output_target(
    path: Path, *, force: bool, inputs: Sequence[Path | str] = (), option: str = "--output"
) -> None:
    """Refuse a target we must not write, before any work is done."""
    target = path.resolve()
    if any(target == Path(p).resolve() for p in inputs):
        raise UsageError(
            "the file is one of the inputs: the run reads it",
            source=str(path),
            where=option,
            hint="write the results to another file",
        )
    if path.is_dir():
        raise UsageError(
            "is a directory", source=str(path), where=option, hint="give a file name"
        )
    if path.exists() and not target.is_file():
        # a device, a pipe or a socket: --force must not turn /dev/null into a file
        raise UsageError(
            "is not a regular file",
            source=str(path),
            where=option,
            hint="write to a file; leave out --output to write to stdout",
        )
    if path.exists() and not force:
        raise UsageError(
            "file exists",
            source=str(path),
            where=option,
            hint="use --force to replace it, or choose another name",
        )
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(
            "folder does not exist",
            source=str(path),
            where=option,
            hint=f"create {folder} first",
        )


def write_output(text: str, path: Path, *, force: bool) -> None:
    """Write atomically: a temporary file beside the target, then one rename.

    An existing file is only replaced with --force, and an error leaves it untouched. A symbolic
    link is followed (its target is replaced, the link stays); the file gets the permissions a new
    file would get (umask), or keeps those of the file it replaces.
    """
    check_output_target(path, force=force)
    target = path.resolve()
    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    """0o666 less the umask: what `open(path, "w")` would give (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
