"""Budget files (kEUR scaling, round trips, problems) and budgets made from CBS Iv3 files."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from models.categories import TAAKVELD_BY_CODE, leading_code
from models.errors import ProblemList, UsageError
from scenarios.budget import budget_from_iv3, dumps_budget, load_budget_file
from scenarios.schema import Budget

SharedFile = Callable[..., Path]
runner = CliRunner()


def hint_of(error: UsageError) -> str:
    assert error.hint is not None, error.one_line()
    return error.hint


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- budget files ---------------------------------------------------------------------------


def test_a_kEUR_budget_file_is_read_in_euro_exactly(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.toml",
        (
            '[budget]\nunit = "kEUR"\nsource = "begroting 2026"\n'
            '[budget.categories."6.72a Jeugdhulp begeleiding"]\n2026 = 1_653\n2027 = 1702.59\n'
            '[budget.categories."Wmo vervoer"]\n2026 = 0.01\n'
        ),
    )
    budget = load_budget_file(path)
    assert budget.amounts == {
        "6.72a Jeugdhulp begeleiding": {2026: 1_653_000.0, 2027: 1_702_590.0},
        "Wmo vervoer": {2026: 10.0},
    }
    assert (budget.unit, budget.provenance, budget.source) == ("kEUR", "begroting 2026", str(path))


def test_a_euro_budget_file_keeps_cents(tmp_path: Path) -> None:
    path = write(
        tmp_path, "b.toml", '[budget]\nunit = "EUR"\n[budget.categories.A]\n2026 = 12_500_000.10\n'
    )
    assert load_budget_file(path).amounts == {"A": {2026: 12_500_000.10}}


def test_dumps_budget_round_trips(tmp_path: Path) -> None:
    budget = Budget(
        amounts={
            "6.72a Jeugdhulp begeleiding": {2026: 1_702_590.0, 2027: 1_653_000.0},
            "6.6 Maatwerkvoorziening (WMO)": {2026: 10.0},
        },
        unit="kEUR",
        provenance="CBS",
    )
    text = dumps_budget(budget)
    assert 'source = "CBS"' in text
    assert "2026 = 1702.59\n" in text and "2027 = 1653\n" in text and "2026 = 0.01\n" in text
    again = load_budget_file(write(tmp_path, "b.toml", text))
    assert again == budget


def test_every_problem_of_a_budget_file_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.toml",
        (
            '[scenario]\nname = "x"\n[budget]\n'
            '[budget.categories."6.72a"]\n2026 = -1\n2026.5 = 3\n[budget.categories."6.72b"]\n'
        ),
    )
    with pytest.raises(ProblemList) as caught:
        load_budget_file(path)
    found = [(p.line, p.where, p.problem) for p in caught.value.problems]
    assert found == [
        (1, "scenario", "unknown key 'scenario'"),
        (3, "budget.unit", "unit is missing"),
        (5, 'budget.categories."6.72a".2026', "a budget cannot be negative (-1)"),
        (
            6,
            'budget.categories."6.72a".2026.5',
            "2026.5 is a dotted key: it nests under '2026', which is already given",
        ),
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
        "6.71d Overige maatwerkarrangementen (WMO)": {2024: 0.0},  # a begroting line of 0
        "6.74a Jeugd behandeling GGZ zonder verblijf": {2024: 812_500.0},
    }
    assert budget.unit == "kEUR"
    assert budget.notes == (
        "6.82a Jeugdbescherming: negative Lasten (-3 × € 1.000), left out",
        "budget 0 (Lasten 0 in the file) for 6.71d: any spending there shows as a tekort",
    )
    assert budget.provenance == (
        "CBS Iv3 2024, Aa en Hunze: Lasten per care taakveld (× € 1.000), "
        "from iv3_2024_begroting.csv"
    )


def test_budget_from_iv3_year_from_the_name_or_given(tmp_path: Path) -> None:
    assert budget_from_iv3(iv3(tmp_path, ROWS, "begroting-2023.csv"), "Assen").amounts == {
        "6.71a Huishoudelijke hulp (WMO)": {2023: 9_000_000.0}
    }
    unnamed = iv3(tmp_path, ROWS, "begroting.csv")
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(unnamed, "Assen")
    assert caught.value.problem == "cannot tell the budget year from the file name"
    assert hint_of(caught.value) == "give the budget year with --year"
    guessed = budget_from_iv3(unnamed, "Assen", year=2026)
    assert set(guessed.amounts["6.71a Huishoudelijke hulp (WMO)"]) == {2026}
    assert guessed.provenance is not None and guessed.provenance.startswith("CBS Iv3, Assen")
    assert guessed.provenance.endswith("from begroting.csv, used as budget 2026")


def test_budget_from_iv3_keeps_the_file_year_when_used_for_another(tmp_path: Path) -> None:
    budget = budget_from_iv3(iv3(tmp_path, ROWS), "Assen", year=2026)
    assert budget.amounts == {"6.71a Huishoudelijke hulp (WMO)": {2026: 9_000_000.0}}
    assert budget.provenance == (
        "CBS Iv3 2024, Assen: Lasten per care taakveld (× € 1.000), from iv3_2024_begroting.csv, "
        "used as budget 2026"
    )
    assert "the file's figures are for 2024; used as budget 2026" in budget.notes


def test_budget_from_iv3_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(write(tmp_path, "iv3_2024_x.csv", "Gemeente;Taakveld;Lasten\n"), "Assen")
    assert (
        caught.value.problem == "not a CBS Iv3 file: expected columns Gemeenten;Taakveld;…;Lasten"
    )
    assert hint_of(caught.value) == "its first line has Gemeente;Taakveld;Lasten"
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
    assert lasten_in_csv(path, "Midden-Drenthe", "6.72d") == 0.0
    assert budget.amounts["6.72d Jeugdhulp zonder verblijf overig"] == {2023: 0.0}
    assert "6.71 Maatwerkdienstverlening 18+" not in budget.amounts  # a retired code …
    assert not any("6.71 " in note for note in budget.notes)  # … left out without a note


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


# --- a new user's findings ------------------------------------------------------------------


def test_a_kEUR_amount_with_three_decimals_is_written_with_four(tmp_path: Path) -> None:
    budget = Budget(amounts={"6.72a": {2026: 1653.0, 2027: 1_653_000.0}}, unit="kEUR")
    text = dumps_budget(budget)
    assert "2026 = 1.6530\n" in text and "2027 = 1653\n" in text
    assert load_budget_file(write(tmp_path, "b.toml", text)) == budget


def test_budget_file_thousands_dot_and_bounds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.toml",
        (
            '[budget]\nunit = "kEUR"\n[budget.categories."6.72a"]\n2026 = 1.653\n'
            '[budget.categories."6.72b"]\n2027 = 12.500.000\n'
            '[budget.categories."6.72c"]\n2027 = 1e308\n'
        ),
    )
    with pytest.raises(ProblemList) as caught:
        load_budget_file(path)
    found = [(p.line, p.problem) for p in caught.value.problems]
    assert found == [
        (4, "1.653 × € 1.000 has three decimals: a thousands dot?"),
        (6, "12.500.000 is not a number in TOML"),
        (8, "1.000e+308 is implausibly large: more than € 1.000.000.000.000"),
    ]


GEMEENTEN = (
    "Bergen (L.);6.71a Huishoudelijke hulp (WMO);;0.0;1.0;Limburg\n"
    "Bergen (NH.);6.71a Huishoudelijke hulp (WMO);;0.0;2.0;Noord-Holland\n"
    "Bergen op Zoom;6.71a Huishoudelijke hulp (WMO);;0.0;3.0;Noord-Brabant\n"
    "Steenbergen;6.71a Huishoudelijke hulp (WMO);;0.0;4.0;Noord-Brabant\n"
    "'s-Gravenhage;6.71a Huishoudelijke hulp (WMO);;0.0;5.0;Zuid-Holland\n"
    "'s-Hertogenbosch;6.71a Huishoudelijke hulp (WMO);;0.0;6.0;Noord-Brabant\n"
    "Súdwest-Fryslân;6.71a Huishoudelijke hulp (WMO);;0.0;7.0;Fryslân\n"
    "Nederland;6.71a Huishoudelijke hulp (WMO);;0.0;99.0;\n"
)


def test_gemeente_names_containing_the_text_come_first(tmp_path: Path) -> None:
    path = iv3(tmp_path, GEMEENTEN)
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(path, "Bergen")
    assert caught.value.where == "--gemeente"
    assert (
        hint_of(caught.value) == "did you mean 'Bergen (L.)' or 'Bergen (NH.)' or 'Bergen op Zoom'?"
    )
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(path, "Steenberg")
    assert hint_of(caught.value).startswith("did you mean 'Steenbergen'")


def test_gemeente_aliases_accents_and_the_national_total(tmp_path: Path) -> None:
    path = iv3(tmp_path, GEMEENTEN)
    haag = budget_from_iv3(path, "Den Haag")
    assert haag.amounts == {"6.71a Huishoudelijke hulp (WMO)": {2024: 5000.0}}
    assert "Den Haag is 's-Gravenhage in the CBS file: took that" in haag.notes
    assert budget_from_iv3(path, "den bosch").provenance is not None
    assert budget_from_iv3(path, "s Hertogenbosch").amounts  # the apostrophe does not matter
    assert budget_from_iv3(path, "sudwest fryslan").amounts  # nor the accents
    with pytest.raises(UsageError) as caught:
        budget_from_iv3(path, "Nederland")
    assert caught.value.problem == "'Nederland' is the national total, not a gemeente"


def test_from_iv3_help_names_its_placeholders() -> None:
    shown = runner.invoke(app, ["budget", "from-iv3", "--help"])
    assert shown.exit_code == 0
    assert "{FILE}" in shown.stdout and "--gemeente NAME" in shown.stdout
    assert "--year YEAR" in shown.stdout and "-o, --output FILE" in shown.stdout
    assert "{file}" not in shown.stdout and "<str>" not in shown.stdout


def test_from_iv3_on_the_command_line_says_what_it_did(tmp_path: Path) -> None:
    path = iv3(tmp_path, ROWS)
    result = runner.invoke(
        app, ["budget", "from-iv3", str(path), "--gemeente", "Aa en Hunze", "--year", "2026"]
    )
    assert result.exit_code == 0, result.stderr
    assert "used as budget 2026" in result.stdout  # the `source` of the budget file
    assert f"note: {path}: the file's figures are for 2024; used as budget 2026" in result.stderr
    assert '"6.71d Overige maatwerkarrangementen (WMO)"]\n2026 = 0\n' in result.stdout
