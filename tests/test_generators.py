"""The committed generators of the scale inputs: seeded (the same bytes every time) and, for the
national sample, yearly levels that are the real Iv3 figures."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make(script: str, output: Path, *args: str) -> bytes:
    subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--output", str(output),
                    *args], check=True, capture_output=True)  # fmt: skip
    return output.read_bytes()


def test_the_national_sample_has_the_real_2023_levels(
    tmp_path: Path, shared_file: Callable[..., Path]
) -> None:
    jaarrekening = shared_file("nl_iv3_taakvelden", "iv3_2023_jaarrekening.csv")
    first = _make("make_national_sample.py", tmp_path / "a.csv", "--gemeenten", "3")
    assert _make("make_national_sample.py", tmp_path / "b.csv", "--gemeenten", "3") == first
    totals: dict[tuple[str, str], int] = defaultdict(int)
    reader = csv.reader(first.decode("utf-8").splitlines(), delimiter=";")
    assert next(reader) == ["Gemeente", "Periode", "Taakveld", "Lasten"]
    for gemeente, period, taakveld, amount in reader:
        if period.startswith("2023"):
            totals[(gemeente, taakveld.split()[0])] += round(float(amount.replace(",", ".")) * 100)
    assert len({g for g, _ in totals}) == 3
    expected = {}
    with jaarrekening.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            key = (row["Gemeenten"], row["Taakveld"].split()[0])
            if key in totals:
                expected[key] = round(float(row["Lasten"]) * 1000 * 100)
    assert expected and all(totals[key] == cents for key, cents in expected.items())


def test_the_declarations_file_is_seeded(tmp_path: Path) -> None:
    first = _make("make_declarations.py", tmp_path / "a.csv", "--lines", "2000")
    assert _make("make_declarations.py", tmp_path / "b.csv", "--lines", "2000") == first
    lines = first.decode("utf-8").splitlines()
    assert lines[0] == "Clientnummer;Aanbieder;Product;Periode;Uren;Bedrag" and len(lines) == 2001
