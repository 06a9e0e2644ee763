"""Budget files (kEUR scaling, round trips, problems) and budgets made from CBS Iv3 files."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from models.categories import TAAKVELD_BY_CODE, leading_code
from models.errors import ProblemList, UsageError
from scenarios.budget import budget_from_iv3, dumps_budget, load_budget_file
from scenarios.schema import Budget

SharedFile = Callable[..., Path]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- budget files ---------------------------------------------------------------------------


def test_a_kEUR_budget_file_is_read_in_euro_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, "b.toml", (
        '[budget]\nunit = "kEUR"\nsource = "begroting 2026"\n'
        '[budget.categories."6.72a Jeugdhulp begeleiding"]\n2026 = 1_653\n2027 = 1702.59\n'
        '[budget.categories."Wmo vervoer"]\n2026 = 0.01\n'
    ))
    budget = load_budget_file(path)
    assert budget.amounts == {
        "6.72a Jeugdhulp begeleiding": {2026: 1_653_000.0, 2027: 1_702_590.0},
        "Wmo vervoer": {2026: 10.0},
    }
    assert (budget.unit, budget.provenance, budget.source) == ("kEUR", "begroting 2026", str(path))


def test_a_euro_budget_file_keeps_cents(tmp_path: Path) -> None:
    path = write(tmp_path, "b.toml",
                 '[budget]\nunit = "EUR"\n[budget.categories.A]\n2026 = 12_500_000.10\n')
    assert load_budget_file(path).amounts == {"A": {2026: 12_500_000.10}}


def test_dumps_budget_round_trips(tmp_path: Path) -> None:
    budget = Budget(
        amounts={"6.72a Jeugdhulp begeleiding": {2026: 1_702_590.0, 2027: 1_653_000.0},
                 "6.6 Maatwerkvoorziening (WMO)": {2026: 10.0}},
        unit="kEUR",
        provenance="CBS",
    )
    text = dumps_budget(budget)
    assert 'source = "CBS"' in text
    assert "2026 = 1702.59\n" in text and "2027 = 1653\n" in text and "2026 = 0.01\n" in text
    again = load_budget_file(write(tmp_path, "b.toml", text))
    assert again == budget


def test_every_problem_of_a_budget_file_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "b.toml", (
        '[scenario]\nname = "x"\n[budget]\n'
        '[budget.categories."6.72a"]\n2026 = -1\n2026.5 = 3\n[budget.categories."6.72b"]\n'
    ))
    with pytest.raises(ProblemList) as caught:
        load_budget_file(path)
    found = [(p.line, p.where, p.problem) for p in caught.value.problems]
    assert found == [
        (1, "scenario", "unknown key 'scenario'"),
        (3, "budget.unit", "unit is missing"),
        (5, 'budget.categories."6.72a".2026', "a budget cannot be negative (-1)"),
        (6, 'budget.categories."6.72a".2026.5',
         "2026.5 is a dotted key: it nests under '2026', which is already given"),
        (7, 'budget.categories."6.72b"', "category '6.72b' has no years"),
    ]
    hints = {p.where: p.hint for p in caught.value.problems}
    assert "scenario file" in (hints["scenario"] or "")
    assert all(p.source == str(path) for p in caught.value.problems)


def test_a_budget_file_needs_a_budget_table(tmp_path: Path) -> None:
    with pytest.raises(ProblemList) as caught:
        load_budget_file(write(tmp_path, "b.toml", "[begroting]\nunit = 'EUR'\n"))
    problems = {p.where: p for p in caught.value.problems}
    assert problems["begroting"].hint == "did you mean 'budget'?"
    assert problems["budget"].problem == "the file has no [budget] table"


def test_a_missing_budget_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_budget_file(tmp_path / "nope.toml")
    assert caught.value.source == str(tmp_path / "nope.toml")


# --- from Iv3 (a small file in the CBS layout) -------------------------------------------------

HEADER = "Gemeenten;Taakveld;L1.1 Salarissen en sociale lasten;Baten;Lasten;Provincie\n"


def iv3(tmp_path: Path, rows: str, name: str = "iv3_2024_begroting.csv") -> Path:
    return write(tmp_path, name, HEADER + rows)


ROWS = (
    "Aa en Hunze;0.1 Bestuur;1;2;3000.0;Drenthe\n"
    "Aa en Hunze;6.2 Toegang en eerstelijnsvoorz..;;0.0;500.0;Drenthe\n"
    "Aa en Hunze;6.71 Maatwerkdienstverlening 18+;;0.0;0.0;Drenthe\n"
    "Aa en Hunze;6.71a Huishoudelijke hulp (WMO);;5.0;4000.0;Drenthe\n"
    "Aa en Hunze;6.71d Overige maatwerkarrangementen ..;;0.0;0.0;Drenthe\n"
    "Aa en Hunze;6.74a Jeugd behandeling GGZ zonder ..;;0.0;812.5;Drenthe\n"
    "Aa en Hunze;6.82a Jeugdbescherming ;;0.0;-3.0;Drenthe\n"
    "Assen;6.71a Huishoudelijke hulp (WMO);;0.0;9000.0;Drenthe\n"
)


def test_budget_from_iv3_takes_the_care_taakvelden_with_full_labels(tmp_path: Path) -> None:
    budget = budget_from_iv3(iv3(tmp_path, ROWS), "aa en hunze")
    assert budget.amounts == {
        "6.71a Huishoudelijke hulp (WMO)": {2024: 4_000_000.0},
        "6.74a Jeugd behandeling GGZ zonder verblijf": {2024: 812_500.0},
    }
    assert budget.unit == "kEUR"
    assert budget.notes == (
        "6.71d Overige maatwerkarrangementen (WMO): no Lasten in the file, left out",
        "6.82a Jeugdbescherming: negative Lasten (-3 × € 1.000), left out",
    )
    assert budget.provenance is not None and "Aa en Hunze" in budget.provenance
    assert "iv3_2024_begroting.csv" in budget.provenance


def test_budget_from_iv3_year_from_the_name_or_given(tmp_path: Path) -> None:
    assert budget_from_iv3(iv3(tmp_path, ROWS, "begroting-2023.csv"), "Assen").amounts == {
        "6.71a Huishoudelijke hulp (WMO)": {2023: 9_000_000.0}
    }
    unnamed = iv3(tmp_path, ROWS, "begroting.csv")
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(unnamed, "Assen")
    assert "year" in caught.value.problem
    assert set(budget_from_iv3(unnamed, "Assen", year=2026).amounts[
        "6.71a Huishoudelijke hulp (WMO)"]) == {2026}


def test_budget_from_iv3_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(write(tmp_path, "iv3_2024_x.csv", "Gemeente;Taakveld;Lasten\n"), "Assen")
    assert "no column Gemeenten" in caught.value.problem
    twice = iv3(tmp_path, ROWS + "Assen;6.71a Huishoudelijke hulp (WMO);;0.0;1.0;Drenthe\n")
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(twice, "Assen")
    assert caught.value.line == 10
    nothing = iv3(tmp_path, "Assen;6.71a Huishoudelijke hulp (WMO);;0.0;0.0;Drenthe\n")
    with pytest.raises(UsageError, match="no care Lasten"):
        budget_from_iv3(nothing, "Assen")


def test_a_budget_from_iv3_dumps_and_loads_back(tmp_path: Path) -> None:
    budget = budget_from_iv3(iv3(tmp_path, ROWS), "Aa en Hunze")
    again = load_budget_file(write(tmp_path, "b.toml", dumps_budget(budget)))
    assert again == budget
    assert again.provenance == budget.provenance


# --- from the real CBS files --------------------------------------------------------------------


def lasten_in_csv(path: Path, gemeente: str, code: str) -> float:
    """The Lasten of one gemeente and taakveld code, read with nothing but the csv module."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["Gemeenten"] == gemeente and row["Taakveld"].split()[0] == code:
                return float(row["Lasten"])
    raise AssertionError(f"{gemeente} {code} not in {path}")


