"""Cell rules: numbers and months, one rule per column (models.parsing)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from models.parsing import (
    DATE_RULES,
    DECIMAL_COMMA,
    DECIMAL_POINT,
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

NBSP, THIN, NARROW = "\u00a0", "\u2009", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1234.56),
        ("12.345,00", 12345.0),
        ("980,5", 980.5),
        ("1.000", 1000.0),  # thousands dot in a Dutch column, not 1.0
        ("1.000.000", 1_000_000.0),
        ("0,10", 0.10),
        ("€ 2.500,00", 2500.0),
        ("€2.500,00", 2500.0),
        ("2.500,00 €", 2500.0),
        ("EUR 10,00", 10.0),
        ("10,00 eur", 10.0),
        ("-1.234,56", -1234.56),
        ("\u22125,00", -5.0),  # the Unicode minus sign
        ("(1.234,56)", -1234.56),
        ("(125,40)", -125.40),
        ("1.234,56-", -1234.56),
        ("125,40-", -125.40),
        ("€ -125,40", -125.40),
        ("€-125,40", -125.40),
        ("-€ 125,40", -125.40),
        ("(€ 125,40)", -125.40),
        ("+12,50", 12.5),
        (f"1{NBSP}250,00", 1250.0),
        (f"1{THIN}250,00", 1250.0),
        (f"€{NBSP}1{NARROW}250,00", 1250.0),
        ("  42  ", 42.0),
    ],
)
def test_dutch_amounts(text: str, expected: float) -> None:
    values = pl.Series("bedrag", [text])
    assert parse_amounts(values, DECIMAL_COMMA).item() == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", 1234.56),
        ("1,234.56", 1234.56),
        ("67877.0", 67877.0),
        ("-3", -3.0),
        ("(5.5)", -5.5),
        ("1e+20", 1e20),
        ("0.00001", 0.00001),
        (".5", 0.5),
        ("$ 1.5", None),  # only euro marks are known
    ],
)
def test_decimal_point_amounts(text: str, expected: float | None) -> None:
    parsed = parse_amounts(pl.Series("y", [text]), DECIMAL_POINT).item()
    assert parsed == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "text",
    ["n.v.t.", "-", "--5", "(-5,00)", "125,40 CR", "1,2,3", "12 34", "1.23,4", "abc", "€", "()"],
)
def test_cells_outside_the_dutch_rule_are_null_not_guessed(text: str) -> None:
    assert parse_amounts(pl.Series([text]), DECIMAL_COMMA).item() is None


def test_number_rule_is_decided_by_the_whole_column() -> None:
    ambiguous = pl.Series(["1.000", "2.500", "980"])
    assert detect_number_rule(ambiguous, semicolon_file=True) is DECIMAL_COMMA
    assert detect_number_rule(ambiguous, semicolon_file=False) is DECIMAL_POINT
    # one decimal comma anywhere makes the column Dutch, even in a comma-separated file
    with_comma = pl.Series(["1.000", "2.500", "980,5"])
    assert detect_number_rule(with_comma, semicolon_file=False) is DECIMAL_COMMA
    amounts, rule = read_amounts(with_comma, semicolon_file=False)
    assert rule is DECIMAL_COMMA
    assert amounts.to_list() == [1000.0, 2500.0, 980.5]
    # a decimal point only readable one way makes a ';' file's column decimal-point
    with_point = pl.Series(["1000", "12.5", "3.25"])
    assert detect_number_rule(with_point, semicolon_file=True) is DECIMAL_POINT


def test_mixed_number_formats_leave_the_odd_cell_unread() -> None:
    amounts, rule = read_amounts(pl.Series(["1.234,56", "1234.56"]), semicolon_file=False)
    assert rule is DECIMAL_COMMA
    assert amounts.to_list() == [1234.56, None]


def test_read_amounts_keeps_nulls_and_ignores_them_for_the_rule() -> None:
    amounts, rule = read_amounts(pl.Series(["1,5", None, "2"]), semicolon_file=False)
    assert rule is DECIMAL_COMMA
    assert amounts.to_list() == [1.5, None, 2.0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-", "lone '-'"),
        ("n.v.t.", "text is not an amount"),
        ("125,40 CR", "CR/DR"),
        ("1234.56", "use one number format"),
        ("1,2,3", "write digits"),
    ],
)
def test_bad_amount_hints(text: str, words: str) -> None:
    assert words in explain_bad_amount(text, DECIMAL_COMMA)


def _date(text: str) -> date | None:
    values = pl.Series("maand", [text])
    rule = detect_date_rule(values)
    assert rule is not None, text
    parsed = parse_dates(values, rule).item()
    return parsed.replace(day=1) if parsed else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-31", date(2023, 1, 1)),
        ("2024-01-01 00:00:00", date(2024, 1, 1)),  # an Excel date cell read as text
        ("31-12-2023", date(2023, 12, 1)),
        ("31/12/2023", date(2023, 12, 1)),
        ("31.12.2023", date(2023, 12, 1)),
        ("2023-01", date(2023, 1, 1)),
        ("2023/3", date(2023, 3, 1)),
        ("202301", date(2023, 1, 1)),
        ("01-2023", date(2023, 1, 1)),
        ("1-2023", date(2023, 1, 1)),
        ("jan 2023", date(2023, 1, 1)),
        ("mrt 2023", date(2023, 3, 1)),
        ("mei 2023", date(2023, 5, 1)),
        ("okt. 2023", date(2023, 10, 1)),
        ("maart 2023", date(2023, 3, 1)),
        ("oktober 2023", date(2023, 10, 1)),
        ("March 2023", date(2023, 3, 1)),
        ("December 2023", date(2023, 12, 1)),
        ("Sept 2023", date(2023, 9, 1)),
        ("jan-23", date(2023, 1, 1)),
        ("2023 feb", date(2023, 2, 1)),
        ("15 januari 2024", date(2024, 1, 1)),
        ("45292", date(2024, 1, 1)),  # Excel serial number
        ("2020MM01", date(2020, 1, 1)),  # CBS period code
    ],
)
def test_date_shapes_normalise_to_first_of_month(text: str, expected: date) -> None:
    assert _date(text) == expected


def test_excel_serial_and_day_precision() -> None:
    values = pl.Series(["45292", "45322"])
    rule = detect_date_rule(values)
    assert rule is not None and rule.key == "excel-serial"
    assert parse_dates(values, rule).to_list() == [date(2024, 1, 1), date(2024, 1, 31)]


def test_day_first_is_the_default_and_month_first_needs_proof() -> None:
    day_first = pl.Series(["01-02-2024", "12-03-2024", "13-03-2024"])
    rule = detect_date_rule(day_first)
    assert rule is not None and rule.key == "day-first"
    assert parse_dates(day_first, rule).to_list() == [
        date(2024, 2, 1),
        date(2024, 3, 12),
        date(2024, 3, 13),
    ]
    ambiguous = pl.Series(["01/02/2024", "03/04/2024"])
    assert (rule := detect_date_rule(ambiguous)) is not None and rule.key == "day-first"
    us = pl.Series(["01/31/2024", "02/29/2024"])
    assert (rule := detect_date_rule(us)) is not None and rule.key == "month-first"


def test_one_rule_per_column_leaves_other_shapes_unread() -> None:
    values = pl.Series(["2023-01", "2023-02", "jan 2023", "2023-13"])
    rule = detect_date_rule(values)
    assert rule is not None and rule.key == "year-month"
    assert parse_dates(values, rule).to_list() == [date(2023, 1, 1), date(2023, 2, 1), None, None]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Q1 2023", "quarter"),
        ("2023-Q1", "quarter"),
        ("1996", "year, not a month"),
        ("2022*", "year, not a month"),
        ("1995JJ00", "year, not a month"),
        ("2023-13", "month 13 does not exist"),
        ("31-02-2023", "day does not exist"),
        ("foo 2023", "'foo' is not a month name"),
        ("n.v.t.", "write months as"),
    ],
)
def test_bad_date_hints(text: str, words: str) -> None:
    assert words in explain_bad_date(text, None)


def test_bad_date_hint_names_the_columns_format() -> None:
    rule = next(rule for rule in DATE_RULES if rule.key == "year-month")
    assert "use one date format" in explain_bad_date("jan 2023", rule)


def test_no_rule_reads_years_or_quarters() -> None:
    assert detect_date_rule(pl.Series(["1996", "1997"])) is None
    assert detect_date_rule(pl.Series(["Q1 2023", "Q2 2023"])) is None


def test_month_names_do_not_depend_on_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    import locale

    monkeypatch.setattr(locale, "setlocale", lambda *args: "C")
    assert _date("mei 2023") == date(2023, 5, 1)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("\ufeffMaand", "maand"),
        (" Bedrag (€) ", "bedrag"),
        ("Bedrag in euro", "bedrag"),
        ("jaar_maand", "jaarmaand"),
        ("Jaar-Maand", "jaarmaand"),
        ("BOEKDATUM", "boekdatum"),
        ("unique_id", "uniqueid"),
        ("Lasten (x € 1.000)", "lasten"),
        ("Bedrag x 1000", "bedrag"),
        ("Lasten × € 1.000", "lasten"),
        ("Bedrag kEUR", "bedrag"),
        ("Bedrag k€", "bedrag"),
    ],
)
def test_header_keys(header: str, key: str) -> None:
    assert header_key(header) == key


def test_thousands_marks_in_headers() -> None:
    marked = ["Lasten (x € 1.000)", "Bedrag x 1000", "× € 1.000", "Kosten (x1000)", "k€",
              "Realisatie kEUR", "Bedrag_keur", "Lasten (in duizenden euro)"]  # fmt: skip
    plain = ["Bedrag", "Bedrag (€)", "Bedragen in euro", "Tax 1000", "Keuring",
             "x 1.000.000", "Lasten 2024", "Box 1000"]  # fmt: skip
    assert [header for header in marked if not mentions_thousands(header)] == []
    assert [header for header in plain if mentions_thousands(header)] == []


def test_month_labels_and_total_labels() -> None:
    labels = month_labels(["Categorie", "jan 2023", "feb. 2023", "2023-03", "202304", "Totaal"])
    assert labels == {"jan 2023", "feb. 2023", "2023-03"}  # bare digits are too easily amounts
    assert is_total_label("Totaal") and is_total_label("Subtotaal jeugd")
    assert is_total_label("Grand total") and is_total_label("TOTAL:")
    assert not is_total_label("Totale zorg") and not is_total_label("Totaalpakket")
