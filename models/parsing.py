"""Cell-level rules: how the text in one column becomes numbers or months.

The loader decides **one rule per column** from all of its values and then applies that rule to
every cell. A cell that does not fit comes back as null here and becomes an error in the loader
(with file, line and column) — never a silent null and never a per-cell guess. Everything is a
polars expression over the whole column, so a 70,000-line file parses in milliseconds.

Number rule (see `detect_number_rule`): a column is "decimal comma, thousands dot" when any cell
can only be read that way (``1,5``, ``1.234,56``, ``1.000.000``); otherwise "decimal point" when any
cell can only be read that way (``1.5``, ``1,234.56``, ``1e6``); when every cell reads both ways
(``1000``, ``1.000``) the file's separator decides: ``;`` means a Dutch export, so decimal comma.

Date rule (see `detect_date_rule`): every known shape is tried on the column's distinct values and
the shape that reads most of them wins; ties go to the earlier shape in `DATE_RULES` (so day-first
beats month-first). Month names come from the explicit table `MONTH_NAMES`, never the OS locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

# ---------------------------------------------------------------------------------------------
# Column names


def header_key(name: str) -> str:
    """Reduce a header to a matching key: `" Bedrag (€) "` → `bedrag`, `jaar_maand` → `jaarmaand`.

    Units in brackets, euro marks, thousands marks (`x € 1.000`, `kEUR`), case, BOM, spaces, `_`,
    `-`, `/` and `.` do not make a column a different one, so they are dropped before names are
    compared.
    """
    text = name.replace("\ufeff", "").strip().lower()
    text = re.sub(THOUSANDS_LABEL, " ", text)
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.sub(r"€|\beur\b|\bin euro'?s?\b", " ", text)
    return re.sub(r"[\s_\-/.:]+", "", text)


# A unit that says the amounts are thousands of euro: `x € 1.000`, `× 1000`, `(x1000)`, `k€`,
# `kEUR`, `in duizenden euro` (lower-cased text). Not `x 1.000.000`: millions are not thousands.
THOUSANDS_LABEL = (
    r"(?:(?<![a-z])[x×]\s*(?:€|euro?)?\s*1[.,\s]?000(?![.,\s]?\d)"
    r"|(?<![a-z])k\s*€|(?<![a-z])keur(?![a-z])"
    r"|(?<![a-z])(?:in\s+)?duizend(?:en)?(?:\s+euro'?s?)?(?![a-z]))"
)


def mentions_thousands(header: str) -> bool:
    """Whether a column header says its amounts are in thousands of euro."""
    return re.search(THOUSANDS_LABEL, header.lower()) is not None


# Known header names, most specific first: when two columns match, the earlier name wins.
DATE_NAMES: tuple[str, ...] = (
    "maand", "month", "jaarmaand", "maandjaar", "yearmonth", "yyyymm", "periode", "perioden",
    "period", "boekperiode", "ds", "datum", "date", "boekdatum", "boekingsdatum", "factuurdatum",
    "transactiedatum", "dag", "day",
)  # fmt: skip
CATEGORY_NAMES: tuple[str, ...] = (
    "categorie", "category", "productcategorie", "zorgcategorie", "taakveld", "product",
    "productgroep", "zorgsoort", "zorgvorm", "voorziening", "regeling", "kostenplaats",
    "kostensoort", "uniqueid", "series", "serie", "reeks", "soort",
)  # fmt: skip
AMOUNT_NAMES: tuple[str, ...] = (
    "bedrag", "bedragen", "totaalbedrag", "lasten", "kosten", "uitgaven", "amount", "cost",
    "costs", "spend", "spending", "expenditure", "realisatie", "saldo", "waarde", "value", "y",
)  # fmt: skip
DOMAIN_NAMES: tuple[str, ...] = ("domein", "domain")
# A year column beside a period or month column: finance systems often split the month in two.
YEAR_NAMES: tuple[str, ...] = (
    "jaar", "boekjaar", "year", "fiscalyear", "begrotingsjaar", "dienstjaar", "jr",
)  # fmt: skip
# A level above category: every group x category is its own series (a region's municipalities).
GROUP_NAMES: tuple[str, ...] = (
    "gemeente", "gemeentenaam", "gemeenten", "municipality", "municipalityname",
)  # fmt: skip

# `jeugd` / `wmo` are the two domains of the data contract; common spellings map onto them.
DOMAIN_VALUES: dict[str, str] = {
    "jeugd": "jeugd", "jeugdzorg": "jeugd", "jeugdhulp": "jeugd", "jeugdwet": "jeugd",
    "wmo": "wmo", "wmo2015": "wmo",
}  # fmt: skip

# A label that marks a (sub)total line or column, e.g. `Totaal`, `Subtotaal jeugd`, `Grand total`.
TOTAL_LABEL = r"^(?:sub|eind|grand\s*|generaal\s*)?tota(?:a)?l(?:\s+generaal)?\b"
# A source note under a table, as CBS StatLine writes it: `Bron: CBS`.
FOOTER_LABEL = r"^(?:bron|bronnen|source|sources)\s*:"


def is_total_label(text: str) -> bool:
    return re.match(TOTAL_LABEL, text.strip().lower()) is not None


# ---------------------------------------------------------------------------------------------
# Numbers

_SPACES = r"[\s\u00a0\u2007\u2009\u202f]+"
# An exponent as Excel writes wide numbers: `1,5E+06` (Dutch) or `1.5E+06`.
_DUTCH_CORE = r"^(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:,\d+)?(?:e[-+]?\d+)?$"
_POINT_CORE = r"^(?:(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$"


@dataclass(frozen=True)
class NumberRule:
    """How one column writes its amounts."""

    description: str
    core_pattern: str  # the digits after sign and currency are taken off
    drop_pattern: str  # grouping characters removed before the decimal mark becomes "."
    decimal_mark: str


DECIMAL_COMMA = NumberRule("decimal comma, thousands dot", _DUTCH_CORE, r"[. ]", ",")
DECIMAL_POINT = NumberRule("decimal point", _POINT_CORE, r"[, ]", ".")


def _amount_parts(values: pl.Series) -> pl.DataFrame:
    """Split amount text into a sign and bare digits: `€ -1.234,56`, `(125,40)`, `125,40-`.

    One minus marker at most (leading `-` or `−`, trailing `-`, or brackets); `€`/`EUR` may
    stand before or after the number, and any kind of space (non-breaking, thin) counts as one.
    Cells that are already bare digits (most of them) skip the sign and currency work.
    """
    raw = values.cast(pl.String)
    plain = raw.str.contains(r"^\d+(?:[.,]\d+)*$").fill_null(False)
    parts = pl.DataFrame(
        {
            "core": raw,
            "negative": pl.Series([False] * raw.len(), dtype=pl.Boolean),
            "sign_ok": pl.Series([True] * raw.len(), dtype=pl.Boolean),
        }
    )
    if plain.all():
        return parts
    where = (~plain).arg_true()
    marked = _signed_parts(raw.gather(where))
    return parts.with_columns(
        parts[name].scatter(where, marked[name]) for name in ("core", "negative", "sign_ok")
    )


def _signed_parts(raw: pl.Series) -> pl.DataFrame:
    text = (
        pl.col("raw")
        .str.replace_all(_SPACES, " ")
        .str.to_lowercase()
        .str.replace_all(r"€|\beur\b", "")
        .str.strip_chars()
    )
    frame = pl.DataFrame({"raw": raw}).with_columns(text.alias("t"))
    frame = frame.with_columns(
        pl.col("t").str.contains(r"^\(.*\)$").alias("brackets"),
        pl.col("t").str.replace(r"^\((.*)\)$", "$1").str.strip_chars().alias("t"),
    )
    frame = frame.with_columns(
        pl.col("t").str.contains(r"^[-\u2212]").alias("leading"),
        pl.col("t").str.contains(r"^\+").alias("plus"),
        pl.col("t").str.replace(r"^[-\u2212+]\s*", "").alias("t"),
    )
    frame = frame.with_columns(
        pl.col("t").str.contains(r"-$").alias("trailing"),
        pl.col("t").str.replace(r"\s*-$", "").str.strip_chars().alias("core"),
    )
    minus_marks = (
        pl.col("brackets").cast(pl.Int8) + pl.col("leading").cast(pl.Int8)
        + pl.col("trailing").cast(pl.Int8)
    )  # fmt: skip
    return frame.select(
        "core",
        (minus_marks > 0).fill_null(False).alias("negative"),
        ((minus_marks <= 1) & ~(pl.col("plus") & (minus_marks > 0)))
        .fill_null(False)
        .alias("sign_ok"),
    )


def _fits(parts: pl.DataFrame, rule: NumberRule) -> pl.Series:
    return parts.select(
        (pl.col("sign_ok") & pl.col("core").str.contains(rule.core_pattern)).fill_null(False)
    ).to_series()


def _choose_rule(parts: pl.DataFrame, semicolon_file: bool) -> NumberRule:
    dutch, point = _fits(parts, DECIMAL_COMMA), _fits(parts, DECIMAL_POINT)
    if (dutch & ~point).any():
        return DECIMAL_COMMA
    if (point & ~dutch).any():
        return DECIMAL_POINT
    return DECIMAL_COMMA if semicolon_file else DECIMAL_POINT


def _convert(parts: pl.DataFrame, rule: NumberRule) -> pl.Series:
    number = (
        pl.col("core")
        .str.replace_all(rule.drop_pattern, "")
        .str.replace(rule.decimal_mark, ".", literal=True)
        .cast(pl.Float64, strict=False)
    )
    fits = pl.col("sign_ok") & pl.col("core").str.contains(rule.core_pattern)
    signed = pl.when(pl.col("negative")).then(-number).otherwise(number)
    return parts.select(pl.when(fits).then(signed)).to_series()


def detect_number_rule(values: pl.Series, semicolon_file: bool) -> NumberRule:
    """Choose the number rule for a whole column (rule in the module docstring).

    `values` are the non-empty cells. Cells that fit neither rule do not vote; they are reported
    by the loader once the rule is applied.
    """
    return _choose_rule(_amount_parts(values), semicolon_file)


def parse_amounts(values: pl.Series, rule: NumberRule) -> pl.Series:
    """Amounts as Float64 under `rule`; null where a cell does not fit (or is null)."""
    return _convert(_amount_parts(values), rule).alias(values.name)


def read_amounts(values: pl.Series, semicolon_file: bool) -> tuple[pl.Series, NumberRule]:
    """`detect_number_rule` and `parse_amounts` in one pass over the text."""
    parts = _amount_parts(values)
    rule = _choose_rule(parts.filter(values.is_not_null()), semicolon_file)
    return _convert(parts, rule).alias(values.name), rule


def explain_bad_amount(value: str, rule: NumberRule) -> str:
    """Why one amount cell does not fit its column's rule, as a hint the user can act on."""
    text = value.strip().lower()
    if text in {"-", "\u2212", "--"}:
        return "a lone '-' is not an amount: write 0 for no spending, or remove the line"
    if re.search(r"\b(cr|dr|db)\b", text):
        return "credit/debit marks (CR/DR) are not read: write the amount with a minus sign"
    other = DECIMAL_POINT if rule is DECIMAL_COMMA else DECIMAL_COMMA
    single = pl.Series("raw", [value])
    if _fits(_amount_parts(single), other).item():
        return (
            f"the column is written with {rule.description}, this cell with {other.description}:"
            " use one number format in the whole column"
        )
    if re.search(r"[a-z]", text):
        return "text is not an amount: write 0 for no spending, or remove the line"
    return f"write digits with {rule.description}, e.g. {_example(rule)}"


