"""The loader: every export shape our users have, and a precise error for each bad input."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from models.errors import InputDataError, UsageError
from models.loading import ColumnChoice, History, SourceInfo, load_history

DUTCH = "Maand;Categorie;Bedrag\n"


def write(
    tmp_path: Path, name: str, text: str, *, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def amounts(history: History) -> dict[tuple[str, str], float]:
    return {
        (category, f"{month:%Y-%m}"): amount
        for category, month, amount in history.monthly.iter_rows()
    }


def only_source(history: History) -> SourceInfo:
    assert len(history.sources) == 1
    return history.sources[0]


def load_error(path: Path, columns: ColumnChoice | None = None) -> str:
    with pytest.raises(InputDataError) as caught:
        load_history([path], columns or ColumnChoice())
    assert caught.value.exit_code == 3
    return caught.value.one_line()


# ---------------------------------------------------------------------------------------------
# FK-01/02: Dutch numbers


def test_semicolon_decimal_comma_thousands_dot(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "jeugd.csv",
        DUTCH + "01-01-2024;Jeugdhulp verblijf;1.234,56\n"
        "01-02-2024;Jeugdhulp verblijf;12.345,00\n"
        "01-03-2024;Jeugdhulp verblijf;980,5\n"
        "01-04-2024;Jeugdhulp verblijf;1.000\n",
    )
    history = load_history([path])
    assert amounts(history) == {
        ("Jeugdhulp verblijf", "2024-01"): 1234.56,
        ("Jeugdhulp verblijf", "2024-02"): 12345.0,
        ("Jeugdhulp verblijf", "2024-03"): 980.5,
        ("Jeugdhulp verblijf", "2024-04"): 1000.0,
    }
    info = only_source(history)
    assert (info.separator, info.number_format) == (";", "decimal comma, thousands dot")
    assert (info.date_format, info.layout, info.file_format) == (
        "day-first DD-MM-YYYY",
        "long",
        "csv",
    )
    assert (info.date_column, info.category_column, info.amount_column) == (
        "Maand",
        "Categorie",
        "Bedrag",
    )
    assert info.rows == 4 and info.header_line == 1 and info.notes == ()
    assert history.monthly.schema == {"category": pl.String, "month": pl.Date, "amount": pl.Float64}


def test_thousands_dot_alone_in_a_semicolon_file_is_dutch(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", DUTCH + "2024-01;Wmo;1.000\n2024-02;Wmo;12.500\n")
    assert list(amounts(load_history([path])).values()) == [1000.0, 12500.0]


def test_euro_signs_spaces_and_negative_notations(tmp_path: Path) -> None:
    cells = {
        "€ 2.500,00": 2500.0,
        "€-125,40": -125.40,
        "€ -125,40": -125.40,
        "125,40-": -125.40,
        "(125,40)": -125.40,
        "1\u00a0250,00": 1250.0,
        "1\u2009250,00": 1250.0,
        "-1.234,56": -1234.56,
        "(1.234,56)": -1234.56,
        "1.234,56-": -1234.56,
        "1,5E+06": 1_500_000.0,  # Excel's exponent for a wide number
        "-2,25e3": -2250.0,
    }
    lines = "".join(f"2024-01;{cell!r};{cell}\n" for cell in cells)
    history = load_history([write(tmp_path, "neg.csv", DUTCH + lines)])
    by_cell = {category: amount for category, _, amount in history.monthly.iter_rows()}
    assert by_cell == {repr(cell): amount for cell, amount in cells.items()}


def test_decimal_point_file_with_thousands_commas(tmp_path: Path) -> None:
    text = 'date,category,amount\n2024-01-15,Wmo,"1,234.50"\n2024-02-15,Wmo,-20.25\n'
    history = load_history([write(tmp_path, "en.csv", text)])
    assert list(amounts(history).values()) == [1234.5, -20.25]
    assert only_source(history).number_format == "decimal point"


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "a.tsv", "maand\ttaakveld\tlasten\n2024-01\t6.71a\t1.234,56\n")
    history = load_history([path])
    assert amounts(history) == {("6.71a", "2024-01"): 1234.56}
    assert only_source(history).separator == "\t"


# ---------------------------------------------------------------------------------------------
# FK-03: encodings and line endings


def test_windows_1252_is_detected_without_replacement_characters(tmp_path: Path) -> None:
    text = DUTCH + "2024-01;Maatwerk cliëntondersteuning;€ 10,00\n"
    history = load_history([write(tmp_path, "cp.csv", text, encoding="cp1252")])
    assert history.monthly["category"].to_list() == ["Maatwerk cliëntondersteuning"]
    assert history.monthly["amount"].to_list() == [10.0]
    assert only_source(history).encoding == "cp1252"
    assert "\ufffd" not in history.monthly["category"][0]


def test_utf8_bom_header_and_encodings_combine_into_one_series(tmp_path: Path) -> None:
    bom = write(tmp_path, "bom.csv", "\ufeff" + DUTCH + "2024-01;Maatwerk cliëntondersteuning;1\n")
    cp = write(
        tmp_path, "cp.csv", DUTCH + "2024-02;Maatwerk cliëntondersteuning;2\n", encoding="cp1252"
    )
    plain = write(tmp_path, "u8.csv", DUTCH + "2024-03;Maatwerk cliëntondersteuning;3\n")
    history = load_history([bom, cp, plain])
    assert [info.encoding for info in history.sources] == ["utf-8-sig", "cp1252", "utf-8"]
    assert history.sources[0].date_column == "Maand"
    assert history.monthly["category"].unique().to_list() == ["Maatwerk cliëntondersteuning"]
    assert history.monthly["amount"].to_list() == [1.0, 2.0, 3.0]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.txt", "Maand\tBedrag\n2024-01\t5\n", encoding="utf-16")
    history = load_history([path])
    assert only_source(history).encoding == "utf-16"
    assert history.monthly["amount"].to_list() == [5.0]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_and_line_numbers(tmp_path: Path, newline: str) -> None:
    text = DUTCH + "2024-01;Wmo;1\n\n2024-02;Wmo;2\n2024-03;Wmo;n.v.t.\n"
    good = write(tmp_path, "good.csv", text.rsplit("2024-03", 1)[0], newline=newline)
    assert load_history([good]).monthly["amount"].to_list() == [1.0, 2.0]
    bad = write(tmp_path, "bad.csv", text, newline=newline)
    assert f"{bad}:5:3: column 'Bedrag': 'n.v.t.'" in load_error(bad)


def test_quoted_line_breaks_keep_line_numbers_right(tmp_path: Path) -> None:
    text = (
        "Maand;Categorie;Opmerking;Bedrag\n"
        '2024-01;Wmo;"twee\nregels";1\n'
        "2024-02;Wmo;;2\n"
        "2024-03;Wmo;;x\n"
    )
    path = write(tmp_path, "q.csv", text)
    assert f"{path}:5:4: column 'Bedrag': 'x'" in load_error(path)
    good = write(tmp_path, "good.csv", text.replace(";x", ";3"))
    assert load_history([good]).monthly["amount"].to_list() == [1.0, 2.0, 3.0]


# ---------------------------------------------------------------------------------------------
# FK-06/08: title rows, blank lines, totals, footers


def test_title_rows_blank_lines_total_row_and_footer(tmp_path: Path) -> None:
    text = (
        "Uitgaven sociaal domein\n"
        "Bedragen in euro;;\n"
        "\n" + DUTCH + "01-01-2024;Beschermd wonen;5.000,00\n"
        "01-02-2024;Beschermd wonen;5.100,00\n"
        "\n"
        ";;\n"
        "Totaal;;10.100,00\n"
        '"Bron: gemeentelijke administratie"\n'
    )
    path = write(tmp_path, "fk06.csv", text, encoding="cp1252", newline="\r\n")
    history = load_history([path])
    assert history.monthly["amount"].sum() == 10_100.0
    info = only_source(history)
    assert info.header_line == 4
    assert info.rows == 4  # the two data lines, the total and the footer
    assert info.notes == (
        "header on line 4; 3 title lines above it skipped",
        "dropped 2 blank or separator-only lines",
        "dropped source footer at line 10",
        "dropped total row at line 9",
    )


def test_subtotal_rows_inside_the_data_are_dropped(tmp_path: Path) -> None:
    text = DUTCH + (
        "2024-01;Wmo;10\n2024-01;Jeugd;20\nSubtotaal 2024-01;;30\n2024-02;Wmo;11\nTotaal;;41\n"
    )
    history = load_history([write(tmp_path, "sub.csv", text)])
    assert history.monthly["amount"].sum() == 41.0
    assert "dropped total rows at lines 4, 6" in only_source(history).notes


def test_cbs_statline_style_export(tmp_path: Path) -> None:
    text = (
        '"Uitgaven jeugdzorg; maandcijfers"\n'
        '"Onderwerp: lasten"\n'
        '"Perioden";"Categorie";"Lasten"\n'
        '"2023MM01";"Jeugd";"1.234,5"\n'
        '"2023MM02";"Jeugd";"1.300"\n'
        '"Bron: CBS"\n'
    )
    history = load_history([write(tmp_path, "cbs.csv", "\ufeff" + text)])
    assert amounts(history) == {("Jeugd", "2023-01"): 1234.5, ("Jeugd", "2023-02"): 1300.0}
    info = only_source(history)
    assert info.header_line == 3 and info.date_format == "CBS period codes (YYYYMMnn)"
    assert "dropped source footer at line 6" in info.notes


def test_rows_with_only_unused_columns_filled_are_counted(tmp_path: Path) -> None:
    text = "Maand;Categorie;Bedrag;Opmerking\n2024-01;Wmo;1;\n;;;nagekomen\n2024-02;Wmo;2;\n"
    info = only_source(load_history([write(tmp_path, "o.csv", text)]))
    assert "dropped 1 line with no date, category or amount" in info.notes


# ---------------------------------------------------------------------------------------------
# FK-04/05: date shapes in files


@pytest.mark.parametrize(
    ("cells", "description"),
    [
        (["2023-01-31", "2023-02-28"], "ISO dates (YYYY-MM-DD)"),
        (["31-01-2023", "28-02-2023"], "day-first DD-MM-YYYY"),
        (["31/01/2023", "28/02/2023"], "day-first DD-MM-YYYY"),
        (["2023-01", "2023-02"], "year-month (YYYY-MM)"),
        (["202301", "202302"], "YYYYMM"),
        (["01-2023", "2-2023"], "month-year (MM-YYYY)"),
        (["jan 2023", "feb 2023"], "month names (e.g. 'jan 2023', 'maart 2023')"),
        (["januari 2023", "februari 2023"], "month names (e.g. 'jan 2023', 'maart 2023')"),
        (["44957", "44985"], "Excel serial numbers"),
    ],
)
def test_date_shapes_in_a_file(tmp_path: Path, cells: list[str], description: str) -> None:
    text = DUTCH + "".join(f"{cell};Wmo;{n}\n" for n, cell in enumerate(cells, start=1))
    history = load_history([write(tmp_path, "d.csv", text)])
    assert history.monthly["month"].to_list() == [date(2023, 1, 1), date(2023, 2, 1)]
    assert only_source(history).date_format == description
    assert history.day_level_dates is False and history.last_date is None


def test_dutch_month_names_all_spellings(tmp_path: Path) -> None:
    cells = ["jan 2023", "mrt 2023", "mei 2023", "okt. 2023", "maart 2024", "oktober 2024"]
    text = DUTCH + "".join(f"{cell};Wmo;1\n" for cell in cells)
    months = load_history([write(tmp_path, "m.csv", text)]).monthly["month"].to_list()
    assert [f"{month:%Y-%m}" for month in months] == [
        "2023-01",
        "2023-03",
        "2023-05",
        "2023-10",
        "2024-03",
        "2024-10",
    ]


@pytest.mark.parametrize(
    ("cells", "description"),
    [
        (["2023-P01", "2023-P02"], "year and period (e.g. 2023-P01)"),
        (["2023P1", "2023 per. 2"], "year and period (e.g. 2023-P01)"),
        (["P01-2023", "periode 2 2023"], "period and year (e.g. P01-2023)"),
    ],
)
def test_booking_periods_in_one_column(tmp_path: Path, cells: list[str], description: str) -> None:
    text = DUTCH + "".join(f"{cell};Wmo;{n}\n" for n, cell in enumerate(cells, start=1))
    history = load_history([write(tmp_path, "p.csv", text)])
    assert history.monthly["month"].to_list() == [date(2023, 1, 1), date(2023, 2, 1)]
    assert only_source(history).date_format == description


def test_year_and_period_in_two_columns(tmp_path: Path) -> None:
    text = "Boekjaar;Periode;Taakveld;Lasten\n" + "".join(
        f"{year};{period};Wmo;{year - 2000}{period:02d}\n"
        for year in (2023, 2024)
        for period in range(1, 13)
    ) + ";;Totaal;999\n"
    history = load_history([write(tmp_path, "jp.csv", text)])
    months = history.monthly["month"].to_list()
    assert months[0] == date(2023, 1, 1) and months[-1] == date(2024, 12, 1) and len(months) == 24
    assert amounts(history)[("Wmo", "2024-07")] == 2407
    info = only_source(history)
    assert info.date_column == "Boekjaar + Periode"
    assert "months read from two columns: year 'Boekjaar', period 'Periode'" in info.notes


def test_year_and_month_names_in_two_columns(tmp_path: Path) -> None:
    text = "Jaar,Maand,Categorie,Kosten\n2023,jan,A,1\n2023,feb.,A,2\n2023,Maart,A,3\n"
    history = load_history([write(tmp_path, "jm.csv", text)])
    assert amounts(history) == {("A", "2023-01"): 1, ("A", "2023-02"): 2, ("A", "2023-03"): 3}


def test_a_closing_period_13_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "Jaar;Periode;Categorie;Bedrag\n2023;11;Wmo;1\n2023;12;Wmo;1\n2023;13;Wmo;-5\n"
    message = load_error(write(tmp_path, "p13.csv", text))
    where = f"error: {tmp_path / 'p13.csv'}:4: column 'Jaar + Periode': year '2023' and period '13'"
    assert message.startswith(where)
    assert "period 13 is not a month" in message and "December" in message


@pytest.mark.parametrize(
    ("last_line", "words"),
    [
        ("2024;foo;Wmo;1", ":5: column 'Jaar + Maand': year '2024' and period 'foo' do not"),
        ("24;mrt;Wmo;1", ":5: column 'Jaar + Maand': year '24' and period 'mrt' do not make"),
    ],
)
def test_a_bad_year_or_month_cell_in_two_columns_names_its_line(
    tmp_path: Path, last_line: str, words: str
) -> None:
    text = "Jaar;Maand;Categorie;Bedrag\n2024;jan;Wmo;1\n2024;feb;Wmo;1\n2024;mrt;Wmo;1\n"
    text += last_line + "\n"
    message = load_error(write(tmp_path, "jm.csv", text))
    assert message.startswith(f"error: {tmp_path / 'jm.csv'}{words}"), message


def test_a_total_line_under_two_date_columns_is_dropped(tmp_path: Path) -> None:
    text = "Jaar;Maand;Categorie;Bedrag\n2024;jan;Wmo;1\n2024;feb;Wmo;2\nTotaal;;;3\n"
    history = load_history([write(tmp_path, "jm.csv", text)])
    assert amounts(history) == {("Wmo", "2024-01"): 1, ("Wmo", "2024-02"): 2}
    assert "dropped total row at line 4" in only_source(history).notes


def test_year_and_period_as_floats_in_parquet(tmp_path: Path) -> None:
    """pandas writes integer columns with gaps as floats: 2024.0 and 1.0 are still 2024 and 1."""
    pl.DataFrame(
        {"Jaar": [2024.0, 2024.0], "Periode": [1.0, 2.0], "Categorie": ["A", "A"],
         "Bedrag": [1.5, 2.5]}
    ).write_parquet(tmp_path / "f.parquet")  # fmt: skip
    history = load_history([tmp_path / "f.parquet"])
    assert amounts(history) == {("A", "2024-01"): 1.5, ("A", "2024-02"): 2.5}


def test_a_period_column_without_a_year_column_is_not_a_month(tmp_path: Path) -> None:
    text = "Periode;Categorie;Bedrag\n1;Wmo;1\n2;Wmo;1\n"
    assert "'1' is not a month in any known format" in load_error(write(tmp_path, "p.csv", text))


def test_year_and_period_as_numbers_in_excel_and_parquet(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Jaar", "Periode", "Categorie", "Bedrag"]]
    rows += [[2024, period, "Wmo", period * 10.5] for period in range(1, 4)]
    workbook = load_history([_workbook(tmp_path / "jp.xlsx", {"Data": rows})])
    frame = pl.DataFrame(
        {"jaar": [2024, 2024, 2024], "periode": [1, 2, 3], "categorie": ["Wmo"] * 3,
         "bedrag": [10.5, 21.0, 31.5]}
    )  # fmt: skip
    frame.write_parquet(tmp_path / "jp.parquet")
    table = load_history([tmp_path / "jp.parquet"])
    expected = {("Wmo", "2024-01"): 10.5, ("Wmo", "2024-02"): 21.0, ("Wmo", "2024-03"): 31.5}
    assert amounts(workbook) == amounts(table) == expected


def test_day_first_is_never_guessed_per_row(tmp_path: Path) -> None:
    text = "Boekdatum;Categorie;Bedrag\n01-02-2024;Wmo;1\n12-03-2024;Wmo;2\n13-03-2024;Wmo;3\n"
    history = load_history([write(tmp_path, "b.csv", text)])
    assert amounts(history) == {("Wmo", "2024-02"): 1.0, ("Wmo", "2024-03"): 5.0}
    assert history.day_level_dates is True and history.last_date == date(2024, 3, 13)


def test_month_end_dates_are_not_day_level(tmp_path: Path) -> None:
    text = DUTCH + "31-01-2024;Wmo;1\n29-02-2024;Wmo;2\n01-03-2024;Wmo;3\n"
    history = load_history([write(tmp_path, "e.csv", text)])
    assert history.day_level_dates is False and history.last_date is None


# ---------------------------------------------------------------------------------------------
# Layouts


def test_single_series_is_named_after_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "retail.csv", "ds,y\n1992-01-01,146376\n1992-02-01,147079\n")
    history = load_history([path])
    assert history.monthly["category"].to_list() == ["retail", "retail"]
    info = only_source(history)
    assert (info.date_column, info.category_column, info.amount_column) == ("ds", None, "y")
    assert info.notes == ("no category column: all amounts form one series named 'retail'",)


def test_wide_months_as_columns(tmp_path: Path) -> None:
    text = (
        "Overzicht lasten per maand\n"
        "Categorie;jan 2023;feb 2023;mrt 2023;Totaal\n"
        "Jeugdhulp;1.000;1.100;;2.100\n"
        "Wmo hulp;500,5;(20,00);510;990,5\n"
        "Totaal;1.500,5;1.080;510;3.090,5\n"
    )
    history = load_history([write(tmp_path, "wide.csv", text)])
    assert amounts(history) == {
        ("Jeugdhulp", "2023-01"): 1000.0,
        ("Jeugdhulp", "2023-02"): 1100.0,  # no March: a missing month, not a zero
        ("Wmo hulp", "2023-01"): 500.5,
        ("Wmo hulp", "2023-02"): -20.0,
        ("Wmo hulp", "2023-03"): 510.0,
    }
    info = only_source(history)
    assert info.layout == "wide: months as columns"
    assert (info.category_column, info.amount_column) == ("Categorie", None)
    assert info.date_format == "month names (e.g. 'jan 2023', 'maart 2023')"
    assert "ignored total column 'Totaal'" in info.notes
    assert "dropped total row at line 5" in info.notes


def test_wide_months_iso_headers_with_domain(tmp_path: Path) -> None:
    text = "taakveld,domein,2024-01,2024-02\n6.72a,jeugd,10,11\n6.71a,Wmo,5,6\n"
    history = load_history([write(tmp_path, "w.csv", text)])
    assert history.domains == {"6.71a": "wmo", "6.72a": "jeugd"}
    assert amounts(history)[("6.72a", "2024-02")] == 11.0


def test_wide_month_names_with_a_year_column(tmp_path: Path) -> None:
    """`Jaar;Taakveld;jan;…;dec;Totaal`: a row per year and category, each cell its own month."""
    names = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    text = "Lasten per maand\nJaar;Taakveld;" + ";".join(names) + ";Totaal\n"
    for year in (2023, 2024):
        cells = [f"{month}.{year - 2000:03d},00" for month in range(1, 13)]
        text += f"{year};Wmo;" + ";".join(cells) + ";99.999\n"
    history = load_history([write(tmp_path, "wy.csv", text)])
    found = amounts(history)
    assert len(found) == 24
    assert found[("Wmo", "2023-01")] == 1023 and found[("Wmo", "2024-12")] == 12024
    info = only_source(history)
    assert info.layout == "wide: months as columns" and info.date_column == "column headers + Jaar"
    assert "ignored total column 'Totaal'" in info.notes


def test_money_outside_the_month_columns_is_warned_about(tmp_path: Path) -> None:
    text = (
        "Jaar;Taakveld;jan;feb;mrt;Correctie;Totaal\n"
        "2024;Jeugd A;1,00;2,00;3,00;50,00;56,00\n"
        "2024;Jeugd B;1,00;2,00;3,00;;6,00\n"
    )
    path = write(tmp_path, "wcorr.csv", text)
    history = load_history([path])
    assert amounts(history)[("Jeugd A", "2024-03")] == 3.0  # read as given, but said
    warnings = " ".join(history.warnings)
    assert f"{path}: column 'Correctie' holds amounts but is not a month" in warnings
    assert "the total column 'Totaal' is not the sum of the month columns on 1 line" in warnings
    assert "(first: line 2: total 56,00 against 6,00)" in warnings
    clean = write(tmp_path, "ok.csv", "Categorie;jan 2024;feb 2024;Totaal\nA;1;2;3\nTotaal;1;2;3\n")
    assert load_history([clean]).warnings == ()


def test_wide_booking_periods_with_a_year_column(tmp_path: Path) -> None:
    text = "Boekjaar;Categorie;P01;P02;Periode 3\n2024;A;1;2;3\n2025;A;4;5;6\n"
    history = load_history([write(tmp_path, "wp.csv", text)])
    assert amounts(history) == {
        ("A", "2024-01"): 1, ("A", "2024-02"): 2, ("A", "2024-03"): 3,
        ("A", "2025-01"): 4, ("A", "2025-02"): 5, ("A", "2025-03"): 6,
    }  # fmt: skip
    assert only_source(history).date_format == "months as columns, a year column"


def test_wide_month_names_with_a_bad_year_names_the_row(tmp_path: Path) -> None:
    text = "Jaar;Categorie;jan;feb\n2023;Wmo;1;2\n'24;Wmo;3;4\n"
    message = load_error(write(tmp_path, "wy.csv", text))
    assert message.startswith(f"error: {tmp_path / 'wy.csv'}:3:1: column 'Jaar': ''24' is not")
    assert "every row needs its year" in message


def test_wide_categories_as_columns(tmp_path: Path) -> None:
    text = (
        "Maand;Jeugdhulp;Wmo;Totaal;Opmerking\n"
        "jan 2024;1.000,00;500;1.500;\n"
        "feb 2024;1.100,00;;1.100;nog niet geboekt\n"
    )
    history = load_history([write(tmp_path, "cats.csv", text)])
    assert amounts(history) == {
        ("Jeugdhulp", "2024-01"): 1000.0,
        ("Jeugdhulp", "2024-02"): 1100.0,
        ("Wmo", "2024-01"): 500.0,
    }
    info = only_source(history)
    assert info.layout == "wide: categories as columns" and info.category_column is None
    assert "ignored total column 'Totaal'" in info.notes
    assert "ignored columns without amounts: Opmerking" in info.notes


def test_explicit_columns_win_over_detection(tmp_path: Path) -> None:
    text = "Periode,Boekdatum,Zorgsoort,Kosten,Bedrag\n2024-01,2024-02-10,Wmo,1,100\n"
    choice = ColumnChoice(date="boekdatum", category="Zorgsoort", amount="Bedrag")
    history = load_history([write(tmp_path, "x.csv", text)], choice)
    assert amounts(history) == {("Wmo", "2024-02"): 100.0}
    info = only_source(history)
    assert (info.date_column, info.category_column, info.amount_column) == (
        "Boekdatum",
        "Zorgsoort",
        "Bedrag",
    )


def test_unknown_explicit_column_is_a_usage_error_with_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", DUTCH + "2024-01;Wmo;1\n")
    with pytest.raises(UsageError) as caught:
        load_history([path], ColumnChoice(amount="Bedrog"))
    message = caught.value.one_line()
    assert caught.value.exit_code == 2
    assert f"{path}: amount column 'Bedrog' not found" in message
    assert "did you mean 'Bedrag'?" in message and "columns: Maand, Categorie, Bedrag" in message


# ---------------------------------------------------------------------------------------------
# FK-09/10/11: duplicates, negatives, gaps, several inputs


def test_duplicates_are_kept_summed_and_reported(tmp_path: Path) -> None:
    text = DUTCH + (
        "2024-01;Wmo hulp bij het huishouden;3.000,00\n"
        "2024-01;Wmo hulp bij het huishouden;3.000,00\n"
        "2024-01;Wmo hulp bij het huishouden;450,00\n"
        "2024-02;Leerlingenvervoer;-4.000,00\n"
        "2024-04;Leerlingenvervoer;20.500,00\n"
    )
    history = load_history([write(tmp_path, "dup.csv", text)])
    assert amounts(history) == {
        ("Leerlingenvervoer", "2024-02"): -4000.0,
        ("Leerlingenvervoer", "2024-04"): 20500.0,  # no 2024-03 row: never zero-filled
        ("Wmo hulp bij het huishouden", "2024-01"): 6450.0,
    }
    assert only_source(history).notes == ("1 exact duplicate line kept (summed)",)


def test_several_inputs_are_combined_and_overlaps_noted(tmp_path: Path) -> None:
    first = write(tmp_path, "2023.csv", DUTCH + "2023-12;Wmo;10\n2024-01;Wmo;1\n")
    second = write(tmp_path, "2024.csv", "maand,categorie,bedrag\n2024-01,Wmo,2\n2024-02,Wmo,3\n")
    history = load_history([first, second])
    assert amounts(history) == {
        ("Wmo", "2023-12"): 10.0,
        ("Wmo", "2024-01"): 3.0,
        ("Wmo", "2024-02"): 3.0,
    }
    assert history.sources[0].notes == history.sources[1].notes == ()
    assert history.warnings == (
        "1 category-month appears in more than one input and is summed (first: Wmo 2024-01);"
        " remove the overlap if the exports cover the same period",
    )


def test_categories_with_extra_spaces_are_one_series(tmp_path: Path) -> None:
    text = DUTCH + "2024-01;Jeugdhulp  verblijf ;1\n2024-02;Jeugdhulp\u00a0verblijf;2\n"
    history = load_history([write(tmp_path, "s.csv", text)])
    assert history.monthly["category"].unique().to_list() == ["Jeugdhulp verblijf"]


def test_zero_rows_without_category_are_dropped_and_counted(tmp_path: Path) -> None:
    text = "Month,ATC2_desc,Cost\n2024-01-01,A01,5\n2024-01-01,,0\n2024-02-01,,0.0\n"
    choice = ColumnChoice(category="ATC2_desc")
    history = load_history([write(tmp_path, "z.csv", text)], choice)
    assert amounts(history) == {("A01", "2024-01"): 5.0}
    assert "dropped 2 zero-amount rows without a category" in only_source(history).notes


def test_domains_are_kept(tmp_path: Path) -> None:
    text = "Maand;Categorie;Domein;Bedrag\n2024-01;Jeugdhulp;Jeugd;1\n2024-01;Hulpmiddelen;WMO;2\n"
    history = load_history([write(tmp_path, "d.csv", text)])
    assert history.domains == {"Hulpmiddelen": "wmo", "Jeugdhulp": "jeugd"}


# ---------------------------------------------------------------------------------------------
# Excel


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, date_format)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def _data_sheet(rows: int = 3) -> list[list[object]]:
    header: list[list[object]] = [
        ["Lasten sociaal domein"],
        [],
        ["Bedragen in euro"],
        ["Maand", "Categorie", "Bedrag", "Opmerking"],
    ]
    body: list[list[object]] = [
        [datetime(2024, 1 + n % 12, 1), "Jeugd" if n % 2 else "Wmo", 100.25 * n, None]
        for n in range(rows)
    ]
    return header + body


def test_excel_title_rows_real_dates_and_a_notes_sheet(tmp_path: Path) -> None:
    data = _data_sheet(3)
    data[-1][3] = "opmerking pas na vele lege cellen"
    path = _workbook(
        tmp_path / "boek.xlsx", {"Toelichting": [["Uitleg bij dit bestand"]], "Data": data}
    )
    history = load_history([path])
    assert amounts(history) == {
        ("Wmo", "2024-01"): 0.0,
        ("Jeugd", "2024-02"): 100.25,
        ("Wmo", "2024-03"): 200.5,
    }
    info = only_source(history)
    assert (info.file_format, info.sheet, info.header_line, info.encoding) == (
        "excel",
        "Data",
        4,
        None,
    )
    assert info.notes[0] == "used sheet 'Data', the only sheet that looks like data"


def test_excel_serial_numbers_and_text_amounts(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["maand", "categorie", "bedrag"],
        [45292, "Wmo", "1.234,56"],
        [45323, "Wmo", "(10,00)"],
    ]
    history = load_history([_workbook(tmp_path / "s.xlsx", {"Blad1": rows})])
    assert amounts(history) == {("Wmo", "2024-01"): 1234.56, ("Wmo", "2024-02"): -10.0}
    assert only_source(history).date_format == "Excel serial numbers"


def test_excel_sum_and_count_match_an_independent_read(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "groot.xlsx", {"Data": _data_sheet(1200)})
    history = load_history([path])
    raw = pl.read_excel(path, sheet_name="Data", read_options={"header_row": 3})
    assert only_source(history).rows == raw.height == 1200
    assert history.monthly["amount"].sum() == pytest.approx(raw["Bedrag"].sum())


def test_excel_several_data_sheets_need_a_choice(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "twee.xlsx", {"2023": _data_sheet(), "2024": _data_sheet()})
    message = load_error(path)
    assert f"{path}: the workbook has 2 sheets: 2023, 2024" in message and "--sheet" in message
    history = load_history([path], sheet="2024")
    assert only_source(history).sheet == "2024"


def test_excel_unknown_sheet_is_a_usage_error(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"Data": _data_sheet()})
    with pytest.raises(UsageError) as caught:
        load_history([path], sheet="data ")
    assert "sheet 'data ' not found — did you mean 'Data'? sheets: Data" in caught.value.one_line()


def test_excel_bad_cell_names_the_sheet_row(tmp_path: Path) -> None:
    rows = _data_sheet(3)
    rows[5][2] = "n.v.t."
    path = _workbook(tmp_path / "b.xlsx", {"Data": rows})
    assert f"{path}:6:3: column 'Bedrag': 'n.v.t.' is not an amount" in load_error(path)


def test_excel_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "leeg.xlsx", {"Leeg": []})
    assert "sheet 'Leeg' holds no data rows" in load_error(path)


# ---------------------------------------------------------------------------------------------
# Parquet


def test_parquet_typed_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "maand": [date(2024, 1, 1), date(2024, 2, 1)],
            "categorie": ["Wmo", "Wmo"],
            "bedrag": [1.5, -2.0],
        }
    )
    path = tmp_path / "h.parquet"
    frame.write_parquet(path)
    history = load_history([path])
    assert amounts(history) == {("Wmo", "2024-01"): 1.5, ("Wmo", "2024-02"): -2.0}
    info = only_source(history)
    assert (info.file_format, info.date_format, info.number_format) == (
        "parquet",
        "date values",
        "numeric values",
    )
    assert info.header_line is None and info.encoding is None and info.separator is None


def test_parquet_zoned_timestamps_stay_in_their_local_month(tmp_path: Path) -> None:
    stamps = pl.Series([datetime(2024, 1, 1), datetime(2024, 2, 1)]).dt.replace_time_zone(
        "Europe/Amsterdam"
    )
    for zone in ("Europe/Amsterdam", "UTC"):
        frame = pl.DataFrame(
            {"maand": stamps.dt.convert_time_zone(zone), "categorie": ["Wmo"] * 2, "bedrag": [1, 2]}
        )
        path = tmp_path / f"{zone.replace('/', '_')}.parquet"
        frame.write_parquet(path)
        history = load_history([path])
        assert history.monthly["month"].to_list() == [date(2024, 1, 1), date(2024, 2, 1)], zone


def test_parquet_text_columns_use_the_same_rules(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pl.DataFrame({"periode": ["jan 2024", "feb 2024"], "bedrag": ["1.000", "2,5"]}).write_parquet(
        path
    )
    assert load_history([path]).monthly["amount"].to_list() == [1000.0, 2.5]


def test_parquet_missing_amount_names_the_record(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    pl.DataFrame(
        {"maand": ["2024-01", "2024-02"], "categorie": ["a", "a"], "bedrag": [1.0, None]}
    ).write_parquet(path)
    assert f"{path}:2:3: column 'bedrag': empty amount" in load_error(path)


# ---------------------------------------------------------------------------------------------
# Bad input: each names file, line and column


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (
            "n.v.t.",
            "'n.v.t.' is not an amount in the column's format (decimal comma, thousands dot)"
            " — text",
        ),
        (
            "-",
            "'-' is not an amount in the column's format (decimal comma, thousands dot)"
            " — a lone '-'",
        ),
        ("125,40 CR", "CR/DR"),
        ("1234.56", "use one number format in the whole column"),
    ],
)
def test_bad_amount_cells(tmp_path: Path, cell: str, words: str) -> None:
    text = DUTCH + "2024-01;Wmo;1.234,56\n" * 120 + f"2024-02;Wmo;{cell}\n" + "2024-03;Wmo;1\n"
    path = write(tmp_path, "bad.csv", text)
    message = load_error(path)
    assert message.startswith(f"error: {path}:122:3: column 'Bedrag': ")
    assert words in message


def test_empty_amount_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", DUTCH + "2024-01;Wmo;1\n2024-02;Wmo;\n2024-03;Wmo;\n")
    message = load_error(path)
    assert (
        f"{path}:3:3: column 'Bedrag': empty amount" in message and "(1 more like this)" in message
    )


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("Q1 2023", "quarter, not a month"),
        ("2023-13", "month 13 does not exist"),
        ("jan 2023", "use one date format in the whole column"),
        ("n.v.t.", "does not fit the column's date format (year-month (YYYY-MM))"),
        ("", "empty date"),
    ],
)
def test_bad_date_cells(tmp_path: Path, cell: str, words: str) -> None:
    text = DUTCH + "2023-01;Wmo;1\n2023-02;Wmo;1\n" + f"{cell};Wmo;1\n"
    path = write(tmp_path, "bad.csv", text)
    message = load_error(path)
    assert message.startswith(f"error: {path}:4:1: column 'Maand': ")
    assert words in message


def test_a_column_of_quarters(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", DUTCH + "Q1 2023;Wmo;1\nQ2 2023;Wmo;1\n")
    message = load_error(path)
    assert f"{path}:2:1: column 'Maand': 'Q1 2023' is not a month in any known format" in message
    assert "quarter" in message


def test_nonzero_amount_without_category_is_kept_and_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", DUTCH + "2024-01;Wmo;1\n2024-02;;12,50\n2024-03;;0\n")
    history = load_history([path])
    rows = dict(zip(history.monthly["category"], history.monthly["amount"], strict=True))
    assert rows == {"(no category)": 12.5, "Wmo": 1.0}
    notes = only_source(history).notes
    assert "dropped 1 zero-amount row without a category" in notes
    assert any(
        "kept 1 row with an amount but an empty 'Categorie'" in n and "line 3" in n for n in notes
    )


def test_wide_months_amount_without_category(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "Categorie;jan 2024;feb 2024\nWmo;1;2\n;0;3\n")
    history = load_history([path])
    blank = history.monthly.filter(pl.col("category") == "(no category)")
    assert blank["amount"].to_list() == [3.0]


def test_decimal_comma_in_a_comma_separated_file(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "ds,y\n2024-01-01,10\n2024-02-01,1,5\n")
    message = load_error(path)
    assert f"{path}:3: this line has more fields than the header (2)" in message
    assert "decimal comma" in message
    semicolon = write(tmp_path, "s.csv", "Maand;Bedrag\n2024-01;10\n2024-02;1;5\n")
    message = load_error(semicolon)
    assert message.endswith("— a ';' inside a cell? Put that cell in double quotes, or remove the "
                            "extra field")  # fmt: skip


def test_wrong_domain_and_conflicting_domains(tmp_path: Path) -> None:
    head = "Maand;Categorie;Domein;Bedrag\n"
    bad = write(tmp_path, "d.csv", head + "2024-01;Jeugdhulp;jeugd;1\n2024-02;Jeugdhulp;zorg;1\n")
    assert f"{bad}:3:3: column 'Domein': 'zorg' is not a domain" in load_error(bad)
    first = write(tmp_path, "a.csv", head + "2024-01;Vervoer;wmo;1\n")
    second = write(tmp_path, "b.csv", head + "2024-02;Vervoer;jeugd;1\n")
    with pytest.raises(InputDataError) as caught:
        load_history([first, second])
    assert (
        f"{second}:2: category 'Vervoer' is in domain 'jeugd' here but 'wmo'"
        in caught.value.one_line()
    )


def test_missing_columns(tmp_path: Path) -> None:
    no_date = write(tmp_path, "n.csv", "Categorie;Bedrag\nWmo;1\n")
    assert (
        f"{no_date}: no date column found — name it with --date-col; columns: Categorie, Bedrag"
        in load_error(no_date)
    )
    no_amount = write(tmp_path, "a.csv", "Maand;Categorie;Aanbieder\n2024-01;Wmo;X\n")
    assert f"{no_amount}: no amount column found" in load_error(no_amount)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("leeg.csv", b"", "the file is empty"),
        ("spaties.csv", b" \r\n\r\n", "the file is empty"),
        ("bom.csv", b"\xef\xbb\xbf", "the file is empty"),
        ("kop.csv", b"Maand;Categorie;Bedrag\r\n", "has a header but no data rows"),
        ("kop2.csv", b"Maand;Categorie;Bedrag\r\n;;\r\n\r\n", "has a header but no data rows"),
        ("data.json", b"{}", "unsupported file type '.json'"),
        ("oud.xls", b"\xd0\xcf", "save it as .xlsx"),
        ("geen", b"x", "unsupported file type without an extension"),
        ("kapot.csv", b"Maand;Bedrag\n2024-01;\x81\x8d\n", "byte 0x81 at offset 21"),
        ("boek.csv", b"PK\x03\x04rest", "this is an Excel workbook, not a CSV file"),
        ("een.csv", b"alleen\neen kolom\n", "no column separator found"),
        ("kapot.xlsx", b"not a zip", "cannot be read as an Excel workbook"),
        ("kapot.parquet", b"not parquet", "cannot be read as a Parquet file"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    message = load_error(path)
    assert message.startswith(f"error: {path}") and words in message


def test_a_bad_byte_after_a_bom_names_its_offset_and_line(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfMaand;Bedrag\n2024-01;1\n2024-02;\xff\n"
    path = tmp_path / "bom_kapot.csv"
    path.write_bytes(data)
    message = load_error(path)
    offset = data.index(b"\xff")
    assert message.startswith(f"error: {path}:3: not readable as utf-8-sig text")
    assert f"byte 0xFF at offset {offset})" in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "file not found — check the path" in load_error(tmp_path / "nergens.csv")
    assert "is a directory, not a file" in load_error(tmp_path)


def test_no_paths_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        load_history([])


def test_messages_carry_no_other_cells(tmp_path: Path) -> None:
    text = "Maand;Categorie;Aanbieder;Client;Bedrag\n2024-01;Wmo;Zorg BV;J. Jansen;x\n"
    message = load_error(write(tmp_path, "p.csv", text))
    assert "Zorg BV" not in message and "Jansen" not in message and "'x'" in message


def test_annual_file_fails_with_a_clear_message(tmp_path: Path) -> None:
    path = write(tmp_path, "jaar.csv", "Jaar;Categorie;Bedrag\n2022;Wmo;1\n2023;Wmo;2\n")
    message = load_error(path, ColumnChoice(date="Jaar"))
    assert f"{path}:2:1: column 'Jaar': '2022' is not a month" in message
    assert "this is a year, not a month" in message


# ---------------------------------------------------------------------------------------------
# Real data (../shared/data; skipped where absent)


def _csv_total(path: Path, column: str) -> float:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(float(row[column]) for row in csv.DictReader(handle))


def test_pbs_by_atc1(shared_file: Callable[..., Path]) -> None:
    path = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    history = load_history([path], ColumnChoice(date="Month", category="ATC1", amount="Cost"))
    assert history.monthly["category"].n_unique() == 15
    assert history.monthly["amount"].sum() == pytest.approx(_csv_total(path, "Cost"), rel=1e-12)
    assert history.monthly.height == history.monthly.select("category", "month").n_unique()
    months = history.monthly["month"]
    assert (months.min(), months.max()) == (date(1991, 7, 1), date(2008, 6, 1))
    info = only_source(history)
    assert info.rows == 67_596 and info.notes == ()


def test_pbs_descriptions(shared_file: Callable[..., Path]) -> None:
    path = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    atc2 = load_history([path], ColumnChoice(date="Month", category="ATC2_desc", amount="Cost"))
    assert atc2.monthly["category"].n_unique() == 84
    assert "dropped 2,377 zero-amount rows without a category" in only_source(atc2).notes
    assert atc2.monthly["amount"].sum() == pytest.approx(_csv_total(path, "Cost"), rel=1e-12)
    # ATC1 code Z has no description upstream but real costs: kept as "(no category)"
    atc1 = load_history([path], ColumnChoice(date="Month", category="ATC1_desc", amount="Cost"))
    assert atc1.monthly["category"].n_unique() == 15
    assert "(no category)" in atc1.monthly["category"].to_list()
    assert atc1.monthly["amount"].sum() == pytest.approx(_csv_total(path, "Cost"), rel=1e-12)
    assert any("first at line 16814" in n for n in only_source(atc1).notes)


def test_pbs_by_atc2_code(shared_file: Callable[..., Path]) -> None:
    path = shared_file("pbs_australia_monthly", "PBS_tidy.csv")
    history = load_history([path], ColumnChoice(date="Month", category="ATC2", amount="Cost"))
    assert history.monthly["category"].n_unique() == 84


def test_prophet_retail_sales(shared_file: Callable[..., Path]) -> None:
    path = shared_file("prophet_examples", "example_retail_sales.csv")
    history = load_history([path])
    info = only_source(history)
    assert (info.date_column, info.amount_column) == ("ds", "y")
    assert history.monthly["category"].unique().to_list() == ["example_retail_sales"]
    assert history.monthly.height == info.rows == 293
    assert history.monthly["amount"].sum() == pytest.approx(_csv_total(path, "y"))


def test_cbs_cpi_is_annual_and_refused(shared_file: Callable[..., Path]) -> None:
    path = shared_file(
        "nl_cpi_annual", "Consumentenprijzen__prijsindex_2015_100_07012021_123946.csv"
    )
    message = load_error(path)
    assert f"{path}:6:1: column 'Perioden': '1996' is not a month in any known format" in message
    assert "this is a year, not a month" in message


# ---------------------------------------------------------------------------------------------
# Questionable input that used to pass silently


HEADERLESS = "2024-01;Wmo;1000,00\n2024-02;Wmo;1100,00\n2024-03;Wmo;1050,00\n"


def test_a_file_without_a_header_row_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "kaal.csv", HEADERLESS)
    message = load_error(path)
    assert message.startswith(f"error: {path}:1: no header row found")
    assert "add a header line such as Maand;Categorie;Bedrag" in message
    assert "--date-col/--category-col/--amount-col" in message
    titled = write(tmp_path, "titel.csv", "Uitgaven Wmo 2024\n15-01-2024;Wmo;1000\n")
    assert load_error(titled).startswith(f"error: {titled}:2: no header row found")
    # flags that name nothing in such a file do not hide the real problem
    assert "no header row found" in load_error(path, ColumnChoice(amount="Bedrag"))


def test_a_headerless_excel_sheet_is_an_error(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [datetime(2024, 1, 15), "Wmo", 1000.5],
        [datetime(2024, 2, 15), "Wmo", 1100],
    ]
    path = _workbook(tmp_path / "kaal.xlsx", {"Blad1": rows})
    assert load_error(path).startswith(f"error: {path}:1: no header row found")


@pytest.mark.parametrize(
    "header",
    [
        "Categorie;2024-01;2024-02",
        "Omschrijving;2024-01;2024-02",
        ";jan 2024;feb 2024",
        "Omschrijving;jan 2024;feb 2024;2024",  # a year-total column named by its year
    ],
)
def test_month_labels_as_headers_are_not_data(tmp_path: Path, header: str) -> None:
    row = ";".join(["Wmo", "1.000", "1.100", "2.100"][: header.count(";") + 1])
    history = load_history([write(tmp_path, "w.csv", f"{header}\n{row}\n")])
    assert only_source(history).layout == "wide: months as columns"
    assert history.monthly["amount"].to_list() == [1000.0, 1100.0]


def test_the_same_file_twice_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", DUTCH + "2024-01;Wmo;1\n")
    copy = write(tmp_path, "kopie.csv", DUTCH + "2024-01;Wmo;1\n")
    with pytest.raises(InputDataError) as caught:
        load_history([first, copy])
    assert caught.value.one_line() == (
        f"error: {copy}: the same file is given twice (same content as {first})"
        " — give each export once"
    )
    with pytest.raises(InputDataError, match="same content as"):
        load_history([first, first])


def test_overlap_between_different_files_is_summed_with_a_warning(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", DUTCH + "2024-01;Wmo;1\n2024-02;Wmo;1\n2024-02;Jeugd;1\n")
    second = write(tmp_path, "b.csv", DUTCH + "2024-02;Jeugd;2\n2024-02;Wmo;2\n2024-03;Wmo;2\n")
    history = load_history([first, second])
    assert amounts(history)[("Wmo", "2024-02")] == 3.0
    assert history.warnings == (
        "2 category-months appear in more than one input and are summed (first: Jeugd 2024-02);"
        " remove the overlap if the exports cover the same period",
    )


def test_one_column_for_two_roles_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", DUTCH + "2024-01;Wmo;1\n")
    with pytest.raises(UsageError) as caught:
        load_history([path], ColumnChoice(date="Maand", category="Maand"))
    assert caught.value.exit_code == 2
    message = caught.value.one_line()
    assert message.startswith(
        "error: --date-col, --category-col: column 'Maand' is given as both date and category — "
    )
    assert "--category-col" in message.split(" — ")[1]
    with pytest.raises(UsageError, match="both category and amount"):
        load_history([path], ColumnChoice(category="Bedrag", amount=" bedrag"))


def test_a_repeated_header_the_loader_would_use_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "Maand;Categorie;Bedrag;Bedrag\n2024-01;Wmo;1;2\n")
    message = load_error(path)
    assert message.startswith(f"error: {path}:1:3: column 'Bedrag': two columns are named 'Bedrag'")
    assert "rename one of them" in message and "--amount-col 'Bedrag (2)'" in message
    chosen = load_history([path], ColumnChoice(amount="Bedrag (2)"))
    assert chosen.monthly["amount"].to_list() == [2.0]
    # a repeated name the loader does not read is harmless
    unused = write(
        tmp_path, "u.csv", "Maand;Categorie;Bedrag;Opmerking;Opmerking\n2024-01;Wmo;1;;\n"
    )
    assert load_history([unused]).monthly["amount"].to_list() == [1.0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "Maand;Jeugd;Jeugd\njan 2024;1;2\n",
            ":1:2: column 'Jeugd': two columns are named 'Jeugd'",
        ),
        (
            "Categorie;jan 2024;feb 2024;feb 2024\nWmo;1;2;3\n",
            ":1:3: column 'feb 2024': two columns are named 'feb 2024'",
        ),
        (
            "Categorie;jan 2024;januari 2024\nWmo;1;2\n",
            ":1:3: column 'januari 2024': columns 'jan 2024' and 'januari 2024' are both 2024-01",
        ),
    ],
)
def test_repeated_value_columns_in_wide_files(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, "w.csv", text)
    assert words in load_error(path)


def test_sheet_for_a_csv_or_parquet_file_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", DUTCH + "2024-01;Wmo;1\n")
    parquet = tmp_path / "a.parquet"
    pl.DataFrame({"maand": ["2024-01"], "bedrag": [1.0]}).write_parquet(parquet)
    for given in (path, parquet):
        with pytest.raises(UsageError) as caught:
            load_history([given], sheet="Data")
        assert caught.value.one_line().startswith(
            f"error: {given}: --sheet only applies to Excel files — "
        )
    # next to a workbook the flag has a meaning: it chooses that workbook's sheet
    book = _workbook(tmp_path / "b.xlsx", {"Data": _data_sheet(), "Extra": _data_sheet()})
    assert len(load_history([book, path], sheet="Data").sources) == 2


@pytest.mark.parametrize(
    "header",
    ["Lasten (x € 1.000)", "Bedrag x 1000", "Lasten × € 1.000", "Bedrag (x1000)", "Bedrag k€",
     "Bedrag kEUR"],
)  # fmt: skip
def test_amounts_in_thousands_are_warned_about_not_scaled(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "k.csv", f"Maand;Categorie;{header}\n2024-01;Wmo;1.234\n")
    history = load_history([path])
    assert history.monthly["amount"].to_list() == [1234.0]
    assert only_source(history).amount_column == header
    assert history.warnings == (
        f"{path}: amounts in column '{header}' look like thousands of euro (header says so);"
        " they are read as given — multiply them or export in euro",
    )


def test_thousands_in_a_title_line_or_a_wide_header(tmp_path: Path) -> None:
    titled = write(
        tmp_path, "t.csv", "Lasten jeugd (bedragen x € 1.000)\n" + DUTCH + "2024-01;Jeugd;5\n"
    )
    [warning] = load_history([titled]).warnings
    assert "look like thousands of euro (the title on line 1 says so)" in warning
    wide = write(tmp_path, "w.csv", "Maand;Jeugd (x € 1.000);Wmo (x € 1.000)\njan 2024;1;2\n")
    [warning] = load_history([wide]).warnings
    assert (
        "amounts in columns 'Jeugd (x € 1.000)', 'Wmo (x € 1.000)' look like thousands" in warning
    )
    plain = write(tmp_path, "p.csv", "Bedragen in euro\n" + DUTCH + "2024-01;Jeugd;5\n")
    assert load_history([plain]).warnings == ()


def test_categories_differing_in_spaces_merge_and_in_capitals_are_warned(tmp_path: Path) -> None:
    text = DUTCH + "2024-01;Jeugd;1\n2024-02;jeugd ;2\n2024-03; Jeugd;4\n2024-03;Wmo;8\n"
    history = load_history([write(tmp_path, "c.csv", text)])
    assert amounts(history) == {
        ("Jeugd", "2024-01"): 1.0,
        ("Jeugd", "2024-03"): 4.0,
        ("Wmo", "2024-03"): 8.0,
        ("jeugd", "2024-02"): 2.0,
    }
    assert history.warnings == (
        "categories 'Jeugd' and 'jeugd' differ only in capitals; they are kept apart",
    )


def test_capital_warnings_across_files_and_capped(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", DUTCH + "".join(f"2024-01;Cat{n};1\n" for n in range(7)))
    second = write(tmp_path, "b.csv", DUTCH + "".join(f"2024-02;CAT{n};1\n" for n in range(7)))
    warnings = load_history([first, second]).warnings
    assert (
        warnings[0] == "categories 'CAT0' and 'Cat0' differ only in capitals; they are kept apart"
    )
    assert len(warnings) == 6
    assert warnings[-1] == (
        "2 more sets of category names differ only in capitals; they are kept apart"
    )


def test_rows_without_a_category_as_the_readme_says(tmp_path: Path) -> None:
    """README: rows without a category and a zero amount are dropped and counted; rows that carry
    money without a category are kept as '(no category)' and noted."""
    text = DUTCH + "2024-01;Wmo;10\n2024-01;;0\n2024-02;;0,00\n2024-02;;5\n2024-03; ;-2\n"
    history = load_history([write(tmp_path, "n.csv", text)])
    assert amounts(history) == {
        ("(no category)", "2024-02"): 5.0,
        ("(no category)", "2024-03"): -2.0,
        ("Wmo", "2024-01"): 10.0,
    }
    assert history.monthly["amount"].sum() == 13.0  # no euro left the totals
    notes = only_source(history).notes
    assert "dropped 2 zero-amount rows without a category" in notes
    assert (
        "kept 2 rows with an amount but an empty 'Categorie' as category '(no category)' (first at"
        " line 5); choose a category column that is always filled to avoid this"
    ) in notes


def test_amounts_beyond_a_trillion_are_refused(tmp_path: Path) -> None:
    """1e308 sums to infinity; 1e13 on one ledger line is a unit or typing slip."""
    path = write(tmp_path, "groot.csv", DUTCH + "2024-01;Wmo;1e308\n2024-02;Wmo;1e308\n")
    message = load_error(path)
    assert message.startswith(f"error: {path}:2:3: column 'Bedrag': amount 1e+308 is beyond")
    huge = pl.DataFrame({"maand": ["2024-01", "2024-02"], "categorie": ["A", "A"],
                         "bedrag": [10.0, 2e12]})  # fmt: skip
    parquet = tmp_path / "groot.parquet"
    huge.write_parquet(parquet)
    assert "amount 2e+12 is beyond € 1.000.000.000.000" in load_error(parquet)


def test_a_cell_beyond_the_csv_limit_is_an_input_error(tmp_path: Path) -> None:
    """An unclosed quote can swallow the file into one cell of more than 131.072 characters."""
    text = DUTCH + "2024-01;Wmo;1\n" + '2024-02;Wmo;"' + "x" * 200_000 + "\n2024-03;Wmo;1\n"
    path = write(tmp_path, "quote.csv", text)
    message = load_error(path)
    assert message.startswith(f"error: {path}") and "field larger than field limit" in message
    assert "a \" that is never closed" in message


def test_a_parquet_column_of_lists_is_refused(tmp_path: Path) -> None:
    frame = pl.DataFrame({"maand": ["2024-01"], "categorie": [["A", "B"]], "bedrag": [1.0]})
    path = tmp_path / "lijst.parquet"
    frame.write_parquet(path)
    message = load_error(path)
    assert message == (
        f"error: {path}: column 'categorie' holds List(String), not single values — write the "
        "spending as one date, category and amount per row"
    )
