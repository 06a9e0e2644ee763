"""`carecast inspect`, and bad input through the command line: one line, the right exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()

LEDGER = (
    "Gemeente Voorbeeld — lasten sociaal domein\n"
    "Bedragen in euro\n"
    "\n"
    "Maand;Categorie;Bedrag\n"
    "jan 2024;Hulp bij het huishouden;€ 1.234,56\n"
    "feb 2024;Hulp bij het huishouden;(125,40)\n"
    "mrt 2024;Hulp bij het huishouden;2.000,00\n"
    "jan 2024;Jeugdhulp ambulant;10.000,00\n"
    "mrt 2024;Jeugdhulp ambulant;-500,00\n"
    "Totaal;;12.609,16\n"
)


def ledger(tmp_path: Path, text: str = LEDGER, encoding: str = "cp1252") -> Path:
    path = tmp_path / "grootboek.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def test_inspect_json_says_what_the_loader_understood(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(ledger(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    (source,) = data["inputs"]
    assert source["encoding"] == "cp1252" and source["separator"] == ";"
    assert source["header_line"] == 4 and source["layout"] == "long"
    assert source["number_format"].startswith("decimal comma")
    assert any("total" in note.lower() for note in source["notes"])
    cats = {c["category"]: c for c in data["categories"]}
    assert cats["Hulp bij het huishouden"]["domain"] == "wmo"
    assert cats["Jeugdhulp ambulant"]["domain"] == "jeugd"
    assert cats["Jeugdhulp ambulant"]["missing_months"] == ["2024-02"]
    assert cats["Jeugdhulp ambulant"]["negative_months"] == ["2024-03"]
    yearly = {(r["category"], r["year"]): r["amount"] for r in data["yearly"]}
    # by hand: 1234.56 - 125.40 + 2000.00 and 10000.00 - 500.00
    assert yearly[("Hulp bij het huishouden", 2024)] == pytest.approx(3109.16)
    assert yearly[("Jeugdhulp ambulant", 2024)] == pytest.approx(9500.00)


def test_inspect_table_on_the_sample() -> None:
    result = runner.invoke(app, ["inspect"])
    assert result.exit_code == 0, result.stderr
    for words in ("layout", "decimal comma", "Categories", "Yearly totals", "Last complete month"):
        assert words in result.stdout


def test_inspect_csv_has_yearly_totals(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(ledger(tmp_path)), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "category,domain,year,months,amount"


BAD_FILES = {
    "bad amount": ("Maand;Categorie;Bedrag\n2024-01;Wmo;12,50\n2024-02;Wmo;n.v.t.\n", ":3:3"),
    "bad date": ("Maand;Categorie;Bedrag\n2024-01;Wmo;1,00\n2024-13;Wmo;1,00\n", ":3:1"),
    "quarter": ("Maand;Categorie;Bedrag\nQ1 2024;Wmo;1,00\nQ2 2024;Wmo;1,00\n", ":2:1"),
    "empty file": ("", ""),
    "header only": ("Maand;Categorie;Bedrag\n", ""),
    "lone dash": ("Maand;Categorie;Bedrag\n2024-01;Wmo;1,00\n2024-02;Wmo;-\n", ":3:3"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_data_is_one_line_exit_3_naming_the_place(tmp_path: Path, kind: str) -> None:
    text, place = BAD_FILES[kind]
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "out.json"
    for command in ("forecast", "inspect"):
        result = runner.invoke(
            app, [command, str(path), "--format", "json", "--output", str(target)]
        )
        assert result.exit_code == 3, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {path}{place}")
        assert not target.exists()  # a failed run leaves no output behind


def test_missing_file_directory_and_unsupported_type(tmp_path: Path) -> None:
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"PK\x03\x04 not really")
    for path in (tmp_path / "nope.csv", tmp_path, odd):
        result = runner.invoke(app, ["forecast", str(path)])
        assert result.exit_code == 3, result.stderr
        assert result.stderr.startswith(f"error: {path}")
        assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_column_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(ledger(tmp_path)), "--date-col", "Maan"])
    assert result.exit_code == 2
    assert "Maan" in result.stderr and "Maand" in result.stderr


def test_a_bug_is_exit_101_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import scenarios.run

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(scenarios.run, "run_forecast", broken)
    result = runner.invoke(app, ["forecast"])
    assert result.exit_code == 101
    assert "internal error" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr
