"""The last complete month, --as-of, and facts per category (models.history)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from models.errors import InputDataError, UsageError
from models.history import category_facts, parse_as_of, prepare_history, yearly_totals
from models.loading import History, load_history


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def months(first: date, count: int) -> list[date]:
    return [
        date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
        for n in range(count)
    ]


def history(
    rows: list[tuple[str, date, float]],
    *,
    day_level: bool = False,
    last_date: date | None = None,
) -> History:
    monthly = pl.DataFrame(
        rows, schema={"category": pl.String, "month": pl.Date, "amount": pl.Float64}, orient="row"
    ).sort("category", "month")
    return History(monthly, {}, (), day_level, last_date)


def steady(count: int = 24, last_amount: float = 100.0) -> History:
    span = months(month(2022, 1), count)
    rows = [("Wmo", m, 100.0) for m in span[:-1]] + [("Wmo", span[-1], last_amount)]
    return history(rows)


def test_parse_as_of() -> None:
    assert parse_as_of("2024-06") == date(2024, 6, 1)
    assert parse_as_of(" 2024-6 ") == date(2024, 6, 1)
    for text in ("2024-13", "juni 2024", "2024-06-15", "", "24-06"):
        with pytest.raises(UsageError) as caught:
            parse_as_of(text)
        assert "--as-of" in caught.value.one_line() and "YYYY-MM" in caught.value.one_line()


def test_complete_last_month_is_kept() -> None:
    prepared = prepare_history(steady(24, last_amount=80.0))
    assert prepared.last_complete_month == month(2023, 12)
    assert prepared.excluded_partial_month is None and prepared.warnings == ()
    assert prepared.monthly.height == 24


def test_low_last_month_is_left_out_with_a_reason() -> None:
    prepared = prepare_history(steady(24, last_amount=30.0))
    assert prepared.excluded_partial_month == month(2023, 12)
    assert prepared.last_complete_month == month(2023, 11)
    assert prepared.monthly["month"].max() == month(2023, 11)
    assert prepared.warnings == (
        "2023-12 left out as incomplete: its total is 30 % of the median month in the 12 months"
        " before it; it is forecast instead (use --as-of 2023-12 to keep it)",
    )


def test_share_rule_looks_at_all_categories_together() -> None:
    span = months(month(2023, 1), 13)
    rows = [("Jeugd", m, 1000.0) for m in span] + [("Wmo", m, 10.0) for m in span[:-1]]
    rows.append(("Wmo", span[-1], 1.0))  # one small category drops; the total barely moves
    assert prepare_history(history(rows)).excluded_partial_month is None


def test_share_rule_needs_some_months_before() -> None:
    assert prepare_history(steady(3, last_amount=1.0)).excluded_partial_month is None
    assert prepare_history(steady(4, last_amount=1.0)).excluded_partial_month == month(2022, 4)


def test_day_level_dates_before_the_21st_mark_the_month_partial() -> None:
    rows = [("Wmo", m, 100.0) for m in months(month(2024, 1), 6)]
    partial = prepare_history(history(rows, day_level=True, last_date=date(2024, 6, 14)))
    assert partial.excluded_partial_month == month(2024, 6)
    assert partial.warnings[0].startswith(
        "2024-06 left out as incomplete: the latest booking date is 2024-06-14, before the 21st"
    )
    complete = prepare_history(history(rows, day_level=True, last_date=date(2024, 6, 21)))
    assert complete.excluded_partial_month is None
    # a booking date in an earlier month says nothing about the last month
    older = prepare_history(history(rows, day_level=True, last_date=date(2024, 5, 3)))
    assert older.excluded_partial_month is None


def test_as_of_cuts_and_never_guesses() -> None:
    prepared = prepare_history(steady(24, last_amount=1.0), as_of=month(2023, 6))
    assert prepared.last_complete_month == month(2023, 6)
    assert prepared.monthly["month"].max() == month(2023, 6)
    assert prepared.excluded_partial_month is None
    assert prepared.warnings == ("history cut at 2023-06 (--as-of): 6 months left out",)
    # as_of on the (low) last month keeps it: the user said it is complete
    kept = prepare_history(steady(24, last_amount=1.0), as_of=month(2023, 12))
    assert kept.excluded_partial_month is None and kept.monthly.height == 24


@pytest.mark.parametrize(
    ("as_of", "words"),
    [
        (month(2024, 1), "--as-of: 2024-01 is after the last month of the data (2023-12)"),
        (month(2021, 12), "--as-of: 2021-12 is before the first month of the data (2022-01)"),
    ],
)
def test_as_of_outside_the_data(as_of: date, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        prepare_history(steady(24), as_of=as_of)
    assert words in caught.value.one_line()
    assert "choose a month from 2022-01 to 2023-12" in caught.value.one_line()


def test_a_single_partial_month_is_an_error() -> None:
    only = history([("Wmo", month(2024, 6), 5.0)], day_level=True, last_date=date(2024, 6, 3))
    with pytest.raises(InputDataError) as caught:
        prepare_history(only)
    assert "the only month in the data, 2024-06, looks incomplete" in caught.value.one_line()


def test_fk11_gap_and_partial_last_month_from_a_file(tmp_path: Path) -> None:
    """36 months of Beschermd wonen, 2022-07 absent, the last month two weeks of bookings."""
    lines = ["Boekdatum;Categorie;Bedrag"]
    for m in months(month(2022, 1), 36):
        if m == month(2022, 7):
            continue
        if m == month(2024, 12):
            lines += ["02-12-2024;Beschermd wonen;1.500,00", "13-12-2024;Beschermd wonen;1.500,00"]
        else:
            lines += [
                f"05-{m:%m-%Y};Beschermd wonen;5.000,00",
                f"28-{m:%m-%Y};Beschermd wonen;5.000,00",
            ]
    path = tmp_path / "bw.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    loaded = load_history([path])
    assert loaded.day_level_dates and loaded.last_date == date(2024, 12, 13)
    prepared = prepare_history(loaded)
    assert prepared.excluded_partial_month == month(2024, 12)
    assert prepared.last_complete_month == month(2024, 11)
    [facts] = category_facts(prepared.monthly)
    assert facts.missing_months == (month(2022, 7),)
    assert (facts.first_month, facts.last_month, facts.months) == (
        month(2022, 1),
        month(2024, 11),
        34,
    )


def test_category_facts() -> None:
    rows = [
        ("Leerlingenvervoer", month(2024, 1), 20_000.0),
        ("Leerlingenvervoer", month(2024, 2), 21_000.0),
        ("Leerlingenvervoer", month(2024, 3), -4_000.0),
        ("Leerlingenvervoer", month(2024, 6), 20_500.0),
        ("Jeugd", month(2024, 2), 1.0),
    ]
    jeugd, vervoer = category_facts(history(rows).monthly)
    assert jeugd.category == "Jeugd" and jeugd.months == 1 and jeugd.missing_months == ()
    assert vervoer.category == "Leerlingenvervoer"
    assert (vervoer.first_month, vervoer.last_month, vervoer.months) == (
        month(2024, 1),
        month(2024, 6),
        4,
    )
    assert vervoer.missing_months == (month(2024, 4), month(2024, 5))
    assert vervoer.negative_months == (month(2024, 3),)


def test_yearly_totals() -> None:
    rows = [("Wmo", m, 10.0) for m in months(month(2023, 11), 4)] + [
        ("Jeugd", month(2024, 5), -3.0)
    ]
    totals = yearly_totals(history(rows).monthly)
    assert totals.to_dicts() == [
        {"category": "Jeugd", "year": 2024, "amount": -3.0, "months": 1},
        {"category": "Wmo", "year": 2023, "amount": 20.0, "months": 2},
        {"category": "Wmo", "year": 2024, "amount": 20.0, "months": 2},
    ]
    assert totals.schema == {
        "category": pl.String,
        "year": pl.Int64,
        "amount": pl.Float64,
        "months": pl.Int64,
    }


def _year_file(
    tmp_path: Path, name: str, days: tuple[int, ...], last_days: tuple[int, ...]
) -> Path:
    """Twelve months of 2024 with a line on each of `days` (December: `last_days`), same total."""
    lines = ["Datum;Categorie;Bedrag"]
    for m in months(month(2024, 1), 12):
        on = last_days if m.month == 12 else days
        lines += [f"{day:02d}-{m:%m-%Y};Wmo;{3000 // len(on)}" for day in on]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_monthly_data_stamped_on_the_15th_keeps_its_last_month(tmp_path: Path) -> None:
    loaded = load_history([_year_file(tmp_path, "m.csv", (15,), (15,))])
    assert loaded.day_level_dates is False and loaded.last_date is None
    prepared = prepare_history(loaded)
    assert prepared.last_complete_month == month(2024, 12)
    assert prepared.excluded_partial_month is None and prepared.warnings == ()


def test_booking_dates_that_stop_early_leave_the_last_month_out(tmp_path: Path) -> None:
    loaded = load_history([_year_file(tmp_path, "b.csv", (3, 12, 27), (3, 10))])
    assert loaded.day_level_dates is True and loaded.last_date == date(2024, 12, 10)
    prepared = prepare_history(loaded)
    assert prepared.excluded_partial_month == month(2024, 12)
    assert prepared.warnings[0].startswith(
        "2024-12 left out as incomplete: the latest booking date is 2024-12-10, before the 21st"
    )


def test_loader_warnings_come_first_in_every_outcome() -> None:
    loaded = history([("Wmo", m, 100.0) for m in months(month(2024, 1), 6)])
    warned = History(loaded.monthly, {}, (), True, date(2024, 6, 3), warnings=("overlap",))
    partial = prepare_history(warned)
    assert partial.warnings[0] == "overlap" and "left out as incomplete" in partial.warnings[1]
    assert prepare_history(warned, as_of=month(2024, 3)).warnings == (
        "overlap",
        "history cut at 2024-03 (--as-of): 3 months left out",
    )
    complete = History(loaded.monthly, {}, (), False, None, warnings=("overlap",))
    assert prepare_history(complete).warnings == ("overlap",)
