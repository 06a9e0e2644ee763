"""The bundled sample: reproducible from its script, true to the Iv3 jaarrekening 2023, no gaps."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from models.categories import TAAKVELD_BY_CODE, domain_of
from models.sample import SAMPLE_CAPTION, SAMPLE_PATH

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_sample.py"
IV3 = "nl_iv3_taakvelden"


def _cents(text: str) -> int:
    whole, _, part = text.partition(",")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(part))


def _rows() -> list[tuple[str, str, int]]:
    lines = SAMPLE_PATH.read_text(encoding="utf-8").splitlines()
    rows = []
    for line in lines[1:]:
        period, category, amount = line.split(";")
        rows.append((period, category, _cents(amount)))
    return rows


def test_file_is_a_plain_dutch_ledger_export() -> None:
    raw = SAMPLE_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode("utf-8").splitlines()
    assert lines[0] == "Periode;Taakveld;Lasten"
    for line in lines[1:]:
        period, category, amount = line.split(";")
        assert len(period) == 7 and period[4] == "-", line
        assert category == category.strip() and not category.startswith("#"), line
        whole, comma, part = amount.partition(",")
        assert comma and len(part) == 2 and whole.lstrip("-").isdigit(), line


def test_caption_says_illustrative() -> None:
    assert SAMPLE_CAPTION.startswith("Illustrative sample")
    assert "Midden-Drenthe" in SAMPLE_CAPTION and "not real monthly data" in SAMPLE_CAPTION


def test_every_category_is_a_care_taakveld_in_jeugd_or_wmo() -> None:
    categories = {category for _, category, _ in _rows()}
    assert len(categories) == 17
    for category in categories:
        code = category.split()[0]
        assert category == TAAKVELD_BY_CODE[code].label
        assert TAAKVELD_BY_CODE[code].first_year <= 2023 <= (TAAKVELD_BY_CODE[code].last_year or 0)
        assert domain_of(category) in ("jeugd", "wmo")


def test_no_gaps_and_the_same_span_for_every_category() -> None:
    months = [f"{year}-{month:02d}" for year in range(2019, 2027) for month in range(1, 13)]
    months = months[: months.index("2026-09") + 1]
    seen: dict[str, set[str]] = defaultdict(set)
    for period, category, _ in _rows():
        seen[category].add(period)
    for category, periods in seen.items():
        assert sorted(periods) == months, category


def test_credit_notes_are_a_few_negative_lines_in_one_month() -> None:
    negative = [(period, category) for period, category, cents in _rows() if cents < 0]
    assert len(negative) == 2
    assert len({period for period, _ in negative}) == 1
    # the month still nets positive: a credit note corrects an invoice, it is no refund business
    net: dict[tuple[str, str], int] = defaultdict(int)
    for period, category, cents in _rows():
        net[period, category] += cents
    assert all(value > 0 for value in net.values())


def test_2023_totals_equal_the_jaarrekening(shared_file: Callable[..., Path]) -> None:
    iv3 = (
        pl.read_csv(shared_file(IV3, "iv3_2023_jaarrekening.csv"), separator=";")
        .filter(pl.col("Gemeenten") == "Midden-Drenthe")
        .select(pl.col("Taakveld").str.split(" ").list.first().alias("code"), "Lasten")
    )
    expected = {code: round(lasten * 100_000) for code, lasten in iv3.iter_rows()}
    totals: dict[str, int] = defaultdict(int)
    for period, category, cents in _rows():
        if period.startswith("2023-"):
            totals[category.split()[0]] += cents
    assert totals == {code: expected[code] for code in totals}
    # and no care taakveld with Lasten in 2023 was left out
    care_2023 = {
        code
        for code, taakveld in TAAKVELD_BY_CODE.items()
        if taakveld.first_year <= 2023 <= (taakveld.last_year or 0)
    }
    assert set(totals) == {code for code in care_2023 if expected.get(code, 0) != 0}


def test_committed_file_is_what_the_script_writes(
    shared_file: Callable[..., Path], tmp_path: Path
) -> None:
    iv3_dir = shared_file(IV3, "iv3_2023_jaarrekening.csv").parent
    out = tmp_path / "sample.csv"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--iv3-dir", str(iv3_dir), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == SAMPLE_PATH.read_bytes(), (
        "models/data/sample_midden_drenthe.csv is stale: run scripts/make_sample.py"
    )


@pytest.mark.parametrize("year", [2019, 2022, 2024, 2025])
def test_other_years_follow_the_trend(year: int) -> None:
    """A smooth yearly path around 2023: every year within 25 % of 2023, no category jumps."""
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for period, category, cents in _rows():
        totals[category, int(period[:4])] += cents
    for category in {c for c, _ in totals}:
        ratio = totals[category, year] / totals[category, 2023]
        assert 0.75 < ratio < 1.25, (category, year, ratio)
