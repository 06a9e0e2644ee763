"""Read spending history from CSV, Excel or Parquet, whatever shape the export has.

Every input becomes the data contract's long table: one amount per category and month. The loader
reads raw text first and converts it with one explicit rule per column (see `models.parsing`), so
the result never depends on row order, on inference lengths, or on the machine's locale.

What it accepts, and why:

* CSV (`.csv`, `.tsv`, `.txt`): UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252 (a
  file that is not valid UTF-8 is decoded as cp1252, strictly: no replacement characters, which
  would split one category into two). LF, CRLF or CR-only line endings. The separator (`;`, `,` or
  tab) is detected once per file from its first lines.
* Excel (`.xlsx`, `.xlsm`) through polars' calamine engine, every cell read as text; a workbook
  with several sheets needs `sheet` unless exactly one sheet looks like data.
* Parquet, with typed columns used as they are.
* Title rows above the header (the header is the row that names the most known columns), blank
  and separator-only lines, `Totaal`/`Subtotaal` lines and `Bron: CBS` footers are dropped and
  reported in `SourceInfo.notes`; nothing is dropped silently.
* Layouts: long (date, category, amount), wide with a column per month, wide with a column per
  category. A file with a date and an amount but no category column is one series named after the
  file stem (`example_retail_sales.csv` → `example_retail_sales`), because generic amount headers
  such as `y` or `Bedrag` say nothing about what was spent.

What it refuses, because each would give a plausible forecast from wrong numbers: a file without
a header row (its first data line would become the column names), the same file content given
twice (every amount doubled), a header name shared by two columns where the loader reads it
(which one is meant is a guess), and one column given for two roles.

What it reads but warns about (`History.warnings`, shown before any forecast): category-months
in more than one input (summed; overlapping exports double-count), an amount header or title
line that says "x € 1.000" (read as given, never scaled: only the user knows), and category
names that differ only in capitals (kept apart; names that differ only in spaces are one).

Messages never contain rows; an error quotes only the one offending cell.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from models.errors import InputDataError, UsageError
from models.parsing import (
    AMOUNT_NAMES,
    CATEGORY_NAMES,
    DATE_NAMES,
    DATE_RULES,
    DOMAIN_NAMES,
    DOMAIN_VALUES,
    FOOTER_LABEL,
    GROUP_NAMES,
    MONTH_NAMES,
    PERIOD_PREFIX,
    PERIOD_VALUE,
    TEXTUAL_DATE_RULES,
    TOTAL_LABEL,
    YEAR_NAMES,
    DateRule,
    NumberRule,
    detect_date_rule,
    detect_number_rule,
    explain_bad_amount,
    explain_bad_date,
    header_key,
    is_total_label,
    mentions_thousands,
    month_labels,
    parse_amounts,
    parse_dates,
    read_amounts,
)
from models.series import SEPARATOR


@dataclass(frozen=True)
class ColumnChoice:
    """Column names given by the user; None means: detect from the header."""

    date: str | None = None
    category: str | None = None
    amount: str | None = None
    group: str | None = None  # a level above category (gemeente); detected by name when None


@dataclass(frozen=True)
class SourceInfo:
    """What the loader understood of one input file (shown by `carecast inspect`)."""

    path: str
    sha256: str
    rows: int
    file_format: str
    layout: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    header_line: int | None
    date_column: str
    category_column: str | None
    amount_column: str | None
    date_format: str
    number_format: str
    notes: tuple[str, ...]
    group_column: str | None = None


@dataclass(frozen=True)
class History:
    """All inputs combined: one summed amount per category and month.

    `day_level_dates` is true when an input has real booking dates: the day of month varies
    (two or more distinct days, month-ends not counted). Monthly data stamped on one fixed day
    (the 1st, the 15th, the last) is monthly, and its stamp says nothing about when the bookings
    of a month stopped. `last_date` is the latest booking date of such inputs.

    `warnings` are things the user should look at before trusting a forecast (overlapping
    inputs, amounts that look like thousands, categories that differ only in capitals); unlike
    `SourceInfo.notes` they do not describe routine clean-up.
    """

    monthly: pl.DataFrame  # category (a series key: models.series), month, amount
    domains: dict[str, str]
    sources: tuple[SourceInfo, ...]
    day_level_dates: bool
    last_date: date | None
    warnings: tuple[str, ...] = ()
    grouped: bool = False  # the inputs have a group column: categories are group x category keys


LONG = "long"
WIDE_MONTHS = "wide: months as columns"
WIDE_CATEGORIES = "wide: categories as columns"

_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "excel", ".xlsm": "excel",
    ".parquet": "parquet",
}  # fmt: skip
_SEPARATORS = (";", "\t", ",")
_LINE = "__line"  # 1-based line (CSV), sheet row (Excel) or record number (Parquet) of each row
_HEADER_SEARCH_ROWS = 50
_KNOWN_NAMES = frozenset(
    DATE_NAMES + CATEGORY_NAMES + AMOUNT_NAMES + DOMAIN_NAMES + GROUP_NAMES + YEAR_NAMES
)
_MONTHLY_SCHEMA = {"category": pl.String, "month": pl.Date, "amount": pl.Float64}
_ROLE_FLAGS = {
    "date": "--date-col", "category": "--category-col", "amount": "--amount-col",
    "group": "--group-col",
}  # fmt: skip
_CASE_WARNINGS_SHOWN = 5
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


# ---------------------------------------------------------------------------------------------
# Public entry point


def load_history(
    paths: Sequence[Path], columns: ColumnChoice = ColumnChoice(), sheet: str | None = None
) -> History:
    """Load and combine inputs; lines for the same category and month are summed.

    Raises InputDataError (exit 3) for data problems and UsageError (exit 2) for a column or
    sheet name that does not exist.
    """
    if not paths:
        raise UsageError(
            "no input files given", hint="name one or more CSV, Excel or Parquet files"
        )
    _check_choices(paths, columns, sheet)
    parsed: list[_Parsed] = []
    for path in paths:
        item = _load_source(Path(path), str(path), columns, sheet)
        _refuse_same_content(item, parsed)
        parsed.append(item)

    grouped = [item for item in parsed if item.group_column is not None]
    if grouped and len(grouped) < len(parsed):
        without = next(item for item in parsed if item.group_column is None)
        raise InputDataError(
            f"this file has no group column, but {grouped[0].table.source} has "
            f"'{grouped[0].group_column}'",
            source=without.table.source,
            hint="give every input the same group column (gemeente), or none",
        )
    keys = ["group", "category"] if grouped else ["category"]
    long = pl.concat(
        [
            item.rows.select(*keys, "date", "amount", _LINE).with_columns(
                pl.lit(index).alias("source")
            )
            for index, item in enumerate(parsed)
        ]
    )
    # Sort first so every sum adds its lines in the same order: identical input, identical bytes.
    monthly = (
        long.with_columns(pl.col("date").dt.truncate("1mo").alias("month"))
        .sort(*keys, "month", "source", _LINE)
        .group_by(*keys, "month", maintain_order=True)
        .agg(in_cents(pl.col("amount")).sum() / 100)
        .cast(_MONTHLY_SCHEMA | ({"group": pl.String} if grouped else {}))  # type: ignore[arg-type]
        .sort(*keys, "month")
    )
    if grouped:  # one series per group x category, keyed as models.series says
        monthly = monthly.select(
            pl.concat_str("group", pl.lit(SEPARATOR), "category").alias("category"),
            "month",
            "amount",
        ).sort("category", "month")
    day_level = [item for item in parsed if item.day_level]
    warnings = [warning for item in parsed for warning in item.table.warnings]
    warnings += _overlap_warnings(parsed)
    warnings += _case_warnings(monthly["category"])
    return History(
        monthly=monthly,
        domains=_combine_domains(parsed),
        sources=tuple(item.info() for item in parsed),
        day_level_dates=bool(day_level),
        last_date=max((item.last_date for item in day_level if item.last_date), default=None),
        warnings=tuple(warnings),
        grouped=bool(grouped),
    )


def _check_choices(paths: Sequence[Path], columns: ColumnChoice, sheet: str | None) -> None:
    """Flags that cannot be right whatever the files hold: usage errors before any reading."""
    given = [(role, getattr(columns, role)) for role in _ROLE_FLAGS]
    chosen = [(role, name) for role, name in given if name is not None]
    for index, (role, name) in enumerate(chosen):
        for other, other_name in chosen[index + 1 :]:
            if header_key(name) == header_key(other_name):
                raise UsageError(
                    f"column '{name}' is given as both {role} and {other}",
                    where=f"{_ROLE_FLAGS[role]}, {_ROLE_FLAGS[other]}",
                    hint=f"each role needs its own column: name the {other} column with"
                    f" {_ROLE_FLAGS[other]}, or leave {_ROLE_FLAGS[other]} out to detect it",
                )
    if sheet is not None and not any(
        _FORMATS.get(Path(path).suffix.lower()) == "excel" for path in paths
    ):
        raise UsageError(
            "--sheet only applies to Excel files",
            source=str(paths[0]),
            hint="leave --sheet out for CSV and Parquet files",
        )


def in_cents(amount: pl.Expr) -> pl.Expr:
    """Each line in whole cents, as a ledger books it: sums of them are exact, so they do not
    depend on the order of the lines (a re-sorted export, a streamed file give the same bytes).
    Int128: ten million lines of the largest allowed amount still fit."""
    return (amount * 100).round().cast(pl.Int128)


def _refuse_same_content(item: _Parsed, earlier: list[_Parsed]) -> None:
    """One export given twice would double every amount without a single odd-looking line."""
    for other in earlier:
        if other.table.sha256 == item.table.sha256:
            raise InputDataError(
                f"the same file is given twice (same content as {other.table.source})",
                source=item.table.source,
                hint="give each export once",
            )


# ---------------------------------------------------------------------------------------------
# One source


@dataclass
class _Table:
    """The cells of one file below its header, before any interpretation."""

    source: str
    sha256: str
    file_format: str
    names: list[str]
    frame: pl.DataFrame  # _LINE + one column per name; String for CSV/Excel, typed for Parquet
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    header_line: int | None = None
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repeated: dict[str, int] = field(default_factory=dict)  # header text → columns named so
    thousands_line: int | None = None  # a title line above the header that says "x € 1.000"
    split_month: tuple[str, str] | None = None  # (year, period) columns read as one month

    @property
    def line_word(self) -> str:
        return {"csv": "line", "excel": "row"}.get(self.file_format, "record")

    def fail(
        self,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> InputDataError:
        position = self.names.index(column) + 1 if column in self.names else None
        return InputDataError(
            problem,
            source=self.source,
            line=line,
            column=position if line is not None else None,
            where=f"column '{column}'" if column else None,
            hint=hint,
        )


@dataclass
class _Parsed:
    """One source as long rows (category, date, amount, domain, line) plus what was decided."""

    table: _Table
    rows: pl.DataFrame
    layout: str
    date_column: str
    category_column: str | None
    amount_column: str | None
    date_format: str
    number_format: str
    day_level: bool = False
    last_date: date | None = None
    group_column: str | None = None

    def info(self) -> SourceInfo:
        table = self.table
        return SourceInfo(
            path=table.source,
            sha256=table.sha256,
            rows=table.rows,
            file_format=table.file_format,
            layout=self.layout,
            encoding=table.encoding,
            separator=table.separator,
            sheet=table.sheet,
            header_line=table.header_line,
            date_column=self.date_column,
            category_column=self.category_column,
            amount_column=self.amount_column,
            date_format=self.date_format,
            number_format=self.number_format,
            notes=tuple(table.notes),
            group_column=self.group_column,
        )


def _load_source(path: Path, shown: str, columns: ColumnChoice, sheet: str | None) -> _Parsed:
    if not path.exists():
        raise InputDataError(
            "file not found", source=shown, hint="check the path and the spelling of the name"
        )
    if path.is_dir():
        raise InputDataError(
            "is a directory, not a file", source=shown, hint="name the files inside it"
        )
    file_format = _FORMATS.get(path.suffix.lower())
    if file_format is None:
        kind = f"'{path.suffix}'" if path.suffix else "without an extension"
        hint = "save it as .csv, .xlsx or .parquet"
        if path.suffix.lower() in {".xls", ".ods", ".xlsb"}:
            hint = "open it in Excel and save it as .xlsx"
        raise InputDataError(f"unsupported file type {kind}", source=shown, hint=hint)
    if file_format == "csv" and path.stat().st_size > STREAM_BYTES:
        streamed = _stream_csv(path, shown, columns)
        if isinstance(streamed, _Parsed):
            return streamed
        not_streamed = (
            f"not read in a streaming pass ({streamed}): read whole, which takes several times "
            "the file's size in memory"
        )
    else:
        not_streamed = None
    data = path.read_bytes()
    if not data.strip():
        raise InputDataError(
            "the file is empty", source=shown, hint="export the spending data again"
        )
    digest = hashlib.sha256(data).hexdigest()
    if file_format == "csv":
        table = _read_csv(data, shown, digest, columns)
    elif file_format == "excel":
        table = _read_excel(path, shown, digest, columns, sheet)
    else:
        table = _read_parquet(data, shown, digest)
    if table.frame.height == 0:
        raise table.fail(
            "the file has a header but no data rows", hint="export the spending lines too"
        )
    parsed = _interpret(table, columns, Path(shown).stem)
    if not_streamed:
        table.notes.insert(0, not_streamed)
    if parsed.rows.height == 0:
        raise table.fail(
            "no amounts left: every line was blank, a total, or zero without a category",
            hint="check that the file holds the spending lines and the category column is filled",
        )
    return parsed


# ---------------------------------------------------------------------------------------------
# CSV


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM or not), UTF-16 with BOM, else strict cp1252."""
    if data.startswith(b"PK\x03\x04"):
        raise InputDataError(
            "this is an Excel workbook, not a CSV file",
            source=source,
            hint="rename it to .xlsx, or export it as CSV",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict_decode(data, "utf-16", source), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict_decode(data, "utf-8-sig", source), "utf-8-sig"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _strict_decode(data, "cp1252", source), "cp1252"
    if "\x00" in text:
        raise InputDataError(
            "the file holds binary data, not text", source=source, hint="export it as CSV"
        )
    return text, encoding


def _strict_decode(data: bytes, encoding: str, source: str) -> str:
    # utf-8-sig counts its offsets after the BOM: decode past it, so the offset is the file's
    skip = 3 if encoding == "utf-8-sig" else 0
    try:
        return data[skip:].decode("utf-8" if skip else encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        wide = encoding == "utf-16"  # its line feeds are two bytes; the offset says enough
        raise InputDataError(
            f"not readable as {encoding} text (byte 0x{data[offset]:02X} at offset {offset})",
            source=source,
            line=None if wide else data.count(b"\n", 0, offset) + 1,
            hint="save the file as 'CSV UTF-8' from Excel",
        ) from None


def _read_csv(data: bytes, shown: str, digest: str, columns: ColumnChoice) -> _Table:
    text, encoding = _decode(data, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    line_series = pl.Series(lines, dtype=pl.String)
    blank = (line_series.str.strip_chars() == "").to_list()
    filled = [number for number, is_blank in enumerate(blank, start=1) if not is_blank]
    if not filled:
        raise InputDataError("the file is empty", source=shown, hint="export the data again")
    sample = [lines[number - 1] for number in filled[:_HEADER_SEARCH_ROWS]]
    separator = _detect_separator(sample, shown)

    odd_quotes = (line_series.str.count_matches('"', literal=True) % 2 == 1).any()
    grid = None if odd_quotes else _grid_fast(lines, filled, separator)
    if grid is None:  # quoted line breaks or unusual quoting: the csv module reads them exactly
        grid = _grid_exact(text, separator, shown)
    blank_lines = [number for number, is_blank in enumerate(blank, start=1) if is_blank]
    table = _Table(
        source=shown,
        sha256=digest,
        file_format="csv",
        names=[],
        frame=grid,
        encoding=encoding,
        separator=separator,
    )
    _take_header(table, grid, blank_lines, columns, strict_width=True)
    return table


def _detect_separator(sample: list[str], source: str) -> str:
    """The separator that splits the first lines into the most equally wide rows (once per file)."""
    best: tuple[int, int, int] | None = None
    chosen = None
    failure: csv.Error | None = None
    for preference, separator in enumerate(_SEPARATORS):
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=separator)]
        except csv.Error as error:  # a cell beyond the csv module's limit of 131.072 characters
            failure = error
            continue
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        mode = max(set(wide), key=lambda width: (wide.count(width), width))
        score = (widths.count(mode), mode, -preference)
        if best is None or score > best:
            best, chosen = score, separator
    if chosen is None and failure is not None:
        raise InputDataError(
            f"cannot split the first lines into cells ({failure})",
            source=source,
            hint='check the quotes: a " that is never closed swallows the rest of the file',
        )
    if chosen is None:
        raise InputDataError(
            "no column separator found (expected ';', ',' or tab)",
            source=source,
            hint="the file needs at least a date and an amount column",
        )
    return chosen


def _grid_fast(lines: list[str], filled: list[int], separator: str) -> pl.DataFrame | None:
    """All non-blank lines through polars' CSV reader, every cell as text; None to fall back."""
    kept = [lines[number - 1] for number in filled]
    width = max(line.count(separator) for line in kept) + 1  # an upper bound: quotes may hide some
    names = [f"c{index}" for index in range(width)]
    try:
        grid = pl.read_csv(
            ("\n".join(kept) + "\n").encode(),
            separator=separator,
            has_header=False,
            schema=dict.fromkeys(names, pl.String),
            missing_columns="insert",
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if grid.height != len(kept):
        return None
    return grid.with_columns(pl.Series(_LINE, filled, dtype=pl.Int64))


def _grid_exact(text: str, separator: str, source: str) -> pl.DataFrame:
    """The csv module's reading, with the line each record starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
                starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as error:  # a cell of more than 131.072 characters: an unclosed quote
        raise InputDataError(
            f"cannot split the line into cells ({error})",
            source=source,
            line=previous + 1,
            hint='check the quotes: a " that is never closed swallows the rest of the file',
        ) from None
    width = max((len(record) for record in records), default=1)
    cells: dict[str, list[str | None]] = {
        f"c{index}": [record[index] if index < len(record) else None for record in records]
        for index in range(width)
    }
    grid = pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String))
    return grid.with_columns(pl.Series(_LINE, starts, dtype=pl.Int64))


# ---------------------------------------------------------------------------------------------
# Header, title rows, blank lines, footers (shared by CSV and Excel)


def _cells_stripped(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell stripped of surrounding whitespace; empty text becomes null."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    stripped = [pl.col(name).str.strip_chars() for name in text_columns]
    return frame.with_columns(
        [
            pl.when(cell != "").then(cell).alias(name)
            for cell, name in zip(stripped, text_columns, strict=True)
        ]
    )


def _header_score(row: list[str], explicit: set[str], months: set[str]) -> int:
    """Known column names count 1, names the user chose 10, month labels 1 each (from 2 on)."""
    keys = [header_key(cell) for cell in row if cell]
    month_cells = sum(cell in months for cell in row)
    return (
        10 * sum(key in explicit for key in keys)
        + sum(key in _KNOWN_NAMES for key in keys)
        + (month_cells if month_cells >= 2 else 0)
    )


def _find_header(rows: list[list[str]], columns: ColumnChoice) -> tuple[int, int]:
    """Index of the header among the first rows, and its score (0: no known names found).

    The header is the first row naming the most known (or chosen) columns, or holding month
    labels as column names. Without any, it is the first of the widest rows without numbers.
    """
    chosen = (columns.date, columns.category, columns.amount)
    explicit = {header_key(name) for name in chosen if name}
    months = month_labels([cell for row in rows for cell in row if cell])
    scores = [_header_score(row, explicit, months) for row in rows]
    best = max(scores)
    if best > 0:
        return scores.index(best), best
    counts = [sum(1 for cell in row if cell) for row in rows]
    widest = max(counts)
    number = re.compile(r"^[-+(€\s]*\d[\d.,\s]*\)?-?$")
    for index, row in enumerate(rows):
        if counts[index] == widest and not any(number.match(cell) for cell in row if cell):
            return index, 0
    return counts.index(widest), 0


class _NoHeaderError(InputDataError):
    """The header search found only data; kept apart so an Excel sheet can report it."""


def _is_data_row(row: list[str], columns: ColumnChoice, semicolon_file: bool) -> bool:
    """A chosen header row that names no known or chosen column and holds a date cell and a
    number in another cell: it is the first line of data in a file without a header.

    Month labels (`Categorie;2024-01;2024-02`, `Omschrijving;jan 2024;feb 2024;2024` with a
    year total) are a legitimate months-as-columns header: two or more of them are never data.
    """
    chosen = {header_key(name) for name in (columns.date, columns.category, columns.amount) if name}
    filled = [cell for cell in row if cell]
    if any(header_key(cell) in _KNOWN_NAMES | chosen for cell in filled):
        return False
    if len(month_labels(filled)) >= 2:
        return False
    values = pl.Series("cell", filled, dtype=pl.String)
    dated = pl.Series([False] * values.len(), dtype=pl.Boolean)
    for rule in DATE_RULES:
        dated = dated | parse_dates(values, rule).is_not_null()
    numbers, _ = read_amounts(values, semicolon_file)
    date_cells = set(dated.arg_true().to_list())
    number_cells = set(numbers.is_not_null().arg_true().to_list())
    return bool(date_cells) and bool(number_cells) and len(date_cells | number_cells) >= 2


def _unique_names(cells: list[str]) -> list[str]:
    """Header cells as column names: empty ones become `column N`, repeats get ` (2)`, ` (3)`."""
    names: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = cell.replace("\ufeff", "").strip() or f"column {position}"
        candidate, repeat = name, 2
        while candidate in names:
            candidate, repeat = f"{name} ({repeat})", repeat + 1
        names.append(candidate)
    return names


def _take_header(
    table: _Table,
    grid: pl.DataFrame,
    blank_lines: list[int],
    columns: ColumnChoice,
    *,
    strict_width: bool,
) -> int:
    """Find the header in `grid`, set the table's names and rows below it; return its score."""
    grid = _cells_stripped(grid)
    cell_columns = [name for name in grid.columns if name != _LINE]
    empty = pl.all_horizontal(pl.col(name).is_null() for name in cell_columns)
    blank_rows = grid.filter(empty)[_LINE].to_list()
    grid = grid.filter(~empty)
    if grid.height == 0:
        raise table.fail("the file is empty", hint="export the spending data again")

    sample = [
        ["" if cell is None else cell for cell in row]
        for row in grid.head(_HEADER_SEARCH_ROWS).select(cell_columns).rows()
    ]
    header_index, score = _find_header(sample, columns)
    header = sample[header_index]
    width = max(index for index, cell in enumerate(header) if cell) + 1
    header_line = int(grid[_LINE][header_index])
    data = grid.slice(header_index + 1)
    for row, line in zip(sample[:header_index], grid[_LINE].to_list(), strict=False):
        if any(mentions_thousands(cell) for cell in row):
            table.thousands_line = int(line)
            break
    if _is_data_row(header, columns, table.separator == ";"):
        raise _NoHeaderError(
            "no header row found: this line holds data, not column names",
            source=table.source,
            line=header_line,
            hint="add a header line such as Maand;Categorie;Bedrag above the data (other names:"
            " choose them with --date-col/--category-col/--amount-col)",
        )

    extra = cell_columns[width:]
    if extra and strict_width:
        crowded = data.filter(pl.any_horizontal(pl.col(name).is_not_null() for name in extra))
        if crowded.height:
            hint = (
                "an unquoted decimal comma in a comma-separated file? Use ';' as separator"
                if table.separator == ","
                else f"a {'tab' if table.separator == chr(9) else repr(table.separator)} inside "
                "a cell? Put that cell in double quotes, or remove the extra field"
            )
            raise InputDataError(
                f"this line has more fields than the header ({width})",
                source=table.source,
                line=int(crowded[_LINE][0]),
                hint=hint,
            )
        extra = []
    if extra:  # Excel: cells right of the header keep their place under a made-up name
        width += len(extra)
        header = header + [""] * len(extra)
    names = _unique_names(header[:width])
    texts = [cell.replace("\ufeff", "").strip() for cell in header[:width]]
    table.repeated = {text: texts.count(text) for text in texts if text and texts.count(text) > 1}
    data = data.select(
        _LINE, *[pl.col(old).alias(new) for old, new in zip(cell_columns, names, strict=False)]
    )

    word = table.line_word
    table.names = names
    table.header_line = header_line
    if header_line > 1:
        table.notes.append(
            f"header on {word} {header_line}; {_count(header_line - 1, 'title ' + word)} above"
            " it skipped"
        )
    table.rows = data.height
    dropped_blank = sum(line > header_line for line in blank_lines + blank_rows)
    if dropped_blank:
        table.notes.append(f"dropped {_count(dropped_blank, 'blank or separator-only ' + word)}")
    table.frame = _drop_footers(table, data)
    return score


def _drop_footers(table: _Table, data: pl.DataFrame) -> pl.DataFrame:
    """Drop source notes such as CBS's `Bron: CBS`: one filled cell that starts with `Bron:`."""
    cells = [pl.col(name) for name in table.names]
    filled = pl.sum_horizontal(cell.is_not_null().cast(pl.Int32) for cell in cells)
    first = pl.coalesce(cells)
    footer = (filled == 1) & first.str.to_lowercase().str.contains(FOOTER_LABEL).fill_null(False)
    footer_lines = data.filter(footer)[_LINE].to_list()
    if footer_lines:
        table.notes.append(f"dropped source footer at {_lines(footer_lines, table.line_word)}")
    return data.filter(~footer)


# ---------------------------------------------------------------------------------------------
# Excel and Parquet


def _read_excel(
    path: Path, shown: str, digest: str, columns: ColumnChoice, sheet: str | None
) -> _Table:
    import fastexcel

    try:
        sheet_names: list[str] = list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # a corrupt or mislabelled file: the engine's message is technical
        raise InputDataError(
            "cannot be read as an Excel workbook",
            source=shown,
            hint=f"open and save it again in Excel ({type(exc).__name__})",
        ) from None
    if sheet is not None and sheet not in sheet_names:
        close = difflib.get_close_matches(sheet, sheet_names, n=1)
        suggestion = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(
            f"sheet '{sheet}' not found",
            source=shown,
            hint=f"{suggestion}sheets: {', '.join(sheet_names)}",
        )
    wanted = [sheet] if sheet is not None else sheet_names
    tables: list[tuple[_Table, int]] = []
    headless: _NoHeaderError | None = None
    for name in wanted:
        try:
            frame = pl.read_excel(
                path,
                sheet_name=name,
                engine="calamine",
                has_header=False,
                read_options={"dtypes": "string"},
                drop_empty_rows=False,
                drop_empty_cols=False,
                raise_if_empty=False,
            )
        except Exception as exc:  # same as above: a damaged sheet
            raise InputDataError(
                f"sheet '{name}' cannot be read",
                source=shown,
                hint=f"open and save it again in Excel ({type(exc).__name__})",
            ) from None
        table = _Table(source=shown, sha256=digest, file_format="excel", names=[], frame=frame)
        table.sheet = name
        if frame.width == 0:
            tables.append((table, -1))
            continue
        # calamine starts at the first filled row, so rows count from there: the sheet's own row
        # numbers whenever row 1 is filled, as with every export that has a title.
        grid = frame.rename({old: f"c{index}" for index, old in enumerate(frame.columns)})
        grid = grid.with_row_index(_LINE, offset=1).with_columns(pl.col(_LINE).cast(pl.Int64))
        try:
            score = _take_header(table, grid, [], columns, strict_width=False)
        except _NoHeaderError as exc:
            headless, score = exc, -1
        except InputDataError:
            score = -1
        tables.append((table, score if table.frame.height else -1))

    if len(tables) == 1:
        table, score = tables[0]
        if headless is not None:
            raise headless
        if score < 0:
            raise table.fail(
                f"sheet '{table.sheet}' holds no data rows",
                hint="choose the sheet with the spending lines",
            )
        return table
    data_like = [table for table, score in tables if score >= 2]
    if len(data_like) != 1:
        raise InputDataError(
            f"the workbook has {len(sheet_names)} sheets: {', '.join(sheet_names)}",
            source=shown,
            hint="choose the one with the spending lines (--sheet NAME)",
        )
    chosen = data_like[0]
    chosen.notes.insert(0, f"used sheet '{chosen.sheet}', the only sheet that looks like data")
    return chosen


def _read_parquet(data: bytes, shown: str, digest: str) -> _Table:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # corrupt file: the engine's message is technical
        raise InputDataError(
            "cannot be read as a Parquet file",
            source=shown,
            hint=f"write the file again ({type(exc).__name__})",
        ) from None
    for name, dtype in frame.schema.items():
        if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
            raise InputDataError(
                f"column '{name}' holds {dtype}, not single values",
                source=shown,
                hint="write the spending as one date, category and amount per row",
            )
    names = list(frame.columns)
    frame = _cells_stripped(frame).with_row_index(_LINE, offset=1)
    frame = frame.with_columns(pl.col(_LINE).cast(pl.Int64))
    return _Table(
        source=shown,
        sha256=digest,
        file_format="parquet",
        names=names,
        frame=frame,
        rows=frame.height,
    )


# ---------------------------------------------------------------------------------------------
# Big CSV files: read in a streaming pass, aggregated on the way

STREAM_BYTES = 64 * 2**20  # files above this are streamed (a declarations file: millions of lines)
_STREAM_HEAD_BYTES = 4 * 2**20  # the head every rule is detected on
_FIRST_TOTAL = "__first_total"  # the first column's cell is a total label (that column unread)
_CHUNK = 2**24


def _stream_csv(path: Path, shown: str, columns: ColumnChoice) -> _Parsed | str:
    """A big long-layout CSV file, aggregated to one amount per (group,) category and day in a
    streaming pass: memory stays bounded by the number of series x days, not by the lines.

    The head of the file (_STREAM_HEAD_BYTES) goes through the normal reading, which decides
    everything once: encoding, separator, header, columns and the date and number rules. The
    whole file is then read lazily with only the used columns selected (client numbers and
    other columns are never read into memory), under those rules. Amounts are summed in whole
    cents, exact and the same in any order. Returns why not where the head shows something only
    the normal reading handles (UTF-16, CR-only lines, quotes around line breaks, a wide layout,
    a domain column); the caller then reads the file as usual, and says so.
    """
    with path.open("rb") as handle:
        head = handle.read(_STREAM_HEAD_BYTES)
    head = head[: head.rfind(b"\n") + 1]
    if not head:
        return "no line feed in its first lines: CR-only line ends"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    if head.count(b'"') % 2:
        return "an unpaired quote in its first lines"
    # the file's sha256 in a thread beside the streaming pass (hashlib lets go of the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool, tempfile.TemporaryDirectory() as folder:
        digest = pool.submit(_sha256_of, path)
        try:
            head.decode("utf-8")
            readable = path
        except UnicodeDecodeError:  # Windows-1252: polars reads UTF-8 only, so transcode
            readable = _utf8_copy(path, shown, Path(folder))
        parsed = _stream_head_and_body(path, readable, shown, columns, head)
        if isinstance(parsed, _Parsed):
            parsed.table.sha256 = digest.result()
        return parsed


def _utf8_copy(path: Path, shown: str, folder: Path) -> Path:
    """A UTF-8 copy of a strict Windows-1252 file, chunk by chunk (one byte is one character,
    so no chunk splits one); the lines stay where they are."""
    copy = folder / "utf8.csv"
    offset = 0
    with path.open("rb") as source, copy.open("wb") as target:
        while chunk := source.read(_CHUNK):
            try:
                target.write(chunk.decode("cp1252").encode("utf-8"))
            except UnicodeDecodeError as error:
                bad = chunk[error.start]
                raise InputDataError(
                    f"not readable as cp1252 text (byte 0x{bad:02X} at offset "
                    f"{offset + error.start})",
                    source=shown,
                    hint="save the file as 'CSV UTF-8' from Excel",
                ) from None
            offset += len(chunk)
    return copy


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stream_head_and_body(
    path: Path, readable: Path, shown: str, columns: ColumnChoice, head: bytes
) -> _Parsed | str:
    """`_stream_csv` once the file is UTF-8 text (`readable`: the file, or its UTF-8 copy)."""
    table = _read_csv(head, shown, "", columns)  # its sha256 is set once the whole file is read
    sample = _interpret(table, columns, Path(shown).stem)
    if sample.layout != LONG:
        return f"the layout is {sample.layout}"
    if sample.category_column is None or sample.amount_column is None:
        return "no category column"
    if _pick_by_name(table.names, DOMAIN_NAMES, set()) is not None:
        return "a domain column"
    date_col, category_col = sample.date_column, sample.category_column
    amount_col, group_col = sample.amount_column, sample.group_column
    date_rule = detect_date_rule(table.frame[date_col])
    # a month in two columns (year, period) is grouped by both and joined per distinct pair
    date_keys = list(table.split_month) if table.split_month else [date_col]
    number_rule = detect_number_rule(
        table.frame[amount_col].drop_nulls(), table.separator == ";"
    )
    if date_rule is None:
        return "no date rule in its first lines"
    assert table.header_line is not None and table.separator is not None

    # The streaming pass groups by the raw text of the key cells: a few thousand distinct values
    # (categories x dates) instead of millions of lines. Cleaning, totals and dates are then
    # worked out once per distinct value; only the amount is parsed line by line.
    raw_keys = [*([group_col] if group_col else []), category_col, *date_keys]
    scan = pl.scan_csv(
        readable,
        separator=table.separator,
        has_header=False,
        skip_rows=table.header_line,
        schema=dict.fromkeys(table.names, pl.String),
        encoding="utf8",
        raise_if_empty=False,
    ).with_row_index(_LINE, offset=table.header_line + 1)
    amount = (
        pl.col(amount_col).str.strip_chars()
        .map_batches(lambda v: parse_amounts(v, number_rule), pl.Float64, is_elementwise=True)
    )  # fmt: skip
    unreadable = pl.col("_amount").is_null() | (pl.col("_amount").abs() > MAX_AMOUNT)
    first = _first_unused(table, [*raw_keys, amount_col])
    flag = (_is_total(pl.col(first)) if first else pl.lit(False)).alias(_FIRST_TOTAL)
    try:
        distinct = (
            scan.select(_LINE, *raw_keys, pl.col(amount_col), flag)
            .filter(pl.any_horizontal(pl.col(n).is_not_null() for n in [*raw_keys, amount_col]))
            .with_columns(amount.alias("_amount"))  # parsed once; the checks read the column
            .with_columns(unreadable.alias("_bad"))
            .group_by(*raw_keys, _FIRST_TOTAL)
            .agg(
                in_cents(pl.col("_amount")).sum().alias("cents"),
                pl.col(_LINE).min(),
                pl.len().alias("lines"),
                pl.col("_bad").sum().alias("bad"),
                pl.col(_LINE).filter(pl.col("_bad")).min().alias("first_bad"),
            )
            .collect(engine="streaming")
        )
    except pl.exceptions.PolarsError as error:  # ragged or oddly quoted lines
        return f"a line that polars cannot split ({type(error).__name__})"
    if table.split_month:
        distinct = distinct.with_columns(_joined_month(*table.split_month).alias(date_col))
    return _from_distinct(
        table, path, readable, distinct, (date_col, category_col, amount_col, group_col),
        (date_rule, number_rule),
    )  # fmt: skip


def _from_distinct(
    table: _Table,
    path: Path,
    readable: Path,
    distinct: pl.DataFrame,
    names: tuple[str, str, str, str | None],
    rules: tuple[DateRule, NumberRule],
) -> _Parsed:
    """The streamed file's rows from its distinct key cells, checked as the normal reading
    checks them: totals dropped, every date and group readable, every amount readable."""
    date_col, category_col, amount_col, group_col = names
    date_rule, number_rule = rules
    # sorted by each key's first line: the first bad key found is the first bad line
    frame = _cells_stripped(distinct).sort(_LINE)
    frame = _drop_total_rows(
        table, frame.with_columns(pl.when(pl.col(_FIRST_TOTAL)).then(pl.lit("totaal"))
                                  .alias(_FIRST_TOTAL)),
        [date_col, category_col, *([group_col] if group_col else [])],
        undated=(_FIRST_TOTAL, date_col),
    ).drop(_FIRST_TOTAL)  # fmt: skip
    if frame.height == 0:
        raise table.fail("no data rows left after dropping total and blank lines")
    for name, what in ((date_col, "date"), *([(group_col, "group")] if group_col else [])):
        empty = frame[name].is_null()
        if empty.any():
            raise _first_failure(table, frame, empty, name, f"empty {what}",
                                 f"every line needs its {name}")  # fmt: skip
    dates = parse_dates(frame[date_col], date_rule)
    if dates.is_null().any():
        raise _bad_date(table, frame, dates.is_null(), date_col, date_rule)
    if frame["bad"].sum():
        raise _stream_amount_failure(table, readable, frame, amount_col, number_rule)
    table.rows = int(distinct["lines"].sum())
    rows = pl.DataFrame(
        {
            "category": _clean_categories(frame[category_col]),
            "date": dates,
            "amount": frame["cents"] / 100,
            "domain": pl.Series([None] * frame.height, dtype=pl.String),
            _LINE: frame[_LINE].cast(pl.Int64),
        }
    )
    if group_col is not None:
        rows = rows.with_columns(_groups(table, frame, group_col))
    # several raw spellings of one category or date are one key once cleaned: sum them
    keys = ["group", "category", "date"] if group_col else ["category", "date"]
    rows = (
        rows.group_by(*keys)
        .agg(pl.col("amount").sum(), pl.col("domain").first(), pl.col(_LINE).min())
        .sort(*keys)
    )
    rows = _drop_uncategorised(table, rows, category_col)
    table.notes.insert(
        0,
        f"read in one streaming pass ({path.stat().st_size / 2**20:,.0f} MB): the columns and "
        "the date and number formats were detected on the first lines; only the used columns "
        "were read, and amounts were summed in whole cents",
    )
    day_level, last = _day_facts(rows["date"])
    return _Parsed(
        table=table,
        rows=rows,
        layout=LONG,
        date_column=date_col,
        category_column=category_col,
        amount_column=amount_col,
        date_format=date_rule.description,
        number_format=number_rule.description,
        day_level=day_level,
        last_date=last,
        group_column=group_col,
    )


def _stream_amount_failure(
    table: _Table, path: Path, frame: pl.DataFrame, amount_col: str, rule: NumberRule
) -> InputDataError:
    """The error for the first line whose amount does not read (its line is known; its cell is
    read again from the file)."""
    count = int(frame["bad"].sum())
    line = int(frame["first_bad"].min())  # type: ignore[arg-type]
    more = f" ({count - 1:,} more like this)" if count > 1 else ""
    assert table.header_line is not None and table.separator is not None
    cells = (
        pl.scan_csv(path, separator=table.separator, has_header=False,
                    skip_rows=table.header_line, schema=dict.fromkeys(table.names, pl.String))
        .with_row_index(_LINE, offset=table.header_line + 1)
        .filter(pl.col(_LINE) == line)
        .select(amount_col)
        .collect(engine="streaming")
    )  # fmt: skip
    value = cells[amount_col][0] if cells.height else None
    if value is None or not str(value).strip():
        return table.fail("empty amount", line=line, column=amount_col,
                          hint="write 0 for no spending, or remove the line" + more)  # fmt: skip
    number = parse_amounts(pl.Series([str(value).strip()]), rule)[0]
    if number is not None:
        return table.fail(
            f"amount {number:.6g} is beyond € 1.000.000.000.000", line=line, column=amount_col,
            hint="check the digits and the unit: amounts are euro per line" + more,
        )  # fmt: skip
    return table.fail(
        f"'{value}' is not an amount in the column's format ({rule.description})",
        line=line, column=amount_col, hint=explain_bad_amount(str(value), rule) + more,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Layout: which column is what


def _pick_explicit(table: _Table, given: str | None, role: str) -> str | None:
    if given is None:
        return None
    if given in table.names:
        return given
    by_key = [name for name in table.names if header_key(name) == header_key(given)]
    if by_key:
        return by_key[0]
    close = difflib.get_close_matches(given, table.names, n=1, cutoff=0.5)
    suggestion = f"did you mean '{close[0]}'? " if close else ""
    raise UsageError(
        f"{role} column '{given}' not found",
        source=table.source,
        hint=f"{suggestion}columns: {', '.join(table.names)}",
    )


def _pick_by_name(names: list[str], known: tuple[str, ...], taken: set[str]) -> str | None:
    """The column whose header matches the earliest name in `known`; leftmost on a tie."""
    keys = {name: header_key(name) for name in names if name not in taken}
    for wanted in known:
        for name, key in keys.items():
            if key == wanted:
                return name
    return None


def _interpret(table: _Table, columns: ColumnChoice, stem: str) -> _Parsed:
    names = table.names
    date_col = _pick_explicit(table, columns.date, "date")
    category_col = _pick_explicit(table, columns.category, "category")
    amount_col = _pick_explicit(table, columns.amount, "amount")
    group_col = _pick_explicit(table, columns.group, "group")
    taken = {name for name in (date_col, category_col, amount_col, group_col) if name}
    if group_col is None:
        group_col = _pick_by_name(names, GROUP_NAMES, taken)
        taken |= {group_col} if group_col else set()
    if category_col is None and columns.category is None:
        category_col = _pick_by_name(names, CATEGORY_NAMES, taken)
        taken |= {category_col} if category_col else set()
    if amount_col is None and columns.amount is None:
        amount_col = _pick_by_name(names, AMOUNT_NAMES, taken)
        taken |= {amount_col} if amount_col else set()
    domain_col = _pick_by_name(names, DOMAIN_NAMES, taken)
    taken |= {domain_col} if domain_col else set()

    if date_col is None:
        month_columns, month_rule = (
            _month_columns(table, taken) if amount_col is None else ({}, None)
        )
        if month_rule is not None:
            _refuse_group(table, group_col, WIDE_MONTHS)
            return _wide_months(table, month_columns, month_rule, category_col, domain_col)
        year_col = _pick_by_name(names, YEAR_NAMES, taken) if amount_col is None else None
        by_year = _months_of_the_year(table, taken | {year_col}) if year_col else {}
        if year_col and by_year:  # `Jaar;Taakveld;jan;feb;…`: a row per year and category
            _refuse_group(table, group_col, WIDE_MONTHS)
            return _wide_months(
                table, by_year, _MONTH_OF_YEAR, category_col, domain_col, year_col=year_col
            )
        date_col = _pick_by_name(names, DATE_NAMES, taken) or _date_column_by_values(table, taken)
        if date_col is None:
            if _months_of_the_year(table, taken):
                raise table.fail(
                    "the month columns have no year",
                    hint="add a Jaar column with each row's year, or write the headers with "
                    "their year, as 'jan 2024'",
                )
            raise table.fail(
                "no date column found",
                hint=f"name it with --date-col; columns: {', '.join(names)}",
            )
        taken.add(date_col)
    date_col = _join_year_and_period(table, date_col, taken)
    if amount_col is None:
        if category_col is not None:
            raise table.fail(
                "no amount column found",
                hint=f"name it with --amount-col; columns: {', '.join(names)}",
            )
        _refuse_group(table, group_col, WIDE_CATEGORIES)
        return _wide_categories(table, date_col, taken)
    return _long(table, date_col, category_col, amount_col, domain_col, stem, group_col)


def _number_text(cells: pl.Expr) -> pl.Expr:
    """Year and period cells as text: Excel and Parquet give 2023 or 2023.0 for `2023`."""
    return cells.cast(pl.String).str.strip_chars().str.replace(r"\.0+$", "")


def _joined_month(year_col: str, period_col: str) -> pl.Expr:
    """One month text from a year and a period cell: `2023` + `P01`/`1` → `2023-P1`, `2023` +
    `jan` → `2023 jan`; null when either is empty (so the empty-date check names the line)."""
    year, period = _number_text(pl.col(year_col)), _number_text(pl.col(period_col))
    number = period.str.to_lowercase().str.extract(PERIOD_VALUE, 1)
    return (
        pl.when(number.is_not_null())
        .then(pl.concat_str(year, pl.lit("-P"), number))
        .otherwise(pl.concat_str(year, pl.lit(" "), period))
    )


def _join_year_and_period(table: _Table, date_col: str, taken: set[str]) -> str:
    """The date column, or a column joined from a year column and `date_col` when that holds
    only periods (1-12, P01) or month names: `Jaar;Periode` exports name the month in two."""
    year_col = _pick_by_name(table.names, YEAR_NAMES, taken)
    if year_col is None:
        return date_col

    def cells(name: str) -> pl.Series:  # a Totaal line does not vote
        text = table.frame.select(_number_text(pl.col(name)).str.to_lowercase()).to_series()
        text = text.drop_nulls()
        return text.filter(~text.str.contains(TOTAL_LABEL) & (text != ""))

    periods, years = cells(date_col), cells(year_col)
    if periods.len() == 0 or years.len() == 0:
        return date_col
    period_like = periods.str.contains(PERIOD_VALUE) | periods.str.replace(r"\.$", "").is_in(
        list(MONTH_NAMES)
    )
    # half the lines, not all: a bad cell is then reported at its line, in the joined column
    year_like = years.str.contains(r"^\d{4}$")
    if period_like.mean() < 0.5 or year_like.mean() < 0.5:  # type: ignore[operator]
        return date_col
    joined = f"{year_col} + {date_col}"
    table.frame = table.frame.with_columns(_joined_month(year_col, date_col).alias(joined))
    table.split_month = (year_col, date_col)
    taken.add(year_col)
    table.notes.append(f"months read from two columns: year '{year_col}', period '{date_col}'")
    return joined


def _refuse_group(table: _Table, group_col: str | None, layout: str) -> None:
    if group_col is not None:
        raise table.fail(
            f"a group column ('{group_col}') needs a long file, not {layout}",
            hint="one line per group, category and month; or leave the group column out",
        )


def _month_columns(table: _Table, taken: set[str]) -> tuple[dict[str, date], DateRule | None]:
    """Header cells that are months under one date rule (with that rule), or ({}, None)."""
    candidates = [name for name in table.names if name not in taken]
    labels = month_labels(candidates)
    headers = pl.Series("header", [name for name in candidates if name in labels], dtype=pl.String)
    rule = detect_date_rule(headers, TEXTUAL_DATE_RULES) if headers.len() >= 2 else None
    if rule is None:
        return {}, None
    months = parse_dates(headers, rule)
    found = {
        name: month.replace(day=1)
        for name, month in zip(headers.to_list(), months.to_list(), strict=True)
        if month is not None
    }
    return (found, rule) if len(found) >= 2 else ({}, None)


_MONTH_OF_YEAR = DateRule("month-of-year", "months as columns, a year column", r"^$")


def _months_of_the_year(table: _Table, taken: set[str]) -> dict[str, date]:
    """Header cells that are months without a year (`jan`, `Februari`, `P01`), each month once,
    mapped to that month of a placeholder year; {} unless there are at least two."""
    found: dict[str, date] = {}
    for name in table.names:
        text = name.strip().lower()
        period = re.match(rf"^{PERIOD_PREFIX}(\d{{1,2}})$", text)  # P01, periode 1 (not a bare 1)
        number = int(period.group(1)) if period else MONTH_NAMES.get(text.rstrip("."))
        if name not in taken and number is not None and 1 <= number <= 12:
            found[name] = date(2000, number, 1)
    return found if len(found) >= 2 and len(set(found.values())) == len(found) else {}


def _date_column_by_values(table: _Table, taken: set[str]) -> str | None:
    """The leftmost column whose values all read as dates in one textual shape."""
    for name in table.names:
        if name in taken:
            continue
        values = table.frame[name]
        if values.dtype in (pl.Date, pl.Datetime):
            return name
        if values.dtype != pl.String:
            continue
        sample = values.drop_nulls().head(200)
        rule = detect_date_rule(sample, TEXTUAL_DATE_RULES)
        if sample.len() and rule and parse_dates(sample, rule).null_count() == 0:
            return name
    return None


# ---------------------------------------------------------------------------------------------
# Rows: totals, blanks, dates, amounts, categories


def _drop_total_rows(
    table: _Table,
    frame: pl.DataFrame,
    label_columns: list[str],
    undated: tuple[str, str] | None = None,
) -> pl.DataFrame:
    """Drop `Totaal`/`Subtotaal` lines (label in `label_columns`): they would double-count.

    `undated` = (first column, date column): a line with a total label in the file's first
    column (an unused one, such as a client number) and no date is a total line too.
    """
    labels = [
        pl.col(name).cast(pl.String).str.to_lowercase().str.contains(TOTAL_LABEL).fill_null(False)
        for name in label_columns
    ]
    if undated is not None:
        first, date_column = undated
        labels.append(
            _is_total(pl.col(first)) & pl.col(date_column).is_null()
            if first in frame.columns
            else pl.lit(False)
        )
    if not labels:
        return frame
    total = pl.any_horizontal(labels)
    lines = frame.filter(total)[_LINE].to_list()
    if lines:
        kind = "total row" if len(lines) == 1 else "total rows"
        table.notes.append(f"dropped {kind} at {_lines(lines, table.line_word)}")
    return frame.filter(~total)


def _is_total(cell: pl.Expr) -> pl.Expr:
    return cell.cast(pl.String).str.strip_chars().str.to_lowercase().str.contains(
        TOTAL_LABEL
    ).fill_null(False)


def _first_unused(table: _Table, used: Sequence[str | None]) -> str | None:
    """The file's first column, when no role uses it (where totals often carry their label)."""
    first = table.names[0] if table.names else None
    return first if first is not None and first not in used else None


def _drop_unused_rows(table: _Table, frame: pl.DataFrame, used: list[str]) -> pl.DataFrame:
    """Drop rows whose used cells are all empty (only other columns filled): nothing to read."""
    empty = pl.all_horizontal(pl.col(name).is_null() for name in used)
    count = frame.filter(empty).height
    if count:
        table.notes.append(
            f"dropped {_count(count, table.line_word)} with no date, category or amount"
        )
    return frame.filter(~empty)


def _require_rows(table: _Table, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        raise table.fail("no data rows left after dropping total and blank lines")


def _note_duplicates(table: _Table, frame: pl.DataFrame) -> None:
    repeats = frame.height - frame.drop(_LINE).n_unique()
    if repeats:
        table.notes.append(f"{_count(repeats, 'exact duplicate ' + table.line_word)} kept (summed)")


def _first_failure(
    table: _Table,
    frame: pl.DataFrame,
    bad: pl.Series,
    column: str,
    problem: str,
    hint: str,
) -> InputDataError:
    """An error for the first bad cell, telling how many more cells share the problem."""
    lines = frame.filter(bad)[_LINE]
    more = lines.len() - 1
    if more:
        hint += f" ({more:,} more like this)"
    return table.fail(problem, line=int(lines[0]), column=column, hint=hint)


def _parse_date_column(table: _Table, frame: pl.DataFrame, column: str) -> tuple[pl.Series, str]:
    """Raw dates of `column` (day precision) and a description of the format read."""
    values = frame[column]
    if values.is_null().any():
        raise _first_failure(
            table, frame, values.is_null(), column, "empty date", "every line needs a month"
        )
    if values.dtype == pl.Date:
        return values, "date values"
    if isinstance(values.dtype, pl.Datetime):
        zone = values.dtype.time_zone
        if zone in {"UTC", "Etc/UTC"}:
            values = values.dt.convert_time_zone("Europe/Amsterdam")
            table.notes.append("UTC timestamps read as Dutch local dates")
        return values.dt.date(), "timestamps"
    if values.dtype != pl.String:
        values = values.cast(pl.String)
    rule = detect_date_rule(values)
    if rule is None:
        first = str(values[0])
        raise table.fail(
            f"'{first}' is not a month in any known format",
            line=int(frame[_LINE][0]),
            column=column,
            hint=explain_bad_date(first, None),
        )
    dates = parse_dates(values, rule)
    bad = dates.is_null()
    if bad.any():
        raise _bad_date(table, frame, bad, column, rule)
    return dates, rule.description


def _bad_date(
    table: _Table, frame: pl.DataFrame, bad: pl.Series, column: str, rule: DateRule
) -> InputDataError:
    """The error for the first date cell that does not fit the column's rule; for a month
    joined from a year and a period column, in the words of those two cells."""
    value = str(frame[column].filter(bad)[0])
    hint = explain_bad_date(value, rule)
    problem = f"'{value}' does not fit the column's date format ({rule.description})"
    if table.split_month and column not in table.names:
        year_col, period_col = table.split_month
        first = frame.filter(bad).row(0, named=True)
        problem = f"year '{first[year_col]}' and period '{first[period_col]}' do not make a month"
        if hint.startswith("write every date as"):
            hint = (
                f"every line needs a 4-digit year in '{year_col}' and a period 1-12 or a "
                f"month name in '{period_col}'"
            )
    return _first_failure(table, frame, bad, column, problem, hint)


def _parse_amount_cells(
    table: _Table, frame: pl.DataFrame, values: pl.Series, column_of_row: pl.Series | str
) -> tuple[pl.Series, str]:
    """Amounts of `values` (aligned with `frame`) under one rule detected over all of them.

    `column_of_row` is the amount column's name, or (wide layouts) each cell's column name.
    An amount beyond MAX_AMOUNT (or infinite) is refused: it is a unit or typing slip, and sums
    of such values overflow to infinity.
    """
    amounts, rule = _amount_cells(table, frame, values, column_of_row)
    huge = amounts.is_infinite() | (amounts.abs() > MAX_AMOUNT)
    if huge.any():
        raise _first_failure(
            table,
            frame,
            huge.fill_null(False),
            _column_at(column_of_row, huge.fill_null(False)),
            f"amount {amounts.filter(huge)[0]:.6g} is beyond € 1.000.000.000.000",
            "check the digits and the unit: amounts are euro per line",
        )
    return amounts, rule


def _amount_cells(
    table: _Table, frame: pl.DataFrame, values: pl.Series, column_of_row: pl.Series | str
) -> tuple[pl.Series, str]:
    if values.dtype.is_numeric():
        amounts = values.cast(pl.Float64)
        bad = amounts.is_nan()
        if bad.any():
            column = _column_at(column_of_row, bad)
            raise _first_failure(table, frame, bad, column, "amount is NaN", "write a number")
        return amounts, "numeric values"
    text = values.cast(pl.String)
    amounts, rule = read_amounts(text, table.separator == ";")
    bad = amounts.is_null() & text.is_not_null()
    if bad.any():
        value = str(text.filter(bad)[0])
        raise _first_failure(
            table,
            frame,
            bad,
            _column_at(column_of_row, bad),
            f"'{value}' is not an amount in the column's format ({rule.description})",
            explain_bad_amount(value, rule),
        )
    return amounts, rule.description


MAX_AMOUNT = 1e12  # euro on one line; a Dutch municipality spends some 1e8-1e9 a year


def _column_at(column_of_row: pl.Series | str, bad: pl.Series) -> str:
    """The column of the first bad cell."""
    if isinstance(column_of_row, str):
        return column_of_row
    return str(column_of_row.filter(bad)[0])


def _clean_categories(values: pl.Series) -> pl.Series:
    """Category text in NFC with runs of (non-breaking) spaces as one space: one series, not two."""
    text = (
        values.cast(pl.String)
        .str.normalize("NFC")
        .str.replace_all(r"[\x00-\x08\x0e-\x1f\x7f]", "")  # control characters (see series)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.Series(values.name, text).replace("", None)


NO_CATEGORY = "(no category)"


def _drop_uncategorised(table: _Table, rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """Rows without a category.

    Zero amounts are padding (as in zero-filled exports): dropped and counted. Rows that carry
    money are kept under the category "(no category)", so no euro silently leaves the totals,
    and noted with the first line, so the user can fix the export or pick another column.
    """
    missing = rows["category"].is_null()
    if not missing.any():
        return rows
    zero = missing & (rows["amount"] == 0)
    if zero.any():
        lines = rows.filter(zero)[_LINE].n_unique()
        table.notes.append(f"dropped {_count(lines, 'zero-amount row')} without a category")
    money = missing & (rows["amount"] != 0)
    if money.any():
        first = int(rows.filter(money)[_LINE].min())  # type: ignore[arg-type]
        count = rows.filter(money)[_LINE].n_unique()
        table.notes.append(
            f"kept {_count(count, 'row')} with an amount but an empty {column!r} as category "
            f"{NO_CATEGORY!r} (first at line {first}); choose a category column that is always "
            "filled to avoid this"
        )
    return rows.filter(~zero).with_columns(pl.col("category").fill_null(NO_CATEGORY))


def _day_facts(dates: pl.Series) -> tuple[bool, date | None]:
    """Whether dates are booking dates, and the latest one.

    Monthly data is stamped on one fixed day: the 1st, the 15th, or the last (whose number
    changes with the month, so month-ends are not counted). Such a stamp says nothing about when
    the bookings of a month stopped; only a day of month that varies (two or more distinct days)
    does.
    """
    days = dates.filter(dates != dates.dt.month_end()).dt.day().n_unique()
    day_level = days > 1
    latest = dates.max()
    return day_level, latest if day_level and isinstance(latest, date) else None


def _long(
    table: _Table,
    date_col: str,
    category_col: str | None,
    amount_col: str,
    domain_col: str | None,
    stem: str,
    group_col: str | None = None,
) -> _Parsed:
    used = [name for name in (date_col, category_col, amount_col, domain_col) if name]
    first = _first_unused(table, [*used, group_col])
    frame = _drop_total_rows(
        table, table.frame, [name for name in (date_col, category_col, group_col) if name],
        undated=(first, date_col) if first else None,
    )  # fmt: skip
    frame = _drop_unused_rows(table, frame, used)
    _require_rows(table, frame)
    _note_duplicates(table, frame)

    dates, date_format = _parse_date_column(table, frame, date_col)
    # After the dates: an annual file is better told it is annual than that a unit repeats.
    roles = [(date_col, "date"), (category_col, "category"), (amount_col, "amount")]
    _refuse_repeated(table, [*roles, (domain_col, None), (group_col, "group")])
    _warn_thousands(table, [amount_col], [])
    amount_values = frame[amount_col]
    if amount_values.is_null().any():
        raise _first_failure(
            table,
            frame,
            amount_values.is_null(),
            amount_col,
            "empty amount",
            "write 0 for no spending, or remove the line",
        )
    amounts, number_format = _parse_amount_cells(table, frame, amount_values, amount_col)
    if category_col is None:
        categories = pl.Series("category", [stem] * frame.height, dtype=pl.String)
        table.notes.append(f"no category column: all amounts form one series named '{stem}'")
    else:
        categories = _clean_categories(frame[category_col])
    rows = pl.DataFrame(
        {
            "category": categories,
            "date": dates,
            "amount": amounts,
            "domain": _domains(table, frame, domain_col),
            _LINE: frame[_LINE],
        }
    )
    if group_col is not None:
        rows = rows.with_columns(_groups(table, frame, group_col))
    if category_col is not None:
        rows = _drop_uncategorised(table, rows, category_col)
    day_level, last = _day_facts(rows["date"])
    return _Parsed(
        table=table,
        rows=rows,
        layout=LONG,
        date_column=date_col,
        category_column=category_col,
        amount_column=amount_col,
        date_format=date_format,
        number_format=number_format,
        day_level=day_level,
        last_date=last,
        group_column=group_col,
    )


def _groups(table: _Table, frame: pl.DataFrame, column: str) -> pl.Series:
    """The group of each row, cleaned like a category; every row needs one."""
    groups = _clean_categories(frame[column]).alias("group")
    if groups.is_null().any():
        raise _first_failure(
            table, frame, groups.is_null(), column, "empty group",
            f"every line needs its {column}: fill it, or leave the column out",
        )  # fmt: skip
    return groups


def _domains(table: _Table, frame: pl.DataFrame, column: str | None) -> pl.Series:
    """The domain of each row (`jeugd`/`wmo`, or null when the file has no domain column)."""
    if column is None:
        return pl.Series("domain", [None] * frame.height, dtype=pl.String)
    raw = frame[column].cast(pl.String)
    keys = raw.str.to_lowercase().str.replace_all(r"[\s\-_.]", "")
    domains = keys.replace_strict(DOMAIN_VALUES, default=None, return_dtype=pl.String)
    bad = domains.is_null() & raw.is_not_null()
    if bad.any():
        value = str(raw.filter(bad)[0])
        raise _first_failure(
            table,
            frame,
            bad,
            column,
            f"'{value}' is not a domain",
            "write jeugd or wmo, or leave the cell empty",
        )
    return domains.alias("domain")


def _unpivot(frame: pl.DataFrame, key: str | None, value_columns: list[str]) -> pl.DataFrame:
    """One row per filled value cell: _LINE, key, `column` (its header) and `cell`."""
    index = [_LINE] + ([key] if key else [])
    numeric = all(frame.schema[name].is_numeric() for name in value_columns)
    common = pl.Float64 if numeric else pl.String  # unpivot needs one type for all cells
    return (
        frame.select(*index, *[pl.col(name).cast(common) for name in value_columns])
        .unpivot(index=index, on=value_columns, variable_name="column", value_name="cell")
        .filter(pl.col("cell").is_not_null())
        .sort(_LINE, pl.col("column").replace_strict(
            value_columns, list(range(len(value_columns))), return_dtype=pl.Int32
        ))
    )  # fmt: skip


def _wide_months(
    table: _Table,
    month_columns: dict[str, date],
    month_rule: DateRule,
    category_col: str | None,
    domain_col: str | None,
    *,
    year_col: str | None = None,
) -> _Parsed:
    """A row per category and a column per month; empty cells are missing months, not zeros.

    With `year_col`, the headers are months of the year and each row's year is in that column.
    """
    others = [
        name for name in table.names
        if name not in month_columns and name not in (domain_col, year_col)
    ]  # fmt: skip
    totals = [name for name in others if is_total_label(name)]
    if totals:
        table.notes.append(f"ignored total {_names(totals)}")
    if category_col is None:
        text_columns = [
            name for name in others if name not in totals and table.frame[name].dtype == pl.String
        ]
        if not text_columns:
            raise table.fail(
                "no category column found next to the month columns",
                hint="the first column should name the care category",
            )
        category_col = text_columns[0]
    ignored = [name for name in others if name not in totals and name != category_col]
    if ignored:
        table.notes.append(f"ignored {_names(ignored)}")
    _refuse_repeated(
        table,
        [(category_col, "category"), (domain_col, None)] + [(name, None) for name in month_columns],
    )
    _refuse_same_month(table, month_columns)
    _warn_thousands(table, [], others)

    value_columns = list(month_columns)
    frame = _drop_total_rows(table, table.frame, [category_col])
    frame = _drop_unused_rows(
        table, frame, [category_col, *value_columns] + ([domain_col] if domain_col else [])
    )
    _require_rows(table, frame)
    _note_duplicates(table, frame)
    frame = frame.with_columns(_clean_categories(frame[category_col]).alias(category_col))
    if year_col is not None:
        frame = frame.with_columns(_row_years(table, frame, year_col))
    domain_of_line = frame.select(_LINE, _domains(table, frame, domain_col))
    cells = _unpivot(frame, category_col, value_columns)
    if cells.height == 0:
        raise table.fail("the month columns hold no amounts")
    amounts, number_format = _parse_amount_cells(table, cells, cells["cell"], cells["column"])
    month = pl.col("column").replace_strict(month_columns, return_dtype=pl.Date)
    if year_col is not None:
        years = frame.select(_LINE, pl.col(year_col).alias("_year"))
        cells = cells.join(years, on=_LINE, how="left")
        month = pl.date(pl.col("_year"), month.dt.month(), 1)
    rows = cells.select(
        pl.col(category_col).alias("category"),
        month.alias("date"),
        amounts.alias("amount"),
        pl.col(_LINE),
    ).join(domain_of_line, on=_LINE, how="left")
    _check_left_out(table, frame, cells.select(_LINE, amounts.alias("amount")), totals, ignored)
    rows = _drop_uncategorised(table, rows, category_col)
    if year_col is not None:
        table.notes.append(f"months from the column headers, years from column '{year_col}'")
    return _Parsed(
        table=table,
        rows=rows,
        layout=WIDE_MONTHS,
        date_column="column headers" + (f" + {year_col}" if year_col else ""),
        category_column=category_col,
        amount_column=None,
        date_format=month_rule.description,
        number_format=number_format,
    )


def _check_left_out(
    table: _Table, frame: pl.DataFrame, cells: pl.DataFrame, totals: list[str], ignored: list[str]
) -> None:
    """Warn when money sits outside the month columns of a wide file: an ignored column that
    holds amounts, or a total column that is not the sum of its row's months."""
    for name in ignored:
        if frame[name].drop_nulls().len() and _mostly_numbers(table, frame[name]):
            table.warnings.append(
                f"{table.source}: column '{name}' holds amounts but is not a month: they are "
                "left out — move them into a month column if they are spending"
            )
    if len(totals) != 1:
        return
    stated, _ = read_amounts(frame[totals[0]].cast(pl.String), table.separator == ";")
    sums = cells.group_by(_LINE).agg(pl.col("amount").sum().alias("months"))
    rows = (
        pl.DataFrame({_LINE: frame[_LINE], "stated": stated})
        .join(sums, on=_LINE, how="left")
        .filter(pl.col("stated").is_not_null())
        .filter((pl.col("stated") - pl.col("months").fill_null(0)).abs() > 0.005)
        .sort(_LINE)
    )
    if rows.height:
        first = rows.row(0, named=True)
        table.warnings.append(
            f"{table.source}: the total column '{totals[0]}' is not the sum of the month columns "
            f"on {_count(rows.height, table.line_word)} (first: {table.line_word} "
            f"{first[_LINE]}: total {_plain(first['stated'])} against {_plain(first['months'])}) "
            "— check for amounts outside the month columns"
        )


def _plain(amount: float | None) -> str:
    """An amount as a Dutch export writes it, for a message: 1234,50."""
    return f"{amount or 0:.2f}".replace(".", ",")


def _row_years(table: _Table, frame: pl.DataFrame, year_col: str) -> pl.Series:
    """Each row's year as a number (Int32); a cell that is no year is an error at its line."""
    text = frame.select(_number_text(pl.col(year_col))).to_series()
    year = text.str.extract(r"^(\d{4})$", 1).cast(pl.Int32)
    bad = year.is_null() | ~year.is_between(1900, 2199)
    if bad.any():
        value = text.filter(bad)[0]
        raise _first_failure(
            table, frame, bad.fill_null(True), year_col,
            "empty year" if value is None else f"'{value}' is not a year",
            "every row needs its year, e.g. 2024",
        )  # fmt: skip
    return year.alias(year_col)


def _wide_categories(table: _Table, date_col: str, taken: set[str]) -> _Parsed:
    """A column per category next to a date column; columns without any amount are ignored."""
    candidates = [name for name in table.names if name not in taken]
    totals = [name for name in candidates if is_total_label(name)]
    if totals:
        table.notes.append(f"ignored total {_names(totals)}")
    value_columns: list[str] = []
    ignored: list[str] = []
    for name in candidates:
        if name in totals:
            continue
        if _mostly_numbers(table, table.frame[name]):
            value_columns.append(name)
        else:
            ignored.append(name)
    if not value_columns:
        raise table.fail(
            "no amount column found",
            hint=f"name it with --amount-col; columns: {', '.join(table.names)}",
        )
    if ignored:
        table.notes.append(f"ignored columns without amounts: {', '.join(ignored)}")

    frame = _drop_total_rows(table, table.frame, [date_col])
    frame = _drop_unused_rows(table, frame, [date_col, *value_columns])
    _require_rows(table, frame)
    _note_duplicates(table, frame)
    dates, date_format = _parse_date_column(table, frame, date_col)
    _refuse_repeated(table, [(date_col, "date")] + [(name, None) for name in value_columns])
    _warn_thousands(table, value_columns, [date_col])
    frame = frame.with_columns(dates.alias(date_col))
    cells = _unpivot(frame, date_col, value_columns)
    if cells.height == 0:
        raise table.fail("the category columns hold no amounts")
    amounts, number_format = _parse_amount_cells(table, cells, cells["cell"], cells["column"])
    categories = _clean_categories(cells["column"])
    rows = pl.DataFrame(
        {
            "category": categories,
            "date": cells[date_col],
            "amount": amounts,
            "domain": pl.Series([None] * cells.height, dtype=pl.String),
            _LINE: cells[_LINE],
        }
    )
    day_level, last = _day_facts(rows["date"])
    return _Parsed(
        table=table,
        rows=rows,
        layout=WIDE_CATEGORIES,
        date_column=date_col,
        category_column=None,
        amount_column=None,
        date_format=date_format,
        number_format=number_format,
        day_level=day_level,
        last_date=last,
    )


def _refuse_repeated(table: _Table, used: list[tuple[str | None, str | None]]) -> None:
    """A column the loader reads whose header another column shares: which one is meant is a guess.

    `used` pairs each column read with its role (date, category, amount), or None where no flag
    can choose it (domain, months and categories as columns). Repeats in unused columns are fine.
    """
    for name, role in used:
        if name is None or name not in table.repeated:
            continue
        count = table.repeated[name]
        hint = "rename one of them in the export"
        if role is not None:
            hint += f", or choose the second one with {_ROLE_FLAGS[role]} '{name} (2)'"
        raise table.fail(
            f"{_NUMBER_WORDS.get(count, str(count))} columns are named '{name}'",
            line=table.header_line,
            column=name,
            hint=hint,
        )


def _refuse_same_month(table: _Table, month_columns: dict[str, date]) -> None:
    """Two headers for one month (`jan 2024`, `januari 2024`) would silently add up."""
    seen: dict[date, str] = {}
    for name, month in month_columns.items():
        if month in seen:
            raise table.fail(
                f"columns '{seen[month]}' and '{name}' are both {month:%Y-%m}",
                line=table.header_line,
                column=name,
                hint="each month needs one column: remove or rename one of them",
            )
        seen[month] = name


def _warn_thousands(table: _Table, amount_columns: list[str], other_headers: list[str]) -> None:
    """Warn when the header (or a title line) says the amounts are thousands of euro.

    Never scaled: a unit in a header is a hint, not a rule, and only the user knows whether the
    numbers were exported in euro anyway; reading 1.234 as € 1.234 is at least what the file says.
    """
    marked = [name for name in amount_columns if mentions_thousands(name)]
    labels = [name for name in other_headers if mentions_thousands(name)]
    if marked:
        said = f"in {_names(marked)} look like thousands of euro (header says so)"
    elif labels:
        said = f"look like thousands of euro (header '{labels[0]}' says so)"
    elif table.thousands_line is not None:
        said = (
            f"look like thousands of euro (the title on {table.line_word}"
            f" {table.thousands_line} says so)"
        )
    else:
        return
    table.warnings.append(
        f"{table.source}: amounts {said}; they are read as given — multiply them or export in euro"
    )


def _mostly_numbers(table: _Table, values: pl.Series) -> bool:
    """At least half of the filled cells read as numbers (one stray `n.v.t.` stays an error)."""
    if values.dtype.is_numeric():
        return True
    filled = values.drop_nulls().cast(pl.String)
    if filled.len() == 0:
        return False
    amounts, _ = read_amounts(filled, table.separator == ";")
    return amounts.count() * 2 >= filled.len()


# ---------------------------------------------------------------------------------------------
# Combining sources


def _overlap_warnings(parsed: list[_Parsed]) -> list[str]:
    """Category-months in more than one input: summed as the contract says, but overlapping
    exports (two runs covering the same months) double-count, so the user must hear of it."""
    keys = pl.concat(
        [
            item.rows.select("category", pl.col("date").dt.truncate("1mo").alias("month"))
            .unique()
            .with_columns(pl.lit(index).alias("source"))
            for index, item in enumerate(parsed)
        ]
    )
    shared = (
        keys.group_by("category", "month")
        .agg(pl.len().alias("inputs"))
        .filter(pl.col("inputs") > 1)
        .sort("month", "category")
    )
    if shared.height == 0:
        return []
    category, month = shared.row(0)[:2]
    verbs = (
        "appears in more than one input and is"
        if shared.height == 1
        else "appear in more than one input and are"
    )
    return [
        f"{_count(shared.height, 'category-month')} {verbs} summed"
        f" (first: {category} {month:%Y-%m}); remove the overlap if the exports cover the same"
        " period"
    ]


def _case_warnings(categories: pl.Series) -> list[str]:
    """Category names that differ only in capitals (`Jeugd`, `jeugd`) are probably one category,
    but picking a spelling would rename the user's data: they stay apart, with a warning."""
    names = pl.DataFrame({"name": categories.unique().sort()})
    groups = (
        names.with_columns(pl.col("name").str.to_lowercase().alias("key"))
        .group_by("key", maintain_order=True)
        .agg("name")
        .filter(pl.col("name").list.len() > 1)
    )
    warnings = []
    for spellings in groups["name"].head(_CASE_WARNINGS_SHOWN).to_list():
        quoted = [f"'{name}'" for name in spellings]
        listed = ", ".join(quoted[:-1]) + " and " + quoted[-1]
        warnings.append(f"categories {listed} differ only in capitals; they are kept apart")
    if groups.height > _CASE_WARNINGS_SHOWN:
        more = groups.height - _CASE_WARNINGS_SHOWN
        warnings.append(
            f"{_count(more, 'more set')} of category names differ only in capitals; they are"
            " kept apart"
        )
    return warnings


def _combine_domains(parsed: list[_Parsed]) -> dict[str, str]:
    """category → domain from all inputs; a category in two domains is an error."""
    domains: dict[str, str] = {}
    origin: dict[str, tuple[_Table, int]] = {}
    for item in parsed:
        pairs = (
            item.rows.filter(pl.col("domain").is_not_null())
            .group_by("category", "domain")
            .agg(pl.col(_LINE).min())
            .sort(_LINE)
        )
        for category, domain, line in pairs.iter_rows():
            known = domains.get(category)
            if known is None:
                domains[category] = domain
                origin[category] = (item.table, line)
            elif known != domain:
                raise InputDataError(
                    f"category '{category}' is in domain '{domain}' here but '{known}' on"
                    f" {origin[category][0].line_word} {origin[category][1]}"
                    f" of {origin[category][0].source}",
                    source=item.table.source,
                    line=line,
                    hint="a category belongs to one domain: jeugd or wmo",
                )
    return dict(sorted(domains.items()))


# ---------------------------------------------------------------------------------------------
# Wording


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _lines(lines: list[int], word: str) -> str:
    shown = ", ".join(str(line) for line in lines[:5]) + (", …" if len(lines) > 5 else "")
    return f"{word} {shown}" if len(lines) == 1 else f"{word}s {shown}"


def _names(names: list[str]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"column {quoted}" if len(names) == 1 else f"columns {quoted}"