def test_midden_drenthe_begroting_2023(shared_file: SharedFile) -> None:
    path = shared_file("nl_iv3_taakvelden", "iv3_2023_begroting.csv")
    budget = budget_from_iv3(path, "Midden-Drenthe")
    expected = lasten_in_csv(path, "Midden-Drenthe", "6.72a") * 1000
    assert budget.amounts["6.72a Jeugdhulp begeleiding"] == {2023: expected}
    assert expected == 1_255_000.0
    assert set(budget.amounts) <= {t.label for t in TAAKVELD_BY_CODE.values()}
    assert "6.74a Jeugd behandeling GGZ zonder verblijf" in budget.amounts  # "zonder .." in CBS
    assert all(years[2023] > 0 for years in budget.amounts.values())
    skipped = {note.split(":")[0] for note in budget.notes}
    assert "6.72d Jeugdhulp zonder verblijf overig" in skipped
    assert not any(note.startswith("6.71 ") for note in budget.notes)  # retired code: no note


def test_a_misspelt_gemeente_gets_the_closest_names(shared_file: SharedFile) -> None:
    path = shared_file("nl_iv3_taakvelden", "iv3_2024_begroting.csv")
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(path, "Midden-Drente")
    assert caught.value.problem == "gemeente 'Midden-Drente' is not in the file"
    assert (caught.value.hint or "").startswith("did you mean 'Midden-Drenthe'")
    assert budget_from_iv3(path, "midden drenthe").amounts  # case and hyphen do not matter


def test_the_2025_codes(shared_file: SharedFile) -> None:
    path = shared_file("nl_iv3_taakvelden", "iv3_2025_begroting.csv")
    budget = budget_from_iv3(path, "Assen")
    codes = {leading_code(name) for name in budget.amounts}
    assert {"6.711", "6.751", "6.791", "6.811"} <= codes
    assert "6.812 Maatschappelijke- en vrouwenopvang" in budget.amounts  # "vrouwenopva.." in CBS
    assert not codes & {"6.71a", "6.72a", "6.6"}
    assert all(TAAKVELD_BY_CODE[code or ""].first_year == 2025 for code in codes)
    for name, years in budget.amounts.items():
        assert years == {2025: lasten_in_csv(path, "Assen", name.split()[0]) * 1000}
    with pytest.raises(UsageError, match="no care Lasten"):  # all zero for Midden-Drenthe
        budget_from_iv3(path, "Midden-Drenthe")
