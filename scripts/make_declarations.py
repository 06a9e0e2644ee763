"""Write a synthetic declarations file: one line per client per month per product.

    .venv/bin/python scripts/make_declarations.py --output declaraties.csv [--lines 10000000]

What a municipality gets from its providers (iJw/iWmo declarations), for the big-input
benchmark and tests: `Clientnummer;Aanbieder;Product;Periode;Uren;Bedrag`, `;`-separated,
decimal comma, UTF-8. Products are the Iv3 care taakvelden of the bundled sample, so a forecast
of the file reads like one of the sample; the client numbers are made up and sequential, and
carecast must never keep them.

The same bytes for the same arguments (seed SEED); written in blocks of BLOCK lines, so memory
stays small whatever --lines is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.categories import TAAKVELDEN  # noqa: E402

SEED = 20_261_204
BLOCK = 1_000_000
FIRST_YEAR, MONTHS = 2019, 93  # 2019-01 ... 2026-09, as the bundled sample
PRODUCTS = [t.label for t in TAAKVELDEN if t.first_year == 2023 and t.code != "6.81a"]
# euro per hour, one per product; spread like real tariffs (household help to closed care)
TARIFFS = np.linspace(32.0, 185.0, len(PRODUCTS))


def block(rng: np.random.Generator, start: int, size: int, total: int) -> pl.DataFrame:
    """Lines start .. start + size - 1 of `total`: months in order, clients and products drawn."""
    line = np.arange(start, start + size)
    month = (line * MONTHS) // total  # the file runs through the months in order
    product = rng.integers(0, len(PRODUCTS), size)
    hours = np.round(rng.gamma(2.0, 6.0, size), 1) + 0.5
    growth = 1.0 + 0.004 * month  # some 5 % a year, as care spending does
    amount = np.round(hours * TARIFFS[product] * growth * rng.lognormal(0.0, 0.05, size), 2)
    periods = [f"{FIRST_YEAR + m // 12}-{m % 12 + 1:02d}" for m in range(MONTHS)]
    return pl.DataFrame(
        {
            "Clientnummer": [f"C{n:07d}" for n in rng.integers(0, 4_000_000, size)],
            "Aanbieder": [f"AGB{n:06d}" for n in rng.integers(0, 900, size)],
            "Product": pl.Series(PRODUCTS).gather(product),
            "Periode": pl.Series(periods).gather(month),
            "Uren": hours,
            "Bedrag": amount,
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--lines", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    if args.output.exists():
        parser.error(f"{args.output} exists: choose another name or remove it")
    rng = np.random.default_rng(SEED)
    with args.output.open("wb") as out:
        for start in range(0, args.lines, BLOCK):
            frame = block(rng, start, min(BLOCK, args.lines - start), args.lines)
            frame.write_csv(out, separator=";", decimal_comma=True, float_precision=2,
                            include_header=start == 0)  # fmt: skip
    print(f"wrote {args.lines:,} lines to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
