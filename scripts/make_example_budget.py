"""Write the example budgets in scenarios/examples/ from Midden-Drenthe's real begroting 2024.

Run from anywhere: `.venv/bin/python scripts/make_example_budget.py`. It reads the CBS Iv3 file
../shared/data/nl_iv3_taakvelden/iv3_2024_begroting.csv (next to the repository) through
scenarios.budget.budget_from_iv3, and writes the same bytes every time (no randomness, exact
decimal arithmetic):

* budget_midden_drenthe.toml: a budget file for every category of the bundled sample
  (models/data/sample_midden_drenthe.csv), years 2024–2029, in kEUR.
  - 2024 is the begroting 2024 as published (Lasten per care taakveld).
  - 2025–2029 carry it forward at a flat YEARLY_RATE (3 %) a year, compounded, each year rounded
    to whole kEUR. This is an ASSUMPTION, not the municipality's meerjarenraming (CBS does not
    publish one per taakveld). Why flat and why 3 %: Midden-Drenthe's own begroting growth
    2023→2024 is +5.6 % for jeugd but −4.7 % for Wmo (the 2023 Wmo budget was set high and the
    jaarrekening came in 11 % under it), and carrying a shrinking Wmo budget forward for five
    years would not be a plausible begroting; 3 % is close to the VNG weighted tariff
    indexation for 2025 without the catch-up (0.9 × 4.18 + 0.1 × 1.82 = 3.944 %) and below the
    2023–2024 rates (5.7–6.4 %), i.e. prices roughly kept up, volumes flat.
  - Begroting 2025 cannot be used: every care line of Midden-Drenthe is 0 in the CBS 2025 file
    (the script checks this and stops if that changes).
  - Sample categories with Lasten 0 in begroting 2024 (6.71d Overige maatwerkarrangementen,
    6.74c Gesloten plaatsing: the municipality budgets them elsewhere) get 0: that is what the
    begroting says for those lines (budget_from_iv3 reads them as 0), and the forecast should
    show their spending as unbudgeted. A sample category the file does not list at all would
    get 0 the same way.
* budget_cut.toml: a scenario that extends baseline.toml with a budget 5 % (CUT) lower on every
  line from 2027 on (a taakstelling): 0.95 × the rounded figure above, rounded to whole kEUR.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script, without installing carecast
    sys.path.insert(0, str(ROOT))

from models.categories import domain_sort_key  # noqa: E402
from models.errors import UsageError  # noqa: E402
from scenarios.budget import budget_from_iv3, dumps_budget  # noqa: E402
from scenarios.parse import match_category  # noqa: E402
from scenarios.schema import Budget  # noqa: E402

GEMEENTE = "Midden-Drenthe"
IV3_DIR = ROOT.parent / "shared" / "data" / "nl_iv3_taakvelden"
SAMPLE = ROOT / "models" / "data" / "sample_midden_drenthe.csv"
EXAMPLES = ROOT / "scenarios" / "examples"
BASE_YEAR = 2024
YEARS = range(BASE_YEAR, 2030)
YEARLY_RATE = Decimal("0.03")
CUT = Decimal("0.05")
CUT_FROM = 2027
KILO = Decimal(1000)


def sample_categories(sample: Path) -> list[str]:
    """The sample's categories, in the order tables show them (domain, then Iv3 code)."""
    with sample.open(encoding="utf-8", newline="") as handle:
        names = {row["Taakveld"] for row in csv.DictReader(handle, delimiter=";")}
    return sorted(names, key=domain_sort_key)