def _example(rule: NumberRule) -> str:
    return "-1.234,56" if rule is DECIMAL_COMMA else "-1234.56"


# ---------------------------------------------------------------------------------------------
# Months and dates

MONTH_NAMES: dict[str, int] = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "febr": 2, "februari": 2, "february": 2,
    "mrt": 3, "maa": 3, "mar": 3, "maart": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29


@dataclass(frozen=True)
class DateRule:
    """One way a column writes its months; the pattern runs on stripped, lower-cased text.

    Named groups: `y` (4-digit year), `yy` (2-digit year), `m` (month number), `mon` (month
    name), `d` (day), `serial` (Excel day number). `textual` rules are distinctive enough to
    recognise a date column, or a month header, by its values alone; bare digits are not.
    A trailing `*` (CBS's mark for provisional figures) is ignored.
    """

    key: str
    description: str
    pattern: str
    textual: bool = True


_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# A finance system's booking period: P01, per. 1, periode 1 (periods 1-12 are the months).
PERIOD_PREFIX = r"p(?:er(?:iode?)?)?\.?\s*"
PERIOD_VALUE = rf"^(?:{PERIOD_PREFIX})?(?P<m>\d{{1,3}})$"
DATE_RULES: tuple[DateRule, ...] = (
    DateRule("iso", "ISO dates (YYYY-MM-DD)",
             rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}$"),
    DateRule("year-month", "year-month (YYYY-MM)", r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})$"),
    DateRule("year-period", "year and period (e.g. 2023-P01)",
             rf"^(?P<y>\d{{4}})[\s\-/]*{PERIOD_PREFIX}(?P<m>\d{{1,3}})$"),
    DateRule("period-year", "period and year (e.g. P01-2023)",
             rf"^{PERIOD_PREFIX}(?P<m>\d{{1,3}})[\s\-/]*(?P<y>\d{{4}})$"),
    DateRule("yyyymm", "YYYYMM", r"^(?P<y>\d{4})(?P<m>\d{2})$", textual=False),
    DateRule("cbs", "CBS period codes (YYYYMMnn)", r"^(?P<y>\d{4})mm(?P<m>\d{2})$"),
    DateRule("day-first", "day-first DD-MM-YYYY",
             rf"^(?P<d>\d{{1,2}})[-/.](?P<m>\d{{1,2}})[-/.](?P<y>\d{{4}}){_TIME}$"),
    DateRule("month-first", "month-first MM/DD/YYYY",
             rf"^(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}$"),
    DateRule("month-year", "month-year (MM-YYYY)", r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
    DateRule("month-name", "month names (e.g. 'jan 2023', 'maart 2023')",
             r"^(?P<mon>[a-z]+)\.?[\s\-/]*(?P<y>\d{4})$"),
    DateRule("year-month-name", "year and month name (e.g. '2023 jan')",
             r"^(?P<y>\d{4})[\s\-/]*(?P<mon>[a-z]+)\.?$"),
    DateRule("day-month-name", "day, month name, year (e.g. '15 jan 2023')",
             r"^(?P<d>\d{1,2})[\s\-.]*(?P<mon>[a-z]+)\.?[\s\-.]*(?P<y>\d{4})$"),
    DateRule("month-name-yy", "month name and two-digit year (e.g. 'jan-23')",
             r"^(?P<mon>[a-z]+)\.?[\s\-/]*'?(?P<yy>\d{2})$"),
    DateRule("excel-serial", "Excel serial numbers",
             r"^(?P<serial>\d{5})(?:\.\d+)?$", textual=False),
)  # fmt: skip
TEXTUAL_DATE_RULES = tuple(rule for rule in DATE_RULES if rule.textual)

