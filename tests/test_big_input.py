"""Big inputs: a declarations file (one line per client per month per product) is read in a
streaming pass that gives what the normal reading gives, names the line of a bad cell far
beyond the head, and never keeps a client number.

The threshold is lowered here, so that a file of a few MB takes the streaming path; the
benchmark (benchmarks/scale.py) runs the 10-million-line file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import models.loading as loading
from cli.app import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
LINES = 60_000


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "declaraties.csv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_declarations.py"), "--output",
                    str(path), "--lines", str(LINES)], check=True, capture_output=True)  # fmt: skip
    return path


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(loading, "STREAM_BYTES", 1_000_000)
    monkeypatch.setattr(loading, "_STREAM_HEAD_BYTES", 64_000)  # the body lies beyond the head
    yield


def test_streaming_gives_what_the_normal_reading_gives(
    declarations: Path, streaming: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    streamed = loading.load_history([declarations])
    assert "streaming pass" in streamed.sources[0].notes[0]
    monkeypatch.setattr(loading, "STREAM_BYTES", 10**12)
    normal = loading.load_history([declarations])
    assert "streaming pass" not in " ".join(normal.sources[0].notes)
    a, b = streamed.monthly, normal.monthly
    assert a.select("category", "month").equals(b.select("category", "month"))
    assert (a["amount"] - b["amount"]).abs().max() < 1e-6  # both to the cent
    assert streamed.sources[0].rows == normal.sources[0].rows == LINES
    # and an independent sum with polars' own reader
    raw = pl.read_csv(declarations, separator=";", decimal_comma=True)
    assert a["amount"].sum() == pytest.approx(raw["Bedrag"].sum(), abs=0.01)


def test_no_client_number_reaches_any_output(
    declarations: Path, streaming: None, tmp_path: Path
) -> None:
    clients = pl.read_csv(declarations, separator=";", columns=["Clientnummer"])["Clientnummer"]
    sample = set(clients.head(200).to_list())
    outputs = []
    for args in (["inspect", "--format", "json"], ["forecast", "--model", "ets", "--format",
                 "json"], ["check", "--snapshot", str(tmp_path / "s.toml"), "--model", "ets",
                 "--update"]):  # fmt: skip
        result = runner.invoke(app, [*args, str(declarations)])
        assert result.exit_code == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    outputs.append((tmp_path / "s.toml").read_text(encoding="utf-8"))
    text = "\n".join(outputs)
    assert "Clientnummer" not in text and not any(client in text for client in sample)
    inspected = json.loads(runner.invoke(app, ["inspect", str(declarations), "--format",
                                               "json"]).stdout)  # fmt: skip
    assert inspected["inputs"][0]["category_column"] == "Product"


def _broken(declarations: Path, folder: Path, line: int, column: int, value: str) -> Path:
    lines = declarations.read_text(encoding="utf-8").splitlines()
    cells = lines[line - 1].split(";")
    cells[column] = value
    lines[line - 1] = ";".join(cells)
    path = folder / "kapot.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (5, "veel", "column 'Bedrag': 'veel' is not an amount in the column's format"),
        (5, "", "column 'Bedrag': empty amount"),
        (5, "9999999999999", "column 'Bedrag': amount 1e+13 is beyond"),
        (3, "2024-13", "column 'Periode': '2024-13' does not fit the column's date format"),
    ],
)
def test_a_bad_cell_far_beyond_the_head_names_its_line(
    declarations: Path, streaming: None, tmp_path: Path, column: int, value: str, message: str
) -> None:
    path = _broken(declarations, tmp_path, 50_001, column, value)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {path}:50001:{column + 1}: {message}"), result.stderr
    assert result.stderr.count("\n") == 1


def test_a_total_line_at_the_end_is_dropped(
    declarations: Path, streaming: None, tmp_path: Path
) -> None:
    path = tmp_path / "met_totaal.csv"
    text = declarations.read_text(encoding="utf-8")
    path.write_text(text + ";;Totaal;;;123456789,00\n", encoding="utf-8")
    with_total = loading.load_history([path])
    without = loading.load_history([declarations])
    assert with_total.monthly.equals(without.monthly)
    assert any("dropped total row" in note for note in with_total.sources[0].notes)


@pytest.mark.parametrize("kind", ["cp1252", "crlf"])
def test_windows_exports_stream_too(
    declarations: Path, streaming: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    kind: str,
) -> None:  # fmt: skip
    """Windows-1252 (with an ë in a category) and CRLF line ends: the same as the normal read."""
    text = declarations.read_text(encoding="utf-8").replace("Pleegzorg", "Pleegzorg ëxtra")
    path = tmp_path / f"{kind}.csv"
    if kind == "cp1252":
        path.write_bytes(text.encode("cp1252"))
    else:
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    streamed = loading.load_history([path])
    assert "streaming pass" in streamed.sources[0].notes[0]
    monkeypatch.setattr(loading, "STREAM_BYTES", 10**12)
    normal = loading.load_history([path])
    assert streamed.monthly.select("category", "month").equals(
        normal.monthly.select("category", "month")
    )
    assert (streamed.monthly["amount"] - normal.monthly["amount"]).abs().max() < 1e-6
    assert any("ëxtra" in c for c in streamed.monthly["category"].to_list())
    assert streamed.sources[0].encoding == normal.sources[0].encoding


@pytest.mark.parametrize("stream", [True, False])
def test_a_total_labelled_in_the_first_column_is_dropped(
    declarations: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    """`Totaal;;;;;123…` under a client-number column (no date): a total, in both readings."""
    monkeypatch.setattr(loading, "STREAM_BYTES", 1_000_000 if stream else 10**12)
    path = tmp_path / "totaal_links.csv"
    path.write_text(declarations.read_text(encoding="utf-8") + "Totaal;;;;;1234567890,00\n",
                    encoding="utf-8")  # fmt: skip
    history = loading.load_history([path])
    assert history.monthly["amount"].sum() == pytest.approx(
        loading.load_history([declarations]).monthly["amount"].sum(), abs=0.01
    )
    assert any(f"dropped total row at line {LINES + 2}" in n for n in history.sources[0].notes)


def test_a_big_file_that_cannot_stream_says_so(
    declarations: Path, streaming: None, tmp_path: Path
) -> None:
    lines = declarations.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace("C", 'C"', 1)  # a stray quote in a client number
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    history = loading.load_history([path])
    assert history.sources[0].notes[0].startswith(
        "not read in a streaming pass (an unpaired quote in its first lines): read whole"
    )


def test_a_year_and_period_split_streams_like_the_normal_reading(
    declarations: Path, streaming: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`2019-01` written as `2019;1` in two columns: the same monthly series both ways."""
    lines = declarations.read_text(encoding="utf-8").splitlines()
    split = ["Clientnummer;Aanbieder;Product;Jaar;Periode;Uren;Bedrag"]
    for line in lines[1:]:
        cells = line.split(";")
        year, month = cells[3].split("-")
        split.append(";".join([*cells[:3], year, str(int(month)), *cells[4:]]))
    path = tmp_path / "jaar_periode.csv"
    path.write_text("\n".join(split) + "\n", encoding="utf-8")
    streamed = loading.load_history([path])
    assert "streaming pass" in streamed.sources[0].notes[0]
    assert streamed.sources[0].date_column == "Jaar + Periode"
    monkeypatch.setattr(loading, "STREAM_BYTES", 10**12)
    original = loading.load_history([declarations])
    for history in (streamed, loading.load_history([path])):
        assert history.monthly.select("category", "month").equals(
            original.monthly.select("category", "month")
        )
        assert (history.monthly["amount"] - original.monthly["amount"]).abs().max() < 1e-6
    cells = split[50_000].split(";")
    split[50_000] = ";".join([*cells[:4], "13", *cells[5:]])  # line 50.001: a closing period
    path.write_text("\n".join(split) + "\n", encoding="utf-8")
    monkeypatch.setattr(loading, "STREAM_BYTES", 1_000_000)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"error: {path}:50001: column 'Jaar + Periode': year '{cells[3]}' and period '13' do not"
    )
    assert "period 13 is not a month" in result.stderr