def whole_kilo(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def carried_forward(
    iv3_dir: Path, categories: Sequence[str]
) -> tuple[dict[str, dict[int, Decimal]], list[str]]:
    """kEUR per sample category and year, and the categories whose 2024 budget is 0."""
    try:
        budget_from_iv3(iv3_dir / "iv3_2025_begroting.csv", GEMEENTE)
    except UsageError:
        pass  # expected: no care Lasten for Midden-Drenthe in the 2025 file
    else:
        raise SystemExit(f"{GEMEENTE} now has care figures in begroting 2025: start from those")
    real = budget_from_iv3(iv3_dir / f"iv3_{BASE_YEAR}_begroting.csv", GEMEENTE)
    by_category: dict[str, Decimal] = {}
    for name, years in real.amounts.items():
        match = match_category(name, categories)
        if match is not None:
            by_category[match] = Decimal(repr(years[BASE_YEAR])) / KILO
    unbudgeted = [c for c in categories if not by_category.get(c)]
    table: dict[str, dict[int, Decimal]] = {}
    for category in categories:
        base = by_category.get(category, Decimal(0))
        table[category] = {
            year: whole_kilo(base * (1 + YEARLY_RATE) ** (year - BASE_YEAR)) for year in YEARS
        }
    return table, unbudgeted


def _codes(names: Sequence[str]) -> str:
    return " and ".join(name.split()[0] for name in names)


def budget_text(table: dict[str, dict[int, Decimal]], unbudgeted: Sequence[str]) -> str:
    zero = (
        f"; {_codes(unbudgeted)} have no Lasten in begroting {BASE_YEAR} and are kept at 0"
        if unbudgeted
        else ""
    )
    provenance = (
        f"{GEMEENTE}, CBS Iv3 begroting {BASE_YEAR} (Lasten per care taakveld, × € 1.000, "
        f"iv3_{BASE_YEAR}_begroting.csv) for {BASE_YEAR}; {BASE_YEAR + 1}–{YEARS[-1]} carried "
        f"forward at a flat {YEARLY_RATE * 100:.0f} % a year, compounded and rounded to whole "
        f"kEUR, an assumption (not the municipality's meerjarenraming){zero}. "
        "Made by scripts/make_example_budget.py."
    )
    budget = Budget(
        amounts={c: {y: float(v * KILO) for y, v in years.items()} for c, years in table.items()},
        unit="kEUR",
        provenance=provenance,
    )
    return dumps_budget(budget)


def cut_text(table: dict[str, dict[int, Decimal]]) -> str:
    data: dict[str, Any] = {
        "scenario": {
            "name": f"Taakstelling {CUT * 100:.0f} % vanaf {CUT_FROM}",
            "description": (
                f"The baseline with a budget {CUT * 100:.0f} % lower on every care line from "
                f"{CUT_FROM} on (a taakstelling): {1 - CUT} × the baseline budget, rounded to "
                "whole kEUR. Spending is unchanged, so the tekort grows by the cut."
            ),
            "extends": "baseline.toml",
        },
        "budget": {
            "unit": "kEUR",
            "source": "budget_midden_drenthe.toml × 0.95 from 2027, by "
            "scripts/make_example_budget.py",
            "categories": {
                category: {
                    str(year): int(whole_kilo(amount * (1 - CUT)))
                    for year, amount in years.items()
                    if year >= CUT_FROM
                }
                for category, years in table.items()
            },
        },
    }
    return tomli_w.dumps(data)


def build(iv3_dir: Path, sample: Path) -> dict[str, str]:
    """File name → text of every file this script writes."""
    categories = sample_categories(sample)
    table, unbudgeted = carried_forward(iv3_dir, categories)
    return {
        "budget_midden_drenthe.toml": budget_text(table, unbudgeted),
        "budget_cut.toml": cut_text(table),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--iv3-dir", type=Path, default=IV3_DIR, help="the CBS Iv3 CSV files")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the bundled sample CSV")
    parser.add_argument("--output-dir", type=Path, default=EXAMPLES, help="where to write")
    args = parser.parse_args(argv)
    for name, text in build(args.iv3_dir, args.sample).items():
        target = args.output_dir / name
        target.write_bytes(text.encode("utf-8"))
        print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