# Shapes that are periods but not months: they get their own message instead of "no format fits".
_YEARS = r"^\d{4}(?:jj00)?\*?$"
_QUARTERS = r"^(?:(?:q|k|kw)\s*[1-4][\s\-/]*\d{4}|\d{4}[\s\-/]*(?:q|k|kw)\s*0?[1-4])\*?$"


def _date_frame(values: pl.Series, rule: DateRule) -> pl.DataFrame:
    """Parse distinct values under `rule`: columns raw, date (null when it does not fit)."""
    groups = set(re.findall(r"\?P<(\w+)>", rule.pattern))
    text = pl.col("raw").str.strip_chars().str.to_lowercase().str.replace(r"\*$", "")
    parts = text.str.extract_groups(rule.pattern)

    def field(name: str) -> pl.Expr:
        return parts.struct.field(name).cast(pl.Int32, strict=False)

    if "serial" in groups:
        serial = field("serial")
        fits = serial.is_not_null()
        value = pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial.fill_null(0))
        return pl.DataFrame({"raw": values}).with_columns(pl.when(fits).then(value).alias("date"))
    if "mon" in groups:
        month = parts.struct.field("mon").replace_strict(
            MONTH_NAMES, default=None, return_dtype=pl.Int32
        )
    else:
        month = field("m")
    if "yy" in groups:
        yy = field("yy")
        year = pl.when(yy < 70).then(yy + 2000).otherwise(yy + 1900)
    else:
        year = field("y")
    day = field("d") if "d" in groups else pl.lit(1, dtype=pl.Int32)
    frame = pl.DataFrame({"raw": values}).with_columns(
        year.alias("y"), month.alias("m"), day.alias("d")
    )
    # Build every date from clamped parts (polars evaluates both branches of a when/then), then
    # keep only the rows whose real parts were valid.
    first = pl.date(pl.col("y").clip(1900, 2199), pl.col("m").clip(1, 12), 1)
    frame = frame.with_columns(first.dt.month_end().dt.day().cast(pl.Int32).alias("days"))
    valid = (
        pl.col("y").is_between(1900, 2199)
        & pl.col("m").is_between(1, 12)
        & pl.col("d").is_between(1, pl.col("days"))
    )
    value = first + pl.duration(days=pl.col("d").clip(1, pl.col("days")) - 1)
    return frame.select("raw", pl.when(valid).then(value).alias("date"))


