"""Write an illustrative national sample: every gemeente x Iv3 care taakveld, monthly.

    .venv/bin/python scripts/make_national_sample.py --output national.csv [--gemeenten N]

For the scale benchmarks and tests of grouped input (a `Gemeente` column: every gemeente x
taakveld is its own series). The same bytes every time (seed SEED, gemeenten in name order).

Like the bundled sample (scripts/make_sample.py, whose monthly shape it reuses) it is
ILLUSTRATIVE: the yearly levels are real, the months are made up.

* Gemeenten: every one in the CBS Iv3 jaarrekening 2023 (../shared/data/nl_iv3_taakvelden/),
  without the national total row "Nederland"; `--gemeenten N` keeps the first N by name.
* Series: the 2023 care taakvelden with non-zero Lasten in that gemeente's jaarrekening 2023.
* Levels: 2023 = jaarrekening 2023 Lasten x 1000; other years by the gemeente's own budget growth
  per domain from begroting 2023 to 2024, at least TREND_FLOOR and at most TREND_CAP a year (a
  few small gemeenten's budgets jump when a regional arrangement moves into their books).
* Months 2019-01 ... 2026-09; a seasonal profile per kind of care and log-normal noise, every
  year scaled to its total to the cent.

Output: `Gemeente;Periode;Taakveld;Lasten`, decimal comma, UTF-8, sorted by gemeente, month, code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script, without installing carecast
    sys.path.insert(0, str(ROOT))

from models.categories import TAAKVELD_BY_CODE, TAAKVELDEN  # noqa: E402
from scripts.make_sample import (  # noqa: E402
    FIRST_YEAR,
    IV3_DIR,
    KIND,
    LAST_MONTH,
    LAST_YEAR,
    SHAPES,
    TREND_FLOOR,
    euro,
    seasonal_profile,
    smooth_path,
    to_cents,
)

SEED = 20_260_101
TREND_CAP = 0.15


def lasten_by_gemeente(path: Path) -> dict[str, dict[str, int]]:
    """Lasten per gemeente and taakveld code, in euros (the file counts x € 1.000)."""
    frame = pl.read_csv(
        path,
        separator=";",
        columns=["Gemeenten", "Taakveld", "Lasten"],
        schema_overrides={"Lasten": pl.Float64},
    ).filter(pl.col("Gemeenten") != "Nederland")
    result: dict[str, dict[str, int]] = {}
    for gemeente, label, lasten in frame.iter_rows():
        if lasten is None:
            continue
        result.setdefault(str(gemeente), {})[str(label).split()[0]] = round(float(lasten) * 1000)
    return result


def build(iv3_dir: Path, count: int | None = None) -> str:
    actual = lasten_by_gemeente(iv3_dir / "iv3_2023_jaarrekening.csv")
    budget_2023 = lasten_by_gemeente(iv3_dir / "iv3_2023_begroting.csv")
    budget_2024 = lasten_by_gemeente(iv3_dir / "iv3_2024_begroting.csv")
    codes = [t for t in TAAKVELDEN if t.first_year <= 2023 <= (t.last_year or 2023)]
    gemeenten = sorted(actual)[:count]
    rng = np.random.default_rng(SEED)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    months = 12 * (LAST_YEAR - FIRST_YEAR) + LAST_MONTH
    lines = ["Gemeente;Periode;Taakveld;Lasten"]
    for gemeente in gemeenten:
        series: dict[str, list[int]] = {}
        for taakveld in codes:
            level = actual[gemeente].get(taakveld.code, 0)
            if level <= 0:
                continue
            before = sum(budget_2023.get(gemeente, {}).get(t.code, 0) for t in codes
                         if t.domain == taakveld.domain)  # fmt: skip
            after = sum(budget_2024.get(gemeente, {}).get(t.code, 0) for t in codes
                        if t.domain == taakveld.domain)  # fmt: skip
            growth = after / before - 1.0 if before > 0 else TREND_FLOOR
            trend = min(max(growth, TREND_FLOOR), TREND_CAP)
            totals = {year: level * (1.0 + trend) ** (year - 2023) for year in years}
            shape = SHAPES[KIND[taakveld.code]]
            values = (
                smooth_path(totals, trend)
                * np.tile(seasonal_profile(shape), len(years))
                * np.exp(rng.normal(0.0, shape.noise_sd, 12 * len(years)))
            )
            cents: list[int] = []
            for i, year in enumerate(years):
                cents += to_cents(values[12 * i : 12 * i + 12], round(totals[year] * 100))
            series[taakveld.code] = cents
        for i in range(months):
            period = f"{FIRST_YEAR + i // 12}-{i % 12 + 1:02d}"
            for code, cents in series.items():
                lines.append(f"{gemeente};{period};{TAAKVELD_BY_CODE[code].label};{euro(cents[i])}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--iv3-dir", type=Path, default=IV3_DIR, help="the CBS Iv3 CSV files")
    parser.add_argument("--output", type=Path, required=True, help="where to write the CSV")
    parser.add_argument("--gemeenten", type=int, help="only the first N gemeenten by name")
    args = parser.parse_args(argv)
    if args.output.exists():
        parser.error(f"{args.output} exists: choose another name or remove it")
    if args.gemeenten is not None and args.gemeenten < 1:
        parser.error("--gemeenten must be 1 or more")
    needed = ("iv3_2023_jaarrekening.csv", "iv3_2023_begroting.csv", "iv3_2024_begroting.csv")
    missing = [name for name in needed if not (args.iv3_dir / name).is_file()]
    if missing:
        parser.error(f"the CBS Iv3 files are not in {args.iv3_dir} ({', '.join(missing)}): "
                     "give their folder with --iv3-dir")  # fmt: skip
    text = build(args.iv3_dir, args.gemeenten)
    args.output.write_bytes(text.encode("utf-8"))
    print(f"wrote {text.count(chr(10)) - 1} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