def parse_dates(values: pl.Series, rule: DateRule) -> pl.Series:
    """Raw dates (day precision) under `rule`; null where a cell does not fit (or is null).

    Parsing runs on the distinct values only: a date column repeats the same few hundred months.
    """
    strings = values.cast(pl.String)
    distinct = strings.drop_nulls().unique()
    parsed = _date_frame(distinct, rule)
    return strings.replace_strict(
        parsed["raw"], parsed["date"], default=None, return_dtype=pl.Date
    ).alias(values.name)


def detect_date_rule(
    values: pl.Series, rules: tuple[DateRule, ...] = DATE_RULES
) -> DateRule | None:
    """The rule that reads most distinct non-empty values; None when no rule reads any."""
    distinct = values.cast(pl.String).drop_nulls().unique()
    best: DateRule | None = None
    best_count = 0
    for rule in rules:
        count = int(_date_frame(distinct, rule)["date"].count())
        if count > best_count:
            best, best_count = rule, count
    return best


def not_monthly_reason(value: str) -> str | None:
    """A hint when a value is a year or a quarter rather than a month; None otherwise."""
    text = value.strip().lower()
    if re.match(_YEARS, text):
        return "this is a year, not a month: carecast needs monthly amounts, not annual figures"
    if re.match(_QUARTERS, text):
        return "this is a quarter, not a month: carecast needs monthly amounts"
    return None


def explain_bad_date(value: str, rule: DateRule | None) -> str:
    """Why one date cell does not fit its column's rule (or any rule), as an actionable hint."""
    reason = not_monthly_reason(value)
    if reason:
        return reason
    text = value.strip().lower()
    rules = DATE_RULES if rule is None else (rule,)
    for candidate in rules:
        match = re.match(candidate.pattern, text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("mon") and parts["mon"] not in MONTH_NAMES:
            return f"'{parts['mon']}' is not a month name (Dutch or English)"
        if "period" in candidate.key and not 1 <= int(parts["m"]) <= 12:
            return (
                f"period {int(parts['m'])} is not a month: periods 0 and 13 and up hold "
                "opening or year-end entries; book them to a month in the export (December "
                "for year-end entries) or leave those lines out"
            )
        if parts.get("m") and not 1 <= int(parts["m"]) <= 12:
            return f"month {int(parts['m'])} does not exist"
        if parts.get("y") and not 1900 <= int(parts["y"]) <= 2199:
            return f"year {parts['y']} is out of range"
        if parts.get("d"):
            return "that day does not exist in that month"
    if rule is None:
        return "write months as e.g. 2023-01, 01-2023, jan 2023 or 31-01-2023"
    single = pl.Series("raw", [value])
    for other in DATE_RULES:
        if other is not rule and _date_frame(single, other)["date"].item() is not None:
            return (
                f"the column is written as {rule.description}, this cell as {other.description}:"
                " use one date format in the whole column"
            )
    return f"write every date as {rule.description}"


def month_labels(texts: list[str]) -> set[str]:
    """The texts that read as a month (`jan 2023`, `2023-01`): headers of a months-as-columns file.

    Only textual shapes count; bare numbers such as `202301` or `45292` are too easily amounts.
    """
    distinct = pl.Series("raw", texts, dtype=pl.String).drop_nulls().unique()
    found: set[str] = set()
    for rule in TEXTUAL_DATE_RULES:
        parsed = _date_frame(distinct, rule).filter(pl.col("date").is_not_null())
        found.update(parsed["raw"].to_list())
    return found
